"""Fixtures shared by the whole suite.

Engine tests take the ``xp`` fixture and run once per array backend: NumPy
always, CuPy when a usable GPU is present (skipped with the reason otherwise).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from dlcore import backend

# Progress bars are for people; the suite's output stays clean.
os.environ.setdefault("DLCORE_PROGRESS", "0")


@pytest.fixture(params=["numpy", "standin", "cupy"])
def xp(request):
    """The array module under test: ``numpy``; ``dlcore.standin`` playing the GPU library
    (NumPy-backed arrays that refuse to mix with NumPy's, so a forgotten ``np.`` call in
    generic code fails here as on a GPU); ``cupy`` when a usable GPU is present."""
    if request.param == "cupy":
        if not backend.gpu_available():
            pytest.skip(f"CuPy backend not tested: {backend.gpu_status()}")
        import cupy

        yield cupy
    elif request.param == "standin":
        with backend.use_standin() as standin:
            yield standin
    else:
        yield np


@pytest.fixture
def device(xp):
    """The dlcore device name matching ``xp``: "cpu" or "gpu"."""
    return "gpu" if xp is not np else "cpu"


@pytest.fixture
def rng():
    """A fixed-seed NumPy generator, fresh for every test."""
    return np.random.default_rng(20261121)

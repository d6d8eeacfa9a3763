"""Which array library holds the data: NumPy on the CPU, CuPy on a GPU.

Generic code never imports CuPy itself. It asks ``xp = get_array_module(x, w)``
and writes ``xp.exp``, ``xp.zeros_like`` and so on, so one implementation of
every formula serves both devices.

CuPy is optional. ``import cupy`` can succeed on a machine without a GPU and
fail only at the first kernel launch, so :func:`gpu_available` checks for a
usable device, and remembers why it failed when it did.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np

DEVICES = ("cpu", "gpu")


@functools.lru_cache(maxsize=1)
def _probe_cupy() -> tuple[ModuleType | None, str]:
    """Import CuPy and run one tiny kernel; return (module or None, reason)."""
    try:
        import cupy
    except Exception as exc:  # ImportError, or a broken CUDA installation
        return None, f"CuPy is not importable ({type(exc).__name__}: {exc})"
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None, "CuPy is installed but no CUDA device is visible"
        int((cupy.arange(3) + 1).sum())  # compiles and runs a kernel
    except Exception as exc:
        return None, f"CuPy is installed but the GPU is unusable ({type(exc).__name__}: {exc})"
    return cupy, "a CUDA device is usable"


def gpu_available() -> bool:
    """True when CuPy is installed and a CUDA device actually runs a kernel."""
    return _probe_cupy()[0] is not None


def gpu_status() -> str:
    """One sentence saying whether the GPU backend works, and if not, why."""
    return _probe_cupy()[1]


#: The GPU library's stand-in while :func:`use_standin` is active (tests only).
_standin: ModuleType | None = None


@contextlib.contextmanager
def use_standin() -> Iterator[ModuleType]:
    """Make :mod:`dlcore.standin` play the GPU library (CuPy) while the block runs.

    For tests on machines without a GPU: every GPU code path (dispatch, ``to("gpu")``,
    transfers) then runs on NumPy-backed arrays that refuse to mix with NumPy's, so a
    forgotten ``np.`` call in generic code fails as it would on a GPU.
    """
    global _standin
    from .standin import xp

    previous, _standin = _standin, xp
    try:
        yield xp
    finally:
        _standin = previous


def _cupy() -> ModuleType:
    if _standin is not None:
        return _standin
    if os.environ.get("DLCORE_GPU_STANDIN") == "1":  # a whole process on the stand-in (CI)
        from .standin import xp

        return xp
    module, reason = _probe_cupy()
    if module is None:
        raise RuntimeError(f"the GPU backend was requested but {reason}")
    return module


def is_gpu_array(x: Any) -> bool:
    """True for a CuPy array (checked without importing CuPy), or the stand-in's."""
    module = type(x).__module__
    return module.startswith("cupy") or module == "dlcore.standin"


def get_array_module(*arrays: Any) -> ModuleType:
    """Return ``numpy`` or ``cupy``, whichever holds ``arrays``.

    ``None`` and Python scalars are ignored. Mixing a NumPy array with a CuPy
    array is an error that says which argument lives where.
    """
    if all(type(a) is np.ndarray or not is_gpu_array(a) for a in arrays):
        return np  # the common case, first: every argument on the host
    on_gpu = [is_gpu_array(a) for a in arrays]
    kinds = [
        "gpu" if gpu else "cpu"
        for a, gpu in zip(arrays, on_gpu)
        if gpu or isinstance(a, np.ndarray)
    ]
    if "cpu" in kinds:
        where = ", ".join(
            f"argument {i}: {'GPU (cupy)' if gpu else 'CPU (numpy)'}"
            for i, (a, gpu) in enumerate(zip(arrays, on_gpu))
            if gpu or isinstance(a, np.ndarray)
        )
        raise TypeError(
            f"arrays on different devices cannot be mixed ({where}); "
            "move them with dlcore.backend.to_device(x, 'cpu' or 'gpu') or model.to(...)"
        )
    return _cupy()


#: The device :func:`default_device` returns while :func:`default_device_is` is active.
_pinned: str | None = None


@contextlib.contextmanager
def default_device_is(device: str) -> Iterator[None]:
    """Make ``device`` the default while the block runs, whatever ``DLCORE_DEVICE`` says.

    The grader's checks compare a student's NumPy results with dlcore's reference,
    so they build their layers on the CPU even when the course runs on the GPU.
    """
    global _pinned
    previous, _pinned = _pinned, check_device(device)
    try:
        yield
    finally:
        _pinned = previous


def default_device() -> str:
    """The device named by the environment variable ``DLCORE_DEVICE`` (default ``"cpu"``)."""
    if _pinned is not None:
        return _pinned
    device = os.environ.get("DLCORE_DEVICE", "cpu").strip().lower() or "cpu"
    if device not in DEVICES:
        raise ValueError(f"DLCORE_DEVICE must be one of {DEVICES}; received {device!r}")
    return device


def check_device(device: str) -> str:
    """Validate a device name and return it in lower case."""
    if not isinstance(device, str) or device.lower() not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}; received {device!r}")
    return device.lower()


def to_device(x: Any, device: str | None = None) -> Any:
    """Return ``x`` as an array on ``device`` ("cpu" or "gpu"; default: :func:`default_device`).

    The array is copied only when it has to move.
    """
    device = check_device(device or default_device())
    if device == "gpu":
        return _cupy().asarray(x)
    return to_numpy(x)


def to_numpy(x: Any) -> np.ndarray:
    """Return ``x`` as a NumPy array: the one way out of the GPU, for plots and metrics."""
    if is_gpu_array(x):
        return x.get()
    return np.asarray(x)


def on_device(x: Any, device: str | None, where: str = "") -> Any:
    """``x`` on ``device`` ("cpu", "gpu", or None for wherever ``x`` already is).

    This is the course's one rule for data entering a computation: host (NumPy)
    data given to a layer, loss or model on the GPU moves there, so a notebook
    runs unchanged with ``DLCORE_DEVICE=gpu``. Data never leaves the GPU
    implicitly: GPU data given to something on the CPU is an error naming both
    devices, and :func:`to_numpy` is the explicit way out.
    """
    if device == "gpu" and not is_gpu_array(x):
        return _cupy().asarray(x)
    if device == "cpu" and is_gpu_array(x):
        raise TypeError(
            f"{where + ': ' if where else ''}received a GPU (cupy) array, but this "
            "computation is on the CPU (numpy); move the data with dlcore.backend.to_numpy(x), "
            "or the model with model.to('gpu')"
        )
    return x


def device_of(x: Any) -> str:
    """``"gpu"`` for a CuPy array, ``"cpu"`` for anything else."""
    return "gpu" if is_gpu_array(x) else "cpu"

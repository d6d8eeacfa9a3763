"""benchmarks/gpu_training.py: CI has no GPU, so its steps run on the stand-in, tiny."""

import pytest

from benchmarks import gpu_training
from dlcore import backend

TINY = (8, 16, 16, 3)


@pytest.mark.parametrize("device", ["gpu", "cpu"])
def test_the_dlcore_steps_run_on_either_device(device):
    with backend.use_standin():
        gpu_training.dlcore_steps(device, TINY, batch=4, steps=2)()


def test_without_a_gpu_the_section_says_why_and_claims_nothing(monkeypatch):
    monkeypatch.setattr(backend, "gpu_available", lambda: False)
    monkeypatch.setattr(backend, "gpu_status", lambda: "CuPy is not importable (no cupy)")
    section = gpu_training.run()
    assert "Skipped: CuPy is not importable (no cupy)" in section
    assert "Nothing here ran on a GPU" in section and "samples/s" not in section

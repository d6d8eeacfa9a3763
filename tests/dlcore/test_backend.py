"""backend: device detection, dispatch, transfers."""

from math import e as E

import numpy as np
import pytest

from dlcore import backend


def test_numpy_arrays_dispatch_to_numpy():
    assert backend.get_array_module(np.ones(2), None, 3.0) is np
    assert backend.get_array_module() is np


def test_to_numpy_and_to_device_cpu_round_trip(xp, device):
    x = xp.asarray([1.0, 2.0])
    host = backend.to_numpy(x)
    assert isinstance(host, np.ndarray) and host.tolist() == [1.0, 2.0]
    moved = backend.to_device(host, device)
    assert backend.device_of(moved) == device
    assert backend.get_array_module(moved) is xp


def test_gpu_status_is_a_sentence_that_agrees_with_gpu_available():
    status = backend.gpu_status()
    assert isinstance(status, str) and status
    assert backend.gpu_available() == (status == "a CUDA device is usable")


@pytest.mark.skipif(backend.gpu_available(), reason="checks the error raised without a GPU")
def test_requesting_the_gpu_without_one_says_why():
    with pytest.raises(RuntimeError, match="the GPU backend was requested but"):
        backend.to_device(np.ones(2), "gpu")


def test_default_device_reads_dlcore_device(monkeypatch):
    monkeypatch.delenv("DLCORE_DEVICE", raising=False)
    assert backend.default_device() == "cpu"
    monkeypatch.setenv("DLCORE_DEVICE", "GPU")
    assert backend.default_device() == "gpu"
    monkeypatch.setenv("DLCORE_DEVICE", "tpu")
    with pytest.raises(ValueError, match=r"DLCORE_DEVICE must be one of \('cpu', 'gpu'\); received 'tpu'"):
        backend.default_device()


def test_unknown_device_name_is_an_error():
    with pytest.raises(ValueError, match="device must be one of"):
        backend.to_device(np.ones(2), "cuda")


class FakeGpuArray:
    """Looks like a CuPy array to the dispatcher (its class lives in a 'cupy' module)."""


FakeGpuArray.__module__ = "cupy._core.core"


def test_mixing_devices_is_an_error_naming_which_argument_is_where():
    with pytest.raises(TypeError, match=r"argument 0: CPU \(numpy\), argument 1: GPU \(cupy\)"):
        backend.get_array_module(np.ones(2), FakeGpuArray())


# ------------------------------------------------------------------ the stand-in
def test_the_standin_refuses_what_cupy_refuses():
    with backend.use_standin() as sx:
        x = sx.asarray([1.0, 2.0])
        assert backend.get_array_module(x) is sx and backend.device_of(x) == "gpu"
        with pytest.raises(TypeError, match="Implicit conversion"):
            np.asarray(x)
        with pytest.raises(TypeError, match="mixed with stand-in GPU arrays"):
            x + np.ones(2)
        with pytest.raises(TypeError, match="arrays on different devices"):
            backend.get_array_module(x, np.ones(2))
        assert backend.to_numpy(np.exp(x) * 2).tolist() == pytest.approx([2 * E, 2 * E**2])
        assert isinstance(backend.to_device(np.ones(2), "gpu"), sx.ndarray)
    assert backend.get_array_module(np.ones(2)) is np  # the stand-in is gone after the block


def test_a_forgotten_np_call_in_generic_code_fails_on_the_standin():
    def forgot(x):
        return np.zeros(x.shape) + x  # should have been xp.zeros

    def remembered(x):
        xp = backend.get_array_module(x)
        return xp.zeros(x.shape) + x

    with backend.use_standin() as sx:
        x = sx.asarray([1.0, 2.0])
        assert backend.to_numpy(remembered(x)).tolist() == [1.0, 2.0]
        with pytest.raises(TypeError):
            forgot(x)
    assert forgot(np.ones(2)).tolist() == [1.0, 1.0]  # on NumPy it passes unnoticed


def test_the_default_device_can_be_pinned_for_a_block(monkeypatch):
    monkeypatch.setenv("DLCORE_DEVICE", "gpu")
    with backend.default_device_is("cpu"):
        assert backend.default_device() == "cpu"
    assert backend.default_device() == "gpu"

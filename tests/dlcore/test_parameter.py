"""Parameter: data with a gradient of the same shape."""

import numpy as np
import pytest

from dlcore.parameter import Parameter


def test_parameter_starts_with_a_zero_gradient_of_its_shape_and_dtype():
    p = Parameter(np.ones((2, 3), dtype=np.float32), "W")
    assert p.grad.shape == (2, 3) and p.grad.dtype == np.float32 and not p.grad.any()
    assert (p.shape, p.size, p.device) == ((2, 3), 6, "cpu")


def test_zero_grad_makes_the_gradient_read_zero():
    p = Parameter(np.ones(3))
    p.grad += 5
    p.zero_grad()
    assert p.grad.shape == (3,) and not p.grad.any()
    p.grad += 2  # in-place arithmetic on a cleared gradient starts from zero
    assert np.array_equal(p.grad, [2.0, 2.0, 2.0])


def test_accumulate_adds_every_contribution():
    p = Parameter(np.zeros((2, 2)))
    p.accumulate(np.ones((2, 2)))
    p.accumulate(np.full((2, 2), 2.0))
    assert np.array_equal(p.grad, np.full((2, 2), 3.0))


def test_after_zero_grad_a_new_contribution_becomes_the_gradient_without_a_copy():
    p = Parameter(np.zeros((2, 3), dtype=np.float32))
    old = p.grad
    p.zero_grad()
    g = np.ones((2, 3), dtype=np.float32) @ np.eye(3, dtype=np.float32)  # a fresh array
    p.accumulate(g)
    assert p.grad is g and old is not g


def test_accumulate_copies_a_view_or_another_dtype_instead_of_keeping_it():
    p = Parameter(np.zeros(3, dtype=np.float32))
    source = np.arange(6.0)
    p.accumulate(source[:3])  # a view of an array that someone else owns
    source[:3] = 100.0
    assert np.array_equal(p.grad, [0.0, 1.0, 2.0]) and p.grad.dtype == np.float32
    p.zero_grad()
    g = np.ones(3)  # float64
    p.accumulate(g)
    assert p.grad is not g and p.grad.dtype == np.float32


def test_accumulate_after_zero_grad_takes_a_scalar_as_the_plus_equals_would():
    p = Parameter(np.zeros(2))
    p.accumulate(1.5)
    assert np.array_equal(p.grad, [1.5, 1.5])


def test_accumulate_of_the_wrong_shape_is_an_error_even_after_zero_grad():
    p = Parameter(np.zeros(3))
    with pytest.raises(ValueError):
        p.accumulate(np.ones((2, 3)))


def test_repr_names_the_parameter():
    assert repr(Parameter(np.ones(2), "b", trainable=False)) == (
        "Parameter('b', shape=(2,), dtype=float64, trainable=False)"
    )


def test_accumulate_never_keeps_a_host_array_as_the_gradient_of_a_gpu_parameter():
    from dlcore import backend

    with backend.use_standin() as xp:
        p = Parameter(xp.zeros(3))
        with pytest.raises(TypeError):
            p.accumulate(np.ones(3))  # as ``grad += g`` would: the devices differ
        p.zero_grad()
        g = xp.ones(3) * 2  # a fresh device array is kept
        p.accumulate(g)
        assert p.grad is g

"""Parameter: data with a gradient of the same shape."""

import numpy as np

from dlcore.parameter import Parameter


def test_parameter_starts_with_a_zero_gradient_of_its_shape_and_dtype():
    p = Parameter(np.ones((2, 3), dtype=np.float32), "W")
    assert p.grad.shape == (2, 3) and p.grad.dtype == np.float32 and not p.grad.any()
    assert (p.shape, p.size, p.device) == ((2, 3), 6, "cpu")


def test_zero_grad_works_in_place():
    p = Parameter(np.ones(3))
    grad = p.grad
    grad += 5
    p.zero_grad()
    assert p.grad is grad and not grad.any()


def test_repr_names_the_parameter():
    assert repr(Parameter(np.ones(2), "b", trainable=False)) == (
        "Parameter('b', shape=(2,), dtype=float64, trainable=False)"
    )

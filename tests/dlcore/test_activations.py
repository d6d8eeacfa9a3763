"""Activations: values at known points, derivatives, gradient checks, registry."""

import math

import numpy as np
import pytest

from dlcore import activations, backend, functional
from dlcore.gradcheck import check_function, check_layer

ALL_NAMES = [
    "identity", "sigmoid", "tanh", "relu", "leaky_relu", "prelu",
    "elu", "selu", "softplus", "swish", "softmax",
]  # fmt: skip

# f(z) at z = -2, 0, 3, worked out independently of the code.
E = math.e
KNOWN_VALUES = {
    "identity": [-2.0, 0.0, 3.0],
    "sigmoid": [1 / (1 + E**2), 0.5, 1 / (1 + E**-3)],
    "tanh": [math.tanh(-2), 0.0, math.tanh(3)],
    "relu": [0.0, 0.0, 3.0],
    "leaky_relu": [-0.02, 0.0, 3.0],
    "elu": [E**-2 - 1, 0.0, 3.0],
    "selu": [1.0507009873554805 * 1.6732632423543772 * (E**-2 - 1), 0.0, 3 * 1.0507009873554805],
    "softplus": [math.log(1 + E**-2), math.log(2), math.log(1 + E**3)],
    "swish": [-2 / (1 + E**2), 0.0, 3 / (1 + E**-3)],
}

# f'(z) at the same points (f'(0) uses the convention of each function).
KNOWN_DERIVATIVES = {
    "sigmoid": [E**-2 / (1 + E**-2) ** 2, 0.25, E**-3 / (1 + E**-3) ** 2],
    "tanh": [1 - math.tanh(-2) ** 2, 1.0, 1 - math.tanh(3) ** 2],
    "relu": [0.0, 0.0, 1.0],
    "leaky_relu": [0.01, 0.01, 1.0],
    "elu": [E**-2, 1.0, 1.0],
    "softplus": [1 / (1 + E**2), 0.5, 1 / (1 + E**-3)],
}


@pytest.mark.parametrize("name", sorted(KNOWN_VALUES))
def test_activation_values_match_known_numbers(name, xp):
    z = xp.asarray([[-2.0, 0.0, 3.0]])
    out = backend.to_numpy(activations.get(name).forward(z))
    np.testing.assert_allclose(out[0], KNOWN_VALUES[name], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(KNOWN_DERIVATIVES))
def test_activation_derivative_matches_known_numbers(name, xp):
    z = xp.asarray([[-2.0, 0.0, 3.0]])
    derivative = backend.to_numpy(activations.get(name).derivative(z))
    np.testing.assert_allclose(derivative[0], KNOWN_DERIVATIVES[name], rtol=1e-12, atol=1e-15)


def test_softmax_of_course_example():
    # The notes' example: softmax([5, 2, -1, 3]) ~= [0.842, 0.042, 0.002, 0.114].
    out = activations.Softmax().forward(np.array([[5.0, 2.0, -1.0, 3.0]]))
    np.testing.assert_allclose(out[0], [0.842, 0.042, 0.002, 0.114], atol=5e-4)
    assert out.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", ALL_NAMES)
@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (7, 3)])
def test_activation_backward_matches_numerical_gradient(name, shape, xp, device, rng):
    layer = activations.get(name).to(device)
    z = rng.normal(scale=2.0, size=shape)
    z[np.abs(z) < 1e-3] = 0.5  # keep away from the kink of ReLU-like functions
    report = check_layer(layer, xp.asarray(z), rng=rng)
    assert report, str(report)


def test_leaky_relu_alpha_and_elu_alpha_are_used(xp):
    z = xp.asarray([[-1.0, 2.0]])
    assert float(activations.LeakyReLU(alpha=0.2).forward(z)[0, 0]) == pytest.approx(-0.2)
    assert float(activations.ELU(alpha=2.0).forward(z)[0, 0]) == pytest.approx(2 * (E**-1 - 1))
    swish = activations.Swish(beta=2.0).forward(z)
    assert float(swish[0, 1]) == pytest.approx(2 / (1 + E**-4))


@pytest.mark.parametrize("num_parameters", [1, 3])
def test_prelu_learns_its_slope_through_the_gradient(num_parameters, xp, device, rng):
    layer = activations.PReLU(num_parameters).to(device)
    z = xp.asarray(rng.normal(size=(5, 3)))
    report = check_layer(layer, z, rng=rng)
    assert report, str(report)
    assert [name for name, _ in layer.named_parameters()] == ["alpha"]
    assert layer.alpha.shape == (num_parameters,)


def test_selu_keeps_unit_variance_through_many_layers(rng):
    # Self-normalisation: with LeCun-normal weights, activations stay near mean 0, std 1.
    x = rng.standard_normal((2000, 100))
    for _ in range(20):
        W = rng.standard_normal((100, 100)) / math.sqrt(100)
        x, _ = functional.selu_forward(x @ W)
    assert abs(x.mean()) < 0.1
    assert 0.85 < x.std() < 1.15


def test_extreme_inputs_stay_finite(xp, device):
    z = xp.asarray([[-1000.0, 1000.0]])
    for name in ALL_NAMES:
        layer = activations.get(name).to(device)
        out = layer.forward(z)
        grad = layer.backward(xp.ones_like(z))
        assert bool(xp.isfinite(out).all()) and bool(xp.isfinite(grad).all()), name
    assert float(activations.Sigmoid().forward(z)[0, 0]) == 0.0


def test_dtype_is_preserved(xp, device):
    z = xp.asarray([[-1.0, 0.5]], dtype=xp.float32)
    for name in ALL_NAMES:
        layer = activations.get(name, dtype=np.float32) if name == "prelu" else activations.get(name)
        layer.to(device)
        assert layer.forward(z).dtype == xp.float32, name
        assert layer.backward(xp.ones_like(z)).dtype == xp.float32, name


def test_registry_accepts_aliases_and_instances():
    assert isinstance(activations.get("ReLU"), activations.ReLU)
    assert isinstance(activations.get("leaky-relu", alpha=0.3), activations.LeakyReLU)
    assert isinstance(activations.get("linear"), activations.Identity)
    layer = activations.Tanh()
    assert activations.get(layer) is layer


def test_unknown_activation_name_lists_valid_names_and_suggests():
    with pytest.raises(ValueError, match=r"unknown activation 'rleu'.*relu.*Did you mean 'relu'"):
        activations.get("rleu")


def test_backward_before_forward_is_a_clear_error():
    with pytest.raises(RuntimeError, match="call forward before backward"):
        activations.ReLU().backward(np.ones((1, 2)))


def test_invalid_hyperparameters_are_rejected():
    with pytest.raises(ValueError, match="ELU alpha must be a number > 0; received -1"):
        activations.ELU(alpha=-1)
    with pytest.raises(ValueError, match="PReLU: num_parameters"):
        activations.PReLU(0)


def test_softmax_derivative_is_refused_because_it_is_not_elementwise():
    with pytest.raises(TypeError, match="not element-wise"):
        activations.Softmax().derivative(np.zeros((1, 3)))


def test_check_function_on_the_functional_pairs(rng):
    z = rng.normal(size=(4, 3))

    def f(x):
        return functional.tanh_forward(x)[0]

    def df(dout, x):
        return functional.tanh_backward(dout, functional.tanh_forward(x)[1])

    assert check_function(f, df, z)

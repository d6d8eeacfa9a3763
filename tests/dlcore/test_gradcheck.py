"""gradcheck: the numerical gradient itself, the relative error, and that checks catch bugs."""

import numpy as np
import pytest

from dlcore import functional as F
from dlcore.activations import Tanh
from dlcore.gradcheck import (
    GradCheckReport,
    check_function,
    check_layer,
    check_model,
    directional_derivative,
    numerical_gradient,
    rel_error,
)
from dlcore.layers import Dense, Layer
from dlcore.models import Sequential


def test_numerical_gradient_of_known_functions(xp):
    x = xp.asarray([1.0, -2.0, 0.5])
    # f = sum x^3 -> 3 x^2
    grad = numerical_gradient(lambda v: float((v**3).sum()), x)
    np.testing.assert_allclose(grad.tolist(), [3.0, 12.0, 0.75], rtol=1e-8)
    np.testing.assert_array_equal(x.tolist(), [1.0, -2.0, 0.5])  # restored


def test_numerical_gradient_of_a_matrix_function(rng):
    A = rng.normal(size=(3, 3))
    x = rng.normal(size=(3, 2))
    # f = sum(A x) -> A^T 1
    grad = numerical_gradient(lambda v: float((A @ v).sum()), x)
    np.testing.assert_allclose(grad, np.tile(A.sum(axis=0)[:, None], (1, 2)), rtol=1e-8)


def test_numerical_gradient_of_a_non_contiguous_array():
    x = np.arange(6.0).reshape(2, 3).T  # a transposed view: strided, not C-contiguous
    grad = numerical_gradient(lambda v: float((v**2).sum()), x)
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-8)


def test_directional_derivative_is_the_dot_product_with_the_gradient(rng):
    x, v = rng.normal(size=5), rng.normal(size=5)
    d = directional_derivative(lambda z: float((z**2).sum()), x, v)
    assert d == pytest.approx(float(2 * x @ v), rel=1e-8)


def test_rel_error_definition():
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    # ||a - b|| / (||a|| + ||b||) with a = (3, 4), b = (3, 0): 4 / (5 + 3)
    assert rel_error(np.array([3.0, 4.0]), np.array([3.0, 0.0])) == pytest.approx(0.5)
    assert type(rel_error(np.ones(2), np.ones(2))) is float
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.ones(2), np.ones(3))


def test_float32_is_refused_with_an_explanation():
    with pytest.raises(TypeError, match="need float64 arrays, but x is float32"):
        numerical_gradient(lambda v: float(v.sum()), np.ones(3, dtype=np.float32))
    with pytest.raises(TypeError, match="input 'x0' is float32"):
        check_function(lambda v: v, lambda d, v: d, np.ones(3, dtype=np.float32))


def test_check_function_passes_a_correct_backward_and_reports_each_input(rng):
    x, W, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)
    report = check_function(
        lambda x, W, b: F.dense_forward(x, W, b)[0],
        lambda d, x, W, b: F.dense_backward(d, (x, W)),
        x, W, b, names=["x", "W", "b"],
    )  # fmt: skip
    assert report and isinstance(report, GradCheckReport)
    assert [e.name for e in report.entries] == ["x", "W", "b"]
    assert report.max_rel_error < 1e-8


def test_check_function_catches_a_backward_wrong_in_a_single_entry(rng):
    x = rng.normal(size=(4, 5))

    def wrong_backward(dout, x):
        dx = dout * (1 - np.tanh(x) ** 2)
        dx[2, 3] *= 1.5
        return dx

    report = check_function(lambda x: np.tanh(x), wrong_backward, x)
    assert not report
    assert report.entries[0].worst_index == (2, 3)
    assert "FAIL" in str(report)


def _transposed(d, x, W):
    return d @ W.T, (x.T @ d).T  # W is square, so the wrong dW still has the right shape


def _sign(d, x, W):
    return -(d @ W.T), -(x.T @ d)


def _factor_two(d, x, W):
    return d @ W.T, 2 * (x.T @ d)


@pytest.mark.parametrize("backward", [_transposed, _sign, _factor_two])
def test_check_function_catches_classic_mistakes(backward, rng):
    x, W = rng.normal(size=(3, 4)), rng.normal(size=(4, 4))
    report = check_function(lambda x, W: x @ W, backward, x, W, rng=rng)
    assert not report, backward.__name__


def test_check_layer_catches_a_layer_whose_bias_gradient_is_wrong_in_one_entry(rng):
    class BuggyDense(Dense):
        def backward(self, dout):
            dx = super().backward(dout)
            self.b.grad[1] += 0.1
            return dx

    report = check_layer(BuggyDense(3, 4, seed=0), rng.normal(size=(5, 3)), rng=rng)
    assert not report
    assert [e.name for e in report.failures] == ["b"]
    assert report.failures[0].worst_index == (1,)


def test_directional_check_catches_a_single_wrong_entry_in_a_large_tensor(rng):
    class BuggyDense(Dense):
        def backward(self, dout):
            dx = super().backward(dout)
            self.W.grad[7, 3] += 1.0
            return dx

    model = Sequential([BuggyDense(60, 50, seed=0), Tanh(), Dense(50, 2, seed=1)])
    report = check_model(model, rng.normal(size=(4, 60)), max_entries=1000, rng=rng)
    methods = {e.name: e.method for e in report.entries}
    assert methods["0.W"].startswith("directional") and methods["2.b"] == "full"
    assert [e.name for e in report.failures] == ["0.W"]


def test_a_constant_zero_gradient_is_consistent_but_a_missing_one_is_not(rng):
    # f = x @ W with W's gradient forgotten: W's check must fail, x's must pass.
    class NoWeightGradient(Dense):
        def backward(self, dout):
            return dout @ self.W.data.T

    report = check_layer(NoWeightGradient(3, 2, seed=0), rng.normal(size=(4, 3)), rng=rng)
    assert {e.name for e in report.failures} == {"W", "b"}


def test_exactly_zero_true_gradient_passes_despite_rounding_noise(rng):
    # The bias before batch norm has gradient exactly 0; the numerical one is ~1e-11.
    from dlcore.layers import BatchNorm

    model = Sequential([Dense(3, 4, seed=0), BatchNorm(4), Tanh(), Dense(4, 1, seed=1)])
    report = check_model(model, rng.normal(size=(6, 3)), rng=rng)
    assert report, str(report)
    assert "ok (both ~0)" in str(report)


def test_check_model_with_loss_uses_the_loss_gradient(rng):
    model = Sequential([Dense(3, 4, seed=0), Tanh(), Dense(4, 3, seed=1)])
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    report = check_model(model, X, y, loss="softmax_cross_entropy", rng=rng)
    assert report, str(report)
    with pytest.raises(ValueError, match="no loss"):
        check_model(model, X, y)
    with pytest.raises(ValueError, match="needs targets"):
        check_model(model, X, loss="mse")


def test_report_prints_a_table_with_one_row_per_tensor(rng):
    report = check_layer(Dense(2, 3, seed=0), rng.normal(size=(2, 2)), rng=rng)
    text = str(report)
    assert text.startswith("gradient check, tolerance 1e-06: PASSED")
    lines = text.splitlines()
    assert lines[1].split()[:3] == ["tensor", "shape", "method"]
    assert [line.split()[0] for line in lines[2:]] == ["input", "W", "b"]


def test_check_layer_leaves_parameters_unchanged(rng):
    layer = Dense(3, 3, seed=0)
    before = layer.W.data.copy()
    check_layer(layer, rng.normal(size=(2, 3)), rng=rng, method="directional")
    np.testing.assert_array_equal(layer.W.data, before)


def test_bad_method_name():
    with pytest.raises(ValueError, match="method must be 'auto', 'full' or 'directional'"):
        check_layer(Layer(), np.ones((1, 1)), method="fast")

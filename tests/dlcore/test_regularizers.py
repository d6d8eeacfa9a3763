"""L1, L2 and L1L2: penalties, gradients, how they enter fit and the gradient check."""

import numpy as np
import pytest

from dlcore import Dense, ReLU, Sequential, optimizers, regularizers
from dlcore.gradcheck import check_model, numerical_gradient
from dlcore.regularizers import L1, L1L2, L2


@pytest.mark.parametrize("reg", [L1(0.3), L2(0.3), L1L2(0.2, 0.5)], ids=repr)
def test_gradient_is_the_derivative_of_the_penalty(reg, rng):
    w = rng.standard_normal((4, 3))
    numeric = numerical_gradient(reg.penalty, w)
    np.testing.assert_allclose(reg.gradient(w), numeric, rtol=1e-6, atol=1e-9)


def test_values_follow_the_documented_conventions():
    w = np.array([[1.0, -2.0], [0.0, 3.0]])
    assert L1(0.1).penalty(w) == pytest.approx(0.1 * 6)
    assert L2(0.1).penalty(w) == pytest.approx(0.05 * 14)  # l2 / 2 * sum(w^2)
    assert L1L2(0.1, 0.1).penalty(w) == pytest.approx(0.6 + 0.7)
    np.testing.assert_array_equal(L1(1.0).gradient(w), [[1, -1], [0, 1]])
    np.testing.assert_array_equal(L2(2.0).gradient(w), 2 * w)


def mlp(reg=None, bias_reg=None, seed=0):
    return Sequential([
        Dense(3, 5, seed=seed, regularizer=reg, bias_regularizer=bias_reg), ReLU(),
        Dense(5, 2, seed=seed + 1, regularizer=reg),
    ])  # fmt: skip


def test_gradient_check_covers_l1_and_l2(rng):
    model = mlp(L1L2(0.05, 0.2), bias_reg=L2(0.3))
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    report = check_model(model, X, y, loss="softmax_cross_entropy", method="full")
    assert report.passed, report
    # A model whose backward forgets the penalty's gradient fails the same check.
    model.backward = lambda dout: _no_penalty(model, dout)
    assert not check_model(model, X, y, loss="softmax_cross_entropy", method="full").passed


def _no_penalty(model, dout):
    for layer in reversed(model.layers):
        dout = layer.backward(dout)
    return dout


def test_penalty_enters_the_loss_that_fit_and_evaluate_report(rng):
    X, y = rng.standard_normal((20, 3)), rng.integers(0, 2, 20)
    plain, penalised = mlp(), mlp(L2(0.5))
    for model in (plain, penalised):
        model.compile("sgd", "softmax_cross_entropy")
    expected_penalty = 0.25 * sum(float((p.data**2).sum()) for n, p in penalised.named_parameters() if n.endswith("W"))
    assert penalised.penalty() == pytest.approx(expected_penalty)
    assert plain.penalty() == 0.0
    assert penalised.evaluate(X, y)["loss"] == pytest.approx(plain.evaluate(X, y)["loss"] + expected_penalty)
    logs = penalised.train_step(X, y)
    assert logs["loss"] == pytest.approx(plain.train_step(X, y)["loss"] + expected_penalty)


def test_l2_shrinks_the_weights_and_l1_zeroes_the_useless_ones(rng):
    # A linear model where only the first two of ten features matter.
    X = rng.standard_normal((100, 10))
    y = 3 * X[:, :1] - 2 * X[:, 1:2] + 0.5 * rng.standard_normal((100, 1))
    weights = {}
    for name, reg in [("none", None), ("l2", L2(0.5)), ("l1", L1(0.3))]:
        model = Sequential([Dense(10, 1, seed=0, regularizer=reg)])
        model.compile(optimizers.SGD(lr=0.01), "mse")
        model.fit(X, y, epochs=100, batch_size=10, seed=0, verbose=0)
        weights[name] = model.layers[0].W.data.ravel()
    norm = {name: float(np.linalg.norm(w)) for name, w in weights.items()}
    useless = {name: float(np.abs(w[2:]).max()) for name, w in weights.items()}
    assert norm["l2"] < 0.85 * norm["none"]  # measured: 2.76 vs 3.50
    assert useless["l1"] < 0.2 * useless["none"]  # measured: 0.009 vs 0.099
    assert abs(weights["l1"][0]) > 2.5  # the useful weight survives


def test_weights_only_by_default():
    model = mlp()
    attached = regularizers.attach(model, L2(0.1))
    assert attached == ["0.W", "2.W"]
    assert model.layers[0].b.regularizer is None
    assert regularizers.attach(model, "l1", names=("W", "b")) == ["0.W", "0.b", "2.W", "2.b"]
    assert isinstance(model.layers[2].b.regularizer, L1)
    with pytest.raises(ValueError, match=r"no parameter named \['gamma'\].*named \['W', 'b'\]"):
        regularizers.attach(model, L2(), names=("gamma",))


def test_save_and_load_keep_the_regularizers(tmp_path):
    model = mlp(L1L2(0.01, 0.02), bias_reg=L2(0.5))
    model.save(tmp_path / "m.npz")
    loaded = Sequential.load(tmp_path / "m.npz")
    assert loaded.layers[0].W.regularizer == L1L2(0.01, 0.02)
    assert loaded.layers[0].b.regularizer == L2(0.5)
    assert loaded.penalty() == pytest.approx(model.penalty())


def test_bad_regularizers_are_explained():
    with pytest.raises(ValueError, match="L2 strength l2 must be a number >= 0"):
        L2(-1)
    with pytest.raises(ValueError, match="unknown regularizer 'l3'"):
        Dense(2, 2, regularizer="l3")
    with pytest.raises(TypeError, match="expected a Regularizer.*received float"):
        Dense(2, 2, regularizer=0.01)
    with pytest.raises(ValueError, match="bias_regularizer was given but use_bias=False"):
        Dense(2, 2, use_bias=False, bias_regularizer=L2())
    with pytest.raises(TypeError, match=r"L2\(\) got unknown keyword argument\(s\) 'l1'"):
        regularizers.get({"class": "L2", "config": {"l1": 0.1}})

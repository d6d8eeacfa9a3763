"""Tests for dlcore.losses: hand-computed values, gradients, stability and error messages."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from dlcore import losses
from dlcore.backend import to_numpy
from dlcore.losses import (
    MAE,
    MSE,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    SoftmaxCrossEntropy,
    SparseCategoricalCrossEntropy,
)

# --------------------------------------------------------------------------- helpers


def _centred_difference(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6):
    """d f / d x by (f(x + h e_i) - f(x - h e_i)) / 2h, one element at a time (float64)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        keep = x[i]
        x[i] = keep + h
        up = f(x)
        x[i] = keep - h
        down = f(x)
        x[i] = keep
        grad[i] = (up - down) / (2 * h)
    return grad


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _signed(rng, shape, low, high):
    """Random values with magnitude in [low, high] and a random sign."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


# Each maker returns (loss, pred, target) as NumPy float64 inputs away from any kink.
def _regression(loss_class, low, high):
    def make(rng, shape):
        target = rng.normal(size=shape)
        return loss_class(), target + _signed(rng, shape, low, high), target

    return make


def _huber(rng, shape):
    # |r| stays clear of 0 and of delta = 1, where the second derivative jumps
    near = rng.random(shape) < 0.5
    r = np.where(near, _signed(rng, shape, 0.1, 0.8), _signed(rng, shape, 1.2, 3.0))
    target = rng.normal(size=shape)
    return Huber(delta=1.0), target + r, target


def _bce_probs(rng, shape):
    return BinaryCrossEntropy(), rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)


def _bce_logits(rng, shape):
    return (
        BinaryCrossEntropy(from_logits=True),
        3 * rng.normal(size=shape),
        rng.uniform(0, 1, shape),
    )


def _cce(rng, shape):
    return (
        CategoricalCrossEntropy(),
        _softmax(rng.normal(size=shape)),
        rng.dirichlet(np.ones(shape[1]), size=shape[0]),
    )


def _sparse(rng, shape):
    labels = rng.integers(0, shape[1], size=shape[0])
    return SparseCategoricalCrossEntropy(), _softmax(rng.normal(size=shape)), labels


def _softmax_labels(rng, shape):
    return SoftmaxCrossEntropy(), 3 * rng.normal(size=shape), rng.integers(0, shape[1], shape[0])


def _softmax_rows(rng, shape):
    return (
        SoftmaxCrossEntropy(),
        3 * rng.normal(size=shape),
        rng.dirichlet(np.ones(shape[1]), size=shape[0]),
    )


def _hinge(rng, shape):
    # the margin 1 - t s stays at least 0.1 away from the kink at 0
    t = rng.choice([-1.0, 1.0], size=shape)
    return Hinge(), t * (1 - _signed(rng, shape, 0.1, 1.5)), t


def _kld(rng, shape):
    p = rng.dirichlet(np.ones(shape[1]), size=shape[0])
    p[0, 0] = 0.0  # exercises 0 log 0 = 0
    p /= p.sum(axis=1, keepdims=True)
    return KLDivergence(), _softmax(rng.normal(size=shape)), p


ELEMENTWISE = [(1, 1), (6,), (4, 3)]
BINARY = [(1, 1), (6,), (5, 1)]
ROWS = [(1, 3), (5, 4)]
MAKERS = {
    "mse": (_regression(MSE, 0.0, 2.0), ELEMENTWISE),
    "mae": (_regression(MAE, 0.1, 2.0), ELEMENTWISE),
    "huber": (_huber, ELEMENTWISE),
    "log_cosh": (_regression(LogCosh, 0.0, 3.0), ELEMENTWISE),
    "bce": (_bce_probs, [*BINARY, (4, 3)]),
    "bce_logits": (_bce_logits, [*BINARY, (4, 3)]),
    "cce": (_cce, ROWS),
    "sparse": (_sparse, ROWS),
    "softmax_labels": (_softmax_labels, ROWS),
    "softmax_rows": (_softmax_rows, ROWS),
    "hinge": (_hinge, [(1,), (6,), (5, 1)]),
    "kld": (_kld, ROWS),
}
CASES = [
    pytest.param(name, shape, id=f"{name}-{shape}")
    for name, (_, shapes) in MAKERS.items()
    for shape in shapes
]


def _make(name, rng, shape, xp):
    loss, pred, target = MAKERS[name][0](rng, shape)
    return loss, xp.asarray(pred), xp.asarray(target)


# --------------------------------------------------------------------------- values


def test_mse_mae_of_hand_example(xp):
    pred, target = xp.asarray([1.0, 2.0]), xp.asarray([3.0, 5.0])
    # residuals -2, -3: MSE (4 + 9) / 2 = 6.5, MAE (2 + 3) / 2 = 2.5
    assert MSE()(pred, target) == pytest.approx(6.5)
    assert MAE()(pred, target) == pytest.approx(2.5)


def test_huber_is_quadratic_then_linear(xp):
    # r = 0.5: 0.5 * 0.25 = 0.125; r = 3: 1 * (3 - 0.5) = 2.5; mean (0.125 + 2.5) / 2 = 1.3125
    loss = Huber(delta=1.0)
    assert loss(xp.asarray([0.5, 3.0]), xp.asarray([0.0, 0.0])) == pytest.approx(1.3125)
    # gradient clip(r, -1, 1) / 2 = [0.25, 0.5]
    np.testing.assert_allclose(to_numpy(loss.backward()), [0.25, 0.5])


def test_log_cosh_of_one_and_of_a_thousand(xp):
    # cosh(1) = (e + 1/e) / 2 = 1.5430806..., log of it 0.4337808...
    assert LogCosh()(xp.asarray([1.0]), xp.asarray([0.0])) == pytest.approx(0.4337808304830272)
    # log cosh(1000) = 1000 - log 2 exactly in floating point; cosh itself would overflow
    assert LogCosh()(xp.asarray([1000.0]), xp.asarray([0.0])) == pytest.approx(1000 - math.log(2))


def test_bce_of_hand_example(xp):
    # p = 0.8, t = 1: -ln 0.8 = 0.2231435...; p = 0.8, t = 0: -ln 0.2 = 1.6094379...
    loss = BinaryCrossEntropy()
    assert loss(xp.asarray([0.8]), xp.asarray([1.0])) == pytest.approx(-math.log(0.8))
    both = loss(xp.asarray([[0.8], [0.8]]), xp.asarray([1.0, 0.0]))
    assert both == pytest.approx((0.2231435513142098 + 1.6094379124341003) / 2)
    # logit 0 is probability 0.5: ln 2 whatever the target
    assert BinaryCrossEntropy(from_logits=True)(xp.asarray([0.0]), xp.asarray([1.0])) == (
        pytest.approx(math.log(2))
    )


def test_softmax_cross_entropy_of_hand_example(xp):
    # exp([5, 2, -1, 3]) = [148.413, 7.389, 0.368, 20.086], sum 176.256,
    # softmax ~= [0.842, 0.042, 0.002, 0.114]; label 0: -ln(148.413 / 176.256) = -ln 0.84204
    expected = -math.log(math.exp(5) / (math.exp(5) + math.exp(2) + math.exp(-1) + math.exp(3)))
    assert expected == pytest.approx(-math.log(0.84204), abs=1e-4)
    loss = SoftmaxCrossEntropy()
    assert loss(xp.asarray([[5.0, 2.0, -1.0, 3.0]]), xp.asarray([0])) == pytest.approx(expected)
    np.testing.assert_allclose(
        to_numpy(loss.backward()), [[0.842 - 1, 0.042, 0.002, 0.114]], atol=1e-3
    )


def test_categorical_losses_of_hand_example(xp):
    # p = [0.7, 0.2, 0.1], true class 0: -ln 0.7 = 0.3566749...
    pred = xp.asarray([[0.7, 0.2, 0.1]])
    assert CategoricalCrossEntropy()(pred, xp.asarray([[1.0, 0.0, 0.0]])) == pytest.approx(
        0.35667494393873245
    )
    assert SparseCategoricalCrossEntropy()(pred, xp.asarray([0])) == pytest.approx(
        0.35667494393873245
    )


def test_hinge_of_hand_example(xp):
    # t = +1, scores [2, 0.5, -1]: max(0, 1 - s) = [0, 0.5, 2], mean 2.5 / 3
    assert Hinge()(xp.asarray([2.0, 0.5, -1.0]), xp.asarray([1, 1, 1])) == pytest.approx(2.5 / 3)
    # 0/1 targets, 0 read as -1: [1 - 0.5, 1 + 0.3] = [0.5, 1.3], mean 0.9
    assert Hinge()(xp.asarray([[0.5], [0.3]]), xp.asarray([1, 0])) == pytest.approx(0.9)


def test_kl_divergence_of_hand_example(xp):
    p = xp.asarray([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    assert KLDivergence()(p, p) == 0.0  # identical distributions, one-hot row included
    # KL([0.5, 0.5] || [0.25, 0.75]) = 0.5 ln 2 + 0.5 ln(2/3) = 0.1438410...
    value = KLDivergence()(xp.asarray([[0.25, 0.75]]), xp.asarray([[0.5, 0.5]]))
    assert value == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(2 / 3))


@pytest.mark.parametrize(("name", "shape"), CASES)
def test_forward_returns_a_python_float(xp, rng, name, shape):
    loss, pred, target = _make(name, rng, shape, xp)
    assert type(loss.forward(pred, target)) is float
    assert type(loss(pred, target)) is float


# --------------------------------------------------------------------------- gradients


@pytest.mark.parametrize(("name", "shape"), CASES)
def test_backward_matches_centred_differences(xp, rng, name, shape):
    loss, pred, target = _make(name, rng, shape, xp)
    loss.forward(pred, target)
    analytic = loss.backward()
    assert analytic.shape == pred.shape and analytic.dtype == np.float64
    numeric = _centred_difference(lambda p: loss.forward(xp.asarray(p), target), to_numpy(pred))
    np.testing.assert_allclose(to_numpy(analytic), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("name", "shape"), CASES)
def test_repeating_the_batch_leaves_the_loss_unchanged(xp, rng, name, shape):
    loss, pred, target = _make(name, rng, shape, xp)
    single = loss(pred, target)
    grad = to_numpy(loss.backward())
    doubled = loss(xp.concatenate([pred, pred]), xp.concatenate([target, target]))
    assert doubled == pytest.approx(single, rel=1e-12)
    # each copy of an example now carries half the gradient: the 1/N is applied here
    np.testing.assert_allclose(to_numpy(loss.backward())[: len(grad)], grad / 2, rtol=1e-12)


def test_float32_pred_gives_float32_gradient_and_integers_become_float64(xp):
    loss = MSE()
    loss(xp.asarray([[1.0], [2.0]], dtype=xp.float32), xp.asarray([0.0, 0.0]))
    assert loss.backward().dtype == xp.float32
    assert loss.backward().shape == (2, 1)
    loss(xp.asarray([1, 2]), xp.asarray([0, 0]))
    assert loss.backward().dtype == xp.float64


# --------------------------------------------------------------------------- consistency


def test_bce_from_logits_equals_bce_of_sigmoid(xp, rng):
    z, t = rng.normal(size=(7, 1)) * 3, rng.uniform(0, 1, size=7)
    from_logits, from_probs = BinaryCrossEntropy(from_logits=True), BinaryCrossEntropy()
    value = from_logits(xp.asarray(z), xp.asarray(t))
    assert value == pytest.approx(from_probs(xp.asarray(_sigmoid(z)), xp.asarray(t)), rel=1e-10)
    # chain rule through the sigmoid: dL/dz = dL/dp * p (1 - p)
    p = _sigmoid(z)
    np.testing.assert_allclose(
        to_numpy(from_logits.backward()), to_numpy(from_probs.backward()) * p * (1 - p), rtol=1e-8
    )


def test_softmax_cross_entropy_equals_sparse_of_softmax(xp, rng):
    z, y = rng.normal(size=(6, 4)) * 2, rng.integers(0, 4, size=6)
    fused = SoftmaxCrossEntropy()
    value = fused(xp.asarray(z), xp.asarray(y))
    sparse = SparseCategoricalCrossEntropy()(xp.asarray(_softmax(z)), xp.asarray(y))
    assert value == pytest.approx(sparse, rel=1e-12)
    expected_grad = (_softmax(z) - np.eye(4)[y]) / 6
    np.testing.assert_allclose(to_numpy(fused.backward()), expected_grad, rtol=1e-10)


def test_integer_and_one_hot_targets_agree(xp, rng):
    z, y = rng.normal(size=(5, 3)), rng.integers(0, 3, size=5)
    onehot = xp.asarray(np.eye(3)[y])
    for integer_loss, onehot_loss, pred in [
        (SoftmaxCrossEntropy(), SoftmaxCrossEntropy(), z),
        (SparseCategoricalCrossEntropy(), CategoricalCrossEntropy(), _softmax(z)),
    ]:
        a = integer_loss(xp.asarray(pred), xp.asarray(y))
        assert a == pytest.approx(onehot_loss(xp.asarray(pred), onehot), rel=1e-12)
        np.testing.assert_allclose(
            to_numpy(integer_loss.backward()), to_numpy(onehot_loss.backward()), rtol=1e-12
        )


def test_whole_valued_float_labels_are_accepted(xp):
    loss = SparseCategoricalCrossEntropy()
    pred = xp.asarray([[0.7, 0.3], [0.4, 0.6]])
    assert loss(pred, xp.asarray([0.0, 1.0])) == pytest.approx(loss(pred, xp.asarray([0, 1])))


# --------------------------------------------------------------------------- stability


@pytest.mark.parametrize(
    ("loss", "pred", "target"),
    [
        (BinaryCrossEntropy(from_logits=True), [[1000.0], [-1000.0], [1000.0]], [0.0, 1.0, 1.0]),
        (SoftmaxCrossEntropy(), [[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]], [1, 1]),
        (LogCosh(), [1000.0, -1000.0], [0.0, 0.0]),
    ],
    ids=["bce_logits", "softmax_ce", "log_cosh"],
)
def test_extreme_inputs_give_finite_loss_and_gradient(xp, loss, pred, target):
    value = loss(xp.asarray(pred), xp.asarray(target))
    assert math.isfinite(value) and value > 100  # the wrong answers cost about 1000 each
    assert bool(xp.isfinite(loss.backward()).all())


def test_saturated_probabilities_are_clipped_not_infinite(xp):
    loss = BinaryCrossEntropy()
    value = loss(xp.asarray([0.0, 1.0]), xp.asarray([1.0, 0.0]))
    assert value == pytest.approx(-math.log(1e-12), rel=1e-6)  # clipped at eps = 1e-12
    assert bool(xp.isfinite(loss.backward()).all())
    assert math.isfinite(
        CategoricalCrossEntropy()(xp.asarray([[0.0, 1.0]]), xp.asarray([[1.0, 0.0]]))
    )


# --------------------------------------------------------------------------- labels


def test_predicted_and_true_labels(xp):
    bce = BinaryCrossEntropy()
    np.testing.assert_array_equal(
        to_numpy(bce.predicted_labels(xp.asarray([[0.2], [0.5]]))), [0, 1]
    )
    np.testing.assert_array_equal(to_numpy(bce.true_labels(xp.asarray([1.0, 0.0]))), [1, 0])
    logits = BinaryCrossEntropy(from_logits=True)
    np.testing.assert_array_equal(
        to_numpy(logits.predicted_labels(xp.asarray([-0.1, 0.0]))), [0, 1]
    )
    scores = xp.asarray([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])
    for loss in (CategoricalCrossEntropy(), SparseCategoricalCrossEntropy(), SoftmaxCrossEntropy()):
        labels = loss.predicted_labels(scores)
        assert labels.dtype.kind == "i"
        np.testing.assert_array_equal(to_numpy(labels), [1, 0])
        np.testing.assert_array_equal(
            to_numpy(loss.true_labels(xp.asarray([[0, 0, 1], [1, 0, 0]]))), [2, 0]
        )
        np.testing.assert_array_equal(to_numpy(loss.true_labels(xp.asarray([2, 0]))), [2, 0])
    hinge = Hinge()
    np.testing.assert_array_equal(
        to_numpy(hinge.predicted_labels(xp.asarray([[-2.0], [0.0]]))), [0, 1]
    )
    np.testing.assert_array_equal(to_numpy(hinge.true_labels(xp.asarray([-1, 1, 0]))), [0, 1, 0])


@pytest.mark.parametrize("loss", [MSE(), MAE(), Huber(), LogCosh()], ids=repr)
def test_regression_losses_have_no_labels(loss):
    with pytest.raises(
        TypeError, match=f"{loss.name} is a regression loss: accuracy is not defined"
    ):
        loss.predicted_labels(np.zeros(3))
    with pytest.raises(TypeError, match="regression loss"):
        loss.true_labels(np.zeros(3))


# --------------------------------------------------------------------------- errors


def test_shape_mismatch_names_the_loss_and_both_shapes(xp):
    with pytest.raises(
        ValueError, match=r"MSE: pred has shape \(4, 1\) but target has shape \(4, 3\)"
    ):
        MSE()(xp.zeros((4, 1)), xp.zeros((4, 3)))
    with pytest.raises(
        ValueError, match=r"Huber: pred has shape \(4,\) but target has shape \(4, 1\)"
    ):
        Huber()(xp.zeros(4), xp.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"CategoricalCrossEntropy: .*\(3,\).*SparseCategorical"):
        CategoricalCrossEntropy()(xp.full((3, 2), 0.5), xp.asarray([0, 1, 1]))
    with pytest.raises(
        ValueError, match=r"SparseCategoricalCrossEntropy: .*target has shape \(3, 2\)"
    ):
        SparseCategoricalCrossEntropy()(xp.full((3, 2), 0.5), xp.asarray(np.eye(2)[[0, 1, 1]]))
    with pytest.raises(
        ValueError, match=r"SoftmaxCrossEntropy: pred must have shape \(N, K\); received \(3,\)"
    ):
        SoftmaxCrossEntropy()(xp.zeros(3), xp.asarray([0, 1, 1]))
    with pytest.raises(
        ValueError, match=r"Hinge: pred must have shape \(N,\) or \(N, 1\); received \(2, 2\)"
    ):
        Hinge()(xp.zeros((2, 2)), xp.ones((2, 2)))


def test_target_of_shape_n_is_accepted_with_a_column_pred(xp):
    loss = MSE()
    assert loss(xp.asarray([[1.0], [2.0]]), xp.asarray([3.0, 5.0])) == pytest.approx(6.5)
    assert loss.backward().shape == (2, 1)


def test_empty_batch_and_scalar_pred_are_errors(xp):
    with pytest.raises(ValueError, match=r"MSE: pred must be a non-empty batch.*shape \(0, 2\)"):
        MSE()(xp.zeros((0, 2)), xp.zeros((0, 2)))
    with pytest.raises(ValueError, match="SoftmaxCrossEntropy: pred must be a non-empty batch"):
        SoftmaxCrossEntropy()(xp.zeros((0, 3)), xp.zeros(0, dtype=xp.int64))
    with pytest.raises(
        ValueError, match=r"MAE: pred must be a non-empty batch.*received shape \(\)"
    ):
        MAE()(xp.asarray(1.0), xp.asarray(1.0))


@pytest.mark.parametrize("which", ["pred", "target"])
def test_nan_is_an_error_naming_pred_or_target(xp, which):
    arrays = {"pred": xp.asarray([0.5, 0.5]), "target": xp.asarray([1.0, 0.0])}
    arrays[which][1] = xp.nan
    with pytest.raises(ValueError, match=f"BinaryCrossEntropy: {which} contains NaN"):
        BinaryCrossEntropy()(arrays["pred"], arrays["target"])


def test_bad_values_name_the_loss_and_the_value(xp):
    probs = xp.full((2, 3), 1 / 3)
    with pytest.raises(
        ValueError, match=r"BinaryCrossEntropy: targets must lie in \[0, 1\]; received 2.0"
    ):
        BinaryCrossEntropy()(xp.asarray([0.5, 0.5]), xp.asarray([1.0, 2.0]))
    with pytest.raises(
        ValueError, match=r"BinaryCrossEntropy: pred .* received 3.5 \(pass from_logits"
    ):
        BinaryCrossEntropy()(xp.asarray([0.5, 3.5]), xp.asarray([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"SparseCategoricalCrossEntropy: label 3 .* K = 3"):
        SparseCategoricalCrossEntropy()(probs, xp.asarray([0, 3]))
    with pytest.raises(ValueError, match=r"SoftmaxCrossEntropy: label -1 .* K = 3"):
        SoftmaxCrossEntropy()(probs, xp.asarray([-1, 0]))
    with pytest.raises(
        ValueError, match=r"SparseCategoricalCrossEntropy: labels must be integers; received 1\.5"
    ):
        SparseCategoricalCrossEntropy()(probs, xp.asarray([0.0, 1.5]))
    with pytest.raises(ValueError, match=r"Hinge: targets must be -1/\+1 or 0/1; received 2"):
        Hinge()(xp.asarray([0.5, 0.5]), xp.asarray([1, 2]))
    with pytest.raises(
        ValueError, match=r"CategoricalCrossEntropy: each target row must sum to 1.*row 1 sums to 2"
    ):
        CategoricalCrossEntropy()(probs, xp.asarray([[1.0, 0, 0], [1.0, 1.0, 0]]))
    with pytest.raises(
        ValueError, match=r"KLDivergence: pred .* must lie in \[0, 1\]; received -0\.33"
    ):
        KLDivergence()(-probs, probs)


def test_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match=r"Hinge.backward\(\) called before forward\(\)"):
        Hinge().backward()


def test_constructor_arguments_are_checked():
    with pytest.raises(ValueError, match="Huber: delta must be a number > 0; received 0"):
        Huber(delta=0)
    with pytest.raises(TypeError, match="from_logits must be True or False; received 'yes'"):
        BinaryCrossEntropy(from_logits="yes")
    with pytest.raises(TypeError, match="delt"):
        Huber(delt=2)


# --------------------------------------------------------------------------- registry


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("mse", MSE),
        ("mean_squared_error", MSE),
        ("mae", MAE),
        ("mean_absolute_error", MAE),
        ("huber", Huber),
        ("log_cosh", LogCosh),
        ("logcosh", LogCosh),
        ("binary_crossentropy", BinaryCrossEntropy),
        ("bce", BinaryCrossEntropy),
        ("categorical_crossentropy", CategoricalCrossEntropy),
        ("sparse_categorical_crossentropy", SparseCategoricalCrossEntropy),
        ("softmax_cross_entropy", SoftmaxCrossEntropy),
        ("hinge", Hinge),
        ("kl_divergence", KLDivergence),
        ("kld", KLDivergence),
        ("Mean-Squared-Error", MSE),
    ],
)
def test_registry_names(name, cls):
    assert type(losses.get(name)) is cls


def test_registry_passes_arguments_and_instances_through():
    assert losses.get("huber", delta=2.5).delta == 2.5
    assert losses.get("bce", from_logits=True).from_logits is True
    loss = SoftmaxCrossEntropy()
    assert losses.get(loss) is loss
    assert repr(losses.get("huber", delta=2.5)) == "Huber(delta=2.5)"


def test_registry_errors_suggest_and_name_the_argument():
    with pytest.raises(ValueError, match=r"unknown loss 'hubr'.*Did you mean 'huber'\?"):
        losses.get("hubr")
    with pytest.raises(TypeError, match=r"Huber got unknown keyword argument\(s\) 'delt'.*'delta'"):
        losses.get("huber", delt=2)
    with pytest.raises(TypeError, match="MSE takes no keyword arguments"):
        losses.get("mse", delta=1.0)
    with pytest.raises(TypeError, match="loss name must be a string"):
        losses.get(3)

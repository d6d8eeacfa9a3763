"""dlcore.perceptron: the step, predictions, the learning rule, training and the perceptron loss."""

from __future__ import annotations

import numpy as np
import pytest

from dlcore import perceptron
from dlcore.backend import to_numpy
from dlcore.datasets import make_and, make_blobs, make_or, make_xor
from dlcore.gradcheck import numerical_gradient, rel_error


def test_step_is_one_only_for_positive_inputs_and_zero_at_zero():
    z = np.array([[-3.0, -1e-12, 0.0], [1e-12, 0.5, 7.0]])
    out = perceptron.step(z)
    assert out.dtype == np.float64 and out.shape == z.shape
    np.testing.assert_array_equal(out, [[0, 0, 0], [1, 1, 1]])
    assert float(perceptron.step(0.0)) == 0.0 and float(perceptron.step(2)) == 1.0


def test_step_runs_on_every_backend(xp):
    out = perceptron.step(xp.asarray([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(to_numpy(out), [0.0, 0.0, 1.0])


def test_predict_with_hand_chosen_weights_computes_and_and_or():
    X, y_and = make_and()
    _, y_or = make_or()
    np.testing.assert_array_equal(perceptron.predict(X, np.array([1.0, 1.0]), -1.5), y_and)
    np.testing.assert_array_equal(perceptron.predict(X, np.array([1.0, 1.0]), -0.5), y_or)


def test_predict_puts_points_on_the_line_in_class_zero():
    X, _ = make_and()
    np.testing.assert_array_equal(perceptron.predict(X, np.array([1.0, 1.0]), -1.0), [0, 0, 0, 1])


def test_predict_names_the_expected_shape_on_a_mismatch():
    with pytest.raises(ValueError, match=r"X must have shape \(N, D\) with D = len\(w\) = 3"):
        perceptron.predict(np.zeros((4, 2)), np.zeros(3), 0.0)
    with pytest.raises(ValueError, match=r"w must have shape \(D,\)"):
        perceptron.predict(np.zeros((4, 2)), np.zeros((2, 1)), 0.0)


def test_update_reproduces_the_notes_worked_example():
    # line 2 x1 + 3 x2 + 5 = 0; the point (4, 5) lies on its positive side but has target 0
    w, b = perceptron.perceptron_update(np.array([2.0, 3.0]), 5.0, np.array([4.0, 5.0]), 0, 1.0)
    np.testing.assert_allclose(w, [-2.0, -2.0])
    assert b == 4.0 and type(b) is float


def test_update_changes_nothing_after_a_right_prediction_and_leaves_w_alone(rng):
    w, x = rng.standard_normal(3), rng.standard_normal(3)
    b = 1.0 - float(x @ w)  # z = 1: predicted 1
    before = w.copy()
    w_new, b_new = perceptron.perceptron_update(w, b, x, 1, 0.3)
    np.testing.assert_array_equal(w_new, before)
    assert b_new == b
    w_new, b_new = perceptron.perceptron_update(w, b, x, 0, 0.3)  # a false 1: subtract 0.3 x
    np.testing.assert_allclose(w_new, before - 0.3 * x)
    assert b_new == pytest.approx(b - 0.3)
    np.testing.assert_array_equal(w, before)


def test_update_rejects_targets_other_than_zero_and_one():
    with pytest.raises(ValueError, match="must be 0 or 1; received -1"):
        perceptron.perceptron_update(np.zeros(2), 0.0, np.ones(2), -1, 0.1)


@pytest.mark.parametrize("make", [make_and, make_or])
def test_training_learns_and_and_or_and_then_stops_making_mistakes(make):
    X, y = make()
    w, b, mistakes = perceptron.train_perceptron(X, y, np.zeros(2), 0.0, 0.1, 12)
    assert len(mistakes) == 12 and all(type(m) is int for m in mistakes)
    assert mistakes[0] > 0 and mistakes[-1] == 0
    np.testing.assert_array_equal(perceptron.predict(X, w, b), y)


def test_training_never_gets_xor_right():
    X, y = make_xor()
    w, b, mistakes = perceptron.train_perceptron(X, y, np.zeros(2), 0.0, 0.1, 50)
    assert min(mistakes) > 0
    assert (perceptron.predict(X, w, b) != y).sum() >= 1


def test_training_converges_on_separable_blobs_and_keeps_the_initial_weights(rng):
    X, y = make_blobs(60, centers=np.array([[-2.0, -2.0], [2.0, 2.0]]), cluster_std=0.6, rng=rng)
    w0 = np.array([0.3, -0.2])
    w, b, mistakes = perceptron.train_perceptron(X, y, w0, 0.1, 0.5, 30)
    assert mistakes[-1] == 0
    np.testing.assert_array_equal(perceptron.predict(X, w, b), y)
    np.testing.assert_array_equal(w0, [0.3, -0.2])


def test_training_for_k_epochs_is_k_single_epochs_in_a_row(rng):
    X = rng.standard_normal((9, 3))
    y = (X[:, 0] - X[:, 2] > 0.2).astype(int)
    w, b = rng.standard_normal(3), 0.1
    w_all, b_all, counts = perceptron.train_perceptron(X, y, w, b, 0.2, 4)
    singles = []
    for _ in range(4):
        w, b, (count,) = perceptron.train_perceptron(X, y, w, b, 0.2, 1)
        singles.append(count)
    np.testing.assert_allclose(w, w_all)
    assert b == pytest.approx(b_all) and singles == counts


def test_zero_epochs_return_the_start():
    X, y = make_and()
    w, b, mistakes = perceptron.train_perceptron(X, y, np.array([0.5, -1.0]), 0.2, 0.1, 0)
    np.testing.assert_array_equal(w, [0.5, -1.0])
    assert b == 0.2 and mistakes == []


def test_training_rejects_bad_arguments():
    X, y = make_and()
    with pytest.raises(ValueError, match=r"targets must be in"):
        perceptron.train_perceptron(X, 2 * y - 1, np.zeros(2), 0.0, 0.1, 3)
    with pytest.raises(ValueError, match="epochs must be an integer >= 0; received 2.5"):
        perceptron.train_perceptron(X, y, np.zeros(2), 0.0, 0.1, 2.5)
    with pytest.raises(ValueError, match=r"t must have shape \(N,\) = \(4,\)"):
        perceptron.train_perceptron(X, y[:3], np.zeros(2), 0.0, 0.1, 3)


def test_loss_on_a_hand_computed_example():
    # AND, w = (1, 1), b = -0.5: z = (-0.5, 0.5, 0.5, 1.5); (0, 1) and (1, 0) are false 1s
    X, y = make_and()
    loss, dw, db = perceptron.perceptron_loss(X, 2 * y - 1, np.ones(2), -0.5)
    assert loss == pytest.approx((0.5 + 0.5) / 4) and type(loss) is float
    np.testing.assert_allclose(dw, [0.25, 0.25])
    assert db == pytest.approx(0.5) and type(db) is float


def test_loss_reads_zero_one_targets_as_minus_one_plus_one(rng):
    X, w = rng.standard_normal((7, 2)), rng.standard_normal(2)
    y = rng.integers(0, 2, 7)
    a, b = perceptron.perceptron_loss(X, y, w, 0.3), perceptron.perceptron_loss(X, 2 * y - 1, w, 0.3)
    assert a[0] == b[0] and a[2] == b[2]
    np.testing.assert_array_equal(a[1], b[1])


def test_loss_is_zero_with_zero_gradient_when_every_point_is_right(rng):
    X, w = rng.standard_normal((10, 3)), rng.standard_normal(3)
    t = np.sign(X @ w + 0.2)
    loss, dw, db = perceptron.perceptron_loss(X, t, w, 0.2)
    assert loss == 0.0 and db == 0.0 and not dw.any()


def test_loss_gradient_matches_centred_differences_in_float64(rng):
    X, w, b = rng.standard_normal((12, 4)), rng.standard_normal(4), 0.3
    t = np.where(rng.random(12) < 0.5, -1.0, 1.0)
    _, dw, db = perceptron.perceptron_loss(X, t, w, b)
    assert 0 < perceptron.perceptron_loss(X, t, w, b)[0]  # some points are wrong
    numeric_w = numerical_gradient(lambda v: perceptron.perceptron_loss(X, t, v, b)[0], w.copy())
    params = np.array([b])
    numeric_b = numerical_gradient(lambda v: perceptron.perceptron_loss(X, t, w, v[0])[0], params)
    assert rel_error(dw, numeric_w) < 1e-7
    assert rel_error(np.array([db]), numeric_b) < 1e-7


@pytest.mark.parametrize("target", [0, 1])
def test_a_gradient_step_on_one_example_is_the_perceptron_update(rng, target):
    w, x = rng.standard_normal(3), rng.standard_normal(3)
    b = -float(x @ w) + (0.4 if target == 0 else -0.4)  # the example is misclassified
    _, dw, db = perceptron.perceptron_loss(x[None, :], np.array([target]), w, b)
    w_rule, b_rule = perceptron.perceptron_update(w, b, x, target, 0.25)
    np.testing.assert_allclose(w - 0.25 * dw, w_rule)
    assert b - 0.25 * db == pytest.approx(b_rule)


def test_loss_runs_on_every_backend(xp):
    X = xp.asarray([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    loss, dw, db = perceptron.perceptron_loss(X, xp.asarray([-1, -1, -1, 1]), xp.ones(2), -0.5)
    assert loss == pytest.approx(0.25) and db == pytest.approx(0.5)
    np.testing.assert_allclose(to_numpy(dw), [0.25, 0.25])
    np.testing.assert_array_equal(to_numpy(perceptron.predict(X, xp.ones(2), -1.5)), [0, 0, 0, 1])


def test_signed_labels_maps_zero_one_to_minus_one_plus_one():
    np.testing.assert_array_equal(perceptron.signed_labels(np.array([0, 1, 1, 0])), [-1, 1, 1, -1])
    np.testing.assert_array_equal(perceptron.signed_labels(np.array([-1, 1])), [-1.0, 1.0])
    with pytest.raises(ValueError, match="targets must be in"):
        perceptron.signed_labels(np.array([0, 2]))

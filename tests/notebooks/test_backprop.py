"""Notebook 02 (backprop): its checks, its bug zoo and its explorer, tested on themselves."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from autograder import backprop
from autograder.bugzoo import backprop as zoo
from autograder.bugzoo import bugs_for
from dlcore import Dense, Sequential, Sigmoid
from dlcore.datasets import make_xor
from dlcore.losses import MSE
from dlcore.optimizers import SGD
from dlcore.widgets.backprop import (
    decision_boundary_explorer,
    load_dataset,
    plot_two_layer_graph,
)

CHECKS = backprop.CHECKS
PAIRS = ["test_dense", "test_sigmoid", "test_mse"]


@pytest.fixture
def secret_seed(monkeypatch):
    monkeypatch.setenv("DLGRADE_SEED", "20260214")


def blank(*args, **kwargs):
    raise NotImplementedError()


# -------------------------------------------------------------- references
@pytest.mark.parametrize("grade_id", sorted(CHECKS))
@pytest.mark.parametrize("hidden", [False, True])
def test_reference_scores_full_marks_silently(grade_id, hidden, secret_seed, capfd):
    check, references = CHECKS[grade_id]
    result = check(*references, hidden=hidden)
    assert result.score == check.points, result.report()
    assert type(result.score) is float
    assert result.status == "checked" and not result.diagnoses
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_hidden_cases_add_other_shapes(grade_id, secret_seed):
    check, references = CHECKS[grade_id]
    public = {s.name for s in check(*references).subchecks}
    hidden = {s.name for s in check(*references, hidden=True).subchecks}
    assert public < hidden


@pytest.mark.parametrize("grade_id", sorted(CHECKS))
def test_blank_scores_zero_as_not_implemented(grade_id):
    check, references = CHECKS[grade_id]
    result = check(*[blank] * len(references), hidden=True)
    assert result.status == "not implemented"
    assert result.score == 0.0 and type(result.score) is float
    assert "not implemented yet" in result.report()


@pytest.mark.parametrize("grade_id", PAIRS)
def test_forward_alone_earns_part_of_the_points(grade_id):
    check, (first, _) = CHECKS[grade_id]
    result = check(first, blank)
    assert 0 < result.score < check.points
    assert any("not implemented yet" in s.name for s in result.subchecks)


def test_table_covers_every_exercise_with_its_points():
    points = {gid: check.points for gid, (check, _) in CHECKS.items()}
    assert points == {"test_dense": 3.0, "test_sigmoid": 2.0, "test_mse": 2.0,
                      "test_worked_example": 3.0, "test_numerical_gradient": 2.0,
                      "test_rel_error": 1.0, "test_xor_net": 3.0}  # fmt: skip


# ----------------------------------------------------------------- bug zoo
def _bug_id(bug):
    return f"{bug.check.__name__}: {bug.name}"


@pytest.mark.parametrize("bug", zoo.BUGS, ids=_bug_id)
@pytest.mark.parametrize("hidden", [False, True])
def test_bug_loses_points_and_is_named(bug, hidden, secret_seed):
    result = bug.check(*bug.implementation, hidden=hidden)
    assert result.score < bug.check.points, result.report()
    if bug.diagnosis is not None:
        assert any(bug.diagnosis in d for d in result.diagnoses), result.report()


def test_every_exercise_has_at_least_three_bugs():
    counts = {check.__name__: 0 for check, _ in CHECKS.values()}
    for bug in bugs_for("02_backprop"):
        counts[bug.check.__name__] += 1
    assert min(counts.values()) >= 3, counts


# --------------------------------------------------------- worked example
def test_reference_reproduces_the_notes_numbers():
    out = backprop.reference_two_layer_backprop(*backprop.NOTES_EXAMPLE.values())
    assert out["Z1"] == pytest.approx(np.array([[0.52, 0.91]]))
    assert out["yhat"][0, 0] == pytest.approx(0.739, abs=5e-4)
    assert out["J"] == pytest.approx(0.034, abs=5e-4)
    assert out["dZ2"][0, 0] == pytest.approx(-0.0503, abs=5e-5)
    assert out["dZ1"][0] == pytest.approx([-0.00588, -0.00617], abs=1e-5)
    # the two entries the notes give belong to x1 = 0.5, the first row in dlcore's layout
    assert out["dW1"][0] == pytest.approx([-0.00294, -0.00308], abs=1e-5)


def test_notes_layout_without_transpose_fails_the_notes_numbers():
    inputs = dict(backprop.NOTES_EXAMPLE)
    inputs["W1"] = inputs["W1"].T  # W1 as printed in the notes, not transposed
    out = backprop.reference_two_layer_backprop(*inputs.values())
    assert not np.allclose(out["Z1"], [[0.52, 0.91]])


def test_trained_network_solves_xor_with_the_checks_settings():
    X, y = make_xor()
    Y = y.reshape(-1, 1).astype(float)
    rng = np.random.default_rng(0)
    start = backprop._random_params(rng, 2, backprop.XOR_SETTINGS["hidden_units"])
    params, losses = backprop.reference_train_two_layer(
        X, Y, start, backprop.XOR_SETTINGS["lr"], backprop.XOR_SETTINGS["epochs"])
    assert len(losses) == backprop.XOR_SETTINGS["epochs"] and losses[-1] < losses[0]
    assert np.array_equal(backprop.two_layer_predict(X, params)[:, 0] > 0.5, y == 1)


# ---------------------------------------------------------------- explorer
EPOCHS = 150


def _train_with_dlcore(dataset, hidden_units, learning_rate):
    X, y = load_dataset(dataset)
    Y = y.reshape(-1, 1).astype(float)
    model = Sequential([Dense(2, hidden_units, seed=0), Sigmoid(),
                        Dense(hidden_units, 1, seed=1), Sigmoid()])  # fmt: skip
    model.compile(optimizer=SGD(lr=learning_rate), loss=MSE())
    model.fit(X, Y, epochs=EPOCHS, batch_size=None, shuffle=False, verbose=0)
    probs = model.predict(X)
    return float(np.mean((probs[:, 0] > 0.5) == (y == 1))), MSE().forward(probs, Y)


def test_explorer_result_follows_each_control():
    explorer = decision_boundary_explorer(epochs=EPOCHS)
    for name, value in [("dataset", "moons"), ("hidden_units", 3), ("learning_rate", 10.0)]:
        explorer.controls[name].value = value
        accuracy, loss = _train_with_dlcore(**explorer.values)
        assert explorer.result["train_accuracy"] == pytest.approx(accuracy)
        assert explorer.result["final_loss"] == pytest.approx(loss)
        assert explorer.result["epochs"] == EPOCHS
        assert len(explorer.result["losses"]) == EPOCHS
    assert explorer.values == {"dataset": "moons", "hidden_units": 3, "learning_rate": 10.0}
    png = explorer.png()
    assert png.startswith(b"\x89PNG") and len(png) > 1000
    assert 'data-key="train_accuracy"' in explorer.readout_html()


def test_explorer_set_updates_once():
    explorer = decision_boundary_explorer(epochs=EPOCHS)
    before = explorer.updates
    result = explorer.set(dataset="xor", hidden_units=1, learning_rate=1.0)
    assert explorer.updates == before + 1
    assert type(result["train_accuracy"]) is float and type(result["final_loss"]) is float


def test_load_dataset_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown data set 'spirals'"):
        load_dataset("spirals")


def test_graph_of_the_worked_example_draws_values_and_gradients():
    out = backprop.reference_two_layer_backprop(*backprop.NOTES_EXAMPLE.values())
    ax = Figure().subplots()
    plot_two_layer_graph(out, backprop.NOTES_EXAMPLE, ax=ax)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "J=0.03403" in texts and "dJ/dz=-0.0503" in texts and "0.4" in texts

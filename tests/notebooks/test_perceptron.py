"""Notebook 01 (perceptron): its checks, its bug zoo, its explorers and its exercise cells."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import perceptron as checks
from autograder.bugzoo.perceptron import BUGS
from dlcore import perceptron
from dlcore.datasets import make_and, make_or, make_xor
from dlcore.widgets.perceptron import (
    START_B,
    START_W,
    line_equation,
    line_explorer,
    training_explorer,
)

NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions/01_perceptron/01_perceptron.ipynb"
GRADE_IDS = sorted(checks.CHECKS)
SEEDS = ["1", "20261121", "987654321"]


def blank(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("grade_id", GRADE_IDS)
@pytest.mark.parametrize("hidden", [False, True])
def test_reference_scores_full_marks_as_a_plain_float_and_prints_nothing(
    grade_id, hidden, monkeypatch, capfd
):
    monkeypatch.setenv("DLGRADE_SEED", "20261121")
    check, references = checks.CHECKS[grade_id]
    result = check(*references, hidden=hidden)
    assert result.score == check.points, result.report()
    assert type(result.score) is float and result.passed
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_a_blank_exercise_scores_zero_as_not_implemented(grade_id):
    check, references = checks.CHECKS[grade_id]
    result = check(*[blank] * len(references), hidden=True)
    assert result.score == 0.0 and type(result.score) is float
    assert result.status == "not implemented"
    assert "not implemented yet" in result.report()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: bug.name)
def test_every_bug_loses_points_and_is_named(bug, seed, monkeypatch):
    monkeypatch.setenv("DLGRADE_SEED", seed)
    result = bug.check(*bug.implementation, hidden=True)
    assert result.score < bug.check.points, result.report()
    if bug.diagnosis:
        assert any(bug.diagnosis in d for d in result.diagnoses), result.report()


def test_the_bug_zoo_has_three_bugs_or_more_per_exercise():
    counts = {check.exercise: 0 for check, _ in checks.CHECKS.values()}
    for bug in BUGS:
        counts[bug.check.exercise] += 1
    assert min(counts.values()) >= 3, counts


def _step_as_heaviside(z):
    return np.heaviside(z, 0.0)


def _predict_as_integers(X, w, b):
    return [int(v > 0) for v in X @ w + b]


def _update_with_numpy_scalars(w, b, x, t, eta):
    error = t - int(x @ w + b > 0)
    return list(w + eta * error * x), np.float64(b + eta * error)


def _train_with_array_counts(X, t, w, b, eta, epochs):
    w, b, mistakes = perceptron.train_perceptron(X, t, w, b, eta, epochs)
    return w.tolist(), b, np.array(mistakes)


@pytest.mark.parametrize(
    ("check", "implementation"),
    [
        (checks.check_step, _step_as_heaviside),
        (checks.check_predict, _predict_as_integers),
        (checks.check_perceptron_update, _update_with_numpy_scalars),
        (checks.check_train_perceptron, _train_with_array_counts),
    ],
)
def test_other_correct_implementations_score_full_marks(check, implementation):
    result = check(implementation, hidden=True)
    assert result.score == check.points, result.report()


def test_a_wrong_return_type_is_reported_in_one_line():
    result = checks.check_perceptron_loss(lambda X, t, w, b: 0.0)
    assert result.score == 0.0
    assert "perceptron_loss must return a tuple (loss, dw, db); it returned float" in result.report()


# ------------------------------------------------------------------ explorers
GATES = {"AND": make_and, "OR": make_or, "XOR": make_xor}


@pytest.mark.parametrize(
    ("values", "misclassified"),
    [
        ({"dataset": "AND", "w1": 1.0, "w2": 1.0, "b": -1.5}, 0),
        ({"dataset": "OR", "w1": 1.0, "w2": 1.0, "b": -1.5}, 2),
        ({"dataset": "XOR", "w1": 1.0, "w2": -0.5, "b": 0.2}, 3),
        ({"dataset": "OR", "w1": 0.0, "w2": 0.0, "b": 0.0}, 3),
    ],
)
def test_line_explorer_counts_what_dlcore_counts(values, misclassified):
    explorer = line_explorer()
    for name, value in values.items():
        explorer.controls[name].value = value  # one update per control, as a person would
    X, y = GATES[values["dataset"]]()
    w = np.array([values["w1"], values["w2"]])
    wrong = perceptron.predict(X, w, values["b"]) != y
    loss = perceptron.perceptron_loss(X, y, w, values["b"])[0]
    assert explorer.result == {
        "misclassified": int(wrong.sum()),
        "accuracy": float(1 - wrong.mean()),
        "perceptron_loss": pytest.approx(loss),
    }
    assert explorer.result["misclassified"] == misclassified
    assert bytes(explorer.image.value).startswith(b"\x89PNG") and len(explorer.png()) > 1000
    assert f"misclassified = {misclassified}" in explorer.readout.value


def test_training_explorer_shows_the_weights_after_the_chosen_epoch():
    explorer = training_explorer()
    assert explorer.result["epoch"] == 0
    assert (explorer.result["w1"], explorer.result["w2"]) == START_W
    result = explorer.set(dataset="OR", eta=0.5, epoch=3)
    X, y = make_or()
    w, b, _ = perceptron.train_perceptron(X, y, np.array(START_W), START_B, 0.5, 3)
    _, _, mistakes = perceptron.train_perceptron(X, y, np.array(START_W), START_B, 0.5, 20)
    assert result["epoch"] == 3 and result["mistakes"] == mistakes
    assert (result["w1"], result["w2"], result["b"]) == pytest.approx((w[0], w[1], b))
    assert result["misclassified"] == int((perceptron.predict(X, w, b) != y).sum())
    assert bytes(explorer.image.value).startswith(b"\x89PNG")


def test_training_explorer_never_clears_xor():
    result = training_explorer(dataset="XOR", epoch=20).result
    assert min(result["mistakes"]) > 0 and result["misclassified"] > 0


def test_line_equation_writes_signs_once():
    assert line_equation([1.0, -0.5], 0.2) == "1 x1 - 0.5 x2 + 0.2 = 0"
    assert line_equation([-2.0, 3.0], -1.0) == "-2 x1 + 3 x2 - 1 = 0"


def test_explorers_reject_an_unknown_data_set():
    with pytest.raises(ValueError, match="unknown data set 'NAND'"):
        line_explorer(dataset="NAND")


# ------------------------------------------------------------ the notebook
def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def test_every_solution_cell_is_followed_by_its_test_cell_with_the_checks_points():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    ids = [_nbgrader(c)["grade_id"] for c in nb.cells if _nbgrader(c)]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    assert all(c.get("id") for c in nb.cells), "every cell needs an id"
    pairs = 0
    for index, cell in enumerate(nb.cells):
        meta = _nbgrader(cell)
        if not meta.get("solution"):
            continue
        name = meta["grade_id"]
        test = nb.cells[index + 1]
        assert _nbgrader(test) == {
            "grade": True, "solution": False, "locked": True,
            "points": checks.CHECKS[f"test_{name}"][0].points,
            "grade_id": f"test_{name}", "schema_version": 3,
        }  # fmt: skip
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        assert test.source == (
            f"result = perceptron.check_{name}({name})\n"
            "### BEGIN HIDDEN TESTS\n"
            f"result = perceptron.check_{name}({name}, hidden=True)\n"
            "### END HIDDEN TESTS\n"
            "print(result.report())\n"
            "result.score"
        )
        pairs += 1
    assert pairs == len(checks.CHECKS)


def test_the_committed_notebook_has_no_outputs():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"

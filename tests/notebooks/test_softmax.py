"""Notebook 08 (softmax): its checks, its bug zoo, its explorers and its exercise cells."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import softmax as checks
from autograder import softmax_reference as ref
from autograder.bugzoo.softmax import BUGS, cross_entropy_constant, gradient_zero
from autograder.core import SEED_VARIABLE
from dlcore import functional as F
from dlcore import metrics
from dlcore.widgets.softmax import (
    HIDDEN_SIZES,
    LOGITS,
    draw_confusion_matrix,
    fit_spiral_classifier,
    spiral_data,
    spiral_explorer,
    temperature_explorer,
    tempered_softmax,
)

NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions/08_softmax/08_softmax.ipynb"
GRADE_IDS = sorted(checks.CHECKS)
SEEDS = ["1", "2", "3"]
#: The functions each exercise cell defines, in the order its check takes them.
FUNCTIONS = {
    "softmax": ["softmax_rows"],
    "softmax_cross_entropy": ["softmax_cross_entropy", "softmax_cross_entropy_gradient"],
    "one_hot": ["one_hot"],
    "accuracy": ["accuracy"],
    "precision_recall_f1": ["precision_recall_f1", "macro_f1"],
    "train_digits": ["train_digits_classifier"],
}


def blank(*args, **kwargs):
    raise NotImplementedError()


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, "20261121")


# ------------------------------------------------------------------ checks
@pytest.mark.parametrize("grade_id", GRADE_IDS)
@pytest.mark.parametrize("hidden", [False, True])
def test_reference_scores_full_marks_as_a_plain_float_and_prints_nothing(
    grade_id, hidden, secret, capfd
):
    check, reference = checks.CHECKS[grade_id]
    result = check(*reference, hidden=hidden)
    assert type(result.score) is float
    assert result.score == check.points, result.report()
    assert result.passed and result.diagnoses == []
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.mark.parametrize("grade_id", GRADE_IDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_reference_scores_full_marks_for_other_secret_seeds(grade_id, seed, monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, seed)
    check, reference = checks.CHECKS[grade_id]
    assert check(*reference, hidden=True).score == check.points


@pytest.mark.parametrize("grade_id", [g for g in GRADE_IDS if g != "test_train_digits"])
def test_hidden_cases_include_a_batch_of_one(grade_id, secret):
    check, reference = checks.CHECKS[grade_id]
    names = [s.name for s in check(*reference, hidden=True).subchecks]
    hidden = [name for name in names if name.startswith("hidden: ")]
    assert any("(1," in name or "N = 1," in name or ": 1 labels" in f": {name[8:]}"
               for name in hidden), names  # fmt: skip


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_blank_scores_zero_as_not_implemented(grade_id, secret):
    check, reference = checks.CHECKS[grade_id]
    for hidden in (False, True):
        result = check(*[blank] * len(reference), hidden=hidden)
        assert result.status == "not implemented"
        assert type(result.score) is float and result.score == 0.0


def test_a_blank_gradient_keeps_the_loss_points():
    result = checks.check_softmax_cross_entropy(ref.softmax_cross_entropy, blank)
    assert 0.0 < result.score < checks.check_softmax_cross_entropy.points
    assert "not implemented yet" in result.report()


def test_check_names_match_their_grade_ids():
    for grade_id, (check, reference) in checks.CHECKS.items():
        assert grade_id == f"test_{check.exercise}"
        assert len(reference) == len(FUNCTIONS[check.exercise])


def test_a_constant_loss_with_a_zero_gradient_fails():
    result = checks.check_softmax_cross_entropy(cross_entropy_constant, gradient_zero,
                                                hidden=True)  # fmt: skip
    assert result.score < 0.5 * checks.check_softmax_cross_entropy.points, result.report()


def test_the_notes_example_is_recomputed():
    probs = ref.softmax(np.array([[5.0, 2.0, -1.0, 3.0]]))[0]
    assert probs == pytest.approx([0.842, 0.042, 0.002, 0.114], abs=6e-4)


# ---------------------------------------------------------------- bug zoo
def test_every_exercise_has_at_least_three_bugs():
    counts = collections.Counter(bug.check.exercise for bug in BUGS)
    for check, _ in checks.CHECKS.values():
        assert counts[check.exercise] >= 3, check.exercise


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: f"{bug.check.exercise}: {bug.name}")
def test_bug_loses_points_and_is_named(bug, seed, monkeypatch, capfd):
    monkeypatch.setenv(SEED_VARIABLE, seed)
    result = bug.check(*bug.implementation, hidden=True)
    assert type(result.score) is float
    assert result.score < bug.check.points, result.report()
    if bug.diagnosis is not None:
        assert any(bug.diagnosis in d for d in result.diagnoses), result.report()
    assert capfd.readouterr().err == ""


# ---------------------------------------------------------------- explorers
def test_temperature_explorer_follows_each_control():
    explorer = temperature_explorer(logits="notes", temperature=1.0)
    assert explorer.result["p0"] == pytest.approx(0.842, abs=5e-4)
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    for name, temperature in [("close call", 0.1), ("one clear winner", 10.0), ("notes", 0.5)]:
        result = explorer.set(logits=name, temperature=temperature)
        want = F.softmax_forward(np.array(LOGITS[name]) / temperature)[0]
        got = [result[f"p{k}"] for k in range(len(want))]
        assert got == pytest.approx(want)
        assert result["entropy"] == pytest.approx(-(want * np.log(want)).sum())
    explorer.controls["temperature"].value = 20.0
    assert explorer.result["max p"] < 0.35  # nearly uniform over 4 classes
    assert "entropy" in explorer.readout_html()


def test_spiral_explorer_follows_its_slider():
    explorer = spiral_explorer(hidden_units=0)
    X, y = spiral_data()
    for hidden in (0, 64):
        result = explorer.set(hidden_units=hidden)
        model = fit_spiral_classifier(hidden, X, y)
        assert result["train accuracy"] == pytest.approx(metrics.accuracy(y, model.predict(X)))
        assert result["parameters"] == model.count_params()
    assert explorer.set(hidden_units=0)["train accuracy"] < 0.7
    assert explorer.set(hidden_units=64)["train accuracy"] > 0.95
    assert explorer.png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(explorer.controls["hidden_units"].options) == list(HIDDEN_SIZES)


def test_bad_inputs_are_rejected_with_a_message():
    with pytest.raises(ValueError, match="temperature must be > 0"):
        tempered_softmax([1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match="unknown logits"):
        temperature_explorer(logits="nope")
    with pytest.raises(ValueError, match="hidden_units must be one of"):
        spiral_explorer(hidden_units=3)
    with pytest.raises(ValueError, match="square"):
        draw_confusion_matrix(None, np.zeros((2, 3)))


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
        check, _ = checks.CHECKS[f"test_{name}"]
        assert meta == {"grade": False, "grade_id": name, "locked": False,
                        "schema_version": 3, "solution": True}  # fmt: skip
        test = nb.cells[index + 1]
        assert _nbgrader(test) == {
            "grade": True, "solution": False, "locked": True, "points": check.points,
            "grade_id": f"test_{name}", "schema_version": 3,
        }  # fmt: skip
        defined = [node.name for node in ast.parse(cell.source).body
                   if isinstance(node, ast.FunctionDef)]  # fmt: skip
        assert defined == FUNCTIONS[name]
        arguments = ", ".join(defined)
        assert test.source == (
            f"result = softmax.check_{name}({arguments})\n"
            "### BEGIN HIDDEN TESTS\n"
            f"result = softmax.check_{name}({arguments}, hidden=True)\n"
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

"""Notebook 04 (losses): its checks, its bug zoo, its explorer and its exercise cells."""

from __future__ import annotations

import ast
import collections
import functools
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import loss_reference as ref
from autograder import losses as checks
from autograder.bugzoo.losses import BUGS, bce_naive, mse_constant, mse_gradient_zero
from autograder.core import SEED_VARIABLE
from dlcore import losses as L
from dlcore.widgets.losses import (
    N_POINTS,
    fit_line,
    huber_explorer,
    outlier_data,
    pointwise,
)

NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions/04_losses/04_losses.ipynb"
GRADE_IDS = sorted(checks.CHECKS)
SEEDS = ["1", "2", "3"]


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


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_hidden_cases_include_a_batch_of_one(grade_id, secret):
    check, reference = checks.CHECKS[grade_id]
    names = [s.name for s in check(*reference, hidden=True).subchecks]
    assert any(name.startswith("hidden: pred of shape (1") for name in names), names


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_blank_scores_zero_as_not_implemented(grade_id, secret):
    check, _ = checks.CHECKS[grade_id]
    for hidden in (False, True):
        result = check(blank, blank, hidden=hidden)
        assert result.status == "not implemented"
        assert type(result.score) is float and result.score == 0.0


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_blank_gradient_keeps_the_value_points(grade_id):
    check, (value, _) = checks.CHECKS[grade_id]
    result = check(value, blank)
    assert 0.0 < result.score < check.points
    assert "not implemented yet" in result.report()


def test_check_names_match_their_grade_ids():
    for grade_id, (check, reference) in checks.CHECKS.items():
        assert grade_id == f"test_{check.exercise}"
        assert len(reference) == 2


def test_a_constant_loss_with_a_zero_gradient_fails():
    result = checks.check_mse(mse_constant, mse_gradient_zero, hidden=True)
    assert result.score < 0.5 * checks.check_mse.points, result.report()


def test_a_loss_that_returns_an_array_is_told_to_return_one_number():
    result = checks.check_mae(lambda p, t: np.abs(p - t), ref.mae_gradient)
    assert result.score < checks.check_mae.points
    assert "must return one number" in result.report()


def test_overflow_warning_is_caught_not_printed(capfd):
    result = checks.check_binary_cross_entropy(bce_naive, ref.binary_cross_entropy_gradient)
    assert any("no overflow warning" in s.name and not s.passed for s in result.subchecks)
    assert capfd.readouterr().err == ""


def test_the_default_delta_of_huber_is_checked():
    result = checks.check_huber(lambda p, t, delta=2.0: ref.huber(p, t, delta),
                                ref.huber_gradient)  # fmt: skip
    assert any(s.name == "default delta = 1" and not s.passed for s in result.subchecks)


def test_the_gradient_of_a_mean_over_rows_is_named_for_categorical_losses():
    def per_entry(probs, target):
        return -target / probs / probs.size

    result = checks.check_categorical_cross_entropy(ref.categorical_cross_entropy, per_entry)
    assert any("divided by N*K" in d for d in result.diagnoses), result.report()


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


# ------------------------------------------------------ the notebook's fallback
def test_student_pair_is_used_when_it_runs(capsys):
    pair = checks.student_pair_or_reference(
        ref.mse, ref.mse_gradient, (ref.mae, ref.mae_gradient), np.ones(3), np.zeros(3),
        name="mse")  # fmt: skip
    assert pair == (ref.mse, ref.mse_gradient)
    assert capsys.readouterr().out == ""


def test_reference_pair_replaces_a_blank_one(capsys):
    reference = (ref.mse, ref.mse_gradient)
    pair = checks.student_pair_or_reference(ref.mse, blank, reference, np.ones(3), np.zeros(3),
                                            name="mse")  # fmt: skip
    assert pair == reference
    assert "mse is not implemented yet" in capsys.readouterr().out


# ---------------------------------------------------------------- explorer
def test_pointwise_gives_each_residuals_own_loss_and_slope():
    r = np.array([-3.0, -0.4, 0.0, 0.7, 2.5])
    values, slopes = pointwise(L.Huber(1.0), r)
    a = np.abs(r)
    assert values == pytest.approx(np.where(a <= 1, a**2 / 2, a - 0.5))
    assert slopes == pytest.approx(np.clip(r, -1, 1))
    values, slopes = pointwise(L.LogCosh(), r)
    assert values == pytest.approx(np.log(np.cosh(r)))
    assert slopes == pytest.approx(np.tanh(r))


def test_fit_line_under_mse_is_least_squares():
    X, y = outlier_data(10)
    fit = fit_line(L.MSE(), X, y)
    slope, intercept = np.polyfit(X[:, 0], y, 1)
    assert fit.slope == pytest.approx(slope, abs=1e-6)
    assert fit.intercept == pytest.approx(intercept, abs=1e-6)
    assert fit.losses[0] > fit.losses[-1]


@functools.cache
def expected_fit(loss_name, delta, outliers):
    """dlcore's fit of the explorer's data, computed here independently of the explorer."""
    X, y = outlier_data(outliers)
    loss = L.Huber(delta) if loss_name == "Huber" else L.get(loss_name.lower())
    return fit_line(loss, X, y)


def check_result(result, delta, outliers):
    huber = expected_fit("Huber", delta, outliers)
    assert result["delta"] == pytest.approx(delta)
    assert result["outliers"] == outliers
    for name, fit in [("huber", huber), ("mse", expected_fit("MSE", None, outliers)),
                      ("mae", expected_fit("MAE", None, outliers))]:
        assert result[f"{name}_slope"] == pytest.approx(fit.slope)
        assert result[f"{name}_intercept"] == pytest.approx(fit.intercept)
    X, y = outlier_data(outliers)
    assert result["beyond_delta"] == int((np.abs(huber.predict(X[:, 0]) - y) > delta).sum())
    assert result["huber_loss"] == pytest.approx(huber.losses[-1])


@pytest.fixture(scope="module")
def explorer():
    return huber_explorer(delta=1.0, outliers=10)


def test_explorer_follows_each_control(explorer):
    explorer.set(delta=1.0, outliers=10)
    check_result(explorer.result, 1.0, 10)
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n" and len(explorer.image.value) > 1000
    explorer.controls["delta"].value = 0.3
    check_result(explorer.result, 0.3, 10)
    explorer.controls["outliers"].value = 25
    check_result(explorer.result, 0.3, 25)
    assert "huber_slope" in explorer.readout_html()


def test_explorer_large_delta_is_the_mse_fit_and_small_delta_resists_outliers(explorer):
    result = explorer.set(delta=30.0, outliers=25)
    assert result["beyond_delta"] == 0
    assert result["huber_slope"] == pytest.approx(result["mse_slope"], abs=1e-6)
    assert result["huber_intercept"] == pytest.approx(result["mse_intercept"], abs=1e-6)
    result = explorer.set(delta=0.3)
    assert abs(result["huber_intercept"] - 1.0) < abs(result["mse_intercept"] - 1.0) / 3


def test_explorer_set_updates_once(explorer):
    before = explorer.updates
    explorer.set(delta=2.0, outliers=25)
    assert explorer.updates == before + 1
    assert explorer.png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_inputs_are_rejected_with_a_message():
    with pytest.raises(ValueError, match="outliers must lie in"):
        outlier_data(N_POINTS)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 1\)"):
        fit_line(L.MSE(), np.zeros((5, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="delta must lie in"):
        huber_explorer(delta=0.0)
    with pytest.raises(ValueError, match="outliers must lie in"):
        huber_explorer(outliers=41)


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
        check, reference = checks.CHECKS[f"test_{name}"]
        assert meta == {"grade": False, "grade_id": name, "locked": False,
                        "schema_version": 3, "solution": True}  # fmt: skip
        test = nb.cells[index + 1]
        assert _nbgrader(test) == {
            "grade": True, "solution": False, "locked": True, "points": check.points,
            "grade_id": f"test_{name}", "schema_version": 3,
        }  # fmt: skip
        defined = [node.name for node in ast.parse(cell.source).body
                   if isinstance(node, ast.FunctionDef)]  # fmt: skip
        assert defined == [name, f"{name}_gradient"] and len(reference) == 2
        assert cell.source.count("### BEGIN SOLUTION") == 2
        arguments = ", ".join(defined)
        assert test.source == (
            f"result = losses.check_{name}({arguments})\n"
            "### BEGIN HIDDEN TESTS\n"
            f"result = losses.check_{name}({arguments}, hidden=True)\n"
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

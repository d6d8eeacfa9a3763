"""Notebook 09 (tuning): its checks, its bug zoo, its explorers and its exercise cells."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import tuning as checks
from autograder import tuning_reference as reference
from autograder.bugzoo.tuning import BUGS
from autograder.core import SEED_VARIABLE
from autograder.tuning_search import Recorder, rungs_of
from dlcore.tuning import LogUniform, OneMinusLogUniform, Uniform
from dlcore.tuning.halving import halving_rungs
from dlcore.widgets.tuning import (
    SCALES,
    SEARCHERS,
    decade_shares,
    run_search,
    sampling_explorer,
    trials_explorer,
)

NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions/09_tuning/09_tuning.ipynb"
GRADE_IDS = sorted(checks.CHECKS)
SEEDS = ["1", "20261121", "987654321"]


def blank(*args, **kwargs):
    raise NotImplementedError()


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, "20261121")


# ----------------------------------------------------------------- the checks
@pytest.mark.parametrize("grade_id", GRADE_IDS)
@pytest.mark.parametrize("hidden", [False, True])
def test_reference_scores_full_marks_as_a_plain_float_and_prints_nothing(
    grade_id, hidden, secret, capfd
):
    check, references = checks.CHECKS[grade_id]
    result = check(*references, hidden=hidden)
    assert type(result.score) is float and result.score == check.points, result.report()
    assert result.passed and result.diagnoses == []
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("grade_id", GRADE_IDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_reference_scores_full_marks_for_other_secret_seeds(grade_id, seed, monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, seed)
    check, references = checks.CHECKS[grade_id]
    assert check(*references, hidden=True).score == check.points


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_blank_scores_zero_as_not_implemented(grade_id, secret):
    check, references = checks.CHECKS[grade_id]
    for hidden in (False, True):
        result = check(*[blank] * len(references), hidden=hidden)
        assert result.status == "not implemented"
        assert type(result.score) is float and result.score == 0.0


def test_check_names_match_their_grade_ids():
    for grade_id, (check, references) in checks.CHECKS.items():
        assert grade_id == f"test_{check.exercise}" and len(references) == 1


def test_every_exercise_has_at_least_three_bugs():
    counts = collections.Counter(bug.check.exercise for bug in BUGS)
    for check, _ in checks.CHECKS.values():
        assert counts[check.exercise] >= 3, check.exercise


@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: f"{bug.check.exercise}: {bug.name}")
@pytest.mark.parametrize("seed", SEEDS)
def test_bug_loses_points_and_is_named(bug, seed, monkeypatch, capfd):
    monkeypatch.setenv(SEED_VARIABLE, seed)
    result = bug.check(*bug.implementation, hidden=True)
    assert type(result.score) is float and result.score < bug.check.points, result.report()
    if bug.diagnosis is not None:
        assert any(bug.diagnosis in d for d in result.diagnoses), result.report()
    assert capfd.readouterr().err == ""


def test_natural_logarithms_on_both_sides_are_accepted():
    def with_e(low, high, size, rng):
        return np.exp(rng.uniform(np.log(low), np.log(high), size))

    assert checks.check_log_uniform(with_e, hidden=True).score == 2.0


def test_a_wrong_return_type_is_explained():
    result = checks.check_log_uniform(lambda low, high, size, rng: 0.5)
    assert result.score == 0.0
    assert "array of shape (size,)" in result.report()


def test_an_endless_halving_is_stopped_with_a_message():
    def endless(configs, evaluate, min_budget, eta):
        while True:
            evaluate(configs[0], min_budget)

    result = checks.check_successive_halving(endless)
    assert result.score == 0.0 and "does the loop end?" in result.report()


def test_reference_samplers_are_dlcore_spaces():
    got = reference.log_uniform(1e-4, 1.0, 5, np.random.default_rng(3))
    assert np.array_equal(got, LogUniform(1e-4, 1.0).sample(np.random.default_rng(3), 5))
    got = reference.sample_beta(0.9, 0.999, 5, np.random.default_rng(3))
    assert np.array_equal(got, OneMinusLogUniform(0.9, 0.999).sample(np.random.default_rng(3), 5))


@pytest.mark.parametrize(("n", "eta"), [(27, 3), (10, 3), (5, 2), (81, 3)])
def test_reference_halving_follows_dlcores_plan(n, eta):
    configs = [{"lr": 10.0 ** -(1 + i / n), "units": 96} for i in range(n)]
    recorder = Recorder(limit=10 * n)
    reference.successive_halving(configs, recorder.as_evaluate, 1, eta)
    plan = reference.halving_plan(n, 1, eta)
    assert plan == halving_rungs(n, 1, plan[-1][1], eta)
    assert [(len(r), r[0][1]) for r in rungs_of(recorder.calls)] == plan


def test_uniform_puts_ninety_percent_in_the_top_decade():
    shares = checks.decade_fractions(Uniform(1e-4, 1).sample(np.random.default_rng(0), 50_000),
                                     np.logspace(-4, 0, 5))  # fmt: skip
    assert shares[-1] == pytest.approx(0.9, abs=0.01)


# -------------------------------------------------------------- the explorers
@pytest.mark.parametrize("scale", list(SCALES))
def test_sampling_explorer_shows_dlcores_shares(scale):
    explorer = sampling_explorer()
    result = explorer.set(scale=scale, n_samples=2000)
    space, quantity = SCALES[scale]
    values = space.sample(np.random.default_rng(0), 2000)
    measured = values if quantity == "lr" else 1 - values
    edges = np.logspace(-4, 0, 5) if quantity == "lr" else np.logspace(-3, -1, 3)
    shares = [v for k, v in result.items() if k.startswith(quantity + " in")]
    assert shares == pytest.approx(checks.decade_fractions(measured, edges))
    assert result["n_samples"] == 2000 and result["scale"] == scale
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_sampling_explorer_follows_the_slider():
    explorer = sampling_explorer("learning rate, log-uniform")
    explorer.controls["n_samples"].value = 40
    assert explorer.result["n_samples"] == 40
    assert sum(v for k, v in explorer.result.items() if k.startswith("lr in")) == pytest.approx(1)
    with pytest.raises(ValueError, match="unknown scale"):
        decade_shares("beta, log", 10)


@pytest.mark.parametrize("searcher", SEARCHERS)
def test_trials_explorer_reads_the_finished_search(searcher):
    explorer = trials_explorer()
    result = explorer.set(searcher=searcher, param="beta")
    results = run_search(searcher, 0)
    assert result["trials"] == len(results)
    assert result["best dev error"] == results.best.score
    assert result["best lr"] == results.best.config["lr"]
    assert result["total budget"] == sum(t.budget for t in results)
    explorer.set(param="trial order")
    assert explorer.png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_trials_explorer_rejects_unknown_choices():
    with pytest.raises(ValueError, match="unknown searcher"):
        trials_explorer(searcher="bayes")
    with pytest.raises(ValueError, match="unknown param"):
        trials_explorer(param="units")


# --------------------------------------------------------------- the notebook
def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def test_every_solution_cell_defines_the_checked_functions_and_is_followed_by_its_test_cell():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    ids = [_nbgrader(c)["grade_id"] for c in nb.cells if _nbgrader(c)]
    assert len(ids) == len(set(ids)) and all(c.get("id") for c in nb.cells)
    seen = []
    for index, cell in enumerate(nb.cells):
        meta = _nbgrader(cell)
        if not meta.get("solution"):
            continue
        name = meta["grade_id"]
        check, references = checks.CHECKS[f"test_{name}"]
        assert meta == {"grade": False, "grade_id": name, "locked": False, "schema_version": 3,
                        "solution": True}  # fmt: skip
        defined = [node.name for node in ast.parse(cell.source).body
                   if isinstance(node, ast.FunctionDef)]  # fmt: skip
        assert defined == [name] and len(references) == 1 and "### BEGIN SOLUTION" in cell.source
        test = nb.cells[index + 1]
        assert _nbgrader(test) == {
            "grade": True, "solution": False, "locked": True, "points": check.points,
            "grade_id": f"test_{name}", "schema_version": 3,
        }  # fmt: skip
        assert test.source == (
            f"result = tuning.check_{name}({name})\n"
            "### BEGIN HIDDEN TESTS\n"
            f"result = tuning.check_{name}({name}, hidden=True)\n"
            "### END HIDDEN TESTS\n"
            "print(result.report())\n"
            "result.score"
        )
        seen.append(f"test_{name}")
    assert sorted(seen) == GRADE_IDS


def test_the_committed_notebook_has_no_outputs():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"

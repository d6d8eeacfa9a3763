"""Notebook 05 (optimizers): its checks, its bug zoo, its explorer and its exercise cells."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import optimizers as checks
from autograder.bugzoo.optimizers import BUGS
from autograder.core import SEED_VARIABLE
from dlcore import optimizers
from dlcore.optimizers import functional, landscapes
from dlcore.parameter import Parameter
from dlcore.widgets.optimizers import BETAS, explore, hyperparameters, path_explorer

NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions/05_optimizers/05_optimizers.ipynb"
GRADE_IDS = sorted(checks.CHECKS)
SEEDS = ["1", "20261121", "987654321"]


def blank(*args, **kwargs):
    raise NotImplementedError()


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, "20261121")


# ------------------------------------------------------------------ the checks
@pytest.mark.parametrize("grade_id", GRADE_IDS)
@pytest.mark.parametrize("hidden", [False, True])
def test_reference_scores_full_marks_as_a_plain_float_and_prints_nothing(
    grade_id, hidden, secret, capfd
):
    check, references = checks.CHECKS[grade_id]
    result = check(*references, hidden=hidden)
    assert type(result.score) is float
    assert result.score == check.points, result.report()
    assert result.passed and result.diagnoses == []
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.mark.parametrize("grade_id", GRADE_IDS)
@pytest.mark.parametrize("seed", ["1", "2", "3"])
def test_reference_scores_full_marks_for_other_secret_seeds(grade_id, seed, monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, seed)
    check, references = checks.CHECKS[grade_id]
    assert check(*references, hidden=True).score == check.points


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_hidden_cases_add_other_shapes(grade_id, secret):
    check, references = checks.CHECKS[grade_id]
    public, hidden = check(*references), check(*references, hidden=True)
    assert len(hidden.subchecks) > len(public.subchecks)
    assert any(s.name.startswith("hidden: ") for s in hidden.subchecks)


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_a_blank_exercise_scores_zero_as_not_implemented(grade_id, secret):
    check, references = checks.CHECKS[grade_id]
    for hidden in (False, True):
        result = check(*[blank] * len(references), hidden=hidden)
        assert result.status == "not implemented"
        assert type(result.score) is float and result.score == 0.0
        assert "not implemented yet" in result.report()


def test_one_blank_schedule_costs_only_its_own_points():
    _, references = checks.CHECKS["test_decay_schedules"]
    result = checks.check_decay_schedules(*references[:2], blank, references[3])
    assert result.score == pytest.approx(1.5)
    assert "inverse_sqrt_decay" in result.report() and "not implemented yet" in result.report()


def test_check_names_match_their_grade_ids():
    for grade_id, (check, _) in checks.CHECKS.items():
        assert grade_id == f"test_{check.exercise}"


# ------------------------------------------------------------------- the bug zoo
def test_every_exercise_has_at_least_three_bugs():
    counts = collections.Counter(bug.check.exercise for bug in BUGS)
    for check, _ in checks.CHECKS.values():
        assert counts[check.exercise] >= 3, check.exercise


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: f"{bug.check.exercise}: {bug.name}")
def test_every_bug_loses_points_and_is_named(bug, seed, monkeypatch, capfd):
    monkeypatch.setenv(SEED_VARIABLE, seed)
    result = bug.check(*bug.implementation, hidden=True)
    assert type(result.score) is float
    assert result.score < bug.check.points, result.report()
    if bug.diagnosis is not None:
        assert any(bug.diagnosis in d for d in result.diagnoses), result.report()
    assert capfd.readouterr().err == ""


def test_a_rule_returning_only_w_is_explained():
    result = checks.check_sgd_update(lambda w, g, state, lr=0.01: w - lr * g)
    assert result.score == 0.0
    assert "must return a pair (new_w, new_state)" in result.report()


def test_the_rules_state_is_the_students_own():
    def momentum_with_a_tuple(w, g, state, lr=0.01, momentum=0.9):
        (v,) = state or (np.zeros_like(w),)
        v = momentum * v + (1 - momentum) * g
        return w - lr * v, (v,)

    assert checks.check_momentum_update(momentum_with_a_tuple, hidden=True).passed


def test_wrong_defaults_are_named_only_when_the_rule_is_right():
    def adam_with_lr_default_of_sgd(w, g, state, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
        return functional.adam_update(w, g, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    result = checks.check_adam_update(adam_with_lr_default_of_sgd)
    assert 0 < result.score < 3
    assert result.diagnoses == [
        "the default hyperparameters in the signature must be lr = 0.001, beta1 = 0.9, "
        "beta2 = 0.999, eps = 1e-08"
    ]


def test_minibatches_that_are_a_generator_are_accepted():
    def generator(X, y, batch_size, rng):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            yield X[rows], y[rows]

    assert checks.check_make_minibatches(generator, hidden=True).passed


# ------------------------------------------------------------------- the explorer
def dlcore_path_end(name, landscape, steps, **hyper):
    """Where dlcore's optimizer class ends, stepping a Parameter on the surface's gradient."""
    surface = landscapes.get(landscape)
    param = Parameter(np.array(surface.start))
    optimizer = optimizers.get(name, params=[param], **hyper)
    for _ in range(steps):
        param.grad[...] = surface.gradient(param.data)
        optimizer.step()
    return param.data


@pytest.mark.parametrize("name", sorted(BETAS))
def test_explorer_result_matches_dlcores_optimizer_classes(name):
    result = explore(name, "rosenbrock", 0.003, 0.8, 40)
    expected = dlcore_path_end(name, "rosenbrock", 40, **hyperparameters(name, 0.003, 0.8))
    assert (result["final x"], result["final y"]) == pytest.approx(tuple(expected), rel=1e-10)
    assert result["steps taken"] == 40 and not result["diverged"]
    assert result["beta_name"] == (BETAS[name][0] or "none")
    surface = landscapes.get("rosenbrock")
    assert result["final loss"] == pytest.approx(float(surface.value(expected)))


def test_explorer_follows_each_control():
    explorer = path_explorer()
    explorer.controls["optimizer"].value = "adam"
    explorer.controls["landscape"].value = "rosenbrock"
    explorer.controls["lr"].value = 0.05
    explorer.controls["beta"].value = 0.8
    explorer.controls["steps"].value = 60
    result = explorer.result
    assert (result["optimizer"], result["landscape"], result["beta_name"]) == (
        "adam", "rosenbrock", "beta1")
    assert result["lr"] == pytest.approx(0.05) and result["beta"] == pytest.approx(0.8)
    expected = dlcore_path_end("adam", "rosenbrock", 60, lr=0.05, beta1=0.8)
    assert (result["final x"], result["final y"]) == pytest.approx(tuple(expected), rel=1e-10)
    assert explorer.controls["beta"].description == "beta1"
    png = explorer.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000


def test_explorer_set_updates_once_and_disables_beta_when_unused():
    explorer = path_explorer("momentum", "bowl", lr=0.5, beta=0.9, steps=100)
    assert explorer.result["first step within 0.1"] == 23  # the notebook's momentum run
    before = explorer.updates
    result = explorer.set(optimizer="sgd", lr=0.19)
    assert explorer.updates == before + 1
    assert result["beta"] is None and explorer.controls["beta"].disabled
    assert result["first step within 0.1"] == 99


def test_explorer_reports_divergence():
    result = explore("sgd", "bowl", 0.5, 0.0, 100)
    assert result["diverged"] and result["steps taken"] < 100
    assert np.isfinite(result["path"]).all()


def test_explorer_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        path_explorer("adamw")
    with pytest.raises(ValueError, match="unknown landscape 'saddle'"):
        path_explorer(landscape="saddle")


# ------------------------------------------------------------------- the notebook
def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def test_every_solution_cell_is_followed_by_its_test_cell_with_the_checks_points():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    ids = [_nbgrader(c)["grade_id"] for c in nb.cells if _nbgrader(c)]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    assert all(c.get("id") for c in nb.cells), "every cell needs an id"
    seen = []
    for index, cell in enumerate(nb.cells):
        meta = _nbgrader(cell)
        if not meta.get("solution"):
            continue
        name = meta["grade_id"]
        assert meta == {"grade": False, "grade_id": name, "locked": False,
                        "schema_version": 3, "solution": True}
        check, references = checks.CHECKS[f"test_{name}"]
        defined = [node.name for node in ast.parse(cell.source).body
                   if isinstance(node, ast.FunctionDef)]
        assert len(defined) == len(references), (name, defined)
        assert len(ast.parse(cell.source).body) == len(defined), "only function definitions"
        assert cell.source.count("### BEGIN SOLUTION") == len(defined)
        test = nb.cells[index + 1]
        assert _nbgrader(test) == {
            "grade": True, "solution": False, "locked": True, "points": check.points,
            "grade_id": f"test_{name}", "schema_version": 3,
        }  # fmt: skip
        arguments = ", ".join(defined)
        assert test.source == (
            f"result = optimizers.check_{name}({arguments})\n"
            "### BEGIN HIDDEN TESTS\n"
            f"result = optimizers.check_{name}({arguments}, hidden=True)\n"
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

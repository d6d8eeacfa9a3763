"""Notebook 07 (batch normalisation): its checks, its bug zoo, its explorer and its exercise cells."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import batchnorm as checks
from autograder import batchnorm_reference as reference
from autograder.bugzoo.batchnorm import BUGS
from autograder.core import SEED_VARIABLE
from dlcore import functional as F
from dlcore.layers import BatchNorm
from dlcore.widgets.batchnorm import (
    EPOCHS,
    LEARNING_RATES,
    batchnorm_explorer,
    layer_spreads,
    make_deep_network,
    moons,
    train_deep_network,
)

NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions/07_batchnorm/07_batchnorm.ipynb"
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
def test_a_blank_exercise_scores_zero_as_not_implemented(grade_id, secret):
    check, references = checks.CHECKS[grade_id]
    for hidden in (False, True):
        result = check(*[blank] * len(references), hidden=hidden)
        assert type(result.score) is float and result.score == 0.0
        assert result.status == "not implemented"
        assert "not implemented yet" in result.report()


def test_check_names_and_points_match_the_table():
    points = {"test_batchnorm_forward": 3, "test_batchnorm_backward": 3,
              "test_batchnorm_inference_forward": 2}  # fmt: skip
    assert {g: c.points for g, (c, _) in checks.CHECKS.items()} == points
    for grade_id, (check, _) in checks.CHECKS.items():
        assert grade_id == f"test_{check.exercise}"


def test_references_agree_with_dlcore_layer_and_functional():
    rng = np.random.default_rng(0)
    x, gamma, beta = rng.normal(size=(5, 3)), rng.uniform(0.5, 2, 3), rng.normal(size=3)
    layer = BatchNorm(3, momentum=0.8, eps=1e-3)
    layer.gamma.data[...], layer.beta.data[...] = gamma, beta
    out, cache, mean, var = reference.batchnorm_forward(x, gamma, beta, np.zeros(3), np.ones(3),
                                                        0.8, 1e-3)  # fmt: skip
    np.testing.assert_allclose(out, layer.forward(x))
    np.testing.assert_allclose(mean, layer.running_mean)
    np.testing.assert_allclose(var, layer.running_var)
    dout = rng.normal(size=(5, 3))
    expected = F.batchnorm_backward(dout, F.batchnorm_forward(x, gamma, beta, 1e-3)[1])
    for got, want in zip(reference.batchnorm_backward(dout, cache), expected):
        np.testing.assert_allclose(got, want)
    layer.eval()
    np.testing.assert_allclose(reference.batchnorm_inference_forward(x, gamma, beta, mean, var,
                                                                     1e-3), layer.forward(x))


def test_a_function_returning_zeros_fails_the_backward(secret):
    def zeros(dout, cache):
        return np.zeros_like(dout), np.zeros(dout.shape[1]), np.zeros(dout.shape[1])

    result = checks.check_batchnorm_backward(zeros, hidden=True)
    assert result.score < 1.0 and not result.passed  # only the batch of one gives dx = 0


def test_wrong_return_types_are_explained_in_one_line():
    def only_out(x, gamma, beta, running_mean, running_var, momentum=0.9, eps=1e-5):
        return reference.batchnorm_forward(x, gamma, beta, running_mean, running_var,
                                           momentum, eps)[0]  # fmt: skip

    result = checks.check_batchnorm_forward(only_out)
    assert result.score < 0.5 and "must return four things" in result.report()


# --------------------------------------------------------------- the bug zoo
def test_the_bug_zoo_has_three_bugs_or_more_per_exercise():
    counts = collections.Counter(bug.check.exercise for bug in BUGS)
    assert all(counts[check.exercise] >= 3 for check, _ in checks.CHECKS.values()), counts


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: f"{bug.check.exercise}: {bug.name}")
def test_every_bug_loses_points_and_is_named(bug, seed, monkeypatch, capfd):
    monkeypatch.setenv(SEED_VARIABLE, seed)
    result = bug.check(*bug.implementation, hidden=True)
    assert type(result.score) is float and result.score < bug.check.points, result.report()
    if bug.diagnosis:
        assert any(bug.diagnosis in d for d in result.diagnoses), result.report()
    assert capfd.readouterr().err == ""


# ------------------------------------------------------------ the explorer
def test_deep_network_drops_the_bias_only_before_batch_norm():
    plain, normed = make_deep_network(False), make_deep_network(True)
    assert any(name.endswith(".b") for name, _ in plain.named_parameters())
    hidden_biases = [n for n, _ in normed.named_parameters() if n.endswith(".b")]
    assert hidden_biases == [f"{len(normed.layers) - 1}.b"]  # only the output layer's
    assert sum(isinstance(layer, BatchNorm) for layer in normed.layers) == 8


def test_training_is_cached_and_batch_norm_widens_the_working_range():
    runs = {bn: [train_deep_network(lr, bn) for lr in LEARNING_RATES] for bn in (False, True)}
    assert train_deep_network(0.3, True) is train_deep_network(0.3, True)
    working = {bn: sum(r["accuracy"] >= 0.85 for r in runs[bn]) for bn in runs}
    assert working[True] > working[False]
    assert all(len(r["losses"]) <= EPOCHS for rs in runs.values() for r in rs)


def test_layer_spreads_restores_the_running_averages_and_the_mode():
    model = make_deep_network(True)
    X, _ = moons()
    before = model.state_dict()
    spreads = layer_spreads(model, X, training=True)
    assert len(spreads) == 8 and all(0.2 < std < 1.0 for _, std in spreads)
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert all(layer.training for layer in model.layers)


def test_explorer_follows_each_control_like_dlcore():
    explorer = batchnorm_explorer(lr=0.3)
    for lr, batch_size in ((3.0, 32), (0.01, 8)):
        result = explorer.set(lr=lr, batch_size=batch_size)
        for bn, label in ((False, "without BN"), (True, "with BN")):
            run = train_deep_network(lr, bn, batch_size)
            assert result[f"accuracy {label}"] == run["accuracy"]
            assert result[f"diverged {label}"] == run["diverged"]
            assert result["curves"][label] == run["losses"]
    explorer.controls["lr"].value = 1.0
    assert explorer.result["lr"] == 1.0
    png = explorer.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000


def test_explorer_rejects_values_off_its_controls():
    with pytest.raises(ValueError, match="lr must be one of"):
        batchnorm_explorer(lr=0.5)
    with pytest.raises(ValueError, match="batch_size"):
        batchnorm_explorer(batch_size=5)


# ------------------------------------------------------------ the notebook
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
        assert len(defined) == len(references) and "### BEGIN SOLUTION" in cell.source
        test = nb.cells[index + 1]
        assert _nbgrader(test) == {
            "grade": True, "solution": False, "locked": True, "points": check.points,
            "grade_id": f"test_{name}", "schema_version": 3,
        }  # fmt: skip
        args = ", ".join(defined)
        assert test.source == (
            f"result = batchnorm.check_{name}({args})\n"
            "### BEGIN HIDDEN TESTS\n"
            f"result = batchnorm.check_{name}({args}, hidden=True)\n"
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

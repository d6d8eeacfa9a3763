"""Notebook 03 (activations): its checks, its bug zoo and its explorer."""

from __future__ import annotations

import collections

import numpy as np
import pytest

from autograder import activations as checks
from autograder.bugzoo.activations import BUGS
from autograder.core import SEED_VARIABLE
from dlcore import functional as F
from dlcore.widgets.activations import ACTIVATIONS, activation_explorer, curves

GRADE_IDS = sorted(checks.CHECKS)


def blank(*args, **kwargs):
    raise NotImplementedError()


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, "20261121")


@pytest.mark.parametrize("grade_id", GRADE_IDS)
@pytest.mark.parametrize("hidden", [False, True])
def test_reference_scores_full_marks(grade_id, hidden, secret):
    check, reference = checks.CHECKS[grade_id]
    result = check(*reference, hidden=hidden)
    assert type(result.score) is float
    assert result.score == check.points, result.report()
    assert result.diagnoses == []


@pytest.mark.parametrize("grade_id", GRADE_IDS)
@pytest.mark.parametrize("seed", ["1", "2", "3"])
def test_reference_scores_full_marks_for_other_secret_seeds(grade_id, seed, monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, seed)
    check, reference = checks.CHECKS[grade_id]
    assert check(*reference, hidden=True).score == check.points


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_blank_scores_zero_as_not_implemented(grade_id, secret):
    check, _ = checks.CHECKS[grade_id]
    for hidden in (False, True):
        result = check(blank, blank, hidden=hidden)
        assert result.status == "not implemented"
        assert type(result.score) is float and result.score == 0.0


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_blank_backward_keeps_the_forward_points(grade_id):
    check, (forward, _) = checks.CHECKS[grade_id]
    result = check(forward, blank)
    assert 0.0 < result.score < check.points
    assert "not implemented yet" in result.report()


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_passing_check_writes_nothing_to_stderr(grade_id, secret, capfd):
    check, reference = checks.CHECKS[grade_id]
    check(*reference, hidden=True)
    captured = capfd.readouterr()
    assert captured.err == ""


def test_check_names_match_their_grade_ids():
    for grade_id, (check, reference) in checks.CHECKS.items():
        assert grade_id == f"test_{check.exercise}"
        assert len(reference) == 2


def test_every_exercise_has_at_least_three_bugs():
    counts = collections.Counter(bug.check.exercise for bug in BUGS)
    for grade_id, (check, _) in checks.CHECKS.items():
        assert counts[check.exercise] >= 3, grade_id


@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: f"{bug.check.exercise}: {bug.name}")
@pytest.mark.parametrize("hidden", [False, True])
def test_bug_loses_points_and_is_named(bug, hidden, secret, capfd):
    result = bug.check(*bug.implementation, hidden=hidden)
    assert type(result.score) is float
    assert result.score < bug.check.points, result.report()
    if bug.diagnosis is not None:
        assert any(bug.diagnosis in d for d in result.diagnoses), result.report()
    assert capfd.readouterr().err == ""


def test_overflow_warning_is_caught_not_printed(capfd):
    def naive(z):
        s = 1 / (1 + np.exp(-z))
        return s, s

    result = checks.check_sigmoid(naive, F.sigmoid_backward)
    assert any("no overflow warning" in s.name and not s.passed for s in result.subchecks)
    assert capfd.readouterr().err == ""


def test_forward_returning_only_the_output_is_explained():
    result = checks.check_relu(lambda z: np.maximum(z, 0), F.relu_backward)
    assert result.score == 0.0
    assert "must return a pair (out, cache)" in result.report()


def test_student_pair_is_used_when_it_runs(capsys):
    pair = checks.student_pair_or_reference(
        F.relu_forward, F.relu_backward, (F.sigmoid_forward, F.sigmoid_backward),
        np.ones((2, 3)), name="relu")
    assert pair == (F.relu_forward, F.relu_backward)
    assert capsys.readouterr().out == ""


def test_reference_pair_replaces_a_blank_one(capsys):
    reference = (F.relu_forward, F.relu_backward)
    pair = checks.student_pair_or_reference(F.relu_forward, blank, reference, np.ones((2, 3)),
                                            name="relu")
    assert pair == reference
    assert "relu is not implemented yet" in capsys.readouterr().out


# ------------------------------------------------------------------ explorer
def expected_result(name, parameter):
    forward, backward, key, _ = ACTIVATIONS[name]
    kwargs = {key: parameter} if key else {}
    z = np.array([-2.0, 0.0, 2.0])
    out, cache = forward(z, **kwargs)
    slope = backward(np.ones(3), cache)
    return out, slope


def check_result(result, name, parameter):
    out, slope = expected_result(name, parameter)
    assert result["activation"] == name
    assert [result["f(-2)"], result["f(0)"], result["f(2)"]] == pytest.approx(out)
    assert [result["f'(-2)"], result["f'(0)"], result["f'(2)"]] == pytest.approx(slope)
    key = ACTIVATIONS[name][2]
    assert result["parameter"] == (parameter if key else None)
    assert result["parameter_name"] == (key or "none")
    z = np.linspace(-8, 8, 20001)
    f = curves(name, parameter, z)[1]
    density = np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)
    assert result["mean f on N(0,1)"] == pytest.approx(np.trapezoid(f * density, z), abs=1e-5)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_explorer_result_matches_dlcore(name):
    explorer = activation_explorer(name, 0.35)
    check_result(explorer.result, name, 0.35)
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n" and len(explorer.image.value) > 1000


def test_explorer_follows_each_control():
    explorer = activation_explorer()
    explorer.controls["activation"].value = "elu"
    explorer.controls["parameter"].value = 1.7
    check_result(explorer.result, "elu", 1.7)
    png = explorer.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000


def test_explorer_set_updates_once_and_relabels_the_slider():
    explorer = activation_explorer("sigmoid", 1.0)
    before = explorer.updates
    result = explorer.set(activation="swish", parameter=2.0)
    assert explorer.updates == before + 1
    assert result["parameter"] == 2.0
    assert result["f'(0)"] == pytest.approx(0.5)
    assert explorer.controls["parameter"].description == "beta"
    explorer.set(activation="relu")
    assert explorer.controls["parameter"].disabled
    assert explorer.result["f'(0)"] == 0.0  # the backward's convention at the kink


def test_explorer_rejects_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation"):
        activation_explorer("gelu")

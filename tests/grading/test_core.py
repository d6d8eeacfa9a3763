"""autograder.core: results, scores as floats, blanks, student errors, silence, seeds."""

import warnings

import numpy as np
import pytest

from autograder.core import (
    CheckResult,
    call,
    compare,
    exercise,
    grading_seed,
    student_or_reference,
)


@exercise("double", points=2)
def check_double(result, double, *, hidden, rng):
    x = rng.standard_normal(7 if hidden else 3)
    got = call(double, x)
    result.add("values", expected=2 * x, got=got,
               diagnose=lambda want, have: "sign" if np.allclose(have, -want) else None)  # fmt: skip
    result.add("keeps the input", passed=True)


def test_a_correct_function_scores_full_marks_as_a_plain_float():
    result = check_double(lambda x: 2 * x)
    assert result.score == 2.0 and type(result.score) is float
    assert result.passed and "double: 2 / 2 points" in result.report()


def test_partial_credit_and_a_named_diagnosis():
    result = check_double(lambda x: -2 * x)
    assert result.score == 1.0
    assert result.diagnoses == ["sign"]
    assert "likely mistake: sign" in result.report()
    assert "values differ" in result.report()


def test_a_blank_exercise_scores_zero_as_not_implemented():
    def blank(x):
        raise NotImplementedError()

    result = check_double(blank)
    assert result.score == 0.0 and result.status == "not implemented"
    assert "not implemented yet" in result.report()
    assert "Traceback" not in result.report()


def test_a_student_error_becomes_one_line_naming_the_line():
    def broken(x):
        return x @ np.ones((5, 5))

    result = check_double(broken)
    assert result.score == 0.0
    assert "ValueError" in result.report() and "line" in result.report()


def test_a_passing_check_writes_nothing_to_stderr_even_when_the_student_warns(capfd):
    def noisy(x):
        warnings.warn("student warning", RuntimeWarning, stacklevel=1)
        np.log(np.zeros(1))  # a NumPy divide warning
        return 2 * x

    result = check_double(noisy, hidden=True)
    assert result.score == 2.0
    captured = capfd.readouterr()
    assert captured.err == ""


def test_hidden_cases_use_a_secret_seed(monkeypatch):
    monkeypatch.setenv("DLGRADE_SEED", "7")
    assert grading_seed("x", hidden=True) == grading_seed("x", hidden=True)
    assert grading_seed("x", hidden=True) != grading_seed("x", hidden=False)
    monkeypatch.setenv("DLGRADE_SEED", "8")
    changed = grading_seed("x", hidden=True)
    monkeypatch.setenv("DLGRADE_SEED", "7")
    assert changed != grading_seed("x", hidden=True)
    monkeypatch.delenv("DLGRADE_SEED")
    assert grading_seed("x", hidden=True) != grading_seed("x", hidden=True)  # fresh entropy


def test_a_function_that_only_passes_the_public_cases_fails_the_hidden_ones():
    public_x = np.random.default_rng(grading_seed("double", False)).standard_normal(3)

    def memorised(x):
        return 2 * public_x

    assert check_double(memorised).score == 2.0
    assert check_double(memorised, hidden=True).score < 2.0


@pytest.mark.parametrize(
    ("expected", "got", "message"),
    [
        (np.ones(3), None, "returned None"),
        (np.ones(3), np.ones((3, 1)), "expected shape (3,), got shape (3, 1)"),
        (np.ones(3), np.array([1.0, np.nan, 1.0]), "NaN or inf"),
        (np.ones(3), np.array([1.0, 2.0, 1.0]), "1 of 3 values differ; first at index (1,): expected 1, got 2"),
        (np.ones(2), "text", "expected a number or an array, got str"),
    ],
)
def test_compare_says_what_differs(expected, got, message):
    ok, detail = compare(expected, got)
    assert not ok and message in detail


def test_compare_is_not_fooled_by_an_array_subclass():
    class AlwaysEqual(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, dtype=bool)

    fake = np.zeros(3).view(AlwaysEqual)
    assert not compare(np.ones(3), fake)[0]


def test_call_passes_copies_so_a_mutating_student_cannot_change_the_inputs():
    x = np.ones(3)
    call(lambda a: a.fill(5.0), x)
    assert (x == 1).all()


def test_student_or_reference_falls_back_and_says_so(capsys):
    def blank(x):
        raise NotImplementedError()

    chosen = student_or_reference(blank, abs, -1.0, name="my_abs")
    assert chosen is abs
    assert "my_abs is not implemented yet" in capsys.readouterr().out
    assert student_or_reference(round, abs, 1.5) is round


def test_result_to_dict_is_plain_data():
    data = check_double(lambda x: -2 * x).to_dict()
    assert data["score"] == 1.0 and data["diagnoses"] == ["sign"]
    assert isinstance(CheckResult("x", 1.0).to_dict()["subchecks"], list)

"""autograder.checking: the comparison, diagnosis and calling helpers every notebook's checks share."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import checking
from autograder.checking import (
    FACTOR_2,
    KEEPDIMS,
    NON_FINITE,
    ONE_OVER_N,
    SIGN,
    TRANSPOSED,
    call_second,
    call_watching,
    diagnose,
    matches,
    numerical_gradient_of,
    record_unchanged,
    unpack,
)
from autograder.core import CheckResult, NotImplementedYet, StudentError, call_each
from dlcore import gradcheck

WANT = np.arange(1.0, 7.0).reshape(2, 3)


def blank(*args, **kwargs):
    raise NotImplementedError()


# ---------------------------------------------------------------- matches
def test_matches_needs_the_same_shape_and_close_values():
    assert matches(WANT, WANT + 1e-9)
    assert not matches(WANT, WANT + 1e-3)
    assert not matches(WANT, WANT.ravel())
    assert matches([1.0, 2.0], np.array([1.0, 2.0]))


def test_matches_never_matches_none():
    assert not matches(None, np.nan)
    assert not matches(WANT, None)


def test_matches_takes_the_tolerances_of_compare():
    assert matches(0.034, 0.0343, rtol=0, atol=5e-4)
    assert not matches(0.034, 0.035, rtol=0, atol=5e-4)


# ---------------------------------------------------------------- diagnose
@pytest.mark.parametrize(
    ("got", "phrase"),
    [
        (-WANT, SIGN),
        (WANT / 5, ONE_OVER_N),
        (WANT * 5, ONE_OVER_N),
        (WANT.T, TRANSPOSED),
        (2 * WANT, FACTOR_2),
        (WANT / 2, FACTOR_2),
        (WANT.reshape(1, 2, 3), KEEPDIMS),
        (np.where(WANT > 3, np.inf, WANT), NON_FINITE),
    ],
)
def test_diagnose_names_the_generic_slips(got, phrase):
    assert diagnose(WANT, got, batch_size=5) == phrase


def test_diagnose_names_a_square_transpose_by_its_values():
    square = np.arange(4.0).reshape(2, 2)
    assert diagnose(square, square.T) == TRANSPOSED
    assert diagnose(np.eye(2), np.eye(2) + 1) is None


def test_diagnose_names_nothing_it_cannot_explain():
    assert diagnose(WANT, WANT + 1) is None
    assert diagnose(WANT, np.ones(4)) is None
    assert diagnose(WANT, "not numbers") is None
    assert diagnose(np.zeros(3), np.ones(3)) is None  # no sign or factor of zero


def test_diagnose_needs_a_batch_size_for_one_over_n():
    assert diagnose(WANT, WANT * 5) is None


def test_diagnose_tries_the_candidates_first_in_order():
    candidates = [("the exercise's own mistake", -WANT), ("a later one", -WANT)]
    assert diagnose(WANT, -WANT, candidates=candidates) == "the exercise's own mistake"
    assert diagnose(WANT, WANT + 1, candidates={"off by one": WANT + 1}) == "off by one"


def test_diagnose_unique_names_nothing_when_two_mistakes_coincide():
    candidates = [("the exercise's own mistake", -WANT)]
    assert diagnose(WANT, -WANT, candidates=candidates, unique=True) is None
    assert diagnose(WANT, WANT + 1, candidates=[("off by one", WANT + 1)], unique=True) == (
        "off by one"
    )


def test_diagnoser_is_the_diagnose_argument_of_a_sub_check():
    result = CheckResult("demo", 1.0)
    result.add("values", expected=WANT, got=-WANT, diagnose=checking.diagnoser())
    assert result.diagnoses == [SIGN]


# ----------------------------------------------------------------- calling
def test_unpack_returns_a_tuple_of_the_expected_length():
    assert unpack([1, 2], 2, "f must return a pair") == (1, 2)


@pytest.mark.parametrize(
    ("value", "described"),
    [(0.5, "float"), ((1, 2, 3), "tuple of 3"), (np.zeros((4, 2)), "ndarray of shape (4, 2)"),
     (None, "None (did you forget `return`?)")],
)  # fmt: skip
def test_unpack_says_what_was_due_and_what_came(value, described):
    with pytest.raises(StudentError) as error:
        unpack(value, 2, "f must return a pair (out, cache)")
    assert str(error.value) == f"f must return a pair (out, cache); it returned {described}"


def test_call_watching_reports_an_array_changed_in_place():
    x = np.arange(3.0)

    def doubles_in_place(a, factor):
        a *= factor
        return a

    out, changed = call_watching(doubles_in_place, x, 2.0)
    assert changed and np.array_equal(out, [0.0, 2.0, 4.0])
    assert np.array_equal(x, [0.0, 1.0, 2.0])  # the caller's array is never touched
    assert call_watching(lambda a, factor: a * factor, x, 2.0)[1] is False


def test_call_watching_passes_keywords_and_turns_a_blank_into_not_implemented():
    assert call_watching(lambda a, *, h: a + h, np.zeros(2), h=1.0)[0].tolist() == [1.0, 1.0]
    with pytest.raises(NotImplementedYet):
        call_watching(blank, np.zeros(2))
    with pytest.raises(StudentError, match="expected a function"):
        call_watching(np.zeros(2))


def test_call_second_keeps_the_first_functions_points_when_the_second_is_blank():
    result = CheckResult("demo", 2.0)
    result.add("forward", True)
    assert call_second(result, "backward", 1, blank, np.zeros(2)) is None
    assert result.score == 1.0
    assert result.subchecks[-1].name == "backward: not implemented yet"
    assert call_second(result, "backward", 1, np.negative, np.ones(2))[0].tolist() == [-1, -1]


def test_record_unchanged_adds_a_sub_check_and_names_the_mistake():
    result = CheckResult("demo", 1.0)
    record_unchanged(result, False, "relu_forward", label="case 1: ")
    assert result.passed and result.subchecks[0].name == "case 1: relu_forward leaves its inputs unchanged"
    record_unchanged(result, True, "relu_forward", hint="z[z < 0] = 0 changes z")
    assert not result.passed
    assert result.diagnoses == [f"relu_forward {checking.MUTATES}: z[z < 0] = 0 changes z"]


def test_call_each_calls_in_order_and_stops_at_the_first_error():
    seen = []

    def picky(x, *, limit):
        seen.append(x)
        if x > limit:
            raise ValueError(f"{x} is too big")
        return x * 2

    assert call_each(picky, [((1,), {"limit": 5}), ((2,), {"limit": 5})]) == [2, 4]
    with pytest.raises(StudentError, match="ValueError: 7 is too big"):
        call_each(picky, [((7,), {"limit": 5}), ((3,), {"limit": 5})])
    assert seen == [1, 2, 7]


def test_numerical_gradient_of_gives_dlcores_numbers_in_one_batch():
    x = np.random.default_rng(0).normal(size=(2, 3))

    def cubes(p, *, scale):
        return scale * (p**3).sum()

    class Batched:  # how the trusted grader's RemoteFunction looks to call_each
        def __init__(self):
            self.batches = []

        def call_each(self, calls):
            self.batches.append(len(calls))
            return [cubes(*args, **kwargs) for args, kwargs in calls]

    batched = Batched()
    got = numerical_gradient_of(batched, x, lambda p: (p,), float, keywords={"scale": 2.0})
    want = gradcheck.numerical_gradient(lambda p: cubes(p, scale=2.0), x.copy())
    assert np.array_equal(got, want) and batched.batches == [2 * x.size]
    assert np.allclose(got, 6.0 * x**2, atol=1e-6)

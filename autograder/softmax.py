"""Checks of notebook 08, softmax classification: softmax, its cross-entropy, one-hot.

The exercises and what their checks compare, in float64, with dlcore at grading time:

- ``softmax(z)``: rows of logits (N, K) to rows of probabilities, on random
  logits, on the notes' example [5, 2, -1, 3], and on logits of +-1000 (finite,
  no overflow warning); square and non-square shapes, so that a max taken over
  the wrong axis or without ``keepdims`` shows;
- ``softmax_cross_entropy(logits, labels)`` and its gradient ``(softmax(z) - y) / N``:
  value, gradient, and the gradient against the numerical gradient of the
  student's own loss (a constant loss with a zero gradient fails the first two);
  the loss is the top of the graph, so its upstream gradient is 1;
- ``one_hot(labels, num_classes)``: the (N, K) matrix, with labels that do not
  reach the last class, so that ``labels.max() + 1`` columns shows.

Hidden cases use other shapes (a batch of one included) and a seed chosen at
grading time. The metrics and the digits classifier are checked in
:mod:`autograder.softmax_metrics`; ``CHECKS`` below lists all of the notebook's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import softmax_reference as ref
from .checking import (
    KEEPDIMS_BROADCAST,
    ONE_OVER_N,
    TRANSPOSED,
    call_second,
    call_watching,
    describe,
    diagnoser,
    numerical_gradient_of,
    record_unchanged,
    recording_warnings,
)
from .core import CheckResult, StudentError, exercise
from .softmax_metrics import check_accuracy, check_precision_recall_f1, check_train_digits

# ------------------------------------------------------------- the diagnoses
OVERFLOW = (
    "softmax overflows on large logits: subtract each row's maximum before np.exp "
    "(z - z.max(axis=1, keepdims=True)); the probabilities do not change"
)
WRONG_AXIS = (
    "the maximum or the sum is taken over the wrong axis: each example is a row, "
    "so reduce over axis=1 (the classes), not axis=0 (the examples)"
)
NO_KEEPDIMS = (
    "the row maxima (or sums) were subtracted without keepdims=True: an (N,) array "
    "lines up with the columns, not the rows; use z.max(axis=1, keepdims=True)"
)
GRADIENT_SIGN = "the gradient is y - yhat: it is yhat - y, softmax(z) - onehot(y), over N"
NO_ONE_HOT = "the gradient is softmax(z) / N: subtract the one-hot labels, (softmax(z) - y) / N"
UNSTABLE_LOSS = (
    "log(softmax(z)) is not finite for large logits: use the log-sum-exp form, "
    "log softmax(z) = (z - m) - log sum exp(z - m) with m the row maximum"
)
WRONG_CLASSES = (
    "one-hot with the wrong number of classes: the matrix has num_classes columns, "
    "whatever labels happen to be present (not labels.max() + 1)"
)
WHOLE_COLUMNS = (
    "whole columns set to 1: out[:, labels] = 1 sets every row; index pairs with "
    "out[np.arange(N), labels] = 1"
)
IN_PLACE_HINT = "e.g. z -= z.max(...) or np.exp(z, out=z) changes the caller's array"


# ------------------------------------------------------------------ helpers
def attempt(result: CheckResult, label: str, weight: float, body: Callable[[], Any]) -> Any:
    """Run ``body()``; if the student's code raises, record a failed sub-check and return None.

    A broadcasting error gets the keepdims diagnosis: it is nearly always a row
    maximum or sum of shape (N,) meeting an (N, K) array.
    """
    try:
        return body()
    except StudentError as error:
        result.add(f"{label}runs without error", False, weight=weight, message=str(error))
        if "broadcast" in str(error):
            result.diagnose(KEEPDIMS_BROADCAST)
        return None


def as_number(value: Any, what: str) -> float:
    """The student's loss as a float, or a StudentError saying it must be one number."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        array = None
    if array is None or array.size != 1:
        raise StudentError(f"{what} must return one number (the mean over the batch); "
                           f"it returned {describe(value)}")  # fmt: skip
    return float(array.reshape(()))


def random_logits(rng: np.random.Generator, shape: tuple[int, int], scale: float = 3.0):
    return scale * rng.standard_normal(shape)


def large_logits(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Logits of size about 1000 (both signs), rows spread over a few units."""
    offsets = rng.choice([-1000.0, 1000.0], size=(shape[0], 1))
    return offsets + 3.0 * rng.standard_normal(shape)


# ------------------------------------------------------------------- softmax
def naive_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_mistakes(z: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The wrong answers of the named softmax mistakes on the logits ``z``."""
    column_max = np.exp(z - z.max(axis=0, keepdims=True))
    wrong = [
        (WRONG_AXIS, column_max / column_max.sum(axis=1, keepdims=True)),
        (WRONG_AXIS, ref.softmax(z.T).T),
    ]
    if z.shape[0] == z.shape[1]:
        shifted = np.exp(z - z.max(axis=1))
        wrong.append((NO_KEEPDIMS, shifted / shifted.sum(axis=1, keepdims=True)))
        e = np.exp(z - z.max(axis=1, keepdims=True))
        wrong.append((NO_KEEPDIMS, e / e.sum(axis=1)))
    return wrong


def softmax_case(result: CheckResult, softmax: Any, z: np.ndarray, label: str,
                 watch: bool = False) -> bool:  # fmt: skip
    """One case: the probabilities (and, with ``watch``, no overflow warning)."""
    (got, changed), warned = recording_warnings(lambda: call_watching(softmax, z))
    mistakes = softmax_mistakes(z)
    if not np.isfinite(naive_softmax(z)).all():
        mistakes.insert(0, (OVERFLOW, naive_softmax(z)))
    result.add(f"{label}probabilities", expected=ref.softmax(z), got=got, weight=2,
               diagnose=diagnoser(mistakes, unique=True))  # fmt: skip
    if watch:
        result.add(f"{label}no overflow warning", not warned, weight=1,
                   message=f"NumPy warned: {warned[0]}" if warned else "")  # fmt: skip
        if any("overflow" in message for message in warned):
            result.diagnose(OVERFLOW)
    return changed


@exercise("softmax", points=2)
def check_softmax(result, softmax, *, hidden=False, rng):
    """Row-wise stable softmax of (N, K) logits."""
    prefix = "hidden: " if hidden else ""
    if hidden:
        cases = [(random_logits(rng, (1, int(rng.integers(3, 8)))), False),
                 (random_logits(rng, (int(rng.integers(5, 9)), 3)), False),
                 (random_logits(rng, (4, 4)), False),
                 (large_logits(rng, (int(rng.integers(2, 6)), 5)), True),
                 (large_logits(rng, (1, 3)), True)]  # fmt: skip
    else:
        cases = [(np.array([[5.0, 2.0, -1.0, 3.0]]), False),
                 (random_logits(rng, (4, 3)), False),
                 (random_logits(rng, (3, 3)), False),
                 (np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1003.0]]), True)]
    changed = False
    for z, watch in cases:
        label = f"{prefix}logits of shape {z.shape}{' near +-1000' if watch else ''}: "
        outcome = attempt(result, label, 2, lambda z=z, label=label, watch=watch:
                          softmax_case(result, softmax, z, label, watch))  # fmt: skip
        changed |= bool(outcome)
    record_unchanged(result, changed, "softmax", label=prefix, hint=IN_PLACE_HINT)


# ------------------------------------------------------------ cross-entropy
def cross_entropy_case(result, loss, gradient, logits, labels, label) -> bool:
    """Value, gradient, and the gradient against the numerical gradient of the student's loss."""
    n = logits.shape[0]
    value, changed = call_watching(loss, logits, labels)
    with np.errstate(all="ignore"):
        naive = -np.log(naive_softmax(logits)[np.arange(n), labels]).mean()
    value_mistakes = [(UNSTABLE_LOSS, naive)] if not np.isfinite(naive) else []
    result.add(f"{label}loss", expected=ref.softmax_cross_entropy(logits, labels), got=value,
               weight=2, diagnose=diagnoser(value_mistakes, n, unique=True))  # fmt: skip
    second = call_second(result, f"{label}gradient", 3, gradient, logits, labels)
    if second is None:
        return changed
    grad, changed_grad = second
    want = ref.softmax_cross_entropy_gradient(logits, labels)
    mistakes = [(GRADIENT_SIGN, -want), (NO_ONE_HOT, ref.softmax(logits) / n)]
    if n > 1:
        mistakes.append((ONE_OVER_N, want * n))
    result.add(f"{label}gradient", expected=want, got=grad, weight=2,
               diagnose=diagnoser(mistakes, n))  # fmt: skip
    as_number(value, "softmax_cross_entropy")
    if np.abs(logits).max() < 100:  # a numerical gradient of logits near 1000 says little

        numeric = numerical_gradient_of(
            loss, logits, lambda z: (z, labels),
            lambda value: as_number(value, "softmax_cross_entropy"))
        result.add(f"{label}gradient = numerical gradient of your loss", expected=numeric,
                   got=grad, rtol=1e-5, atol=1e-7, weight=1)  # fmt: skip
    return changed or changed_grad


def cross_entropy_large(result, loss, gradient, logits, labels, label) -> bool:
    """Logits near +-1000: finite, right, and no overflow warning."""
    (value, changed), warned = recording_warnings(lambda: call_watching(loss, logits, labels))
    result.add(f"{label}loss", expected=ref.softmax_cross_entropy(logits, labels), got=value,
               weight=1)  # fmt: skip
    if not np.isfinite(np.asarray(value, dtype=float)).all():
        result.diagnose(UNSTABLE_LOSS)
    second, warned_grad = recording_warnings(
        lambda: call_second(result, f"{label}gradient", 1, gradient, logits, labels))
    if second is not None:
        result.add(f"{label}gradient", got=second[0], weight=1,
                   expected=ref.softmax_cross_entropy_gradient(logits, labels))  # fmt: skip
        changed = changed or second[1]
    warned += warned_grad
    result.add(f"{label}no overflow warning", not warned, weight=1,
               message=f"NumPy warned: {warned[0]}" if warned else "")  # fmt: skip
    if warned:
        result.diagnose(UNSTABLE_LOSS if not warned_grad else OVERFLOW)
    return changed


@exercise("softmax_cross_entropy", points=3)
def check_softmax_cross_entropy(result, softmax_cross_entropy, softmax_cross_entropy_gradient,
                                *, hidden=False, rng):  # fmt: skip
    """-(1/N) sum log softmax(z)[y] from logits (N, K) and labels (N,); (softmax(z) - y) / N."""
    prefix = "hidden: " if hidden else ""
    shapes = [(1, int(rng.integers(3, 8))), (int(rng.integers(6, 12)), int(rng.integers(3, 6)))] \
        if hidden else [(4, 3), (6, 5)]  # fmt: skip
    changed = False
    pair = (softmax_cross_entropy, softmax_cross_entropy_gradient)
    for shape in shapes:
        logits = random_logits(rng, shape, scale=2.0)
        labels = rng.integers(0, shape[1], size=shape[0])
        label = f"{prefix}logits of shape {shape}: "
        changed |= bool(attempt(result, label, 5, lambda z=logits, y=labels, label=label:
                                cross_entropy_case(result, *pair, z, y, label)))  # fmt: skip
    shape = (int(rng.integers(2, 5)), 4) if hidden else (3, 4)
    logits = large_logits(rng, shape)
    labels = rng.integers(0, shape[1], size=shape[0])
    label = f"{prefix}logits near +-1000: "
    changed |= bool(attempt(result, label, 3, lambda: cross_entropy_large(
        result, *pair, logits, labels, label)))  # fmt: skip
    names = "softmax_cross_entropy/softmax_cross_entropy_gradient"
    record_unchanged(result, changed, names, label=prefix, hint=IN_PLACE_HINT)


# ------------------------------------------------------------------- one-hot
def one_hot_mistakes(labels: np.ndarray, k: int) -> list[tuple[str, np.ndarray]]:
    n = labels.shape[0]
    wrong = [(WRONG_CLASSES, np.eye(size)[labels])
             for size in {int(labels.max()) + 1, k + 1, k - 1} if size > labels.max()]
    columns = np.zeros((n, k))
    columns[:, labels] = 1.0
    wrong.append((WHOLE_COLUMNS, columns))
    if n != k:
        wrong.append((TRANSPOSED, np.eye(k)[labels].T))
    return wrong


def one_hot_case(result, one_hot, labels, k, label) -> bool:
    got, changed = call_watching(one_hot, labels, k)
    diagnose = diagnoser(one_hot_mistakes(labels, k))
    expected = ref.one_hot(labels, k)
    if np.shape(got) != expected.shape and np.ndim(got) == 2 and np.shape(got)[0] == len(labels):
        result.diagnose(WRONG_CLASSES)
    result.add(f"{label}one-hot matrix", expected=expected, got=got, weight=2, diagnose=diagnose)
    return changed


@exercise("one_hot", points=1)
def check_one_hot(result, one_hot, *, hidden=False, rng):
    """(N, num_classes) rows with a single 1, from integer labels (N,)."""
    prefix = "hidden: " if hidden else ""
    if hidden:
        k = int(rng.integers(4, 11))
        cases = [(rng.integers(0, k, size=1), k),
                 (rng.integers(0, k - 1, size=int(rng.integers(5, 15))), k),
                 (rng.integers(0, 3, size=3), 3)]  # fmt: skip
    else:
        cases = [(np.array([0, 2, 1, 2]), 3), (np.array([3, 0, 1, 3, 1]), 5)]
    changed = False
    for labels, k in cases:
        label = f"{prefix}{labels.shape[0]} labels, {k} classes: "
        changed |= bool(attempt(result, label, 2, lambda labels=labels, k=k, label=label:
                                one_hot_case(result, one_hot, labels, k, label)))  # fmt: skip
    record_unchanged(result, changed, "one_hot", label=prefix)


#: grade_id of each test cell -> (check, dlcore's reference functions, which score full marks)
CHECKS: dict[str, tuple[Callable[..., CheckResult], tuple[Callable[..., Any], ...]]] = {
    "test_softmax": (check_softmax, (ref.softmax,)),
    "test_softmax_cross_entropy": (
        check_softmax_cross_entropy,
        (ref.softmax_cross_entropy, ref.softmax_cross_entropy_gradient),
    ),
    "test_one_hot": (check_one_hot, (ref.one_hot,)),
    "test_accuracy": (check_accuracy, (ref.accuracy,)),
    "test_precision_recall_f1": (
        check_precision_recall_f1,
        (ref.precision_recall_f1, ref.macro_f1),
    ),
    "test_train_digits": (check_train_digits, (ref.train_digits_classifier,)),
}

__all__ = [
    "CHECKS",
    "check_accuracy",
    "check_one_hot",
    "check_precision_recall_f1",
    "check_softmax",
    "check_softmax_cross_entropy",
    "check_train_digits",
]

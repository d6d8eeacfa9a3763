"""Checks of notebook 08's metrics and of its digits classifier.

- ``accuracy(y_true, y_pred)``: the fraction right, with ``y_pred`` as labels (N,)
  or as scores (N, K) read with an argmax over each row;
- ``precision_recall_f1(y_true, y_pred, num_classes)``: three (K,) arrays, 0 where
  a ratio is 0/0, and ``macro_f1(y_true, y_pred, num_classes)``: the mean over the
  K classes of the per-class F1; on cases where some class is never predicted,
  so that a 0/0 shows, and where micro and macro F1 differ;
- ``train_digits_classifier(X_train, y_train, X_test, seed)``: the labels it
  predicts for a held-out split of dlcore's handwritten digits must be at least
  95 % right (a partial point from 90 %). Hidden cases use another split.

Expected values come from dlcore (:mod:`autograder.softmax_reference`) at grading time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcore.datasets import load_digits, train_test_split

from . import softmax_reference as ref
from .checking import call_second, call_watching, describe, diagnoser, record_unchanged
from .core import CheckResult, StudentError, exercise

# ------------------------------------------------------------- the diagnoses
COUNT = "a count, not a fraction: divide the number of correct predictions by N"
ERROR_RATE = "the error rate 1 - accuracy: count the predictions that equal the labels"
SCORES_AXIS = (
    "scores (N, K) read with an argmax over the wrong axis: each row is one example, "
    "so take y_pred.argmax(axis=1)"
)
SWAPPED = (
    "precision and recall swapped: precision divides TP by the number PREDICTED as the "
    "class (a column sum of the confusion matrix), recall by the number that truly ARE "
    "the class (a row sum)"
)
ZERO_OVER_ZERO = "NaN for a 0/0 ratio (a class never predicted): define it as 0"
ARITHMETIC_F1 = "F1 is the harmonic mean 2 P R / (P + R), not the arithmetic mean (P + R) / 2"
MICRO_F1 = (
    "micro F1 instead of macro F1: micro pools every class's counts (for single-label "
    "classes it equals the accuracy); macro F1 is the mean of the per-class F1 scores"
)
F1_OF_MACROS = (
    "the F1 of the macro precision and the macro recall: macro F1 is the mean of the "
    "per-class F1 scores"
)
MACRO_OVER_PRESENT = "macro F1 averaged over fewer classes: take the mean over all num_classes"
CHANCE = (
    "about one prediction in ten is right: chance level. Were the predictions for "
    "X_test in its own order, and was the network trained?"
)
RETURN_LABELS = (
    "return one integer label per test image, shape (M,): "
    "the argmax over axis 1 of the network's scores"
)


# ------------------------------------------------------------------ helpers
def label_cases(rng: np.random.Generator, hidden: bool) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """(y_true, y_pred, K): every class present in y_true, one class never predicted.

    Predictions are right about 60 % of the time and otherwise another class,
    never the last one, so that its precision is 0/0 and micro and macro F1 differ.
    """
    cases: list[tuple[np.ndarray, np.ndarray, int]] = []
    sizes = [(int(rng.integers(3, 6)), int(rng.integers(12, 30))), (3, 7)] if hidden \
        else [(3, 10), (4, 16)]  # fmt: skip
    for k, n in sizes:
        y_true = np.concatenate([np.arange(k), rng.integers(0, k, size=n - k)])
        rng.shuffle(y_true)
        wrong = rng.integers(0, k - 1, size=n)
        y_pred = np.where((rng.random(n) < 0.6) & (y_true != k - 1), y_true, wrong)
        cases.append((y_true, y_pred, k))
    return cases


def per_class_counts(y_true: np.ndarray, y_pred: np.ndarray, k: int):
    cm = np.zeros((k, k))
    np.add.at(cm, (y_true, y_pred), 1)
    return np.diag(cm), cm.sum(axis=0), cm.sum(axis=1)


def safe_ratio(top: Any, bottom: Any) -> np.ndarray:
    top, bottom = np.asarray(top, dtype=float), np.asarray(bottom, dtype=float)
    return np.divide(top, bottom, out=np.zeros_like(top), where=bottom != 0)


def f1_of(p: np.ndarray, r: np.ndarray) -> np.ndarray:
    return safe_ratio(2 * p * r, p + r)


# ------------------------------------------------------------------ accuracy
def accuracy_case(result: CheckResult, accuracy: Any, y_true, y_pred, label: str) -> bool:
    got, changed = call_watching(accuracy, y_true, y_pred)
    want = ref.accuracy(y_true, y_pred)
    n = len(y_true)
    mistakes = [(COUNT, want * n)] if n > 1 else []
    mistakes.append((ERROR_RATE, 1.0 - want))
    if y_pred.ndim == 2 and y_pred.shape[0] == y_pred.shape[1]:
        mistakes.append((SCORES_AXIS, float(np.mean(y_pred.argmax(axis=0) == y_true))))
    if np.ndim(got) == 1 and y_pred.ndim == 2 and len(got) == y_pred.shape[1] != n:
        result.diagnose(SCORES_AXIS)
    result.add(f"{label}accuracy", expected=want, got=got, weight=2,
               diagnose=diagnoser(mistakes, unique=True))  # fmt: skip
    return changed


@exercise("accuracy", points=1)
def check_accuracy(result, accuracy, *, hidden=False, rng):
    """The fraction of correct predictions, from labels (N,) or scores (N, K)."""
    prefix = "hidden: " if hidden else ""
    changed = False
    k = int(rng.integers(3, 7)) if hidden else 4
    for n in ([1, int(rng.integers(10, 30)), k] if hidden else [12, 4]):
        y_true = rng.integers(0, k, size=n)
        y_pred = np.where(rng.random(n) < 0.7, y_true, rng.integers(0, k, size=n))
        if n == 1:
            y_pred = (y_true + 1) % k  # a wrong single prediction: accuracy 0, error rate 1
        scores = rng.standard_normal((n, k))
        scores[np.arange(n), y_pred] += 4.0
        for given, what in ((y_pred, "labels"), (scores, "scores")):
            label = f"{prefix}N = {n}, {what}: "
            try:
                changed |= accuracy_case(result, accuracy, y_true, given, label)
            except StudentError as error:
                result.add(f"{label}runs without error", False, weight=2, message=str(error))
                if what == "scores" and "broadcast" in str(error):
                    result.diagnose(SCORES_AXIS)
    record_unchanged(result, changed, "accuracy", label=prefix)


# ------------------------------------------------------- precision, recall, F1
def metrics_case(result, precision_recall_f1, macro_f1, y_true, y_pred, k, label) -> bool:
    tp, predicted, actual = per_class_counts(y_true, y_pred, k)
    p_want, r_want, f_want = ref.precision_recall_f1(y_true, y_pred, k)
    out, changed = call_watching(precision_recall_f1, y_true, y_pred, k)
    if not (isinstance(out, (tuple, list)) and len(out) == 3):
        raise StudentError("precision_recall_f1 must return (precision, recall, f1), three "
                           f"arrays of shape ({k},); it returned {describe(out)}")  # fmt: skip
    precision, recall, f1 = out
    with np.errstate(all="ignore"):
        nan_precision = tp / predicted
        nan_recall = tp / actual
        nan_f1 = 2 * nan_precision * nan_recall / (nan_precision + nan_recall)
    swapped = [(SWAPPED, r_want)]
    result.add(f"{label}precision", expected=p_want, got=precision, weight=2,
               diagnose=diagnoser([*swapped, (ZERO_OVER_ZERO, nan_precision)]))  # fmt: skip
    result.add(f"{label}recall", expected=r_want, got=recall, weight=2,
               diagnose=diagnoser([(SWAPPED, p_want)]))  # fmt: skip
    result.add(f"{label}F1", expected=f_want, got=f1, weight=2,
               diagnose=diagnoser([(ARITHMETIC_F1, (p_want + r_want) / 2),
                                   (ZERO_OVER_ZERO, nan_f1)]))  # fmt: skip
    second = call_second(result, f"{label}macro F1", 2, macro_f1, y_true, y_pred, k)
    if second is None:
        return changed
    got, changed_macro = second
    present = (actual + predicted) > 0
    wrong = [(MICRO_F1, ref.accuracy(y_true, y_pred)),
             (F1_OF_MACROS, float(f1_of(p_want.mean(), r_want.mean()))),
             (MACRO_OVER_PRESENT, float(f_want[actual > 0].mean())),
             (MACRO_OVER_PRESENT, float(f_want[present].mean()))]  # fmt: skip
    result.add(f"{label}macro F1", expected=ref.macro_f1(y_true, y_pred, k), got=got, weight=2,
               diagnose=diagnoser(wrong, unique=True))  # fmt: skip
    return changed or changed_macro


@exercise("precision_recall_f1", points=2)
def check_precision_recall_f1(result, precision_recall_f1, macro_f1, *, hidden=False, rng):
    """Per-class precision, recall and F1 (0 for 0/0), and their macro F1."""
    prefix = "hidden: " if hidden else ""
    changed = False
    for y_true, y_pred, k in label_cases(rng, hidden):
        label = f"{prefix}N = {len(y_true)}, {k} classes: "
        try:
            changed |= metrics_case(result, precision_recall_f1, macro_f1, y_true, y_pred, k,
                                    label)  # fmt: skip
        except StudentError as error:
            result.add(f"{label}runs without error", False, weight=8, message=str(error))
    if hidden:  # a batch of one: one example, predicted wrong
        y_true, y_pred, k = np.array([1]), np.array([0]), 3
        try:
            changed |= metrics_case(result, precision_recall_f1, macro_f1, y_true, y_pred, k,
                                    f"{prefix}N = 1, {k} classes: ")  # fmt: skip
        except StudentError as error:
            result.add(f"{prefix}N = 1: runs without error", False, weight=8, message=str(error))
    record_unchanged(result, changed, "precision_recall_f1/macro_f1", label=prefix)


# --------------------------------------------------------------- the digits
#: Test accuracy for full marks, and for the partial point.
TARGET_ACCURACY, PARTIAL_ACCURACY = 0.95, 0.90


def digits_split(rng: np.random.Generator, hidden: bool):
    """A stratified split of dlcore's digits: 25 % test (public), 20-30 % (hidden)."""
    X, y = load_digits()
    test_size = float(rng.uniform(0.2, 0.3)) if hidden else 0.25
    return train_test_split(X, y, test_size=test_size, stratify=True, rng=rng)


@exercise("train_digits", points=3)
def check_train_digits(result, train_digits_classifier, *, hidden=False, rng):
    """At least 95 % of a held-out split of the digits right (a partial point from 90 %)."""
    prefix = "hidden: " if hidden else ""
    (X_train, y_train), (X_test, y_test) = digits_split(rng, hidden)
    seed = int(rng.integers(0, 2**16)) if hidden else 0
    label = f"{prefix}{len(y_train)} training, {len(y_test)} test images: "
    got, changed = call_watching(train_digits_classifier, X_train, y_train, X_test, seed)
    array = np.asarray(got) if got is not None else None
    shaped = array is not None and array.shape == y_test.shape
    integral = shaped and np.issubdtype(array.dtype, np.number) and bool(
        np.all(np.isfinite(array)) and np.all(array == np.round(array)))
    result.add(f"{label}one integer label per test image", bool(integral), weight=1,
               message="" if integral else f"expected shape {y_test.shape}, got {describe(got)}")
    if not integral:
        result.diagnose(RETURN_LABELS)
        result.add(f"{label}test accuracy >= {PARTIAL_ACCURACY:.0%}", False, weight=1)
        result.add(f"{label}test accuracy >= {TARGET_ACCURACY:.0%}", False, weight=3)
        return
    score = float(np.mean(array == y_test))
    shown = f"test accuracy {score:.1%}"
    result.add(f"{label}test accuracy >= {PARTIAL_ACCURACY:.0%}", score >= PARTIAL_ACCURACY,
               weight=1, message=shown)  # fmt: skip
    result.add(f"{label}test accuracy >= {TARGET_ACCURACY:.0%}", score >= TARGET_ACCURACY,
               weight=3, message=shown)  # fmt: skip
    if score < 0.2:
        result.diagnose(CHANCE)
    record_unchanged(result, changed, "train_digits_classifier", label=prefix,
                     hint="shuffle copies, or index with a permutation")  # fmt: skip


__all__ = ["check_accuracy", "check_precision_recall_f1", "check_train_digits"]

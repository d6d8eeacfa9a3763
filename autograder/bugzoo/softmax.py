"""Bug zoo of notebook 08, softmax: the wrong softmax, cross-entropy, one-hot, metrics and training.

Where only one function of a pair is wrong, the other is dlcore's reference
(:mod:`autograder.softmax_reference`), so the bug is the only mistake the check sees.
"""

from __future__ import annotations

import numpy as np

from .. import softmax as checks
from .. import softmax_metrics as metric_checks
from .. import softmax_reference as ref
from ..checking import KEEPDIMS_BROADCAST, MUTATES, ONE_OVER_N, TRANSPOSED
from . import Bug


# ------------------------------------------------------------------- softmax
def softmax_no_max(z):
    e = np.exp(z)  # overflows for logits near 1000
    return e / e.sum(axis=1, keepdims=True)


def softmax_max_over_examples(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_without_keepdims(z):
    e = np.exp(z - z.max(axis=1))
    return e / e.sum(axis=1, keepdims=True)


def softmax_over_examples(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_in_place(z):
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    return z / z.sum(axis=1, keepdims=True)


# ------------------------------------------------------------- cross-entropy
def cross_entropy_summed(logits, labels):
    return ref.softmax_cross_entropy(logits, labels) * logits.shape[0]


def cross_entropy_of_naive_softmax(logits, labels):
    p = softmax_no_max(logits)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))


def cross_entropy_constant(logits, labels):
    return 1.0


def gradient_zero(logits, labels):
    return np.zeros_like(logits)


def gradient_without_n(logits, labels):
    return ref.softmax(logits) - np.eye(logits.shape[1])[labels]


def gradient_y_minus_yhat(logits, labels):
    return (np.eye(logits.shape[1])[labels] - ref.softmax(logits)) / logits.shape[0]


def gradient_without_one_hot(logits, labels):
    return ref.softmax(logits) / logits.shape[0]


# ------------------------------------------------------------------- one-hot
def one_hot_from_present_labels(labels, num_classes):
    return np.eye(labels.max() + 1)[labels]


def one_hot_one_class_too_many(labels, num_classes):
    return np.eye(num_classes + 1)[labels]


def one_hot_whole_columns(labels, num_classes):
    out = np.zeros((len(labels), num_classes))
    out[:, labels] = 1.0
    return out


def one_hot_transposed(labels, num_classes):
    return np.eye(num_classes)[labels].T


# ------------------------------------------------------------------ accuracy
def accuracy_count(y_true, y_pred):
    labels = y_pred.argmax(axis=1) if y_pred.ndim == 2 else y_pred
    return float(np.sum(labels == y_true))


def accuracy_error_rate(y_true, y_pred):
    labels = y_pred.argmax(axis=1) if y_pred.ndim == 2 else y_pred
    return float(np.mean(labels != y_true))


def accuracy_argmax_over_examples(y_true, y_pred):
    labels = y_pred.argmax(axis=0) if y_pred.ndim == 2 else y_pred
    return float(np.mean(labels == y_true))


# ------------------------------------------------------- precision, recall, F1
def _counts(y_true, y_pred, k):
    cm = np.zeros((k, k))
    np.add.at(cm, (y_true, y_pred), 1)
    return np.diag(cm), cm.sum(axis=0), cm.sum(axis=1)


def _ratio(top, bottom):
    return np.divide(top, bottom, out=np.zeros_like(top, dtype=float), where=bottom != 0)


def prf_swapped(y_true, y_pred, num_classes):
    tp, predicted, actual = _counts(y_true, y_pred, num_classes)
    precision, recall = _ratio(tp, actual), _ratio(tp, predicted)
    return precision, recall, _ratio(2 * precision * recall, precision + recall)


def prf_nan_for_zero_over_zero(y_true, y_pred, num_classes):
    tp, predicted, actual = _counts(y_true, y_pred, num_classes)
    precision, recall = tp / predicted, tp / actual
    return precision, recall, 2 * precision * recall / (precision + recall)


def prf_arithmetic_f1(y_true, y_pred, num_classes):
    precision, recall, _ = ref.precision_recall_f1(y_true, y_pred, num_classes)
    return precision, recall, (precision + recall) / 2


def macro_f1_micro(y_true, y_pred, num_classes):
    return float(np.mean(y_true == y_pred))


def macro_f1_of_macro_averages(y_true, y_pred, num_classes):
    precision, recall, _ = ref.precision_recall_f1(y_true, y_pred, num_classes)
    p, r = precision.mean(), recall.mean()
    return float(2 * p * r / (p + r)) if p + r else 0.0


# ----------------------------------------------------------------- training
def digits_untrained(X_train, y_train, X_test, seed=0):
    return np.asarray(ref.build_digits_network(seed).predict(X_test)).argmax(axis=1)


def digits_test_rows_shuffled(X_train, y_train, X_test, seed=0):
    shuffled = X_test[np.random.default_rng(seed).permutation(len(X_test))]
    return ref.train_digits_classifier(X_train, y_train, shuffled, seed)


def digits_scores_not_labels(X_train, y_train, X_test, seed=0):
    labels = ref.train_digits_classifier(X_train, y_train, X_test, seed)
    return np.eye(10)[labels]


def digits_one_short_epoch(X_train, y_train, X_test, seed=0):
    model = ref.build_digits_network(seed, hidden=8)
    model.fit(X_train[:200], y_train[:200], epochs=1, batch_size=64, seed=seed, verbose=0)
    return np.asarray(model.predict(X_test)).argmax(axis=1)


BUGS = [
    Bug(checks.check_softmax, "no max subtracted: overflow", (softmax_no_max,), checks.OVERFLOW),
    Bug(checks.check_softmax, "max over the examples (axis 0)", (softmax_max_over_examples,),
        checks.WRONG_AXIS),
    Bug(checks.check_softmax, "max subtracted without keepdims", (softmax_without_keepdims,),
        KEEPDIMS_BROADCAST),
    Bug(checks.check_softmax, "normalised over the examples", (softmax_over_examples,),
        checks.WRONG_AXIS),
    Bug(checks.check_softmax, "logits changed in place", (softmax_in_place,), MUTATES),
    Bug(checks.check_softmax_cross_entropy, "loss summed, not averaged",
        (cross_entropy_summed, ref.softmax_cross_entropy_gradient), ONE_OVER_N),
    Bug(checks.check_softmax_cross_entropy, "log of an unstable softmax",
        (cross_entropy_of_naive_softmax, ref.softmax_cross_entropy_gradient),
        checks.UNSTABLE_LOSS),
    Bug(checks.check_softmax_cross_entropy, "gradient missing 1/N",
        (ref.softmax_cross_entropy, gradient_without_n), ONE_OVER_N),
    Bug(checks.check_softmax_cross_entropy, "gradient y - yhat",
        (ref.softmax_cross_entropy, gradient_y_minus_yhat), checks.GRADIENT_SIGN),
    Bug(checks.check_softmax_cross_entropy, "gradient without the one-hot",
        (ref.softmax_cross_entropy, gradient_without_one_hot), checks.NO_ONE_HOT),
    Bug(checks.check_softmax_cross_entropy, "constant loss, zero gradient",
        (cross_entropy_constant, gradient_zero)),
    Bug(checks.check_one_hot, "labels.max() + 1 classes", (one_hot_from_present_labels,),
        checks.WRONG_CLASSES),
    Bug(checks.check_one_hot, "one class too many", (one_hot_one_class_too_many,),
        checks.WRONG_CLASSES),
    Bug(checks.check_one_hot, "whole columns set", (one_hot_whole_columns,),
        checks.WHOLE_COLUMNS),
    Bug(checks.check_one_hot, "transposed", (one_hot_transposed,), TRANSPOSED),
    Bug(metric_checks.check_accuracy, "a count, not a fraction", (accuracy_count,),
        metric_checks.COUNT),
    Bug(metric_checks.check_accuracy, "the error rate", (accuracy_error_rate,),
        metric_checks.ERROR_RATE),
    Bug(metric_checks.check_accuracy, "argmax over the examples",
        (accuracy_argmax_over_examples,), metric_checks.SCORES_AXIS),
    Bug(metric_checks.check_precision_recall_f1, "precision and recall swapped",
        (prf_swapped, ref.macro_f1), metric_checks.SWAPPED),
    Bug(metric_checks.check_precision_recall_f1, "NaN for 0/0",
        (prf_nan_for_zero_over_zero, ref.macro_f1), metric_checks.ZERO_OVER_ZERO),
    Bug(metric_checks.check_precision_recall_f1, "F1 as the arithmetic mean",
        (prf_arithmetic_f1, ref.macro_f1), metric_checks.ARITHMETIC_F1),
    Bug(metric_checks.check_precision_recall_f1, "micro F1 for macro F1",
        (ref.precision_recall_f1, macro_f1_micro), metric_checks.MICRO_F1),
    Bug(metric_checks.check_precision_recall_f1, "F1 of the macro precision and recall",
        (ref.precision_recall_f1, macro_f1_of_macro_averages), metric_checks.F1_OF_MACROS),
    Bug(metric_checks.check_train_digits, "network never trained", (digits_untrained,)),
    Bug(metric_checks.check_train_digits, "test rows shuffled", (digits_test_rows_shuffled,),
        metric_checks.CHANCE),
    Bug(metric_checks.check_train_digits, "scores returned, not labels",
        (digits_scores_not_labels,), metric_checks.RETURN_LABELS),
    Bug(metric_checks.check_train_digits, "one short epoch on 200 images",
        (digits_one_short_epoch,)),
]

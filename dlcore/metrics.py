"""Classification metrics: accuracy, confusion matrix, precision, recall, F1, ROC AUC.

Every function accepts NumPy or CuPy arrays; they are brought to the host with
:func:`dlcore.backend.to_numpy` first, because metrics are small reductions that
end in a number for a person (or a grader) to read. Scores come back as plain
Python ``float`` values, the confusion matrix as an ``int64`` NumPy array.

Labels are integer class indices ``0 .. K-1`` of shape (N,). Whole-number floats
such as ``1.0`` are accepted as labels; any other float is an error, since it
usually means probabilities were passed where labels were expected.

A ratio whose denominator is zero (precision of a class that is never predicted,
recall of a class that never occurs) is defined here as 0.0, silently: no
warning, no NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcore.backend import to_numpy

__all__ = [
    "accuracy",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "precision",
    "recall",
    "roc_auc",
]

AVERAGES = ("binary", "macro", None)

_THRESHOLD_HINT = "e.g. (p > 0.5).astype(int)"


def _as_labels(name: str, y: Any) -> np.ndarray:
    """Validate one array of class labels and return it as int64 NumPy, shape (N,)."""
    arr = to_numpy(y)
    if arr.ndim != 1:
        hint = "; flatten a column of labels with y.ravel()" if 1 in arr.shape[:2] else ""
        raise ValueError(
            f"{name} must be a 1-D array of integer labels, shape (N,); "
            f"received shape {arr.shape}{hint}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; received an array of shape (0,)")
    if arr.dtype.kind in "biu":  # bool, signed or unsigned integer
        labels = arr.astype(np.int64)
    elif arr.dtype.kind == "f":
        # np.round leaves NaN and inf alone, so the isfinite test is what rejects them.
        whole = np.isfinite(arr) & (arr == np.round(arr))
        if not whole.all():
            bad = arr[~whole][0].item()
            raise ValueError(
                f"{name} must hold integer class labels; received the value {bad!r} "
                f"(dtype {arr.dtype}); if these are probabilities, threshold them first, "
                + _THRESHOLD_HINT
            )
        labels = arr.astype(np.int64)
    else:
        raise TypeError(
            f"{name} must hold integer class labels; received an array of dtype {arr.dtype}"
        )
    if labels.min() < 0:
        raise ValueError(f"{name} must hold labels >= 0; received the label {int(labels.min())}")
    return labels


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_lengths(y_true: np.ndarray, other: np.ndarray, other_name: str) -> None:
    if len(y_true) != len(other):
        raise ValueError(
            f"y_true and {other_name} must have the same length; "
            f"received len(y_true) = {len(y_true)} and len({other_name}) = {len(other)}"
        )


def _label_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``y_true`` and ``y_pred`` as labels of equal length."""
    true = _as_labels("y_true", y_true)
    pred = _as_labels("y_pred", y_pred)
    _check_lengths(true, pred, "y_pred")
    return true, pred


def _resolve_num_classes(num_classes: int | None, true: np.ndarray, pred: np.ndarray) -> int:
    """K: ``num_classes`` when given (checked against the labels), else max label + 1."""
    largest = int(max(true.max(), pred.max()))
    if num_classes is None:
        return largest + 1
    if not _is_int(num_classes) or num_classes < 1:
        raise ValueError(f"num_classes must be an integer >= 1 or None; received {num_classes!r}")
    if largest >= num_classes:
        where = "y_true" if int(true.max()) == largest else "y_pred"
        raise ValueError(
            f"{where} holds the label {largest}, but num_classes = {num_classes} "
            f"allows only labels 0..{num_classes - 1}"
        )
    return int(num_classes)


def _count_matrix(true: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """(K, K) counts: entry [i, j] is the number of samples of class i predicted as j."""
    return np.bincount(true * k + pred, minlength=k * k).reshape(k, k).astype(np.int64)


def _safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise numerator / denominator, with 0.0 where the denominator is 0."""
    out = np.zeros(numerator.shape, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _per_class(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall and F1 of every class from a confusion matrix, each (K,)."""
    tp = np.diag(cm).astype(np.float64)
    predicted = cm.sum(axis=0)  # tp + fp
    actual = cm.sum(axis=1)  # tp + fn, the support
    return {
        "precision": _safe_divide(tp, predicted),
        "recall": _safe_divide(tp, actual),
        # 2 tp / (2 tp + fp + fn) equals 2 P R / (P + R) and is 0 when P + R = 0.
        "f1": _safe_divide(2.0 * tp, predicted + actual),
    }


def _present(cm: np.ndarray) -> np.ndarray:
    """Boolean (K,): the classes that occur in y_true or in y_pred."""
    return (cm.sum(axis=0) + cm.sum(axis=1)) > 0


def _check_binary(true: np.ndarray, pred: np.ndarray, pos_label: int) -> None:
    if not _is_int(pos_label) or pos_label < 0:
        raise ValueError(f"pos_label must be an integer label >= 0; received {pos_label!r}")
    present = np.union1d(true, pred)
    if len(present) > 2:
        raise ValueError(
            f"average='binary' needs at most two classes, but y_true and y_pred hold "
            f"{len(present)} ({', '.join(str(c) for c in present[:10])}"
            f"{', ...' if len(present) > 10 else ''}); "
            "use average='macro' or average=None for multi-class labels"
        )
    if len(present) == 2 and pos_label not in present:
        raise ValueError(
            f"pos_label must be one of the labels present ({present[0]}, {present[1]}); "
            f"received {pos_label}"
        )


def _labels_or_argmax(name: str, y: Any) -> np.ndarray:
    """Labels (N,) as they are; scores or one-hot rows (N, K) reduced by argmax."""
    arr = to_numpy(y)
    if arr.ndim == 2:
        if arr.shape[1] < 2:
            raise ValueError(
                f"{name} of shape {arr.shape} has one column, which argmax cannot read; "
                f"threshold probabilities first, {_THRESHOLD_HINT}, or flatten labels with .ravel()"
            )
        if arr.shape[0] == 0:
            raise ValueError(f"{name} must not be empty; received shape {arr.shape}")
        arr = arr.argmax(axis=1)
    return _as_labels(name, arr)


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of samples whose predicted class equals the true class.

    ``accuracy = (1/N) * sum_i [y_true_i == y_pred_i]``

    Parameters
    ----------
    y_true : array, shape (N,) or (N, K)
        Integer labels, or one-hot rows (reduced with argmax over axis 1).
    y_pred : array, shape (N,) or (N, K)
        Integer labels, or scores / probabilities per class (argmax over axis 1),
        so that ``accuracy(y, model.predict(X))`` works directly.

    Returns
    -------
    float
        In [0, 1].
    """
    raw_true, raw_pred = to_numpy(y_true), to_numpy(y_pred)
    if raw_true.ndim == 2 and raw_pred.ndim == 2 and raw_true.shape[1] != raw_pred.shape[1]:
        raise ValueError(
            f"y_true and y_pred must have the same number of columns (classes); "
            f"received shapes {raw_true.shape} and {raw_pred.shape}"
        )
    true = _labels_or_argmax("y_true", raw_true)
    pred = _labels_or_argmax("y_pred", raw_pred)
    _check_lengths(true, pred, "y_pred")
    return float(np.mean(true == pred))


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """Count, for every pair of classes (i, j), the samples of class i predicted as j.

    Parameters
    ----------
    y_true, y_pred : array of int, shape (N,)
        True and predicted labels in ``0 .. K-1``.
    num_classes : int, optional
        K. Inferred as ``max(y_true.max(), y_pred.max()) + 1`` when None.

    Returns
    -------
    numpy.ndarray of int64, shape (K, K)
        Rows are true classes, columns predicted classes; the diagonal holds the
        correct predictions and the whole matrix sums to N.
    """
    true, pred = _label_pair(y_true, y_pred)
    k = _resolve_num_classes(num_classes, true, pred)
    return _count_matrix(true, pred, k)


def _class_metric(
    metric: str,
    y_true: Any,
    y_pred: Any,
    average: str | None,
    pos_label: int,
    num_classes: int | None,
) -> float | list[float]:
    """Shared body of :func:`precision`, :func:`recall` and :func:`f1_score`."""
    if average not in AVERAGES:
        raise ValueError(f"average must be 'binary', 'macro' or None; received {average!r}")
    true, pred = _label_pair(y_true, y_pred)
    k = _resolve_num_classes(num_classes, true, pred)
    if average == "binary":
        _check_binary(true, pred, pos_label)
        if pos_label >= k:
            if num_classes is not None:
                raise ValueError(
                    f"pos_label = {pos_label} is not a class when num_classes = {num_classes}"
                )
            k = int(pos_label) + 1  # e.g. all labels 0: the positive class is simply absent
    cm = _count_matrix(true, pred, k)
    values = _per_class(cm)[metric]
    if average == "binary":
        return float(values[pos_label])
    if average == "macro":
        return float(np.mean(values[_present(cm)]))
    return [float(v) for v in values]


def precision(
    y_true: Any,
    y_pred: Any,
    *,
    average: str | None = "binary",
    pos_label: int = 1,
    num_classes: int | None = None,
) -> float | list[float]:
    """Of the samples predicted as class c, the fraction that truly are c.

    ``precision_c = TP_c / (TP_c + FP_c)`` (column c of the confusion matrix).

    Parameters
    ----------
    y_true, y_pred : array of int, shape (N,)
        True and predicted labels in ``0 .. K-1``.
    average : {"binary", "macro", None}, default "binary"
        ``"binary"``: the score of class ``pos_label`` (the labels may hold at most
        two classes). ``"macro"``: the unweighted mean of the per-class scores over
        the classes that occur in y_true or y_pred. ``None``: the list of all K.
    pos_label : int, default 1
        The positive class for ``average="binary"``.
    num_classes : int, optional
        K; inferred as max label + 1 when None.

    Returns
    -------
    float, or list of K floats when ``average`` is None
        Each in [0, 1]; 0.0 where the denominator is zero.
    """
    return _class_metric("precision", y_true, y_pred, average, pos_label, num_classes)


def recall(
    y_true: Any,
    y_pred: Any,
    *,
    average: str | None = "binary",
    pos_label: int = 1,
    num_classes: int | None = None,
) -> float | list[float]:
    """Of the samples of class c, the fraction predicted as c (sensitivity, TPR).

    ``recall_c = TP_c / (TP_c + FN_c)`` (row c of the confusion matrix).
    Parameters and return value as in :func:`precision`.
    """
    return _class_metric("recall", y_true, y_pred, average, pos_label, num_classes)


def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    average: str | None = "binary",
    pos_label: int = 1,
    num_classes: int | None = None,
) -> float | list[float]:
    """Harmonic mean of precision and recall, per class.

    ``F1_c = 2 P_c R_c / (P_c + R_c) = 2 TP_c / (2 TP_c + FP_c + FN_c)``.
    The macro F1 is the mean of the per-class F1 values, not the harmonic mean of
    the macro precision and macro recall. Parameters and return value as in
    :func:`precision`.
    """
    return _class_metric("f1", y_true, y_pred, average, pos_label, num_classes)


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..N of ``values`` (N,); tied values all get the mean of their ranks."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    last = np.cumsum(counts)  # rank of the last member of each group of equal values
    first = last - counts + 1
    return ((first + last) / 2.0)[inverse.reshape(-1)]


def roc_auc(y_true: Any, scores: Any) -> float:
    """Area under the ROC curve, computed from ranks (Mann–Whitney U).

    The AUC is the probability that a randomly drawn positive sample scores
    higher than a randomly drawn negative one, a tie counting one half:

    ``AUC = (R_pos - n_pos (n_pos + 1) / 2) / (n_pos * n_neg)``

    where ``R_pos`` is the sum of the ranks (1..N, ties given their average rank)
    of the positive samples' scores.

    Parameters
    ----------
    y_true : array of int, shape (N,)
        Binary labels in {0, 1}; both must occur.
    scores : array of float, shape (N,)
        Any real scores (probabilities, logits, margins); larger means "more positive".

    Returns
    -------
    float
        In [0, 1]; 0.5 for an uninformative ranking, 1.0 for a perfect one.
    """
    labels = _as_labels("y_true", y_true)
    values = to_numpy(scores)
    if values.ndim != 1:
        raise ValueError(
            f"scores must be a 1-D array of real numbers, shape (N,); received shape {values.shape}"
        )
    if values.dtype.kind not in "biuf":  # bool, signed, unsigned, float
        raise TypeError(f"scores must hold real numbers; received an array of dtype {values.dtype}")
    values = values.astype(np.float64)
    _check_lengths(labels, values, "scores")
    if not np.isfinite(values).all():
        raise ValueError("scores must be finite; received NaN or inf")
    if labels.max() > 1:
        raise ValueError(
            f"y_true must hold binary labels 0 and 1; received the label {int(labels.max())}"
        )
    n_pos = int(labels.sum())
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError(
            f"roc_auc needs both classes in y_true; received only class {int(labels[0])} "
            f"({len(labels)} samples), for which the AUC is undefined"
        )
    rank_sum = _average_ranks(values)[labels == 1].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def classification_report(y_true: Any, y_pred: Any, num_classes: int | None = None) -> str:
    """A text table of precision, recall, F1 and support for every class.

    Parameters
    ----------
    y_true, y_pred : array of int, shape (N,)
        True and predicted labels in ``0 .. K-1``.
    num_classes : int, optional
        K; inferred as max label + 1 when None.

    Returns
    -------
    str
        One row per class, then an ``accuracy`` row and a ``macro avg`` row (means
        over the classes that occur in y_true or y_pred; its support is N).
    """
    true, pred = _label_pair(y_true, y_pred)
    k = _resolve_num_classes(num_classes, true, pred)
    cm = _count_matrix(true, pred, k)
    scores = _per_class(cm)
    support = cm.sum(axis=1)
    present = _present(cm)
    columns = ("precision", "recall", "f1")
    width = max(len("macro avg"), len(str(k - 1)))

    def row(name: str, numbers: list[float | None], count: int) -> str:
        cells = "".join(f"{'' if x is None else f'{x:.3f}':>11}" for x in numbers)
        return f"{name:>{width}}{cells}{count:>10}"

    header = f"{'':>{width}}{'precision':>11}{'recall':>11}{'f1-score':>11}{'support':>10}"
    lines = [header, ""]
    for c in range(k):
        lines.append(row(str(c), [float(scores[m][c]) for m in columns], int(support[c])))
    lines.append("")
    lines.append(row("accuracy", [None, None, float(np.mean(true == pred))], len(true)))
    macro = [float(np.mean(scores[m][present])) for m in columns]
    lines.append(row("macro avg", macro, len(true)))
    return "\n".join(lines)

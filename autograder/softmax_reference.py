"""The references of notebook 08's exercises, computed by dlcore.

dlcore owns the maths: :func:`dlcore.functional.softmax_forward` (stable softmax),
:class:`dlcore.losses.SoftmaxCrossEntropy` (the fused loss, with the 1/N in its
gradient), :mod:`dlcore.metrics` (accuracy, precision, recall, F1) and the
:class:`dlcore.models.Sequential` that learns the digits. The functions here
present them with the signatures the notebook asks the student for, so that the
checks of :mod:`autograder.softmax` compare with dlcore at grading time and the
notebook's later cells can fall back on them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcore import Dense, ReLU, Sequential, metrics
from dlcore import functional as F
from dlcore.losses import SoftmaxCrossEntropy
from dlcore.optimizers import Adam

__all__ = [
    "DIGITS_NETWORK",
    "accuracy",
    "macro_f1",
    "one_hot",
    "precision_recall_f1",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_gradient",
    "train_digits_classifier",
]

#: The reference digits network: hidden units, epochs, batch size, Adam's learning rate.
DIGITS_NETWORK = {"hidden": 64, "epochs": 20, "batch_size": 64, "lr": 0.01}


def softmax(z: Any) -> np.ndarray:
    """Row-wise softmax of logits (N, K), stable for any logits."""
    return F.softmax_forward(np.asarray(z, dtype=float), axis=1)[0]


def softmax_cross_entropy(logits: Any, labels: Any) -> float:
    """-(1/N) sum_n log softmax(z_n)[y_n], with integer labels y (N,)."""
    return SoftmaxCrossEntropy().forward(np.asarray(logits, dtype=float), labels)


def softmax_cross_entropy_gradient(logits: Any, labels: Any) -> np.ndarray:
    """(softmax(z) - onehot(y)) / N, shape (N, K)."""
    loss = SoftmaxCrossEntropy()
    loss.forward(np.asarray(logits, dtype=float), labels)
    return loss.backward()


def one_hot(labels: Any, num_classes: int) -> np.ndarray:
    """(N, num_classes) float64 rows with a 1 in column labels[n]."""
    return np.eye(int(num_classes))[np.asarray(labels, dtype=int)]


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of correct predictions; y_pred may be labels (N,) or scores (N, K)."""
    return metrics.accuracy(y_true, y_pred)


def precision_recall_f1(
    y_true: Any, y_pred: Any, num_classes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall and F1, each (num_classes,); 0 where a ratio is 0/0."""
    return tuple(  # type: ignore[return-value]
        np.array(metric(y_true, y_pred, average=None, num_classes=num_classes))
        for metric in (metrics.precision, metrics.recall, metrics.f1_score)
    )


def macro_f1(y_true: Any, y_pred: Any, num_classes: int) -> float:
    """The mean over all num_classes classes of the per-class F1 scores."""
    per_class = metrics.f1_score(y_true, y_pred, average=None, num_classes=num_classes)
    return float(np.mean(per_class))


def build_digits_network(seed: int, hidden: int = DIGITS_NETWORK["hidden"]) -> Sequential:
    """64 -> hidden (ReLU) -> 10 logits, compiled with Adam and SoftmaxCrossEntropy."""
    model = Sequential([Dense(64, hidden, seed=seed), ReLU(), Dense(hidden, 10, seed=seed + 1)])
    model.compile(optimizer=Adam(lr=DIGITS_NETWORK["lr"]), loss="softmax_cross_entropy")
    return model


def train_digits_classifier(X_train: Any, y_train: Any, X_test: Any, seed: int = 0) -> np.ndarray:
    """Train the reference MLP on (X_train, y_train); return its labels (M,) for X_test."""
    model = build_digits_network(seed)
    model.fit(X_train, y_train, epochs=DIGITS_NETWORK["epochs"],
              batch_size=DIGITS_NETWORK["batch_size"], seed=seed, verbose=0)  # fmt: skip
    return np.asarray(model.predict(X_test)).argmax(axis=1)

"""The references of notebook 04's exercises: dlcore's losses as pairs of plain functions.

dlcore owns the maths (:mod:`dlcore.losses`: a loss object's ``forward`` gives
the mean loss of a batch, its ``backward`` the gradient, with the 1/N inside).
The notebook asks the student for each loss as two functions,
``loss(pred, target) -> float`` and ``loss_gradient(pred, target) -> dL/dpred``;
the functions here are those two functions computed by dlcore, so that the
checks of :mod:`autograder.losses` compare with dlcore at grading time, and the
notebook's later cells can fall back on them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcore.losses import (
    MAE,
    MSE,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    Loss,
    SparseCategoricalCrossEntropy,
)

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_gradient",
    "categorical_cross_entropy",
    "categorical_cross_entropy_gradient",
    "hinge",
    "hinge_gradient",
    "huber",
    "huber_gradient",
    "kl_divergence",
    "kl_divergence_gradient",
    "log_cosh",
    "log_cosh_gradient",
    "mae",
    "mae_gradient",
    "mse",
    "mse_gradient",
    "sparse_categorical_cross_entropy",
    "sparse_categorical_cross_entropy_gradient",
]


def _value(loss: Loss, pred: Any, target: Any) -> float:
    return loss.forward(pred, target)


def _gradient(loss: Loss, pred: Any, target: Any) -> np.ndarray:
    loss.forward(pred, target)
    return loss.backward()


def mse(pred: Any, target: Any) -> float:
    """dlcore's MSE: (1/M) sum (pred - target)^2 over all M entries."""
    return _value(MSE(), pred, target)


def mse_gradient(pred: Any, target: Any) -> np.ndarray:
    """2 (pred - target) / M."""
    return _gradient(MSE(), pred, target)


def mae(pred: Any, target: Any) -> float:
    """dlcore's MAE: (1/M) sum |pred - target|."""
    return _value(MAE(), pred, target)


def mae_gradient(pred: Any, target: Any) -> np.ndarray:
    """sign(pred - target) / M, 0 where pred == target."""
    return _gradient(MAE(), pred, target)


def huber(pred: Any, target: Any, delta: float = 1.0) -> float:
    """dlcore's Huber loss with threshold ``delta``."""
    return _value(Huber(delta), pred, target)


def huber_gradient(pred: Any, target: Any, delta: float = 1.0) -> np.ndarray:
    """clip(pred - target, -delta, delta) / M."""
    return _gradient(Huber(delta), pred, target)


def log_cosh(pred: Any, target: Any) -> float:
    """dlcore's log-cosh loss: (1/M) sum log(cosh(pred - target)), computed stably."""
    return _value(LogCosh(), pred, target)


def log_cosh_gradient(pred: Any, target: Any) -> np.ndarray:
    """tanh(pred - target) / M."""
    return _gradient(LogCosh(), pred, target)


def binary_cross_entropy(logits: Any, target: Any) -> float:
    """dlcore's binary cross-entropy from logits (stable for any logit), mean over M."""
    return _value(BinaryCrossEntropy(from_logits=True), logits, target)


def binary_cross_entropy_gradient(logits: Any, target: Any) -> np.ndarray:
    """(sigmoid(z) - t) / M."""
    return _gradient(BinaryCrossEntropy(from_logits=True), logits, target)


def categorical_cross_entropy(probs: Any, target: Any) -> float:
    """dlcore's categorical cross-entropy of probability rows (N, K), mean over the N rows."""
    return _value(CategoricalCrossEntropy(), probs, target)


def categorical_cross_entropy_gradient(probs: Any, target: Any) -> np.ndarray:
    """-t / max(p, eps) / N."""
    return _gradient(CategoricalCrossEntropy(), probs, target)


def sparse_categorical_cross_entropy(probs: Any, labels: Any) -> float:
    """dlcore's cross-entropy of probability rows (N, K) with integer labels (N,)."""
    return _value(SparseCategoricalCrossEntropy(), probs, labels)


def sparse_categorical_cross_entropy_gradient(probs: Any, labels: Any) -> np.ndarray:
    """-onehot(labels) / max(p, eps) / N, shape (N, K)."""
    return _gradient(SparseCategoricalCrossEntropy(), probs, labels)


def hinge(scores: Any, target: Any) -> float:
    """dlcore's hinge loss: (1/N) sum max(0, 1 - t s), targets -1/+1."""
    return _value(Hinge(), scores, target)


def hinge_gradient(scores: Any, target: Any) -> np.ndarray:
    """-t [1 - t s > 0] / N."""
    return _gradient(Hinge(), scores, target)


def kl_divergence(pred: Any, target: Any) -> float:
    """dlcore's KL(target || pred) of probability rows (N, K), mean over the N rows."""
    return _value(KLDivergence(), pred, target)


def kl_divergence_gradient(pred: Any, target: Any) -> np.ndarray:
    """-target / max(pred, eps) / N."""
    return _gradient(KLDivergence(), pred, target)

"""Bug zoo of notebook 04, losses: wrong (loss, gradient) pairs that students write.

Where only one half of a pair is wrong, the other half is dlcore's reference
(:mod:`autograder.loss_reference`), so the bug is the only mistake the check can see.
"""

from __future__ import annotations

import numpy as np

from .. import loss_mistakes as M
from .. import loss_reference as ref
from .. import losses as checks
from ..checking import ONE_OVER_N, SIGN
from . import Bug


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))  # the textbook formula: exp(-z) overflows for z = -1000


# ----------------------------------------------------------------------- MSE
def mse_sum(pred, target):
    return float(np.sum((pred - target) ** 2))


def mse_over_rows(pred, target):
    return float(np.sum((pred - target) ** 2) / pred.shape[0])


def mse_gradient_notes_sign(pred, target):
    return 2 * (target - pred) / pred.size


def mse_gradient_no_two(pred, target):
    return (pred - target) / pred.size


def mse_gradient_no_mean(pred, target):
    return 2 * (pred - target)


def mse_constant(pred, target):
    return 1.0


def mse_gradient_zero(pred, target):
    return np.zeros_like(pred)


# ----------------------------------------------------------------------- MAE
def mae_no_abs(pred, target):
    return float(np.mean(pred - target))


def mae_gradient_ties_positive(pred, target):
    return np.where(pred - target >= 0, 1.0, -1.0) / pred.size


def mae_gradient_r_over_abs(pred, target):
    r = pred - target
    return r / np.abs(r) / pred.size


def mae_gradient_like_mse(pred, target):
    return (pred - target) / pred.size


def mae_gradient_no_mean(pred, target):
    return np.sign(pred - target)


# --------------------------------------------------------------------- Huber
def huber_no_half(pred, target, delta=1.0):
    a = np.abs(pred - target)
    return float(np.mean(np.where(a <= delta, a**2, delta * (a - delta / 2))))


def huber_not_joined(pred, target, delta=1.0):
    a = np.abs(pred - target)
    return float(np.mean(np.where(a <= delta, a**2 / 2, delta * a)))


def huber_fixed_delta(pred, target, delta=1.0):
    a = np.abs(pred - target)
    return float(np.mean(np.where(a <= 1.0, a**2 / 2, a - 0.5)))


def huber_gradient_not_clipped(pred, target, delta=1.0):
    return (pred - target) / pred.size


def huber_gradient_unit_slope(pred, target, delta=1.0):
    r = pred - target
    return np.where(np.abs(r) <= delta, r, np.sign(r)) / pred.size


def huber_wrong_default(pred, target, delta=1.35):
    return ref.huber(pred, target, delta)


# ------------------------------------------------------------------ log-cosh
def log_cosh_naive(pred, target):
    return float(np.mean(np.log(np.cosh(pred - target))))  # cosh(1000) = inf


def log_cosh_no_log2(pred, target):
    a = np.abs(pred - target)
    return float(np.mean(a + np.log1p(np.exp(-2 * a))))


def log_cosh_exp_once(pred, target):
    a = np.abs(pred - target)
    return float(np.mean(a + np.log1p(np.exp(-a)) - np.log(2)))


def log_cosh_gradient_sech(pred, target):
    return (1 - np.tanh(pred - target) ** 2) / pred.size


def log_cosh_gradient_sinh_cosh(pred, target):
    r = pred - target
    return np.sinh(r) / np.cosh(r) / pred.size  # inf / inf = NaN for |r| = 1000


# -------------------------------------------------------------- binary CE
def bce_naive(logits, target):
    p = _sigmoid(logits)
    return float(np.mean(-(target * np.log(p) + (1 - target) * np.log(1 - p))))


def bce_notes_bracket(logits, target):
    p = _stable_sigmoid(logits)
    return float(np.mean(-target * np.log(p) + (1 - target) * np.log(1 - p)))


def bce_gradient_sign(logits, target):
    return (target - _stable_sigmoid(logits)) / logits.size


def bce_gradient_for_probabilities(logits, target):
    p = _stable_sigmoid(logits)
    return (p - target) / (p * (1 - p)) / logits.size


def bce_gradient_no_sigmoid(logits, target):
    return (logits - target) / logits.size


def bce_gradient_naive_sigmoid(logits, target):
    return (_sigmoid(logits) - target) / logits.size


def _stable_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# --------------------------------------------------------- categorical CE
def cce_unclipped(probs, target):
    return float(-(target * np.log(probs)).sum() / probs.shape[0])  # 0 * log 0 = NaN


def cce_mean_over_entries(probs, target):
    return float(-(target * np.log(np.maximum(probs, 1e-12))).mean())


def cce_argmax_only(probs, target):
    rows = np.arange(probs.shape[0])
    return float(-np.log(probs[rows, target.argmax(axis=1)]).mean())


def cce_gradient_for_logits(probs, target):
    return (probs - target) / probs.shape[0]


def cce_gradient_unclipped(probs, target):
    return -target / probs / probs.shape[0]  # 0 / 0 = NaN where p = 0


def cce_gradient_no_target(probs, target):
    return -1 / np.maximum(probs, 1e-12) / probs.shape[0]


# ---------------------------------------------------------------- sparse CE
def sparse_columns(probs, labels):
    return float(-np.log(probs[:, labels]).mean())


def sparse_one_hot_unclipped(probs, labels):
    one_hot = np.eye(probs.shape[1])[labels]
    return float(-(one_hot * np.log(probs)).sum() / probs.shape[0])


def sparse_gradient_dense(probs, labels):
    return -1 / np.maximum(probs, 1e-12) / probs.shape[0]


def sparse_gradient_vector(probs, labels):
    rows = np.arange(probs.shape[0])
    return -1 / probs[rows, labels] / probs.shape[0]


def sparse_gradient_columns(probs, labels):
    rows, grad = np.arange(probs.shape[0]), np.zeros_like(probs)
    grad[:, labels] = -1 / probs[rows, labels] / probs.shape[0]
    return grad


def sparse_gradient_for_logits(probs, labels):
    return (probs - np.eye(probs.shape[1])[labels]) / probs.shape[0]


# --------------------------------------------------------------------- hinge
def hinge_perceptron(scores, target):
    return float(np.maximum(0, -target * scores).mean())


def hinge_no_max(scores, target):
    return float((1 - target * scores).mean())


def hinge_gradient_no_mask(scores, target):
    return -target / scores.size


def hinge_gradient_at_one(scores, target):
    return -target * (target * scores <= 1) / scores.size


def hinge_gradient_no_target(scores, target):
    return -(target * scores < 1).astype(float) / scores.size


def hinge_gradient_sign(scores, target):
    return target * (target * scores < 1) / scores.size


# ------------------------------------------------------------------------ KL
def kl_swapped(pred, target):
    return float((pred * np.log(pred / target)).sum() / pred.shape[0])


def kl_unguarded(pred, target):
    return float((target * np.log(target / pred)).sum() / pred.shape[0])  # 0 log 0 = NaN


def kl_as_cross_entropy(pred, target):
    return float(-(target * np.log(pred)).sum() / pred.shape[0])


def kl_gradient_swapped(pred, target):
    return (np.log(pred / target) + 1) / pred.shape[0]


def kl_gradient_summand(pred, target):
    return np.log(target / pred) / pred.shape[0]


def kl_gradient_no_mean(pred, target):
    return -target / pred


# ----------------------------------------------------------------- the zoo
BUGS = [
    Bug(checks.check_mse, "MSE summed, not averaged", (mse_sum, ref.mse_gradient), ONE_OVER_N),
    Bug(checks.check_mse, "MSE averaged over rows", (mse_over_rows, ref.mse_gradient),
        M.MEAN_OVER_ROWS),
    Bug(checks.check_mse, "gradient with the notes' sign", (ref.mse, mse_gradient_notes_sign),
        M.NOTES_SIGN),
    Bug(checks.check_mse, "gradient without the 2", (ref.mse, mse_gradient_no_two), M.MSE_NO_TWO),
    Bug(checks.check_mse, "gradient without 1/M", (ref.mse, mse_gradient_no_mean), ONE_OVER_N),
    Bug(checks.check_mse, "a constant loss, zero gradient", (mse_constant, mse_gradient_zero)),
    Bug(checks.check_mae, "absolute value missing", (mae_no_abs, ref.mae_gradient), M.NO_ABS),
    Bug(checks.check_mae, "slope +1 at r = 0", (ref.mae, mae_gradient_ties_positive),
        M.MAE_AT_ZERO),
    Bug(checks.check_mae, "r / |r| gives NaN at 0", (ref.mae, mae_gradient_r_over_abs),
        M.MAE_NAN),
    Bug(checks.check_mae, "MSE's gradient", (ref.mae, mae_gradient_like_mse), M.MAE_AS_MSE),
    Bug(checks.check_mae, "gradient without 1/M", (ref.mae, mae_gradient_no_mean), ONE_OVER_N),
    Bug(checks.check_huber, "quadratic part without 1/2", (huber_no_half, ref.huber_gradient),
        M.HUBER_NO_HALF),
    Bug(checks.check_huber, "linear part not joined", (huber_not_joined, ref.huber_gradient),
        M.HUBER_NOT_JOINED),
    Bug(checks.check_huber, "delta hard-coded to 1", (huber_fixed_delta, ref.huber_gradient),
        M.HUBER_FIXED_DELTA),
    Bug(checks.check_huber, "gradient not clipped", (ref.huber, huber_gradient_not_clipped),
        M.HUBER_NOT_CLIPPED),
    Bug(checks.check_huber, "slope 1 beyond delta", (ref.huber, huber_gradient_unit_slope),
        M.HUBER_SIGN_SLOPE),
    Bug(checks.check_huber, "default delta 1.35", (huber_wrong_default, ref.huber_gradient),
        "the default value of delta must be 1"),
    Bug(checks.check_log_cosh, "log(cosh(r)) overflows", (log_cosh_naive, ref.log_cosh_gradient),
        M.LOGCOSH_OVERFLOW),
    Bug(checks.check_log_cosh, "stable form without - log 2",
        (log_cosh_no_log2, ref.log_cosh_gradient), M.LOGCOSH_NO_LOG2),
    Bug(checks.check_log_cosh, "exp(-|r|) for exp(-2|r|)",
        (log_cosh_exp_once, ref.log_cosh_gradient), M.LOGCOSH_EXP),
    Bug(checks.check_log_cosh, "gradient 1 - tanh^2", (ref.log_cosh, log_cosh_gradient_sech),
        M.LOGCOSH_SECH),
    Bug(checks.check_log_cosh, "gradient sinh / cosh overflows",
        (ref.log_cosh, log_cosh_gradient_sinh_cosh), M.LOGCOSH_GRADIENT_OVERFLOW),
    Bug(checks.check_binary_cross_entropy, "log(sigmoid(z)) overflows",
        (bce_naive, ref.binary_cross_entropy_gradient), M.BCE_OVERFLOW),
    Bug(checks.check_binary_cross_entropy, "the notes' missing bracket",
        (bce_notes_bracket, ref.binary_cross_entropy_gradient), M.BCE_BRACKET),
    Bug(checks.check_binary_cross_entropy, "gradient t - sigmoid(z)",
        (ref.binary_cross_entropy, bce_gradient_sign), M.BCE_SIGN),
    Bug(checks.check_binary_cross_entropy, "gradient with respect to p",
        (ref.binary_cross_entropy, bce_gradient_for_probabilities), M.BCE_PROB_GRADIENT),
    Bug(checks.check_binary_cross_entropy, "gradient z - t",
        (ref.binary_cross_entropy, bce_gradient_no_sigmoid), M.BCE_NO_SIGMOID),
    Bug(checks.check_binary_cross_entropy, "gradient through a naive sigmoid",
        (ref.binary_cross_entropy, bce_gradient_naive_sigmoid), M.BCE_GRADIENT_OVERFLOW),
    Bug(checks.check_categorical_cross_entropy, "no clipping: 0 log 0",
        (cce_unclipped, ref.categorical_cross_entropy_gradient), M.ZERO_PROBABILITY),
    Bug(checks.check_categorical_cross_entropy, "mean over all entries",
        (cce_mean_over_entries, ref.categorical_cross_entropy_gradient), M.MEAN_OVER_ENTRIES),
    Bug(checks.check_categorical_cross_entropy, "only the argmax class",
        (cce_argmax_only, ref.categorical_cross_entropy_gradient), M.CCE_ARGMAX),
    Bug(checks.check_categorical_cross_entropy, "gradient p - t (for logits)",
        (ref.categorical_cross_entropy, cce_gradient_for_logits), M.CCE_LOGITS),
    Bug(checks.check_categorical_cross_entropy, "gradient 0 / 0 at p = 0",
        (ref.categorical_cross_entropy, cce_gradient_unclipped), M.ZERO_PROBABILITY_GRADIENT),
    Bug(checks.check_categorical_cross_entropy, "gradient without t",
        (ref.categorical_cross_entropy, cce_gradient_no_target), M.CCE_NO_TARGET),
    Bug(checks.check_sparse_categorical_cross_entropy, "p[:, y] for p[rows, y]",
        (sparse_columns, ref.sparse_categorical_cross_entropy_gradient), M.SPARSE_COLUMNS),
    Bug(checks.check_sparse_categorical_cross_entropy, "one-hot without clipping",
        (sparse_one_hot_unclipped, ref.sparse_categorical_cross_entropy_gradient),
        M.ZERO_PROBABILITY),
    Bug(checks.check_sparse_categorical_cross_entropy, "gradient -1/p everywhere",
        (ref.sparse_categorical_cross_entropy, sparse_gradient_dense), M.SPARSE_DENSE),
    Bug(checks.check_sparse_categorical_cross_entropy, "gradient of shape (N,)",
        (ref.sparse_categorical_cross_entropy, sparse_gradient_vector), M.SPARSE_SHAPE),
    Bug(checks.check_sparse_categorical_cross_entropy, "grad[:, y] for grad[rows, y]",
        (ref.sparse_categorical_cross_entropy, sparse_gradient_columns), M.SPARSE_ROWS),
    Bug(checks.check_sparse_categorical_cross_entropy, "gradient p - onehot (for logits)",
        (ref.sparse_categorical_cross_entropy, sparse_gradient_for_logits), M.CCE_LOGITS),
    Bug(checks.check_hinge, "perceptron loss (no margin)", (hinge_perceptron, ref.hinge_gradient),
        M.HINGE_NO_MARGIN),
    Bug(checks.check_hinge, "max(0, .) missing", (hinge_no_max, ref.hinge_gradient),
        M.HINGE_NO_MAX),
    Bug(checks.check_hinge, "gradient without the mask", (ref.hinge, hinge_gradient_no_mask),
        M.HINGE_NO_MASK),
    Bug(checks.check_hinge, "gradient -t at t s = 1", (ref.hinge, hinge_gradient_at_one),
        M.HINGE_AT_ONE),
    Bug(checks.check_hinge, "gradient -1 for -t", (ref.hinge, hinge_gradient_no_target),
        M.HINGE_NO_TARGET),
    Bug(checks.check_hinge, "gradient +t", (ref.hinge, hinge_gradient_sign), SIGN),
    Bug(checks.check_kl_divergence, "KL(pred || target)", (kl_swapped, ref.kl_divergence_gradient),
        M.KL_SWAPPED),
    Bug(checks.check_kl_divergence, "0 log 0 = NaN", (kl_unguarded, ref.kl_divergence_gradient),
        M.ZERO_TARGET),
    Bug(checks.check_kl_divergence, "cross-entropy for KL",
        (kl_as_cross_entropy, ref.kl_divergence_gradient), M.KL_CROSS_ENTROPY),
    Bug(checks.check_kl_divergence, "gradient of KL(pred || target)",
        (ref.kl_divergence, kl_gradient_swapped), M.KL_SWAPPED_GRADIENT),
    Bug(checks.check_kl_divergence, "gradient log(p / q)", (ref.kl_divergence, kl_gradient_summand),
        M.KL_SUMMAND),
    Bug(checks.check_kl_divergence, "gradient without 1/N",
        (ref.kl_divergence, kl_gradient_no_mean), ONE_OVER_N),
]  # fmt: skip

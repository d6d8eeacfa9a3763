"""The known mistakes of notebook 04's losses: their diagnoses and the wrong answers they give.

Each ``<loss>_value`` / ``<loss>_gradient`` function below takes one case
(``pred, target`` and the loss's parameter) and returns ``[(diagnosis, wrong
answer)]``: what a student who made that mistake would return on this case,
computed from the case (mostly with dlcore's reference), never typed in. The
check of :mod:`autograder.losses` names a mistake when the student's answer
matches its wrong answer; the bug zoo (:mod:`autograder.bugzoo.losses`) makes
each mistake for real. The phrases are constants so that the bug zoo can say
which diagnosis it expects.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcore import functional as F

from . import loss_reference as ref

Mistakes = list[tuple[str, Any]]

# ------------------------------------------------------------------ phrases
MEAN_OVER_ROWS = "divided by the number of rows N: the mean is over all M = N*K entries"
MEAN_OVER_ENTRIES = "divided by N*K: sum over the K classes, then take the mean over the N rows"
NOTES_SIGN = (
    "sign error: d/dpred (pred - target)^2 = 2 (pred - target); the notes' table writes "
    "y - a, with the wrong sign"
)
MSE_NO_TWO = "the 2 from the square's derivative is missing: 2 (pred - target) / M"
RMSE = "that is the root of the MSE (RMSE): the MSE takes no square root"
NO_ABS = "the absolute value is missing: a residual of -3 costs as much as one of +3"
MAE_AS_MSE = "that is MSE's gradient (without the 2): MAE's slope is sign(pred - target)"
MAE_AT_ZERO = (
    "at pred = target exactly the gradient must be 0 (np.sign(0) = 0, the convention of "
    "dlcore and PyTorch)"
)
MAE_NAN = "r / |r| is 0 / 0 = NaN where pred = target: use np.sign(r)"
HUBER_NO_HALF = "the 1/2 of the quadratic part is missing: r^2 / 2 for |r| <= delta"
HUBER_NOT_JOINED = (
    "the linear part must meet the quadratic one at |r| = delta: delta (|r| - delta / 2), "
    "not delta |r|"
)
HUBER_SWAPPED = "the two parts are swapped: quadratic for |r| <= delta, linear beyond"
HUBER_FIXED_DELTA = "delta was ignored (1.0 hard-coded?): use the delta argument"
HUBER_NOT_CLIPPED = (
    "the gradient is not clipped: beyond delta the slope is delta * sign(r) "
    "(np.clip(r, -delta, delta))"
)
HUBER_SIGN_SLOPE = "beyond delta the slope is delta * sign(r), not sign(r)"
LOGCOSH_NO_LOG2 = "the - log 2 is missing: log cosh(r) = |r| + log1p(exp(-2|r|)) - log 2"
LOGCOSH_EXP = "exp(-2|r|), not exp(-|r|): log cosh(r) = |r| + log1p(exp(-2|r|)) - log 2"
LOGCOSH_SECH = "that is tanh's derivative, 1 - tanh^2: the derivative of log cosh(r) is tanh(r)"
LOGCOSH_OVERFLOW = (
    "inf or an overflow warning for residuals of +-1000: cosh(r) overflows for |r| > 710; "
    "use the stable form |r| + log1p(exp(-2|r|)) - log 2"
)
LOGCOSH_GRADIENT_OVERFLOW = (
    "NaN or an overflow warning in the gradient for residuals of +-1000: sinh(r) / cosh(r) "
    "is inf / inf there; use np.tanh(r)"
)
BCE_BRACKET = (
    "the bracket is missing: L = -[t log p + (1 - t) log(1 - p)], the minus applies to both "
    "terms (one set of notes drops the bracket)"
)
BCE_SIGN = "sign error: dL/dz = sigmoid(z) - t"
BCE_PROB_GRADIENT = (
    "that is the gradient with respect to the probability p = sigmoid(z); with respect to the "
    "logit z, (p - t) / (p (1 - p)) times sigmoid'(z) = p (1 - p) leaves p - t"
)
BCE_NO_SIGMOID = "the sigmoid is missing: dL/dz = sigmoid(z) - t, not z - t"
BCE_TWICE = (
    "multiplied by sigmoid'(z) = p (1 - p) once too often: with respect to the logit, "
    "dL/dz = p - t"
)
BCE_OVERFLOW = (
    "inf, NaN or an overflow warning for logits of +-1000: log(sigmoid(z)) is log(0) for very "
    "negative z (log(1 - sigmoid(z)) for very positive z) and exp(-z) overflows; use the "
    "stable form max(z, 0) - z t + log1p(exp(-|z|))"
)
BCE_GRADIENT_OVERFLOW = (
    "NaN, inf or an overflow warning in the gradient for logits of +-1000: compute "
    "sigmoid(z) - t with a stable sigmoid (exponentiate only -|z|)"
)
CCE_ARGMAX = (
    "only the most likely target class counts here: with soft targets every class counts, "
    "-sum_k t_k log p_k"
)
CCE_BINARY = (
    "that is the binary cross-entropy of every entry: the categorical one has no "
    "(1 - t) log(1 - p) term"
)
CCE_LOGITS = (
    "(p - t) / N is the gradient with respect to the logits of softmax + cross-entropy "
    "(notebook 08); with respect to the probabilities it is -t / p / N"
)
CCE_NO_TARGET = "the targets are missing: -t / p / N, which is 0 for the classes with t = 0"
CCE_SUMMAND = "that is each entry's loss, not its derivative: d/dp (-t log p) = -t / p"
ZERO_PROBABILITY = (
    "NaN or inf when a class has probability 0: 0 * log(0) is NaN; clip p to at least "
    "eps = 1e-12 before the log, np.maximum(p, 1e-12), as dlcore does"
)
ZERO_PROBABILITY_GRADIENT = (
    "NaN or inf in the gradient when a class has probability 0: -t / p is 0 / 0 there; "
    "divide by np.maximum(p, 1e-12), as dlcore does"
)
SPARSE_COLUMNS = (
    "p[:, y] takes N columns from every row, an (N, N) array: pick one entry per row "
    "with p[np.arange(N), y]"
)
SPARSE_DENSE = "only the entry of each row's label is non-zero: -1 / p there, 0 elsewhere"
SPARSE_SHAPE = (
    "return the gradient of every entry of p, shape (N, K): zero except at each row's label"
)
SPARSE_ROWS = (
    "the row index is missing: write grad[np.arange(N), y] = ..., not grad[:, y] = ..."
)
HINGE_NO_MARGIN = (
    "the margin 1 is missing: max(0, -t s) is the perceptron loss of notebook 01; "
    "the hinge loss is max(0, 1 - t s)"
)
HINGE_NO_MAX = "the max(0, .) is missing: a point beyond the margin costs 0, not a negative amount"
HINGE_NO_MASK = (
    "the mask is missing: the gradient is -t only where the margin is violated "
    "(t s < 1), 0 elsewhere"
)
HINGE_NO_TARGET = "the gradient is -t where t s < 1, not -1: the target's sign matters"
HINGE_AT_ONE = (
    "at t s = 1 exactly the gradient must be 0 (dlcore's convention): the mask is "
    "1 - t s > 0, not >= 0"
)
KL_SWAPPED = (
    "the arguments are swapped: KL(target || pred) = sum target log(target / pred); "
    "KL is not symmetric"
)
KL_CROSS_ENTROPY = (
    "that is the cross-entropy -sum p log q: KL subtracts the target's own entropy, "
    "sum p log p - sum p log q"
)
KL_SWAPPED_GRADIENT = (
    "that is the gradient of the swapped divergence KL(pred || target): differentiate "
    "sum target log(target / pred) with respect to pred, -target / pred / N"
)
KL_SUMMAND = "that is log(target / pred), not its derivative with respect to pred: -target / pred"
ZERO_TARGET = (
    "NaN or inf with targets that contain 0: 0 log 0 must count as 0, so add nothing where "
    "the target is 0 (np.where(target > 0, ..., 0)); target * log(target) is 0 * -inf = NaN"
)


# ------------------------------------------------------------------ helpers
def _per_row(pred: np.ndarray, value: Any) -> Mistakes:
    """MEAN_OVER_ROWS for a loss averaged over all entries, when rows and entries differ."""
    if pred.size > pred.shape[0]:
        return [(MEAN_OVER_ROWS, value * pred.size / pred.shape[0])]
    return []


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return F.sigmoid_forward(z)[0]


def one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    """Integer labels (N,) as one-hot rows (N, K)."""
    return np.eye(k)[labels]


# ------------------------------------------------------------ wrong answers
def mse_value(pred, target):
    value = ref.mse(pred, target)
    return [(RMSE, np.sqrt(value)), *_per_row(pred, value)]


def mse_gradient(pred, target):
    r, m = pred - target, pred.size
    return [(NOTES_SIGN, -2 * r / m), (MSE_NO_TWO, r / m), *_per_row(pred, 2 * r / m)]


def mae_value(pred, target):
    return [(NO_ABS, float(np.mean(pred - target))), *_per_row(pred, ref.mae(pred, target))]


def mae_gradient(pred, target):
    r, m = pred - target, pred.size
    return [(MAE_AS_MSE, r / m), *_per_row(pred, np.sign(r) / m)]


def _huber_parts(r, delta, inside, outside):
    return float(np.mean(np.where(np.abs(r) <= delta, inside, outside)))


def huber_value(pred, target, delta=1.0):
    r = pred - target
    a = np.abs(r)
    wrong = [
        (HUBER_NO_HALF, _huber_parts(r, delta, r**2, delta * (a - delta / 2))),
        (HUBER_NOT_JOINED, _huber_parts(r, delta, r**2 / 2, delta * a)),
        (HUBER_SWAPPED, _huber_parts(r, delta, delta * (a - delta / 2), r**2 / 2)),
    ]
    if abs(delta - 1.0) > 1e-3:
        wrong.append((HUBER_FIXED_DELTA, ref.huber(pred, target, 1.0)))
    return wrong + _per_row(pred, ref.huber(pred, target, delta))


def huber_gradient(pred, target, delta=1.0):
    r, m = pred - target, pred.size
    wrong = [
        (HUBER_NOT_CLIPPED, r / m),
        (HUBER_SIGN_SLOPE, np.where(np.abs(r) <= delta, r, np.sign(r)) / m),
    ]
    if abs(delta - 1.0) > 1e-3:
        wrong.append((HUBER_FIXED_DELTA, ref.huber_gradient(pred, target, 1.0)))
    return wrong + _per_row(pred, ref.huber_gradient(pred, target, delta))


def log_cosh_value(pred, target):
    a, value = np.abs(pred - target), ref.log_cosh(pred, target)
    return [
        (LOGCOSH_NO_LOG2, value + np.log(2.0)),
        (LOGCOSH_EXP, float(np.mean(a + np.log1p(np.exp(-a)) - np.log(2.0)))),
        *_per_row(pred, value),
    ]


def log_cosh_gradient(pred, target):
    t, m = np.tanh(pred - target), pred.size
    return [(LOGCOSH_SECH, (1 - t**2) / m), *_per_row(pred, t / m)]


def bce_value(z, t):
    p = _sigmoid(z)
    bracket = float(np.mean(-t * np.log(p) + (1 - t) * np.log(1 - p)))
    return [(BCE_BRACKET, bracket), *_per_row(z, ref.binary_cross_entropy(z, t))]


def bce_gradient(z, t):
    p, m = _sigmoid(z), z.size
    return [
        (BCE_SIGN, (t - p) / m),
        (BCE_PROB_GRADIENT, (p - t) / (p * (1 - p)) / m),
        (BCE_NO_SIGMOID, (z - t) / m),
        (BCE_TWICE, (p - t) * p * (1 - p) / m),
        *_per_row(z, (p - t) / m),
    ]


def cce_value(p, t):
    n, k = p.shape
    value = ref.categorical_cross_entropy(p, t)
    best = t.argmax(axis=1)
    return [
        (MEAN_OVER_ENTRIES, value / k),
        (CCE_ARGMAX, float(-np.log(p[np.arange(n), best]).mean())),
        (CCE_BINARY, float(-(t * np.log(p) + (1 - t) * np.log(1 - p)).sum() / n)),
    ]


def cce_gradient(p, t):
    n, k = p.shape
    return [
        (CCE_LOGITS, (p - t) / n),
        (CCE_NO_TARGET, -1 / p / n),
        (CCE_SUMMAND, -t * np.log(p) / n),
        (MEAN_OVER_ENTRIES, -t / p / (n * k)),
    ]


def sparse_value(p, y):
    n, k = p.shape
    value = ref.sparse_categorical_cross_entropy(p, y)
    columns = -np.log(p[:, y])
    return [(SPARSE_COLUMNS, float(columns.mean())), (SPARSE_COLUMNS, float(columns.sum() / n)),
            (MEAN_OVER_ENTRIES, value / k)]  # fmt: skip


def sparse_gradient(p, y):
    n, k = p.shape
    rows = np.arange(n)
    by_columns = np.zeros_like(p)
    by_columns[:, y] = -1 / p[rows, y] / n
    return [
        (SPARSE_DENSE, -1 / p / n),
        (SPARSE_SHAPE, -1 / p[rows, y] / n),
        (SPARSE_ROWS, by_columns),
        (CCE_LOGITS, (p - one_hot(y, k)) / n),
        (MEAN_OVER_ENTRIES, -one_hot(y, k) / p / (n * k)),
    ]


def hinge_value(s, t):
    return [(HINGE_NO_MARGIN, float(np.maximum(0, -t * s).mean())),
            (HINGE_NO_MAX, float((1 - t * s).mean()))]  # fmt: skip


def hinge_gradient(s, t):
    m, margin = s.size, t * s
    return [
        (HINGE_NO_MASK, -t / m),
        (HINGE_NO_TARGET, -(margin < 1).astype(float) / m),
        (HINGE_NO_MARGIN, -t * (margin < 0) / m),
    ]


def kl_value(q, p):
    n, k = q.shape
    value = ref.kl_divergence(q, p)
    return [
        (KL_SWAPPED, float((q * np.log(q / p)).sum() / n)),
        (KL_CROSS_ENTROPY, float(-(p * np.log(q)).sum() / n)),
        (MEAN_OVER_ENTRIES, value / k),
    ]


def kl_gradient(q, p):
    n, k = q.shape
    return [
        (KL_SWAPPED_GRADIENT, (np.log(q / p) + 1) / n),
        (KL_SUMMAND, np.log(p / q) / n),
        (MEAN_OVER_ENTRIES, -p / q / (n * k)),
    ]

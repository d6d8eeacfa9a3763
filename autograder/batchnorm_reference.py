"""The references of notebook 07's exercises, and the wrong answers students arrive at.

dlcore owns the maths: :func:`dlcore.functional.batchnorm_forward`,
``batchnorm_backward`` and ``batchnorm_inference_forward``, and the running averages of
:class:`dlcore.layers.BatchNorm`. The three functions here only give them the
signatures the notebook asks for:

- ``batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.9, eps=1e-5)``
  returns ``(out, cache, new_running_mean, new_running_var)`` with
  ``cache = (x_hat, inv_std, gamma)``;
- ``batchnorm_backward(dout, cache)`` returns ``(dx, dgamma, dbeta)``;
- ``batchnorm_inference_forward(x, gamma, beta, running_mean, running_var, eps=1e-5)``
  returns ``out``.

The ``*_mistakes`` functions compute, for one case, what each named mistake gives:
(diagnosis, wrong value) pairs for :func:`autograder.checking.diagnoser`, the most
specific first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dlcore import functional as F
from dlcore.layers import BatchNorm

__all__ = [
    "backward_mistakes",
    "batchnorm_backward",
    "batchnorm_forward",
    "batchnorm_inference_forward",
    "forward_mistakes",
    "inference_mistakes",
    "running_mistakes",
]

# ------------------------------------------------------------------ the phrases
UNBIASED = (
    "normalise with the biased variance, mean((x - mu)^2) over the batch (np.var's default, "
    "ddof=0), not the unbiased one that divides by N - 1"
)
ONE_EXAMPLE_NAN = (
    "NaN for a batch of one example: its variance is 0, so use the biased variance (dividing "
    "by N - 1 = 0 gives NaN) and keep eps inside the square root, sqrt(var + eps)"
)
WRONG_AXIS = (
    "normalise each feature (column) over the batch: mean and variance over axis 0, one per "
    "feature, not over axis 1 (that is layer normalisation)"
)
EPS_OUTSIDE = "eps goes inside the square root: (x - mu) / sqrt(var + eps), not sqrt(var) + eps"
NO_EPS = "add eps to the variance before the square root: (x - mu) / sqrt(var + eps)"
VARIANCE_NOT_STD = (
    "divide by the standard deviation sqrt(var + eps), not by the variance itself"
)
NO_AFFINE = "scale and shift the normalised values: out = gamma * x_hat + beta"
MOMENTUM_SWAPPED = (
    "wrong momentum form: running = momentum * running + (1 - momentum) * batch "
    "(momentum weighs the old average; PyTorch's momentum=0.1 is the other convention)"
)
RUNNING_NOT_AVERAGED = (
    "the running averages must be averages: momentum * running + (1 - momentum) * batch, "
    "not the batch's statistics alone"
)
RUNNING_NOT_UPDATED = "update the running averages with this batch's mean and variance"
RUNNING_UNBIASED = (
    "dlcore keeps the biased batch variance in the running average too (PyTorch stores the "
    "unbiased one; this course uses the biased one everywhere)"
)
RUNNING_STD = "running_var averages the variance of each batch, not its standard deviation"
NO_STATISTICS_PATHS = (
    "the gradient through the batch mean and variance is missing: dx is not just "
    "dout * gamma / sqrt(var + eps), because every x_n moves mu and sigma^2 too"
)
NO_MEAN_PATH = "the path through the batch mean is missing: subtract mean(g) over the batch"
NO_VARIANCE_PATH = (
    "the path through the batch variance is missing: subtract x_hat * mean(g * x_hat)"
)
DX_NO_GAMMA = "multiply dout by gamma first: g = dout * gamma, then the batch means of g"
SUMS_NOT_MEANS = (
    "the mean and variance paths use means over the batch (1/N sum), not plain sums"
)
DX_WRONG_AXIS = "the means in dx are over the batch (axis 0), one per feature, not over axis 1"
PARAMS_WRONG_AXIS = (
    "dgamma and dbeta have one entry per feature (shape (D,)): sum over the batch, axis 0"
)
PARAMS_SUMMED_ALL = "sum over the batch only (axis=0): dgamma and dbeta have shape (D,)"
PARAMS_SWAPPED = "dgamma = sum(dout * x_hat) and dbeta = sum(dout): the two are swapped"
BATCH_STATS_AT_INFERENCE = (
    "at inference use the running averages, not the statistics of the batch: a prediction "
    "must not depend on which other examples share its batch"
)


# ----------------------------------------------------------------- references
def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.9, eps=1e-5):
    """dlcore's BatchNorm layer in training mode, started from the given running averages."""
    x = np.asarray(x, dtype=np.float64)
    layer = BatchNorm(x.shape[1], momentum=momentum, eps=eps)
    layer.gamma.data[...] = gamma
    layer.beta.data[...] = beta
    layer.running_mean = np.array(running_mean, dtype=np.float64)
    layer.running_var = np.array(running_var, dtype=np.float64)
    out = layer.forward(x)
    _, cache = layer._cache
    return out, (cache.x_hat, cache.inv_std, cache.gamma), layer.running_mean, layer.running_var


def batchnorm_backward(dout, cache):
    """dlcore's training-mode backward for the cache ``(x_hat, inv_std, gamma)``."""
    x_hat, inv_std, gamma = cache
    return F.batchnorm_backward(dout, F.BatchNormCache(x_hat, inv_std, gamma, None, None))


def batchnorm_inference_forward(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """dlcore's evaluation-mode batch norm: the output only."""
    return F.batchnorm_inference_forward(x, gamma, beta, running_mean, running_var, eps)[0]


# ------------------------------------------------------------ known mistakes
def _normalised(x, mean, var, eps, how: str = "right") -> np.ndarray:
    if how == "outside":
        return (x - mean) / (np.sqrt(var) + eps)
    if how == "none":
        return (x - mean) / np.sqrt(var)
    if how == "variance":
        return (x - mean) / (var + eps)
    return (x - mean) / np.sqrt(var + eps)


def forward_mistakes(x, gamma, beta, eps) -> list[tuple[str, Any]]:
    """What the output ``out`` of the training forward is under each named mistake."""
    n = x.shape[0]
    mean, var = x.mean(axis=0), x.var(axis=0)
    slips = [
        (EPS_OUTSIDE, gamma * _normalised(x, mean, var, eps, "outside") + beta),
        (NO_EPS, gamma * _normalised(x, mean, var, eps, "none") + beta),
        (VARIANCE_NOT_STD, gamma * _normalised(x, mean, var, eps, "variance") + beta),
        (NO_AFFINE, _normalised(x, mean, var, eps)),
        (WRONG_AXIS, gamma * _normalised(x, x.mean(axis=1, keepdims=True),
                                         x.var(axis=1, keepdims=True), eps) + beta),
    ]
    if n > 1:
        slips.insert(0, (UNBIASED, gamma * _normalised(x, mean, x.var(axis=0, ddof=1), eps)
                         + beta))  # fmt: skip
    return slips


def running_mistakes(running, batch, momentum, *, variance: np.ndarray | None = None,
                     n: int = 1) -> list[tuple[str, Any]]:  # fmt: skip
    """What a running average becomes under each named mistake (``variance``: the batch's x)."""
    slips = [
        (MOMENTUM_SWAPPED, momentum * batch + (1 - momentum) * running),
        (RUNNING_NOT_AVERAGED, batch),
        (RUNNING_NOT_UPDATED, running),
    ]
    if variance is not None:
        if n > 1:
            unbiased = batch * n / (n - 1)
            slips.append((RUNNING_UNBIASED, momentum * running + (1 - momentum) * unbiased))
        slips.append((RUNNING_STD, momentum * running + (1 - momentum) * np.sqrt(batch)))
    return slips


def backward_mistakes(dout, x_hat, inv_std, gamma) -> dict[str, list[tuple[str, Any]]]:
    """Wrong dx, dgamma and dbeta, by output name."""
    g = dout * gamma

    def dx_from(g, mean=np.mean, axis=0):
        return inv_std * (g - mean(g, axis=axis, keepdims=True)
                          - x_hat * mean(g * x_hat, axis=axis, keepdims=True))  # fmt: skip

    dx = [
        (NO_STATISTICS_PATHS, g * inv_std),
        (NO_MEAN_PATH, inv_std * (g - x_hat * (g * x_hat).mean(axis=0))),
        (NO_VARIANCE_PATH, inv_std * (g - g.mean(axis=0))),
        (DX_NO_GAMMA, dx_from(dout)),
        (SUMS_NOT_MEANS, dx_from(g, np.sum)),
        (DX_WRONG_AXIS, dx_from(g, axis=1)),
    ]
    dgamma_right, dbeta_right = (dout * x_hat).sum(axis=0), dout.sum(axis=0)
    dgamma = [
        (PARAMS_SWAPPED, dbeta_right),
        (PARAMS_WRONG_AXIS, (dout * x_hat).sum(axis=1)),
        (PARAMS_SUMMED_ALL, (dout * x_hat).sum()),
    ]
    dbeta = [
        (PARAMS_SWAPPED, dgamma_right),
        (PARAMS_WRONG_AXIS, dout.sum(axis=1)),
        (PARAMS_SUMMED_ALL, dout.sum()),
    ]
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def inference_mistakes(x, gamma, beta, running_mean, running_var, eps) -> list[tuple[str, Any]]:
    """What the inference output is under each named mistake."""
    slips = [
        (EPS_OUTSIDE, gamma * _normalised(x, running_mean, running_var, eps, "outside") + beta),
        (NO_EPS, gamma * _normalised(x, running_mean, running_var, eps, "none") + beta),
        (VARIANCE_NOT_STD,
         gamma * _normalised(x, running_mean, running_var, eps, "variance") + beta),
        (NO_AFFINE, _normalised(x, running_mean, running_var, eps)),
        (BATCH_STATS_AT_INFERENCE, F.batchnorm_forward(x, gamma, beta, eps)[0]),
    ]  # fmt: skip
    return slips

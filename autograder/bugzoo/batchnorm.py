"""Bug zoo of notebook 07, batch normalisation: the wrong implementations students write.

Each bug is one mistake in an otherwise right function, so that the check can see
only that mistake and name it.
"""

from __future__ import annotations

import numpy as np

from .. import batchnorm as checks
from .. import batchnorm_reference as reference
from . import Bug


# ------------------------------------------------------------------- forward
def _forward(x, gamma, beta, running_mean, running_var, momentum, eps, *, ddof=0, axis=0,
             eps_outside=False, momentum_swapped=False, running_ddof=0):  # fmt: skip
    """A training forward with switches for the mistakes below."""
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, ddof=ddof, keepdims=True)
    std = np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps)
    x_hat = (x - mean) / std
    out = gamma * x_hat + beta
    batch_mean, batch_var = x.mean(axis=0), x.var(axis=0, ddof=running_ddof)
    old = momentum if not momentum_swapped else 1 - momentum
    new_mean = old * running_mean + (1 - old) * batch_mean
    new_var = old * running_var + (1 - old) * batch_var
    inv_std = np.broadcast_to(1 / std, x.shape)[0] if axis == 0 else 1 / std
    return out, (x_hat, inv_std, gamma), new_mean, new_var


def forward_unbiased_variance(x, gamma, beta, running_mean, running_var, momentum=0.9,
                              eps=1e-5):  # fmt: skip
    return _forward(x, gamma, beta, running_mean, running_var, momentum, eps, ddof=1)


def forward_over_features(x, gamma, beta, running_mean, running_var, momentum=0.9, eps=1e-5):
    return _forward(x, gamma, beta, running_mean, running_var, momentum, eps, axis=1)


def forward_eps_outside_sqrt(x, gamma, beta, running_mean, running_var, momentum=0.9,
                             eps=1e-5):  # fmt: skip
    return _forward(x, gamma, beta, running_mean, running_var, momentum, eps, eps_outside=True)


def forward_momentum_swapped(x, gamma, beta, running_mean, running_var, momentum=0.9,
                             eps=1e-5):  # fmt: skip
    return _forward(x, gamma, beta, running_mean, running_var, momentum, eps,
                    momentum_swapped=True)


def forward_unbiased_running_var(x, gamma, beta, running_mean, running_var, momentum=0.9,
                                 eps=1e-5):  # fmt: skip
    return _forward(x, gamma, beta, running_mean, running_var, momentum, eps, running_ddof=1)


def forward_updating_in_place(x, gamma, beta, running_mean, running_var, momentum=0.9,
                              eps=1e-5):  # fmt: skip
    out, cache, _, _ = reference.batchnorm_forward(x, gamma, beta, running_mean, running_var,
                                                   momentum, eps)  # fmt: skip
    running_mean *= momentum
    running_mean += (1 - momentum) * x.mean(axis=0)
    running_var *= momentum
    running_var += (1 - momentum) * x.var(axis=0)
    return out, cache, running_mean, running_var


# ------------------------------------------------------------------ backward
def backward_without_statistics_paths(dout, cache):
    x_hat, inv_std, gamma = cache
    return dout * gamma * inv_std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def backward_without_variance_path(dout, cache):
    x_hat, inv_std, gamma = cache
    g = dout * gamma
    return inv_std * (g - g.mean(axis=0)), (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def backward_with_sums(dout, cache):
    x_hat, inv_std, gamma = cache
    g = dout * gamma
    dx = inv_std * (g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def backward_parameters_over_features(dout, cache):
    dx, _, _ = reference.batchnorm_backward(dout, cache)
    x_hat = cache[0]
    return dx, (dout * x_hat).sum(axis=1), dout.sum(axis=1)


def backward_parameters_swapped(dout, cache):
    dx, dgamma, dbeta = reference.batchnorm_backward(dout, cache)
    return dx, dbeta, dgamma


def backward_all_zeros(dout, cache):
    x_hat = cache[0]
    return np.zeros_like(dout), np.zeros(x_hat.shape[1]), np.zeros(x_hat.shape[1])


# ----------------------------------------------------------------- inference
def inference_with_batch_statistics(x, gamma, beta, running_mean, running_var, eps=1e-5):
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return gamma * x_hat + beta


def inference_eps_outside_sqrt(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return gamma * (x - running_mean) / (np.sqrt(running_var) + eps) + beta


def inference_dividing_by_variance(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return gamma * (x - running_mean) / (running_var + eps) + beta


def inference_without_gamma_beta(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return (x - running_mean) / np.sqrt(running_var + eps)


FORWARD, BACKWARD, INFERENCE = (checks.check_batchnorm_forward, checks.check_batchnorm_backward,
                                checks.check_batchnorm_inference_forward)  # fmt: skip

BUGS = [
    Bug(FORWARD, "unbiased variance (ddof=1)", (forward_unbiased_variance,), reference.UNBIASED),
    Bug(FORWARD, "statistics over the features (axis 1)", (forward_over_features,),
        reference.WRONG_AXIS),
    Bug(FORWARD, "eps outside the square root", (forward_eps_outside_sqrt,),
        reference.EPS_OUTSIDE),
    Bug(FORWARD, "momentum weighs the new batch", (forward_momentum_swapped,),
        reference.MOMENTUM_SWAPPED),
    Bug(FORWARD, "unbiased variance in the running average", (forward_unbiased_running_var,),
        reference.RUNNING_UNBIASED),
    Bug(FORWARD, "running averages updated in place", (forward_updating_in_place,),
        "changes its input arrays in place"),
    Bug(BACKWARD, "only dout * gamma / sigma", (backward_without_statistics_paths,),
        reference.NO_STATISTICS_PATHS),
    Bug(BACKWARD, "no path through the variance", (backward_without_variance_path,),
        reference.NO_VARIANCE_PATH),
    Bug(BACKWARD, "sums instead of batch means", (backward_with_sums,), reference.SUMS_NOT_MEANS),
    Bug(BACKWARD, "dgamma, dbeta summed over axis 1", (backward_parameters_over_features,),
        reference.PARAMS_WRONG_AXIS),
    Bug(BACKWARD, "dgamma and dbeta swapped", (backward_parameters_swapped,),
        reference.PARAMS_SWAPPED),
    Bug(BACKWARD, "zero gradients", (backward_all_zeros,), None),
    Bug(INFERENCE, "batch statistics at inference", (inference_with_batch_statistics,),
        reference.BATCH_STATS_AT_INFERENCE),
    Bug(INFERENCE, "eps outside the square root", (inference_eps_outside_sqrt,),
        reference.EPS_OUTSIDE),
    Bug(INFERENCE, "divides by the variance", (inference_dividing_by_variance,),
        reference.VARIANCE_NOT_STD),
    Bug(INFERENCE, "no gamma and beta", (inference_without_gamma_beta,), reference.NO_AFFINE),
]

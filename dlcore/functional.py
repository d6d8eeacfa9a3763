"""Pure forward/backward pairs: the maths of every layer, with no state.

Each operation comes as two functions::

    out, cache = f_forward(x, ...)      # cache: what the backward pass needs
    dx = f_backward(dout, cache)        # or a tuple (dx, dparam, ...)

Shapes are batch-first: ``x`` is (N, D). ``dout`` is dL/d(out), the gradient
arriving from the layer above, and every backward returns dL/d(input) of the
same shape as the input. Nothing here divides by the batch size: that belongs
to the loss. Every function works on NumPy and CuPy arrays alike.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .backend import get_array_module

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
"""SELU's constants from Klambauer et al., "Self-Normalizing Neural Networks" (2017)."""


# --------------------------------------------------------------------- dense
def dense_forward(x, W, b):
    """Affine map ``out = x @ W + b``.

    x: (N, D_in), W: (D_in, D_out), b: (D_out,) -> out: (N, D_out).
    """
    return x @ W + b, (x, W)


def dense_backward(dout, cache):
    """Return ``(dx, dW, db)``: dx = dout W^T (N, D_in), dW = x^T dout (D_in, D_out),
    db = sum of dout over the batch (D_out,)."""
    x, W = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


# --------------------------------------------------------------- activations
def identity_forward(z):
    """f(z) = z."""
    return z, None


def identity_backward(dout, cache):
    """f'(z) = 1."""
    return dout


def sigmoid_forward(z):
    """f(z) = 1 / (1 + e^{-z}), computed as exp(-softplus(-z)) so no exp overflows."""
    xp = get_array_module(z)
    s = xp.exp(-xp.logaddexp(0, -z))
    return s, s


def sigmoid_backward(dout, s):
    """f'(z) = s (1 - s), with s = sigmoid(z)."""
    return dout * s * (1 - s)


def tanh_forward(z):
    """f(z) = tanh(z)."""
    xp = get_array_module(z)
    t = xp.tanh(z)
    return t, t


def tanh_backward(dout, t):
    """f'(z) = 1 - tanh(z)^2."""
    return dout * (1 - t * t)


def relu_forward(z):
    """f(z) = max(0, z)."""
    xp = get_array_module(z)
    return xp.maximum(z, 0), z > 0


def relu_backward(dout, positive):
    """f'(z) = 1 for z > 0 else 0 (0 at z = 0, the usual choice)."""
    return dout * positive


def leaky_relu_forward(z, alpha: float = 0.01):
    """f(z) = z for z > 0, alpha z otherwise."""
    xp = get_array_module(z)
    positive = z > 0
    return xp.where(positive, z, alpha * z), (positive, alpha)


def leaky_relu_backward(dout, cache):
    """f'(z) = 1 for z > 0, alpha otherwise."""
    xp = get_array_module(dout)
    positive, alpha = cache
    return dout * xp.where(positive, 1.0, alpha).astype(dout.dtype, copy=False)


def prelu_forward(z, alpha):
    """Leaky ReLU whose slope ``alpha`` is learned.

    z: (N, D); alpha: (1,) shared by every unit, or (D,) one per unit.
    """
    xp = get_array_module(z, alpha)
    positive = z > 0
    return xp.where(positive, z, alpha * z), (z, positive, alpha)


def prelu_backward(dout, cache):
    """Return ``(dz, dalpha)``; dalpha sums dout * z over the negative inputs."""
    xp = get_array_module(dout)
    z, positive, alpha = cache
    dz = xp.where(positive, dout, alpha * dout)
    per_unit = xp.where(positive, 0.0, dout * z).sum(axis=0)
    dalpha = per_unit.sum(keepdims=True) if alpha.size == 1 else per_unit
    return dz, dalpha.reshape(alpha.shape).astype(alpha.dtype, copy=False)


def elu_forward(z, alpha: float = 1.0):
    """f(z) = z for z > 0, alpha (e^z - 1) otherwise."""
    xp = get_array_module(z)
    negative_part = alpha * xp.expm1(xp.minimum(z, 0))
    positive = z > 0
    return xp.where(positive, z, negative_part), (positive, negative_part, alpha)


def elu_backward(dout, cache):
    """f'(z) = 1 for z > 0, alpha e^z = f(z) + alpha otherwise."""
    xp = get_array_module(dout)
    positive, negative_part, alpha = cache
    return dout * xp.where(positive, 1.0, negative_part + alpha)


def selu_forward(z):
    """f(z) = scale * elu(z, alpha) with SELU's fixed constants (about 1.0507 and 1.6733)."""
    out, cache = elu_forward(z, SELU_ALPHA)
    return SELU_SCALE * out, cache


def selu_backward(dout, cache):
    """f'(z) = scale for z > 0, scale alpha e^z otherwise."""
    return SELU_SCALE * elu_backward(dout, cache)


def softplus_forward(z):
    """f(z) = ln(1 + e^z), computed as logaddexp(0, z)."""
    xp = get_array_module(z)
    return xp.logaddexp(0, z), z


def softplus_backward(dout, z):
    """f'(z) = sigmoid(z)."""
    return dout * sigmoid_forward(z)[0]


def swish_forward(z, beta: float = 1.0):
    """f(z) = z sigmoid(beta z) (SiLU when beta = 1)."""
    s, _ = sigmoid_forward(beta * z)
    return z * s, (z, s, beta)


def swish_backward(dout, cache):
    """f'(z) = s + beta z s (1 - s), with s = sigmoid(beta z)."""
    z, s, beta = cache
    return dout * (s + beta * z * s * (1 - s))


def softmax_forward(z, axis: int = -1):
    """softmax(z)_k = e^{z_k - m} / sum_j e^{z_j - m}, m = max_j z_j (stable for any z)."""
    xp = get_array_module(z)
    e = xp.exp(z - z.max(axis=axis, keepdims=True))
    s = e / e.sum(axis=axis, keepdims=True)
    return s, (s, axis)


def log_softmax(z, axis: int = -1):
    """log softmax(z) = (z - m) - log sum_j e^{z_j - m}, m = max_j z_j; finite for any z."""
    xp = get_array_module(z)
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def softmax_backward(dout, cache):
    """dz = s * (dout - sum_k dout_k s_k): the Jacobian-vector product, never the Jacobian."""
    s, axis = cache
    return s * (dout - (dout * s).sum(axis=axis, keepdims=True))


# ------------------------------------------------------------------- dropout
def dropout_forward(x, rate: float, rng, training: bool = True):
    """Inverted dropout: zero each entry with probability ``rate``, scale the rest by 1/(1-rate).

    The expectation of every output equals its input, so nothing changes at test
    time. ``rng`` is a NumPy Generator (the mask is drawn on the host and moved to
    the array's device) or a generator of the array's own library (CuPy's, drawn on
    the device). In evaluation (``training=False``) or with rate 0 the input passes
    through unchanged.
    """
    if not training or rate == 0:
        return x, None
    xp = get_array_module(x)
    keep = 1.0 - rate
    mask = xp.asarray(rng.random(x.shape) < keep).astype(x.dtype) / keep
    return x * mask, mask


def dropout_backward(dout, mask):
    """The same mask (already scaled by 1/keep) multiplies the gradient."""
    return dout if mask is None else dout * mask


# ---------------------------------------------------------------- batch norm
class BatchNormCache(NamedTuple):
    """What batchnorm_backward needs; ``mean`` and ``var`` also feed the running averages."""

    x_hat: Any
    inv_std: Any
    gamma: Any
    mean: Any
    var: Any


def batchnorm_forward(x, gamma, beta, eps: float = 1e-5):
    """Training-mode batch normalisation over the batch axis.

    mean = (1/N) sum_n x_n, var = (1/N) sum_n (x_n - mean)^2 (biased),
    x_hat = (x - mean) / sqrt(var + eps), out = gamma * x_hat + beta.
    x: (N, D); gamma, beta: (D,). Returns ``out, cache``; ``cache.mean`` and
    ``cache.var`` are the batch statistics for the running averages.
    """
    xp = get_array_module(x, gamma, beta)
    mean = x.mean(axis=0)
    centred = x - mean
    var = (centred * centred).mean(axis=0)
    inv_std = 1.0 / xp.sqrt(var + eps)
    x_hat = centred * inv_std
    return gamma * x_hat + beta, BatchNormCache(x_hat, inv_std, gamma, mean, var)


def batchnorm_backward(dout, cache: BatchNormCache):
    """Return ``(dx, dgamma, dbeta)``, through the mean and the variance.

    With g = dout * gamma: dx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat)),
    the means over the batch; dgamma = sum(dout * x_hat), dbeta = sum(dout).
    """
    x_hat, inv_std, gamma = cache.x_hat, cache.inv_std, cache.gamma
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def batchnorm_inference_forward(x, gamma, beta, running_mean, running_var, eps: float = 1e-5):
    """Evaluation-mode batch norm: a fixed affine map using the running averages."""
    xp = get_array_module(x, gamma, beta)
    inv_std = 1.0 / xp.sqrt(running_var + eps)
    x_hat = (x - running_mean) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def batchnorm_inference_backward(dout, cache):
    """Return ``(dx, dgamma, dbeta)`` of the evaluation-mode map (the statistics are constants)."""
    x_hat, inv_std, gamma = cache
    return dout * gamma * inv_std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)

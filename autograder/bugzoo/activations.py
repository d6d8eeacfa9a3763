"""Bug zoo of notebook 03, activations: wrong forward/backward pairs students write.

Where only one half of a pair is wrong, the other half is dlcore's reference, so
the bug is the only mistake the check can see.
"""

from __future__ import annotations

import numpy as np

from dlcore import functional as F

from .. import activations as checks
from . import Bug

SELU_ALPHA, SELU_SCALE = F.SELU_ALPHA, F.SELU_SCALE


# ------------------------------------------------------------------- sigmoid
def sigmoid_no_minus(z):
    s = 1 / (1 + np.exp(np.minimum(z, 700)))  # the notes' typo: e^{z} instead of e^{-z}
    return s, s


def sigmoid_naive(z):
    s = 1 / (1 + np.exp(-z))  # overflows (with a warning) for z = -1000
    return s, s


def sigmoid_exp_ratio(z):
    e = np.exp(z)
    s = e / (1 + e)  # inf / inf = NaN for z = 1000
    return s, s


def sigmoid_backward_is_sigmoid(dout, s):
    return dout * s


def sigmoid_forward_caching_z(z):
    return F.sigmoid_forward(z)[0], z


def sigmoid_backward_on_z(dout, z):
    return dout * z * (1 - z)


def sigmoid_backward_no_dout(dout, s):
    return s * (1 - s)


# ---------------------------------------------------------------------- tanh
def tanh_exp_formula(z):
    t = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    return t, t


def tanh_from_sigmoid_wrong(z):
    t = 2 * F.sigmoid_forward(z)[0] - 1
    return t, t


def tanh_forward_caching_z(z):
    return np.tanh(z), z


def tanh_backward_on_z(dout, z):
    return dout * (1 - z**2)


def tanh_backward_no_square(dout, t):
    return dout * (1 - t)


def tanh_backward_sign(dout, t):
    return dout * (t**2 - 1)


# ---------------------------------------------------------------------- relu
def relu_min(z):
    return np.minimum(z, 0), z > 0


def relu_backward_wrong_side(dout, positive):
    return dout * ~positive


def relu_forward_caching_z(z):
    return np.maximum(z, 0), z


def relu_backward_at_zero_one(dout, z):
    return dout * (z >= 0)


def relu_backward_times_output(dout, z):
    return dout * np.maximum(z, 0)


def relu_in_place(z):
    z[z < 0] = 0
    return z, z > 0


# ---------------------------------------------------------------- leaky relu
def leaky_fixed_alpha(z, alpha=0.01):
    positive = z > 0
    return np.where(positive, z, 0.01 * z), positive


def leaky_fixed_alpha_backward(dout, positive):
    return dout * np.where(positive, 1.0, 0.01)


def leaky_backward_swapped(dout, cache):
    positive, alpha = cache
    return dout * np.where(positive, alpha, 1.0)


def leaky_backward_relu(dout, cache):
    positive, _ = cache
    return dout * positive


def leaky_forward_caching_z(z, alpha=0.01):
    return F.leaky_relu_forward(z, alpha)[0], (z, alpha)


def leaky_backward_function(dout, cache):
    z, alpha = cache
    return dout * np.where(z > 0, 1.0, alpha * z)


def leaky_backward_at_zero(dout, cache):
    z, alpha = cache
    return dout * np.where(z >= 0, 1.0, alpha)


def leaky_wrong_default(z, alpha=0.1):
    return F.leaky_relu_forward(z, alpha)


# ----------------------------------------------------------------------- elu
def elu_no_alpha(z, alpha=1.0):
    return F.elu_forward(z, 1.0)[0], (z, alpha)


def elu_no_minus_one(z, alpha=1.0):
    return np.where(z > 0, z, alpha * np.exp(np.minimum(z, 0))), (z, alpha)


def elu_backward_exact(dout, cache):
    z, alpha = cache
    return dout * np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0)))


def elu_forward_caching_z(z, alpha=1.0):
    return F.elu_forward(z, alpha)[0], (z, alpha)


def elu_backward_function(dout, cache):
    z, alpha = cache
    return dout * np.where(z > 0, 1.0, alpha * np.expm1(np.minimum(z, 0)))


def elu_backward_no_alpha(dout, cache):
    z, _ = cache
    return dout * np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))


def elu_where_overflows(z, alpha=1.0):
    return np.where(z > 0, z, alpha * (np.exp(z) - 1)), (z, alpha)


# ---------------------------------------------------------------------- selu
def _selu(z, scale, alpha):
    return scale * np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))), z


def selu_no_scale(z):
    return _selu(z, 1.0, SELU_ALPHA)


def selu_swapped(z):
    return _selu(z, SELU_ALPHA, SELU_SCALE)


def selu_rounded(z):
    return _selu(z, 1.051, 1.673)


def selu_forward_caching_z(z):
    return F.selu_forward(z)[0], z


def selu_backward_no_scale(dout, z):
    return dout * np.where(z > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0)))


def selu_backward_exact(dout, z):
    return dout * SELU_SCALE * np.where(z > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0)))


# ------------------------------------------------------------------ softplus
def softplus_naive(z):
    return np.log(1 + np.exp(z)), z


def softplus_flipped(z):
    return np.logaddexp(0, -z), z


def softplus_backward_is_softplus(dout, z):
    return dout * np.logaddexp(0, z)


def softplus_backward_sigmoid_minus(dout, z):
    return dout * F.sigmoid_forward(-z)[0]


def softplus_backward_naive(dout, z):
    return dout * np.exp(z) / (1 + np.exp(z))


# --------------------------------------------------------------------- swish
def swish_no_beta(z, beta=1.0):
    s = F.sigmoid_forward(z)[0]
    return z * s, (z, s, beta)


def swish_backward_no_product_rule(dout, cache):
    _, s, _ = cache
    return dout * s


def swish_backward_no_beta(dout, cache):
    z, s, _ = cache
    return dout * (s + z * s * (1 - s))


def swish_naive(z, beta=1.0):
    s = 1 / (1 + np.exp(-beta * z))
    return z * s, (z, s, beta)


# ------------------------------------------------------------------- softmax
def softmax_no_shift(z):
    e = np.exp(z)
    s = e / e.sum(axis=1, keepdims=True)
    return s, s


def softmax_global_shift(z):
    e = np.exp(z - z.max())
    s = e / e.sum(axis=1, keepdims=True)
    return s, s


def softmax_axis0(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    s = e / e.sum(axis=0, keepdims=True)
    return s, s


def softmax_whole_batch(z):
    e = np.exp(z - z.max())
    s = e / e.sum()
    return s, s


def softmax_in_place(z):
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e / e.sum(axis=1, keepdims=True)
    return s, s


def softmax_forward(z):
    """A correct softmax whose cache is s alone (dlcore's also keeps the axis)."""
    return F.softmax_forward(z, axis=1)[0], F.softmax_forward(z, axis=1)[0]


def softmax_backward(dout, s):
    return s * (dout - (dout * s).sum(axis=1, keepdims=True))


def softmax_backward_diagonal(dout, s):
    return dout * s * (1 - s)


def softmax_backward_no_keepdims(dout, s):
    return s * (dout - (dout * s).sum(axis=1))


def softmax_backward_axis0(dout, s):
    return s * (dout - (dout * s).sum(axis=0, keepdims=True))


def softmax_backward_sign(dout, s):
    return s * ((dout * s).sum(axis=1, keepdims=True) - dout)


S, T, R = checks.check_sigmoid, checks.check_tanh, checks.check_relu
L, E, SE = checks.check_leaky_relu, checks.check_elu, checks.check_selu
SP, SW, SM = checks.check_softplus, checks.check_swish, checks.check_softmax
# dlcore's correct pairs, for the half of a bug that is right
sig = (F.sigmoid_forward, F.sigmoid_backward)
tanh = (F.tanh_forward, F.tanh_backward)
relu = (F.relu_forward, F.relu_backward)
leaky = (F.leaky_relu_forward, F.leaky_relu_backward)
softplus = (F.softplus_forward, F.softplus_backward)
swish = (F.swish_forward, F.swish_backward)
softmax = (softmax_forward, softmax_backward)

BUGS = [
    Bug(S, "1 / (1 + e^z): the minus sign dropped", (sigmoid_no_minus, sig[1]), "minus sign"),
    Bug(S, "1 / (1 + exp(-z)) overflows for z = -1000", (sigmoid_naive, sig[1]), "overflow"),
    Bug(S, "e^z / (1 + e^z) is NaN for z = 1000", (sigmoid_exp_ratio, sig[1]), "overflow"),
    Bug(S, "sigmoid'(z) written as sigmoid(z)", (sig[0], sigmoid_backward_is_sigmoid),
        "sigmoid'(z) written as sigmoid(z)"),
    Bug(S, "derivative z (1 - z) on the input", (sigmoid_forward_caching_z, sigmoid_backward_on_z),
        "used z instead of s"),
    Bug(S, "upstream gradient ignored", (sig[0], sigmoid_backward_no_dout), "upstream gradient"),
    Bug(T, "tanh from the exp formula overflows", (tanh_exp_formula, tanh[1]), "overflow"),
    Bug(T, "tanh as 2 sigmoid(z) - 1", (tanh_from_sigmoid_wrong, tanh[1]), "2 sigmoid(2z) - 1"),
    Bug(T, "derivative 1 - z^2 on the input", (tanh_forward_caching_z, tanh_backward_on_z),
        "used z instead of t"),
    Bug(T, "derivative 1 - tanh (square missing)", (tanh[0], tanh_backward_no_square),
        "square is missing"),
    Bug(T, "derivative tanh^2 - 1 (sign)", (tanh[0], tanh_backward_sign), "sign error"),
    Bug(R, "min instead of max", (relu_min, relu[1]), "min instead of max"),
    Bug(R, "derivative on the wrong side (z < 0)", (relu[0], relu_backward_wrong_side),
        "wrong side"),
    Bug(R, "derivative 1 at z = 0 (z >= 0)", (relu_forward_caching_z, relu_backward_at_zero_one),
        "z = 0"),
    Bug(R, "dout times relu(z) instead of relu'(z)",
        (relu_forward_caching_z, relu_backward_times_output), "instead of f'(z)"),
    Bug(R, "z[z < 0] = 0 changes the caller's array", (relu_in_place, relu[1]), "in place"),
    Bug(L, "alpha ignored (0.01 hard-coded)", (leaky_fixed_alpha, leaky_fixed_alpha_backward),
        "alpha was ignored"),
    Bug(L, "slopes swapped in the backward", (leaky[0], leaky_backward_swapped), "swapped"),
    Bug(L, "ReLU's derivative (0 for z < 0)", (leaky[0], leaky_backward_relu), "slope for z < 0"),
    Bug(L, "alpha z instead of alpha in the backward",
        (leaky_forward_caching_z, leaky_backward_function), "instead of alpha"),
    Bug(L, "derivative 1 at z = 0", (leaky_forward_caching_z, leaky_backward_at_zero), "z = 0"),
    Bug(L, "default alpha 0.1", (leaky_wrong_default, leaky[1]), "default value of alpha"),
    Bug(E, "alpha missing in the forward", (elu_no_alpha, elu_backward_exact), "alpha is missing"),
    Bug(E, "the - 1 missing in the forward", (elu_no_minus_one, elu_backward_exact),
        "- 1 is missing"),
    Bug(E, "f(z) instead of f'(z) for z < 0", (elu_forward_caching_z, elu_backward_function),
        "instead of f'(z) = alpha e^z"),
    Bug(E, "alpha missing in the derivative", (elu_forward_caching_z, elu_backward_no_alpha),
        "alpha is missing in the derivative"),
    Bug(E, "np.where evaluates exp(1000)", (elu_where_overflows, elu_backward_exact), "overflow"),
    Bug(SE, "scale missing (the notes' formula)", (selu_no_scale, selu_backward_no_scale),
        "scale (about 1.0507) is missing"),
    Bug(SE, "alpha and scale swapped", (selu_swapped, selu_backward_exact), "swapped"),
    Bug(SE, "constants rounded to 1.051 and 1.673", (selu_rounded, selu_backward_exact),
        "rounded"),
    Bug(SE, "scale missing in the backward", (selu_forward_caching_z, selu_backward_no_scale),
        "scale is missing in the backward"),
    Bug(SP, "ln(1 + e^z) overflows", (softplus_naive, softplus[1]), "overflow"),
    Bug(SP, "ln(1 + e^{-z})", (softplus_flipped, softplus[1]), "sign of z is flipped"),
    Bug(SP, "derivative written as softplus", (softplus[0], softplus_backward_is_softplus),
        "instead of f'(z)"),
    Bug(SP, "derivative sigmoid(-z)", (softplus[0], softplus_backward_sigmoid_minus),
        "not sigmoid(-z)"),
    Bug(SP, "derivative e^z / (1 + e^z) is NaN at 1000", (softplus[0], softplus_backward_naive),
        "overflow"),
    Bug(SW, "beta ignored", (swish_no_beta, swish[1]), "beta was ignored"),
    Bug(SW, "product rule forgotten", (swish[0], swish_backward_no_product_rule), "product rule"),
    Bug(SW, "beta missing in the derivative", (swish[0], swish_backward_no_beta),
        "beta is missing"),
    Bug(SW, "naive sigmoid inside swish overflows", (swish_naive, swish[1]), "overflow"),
    Bug(SM, "no max subtraction", (softmax_no_shift, softmax[1]), "overflow"),
    Bug(SM, "max of the whole array subtracted", (softmax_global_shift, softmax[1]), "own maximum"),
    Bug(SM, "softmax over axis 0", (softmax_axis0, softmax[1]), "wrong axis"),
    Bug(SM, "normalised over the whole batch", (softmax_whole_batch, softmax[1]), "whole batch"),
    Bug(SM, "z -= max changes the caller's array", (softmax_in_place, softmax[1]), "in place"),
    Bug(SM, "backward with the Jacobian's diagonal only", (softmax[0], softmax_backward_diagonal),
        "diagonal"),
    Bug(SM, "backward sum without keepdims", (softmax[0], softmax_backward_no_keepdims),
        "keepdims"),
    Bug(SM, "backward sum over axis 0", (softmax[0], softmax_backward_axis0), "wrong axis"),
    Bug(SM, "backward with the sign flipped", (softmax[0], softmax_backward_sign), "sign error"),
]

"""What the element-wise check of notebook 03 knows about each activation.

One :class:`ActivationSpec` per exercise: dlcore's reference pair, the
activation's parameter (alpha, beta) with its default and how hidden cases draw
it, the inputs to try (shapes, large |z|), the convention at a kink, and the
known wrong answers with the diagnosis of each. :mod:`autograder.activations`
runs the same check on every spec; this module is the table it reads.

Every wrong answer is computed from dlcore's reference for the case at hand,
never typed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dlcore import functional as F

from .checking import Diagnose, matches

__all__ = [
    "ELU",
    "LARGE_Z",
    "LEAKY_RELU",
    "RELU",
    "SELU",
    "SIGMOID",
    "SOFTMAX",
    "SOFTPLUS",
    "SWISH",
    "TANH",
    "ActivationSpec",
    "away_from_kinks",
    "upstream_mistakes",
]

LARGE_Z = np.array([-1000.0, -50.0, -20.0, -0.5, 0.5, 20.0, 50.0, 1000.0])


def upstream_mistakes(dout: Any, out: Any, derivative: Any) -> dict[str, Any]:
    """Wrong backward passes every element-wise activation invites.

    ``out`` is f(z) and ``derivative`` is f'(z), both from dlcore's reference.
    """
    return {
        "the upstream gradient dout was ignored: return dout * f'(z), not f'(z) alone": derivative,
        "dout was returned unchanged: multiply it by f'(z)": dout,
        "dout was multiplied by f(z), the function, instead of f'(z), its derivative": dout * out,
    }


def away_from_kinks(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random z with 0.1 <= |z| <= 3, so centred differences never straddle a kink."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 3.0, size=shape)


def _shapes(rng: np.random.Generator, hidden: bool) -> list[tuple[int, ...]]:
    if not hidden:
        return [(4, 5)]
    n, d = int(rng.integers(2, 7)), int(rng.integers(2, 7))
    return [(1, int(rng.integers(3, 9))), (n, d), (int(rng.integers(5, 12)),), (2, 3, 2)]


def _large_elementwise(rng: np.random.Generator, hidden: bool) -> np.ndarray:
    return rng.permutation(LARGE_Z) if hidden else LARGE_Z.copy()


@dataclass(frozen=True)
class ActivationSpec:
    """What the generic element-wise check needs to know about one activation.

    reference : dlcore's (forward, backward) pair, the one that scores full marks
    parameter, default, sample : the keyword argument (alpha, beta) if any, its
        default in the exercise's signature, and how a case draws its value
    overflow_hint : what to tell a student whose result overflows for large |z|
        (None for activations that cannot overflow)
    forward_mistakes, backward_mistakes : (z, [dout,] **params) -> {diagnosis:
        wrong value}, the activation's known wrong answers for one case
    forward_fallback : a last diagnosis of the forward values, for a mistake that
        no single wrong value describes (SELU's rounded constants)
    zero_convention : the diagnosis of a derivative that is wrong only at z = 0
        exactly (None where the activation has no kink at 0)
    shapes, large : (rng, hidden) -> the shapes of the random cases, the large |z|
    elementwise : whether f'(z) is element-wise (softmax's Jacobian is not), so that
        the generic mistakes of an element-wise backward apply
    backward_label : the name of the backward sub-check
    """

    reference: tuple[Callable[..., Any], Callable[..., Any]]
    parameter: str | None = None
    default: float = 0.0
    sample: Callable[[np.random.Generator], float] = lambda rng: 0.0
    overflow_hint: str | None = None
    forward_mistakes: Callable[..., dict[str, Any]] = lambda z, **p: {}
    backward_mistakes: Callable[..., dict[str, Any]] = lambda z, dout, **p: {}
    forward_fallback: Diagnose | None = None
    zero_convention: str | None = None
    shapes: Callable[[np.random.Generator, bool], list[tuple[int, ...]]] = _shapes
    large: Callable[[np.random.Generator, bool], np.ndarray] = _large_elementwise
    elementwise: bool = True
    backward_label: str = "backward = dout * f'(z) for a random dout, against dlcore"


# ------------------------------------------------------------ the specs
# The wrong answers are computed from dlcore's reference inside each check.
def _sig(z):
    return F.sigmoid_forward(z)[0]


def _elu(z, alpha):
    return F.elu_forward(z, alpha)[0]


def _selu_like(z, scale, alpha, both=True):
    negative = alpha * np.expm1(np.minimum(z, 0))
    return np.where(z > 0, scale * z, scale * negative if both else negative)


_EXP_HINT = (
    "overflow: e^z for large |z| gives inf (and a warning); {fix}"
)
SIGMOID = ActivationSpec(
    (F.sigmoid_forward, F.sigmoid_backward),
    overflow_hint=_EXP_HINT.format(
        fix="compute e = np.exp(-np.abs(z)) and use 1 / (1 + e) where z >= 0, e / (1 + e) elsewhere"
    ),
    forward_mistakes=lambda z: {
        "the minus sign is missing: sigmoid(z) = 1 / (1 + e^{-z}), not 1 / (1 + e^{z})": _sig(-z),
    },
    backward_mistakes=lambda z, g: {
        "sigmoid'(z) written as sigmoid(z): the derivative is s (1 - s)": g * _sig(z),
        "the derivative used z instead of s = sigmoid(z): it is s (1 - s)": g * z * (1 - z),
    },
)
TANH = ActivationSpec(
    (F.tanh_forward, F.tanh_backward),
    overflow_hint=_EXP_HINT.format(fix="(e^z - e^-z) / (e^z + e^-z) becomes inf / inf; "
                                       "use np.tanh"),
    forward_mistakes=lambda z: {
        "tanh(z) = 2 sigmoid(2z) - 1, not 2 sigmoid(z) - 1": 2 * _sig(z) - 1,
    },
    backward_mistakes=lambda z, g: {
        "the derivative used z instead of t = tanh(z): it is 1 - t^2": g * (1 - z * z),
        "the square is missing: tanh'(z) = 1 - tanh(z)^2": g * (1 - np.tanh(z)),
    },
)
RELU = ActivationSpec(
    (F.relu_forward, F.relu_backward),
    forward_mistakes=lambda z: {"min instead of max: relu(z) = max(0, z)": np.minimum(z, 0)},
    backward_mistakes=lambda z, g: {
        "the derivative is on the wrong side: 1 for z > 0, 0 for z < 0": g * (z < 0),
    },
    zero_convention="at z = 0 exactly the derivative must be 0 (the convention of dlcore and "
    "PyTorch): use the mask z > 0, not z >= 0",
)


def _leaky_backward_mistakes(z, g, alpha):
    return {
        "alpha was ignored in the backward pass (0.01 hard-coded?): keep alpha in the cache":
            g * np.where(z > 0, 1.0, 0.01),
        "the slopes are swapped: 1 for z > 0, alpha for z < 0": g * np.where(z > 0, alpha, 1.0),
        "the slope for z < 0 is 0: that is ReLU's derivative; leaky ReLU's is alpha": g * (z > 0),
        "used alpha z (the function) instead of alpha (its slope) for z < 0":
            g * np.where(z > 0, 1.0, alpha * z),
    }


LEAKY_RELU = ActivationSpec(
    (F.leaky_relu_forward, F.leaky_relu_backward),
    parameter="alpha",
    default=0.01,
    sample=lambda rng: float(rng.uniform(0.05, 0.5)),
    forward_mistakes=lambda z, alpha: {
        "alpha was ignored (0.01 hard-coded?): use the alpha argument":
            np.where(z > 0, z, 0.01 * z),
        "the slopes are swapped: z for z > 0, alpha z otherwise": np.where(z > 0, alpha * z, z),
    },
    backward_mistakes=_leaky_backward_mistakes,
    zero_convention="at z = 0 exactly the derivative must be alpha, the slope of the negative "
    "side (the convention of dlcore and PyTorch): test z > 0, not z >= 0",
)
ELU = ActivationSpec(
    (F.elu_forward, F.elu_backward),
    parameter="alpha",
    default=1.0,
    sample=lambda rng: float(rng.choice([rng.uniform(0.2, 0.8), rng.uniform(1.3, 2.0)])),
    overflow_hint=_EXP_HINT.format(
        fix="np.where evaluates both branches, so exp(z) overflows for large positive z; "
        "use np.exp(np.minimum(z, 0))"
    ),
    forward_mistakes=lambda z, alpha: {
        "alpha is missing: elu(z) = alpha (e^z - 1) for z <= 0":
            np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
        "the - 1 is missing: alpha (e^z - 1), so that elu(0) = 0":
            np.where(z > 0, z, alpha * np.exp(np.minimum(z, 0))),
    },
    backward_mistakes=lambda z, g, alpha: {
        "used f(z) = alpha (e^z - 1) instead of f'(z) = alpha e^z for z < 0":
            g * np.where(z > 0, 1.0, _elu(z, alpha)),
        "alpha is missing in the derivative: alpha e^z for z < 0":
            g * np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))),
    },
)


def _selu_rounded(expected: Any, got: Any) -> str | None:
    close = matches(expected, got, rtol=2e-3, atol=1e-6)
    return ("the values are close but not equal: the constants were rounded; use SELU_ALPHA "
            "and SELU_SCALE at full precision") if close else None


_A, _S = F.SELU_ALPHA, F.SELU_SCALE
SELU = ActivationSpec(
    (F.selu_forward, F.selu_backward),
    overflow_hint=_EXP_HINT.format(
        fix="np.where evaluates both branches; use np.exp(np.minimum(z, 0))"
    ),
    forward_mistakes=lambda z: {
        "the scale (about 1.0507) is missing: selu(z) = scale * elu(z, alpha)": _elu(z, _A),
        "alpha and the scale are swapped: scale ~= 1.0507, alpha ~= 1.6733":
            _selu_like(z, _A, _S),
        "the scale multiplies only the positive side: it multiplies both":
            _selu_like(z, _S, _A, both=False),
    },
    forward_fallback=_selu_rounded,
    backward_mistakes=lambda z, g: {
        "the scale is missing in the backward pass: selu'(z) = scale * elu'(z)":
            F.elu_backward(g, F.elu_forward(z, _A)[1]),
        "used f(z) instead of f'(z) for z < 0: the derivative there is scale * alpha * e^z":
            g * np.where(z > 0, _S, _S * _elu(z, _A)),
    },
)
SOFTPLUS = ActivationSpec(
    (F.softplus_forward, F.softplus_backward),
    overflow_hint=_EXP_HINT.format(
        fix="ln(1 + e^z) becomes inf; use np.logaddexp(0, z), or max(z, 0) + log1p(e^{-|z|}), "
        "and a stable sigmoid for the derivative"
    ),
    forward_mistakes=lambda z: {
        "ln(1 + e^{-z}) is softplus(-z): the sign of z is flipped":
            F.softplus_forward(-z)[0],
    },
    backward_mistakes=lambda z, g: {
        "softplus'(z) is sigmoid(z), not sigmoid(-z)": g * _sig(-z),
    },
)


def _swish_backward_mistakes(z, g, beta):
    s = _sig(beta * z)
    return {
        "product rule: the term beta z s (1 - s) is missing (s = sigmoid(beta z))": g * s,
        "beta is missing in the derivative: s + beta z s (1 - s)": g * (s + z * s * (1 - s)),
        "only the derivative of sigmoid(beta z) was used: the product rule gives "
        "s + beta z s (1 - s)": g * beta * s * (1 - s),
    }


SWISH = ActivationSpec(
    (F.swish_forward, F.swish_backward),
    parameter="beta",
    default=1.0,
    sample=lambda rng: float(rng.choice([rng.uniform(0.3, 0.8), rng.uniform(1.5, 3.0)])),
    overflow_hint=_EXP_HINT.format(fix="build swish on a stable sigmoid (exp(-|beta z|))"),
    forward_mistakes=lambda z, beta: {
        "beta was ignored: swish(z) = z sigmoid(beta z)": z * _sig(z),
        "the factor z is missing: swish(z) = z sigmoid(beta z)": _sig(beta * z),
    },
    backward_mistakes=_swish_backward_mistakes,
)


# ------------------------------------------------------------------ softmax
def _softmax(z, axis=-1):
    return F.softmax_forward(z, axis)[0]


def _softmax_shapes(rng: np.random.Generator, hidden: bool) -> list[tuple[int, ...]]:
    if not hidden:
        return [(4, 3)]
    n, k = int(rng.integers(2, 8)), int(rng.integers(2, 7))
    return [(1, int(rng.integers(2, 7))), (n + (n == k), k)]  # never square: N != K


def _large_logits(rng: np.random.Generator, hidden: bool) -> np.ndarray:
    """Rows far apart (about +-1000): a max over the whole array does not rescue them all."""
    if not hidden:
        return np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -999.5],
                         [0.5, -0.5, 2.0], [50.0, -50.0, 0.0]])
    n, k = int(rng.integers(3, 7)), int(rng.integers(2, 6))
    offsets = rng.permutation(np.resize([1000.0, -1000.0, 0.0, 400.0], n))[:, None]
    return offsets + 3 * rng.standard_normal((n, k))


def _softmax_forward_mistakes(z):
    e = np.exp(z - z.max())
    return {
        "softmax over the wrong axis: normalise each row (axis=1, keepdims=True), not each "
        "column": _softmax(z, 0),
        "normalised over the whole batch: each row (one example) must sum to 1": e / e.sum(),
        "the outputs are not normalised: divide e^z by the sum over its row": np.exp(z),
    }


def _softmax_backward_mistakes(z, g):
    s = _softmax(z)
    return {
        "only the diagonal of the Jacobian was used (s (1 - s), as for a sigmoid): every output "
        "depends on the whole row; dz = s * (dout - sum(dout * s, axis=1, keepdims=True))":
            g * s * (1 - s),
        "the sum in the backward pass runs over the wrong axis: sum over each row (axis=1)":
            s * (g - (g * s).sum(axis=0, keepdims=True)),
        "the row sum is missing: dz = s * (dout - sum_k dout_k s_k)": s * g,
        "dout was returned unchanged: multiply it by the softmax Jacobian": g,
    }


SOFTMAX = ActivationSpec(
    (F.softmax_forward, F.softmax_backward),
    overflow_hint="overflow: e^z is inf for large logits (then inf / inf = NaN); subtract each "
    "row's own maximum first, z - z.max(axis=1, keepdims=True) (the maximum of the whole array "
    "is not enough when rows are far apart)",
    forward_mistakes=_softmax_forward_mistakes,
    backward_mistakes=_softmax_backward_mistakes,
    shapes=_softmax_shapes,
    large=_large_logits,
    elementwise=False,
    backward_label="backward (vector-Jacobian product) for a random dout, against dlcore",
)


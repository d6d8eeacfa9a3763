"""Checks of notebook 03, activations: the forward and backward pass of every activation.

Each exercise is a pair written like :mod:`dlcore.functional`'s::

    out, cache = f_forward(z, ...)     # z: float64 array of any shape ((N, K) for softmax)
    dz = f_backward(dout, cache)       # dout = dL/d(out), dz = dL/dz, both shaped like z

and its check compares, in float64,

- the forward values with dlcore's reference, on random inputs and on large |z|;
- the backward with dlcore's, for a random upstream gradient ``dout`` (never all ones);
- the backward with the numerical gradient of the student's own forward;

and looks for overflow warnings, for an input modified in place and for the
convention at a kink (ReLU's derivative at exactly 0). Hidden cases use other
shapes (batch size 1, 1-D and 3-D arrays) and other parameter values.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from dlcore import functional as F
from dlcore.gradcheck import numerical_gradient

from .core import CheckResult, NotImplementedYet, StudentError, call, compare, exercise
from .core import student_or_reference as _student_or_reference

Diagnose = Callable[[Any, Any], "str | None"]
LARGE_Z = np.array([-1000.0, -50.0, -20.0, -0.5, 0.5, 20.0, 50.0, 1000.0])
KEEPDIMS = (
    "shapes (N, K) and (N,) do not broadcast: keep the summed axis with keepdims=True "
    "(e.g. z.max(axis=1, keepdims=True))"
)


# ------------------------------------------------------------ diagnosis helpers
def matches(got: Any, candidate: Any, rtol: float = 1e-6, atol: float = 1e-8) -> bool:
    """Whether ``got`` equals ``candidate`` (a known wrong answer) within tolerance."""
    return candidate is not None and compare(candidate, got, rtol=rtol, atol=atol)[0]


def has_nonfinite(got: Any) -> bool:
    """Whether ``got`` is numeric and holds NaN or inf."""
    try:
        return not bool(np.isfinite(np.asarray(got, dtype=float)).all())
    except (TypeError, ValueError):
        return False


def generic_mistake(expected: Any, got: Any) -> str | None:
    """Mistakes any array-valued answer can make: a flipped sign or a transpose."""
    try:
        want, have = np.asarray(expected, dtype=float), np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None
    if want.shape == have.shape and np.abs(want).max(initial=0) > 0 and matches(have, -want):
        return "sign error: the result is minus the expected one"
    if want.ndim == 2 and want.shape != want.T.shape and matches(have, want.T):
        return "transposed: the result is the transpose of the expected one"
    return None


def diagnose_from(candidates: Mapping[str, Any], fallback: Diagnose | None = None) -> Diagnose:
    """A ``diagnose(expected, got)`` naming the first known wrong answer ``got`` equals.

    ``candidates`` maps a phrase for the student to the array that mistake produces;
    when none matches, ``fallback`` (if any) and then :func:`generic_mistake` are tried.
    """

    def diagnose(expected: Any, got: Any) -> str | None:
        for phrase, wrong in candidates.items():
            if matches(got, wrong):
                return phrase
        return (fallback and fallback(expected, got)) or generic_mistake(expected, got)

    return diagnose


def upstream_mistakes(dout: Any, out: Any, derivative: Any) -> dict[str, Any]:
    """Wrong backward passes every element-wise activation invites.

    ``out`` is f(z) and ``derivative`` is f'(z), both from dlcore's reference.
    """
    return {
        "the upstream gradient dout was ignored: return dout * f'(z), not f'(z) alone": derivative,
        "dout was returned unchanged: multiply it by f'(z)": dout,
        "dout was multiplied by f(z), the function, instead of f'(z), its derivative": dout * out,
    }


# ------------------------------------------------------------ calling helpers
def _describe(value: Any) -> str:
    shape = getattr(value, "shape", None)
    return type(value).__name__ + (f" of shape {shape}" if shape is not None else "")


def _forward(forward: Callable[..., Any], z: np.ndarray, params: Mapping[str, float]):
    """Call the student's forward on ``z`` itself (so that in-place changes show)."""
    value = call(lambda: forward(z, **params))
    if not (isinstance(value, tuple) and len(value) == 2):
        raise StudentError(
            f"the forward function must return a pair (out, cache); it returned {_describe(value)}"
        )
    return value


def _backward(backward: Callable[..., Any], dout: np.ndarray, cache: Any) -> Any:
    try:
        return call(backward, dout, cache)
    except NotImplementedYet:
        raise StudentError("the backward function is not implemented yet") from None


def _output(forward: Callable[..., Any], z: np.ndarray, params: Mapping[str, float]):
    return np.asarray(_forward(forward, z.copy(), params)[0], dtype=float)


def _recording(thunk: Callable[[], Any]) -> tuple[Any, list[str]]:
    """Run ``thunk`` and return its value and the RuntimeWarnings NumPy raised."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("always")
        value = thunk()
    return value, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def _guarded(result: CheckResult, label: str, weight: float, body: Callable[[], None]) -> None:
    """Run one case; if the student's code raises, the case's unearned weight is lost."""
    start = len(result.subchecks)
    try:
        body()
    except StudentError as error:
        used = sum(s.points for s in result.subchecks[start:])
        result.add(f"{label}runs without error", False, weight=max(weight - used, 0.5),
                   message=str(error))
        if "broadcast" in str(error):
            result.diagnose(KEEPDIMS)


def _fail_if_changed(result: CheckResult, label: str, mine: np.ndarray, z: np.ndarray) -> None:
    same = mine.shape == z.shape and np.array_equal(mine, z)
    result.add(f"{label}input z left unchanged", same, weight=0.5,
               message="" if same else "the forward pass changed the array it was given")
    if not same:
        result.diagnose("the forward pass modifies its input in place (e.g. z[z < 0] = 0 or "
                        "z -= ...): work on a new array, the caller still needs z")


# ------------------------------------------------------------ element-wise checks
def _away_from_kinks(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
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
class _Spec:
    """What the generic element-wise check needs to know about one activation."""

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


def _case(result, forward, backward, spec: _Spec, z, params, rng, label) -> None:
    dout = rng.standard_normal(z.shape)
    ref_out, ref_cache = spec.reference[0](z, **params)
    ref_dz = spec.reference[1](dout, ref_cache)
    derivative = spec.reference[1](np.ones_like(z), ref_cache)

    def body() -> None:
        mine = z.copy()
        out, cache = _forward(forward, mine, params)
        result.add(f"{label}forward values", expected=ref_out, got=out, weight=2,
                   diagnose=diagnose_from(spec.forward_mistakes(z, **params),
                                          spec.forward_fallback))
        _fail_if_changed(result, label, mine, z)
        dz = _backward(backward, dout, cache)
        wrong = spec.backward_mistakes(z, dout, **params)
        if spec.elementwise:
            wrong = {**wrong, **upstream_mistakes(dout, ref_out, derivative)}
        result.add(f"{label}{spec.backward_label}",
                   expected=ref_dz, got=dz, weight=2, diagnose=diagnose_from(wrong))
        numeric = numerical_gradient(
            lambda x: float((_output(forward, x, params) * dout).sum()), z.copy())
        result.add(f"{label}backward = numerical gradient of your forward", expected=numeric,
                   got=dz, rtol=1e-5, atol=1e-7, weight=1)

    _guarded(result, label, 5.5, body)


def _large_z(result, forward, backward, spec: _Spec, params, rng, hidden) -> None:
    label = "hidden: " if hidden else ""
    z = spec.large(rng, hidden)
    dout = rng.standard_normal(z.shape)
    ref_out, ref_cache = spec.reference[0](z, **params)
    ref_dz = spec.reference[1](dout, ref_cache)

    def overflow(expected: Any, got: Any) -> str | None:
        return spec.overflow_hint if has_nonfinite(got) else None

    def body() -> None:
        def run():
            out, cache = _forward(forward, z.copy(), params)
            return out, _backward(backward, dout, cache)

        (out, dz), caught = _recording(run)
        result.add(f"{label}large |z|: forward finite and correct", expected=ref_out,
                   got=out, weight=1, diagnose=overflow)
        result.add(f"{label}large |z|: backward finite and correct",
                   expected=ref_dz, got=dz, weight=1, diagnose=overflow)
        if spec.overflow_hint is not None:
            result.add(f"{label}large |z|: no overflow warning", not caught, weight=1,
                       message=f"NumPy warned: {caught[0]}" if caught else "")
            if caught:
                result.diagnose(spec.overflow_hint)

    _guarded(result, f"{label}large |z|: ", 3 if spec.overflow_hint else 2, body)


def _special_cases(result, forward, backward, spec: _Spec, rng, hidden) -> None:
    if spec.parameter is not None and not hidden:
        z = _away_from_kinks(rng, (3, 4))
        expected = spec.reference[0](z, **{spec.parameter: spec.default})[0]

        def default_body() -> None:
            out, _ = _forward(forward, z.copy(), {})
            result.add(f"default {spec.parameter} = {spec.default:g}", expected=expected,
                       got=out, weight=0.5, diagnose=lambda e, g: (
                           f"the default value of {spec.parameter} must be {spec.default:g}, "
                           "as in the function's signature"))

        _guarded(result, f"default {spec.parameter}: ", 0.5, default_body)
    if spec.zero_convention is not None:
        label = "hidden: " if hidden else ""
        z = np.array([[-1.5, 0.0, 2.0], [0.0, 0.7, -0.3]])
        params = {spec.parameter: spec.sample(rng)} if spec.parameter else {}
        dout = rng.standard_normal(z.shape)
        expected = spec.reference[1](dout, spec.reference[0](z, **params)[1])

        def only_at_zero(expected: Any, got: Any) -> str | None:
            """The convention, when every entry away from z = 0 is right."""
            away = z != 0
            try:
                right = matches(np.asarray(got, dtype=float)[away], expected[away])
            except (TypeError, ValueError, IndexError):
                return None
            return spec.zero_convention if right else None

        def zero_body() -> None:
            _, cache = _forward(forward, z.copy(), params)
            dz = _backward(backward, dout, cache)
            result.add(f"{label}derivative at z = 0 exactly", expected=expected, got=dz,
                       weight=0.5, diagnose=only_at_zero)

        _guarded(result, f"{label}z = 0: ", 0.5, zero_body)


def _check_elementwise(result, forward, backward, spec: _Spec, *, hidden, rng) -> None:
    label = "hidden: " if hidden else ""
    for shape in spec.shapes(rng, hidden):
        params = {spec.parameter: spec.sample(rng)} if spec.parameter else {}
        shown = f"{label}z {shape}" + "".join(f", {k} = {v:.3g}" for k, v in params.items())
        _case(result, forward, backward, spec, _away_from_kinks(rng, shape), params, rng,
              f"{shown}: ")
    # the default parameter here: with a small beta, swish's e^{-beta z} would not overflow
    params = {spec.parameter: spec.default} if spec.parameter else {}
    _large_z(result, forward, backward, spec, params, rng, hidden)
    _special_cases(result, forward, backward, spec, rng, hidden)


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
_SIGMOID = _Spec(
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
_TANH = _Spec(
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
_RELU = _Spec(
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


_LEAKY = _Spec(
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
_ELU = _Spec(
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
    close = compare(expected, got, rtol=2e-3, atol=1e-6)[0]
    return ("the values are close but not equal: the constants were rounded; use SELU_ALPHA "
            "and SELU_SCALE at full precision") if close else None


_A, _S = F.SELU_ALPHA, F.SELU_SCALE
_SELU = _Spec(
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
_SOFTPLUS = _Spec(
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


_SWISH = _Spec(
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


@exercise("sigmoid", points=2)
def check_sigmoid(result, sigmoid_forward, sigmoid_backward, *, hidden=False, rng):
    """sigmoid(z) = 1 / (1 + e^{-z}) and its backward dout * s (1 - s)."""
    _check_elementwise(result, sigmoid_forward, sigmoid_backward, _SIGMOID, hidden=hidden,
                       rng=rng)


@exercise("tanh", points=1)
def check_tanh(result, tanh_forward, tanh_backward, *, hidden=False, rng):
    """tanh(z) and its backward dout * (1 - tanh(z)^2)."""
    _check_elementwise(result, tanh_forward, tanh_backward, _TANH, hidden=hidden, rng=rng)


@exercise("relu", points=2)
def check_relu(result, relu_forward, relu_backward, *, hidden=False, rng):
    """max(0, z) and its backward dout * [z > 0]."""
    _check_elementwise(result, relu_forward, relu_backward, _RELU, hidden=hidden, rng=rng)


@exercise("leaky_relu", points=1)
def check_leaky_relu(result, leaky_relu_forward, leaky_relu_backward, *, hidden=False, rng):
    """z for z > 0 else alpha z, and its backward; alpha is an argument (default 0.01)."""
    _check_elementwise(result, leaky_relu_forward, leaky_relu_backward, _LEAKY, hidden=hidden,
                       rng=rng)


@exercise("elu", points=2)
def check_elu(result, elu_forward, elu_backward, *, hidden=False, rng):
    """z for z > 0 else alpha (e^z - 1), and its backward; alpha defaults to 1."""
    _check_elementwise(result, elu_forward, elu_backward, _ELU, hidden=hidden, rng=rng)


@exercise("selu", points=1)
def check_selu(result, selu_forward, selu_backward, *, hidden=False, rng):
    """scale * elu(z, alpha) with SELU's two constants, and its backward."""
    _check_elementwise(result, selu_forward, selu_backward, _SELU, hidden=hidden, rng=rng)


@exercise("softplus", points=1)
def check_softplus(result, softplus_forward, softplus_backward, *, hidden=False, rng):
    """ln(1 + e^z), stably, and its backward dout * sigmoid(z)."""
    _check_elementwise(result, softplus_forward, softplus_backward, _SOFTPLUS, hidden=hidden,
                       rng=rng)


@exercise("swish", points=2)
def check_swish(result, swish_forward, swish_backward, *, hidden=False, rng):
    """z sigmoid(beta z) (beta defaults to 1) and its backward."""
    _check_elementwise(result, swish_forward, swish_backward, _SWISH, hidden=hidden, rng=rng)


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


_SOFTMAX = _Spec(
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


@exercise("softmax", points=3)
def check_softmax(result, softmax_forward, softmax_backward, *, hidden=False, rng):
    """Row-wise softmax of (N, K) logits and its vector-Jacobian product."""
    _check_elementwise(result, softmax_forward, softmax_backward, _SOFTMAX, hidden=hidden,
                       rng=rng)


#: grade_id of each test cell -> (check, dlcore's reference pair, which must score full marks)
CHECKS: dict[str, tuple[Callable[..., CheckResult], tuple[Callable[..., Any], ...]]] = {
    "test_sigmoid": (check_sigmoid, (F.sigmoid_forward, F.sigmoid_backward)),
    "test_tanh": (check_tanh, (F.tanh_forward, F.tanh_backward)),
    "test_relu": (check_relu, (F.relu_forward, F.relu_backward)),
    "test_leaky_relu": (check_leaky_relu, (F.leaky_relu_forward, F.leaky_relu_backward)),
    "test_elu": (check_elu, (F.elu_forward, F.elu_backward)),
    "test_selu": (check_selu, (F.selu_forward, F.selu_backward)),
    "test_softplus": (check_softplus, (F.softplus_forward, F.softplus_backward)),
    "test_swish": (check_swish, (F.swish_forward, F.swish_backward)),
    "test_softmax": (check_softmax, (F.softmax_forward, F.softmax_backward)),
}


def student_pair_or_reference(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    reference: tuple[Callable[..., Any], Callable[..., Any]],
    *probe: Any,
    name: str = "",
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The student's (forward, backward) when both run on ``probe``, else dlcore's pair.

    The two halves travel together because a backward only understands the cache
    of its own forward. Says on stdout when the reference is used.
    """

    def both(*args: Any) -> Any:
        out, cache = forward(*args)
        return backward(np.ones_like(np.asarray(out, dtype=float)), cache)

    chosen = _student_or_reference(both, _use_reference, *probe, name=name)
    return reference if chosen is _use_reference else (forward, backward)


def _use_reference(*args: Any) -> None:
    """Marker returned by student_or_reference when the student's pair cannot be used."""

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

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dlcore import functional as F

from . import activation_specs as specs
from .activation_specs import ActivationSpec, away_from_kinks, upstream_mistakes
from .checking import (
    KEEPDIMS_BROADCAST,
    call_second,
    call_watching,
    diagnoser,
    has_nonfinite,
    matches,
    numerical_gradient_of,
    record_unchanged,
    recording_warnings,
    unpack,
)
from .core import CheckResult, StudentError, exercise
from .core import student_or_reference as _student_or_reference

IN_PLACE_HINT = "e.g. z[z < 0] = 0 or z -= ... changes the caller's z, which it still needs"


# ------------------------------------------------------------ calling helpers
def _forward(forward: Callable[..., Any], z: np.ndarray, params: Mapping[str, float]):
    """The student's (out, cache) for ``z``, and whether the forward changed ``z`` in place."""
    output, changed = call_watching(forward, z, **params)
    out, cache = unpack(output, 2, "the forward function must return a pair (out, cache)")
    return out, cache, changed


def _out(output: Any) -> np.ndarray:
    """``out`` of the student's forward's (out, cache), as floats."""
    out, _ = unpack(output, 2, "the forward function must return a pair (out, cache)")
    return np.asarray(out, dtype=float)


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
            result.diagnose(KEEPDIMS_BROADCAST)


# ------------------------------------------------------------ element-wise checks
def _with_fallback(candidates: Mapping[str, Any], fallback: Callable[[Any, Any], Any] | None):
    """The candidates' diagnosis, else the spec's last resort (SELU's rounded constants)."""
    named = diagnoser(candidates)
    if fallback is None:
        return named
    return lambda expected, got: named(expected, got) or fallback(expected, got)


def _case(result, forward, backward, spec: ActivationSpec, z, params, rng, label) -> None:
    dout = rng.standard_normal(z.shape)
    ref_out, ref_cache = spec.reference[0](z, **params)
    ref_dz = spec.reference[1](dout, ref_cache)
    derivative = spec.reference[1](np.ones_like(z), ref_cache)

    def body() -> None:
        out, cache, changed = _forward(forward, z, params)
        result.add(f"{label}forward values", expected=ref_out, got=out, weight=2,
                   diagnose=_with_fallback(spec.forward_mistakes(z, **params),
                                           spec.forward_fallback))
        record_unchanged(result, changed, "the forward pass", label=label, hint=IN_PLACE_HINT)
        second = call_second(result, f"{label}backward", 3, backward, dout, cache)
        if second is None:
            return
        dz, _ = second
        wrong = spec.backward_mistakes(z, dout, **params)
        if spec.elementwise:
            wrong = {**wrong, **upstream_mistakes(dout, ref_out, derivative)}
        result.add(f"{label}{spec.backward_label}",
                   expected=ref_dz, got=dz, weight=2, diagnose=diagnoser(wrong))
        numeric = numerical_gradient_of(forward, z, lambda p: (p,),
                                        lambda output: float((_out(output) * dout).sum()),
                                        keywords=params)
        result.add(f"{label}backward = numerical gradient of your forward", expected=numeric,
                   got=dz, rtol=1e-5, atol=1e-7, weight=1)

    _guarded(result, label, 5.5, body)


def _large_z(result, forward, backward, spec: ActivationSpec, params, rng, hidden) -> None:
    label = "hidden: " if hidden else ""
    z = spec.large(rng, hidden)
    dout = rng.standard_normal(z.shape)
    ref_out, ref_cache = spec.reference[0](z, **params)
    ref_dz = spec.reference[1](dout, ref_cache)

    def overflow(expected: Any, got: Any) -> str | None:
        return spec.overflow_hint if has_nonfinite(got) else None

    def body() -> None:
        (out, cache, _), caught = recording_warnings(lambda: _forward(forward, z, params))
        result.add(f"{label}large |z|: forward finite and correct", expected=ref_out,
                   got=out, weight=1, diagnose=overflow)
        second, caught_back = recording_warnings(lambda: call_second(
            result, f"{label}large |z|: backward", 1, backward, dout, cache))
        caught += caught_back
        if second is not None:
            result.add(f"{label}large |z|: backward finite and correct",
                       expected=ref_dz, got=second[0], weight=1, diagnose=overflow)
        if spec.overflow_hint is not None:
            result.add(f"{label}large |z|: no overflow warning", not caught, weight=1,
                       message=f"NumPy warned: {caught[0]}" if caught else "")
            if caught:
                result.diagnose(spec.overflow_hint)

    _guarded(result, f"{label}large |z|: ", 3 if spec.overflow_hint else 2, body)


def _special_cases(result, forward, backward, spec: ActivationSpec, rng, hidden) -> None:
    if spec.parameter is not None and not hidden:
        z = away_from_kinks(rng, (3, 4))
        expected = spec.reference[0](z, **{spec.parameter: spec.default})[0]
        wrong_default = (f"the default value of {spec.parameter} must be {spec.default:g}, "
                         "as in the function's signature")

        def default_body() -> None:
            out, _, _ = _forward(forward, z, {})
            result.add(f"default {spec.parameter} = {spec.default:g}", expected=expected,
                       got=out, weight=0.5, diagnose=lambda e, g: wrong_default)

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
                right = matches(expected[away], np.asarray(got, dtype=float)[away])
            except (TypeError, ValueError, IndexError):
                return None
            return spec.zero_convention if right else None

        def zero_body() -> None:
            _, cache, _ = _forward(forward, z, params)
            second = call_second(result, f"{label}derivative at z = 0", 0.5, backward, dout,
                                 cache)
            if second is not None:
                result.add(f"{label}derivative at z = 0 exactly", expected=expected,
                           got=second[0], weight=0.5, diagnose=only_at_zero)

        _guarded(result, f"{label}z = 0: ", 0.5, zero_body)


def _check_elementwise(result, forward, backward, spec: ActivationSpec, *, hidden, rng) -> None:
    label = "hidden: " if hidden else ""
    for shape in spec.shapes(rng, hidden):
        params = {spec.parameter: spec.sample(rng)} if spec.parameter else {}
        shown = f"{label}z {shape}" + "".join(f", {k} = {v:.3g}" for k, v in params.items())
        _case(result, forward, backward, spec, away_from_kinks(rng, shape), params, rng,
              f"{shown}: ")
    # the default parameter here: with a small beta, swish's e^{-beta z} would not overflow
    params = {spec.parameter: spec.default} if spec.parameter else {}
    _large_z(result, forward, backward, spec, params, rng, hidden)
    _special_cases(result, forward, backward, spec, rng, hidden)


@exercise("sigmoid", points=2)
def check_sigmoid(result, sigmoid_forward, sigmoid_backward, *, hidden=False, rng):
    """sigmoid(z) = 1 / (1 + e^{-z}) and its backward dout * s (1 - s)."""
    _check_elementwise(result, sigmoid_forward, sigmoid_backward, specs.SIGMOID, hidden=hidden,
                       rng=rng)


@exercise("tanh", points=1)
def check_tanh(result, tanh_forward, tanh_backward, *, hidden=False, rng):
    """tanh(z) and its backward dout * (1 - tanh(z)^2)."""
    _check_elementwise(result, tanh_forward, tanh_backward, specs.TANH, hidden=hidden, rng=rng)


@exercise("relu", points=2)
def check_relu(result, relu_forward, relu_backward, *, hidden=False, rng):
    """max(0, z) and its backward dout * [z > 0]."""
    _check_elementwise(result, relu_forward, relu_backward, specs.RELU, hidden=hidden, rng=rng)


@exercise("leaky_relu", points=1)
def check_leaky_relu(result, leaky_relu_forward, leaky_relu_backward, *, hidden=False, rng):
    """z for z > 0 else alpha z, and its backward; alpha is an argument (default 0.01)."""
    _check_elementwise(result, leaky_relu_forward, leaky_relu_backward, specs.LEAKY_RELU,
                       hidden=hidden, rng=rng)


@exercise("elu", points=2)
def check_elu(result, elu_forward, elu_backward, *, hidden=False, rng):
    """z for z > 0 else alpha (e^z - 1), and its backward; alpha defaults to 1."""
    _check_elementwise(result, elu_forward, elu_backward, specs.ELU, hidden=hidden, rng=rng)


@exercise("selu", points=1)
def check_selu(result, selu_forward, selu_backward, *, hidden=False, rng):
    """scale * elu(z, alpha) with SELU's two constants, and its backward."""
    _check_elementwise(result, selu_forward, selu_backward, specs.SELU, hidden=hidden, rng=rng)


@exercise("softplus", points=1)
def check_softplus(result, softplus_forward, softplus_backward, *, hidden=False, rng):
    """ln(1 + e^z), stably, and its backward dout * sigmoid(z)."""
    _check_elementwise(result, softplus_forward, softplus_backward, specs.SOFTPLUS, hidden=hidden,
                       rng=rng)


@exercise("swish", points=2)
def check_swish(result, swish_forward, swish_backward, *, hidden=False, rng):
    """z sigmoid(beta z) (beta defaults to 1) and its backward."""
    _check_elementwise(result, swish_forward, swish_backward, specs.SWISH, hidden=hidden, rng=rng)


@exercise("softmax", points=3)
def check_softmax(result, softmax_forward, softmax_backward, *, hidden=False, rng):
    """Row-wise softmax of (N, K) logits and its vector-Jacobian product."""
    _check_elementwise(result, softmax_forward, softmax_backward, specs.SOFTMAX, hidden=hidden,
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

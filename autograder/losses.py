"""Checks of notebook 04, losses: the value and the gradient of every loss.

Each exercise is a pair of functions, the loss and its gradient::

    value = loss(pred, target)             # the mean loss of the batch: one number
    dpred = loss_gradient(pred, target)    # dL/dpred, shaped like pred, the 1/N included

and its check compares, in float64,

- the value with dlcore's (:mod:`dlcore.losses`, through :mod:`autograder.loss_reference`);
- the gradient with dlcore's;
- the gradient with the numerical gradient of the student's own loss (so a pair
  that is wrong consistently, or a constant loss with a zero gradient, still
  fails the first two);

on random cases away from the loss's kinks, then on its special cases (logits
and residuals of +-1000, a probability of exactly 0, the kink itself). It looks
for overflow warnings and for inputs changed in place. Hidden cases use other
shapes (batch size 1 included) and other values of Huber's delta. The loss is the
top of the graph, so its "upstream gradient" is 1: the gradient is compared as it
is, on random inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import loss_reference as ref
from . import loss_specs as specs
from .checking import (
    FACTOR_2,
    NON_FINITE,
    SIGN,
    Diagnose,
    call_second,
    call_watching,
    describe,
    generic_slips,
    has_nonfinite,
    matches,
    numerical_gradient_of,
    record_unchanged,
    recording_warnings,
)
from .core import CheckResult, StudentError, call, exercise
from .core import student_or_reference as _student_or_reference
from .loss_mistakes import BCE_SIGN, MSE_NO_TWO, NOTES_SIGN
from .loss_specs import LossSpec, SpecialCase

IN_PLACE_HINT = "e.g. pred -= target or np.clip(..., out=pred) changes the caller's array"

#: Specific diagnoses that name the same slip as a generic one, more precisely.
REFINES = {NOTES_SIGN: SIGN, BCE_SIGN: SIGN, MSE_NO_TWO: FACTOR_2}


# ------------------------------------------------------------------ helpers
def _number(value: Any) -> float:
    """The student's loss value as a float, or a StudentError saying it must be one number."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        array = None
    if array is None or array.size != 1:
        raise StudentError(f"the loss must return one number (the mean over the batch); "
                           f"it returned {describe(value)}")  # fmt: skip
    return float(array.reshape(()))


def _guarded(
    result: CheckResult, label: str, weight: float, case: Callable[..., bool], *args: Any
) -> bool:
    """Run ``case(result, *args)``; if the student's code raises, its unearned weight is lost.

    Returns what ``case`` returns (whether an input was changed in place), False on error.
    """
    start = len(result.subchecks)
    try:
        return case(result, *args)
    except StudentError as error:
        used = sum(s.points for s in result.subchecks[start:])
        result.add(f"{label}runs without error", False, weight=max(weight - used, 0.5),
                   message=str(error))  # fmt: skip
        return False


def _naming(mistakes: list[tuple[str, Any]], divisor: int) -> Diagnose:
    """A diagnosis naming the one mistake (known, or a generic slip) that gives ``got``.

    When two different mistakes give the same answer on a case (with N = 1, a missing
    1/N and a mean over the wrong axis coincide), nothing is named: a wrong diagnosis
    is worse than none, and another case tells them apart. A specific diagnosis wins
    over the generic slip it refines (the notes' sign over "sign error").
    """

    def diagnose(expected: Any, got: Any) -> str | None:
        slips = generic_slips(np.asarray(expected, dtype=float), np.shape(got), divisor)
        named = {phrase for phrase, wrong in [*mistakes, *slips] if matches(wrong, got)}
        named -= {REFINES[phrase] for phrase in named if phrase in REFINES}
        if len(named) == 1:
            return named.pop()
        if not named and has_nonfinite(got) and not has_nonfinite(expected):
            return NON_FINITE
        return None

    return diagnose


def _or_hint(hint: str | None, named: Callable[[Any, Any], str | None]):
    """A diagnosis: ``hint`` for a NaN or inf result, else the named mistakes."""

    def diagnose(expected: Any, got: Any) -> str | None:
        if hint is not None and has_nonfinite(got):
            return hint
        return named(expected, got)

    return diagnose


def _only_at(mask: np.ndarray, convention: str):
    """A diagnosis: ``convention`` when the gradient is right everywhere except at ``mask``."""

    def diagnose(expected: Any, got: Any) -> str | None:
        got = np.asarray(got, dtype=float)
        if got.shape != np.shape(expected) or matches(expected, got):
            return None
        return convention if matches(np.asarray(expected)[~mask], got[~mask]) else None

    return diagnose


# -------------------------------------------------------------------- cases
def _case(result, loss, gradient, spec: LossSpec, pred, target, params, label) -> bool:
    """One random case: value, gradient, numerical gradient of the student's own loss."""
    extra = tuple(params.values())
    divisor = spec.divisor(pred)
    value, changed = call_watching(loss, pred, target, *extra)
    result.add(f"{label}value", expected=spec.reference[0](pred, target, **params), got=value,
               weight=2, diagnose=_naming(spec.value_mistakes(pred, target, **params),
                                         divisor))  # fmt: skip
    second = call_second(result, f"{label}gradient", 3, gradient, pred, target, *extra)
    if second is None:
        return changed
    grad, changed_grad = second
    result.add(f"{label}gradient", expected=spec.reference[1](pred, target, **params), got=grad,
               weight=2, diagnose=_naming(spec.gradient_mistakes(pred, target, **params),
                                         divisor))  # fmt: skip
    _number(value)  # the numerical gradient below needs one number

    numeric = numerical_gradient_of(loss, pred, lambda p: (p, target, *extra), _number)
    result.add(f"{label}gradient = numerical gradient of your loss", expected=numeric, got=grad,
               rtol=1e-5, atol=1e-7, weight=1)  # fmt: skip
    return changed or changed_grad


def _special(result, loss, gradient, spec: LossSpec, case: SpecialCase, params) -> bool:
    """A special case: value and gradient right (and finite), no overflow warning if watched.

    A NaN or inf gets the case's hint; the gradient at a kink gets the convention.
    """
    extra = tuple(params.values())
    label = f"{case.label}: "
    (value, changed), caught = recording_warnings(
        lambda: call_watching(loss, case.pred, case.target, *extra))
    result.add(f"{label}value", expected=spec.reference[0](case.pred, case.target, **params),
               got=value, weight=1, diagnose=_or_hint(case.hint, _nothing))  # fmt: skip
    second, caught_gradient = recording_warnings(lambda: call_second(
        result, f"{label}gradient", 1, gradient, case.pred, case.target, *extra))
    if second is not None:
        named = _only_at(*case.kink) if case.kink is not None else _nothing
        result.add(f"{label}gradient",
                   expected=spec.reference[1](case.pred, case.target, **params),
                   got=second[0], weight=1, diagnose=_or_hint(case.gradient_hint, named))
        changed = changed or second[1]
    if case.watch_warnings:
        warned = caught + caught_gradient
        result.add(f"{label}no overflow warning", not warned, weight=1,
                   message=f"NumPy warned: {warned[0]}" if warned else "")  # fmt: skip
        for hint, caught_here in ((case.hint, caught), (case.gradient_hint, caught_gradient)):
            if caught_here and hint:
                result.diagnose(hint)
    return changed


def _nothing(expected: Any, got: Any) -> None:
    """No diagnosis: special cases name only their own trouble (random cases name the rest)."""


def _default_parameter(result, loss, spec: LossSpec, rng) -> None:
    """The exercise's signature gives the parameter its default (delta = 1.0)."""
    pred, target = spec.make_case(rng, (5,), **{spec.parameter: spec.default})
    want = spec.reference[0](pred, target, **{spec.parameter: spec.default})
    message = (f"the default value of {spec.parameter} must be {spec.default:g}, as in the "
               "function's signature")  # fmt: skip

    def body(result: CheckResult) -> bool:
        explicit = call(loss, pred, target, spec.default)

        def diagnose(expected: Any, got: Any) -> str | None:
            return message if matches(expected, explicit) else None

        result.add(f"default {spec.parameter} = {spec.default:g}", expected=want,
                   got=call(loss, pred, target), weight=0.5, diagnose=diagnose)  # fmt: skip
        return False

    _guarded(result, f"default {spec.parameter}: ", 0.5, body)


def _parameters(spec: LossSpec, index: int, hidden: bool, rng) -> dict[str, float]:
    """The loss's keyword argument for one random case: listed when public, drawn when hidden."""
    if spec.parameter is None:
        return {}
    if hidden or index >= len(spec.public_values):
        return {spec.parameter: spec.sample(rng) if spec.sample else spec.default}
    return {spec.parameter: spec.public_values[index]}


def check_loss(result, loss, gradient, spec: LossSpec, *, hidden: bool, rng) -> None:
    """The check every exercise of the notebook runs, on its own :class:`LossSpec`."""
    label = "hidden: " if hidden else ""
    changed = False
    for index, shape in enumerate(spec.shapes(rng, hidden)):
        params = _parameters(spec, index, hidden, rng)
        pred, target = spec.make_case(rng, shape, **params)
        shown = f"{label}pred of shape {shape}"
        shown += "".join(f", {key} = {value:.3g}" for key, value in params.items())
        changed |= _guarded(result, f"{shown}: ", 5.0, _case, loss, gradient, spec, pred, target,
                            params, f"{shown}: ")  # fmt: skip
    for case in spec.special(rng, hidden):
        params = {spec.parameter: spec.default} if spec.parameter else {}
        weight = 3.0 if case.watch_warnings else 2.0
        changed |= _guarded(result, f"{case.label}: ", weight, _special, loss, gradient, spec,
                            case, params)  # fmt: skip
    if spec.parameter and not hidden:
        _default_parameter(result, loss, spec, rng)
    names = "/".join(getattr(f, "__name__", "your function") for f in (loss, gradient))
    record_unchanged(result, changed, names, label=label, hint=IN_PLACE_HINT)


# ----------------------------------------------------------------- exercises
@exercise("mse", points=1)
def check_mse(result, mse, mse_gradient, *, hidden=False, rng):
    """(1/M) sum (pred - target)^2 and 2 (pred - target) / M."""
    check_loss(result, mse, mse_gradient, specs.MSE, hidden=hidden, rng=rng)


@exercise("mae", points=1)
def check_mae(result, mae, mae_gradient, *, hidden=False, rng):
    """(1/M) sum |pred - target| and sign(pred - target) / M (0 where they are equal)."""
    check_loss(result, mae, mae_gradient, specs.MAE, hidden=hidden, rng=rng)


@exercise("huber", points=2)
def check_huber(result, huber, huber_gradient, *, hidden=False, rng):
    """Huber's loss with threshold delta (default 1) and clip(r, -delta, delta) / M."""
    check_loss(result, huber, huber_gradient, specs.HUBER, hidden=hidden, rng=rng)


@exercise("log_cosh", points=2)
def check_log_cosh(result, log_cosh, log_cosh_gradient, *, hidden=False, rng):
    """(1/M) sum log cosh(r), stable for |r| = 1000, and tanh(r) / M."""
    check_loss(result, log_cosh, log_cosh_gradient, specs.LOG_COSH, hidden=hidden, rng=rng)


@exercise("binary_cross_entropy", points=3)
def check_binary_cross_entropy(result, binary_cross_entropy, binary_cross_entropy_gradient, *,
                               hidden=False, rng):  # fmt: skip
    """Binary cross-entropy from logits, stable for +-1000, and (sigmoid(z) - t) / M."""
    check_loss(result, binary_cross_entropy, binary_cross_entropy_gradient,
               specs.BINARY_CROSS_ENTROPY, hidden=hidden, rng=rng)  # fmt: skip


@exercise("categorical_cross_entropy", points=2)
def check_categorical_cross_entropy(result, categorical_cross_entropy,
                                    categorical_cross_entropy_gradient, *, hidden=False, rng):
    """-(1/N) sum t log p over probability rows (N, K), and -t / p / N."""
    check_loss(result, categorical_cross_entropy, categorical_cross_entropy_gradient,
               specs.CATEGORICAL_CROSS_ENTROPY, hidden=hidden, rng=rng)  # fmt: skip


@exercise("sparse_categorical_cross_entropy", points=1)
def check_sparse_categorical_cross_entropy(result, sparse_categorical_cross_entropy,
                                           sparse_categorical_cross_entropy_gradient, *,
                                           hidden=False, rng):  # fmt: skip
    """-(1/N) sum log p[n, y_n] with integer labels y (N,), and its (N, K) gradient."""
    check_loss(result, sparse_categorical_cross_entropy,
               sparse_categorical_cross_entropy_gradient,
               specs.SPARSE_CATEGORICAL_CROSS_ENTROPY, hidden=hidden, rng=rng)  # fmt: skip


@exercise("hinge", points=2)
def check_hinge(result, hinge, hinge_gradient, *, hidden=False, rng):
    """(1/N) sum max(0, 1 - t s) with targets -1/+1, and -t [t s < 1] / N."""
    check_loss(result, hinge, hinge_gradient, specs.HINGE, hidden=hidden, rng=rng)


@exercise("kl_divergence", points=2)
def check_kl_divergence(result, kl_divergence, kl_divergence_gradient, *, hidden=False, rng):
    """KL(target || pred) = (1/N) sum target log(target / pred), and -target / pred / N."""
    check_loss(result, kl_divergence, kl_divergence_gradient, specs.KL_DIVERGENCE,
               hidden=hidden, rng=rng)  # fmt: skip


#: grade_id of each test cell -> (check, dlcore's reference pair, which must score full marks)
CHECKS: dict[str, tuple[Callable[..., CheckResult], tuple[Callable[..., Any], ...]]] = {
    "test_mse": (check_mse, (ref.mse, ref.mse_gradient)),
    "test_mae": (check_mae, (ref.mae, ref.mae_gradient)),
    "test_huber": (check_huber, (ref.huber, ref.huber_gradient)),
    "test_log_cosh": (check_log_cosh, (ref.log_cosh, ref.log_cosh_gradient)),
    "test_binary_cross_entropy": (
        check_binary_cross_entropy,
        (ref.binary_cross_entropy, ref.binary_cross_entropy_gradient),
    ),
    "test_categorical_cross_entropy": (
        check_categorical_cross_entropy,
        (ref.categorical_cross_entropy, ref.categorical_cross_entropy_gradient),
    ),
    "test_sparse_categorical_cross_entropy": (
        check_sparse_categorical_cross_entropy,
        (ref.sparse_categorical_cross_entropy, ref.sparse_categorical_cross_entropy_gradient),
    ),
    "test_hinge": (check_hinge, (ref.hinge, ref.hinge_gradient)),
    "test_kl_divergence": (check_kl_divergence, (ref.kl_divergence, ref.kl_divergence_gradient)),
}


def student_pair_or_reference(
    loss: Callable[..., Any],
    gradient: Callable[..., Any],
    reference: tuple[Callable[..., Any], Callable[..., Any]],
    *probe: Any,
    name: str = "",
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The student's (loss, gradient) when both run on ``probe``, else dlcore's pair.

    The two travel together, so that a later cell never mixes the student's value
    with dlcore's gradient. Says on stdout when the reference is used.
    """

    def both(*args: Any) -> Any:
        return loss(*args), gradient(*args)

    chosen = _student_or_reference(both, _use_reference, *probe, name=name)
    return reference if chosen is _use_reference else (loss, gradient)


def _use_reference(*args: Any) -> None:
    """Marker returned by student_or_reference when the student's pair cannot be used."""

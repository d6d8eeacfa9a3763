"""Checks of notebook 07 (batch normalisation): the training forward, the backward, inference.

The three exercises, with the signatures of :mod:`autograder.batchnorm_reference`::

    out, cache, running_mean, running_var = batchnorm_forward(
        x, gamma, beta, running_mean, running_var, momentum=0.9, eps=1e-5)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)      # cache = (x_hat, inv_std, gamma)
    out = batchnorm_inference_forward(x, gamma, beta, running_mean, running_var, eps=1e-5)

Expected values come from dlcore at grading time. Every case has a feature with
a tiny variance (so that eps matters: inside or outside the square root, or
missing, give visibly different numbers), a batch size different from the width
(so that the wrong axis shows) and a momentum far from 0.5 (so that the two
momentum forms differ). Hidden cases add a batch of one example and random
shapes. The backward is checked in float64 for a random upstream gradient,
against dlcore's and against the numerical gradient of dlcore's forward, so a
function returning zeros fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dlcore.gradcheck import numerical_gradient

from . import batchnorm_reference as reference
from .checking import (
    KEEPDIMS_BROADCAST,
    call_watching,
    diagnoser,
    matches,
    record_unchanged,
    unpack,
)
from .core import CheckResult, StudentError, exercise

__all__ = [
    "CHECKS",
    "check_batchnorm_backward",
    "check_batchnorm_forward",
    "check_batchnorm_inference_forward",
]

IN_PLACE_HINT = (
    "running_mean *= momentum changes the caller's array: compute new arrays and return them"
)


# ------------------------------------------------------------------ the cases
def _features(rng: np.random.Generator, n: int, d: int, *, tiny: bool = True) -> np.ndarray:
    """(n, d) inputs with another mean and scale per feature; with ``tiny`` the last one
    barely varies (a variance near 1e-6, where eps matters)."""
    x = rng.normal(rng.uniform(-3, 3, d), rng.uniform(0.5, 4, d), size=(n, d))
    if tiny:
        x[:, -1] = rng.uniform(-1, 1) + 1e-3 * rng.standard_normal(n)
    return x


def _shape(rng: np.random.Generator) -> tuple[int, int]:
    """A random (N, D) with N != D, so that summing over the wrong axis changes the shape."""
    n, d = int(rng.integers(2, 33)), int(rng.integers(2, 9))
    return (n + 1, d) if n == d else (n, d)


def _training_cases(hidden: bool, rng: np.random.Generator) -> list[tuple[str, dict[str, Any]]]:
    """(label, arguments) of the forward: the worked example with the defaults, then random."""
    if not hidden:
        x = np.array([[1.0, 2.0, 0.5], [3.0, -2.0, 0.5], [5.0, 0.0, 0.5], [7.0, 4.0, 0.5001]])
        worked = {"x": x, "gamma": np.array([1.0, 2.0, 0.5]), "beta": np.array([0.0, -1.0, 3.0]),
                  "running_mean": np.zeros(3), "running_var": np.ones(3)}  # fmt: skip
        cases = [("the worked example (default momentum and eps)", worked)]
        shapes = [(8, 5)]
    else:
        cases, shapes = [], [(1, int(rng.integers(2, 6))), _shape(rng)]
    for n, d in shapes:
        momentum = float(rng.uniform(0.6, 0.99))
        eps = float(10 ** rng.uniform(-5, -2))
        case = {"x": _features(rng, n, d), "gamma": rng.uniform(0.5, 2.0, d),
                "beta": rng.normal(size=d), "running_mean": rng.normal(size=d),
                "running_var": rng.uniform(0.5, 2.0, d),
                "momentum": momentum, "eps": eps}  # fmt: skip
        cases.append((f"x {n}x{d}, momentum {momentum:.3g}, eps {eps:.2g}", case))
    return cases


def _guarded(result: CheckResult, label: str, weight: float, case: Callable[..., bool],
             mutated: list[bool], *arguments: Any) -> None:  # fmt: skip
    """Run ``case(*arguments)``; if the student's code raises, the case's unearned weight is lost.

    ``case`` returns whether the student's function changed an input in place; that is
    or-ed into ``mutated[0]``.
    """
    start = len(result.subchecks)
    try:
        mutated[0] |= case(*arguments)
    except StudentError as error:
        used = sum(s.points for s in result.subchecks[start:])
        result.add(f"{label}runs without error", False, weight=max(weight - used, 0.5),
                   message=str(error))  # fmt: skip
        if "broadcast" in str(error):
            result.diagnose(KEEPDIMS_BROADCAST)


def _named(slips: list[tuple[str, Any]], expected: Any, batch_size: int | None = None, *,
           one_example: bool = False):  # fmt: skip
    """:func:`diagnoser` of the known mistakes that tell something on this case.

    Left out: a mistake that gives the right value here (with one example x_hat is 0,
    so dgamma is 0 either way), or all zeros, or NaN (several mistakes give those:
    naming one would be a guess). With ``one_example`` (a batch of one) a NaN gets its own
    explanation. ``batch_size`` adds the generic 1/N slips.
    """
    telling = [(phrase, wrong) for phrase, wrong in slips
               if not matches(wrong, expected) and np.isfinite(wrong).all()
               and not np.allclose(wrong, 0)]  # fmt: skip
    if one_example:
        telling.insert(0, (reference.ONE_EXAMPLE_NAN, np.full(np.shape(expected), np.nan)))
    return diagnoser(telling, batch_size)


def _labelled(hidden: bool, name: str) -> str:
    return f"hidden: {name}: " if hidden else f"{name}: "


# --------------------------------------------------------------- the forward
_ARGUMENTS = ("x", "gamma", "beta", "running_mean", "running_var")


def _forward_case(result: CheckResult, batchnorm_forward, label: str,
                  case: dict[str, Any]) -> bool:  # fmt: skip
    """One case of the training forward; returns whether it changed an input in place."""
    arguments = [case[k] for k in _ARGUMENTS]
    options = {k: case[k] for k in ("momentum", "eps") if k in case}
    momentum, eps = options.get("momentum", 0.9), options.get("eps", 1e-5)
    out, cache, new_mean, new_var = reference.batchnorm_forward(*arguments, **options)
    x, gamma, beta, running_mean, running_var = arguments
    output, changed = call_watching(batchnorm_forward, *arguments, **options)
    got = unpack(output, 4, "batchnorm_forward must return four things: "
                            "(out, cache, running_mean, running_var)")  # fmt: skip
    result.add(f"{label}out", expected=out, got=got[0], weight=2,
               diagnose=_named(reference.forward_mistakes(x, gamma, beta, eps), out,
                               one_example=len(x) == 1))
    parts = unpack(got[1], 3, "the cache must be the tuple (x_hat, inv_std, gamma)")
    result.add(f"{label}cache x_hat", expected=cache[0], got=parts[0], weight=0.5)
    result.add(f"{label}cache inv_std = 1 / sqrt(var + eps)", expected=cache[1], got=parts[1],
               weight=0.5)  # fmt: skip
    mean_slips = reference.running_mistakes(running_mean, x.mean(axis=0), momentum)
    result.add(f"{label}new running_mean", expected=new_mean, got=got[2],
               diagnose=_named(mean_slips, new_mean, one_example=len(x) == 1))
    var_slips = reference.running_mistakes(running_var, x.var(axis=0), momentum, variance=x,
                                           n=x.shape[0])  # fmt: skip
    result.add(f"{label}new running_var", expected=new_var, got=got[3],
               diagnose=_named(var_slips, new_var, one_example=len(x) == 1))
    return changed


@exercise("batchnorm_forward", points=3)
def check_batchnorm_forward(result: CheckResult, batchnorm_forward, *, hidden, rng):
    """Output, cache (x_hat, inv_std, gamma) and the two updated running averages."""
    mutated = [False]
    for name, case in _training_cases(hidden, rng):
        label = _labelled(hidden, name)
        _guarded(result, label, 5, _forward_case, mutated, result, batchnorm_forward, label, case)
    record_unchanged(result, mutated[0], "batchnorm_forward", label="hidden: " if hidden else "",
                     hint=IN_PLACE_HINT)  # fmt: skip


# -------------------------------------------------------------- the backward
def _backward_cases(hidden: bool, rng: np.random.Generator) -> list[tuple[int, int]]:
    if not hidden:
        return [(6, 4)]
    return [(1, int(rng.integers(2, 6))), (2, int(rng.integers(3, 7))), _shape(rng)]


def _backward_case(result: CheckResult, batchnorm_backward, label: str, x: np.ndarray,
                   rng: np.random.Generator) -> bool:  # fmt: skip
    """One case of the backward, for a random dout; never changes what it checks."""
    n, d = x.shape
    gamma, beta = rng.uniform(0.5, 2.0, d), rng.normal(size=d)
    eps = float(10 ** rng.uniform(-5, -2))
    dout = rng.standard_normal((n, d))
    stats = (np.zeros(d), np.ones(d))
    _, cache, _, _ = reference.batchnorm_forward(x, gamma, beta, *stats, eps=eps)
    dx, dgamma, dbeta = reference.batchnorm_backward(dout, cache)
    wrong = reference.backward_mistakes(dout, *cache)

    def objective(z: np.ndarray) -> float:
        out = reference.batchnorm_forward(z, gamma, beta, *stats, eps=eps)[0]
        return float((out * dout).sum())

    numeric = numerical_gradient(objective, x.copy())
    copies = tuple(np.array(part) for part in cache)
    output, _ = call_watching(batchnorm_backward, dout, copies)
    got = unpack(output, 3, "batchnorm_backward must return (dx, dgamma, dbeta)")
    result.add(f"{label}dx", expected=dx, got=got[0], weight=3,
               diagnose=_named(wrong["dx"], dx, one_example=n == 1))
    result.add(f"{label}dx = numerical gradient of dlcore's forward", expected=numeric,
               got=got[0], rtol=1e-4, atol=1e-6)  # fmt: skip
    result.add(f"{label}dgamma", expected=dgamma, got=got[1],
               diagnose=_named(wrong["dgamma"], dgamma, batch_size=n, one_example=n == 1))
    result.add(f"{label}dbeta", expected=dbeta, got=got[2],
               diagnose=_named(wrong["dbeta"], dbeta, batch_size=n, one_example=n == 1))
    return False


@exercise("batchnorm_backward", points=3)
def check_batchnorm_backward(result: CheckResult, batchnorm_backward, *, hidden, rng):
    """dx through the mean and variance, dgamma and dbeta, for a random dout in float64."""
    for n, d in _backward_cases(hidden, rng):
        label = _labelled(hidden, f"x {n}x{d}")
        x = _features(rng, n, d, tiny=False)
        _guarded(result, label, 6, _backward_case, [False], result, batchnorm_backward, label, x,
                 rng)  # fmt: skip


# ------------------------------------------------------------- inference
def _inference_cases(hidden: bool, rng: np.random.Generator) -> list[tuple[str, dict[str, Any]]]:
    if not hidden:
        worked = {"x": np.array([[1.0, 2.0], [3.0, -2.0], [5.0, 0.0]]),
                  "gamma": np.array([1.0, 2.0]), "beta": np.array([0.0, -1.0]),
                  "running_mean": np.array([2.0, 1.0]), "running_var": np.array([4.0, 0.25])}
        cases = [("the worked example (default eps)", worked)]  # fmt: skip
        shapes = [(7, 4)]
    else:
        cases, shapes = [], [(1, int(rng.integers(2, 6))), _shape(rng)]
    for n, d in shapes:
        eps = float(10 ** rng.uniform(-5, -2))
        running_var = rng.uniform(0.2, 3.0, d)
        running_var[-1] = 1e-6  # a feature that barely varied during training
        case = {"x": _features(rng, n, d), "gamma": rng.uniform(0.5, 2.0, d),
                "beta": rng.normal(size=d), "running_mean": rng.normal(size=d),
                "running_var": running_var, "eps": eps}  # fmt: skip
        cases.append((f"x {n}x{d}, eps {eps:.2g}", case))
    return cases


def _inference_case(result: CheckResult, batchnorm_inference_forward, label: str,
                    case: dict[str, Any]) -> bool:  # fmt: skip
    """One case of the inference forward; returns whether it changed an input in place."""
    arguments = [case[k] for k in _ARGUMENTS]
    options = {"eps": case["eps"]} if "eps" in case else {}
    expected = reference.batchnorm_inference_forward(*arguments, **options)
    wrong = reference.inference_mistakes(*arguments, options.get("eps", 1e-5))
    out, changed = call_watching(batchnorm_inference_forward, *arguments, **options)
    result.add(f"{label}out", expected=expected, got=out, weight=2,
               diagnose=_named(wrong, expected))
    return changed


@exercise("batchnorm_inference_forward", points=2)
def check_batchnorm_inference_forward(result: CheckResult, batchnorm_inference_forward, *,
                                      hidden, rng):  # fmt: skip
    """gamma * (x - running_mean) / sqrt(running_var + eps) + beta, inputs left unchanged."""
    mutated = [False]
    for name, case in _inference_cases(hidden, rng):
        label = _labelled(hidden, name)
        _guarded(result, label, 2, _inference_case, mutated, result, batchnorm_inference_forward,
                 label, case)  # fmt: skip
    record_unchanged(result, mutated[0], "batchnorm_inference_forward",
                     label="hidden: " if hidden else "")  # fmt: skip


#: grade_id of each test cell -> (check, the references, which must score full marks)
CHECKS: dict[str, tuple[Callable[..., CheckResult], tuple[Callable[..., Any], ...]]] = {
    "test_batchnorm_forward": (check_batchnorm_forward, (reference.batchnorm_forward,)),
    "test_batchnorm_backward": (check_batchnorm_backward, (reference.batchnorm_backward,)),
    "test_batchnorm_inference_forward": (check_batchnorm_inference_forward,
                                         (reference.batchnorm_inference_forward,)),
}

"""Checks of notebook 09 (tuning): the two samplers, random search, successive halving.

This module holds the checks of the samplers that put hyperparameters on the right
scale, a learning rate log-uniform and a momentum ``beta`` with ``1 - beta``
log-uniform, and the table ``CHECKS`` of the whole notebook; the checks of the two
searches live in :mod:`autograder.tuning_search` and are re-exported here, so that
every test cell calls ``tuning.check_...``.

A sampler is random, so its check does two things. It compares the values with
dlcore's for the same seed (the notebook asks for one ``rng.uniform`` draw of the
exponent, from which dlcore's draws are the same numbers),
and it tests what any correct sampler does whatever its draws: values inside the
bounds, about the same share of samples in every decade, the same values from two
generators with one seed, new values from one generator called twice. Expected
values come from dlcore at grading time, through :mod:`autograder.tuning_reference`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import tuning_reference as reference
from .checking import describe, matches
from .core import CheckResult, StudentError, call, exercise
from .tuning_search import check_random_search, check_successive_halving

__all__ = [
    "CHECKS",
    "check_log_uniform",
    "check_random_search",
    "check_sample_beta",
    "check_successive_halving",
    "decade_fractions",
]

# ------------------------------------------------------------- the phrases
UNIFORM = (
    "drawn uniformly between low and high: on [1e-4, 1] about 90 % of the values land in the "
    "top decade [0.1, 1]; draw the exponent r uniformly and return 10**r"
)
EXPONENTS = "returned the exponents r, not the values 10**r"
LN_THEN_POW10 = (
    "log base mix-up: the exponent is drawn between natural logarithms (np.log) and raised "
    "to the power 10, so the range is wrong; use np.log10 with 10**r (or np.log with np.exp)"
)
LOG10_THEN_EXP = (
    "log base mix-up: the exponent is drawn between base-10 logarithms and passed to np.exp, "
    "so the range is wrong; use 10**r (or np.log with np.exp)"
)
FIXED_BOUNDS = "the exponent's range is written in (-4 to 0) instead of computed from low and high"
NOT_THE_RNG = "use the rng argument for every draw (not np.random), so that a seed repeats a run"
BETA_UNIFORM = (
    "beta drawn uniformly between low and high: on [0.9, 0.999] about 90 % of the values land "
    "in [0.9, 0.99]; draw r for 1 - beta on a log scale and return 1 - 10**r"
)
BETA_LOG_UNIFORM = (
    "beta itself drawn on a log scale: near 1 that is almost uniform; it is 1 - beta that "
    "must be log-uniform (r between log10(1 - high) and log10(1 - low), beta = 1 - 10**r)"
)
RETURNS_GAP = "returned 1 - beta (that is, 10**r), not beta = 1 - 10**r"
BETA_LN_THEN_POW10 = (
    "log base mix-up: r is drawn between natural logarithms of 1 - beta and then 10**r is "
    "taken; use np.log10 for both"
)
BETA_LOG10_THEN_EXP = (
    "log base mix-up: r is drawn between base-10 logarithms and passed to np.exp; use 10**r"
)

Draw = Callable[[np.random.Generator, int], np.ndarray]


def decade_fractions(values: Any, edges: Any) -> np.ndarray:
    """The share of ``values`` in each interval ``[edges[i], edges[i + 1]]`` (a histogram)."""
    counts, _ = np.histogram(np.asarray(values, dtype=float), bins=np.asarray(edges, dtype=float))
    return counts / max(1, np.asarray(values).size)


def _draws(low_end: float, high_end: float, finish: Callable[[np.ndarray], np.ndarray]) -> Draw:
    """The draw ``finish(rng.uniform(low_end, high_end, size))`` (a known mistake's values)."""

    def draw(rng: np.random.Generator, size: int) -> np.ndarray:
        return finish(rng.uniform(low_end, high_end, size))

    return draw


def _log_uniform_slips(low: float, high: float) -> list[tuple[str, Draw]]:
    a, b, ln_a, ln_b = np.log10(low), np.log10(high), np.log(low), np.log(high)
    slips = [
        (UNIFORM, lambda u: u, low, high),
        (EXPONENTS, lambda u: u, a, b),
        (LN_THEN_POW10, lambda u: 10.0**u, ln_a, ln_b),
        (LOG10_THEN_EXP, np.exp, a, b),
        (FIXED_BOUNDS, lambda u: 10.0**u, -4.0, 0.0),
    ]
    return [(phrase, _draws(x, y, finish)) for phrase, finish, x, y in slips]


def _beta_slips(low: float, high: float) -> list[tuple[str, Draw]]:
    a, b = np.log10(1 - high), np.log10(1 - low)
    slips = [
        (BETA_UNIFORM, lambda u: u, low, high),
        (BETA_LOG_UNIFORM, lambda u: 10.0**u, np.log10(low), np.log10(high)),
        (RETURNS_GAP, lambda u: 10.0**u, a, b),
        (BETA_LN_THEN_POW10, lambda u: 1 - 10.0**u, np.log(1 - high), np.log(1 - low)),
        (BETA_LOG10_THEN_EXP, lambda u: 1 - np.exp(u), a, b),
    ]
    return [(phrase, _draws(x, y, finish)) for phrase, finish, x, y in slips]


def _sample(sampler: Callable[..., Any], low: float, high: float, size: int, seed: int) -> Any:
    """The student's values as a float array of shape (size,), or a StudentError."""
    got = call(sampler, low, high, size, np.random.default_rng(seed))
    try:
        values = np.asarray(np.array(got, dtype=float)).view(np.ndarray)
    except (TypeError, ValueError):
        values = None
    if values is None or values.shape != (size,):
        raise StudentError(
            f"the sampler must return an array of shape (size,) = ({size},); it returned "
            f"{describe(got)}"
        )
    return values


def _check_sampler(
    result: CheckResult,
    sampler: Callable[..., Any],
    expected_of: Callable[..., Any],
    slips_of: Callable[[float, float], list[tuple[str, Draw]]],
    case: tuple[float, float, int, int],
    label: str,
) -> None:
    """Same draws as dlcore, inside [low, high], a known slip named."""
    low, high, size, seed = case
    got = _sample(sampler, low, high, size, seed)
    expected = expected_of(low, high, size, np.random.default_rng(seed))
    same = matches(expected, got, rtol=1e-9)
    name = f"{label}low={low:g}, high={high:g}, size={size}"
    result.add(f"{name}: the same values as dlcore for the same seed", passed=same)
    span = high - low
    inside = bool(np.all((got >= low - 1e-12 * span) & (got <= high + 1e-12 * span)))
    result.add(f"{name}: every value in [low, high]", passed=inside, weight=0.5)
    if not same:
        for phrase, draw in slips_of(low, high):
            with np.errstate(all="ignore"):
                if matches(draw(np.random.default_rng(seed), size), got, rtol=1e-9):
                    result.diagnose(phrase)
                    break


def _check_statistics(
    result: CheckResult,
    sampler: Callable[..., Any],
    low: float,
    high: float,
    edges: np.ndarray,
    transform: Callable[[np.ndarray], np.ndarray],
    rng: np.random.Generator,
    wrong: list[tuple[str, np.ndarray]],
    label: str,
) -> None:
    """Equal shares per decade (of ``transform(values)``), reproducible from the rng."""
    size, seed = 20_000, int(rng.integers(2**31))
    values = _sample(sampler, low, high, size, seed)
    shares = decade_fractions(transform(values), edges)
    want = np.diff(np.log10(edges)) / np.log10(edges[-1] / edges[0])
    fair = bool(np.all(np.abs(shares - want) < 0.02))
    result.add(
        f"{label}{size} samples: shares per decade {np.round(shares, 3).tolist()} "
        f"(expected about {np.round(want, 3).tolist()})",
        passed=fair,
    )
    if not fair and not result.diagnoses:  # the values already named the mistake
        for phrase, shares_of_slip in wrong:
            if np.all(np.abs(shares - shares_of_slip) < 0.03):
                result.diagnose(phrase)
                break
    again = _sample(sampler, low, high, 50, seed)
    twin = _sample(sampler, low, high, 50, seed)
    generator = np.random.default_rng(seed)
    first = call(sampler, low, high, 50, generator)
    second = call(sampler, low, high, 50, generator)
    repeatable = matches(again, twin, rtol=0) and not matches(first, second, rtol=0)
    result.add(
        f"{label}one seed gives the same values, one rng called twice new ones",
        passed=repeatable,
        weight=0.5,
    )
    if not repeatable:
        result.diagnose(NOT_THE_RNG)


def _log_cases(hidden: bool, rng: np.random.Generator) -> list[tuple[float, float, int, int]]:
    seed = int(rng.integers(2**31))
    if not hidden:
        return [(1e-4, 1.0, 8, seed), (1e-5, 1e-2, 5, seed + 1)]
    low = float(10.0 ** rng.uniform(-7, -2))
    high = low * float(10.0 ** rng.uniform(1.5, 4))
    return [(low, high, int(rng.integers(2, 30)), seed), (2e-3, 0.7, 1, seed + 1)]


@exercise("log_uniform", points=2)
def check_log_uniform(result: CheckResult, log_uniform, *, hidden, rng):
    """Log-uniform values: 10**r with r uniform in [log10(low), log10(high)]."""
    label = "hidden: " if hidden else ""
    for case in _log_cases(hidden, rng):
        _check_sampler(result, log_uniform, reference.log_uniform, _log_uniform_slips, case, label)
    low, high = (1e-4, 1.0) if not hidden else (1e-6, 1e-2)
    edges = np.logspace(np.log10(low), np.log10(high), round(np.log10(high / low)) + 1)
    uniform = decade_fractions(np.linspace(low, high, 100_001), edges)
    _check_statistics(
        result, log_uniform, low, high, edges, lambda v: v, rng, [(UNIFORM, uniform)], label
    )


def _beta_cases(hidden: bool, rng: np.random.Generator) -> list[tuple[float, float, int, int]]:
    seed = int(rng.integers(2**31))
    if not hidden:
        return [(0.9, 0.999, 8, seed), (0.5, 0.99, 5, seed + 1)]
    gap_high = float(10.0 ** rng.uniform(-1.5, -0.5))
    gap_low = gap_high * float(10.0 ** -rng.uniform(1.5, 3))
    return [(1 - gap_high, 1 - gap_low, int(rng.integers(2, 30)), seed), (0.8, 0.995, 1, seed + 1)]


@exercise("sample_beta", points=2)
def check_sample_beta(result: CheckResult, sample_beta, *, hidden, rng):
    """beta = 1 - 10**r with r uniform in [log10(1 - high), log10(1 - low)]."""
    label = "hidden: " if hidden else ""
    for case in _beta_cases(hidden, rng):
        _check_sampler(result, sample_beta, reference.sample_beta, _beta_slips, case, label)
    low, high = (0.9, 0.999) if not hidden else (0.99, 0.99999)
    gaps = np.logspace(
        np.log10(1 - high), np.log10(1 - low), round(np.log10((1 - low) / (1 - high))) + 1
    )
    uniform = decade_fractions(1 - np.linspace(low, high, 100_001), gaps)
    _check_statistics(
        result,
        sample_beta,
        low,
        high,
        gaps,
        lambda beta: 1 - beta,
        rng,
        [(BETA_UNIFORM, uniform)],
        label,
    )


CHECKS: dict[str, tuple[Callable[..., CheckResult], tuple[Callable[..., Any], ...]]] = {
    "test_log_uniform": (check_log_uniform, (reference.log_uniform,)),
    "test_sample_beta": (check_sample_beta, (reference.sample_beta,)),
    "test_random_search": (check_random_search, (reference.random_search,)),
    "test_successive_halving": (check_successive_halving, (reference.successive_halving,)),
}

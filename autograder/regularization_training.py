"""Checks of notebook 06's training safeguards: initialisation, early stopping, gradient clipping.

Re-exported by :mod:`autograder.regularization` (the test cells call
``regularization.check_initializers`` and so on). Expected values come from dlcore
at grading time through :mod:`autograder.regularization_reference`; the known
wrong answers are computed here for each case, and a mistake is named only when
no other known mistake gives the same answer on that case.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import regularization_reference as reference
from .checking import matches, record_unchanged, unpack
from .core import CheckResult, NotImplementedYet, call, exercise
from .regularization_helpers import (
    as_float_array,
    call_on_arrays,
    flat_arrays,
    flatten_like,
    specific_first,
)

__all__ = ["check_clipping", "check_early_stopping", "check_initializers"]


# ----------------------------------------------------------- initialisation
XAVIER_IS_LECUN = (
    "variance 1 / fan_in is LeCun's (some notes call randn * sqrt(1/n) 'Xavier'); Glorot and "
    "Bengio's Xavier uses 2 / (fan_in + fan_out)"
)
XAVIER_IS_HE = "this is He's variance 2 / fan_in: Xavier (Glorot) uses 2 / (fan_in + fan_out)"
XAVIER_NO_TWO = "the 2 is missing: Xavier's variance is 2 / (fan_in + fan_out)"
HE_IS_XAVIER = "this is Xavier's variance 2 / (fan_in + fan_out): He uses 2 / fan_in"
HE_FANS_SWAPPED = (
    "fan_in and fan_out are swapped: He's variance is 2 / fan_in, and fan_in = W.shape[0] is "
    "the number of inputs of each unit"
)
HE_NO_TWO = (
    "the factor 2 is missing: He's variance is 2 / fan_in (a ReLU passes on only half of the "
    "variance)"
)
STD_AS_VARIANCE = (
    "the draws were multiplied by the variance: multiply by the standard deviation, "
    "np.sqrt(variance)"
)
UNSCALED = "the standard normal draws are not scaled: multiply them by np.sqrt(variance)"
SMALL = "0.01 * randn is the 'small random' initialisation: scale by the fans' np.sqrt(variance)"
SHAPE_SWAPPED = (
    "W has the shape (fan_in, fan_out) in dlcore (Z = X @ W); the notes' W[l], of shape "
    "(n[l], n[l-1]), is its transpose"
)
INIT_RNG = "use the rng argument (rng.standard_normal), not np.random: one seed, one W"
NOT_NORMAL = (
    "the weights have the right spread but not dlcore's numbers for the same seed: draw "
    "rng.standard_normal((fan_in, fan_out)) and multiply by the standard deviation (a uniform "
    "draw, or draws in another shape or order, give other numbers)"
)

#: name -> (variance of (fan_in, fan_out), the reference, known wrong scales of the draws)
_INITS: dict[str, tuple[Callable[[int, int], float], Callable[..., np.ndarray], Callable]] = {
    "xavier_init": (
        lambda a, b: 2 / (a + b),
        reference.xavier_init,
        lambda a, b: [(XAVIER_IS_LECUN, math.sqrt(1 / a)), (XAVIER_IS_HE, math.sqrt(2 / a)),
                      (XAVIER_NO_TWO, math.sqrt(1 / (a + b))), (STD_AS_VARIANCE, 2 / (a + b)),
                      (UNSCALED, 1.0), (SMALL, 0.01)],
    ),
    "he_init": (
        lambda a, b: 2 / a,
        reference.he_init,
        lambda a, b: [(HE_FANS_SWAPPED, math.sqrt(2 / b)), (HE_IS_XAVIER, math.sqrt(2 / (a + b))),
                      (HE_NO_TWO, math.sqrt(1 / a)), (STD_AS_VARIANCE, 2 / a), (UNSCALED, 1.0),
                      (SMALL, 0.01)],
    ),
}  # fmt: skip


def _init_slips(name: str, fans: tuple[int, int], seed: int) -> Callable[[Any, Any], str | None]:
    a, b = fans
    draws = np.random.default_rng(seed).standard_normal(fans)
    named = specific_first([(text, scale * draws) for text, scale in _INITS[name][2](a, b)])

    def diagnose_init(expected: Any, got: Any) -> str | None:
        if np.shape(got) == (b, a) and a != b:
            return SHAPE_SWAPPED
        return named(expected, got)

    return diagnose_init


def _init_statistics(result, name: str, W: Any, fans: tuple[int, int], label: str) -> bool:
    """Mean 0 and the promised standard deviation, measured on a large W; whether they are right."""
    W = as_float_array(W, name)
    variance = _INITS[name][0](*fans)
    if W.shape != fans:
        return result.add(f"{label}{name}{fans}: mean 0, variance {variance:.3g}", passed=False,
                          message=f"expected shape {fans}, got shape {W.shape}")
    measured = float(W.var())
    centred = abs(float(W.mean())) <= 6 * math.sqrt(variance / W.size)
    right = result.add(f"{label}{name}{fans}: mean 0, variance {variance:.3g}",
                       passed=centred and abs(math.sqrt(measured / variance) - 1) < 0.03,
                       message=f"mean {W.mean():.3g}, variance {measured:.3g}")
    a, b = fans
    close = [text for text, scale in _INITS[name][2](a, b)
             if abs(measured / scale**2 - 1) < 0.04]  # fmt: skip
    if not right and len(set(close)) == 1:
        result.diagnose(close[0])
    return right


def _init_randomness(result, name: str, function: Any, fans: tuple[int, int], seed: int,
                     label: str) -> bool:  # fmt: skip
    generator = np.random.default_rng(seed)
    first, second = call(function, *fans, generator), call(function, *fans, generator)
    again = call(function, *fans, np.random.default_rng(seed))
    fresh, repeatable = not matches(first, second), matches(first, again)
    result.add(f"{label}{name}: new weights at every call, the same for the same seed",
               passed=fresh and repeatable, weight=0.5)
    if not (fresh and repeatable):
        result.diagnose(INIT_RNG)
    return fresh and repeatable


def _init_fans(rng: np.random.Generator, hidden: bool) -> tuple[list[tuple[int, int]], tuple]:
    """Small (fan_in, fan_out) pairs for exact values and a large one for the statistics.

    The pairs avoid fan_out = fan_in, 2 fan_in and fan_in / 2, where two wrong
    variances coincide.
    """
    if not hidden:
        return [(30, 20), (3, 7)], (400, 100)
    pairs = [(1, int(rng.integers(2, 9)))]
    while len(pairs) < 2:
        a, b = (int(n) for n in rng.integers(5, 61, size=2))
        if len({a, b, 2 * a, 2 * b}) == 4:
            pairs.append((a, b))
    return pairs, (int(rng.integers(250, 501)), int(rng.integers(40, 121)))


@exercise("initializers", points=2)
def check_initializers(result: CheckResult, xavier_init, he_init, *, hidden, rng):
    """Xavier N(0, 2 / (fan_in + fan_out)) and He N(0, 2 / fan_in), of shape (fan_in, fan_out)."""
    label = "hidden: " if hidden else ""
    pairs, large = _init_fans(rng, hidden)
    for name, function in (("xavier_init", xavier_init), ("he_init", he_init)):
        try:
            exact = []
            for fans in pairs:
                seed = int(rng.integers(2**31))
                got = call(function, *fans, np.random.default_rng(seed))
                want = _INITS[name][1](*fans, np.random.default_rng(seed))
                exact.append(result.add(f"{label}{name}{fans}: dlcore's weights for the same seed",
                                        expected=want, got=got, weight=1.5,
                                        diagnose=_init_slips(name, fans, seed)))  # fmt: skip
            seed = int(rng.integers(2**31))
            spread = _init_statistics(result, name, call(function, *large,
                                                         np.random.default_rng(seed)), large, label)
            random = _init_randomness(result, name, function, pairs[-1], seed, label)
            if spread and random and not all(exact):
                result.diagnose(NOT_NORMAL)
        except NotImplementedYet:
            if function is xavier_init:
                raise
            result.add(f"{label}he_init: not implemented yet", passed=False, weight=4.5)


# ------------------------------------------------------------ early stopping
LATE = (
    "one epoch late (off by one in the patience): stop as soon as `patience` epochs in a row "
    "have not improved, i.e. when wait >= patience"
)
TIES = "a tie is not an improvement: the loss improves only if loss < best - min_delta"
NO_DELTA = "min_delta is ignored: an improvement must beat the best loss by more than min_delta"
NO_RESET = "the wait is not reset to 0 when the loss improves: it counts epochs *in a row*"
PREVIOUS = "compare each loss with the best loss so far, not with the previous epoch's"
ONE_BASED = "epochs are counted from 0: return indices into val_losses"
EPOCHS_RUN = "return the index of the epoch where training stops (0-based), not how many ran"
ARGMIN_ALL = (
    "best_epoch is the best epoch up to the stop: training never sees the losses after it"
)


def _replay(losses: Sequence[float], patience: int, min_delta: float, slip: str = ""):
    """The early-stopping rule with one of the usual slips, for the diagnoses."""
    best, best_epoch, wait, previous = math.inf, None, 0, math.inf
    delta = 0.0 if slip == "delta" else min_delta
    for epoch, loss in enumerate(losses):
        target = (previous if slip == "previous" else best) - delta
        improved = loss <= target if slip == "ties" else loss < target
        previous = loss
        if improved:
            best, best_epoch = loss, epoch
            wait = wait if slip == "no_reset" else 0
            continue
        wait += 1
        if wait >= patience + (slip == "late"):
            return epoch, best_epoch
    return None, best_epoch


def _early_slips(losses: Sequence[float], patience: int, min_delta: float) -> list[tuple]:
    stop, best = reference.early_stopping(losses, patience, min_delta)
    slips = [(LATE, _replay(losses, patience, min_delta, "late")),
             (TIES, _replay(losses, patience, min_delta, "ties")),
             (NO_DELTA, _replay(losses, patience, min_delta, "delta")),
             (NO_RESET, _replay(losses, patience, min_delta, "no_reset")),
             (PREVIOUS, _replay(losses, patience, min_delta, "previous"))]  # fmt: skip
    if stop is not None:
        slips += [(ONE_BASED, (stop + 1, best + 1)), (EPOCHS_RUN, (stop + 1, best)),
                  (ARGMIN_ALL, (stop, int(np.argmin(losses))))]
    return slips


def _as_epoch(value: Any) -> int | str | None:
    """An epoch as an int (None stays None); anything else as its repr, for the message."""
    if value is None:
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    return repr(value)


def _early_cases(hidden: bool, rng: np.random.Generator) -> list[tuple]:
    """(name, val_losses, patience, min_delta)."""
    if not hidden:
        return [
            ("the worked example", [0.90, 0.70, 0.60, 0.62, 0.61, 0.65, 0.66, 0.50], 2, 0.0),
            ("a tie is no improvement", [1.0, 0.8, 0.8, 0.8, 0.8, 0.9, 0.95], 2, 0.0),
            ("min_delta 0.1", [1.0, 0.95, 0.93, 0.6, 0.5, 0.45], 1, 0.1),
            ("the wait restarts", [1.0, 0.9, 0.95, 0.8, 0.85, 0.7, 0.75, 0.72], 2, 0.0),
            ("patience 0", [0.5, 0.6, 0.4], 0, 0.0),
            ("never stops", [3.0, 2.0, 1.5, 1.2, 1.1], 1, 0.0),
        ]
    cases = [("one epoch", [float(rng.uniform(0.1, 2.0))], 0, 0.0)]
    for rounded in (False, True):
        n = int(rng.integers(8, 31))
        t = np.arange(n) / n
        bottom = float(rng.uniform(0.3, 0.7))
        losses = 0.4 + (t - bottom) ** 2 + 0.03 * rng.standard_normal(n)
        losses = np.round(losses, 2) if rounded else losses  # rounding makes ties
        min_delta = 0.0 if rounded else float(rng.choice([0.0, 0.01]))
        cases.append((f"a random U-shaped curve of {n} epochs", [float(v) for v in losses],
                      int(rng.integers(1, 5)), min_delta))  # fmt: skip
    return cases


@exercise("early_stopping", points=2)
def check_early_stopping(result: CheckResult, early_stopping, *, hidden, rng):
    """(stop_epoch, best_epoch) of dlcore's EarlyStopping replayed on a list of dev losses."""
    label = "hidden: " if hidden else ""
    for name, losses, patience, min_delta in _early_cases(hidden, rng):
        want = reference.early_stopping(losses, patience, min_delta)
        output = call(early_stopping, list(losses), patience, min_delta)
        got = tuple(_as_epoch(v) for v in unpack(
            output, 2, "early_stopping must return a pair (stop_epoch, best_epoch)"))
        result.add(f"{label}{name} (patience {patience}, min_delta {min_delta:g})",
                   passed=got == want, message=f"expected {want}, got {got}")  # fmt: skip
        if got != want:
            named = {text for text, wrong in _early_slips(losses, patience, min_delta)
                     if wrong == got and wrong != want}  # fmt: skip
            if len(named) == 1:
                result.diagnose(named.pop())


# ----------------------------------------------------------------- clipping
ONE_SIDED = "clip both sides: every entry into [-clip_value, clip_value]"
VALUE_AS_NORM = "clip_by_value clips each entry; rescaling by a norm is what clip_by_norm does"
INSIDE_CHANGED = "entries already inside [-clip_value, clip_value] must stay as they are"
PER_ARRAY = (
    "clip by the global norm of all the gradients together: one factor max_norm / norm for "
    "every array (a norm per array changes the update's direction)"
)
PER_ELEMENT = (
    "this clips each entry (by value), which changes the direction; clip_by_norm multiplies "
    "every array by max_norm / global norm"
)
ALWAYS = "rescale only when the global norm exceeds max_norm; smaller gradients are unchanged"
INVERTED = "the factor is max_norm / norm, not norm / max_norm"
SUM_OF_NORMS = (
    "the global norm is the square root of the sum of every squared entry of every array, "
    "not the sum of the arrays' norms"
)
NORM_AFTER = "return the global norm before clipping (it is what reveals exploding gradients)"


def _global_norm(grads: Sequence[np.ndarray]) -> float:
    return float(np.sqrt(sum(float((g**2).sum()) for g in grads)))


def _each(grads: Sequence[np.ndarray], change: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``change`` applied to every gradient, the results joined into one vector."""
    return flat_arrays([change(g) for g in grads])


def _own_norm_capped(g: np.ndarray, cap: float) -> np.ndarray:
    """``g`` rescaled to a norm of at most ``cap`` by its own norm (the per-array slip)."""
    return g * min(1.0, cap / float(np.linalg.norm(g)))


def _by_norm_slips(grads: Sequence[np.ndarray], max_norm: float) -> list[tuple[str, Any]]:
    norm = _global_norm(grads)
    summed = sum(float(np.linalg.norm(g)) for g in grads)
    return [
        (PER_ARRAY, _each(grads, lambda g: _own_norm_capped(g, max_norm))),
        (PER_ELEMENT, _each(grads, lambda g: np.clip(g, -max_norm, max_norm))),
        (ALWAYS, _each(grads, lambda g: g * max_norm / norm)),
        (INVERTED, _each(grads, lambda g: g * (norm / max_norm if norm > max_norm else 1.0))),
        (SUM_OF_NORMS, _each(grads, lambda g: g * min(1.0, max_norm / summed))),
    ]


def _by_value_slips(grads: Sequence[np.ndarray], clip_value: float) -> list[tuple[str, Any]]:
    norm = _global_norm(grads)
    return [
        (ONE_SIDED, _each(grads, lambda g: np.minimum(g, clip_value))),
        (ONE_SIDED, _each(grads, lambda g: np.clip(g, 0.0, clip_value))),
        (VALUE_AS_NORM, _each(grads, lambda g: g * min(1.0, clip_value / norm))),
        (VALUE_AS_NORM, _each(grads, lambda g: _own_norm_capped(g, clip_value))),
        (INSIDE_CHANGED, _each(grads, lambda g: np.sign(g) * clip_value)),
    ]


def _clipping_cases(hidden: bool, rng: np.random.Generator) -> list[tuple]:
    """(name, grads, clip_value, max_norm): large gradients, and small ones left alone."""
    if not hidden:
        cases = [("the worked example g = (3, 4)", [np.array([3.0, 4.0])], 1.0, 1.0)]
        shapes = [(4, 3), (3,), (3, 2)]
    else:
        cases = [("one gradient of shape (1, 1)", [np.array([[float(rng.choice([-1, 1]))
                                                              * rng.uniform(2, 5)]])], 1.0, 0.5)]
        shapes = [(int(rng.integers(2, 6)), int(rng.integers(1, 5))), (int(rng.integers(1, 6)),)]
    grads = [2.0 * rng.standard_normal(shape) for shape in shapes]
    norm = _global_norm(grads)
    cases.append((f"{len(shapes)} gradients {shapes}, norm {norm:.3g}", grads, 0.5, norm / 3))
    small = [0.1 * g for g in grads]
    cases.append(("small gradients (below both thresholds)", small, 10.0, 3 * norm))
    return cases


def _clipped(result, name: str, got: Any, want: Sequence[np.ndarray], slips, label: str) -> None:
    got = unpack(got, len(want), f"{name} must return a list of {len(want)} arrays, one per "
                                 "gradient")  # fmt: skip
    flat, problem = flatten_like(got, want)
    if problem:
        result.add(f"{label}: {name}", passed=False, message=problem)
        return
    result.add(f"{label}: {name}", expected=flat_arrays(want), got=flat,
               diagnose=specific_first(slips))


@exercise("clipping", points=2)
def check_clipping(result: CheckResult, clip_by_value, clip_by_norm, *, hidden, rng):
    """Clipping every entry into [-c, c]; rescaling all gradients to a global norm <= max_norm."""
    mutated = False
    for name, grads, clip_value, max_norm in _clipping_cases(hidden, rng):
        label = f"hidden: {name}" if hidden else name
        got, changed = call_on_arrays(clip_by_value, grads, clip_value)
        mutated |= changed
        _clipped(result, f"clip_by_value (clip_value {clip_value:g})", got,
                 reference.clip_by_value(grads, clip_value),
                 _by_value_slips(grads, clip_value), label)  # fmt: skip
        try:
            output, changed = call_on_arrays(clip_by_norm, grads, max_norm)
        except NotImplementedYet:  # clip_by_value keeps its points
            result.add(f"{label}: clip_by_norm: not implemented yet", passed=False, weight=1.5)
            continue
        mutated |= changed
        clipped, norm = unpack(output, 2, "clip_by_norm must return a pair (clipped, norm)")
        want, want_norm = reference.clip_by_norm(grads, max_norm)
        _clipped(result, f"clip_by_norm (max_norm {max_norm:.3g})", clipped, want,
                 _by_norm_slips(grads, max_norm), label)  # fmt: skip
        after = min(want_norm, max_norm)
        result.add(f"{label}: the global norm before clipping", expected=want_norm, got=norm,
                   weight=0.5, diagnose=specific_first(
                       [(NORM_AFTER, after)] if after != want_norm else []))
    record_unchanged(result, mutated, "clip_by_value/clip_by_norm",
                     hint="np.clip(g, ..., out=g) or g *= ... changes the gradients in place")

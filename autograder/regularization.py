"""Checks of notebook 06 (regularization): L2, dropout, initialisation, early stopping, clipping.

This module holds the checks of the two regularisers the student writes, the L2
penalty with its gradient and inverted dropout, and the table ``CHECKS`` of the
whole notebook; the checks of initialisation, early stopping and gradient
clipping live in :mod:`autograder.regularization_training` and are re-exported
here, so that every test cell calls ``regularization.check_...``.

Expected values come from dlcore at grading time, through the signatures of
:mod:`autograder.regularization_reference`. Gradients are checked twice, in
float64: against dlcore's, for a random upstream gradient, and against the
numerical gradient of the student's own forward (or penalty), so a constant
function with a zero gradient fails. Dropout is random: its check compares the
values with dlcore's for the same seed (the notebook asks for the mask
``rng.random(A.shape) < keep_prob``) and also tests the properties that any
correct inverted dropout has (entries 0 or A / keep_prob, a fraction ``rate``
dropped, the expectation A, nothing dropped at test time).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dlcore import functional as F

from . import regularization_reference as reference
from .checking import (
    FACTOR_2,
    call_second,
    call_watching,
    describe,
    matches,
    numerical_gradient_of,
    record_unchanged,
    unpack,
)
from .core import CheckResult, NotImplementedYet, StudentError, call, exercise
from .regularization_helpers import as_float_array, call_on_arrays, flatten_like, specific_first
from .regularization_training import check_clipping, check_early_stopping, check_initializers

__all__ = [
    "CHECKS",
    "check_clipping",
    "check_dropout",
    "check_early_stopping",
    "check_initializers",
    "check_l2",
]


def _scalar(value: Any, what: str) -> float:
    """``value`` as a float, or a StudentError saying that ``what`` must return one number."""
    try:
        array = None if value is None else np.asarray(np.array(value, dtype=float))
    except (TypeError, ValueError):
        array = None
    if array is None or array.size != 1:
        raise StudentError(f"{what} must return one number; it returned {describe(value)}")
    return float(array.reshape(()))


# ------------------------------------------------------------------------ L2
L2_HALF = "the 1/2 is missing: the penalty is lambda / (2m) * sum of ||W||_F^2"
L2_OVER_M = "divide by m (the number of examples): the penalty is lambda / (2m) * sum ||W||_F^2"
L2_EVERY_LAYER = "sum the penalty over every weight matrix in the list, not only the first"
L2_NORM_SQUARED = "||W||_F^2 is the sum of the squared entries: do not take its square root"
L2_IS_L1 = "that is an L1 penalty (|w|); L2 sums the squares w^2"
L2_MEAN = "sum the squared entries (||W||_F^2), do not average them"
L2_GRAD_HALF = (
    "the gradient of lambda / (2m) * w^2 is (lambda / m) w: the 2 of the square cancels the 1/2"
)
L2_GRAD_LAMBDA = "wrong lambda scaling: the gradient is (lambda / m) W, divided by m"
L2_GRAD_NO_FACTOR = "the factor lambda / m is missing: the gradient is (lambda / m) W"
L2_GRAD_SIGN = "that is the L1 gradient (lambda / m) sign(W); L2's is (lambda / m) W"


def _l2_penalty_slips(weights: Sequence[np.ndarray], lam: float, m: int) -> list[tuple[str, Any]]:
    squares = sum(float((W**2).sum()) for W in weights)
    slips = [
        (L2_HALF, lam / m * squares),
        (L2_OVER_M, lam / 2 * squares),
        (L2_NORM_SQUARED, lam / (2 * m) * sum(float(np.linalg.norm(W)) for W in weights)),
        (L2_IS_L1, lam / (2 * m) * sum(float(np.abs(W).sum()) for W in weights)),
        (L2_IS_L1, lam / m * sum(float(np.abs(W).sum()) for W in weights)),
        (L2_MEAN, lam / (2 * m) * sum(float((W**2).mean()) for W in weights)),
    ]
    if len(weights) > 1:
        slips.append((L2_EVERY_LAYER, lam / (2 * m) * float((weights[0] ** 2).sum())))
    return slips


def _l2_gradient_slips(weights: Sequence[np.ndarray], lam: float, m: int) -> list[tuple[str, Any]]:
    def flat(factor: float, transform: Callable[[np.ndarray], np.ndarray] = lambda W: W):
        return np.concatenate([(factor * transform(W)).ravel() for W in weights])

    return [
        (L2_GRAD_HALF, flat(lam / (2 * m))),
        (L2_GRAD_LAMBDA, flat(lam)),
        (L2_GRAD_NO_FACTOR, flat(1.0)),
        (L2_GRAD_SIGN, flat(lam / m, np.sign)),
        (FACTOR_2, flat(2 * lam / m)),
    ]


def _l2_cases(hidden: bool, rng: np.random.Generator) -> list[tuple]:
    """(name, weights, lam, m): the notebook's worked example, then random layers."""
    if not hidden:
        example = [np.array([[1.0, -2.0], [0.5, 0.0]]), np.array([[3.0], [-1.0]])]
        shapes, lam, m = [(5, 4), (4, 3), (3, 1)], 0.7, 32
        cases = [("the worked example (lambda 0.1, m 4)", example, 0.1, 4)]
    else:
        d, h = int(rng.integers(2, 7)), int(rng.integers(2, 7))
        single = [rng.standard_normal((1, int(rng.integers(2, 6))))]
        cases = [("one matrix (1, k), m = 1", single, float(rng.uniform(0.05, 3.0)), 1)]
        shapes, lam, m = [(d, h), (h, 1)], float(rng.uniform(0.05, 3.0)), int(rng.integers(3, 65))
    weights = [rng.standard_normal(shape) for shape in shapes]
    cases.append((f"{len(shapes)} matrices {shapes}, lambda {lam:.3g}, m {m}", weights, lam, m))
    return cases


@exercise("l2", points=2)
def check_l2(result: CheckResult, l2_penalty, l2_gradient, *, hidden, rng):
    """The penalty lambda / (2m) sum ||W||_F^2 and its gradient (lambda / m) W, for lists of W."""
    mutated = False
    for name, weights, lam, m in _l2_cases(hidden, rng):
        label = f"hidden: {name}" if hidden else name
        value, changed = call_on_arrays(l2_penalty, weights, lam, m)
        mutated |= changed
        result.add(f"{label}: penalty", expected=reference.l2_penalty(weights, lam, m),
                   got=_scalar(value, "l2_penalty"),
                   diagnose=specific_first(_l2_penalty_slips(weights, lam, m)))
        try:
            grads, changed = call_on_arrays(l2_gradient, weights, lam, m)
        except NotImplementedYet:  # the penalty keeps its points
            result.add(f"{label}: l2_gradient: not implemented yet", passed=False, weight=1.5)
            continue
        mutated |= changed
        grads = unpack(grads, len(weights),
                       f"l2_gradient must return a list of {len(weights)} arrays, one per W")
        want = reference.l2_gradient(weights, lam, m)
        flat, problem = flatten_like(grads, want)
        if problem:
            result.add(f"{label}: gradient of every W", passed=False, message=problem)
            continue
        result.add(f"{label}: gradient of every W", expected=np.concatenate(
            [g.ravel() for g in want]), got=flat,
            diagnose=specific_first(_l2_gradient_slips(weights, lam, m)))
        numeric = [numerical_gradient_of(l2_penalty, weights[i], _with_one(weights, i, lam, m),
                                         lambda value: _scalar(value, "l2_penalty"))
                   for i in range(len(weights))]
        result.add(f"{label}: gradient = numerical gradient of your penalty",
                   expected=np.concatenate([g.ravel() for g in numeric]), got=flat,
                   rtol=1e-5, atol=1e-7, weight=0.5)
    record_unchanged(result, mutated, "l2_penalty/l2_gradient",
                     hint="W *= ... changes the network's weights; compute new arrays")


def _with_one(weights, index: int, lam: float, m: int) -> Callable:
    """The penalty's arguments with the ``index``-th matrix replaced by W (the others copied)."""

    def arguments(W: np.ndarray) -> tuple:
        return [W if i == index else w.copy() for i, w in enumerate(weights)], lam, m

    return arguments


# ------------------------------------------------------------------- dropout
NOT_SCALED = (
    "inverted dropout divides the kept activations by keep_prob = 1 - rate, so that the "
    "expected output stays A"
)
TIMES_KEEP = "the kept activations are divided by keep_prob = 1 - rate, not multiplied by it"
SWAPPED = (
    "drops with probability keep_prob instead of rate: a unit is kept with probability "
    "keep_prob = 1 - rate (mask = rng.random(A.shape) < 1 - rate)"
)
OTHER_DRAW = (
    "draw the mask as rng.random(A.shape) < keep_prob (keep_prob = 1 - rate): yours may have "
    "the right probability, but the same seed must give dlcore's mask"
)
ONE_MASK = "one mask shared by every example: draw one entry per activation, rng.random(A.shape)"
NOT_RANDOM = "use the rng argument for every mask (rng.random), not np.random or a new seed"
TEST_TIME = (
    "at test time (training=False) inverted dropout does nothing: return A unchanged (the "
    "scaling by 1/keep_prob during training already keeps the expected value)"
)
BACKWARD_MASK = (
    "the backward must reuse the forward's mask (keep it in the cache): a new random mask "
    "sends the gradient through other units than the ones that were kept"
)
BACKWARD_NOT_SCALED = "the backward scales like the forward: dA = dout * mask / keep_prob"
BACKWARD_NO_MASK = "the mask is missing in the backward: dA = dout * mask / keep_prob"
BACKWARD_TEST_TIME = "at test time nothing was dropped, so the backward returns dout unchanged"


def _dropout_slips(A: np.ndarray, rate: float, seed: int) -> list[tuple[str, Any]]:
    keep = 1.0 - rate
    u = np.random.default_rng(seed).random(A.shape)
    kept = (u < keep).astype(float)
    row = np.broadcast_to(np.random.default_rng(seed).random(A.shape[-1]) < keep, A.shape)
    return [
        (NOT_SCALED, A * kept),
        (TIMES_KEEP, A * kept * keep),
        (SWAPPED, A * (u < rate) / keep),
        (SWAPPED, A * (u < rate) / rate),
        (OTHER_DRAW, A * (u >= rate) / keep),
        (OTHER_DRAW, A * (u > rate) / keep),
        (ONE_MASK, A * row / keep),
    ]


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Activations with 0.5 <= |a| <= 2: a zero in the output then means "dropped"."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


def _draw_rate(rng: np.random.Generator) -> float:
    """A rate at least 0.15 from 0.5, so that rate and keep_prob are told apart."""
    return float(rng.choice([rng.uniform(0.15, 0.35), rng.uniform(0.65, 0.8)]))


def _forward(dropout_forward, A, rate, seed, **training):
    output, changed = call_watching(dropout_forward, A, rate, np.random.default_rng(seed),
                                    **training)
    out, cache = unpack(output, 2, "dropout_forward must return a pair (out, cache)")
    return as_float_array(out, "dropout_forward"), cache, changed


def _diagnose_backward(dout: np.ndarray, out: np.ndarray, keep: float):
    """The backward's known mistakes, given the forward's output ``out`` (0 where dropped)."""
    kept = (out != 0).astype(float)
    named = specific_first([(BACKWARD_NOT_SCALED, dout * kept), (BACKWARD_NO_MASK, dout),
                            (BACKWARD_NO_MASK, dout / keep)])

    def diagnose_backward(expected: Any, got: Any) -> str | None:
        phrase = named(expected, got)
        if phrase:
            return phrase
        ratio = np.asarray(got, dtype=float) / dout
        scaled = np.isclose(ratio, 0) | np.isclose(ratio, 1 / keep)
        return BACKWARD_MASK if scaled.all() and not matches(expected, got) else None

    return diagnose_backward


def _dropout_case(result, dropout_forward, dropout_backward, A, rate, rng, label) -> bool:
    """Forward values, backward and numerical gradient for one (A, rate); whether A changed."""
    seed, keep = int(rng.integers(2**31)), 1.0 - rate
    out, cache, changed = _forward(dropout_forward, A, rate, seed)
    want = F.dropout_forward(A, rate, np.random.default_rng(seed))[0]
    result.add(f"{label}forward: dlcore's values for the same seed", expected=want, got=out,
               weight=2, diagnose=specific_first(_dropout_slips(A, rate, seed)))
    if out.shape == A.shape:
        ratio = out / A
        result.add(f"{label}forward: every entry is 0 or A / keep_prob",
                   passed=bool((np.isclose(ratio, 0) | np.isclose(ratio, 1 / keep)).all()))
    dout = rng.standard_normal(A.shape)
    second = call_second(result, f"{label}dropout_backward", 3, dropout_backward, dout, cache)
    if second is None:
        return changed
    mask = out / A if out.shape == A.shape else want / A  # the mask the forward used
    result.add(f"{label}backward: dout * mask / keep_prob with your forward's mask",
               expected=F.dropout_backward(dout, mask), got=second[0], weight=2,
               diagnose=_diagnose_backward(dout, out if out.shape == A.shape else want, keep))

    if out.shape == A.shape:  # the forward's numerical gradient needs outputs shaped like A

        def forward_sum(output: Any) -> float:
            out, _ = unpack(output, 2, "dropout_forward must return a pair (out, cache)")
            return float((as_float_array(out, "dropout_forward") * dout).sum())

        numeric = numerical_gradient_of(
            dropout_forward, A, lambda x: (x, rate, np.random.default_rng(seed)), forward_sum)
        result.add(f"{label}backward = numerical gradient of your forward (same seed)",
                   expected=numeric, got=second[0], rtol=1e-5, atol=1e-7)
    return changed or second[1]


def _dropout_statistics(result, dropout_forward, rate, rng, label) -> None:
    """The fraction dropped and the expectation, on many copies of one row of activations."""
    copies, width = 2000, int(rng.integers(4, 9))
    row = _away_from_zero(rng, (width,))
    out = _forward(dropout_forward, np.tile(row, (copies, 1)), rate, int(rng.integers(2**31)))[0]
    if out.shape != (copies, width):
        result.add(f"{label}statistics on A of shape ({copies}, {width})", passed=False,
                   message=f"expected shape ({copies}, {width}), got shape {out.shape}")
        return
    dropped = float((out == 0).mean())
    spread = np.sqrt(rate * (1 - rate) / out.size)
    result.add(f"{label}a fraction rate = {rate:.2f} of the entries is dropped",
               passed=abs(dropped - rate) <= 6 * spread + 1e-12,
               message=f"{dropped:.3f} were dropped")
    if abs(dropped - (1 - rate)) <= 6 * spread:
        result.diagnose(SWAPPED)
    tolerance = 6 * np.abs(row) * np.sqrt(rate / (1 - rate)) / np.sqrt(copies)
    mean = out.mean(axis=0)
    expected = bool((np.abs(mean - row) <= tolerance).all())
    result.add(f"{label}expectation: the mean output over {copies} examples is A",
               passed=expected, message=f"mean / A = {np.round(mean / row, 3)}")
    if not expected and (np.abs(mean - (1 - rate) * row) <= tolerance).all():
        result.diagnose(NOT_SCALED)


def _dropout_randomness(result, dropout_forward, rng, label) -> None:
    """Two draws from one generator differ; two generators with one seed agree."""
    A, seed = _away_from_zero(rng, (6, 8)), int(rng.integers(2**31))
    generator = np.random.default_rng(seed)
    first = call(dropout_forward, A, 0.4, generator)
    second = call(dropout_forward, A, 0.4, generator)
    again = _forward(dropout_forward, A, 0.4, seed)[0]
    first, second = (unpack(o, 2, "dropout_forward must return a pair (out, cache)")[0]
                     for o in (first, second))  # fmt: skip
    fresh = not matches(first, second)
    repeatable = matches(first, again)
    result.add(f"{label}a new mask at every call, the same one for the same seed",
               passed=fresh and repeatable, weight=0.5)
    if not (fresh and repeatable):
        result.diagnose(NOT_RANDOM)


def _dropout_test_time(result, dropout_forward, dropout_backward, rng, label) -> None:
    A, rate = _away_from_zero(rng, (int(rng.integers(1, 6)), 5)), _draw_rate(rng)
    out, cache, _ = _forward(dropout_forward, A, rate, int(rng.integers(2**31)), training=False)
    result.add(f"{label}training=False returns A unchanged", expected=A, got=out,
               diagnose=lambda expected, got: TEST_TIME)
    dout = rng.standard_normal(A.shape)
    second = call_second(result, f"{label}backward at test time", 0.5, dropout_backward, dout,
                         cache)
    if second is not None:
        result.add(f"{label}training=False: the backward returns dout", expected=dout,
                   got=second[0], weight=0.5, diagnose=lambda expected, got: BACKWARD_TEST_TIME)


@exercise("dropout", points=3)
def check_dropout(result: CheckResult, dropout_forward, dropout_backward, *, hidden, rng):
    """Inverted dropout: out = A * mask / keep_prob, mask = rng.random(A.shape) < keep_prob."""
    label = "hidden: " if hidden else ""
    if hidden:
        shapes = [(1, int(rng.integers(3, 9))), (int(rng.integers(2, 7)), int(rng.integers(2, 7)))]
        cases = [(shape, _draw_rate(rng)) for shape in shapes]
    else:
        cases = [((4, 6), 0.3), ((3, 5), 0.75)]
    mutated = False
    for shape, rate in cases:
        where = f"{label}A {shape}, rate {rate:.2f}: "
        mutated |= _dropout_case(result, dropout_forward, dropout_backward,
                                 _away_from_zero(rng, shape), rate, rng, where)
    _dropout_statistics(result, dropout_forward, _draw_rate(rng) if hidden else 0.3, rng, label)
    _dropout_randomness(result, dropout_forward, rng, label)
    _dropout_test_time(result, dropout_forward, dropout_backward, rng, label)
    record_unchanged(result, mutated, "dropout_forward/backward", label=label,
                     hint="A *= mask changes the layer's activations; return A * mask / keep_prob")


#: grade_id of each test cell -> (its check, the reference implementation(s) that score full marks)
CHECKS: dict[str, tuple[Callable[..., CheckResult], tuple[Callable[..., Any], ...]]] = {
    "test_l2": (check_l2, (reference.l2_penalty, reference.l2_gradient)),
    "test_dropout": (check_dropout, (F.dropout_forward, F.dropout_backward)),
    "test_initializers": (check_initializers, (reference.xavier_init, reference.he_init)),
    "test_early_stopping": (check_early_stopping, (reference.early_stopping,)),
    "test_clipping": (check_clipping, (reference.clip_by_value, reference.clip_by_norm)),
}

"""What the generic check of notebook 04 knows about each loss: its cases.

One :class:`LossSpec` per exercise: dlcore's reference pair (from
:mod:`autograder.loss_reference`), how to draw a random case away from the
loss's kinks, the shapes to try, what the mean divides by (every entry, or the
rows), the loss's parameter (Huber's delta), the special cases (huge logits, a
probability of exactly 0, the kink itself) and the known wrong answers (from
:mod:`autograder.loss_mistakes`). :mod:`autograder.losses` runs the same check
on every spec; this module is the table it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dlcore import functional as F

from . import loss_mistakes as wrong
from . import loss_reference as ref

Shape = tuple[int, ...]


@dataclass(frozen=True)
class SpecialCase:
    """One fixed input that a correct loss must handle: huge values, zeros, a kink.

    label : shown in the report ("logits up to +-1000")
    pred, target : the input
    hint, gradient_hint : the diagnosis of a NaN or inf value, or gradient (and of
        NumPy's warnings during each, if watched)
    watch_warnings : whether an overflow warning costs a sub-check
    kink : (mask of the entries where the gradient follows a convention, the
        diagnosis of a gradient that is wrong only there), or None
    """

    label: str
    pred: np.ndarray
    target: np.ndarray
    hint: str | None = None
    gradient_hint: str | None = None
    watch_warnings: bool = False
    kink: tuple[np.ndarray, str] | None = None


def _no_special(rng: np.random.Generator, hidden: bool) -> list[SpecialCase]:
    return []


@dataclass(frozen=True)
class LossSpec:
    """What the generic loss check needs to know about one loss.

    reference : dlcore's (loss, loss_gradient) pair, the one that scores full marks
    make_case : (rng, shape, **params) -> (pred, target), away from every kink
    shapes : (rng, hidden) -> the shapes of pred in the random cases
    divisor : pred -> the count the mean divides by (the M entries, or the N rows)
    value_mistakes, gradient_mistakes : (pred, target, **params) -> [(diagnosis,
        wrong answer)], the loss's known wrong answers for one case
    special : (rng, hidden) -> the special cases
    parameter, default, sample, public_values : the loss's keyword argument (delta),
        its default in the exercise's signature, how a hidden case draws it, and its
        values in the public cases (one per public shape)
    """

    reference: tuple[Callable[..., Any], Callable[..., Any]]
    make_case: Callable[..., tuple[np.ndarray, np.ndarray]]
    shapes: Callable[[np.random.Generator, bool], list[Shape]]
    divisor: Callable[[np.ndarray], int]
    value_mistakes: Callable[..., wrong.Mistakes]
    gradient_mistakes: Callable[..., wrong.Mistakes]
    special: Callable[[np.random.Generator, bool], list[SpecialCase]] = _no_special
    parameter: str | None = None
    default: float = 0.0
    sample: Callable[[np.random.Generator], float] | None = None
    public_values: tuple[float, ...] = ()


# ------------------------------------------------------------------ helpers
def _entries(pred: np.ndarray) -> int:
    return pred.size


def _rows(pred: np.ndarray) -> int:
    return pred.shape[0]


def _label(hidden: bool) -> str:
    return "hidden: " if hidden else ""


def _signed(rng: np.random.Generator, shape: Shape, low: float, high: float) -> np.ndarray:
    """Random values with magnitude in [low, high] and a random sign."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def _zones(rng: np.random.Generator, shape: Shape, count: int) -> np.ndarray:
    """Integers 0..count-1 in a random order, each used about equally often."""
    size = int(np.prod(shape))
    return rng.permutation(np.arange(size) % count).reshape(shape)


def _probabilities(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    """Random probability rows, every entry at least 0.2 / K.

    (Far from 0, so that the numerical gradient of -t log p stays accurate.)
    """
    softmax = F.softmax_forward(rng.standard_normal(shape), axis=1)[0]
    return 0.8 * softmax + 0.2 / shape[1]


# ---------------------------------------------------------------- regression
def _regression_shapes(rng: np.random.Generator, hidden: bool) -> list[Shape]:
    if not hidden:
        return [(6,), (4, 3)]
    n, k = int(rng.integers(2, 8)), int(rng.integers(2, 5))
    return [(1,), (n, 1), (n + (n == k), k), (1, k)]  # never square: N != K


def _regression_case(rng: np.random.Generator, shape: Shape):
    """Residuals of size 0.1 to 3, either sign: away from MAE's kink at 0."""
    target = 2.0 * rng.standard_normal(shape)
    return target + _signed(rng, shape, 0.1, 3.0), target


def _huber_case(rng: np.random.Generator, shape: Shape, delta: float = 1.0):
    """About half the residuals inside delta, half beyond, none within 15 % of delta."""
    near = _zones(rng, shape, 2) == 0
    r = np.where(near, _signed(rng, shape, 0.05, 0.85), _signed(rng, shape, 1.15, 3.0)) * delta
    target = 2.0 * rng.standard_normal(shape)
    return target + r, target


def _mae_special(rng: np.random.Generator, hidden: bool) -> list[SpecialCase]:
    shape = (int(rng.integers(2, 6)), 3) if hidden else (7,)
    target = rng.standard_normal(shape)
    pred = target + _signed(rng, shape, 0.2, 2.0)
    at_zero = _zones(rng, shape, 3) == 0
    pred[at_zero] = target[at_zero]
    return [SpecialCase(f"{_label(hidden)}pred = target for some entries", pred, target,
                        gradient_hint=wrong.MAE_NAN,
                        kink=(at_zero, wrong.MAE_AT_ZERO))]  # fmt: skip


LARGE_RESIDUALS = np.array([-1000.0, -720.0, -30.0, -0.5, 0.25, 40.0, 800.0, 1000.0])


def _log_cosh_special(rng: np.random.Generator, hidden: bool) -> list[SpecialCase]:
    r = rng.permutation(LARGE_RESIDUALS) if hidden else LARGE_RESIDUALS.copy()
    target = rng.standard_normal(r.shape)
    return [SpecialCase(f"{_label(hidden)}residuals up to +-1000", target + r, target,
                        hint=wrong.LOGCOSH_OVERFLOW,
                        gradient_hint=wrong.LOGCOSH_GRADIENT_OVERFLOW,
                        watch_warnings=True)]  # fmt: skip


# ------------------------------------------------------------ binary targets
def _bce_shapes(rng: np.random.Generator, hidden: bool) -> list[Shape]:
    if not hidden:
        return [(8,), (3, 2)]
    n, k = int(rng.integers(2, 8)), int(rng.integers(2, 5))
    return [(1,), (n, 1), (n + (n == k), k)]


def _bce_case(rng: np.random.Generator, shape: Shape):
    """Logits in [-4, 4]; 0/1 targets for a vector, soft targets in [0, 1] for a matrix."""
    logits = rng.uniform(-4.0, 4.0, size=shape)
    if len(shape) == 2:
        return logits, rng.uniform(0.0, 1.0, size=shape)
    return logits, rng.integers(0, 2, size=shape).astype(float)


LARGE_LOGITS = np.array([-1000.0, -1000.0, -50.0, -20.0, 0.5, 20.0, 50.0, 1000.0, 1000.0])
LARGE_LOGIT_TARGETS = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0])


def _bce_special(rng: np.random.Generator, hidden: bool) -> list[SpecialCase]:
    order = rng.permutation(LARGE_LOGITS.size) if hidden else np.arange(LARGE_LOGITS.size)
    return [SpecialCase(f"{_label(hidden)}logits up to +-1000", LARGE_LOGITS[order],
                        LARGE_LOGIT_TARGETS[order], hint=wrong.BCE_OVERFLOW,
                        gradient_hint=wrong.BCE_GRADIENT_OVERFLOW,
                        watch_warnings=True)]  # fmt: skip


def _hinge_shapes(rng: np.random.Generator, hidden: bool) -> list[Shape]:
    if not hidden:
        return [(9,)]
    return [(1,), (int(rng.integers(4, 10)),), (int(rng.integers(3, 8)), 1)]


def _hinge_case(rng: np.random.Generator, shape: Shape):
    """Targets -1/+1 and margins t s on both sides of 0 and of 1, never within 0.05 of either.

    Every (target, margin region) pair occurs once before any occurs twice.
    """
    zone = _zones(rng, shape, 6)
    region, target = zone % 3, np.where(zone < 3, -1.0, 1.0)
    low, high = np.array([-2.5, 0.05, 1.05])[region], np.array([-0.05, 0.95, 3.0])[region]
    return target * rng.uniform(low, high), target


def _hinge_special(rng: np.random.Generator, hidden: bool) -> list[SpecialCase]:
    n = int(rng.integers(6, 10)) if hidden else 6
    target = rng.choice([-1.0, 1.0], size=n)
    zone = _zones(rng, (n,), 3)  # on the margin, inside it, beyond it
    on_margin = zone == 0
    margin = np.where(on_margin, 1.0, np.where(zone == 1, rng.uniform(-1.5, 0.9, n),
                                               rng.uniform(1.1, 2.5, n)))
    return [SpecialCase(f"{_label(hidden)}points exactly on the margin (t s = 1)",
                        target * margin, target,
                        kink=(on_margin, wrong.HINGE_AT_ONE))]  # fmt: skip


# ------------------------------------------------------- probability rows
def _category_shapes(rng: np.random.Generator, hidden: bool) -> list[Shape]:
    if not hidden:
        return [(5, 3), (4, 6)]
    n, k = int(rng.integers(2, 8)), int(rng.integers(2, 6))
    return [(1, k), (n + (n == k), k)]


def _cce_case(rng: np.random.Generator, shape: Shape):
    """Probability rows; one-hot targets for an odd number of rows, soft targets for an even.

    (So the public cases, (5, 3) and (4, 6), have one of each.)
    """
    p = _probabilities(rng, shape)
    if shape[0] % 2:
        return p, wrong.one_hot(rng.integers(0, shape[1], shape[0]), shape[1])
    return p, rng.dirichlet(np.ones(shape[1]), size=shape[0])


def _sparse_case(rng: np.random.Generator, shape: Shape):
    return _probabilities(rng, shape), rng.integers(0, shape[1], shape[0])


def _kl_case(rng: np.random.Generator, shape: Shape):
    """Predicted rows q and target rows p, both strictly positive."""
    return _probabilities(rng, shape), rng.dirichlet(np.ones(shape[1]), size=shape[0])


def _with_a_zero(rng: np.random.Generator, p: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``p`` with one class of probability exactly 0 in every row, never the label's."""
    n, k = p.shape
    p = p.copy()
    for row in range(n):
        others = [c for c in range(k) if c != labels[row]]
        p[row, rng.choice(others)] = 0.0
    return p / p.sum(axis=1, keepdims=True)


def _zero_probability(rng: np.random.Generator, hidden: bool, sparse: bool) -> list[SpecialCase]:
    n, k = (int(rng.integers(2, 6)), int(rng.integers(3, 6))) if hidden else (4, 3)
    labels = rng.integers(0, k, n)
    p = _with_a_zero(rng, _probabilities(rng, (n, k)), labels)
    target = labels if sparse else wrong.one_hot(labels, k)
    return [SpecialCase(f"{_label(hidden)}a probability of exactly 0 (not the target's)",
                        p, target, hint=wrong.ZERO_PROBABILITY,
                        gradient_hint=wrong.ZERO_PROBABILITY_GRADIENT)]  # fmt: skip


def _cce_special(rng: np.random.Generator, hidden: bool) -> list[SpecialCase]:
    return _zero_probability(rng, hidden, sparse=False)


def _sparse_special(rng: np.random.Generator, hidden: bool) -> list[SpecialCase]:
    return _zero_probability(rng, hidden, sparse=True)


def _kl_special(rng: np.random.Generator, hidden: bool) -> list[SpecialCase]:
    n, k = (int(rng.integers(2, 6)), int(rng.integers(3, 6))) if hidden else (3, 4)
    q = _probabilities(rng, (n, k))
    p = rng.dirichlet(np.ones(k), size=n)
    p[_zones(rng, (n, k), 2) == 0] = 0.0
    p[np.arange(n), rng.integers(0, k, n)] += 0.5  # no row is all zero
    p /= p.sum(axis=1, keepdims=True)
    return [SpecialCase(f"{_label(hidden)}targets with zeros (0 log 0 = 0)", q, p,
                        hint=wrong.ZERO_TARGET)]  # fmt: skip


def _huber_delta(rng: np.random.Generator) -> float:
    return float(rng.choice([rng.uniform(0.3, 0.7), rng.uniform(1.5, 3.0)]))


# ------------------------------------------------------------------ the specs
MSE = LossSpec(
    (ref.mse, ref.mse_gradient), _regression_case, _regression_shapes, _entries,
    wrong.mse_value, wrong.mse_gradient,
)  # fmt: skip
MAE = LossSpec(
    (ref.mae, ref.mae_gradient), _regression_case, _regression_shapes, _entries,
    wrong.mae_value, wrong.mae_gradient, _mae_special,
)  # fmt: skip
HUBER = LossSpec(
    (ref.huber, ref.huber_gradient), _huber_case, _regression_shapes, _entries,
    wrong.huber_value, wrong.huber_gradient,
    parameter="delta", default=1.0, sample=_huber_delta, public_values=(1.0, 2.5),
)  # fmt: skip
LOG_COSH = LossSpec(
    (ref.log_cosh, ref.log_cosh_gradient), _regression_case, _regression_shapes, _entries,
    wrong.log_cosh_value, wrong.log_cosh_gradient, _log_cosh_special,
)  # fmt: skip
BINARY_CROSS_ENTROPY = LossSpec(
    (ref.binary_cross_entropy, ref.binary_cross_entropy_gradient), _bce_case, _bce_shapes,
    _entries, wrong.bce_value, wrong.bce_gradient, _bce_special,
)  # fmt: skip
CATEGORICAL_CROSS_ENTROPY = LossSpec(
    (ref.categorical_cross_entropy, ref.categorical_cross_entropy_gradient), _cce_case,
    _category_shapes, _rows, wrong.cce_value, wrong.cce_gradient, _cce_special,
)  # fmt: skip
SPARSE_CATEGORICAL_CROSS_ENTROPY = LossSpec(
    (ref.sparse_categorical_cross_entropy, ref.sparse_categorical_cross_entropy_gradient),
    _sparse_case, _category_shapes, _rows, wrong.sparse_value, wrong.sparse_gradient,
    _sparse_special,
)  # fmt: skip
HINGE = LossSpec(
    (ref.hinge, ref.hinge_gradient), _hinge_case, _hinge_shapes, _entries,
    wrong.hinge_value, wrong.hinge_gradient, _hinge_special,
)  # fmt: skip
KL_DIVERGENCE = LossSpec(
    (ref.kl_divergence, ref.kl_divergence_gradient), _kl_case, _category_shapes, _rows,
    wrong.kl_value, wrong.kl_gradient, _kl_special,
)  # fmt: skip

"""Checks of notebook 05, optimizers: averages, mini-batches, update rules, decay schedules.

Expected values come from dlcore at grading time:
:func:`dlcore.optimizers.exponentially_weighted_average`,
:func:`dlcore.datasets.minibatches`, the optimizer classes through
:mod:`dlcore.optimizers.functional` (the update rules' check is
:mod:`autograder.update_rules`), and :mod:`dlcore.schedules`. Known wrong answers,
computed for each case, give the diagnoses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from dlcore import schedules
from dlcore.datasets import minibatches
from dlcore.optimizers import exponentially_weighted_average
from dlcore.optimizers import functional as rules

from .checking import Diagnose, call_watching, diagnoser, matches, record_unchanged, unpack
from .core import CheckResult, NotImplementedYet, StudentError, call, exercise
from .update_rules import RuleSpec, check_rule

__all__ = [
    "CHECKS",
    "check_adadelta_update",
    "check_adagrad_update",
    "check_adam_update",
    "check_decay_schedules",
    "check_ewa",
    "check_make_minibatches",
    "check_momentum_update",
    "check_nesterov_update",
    "check_rmsprop_update",
    "check_sgd_update",
]


# ---------------------------------------------------------------------- EWA
def _ewa_mistakes(x: np.ndarray, beta: float, corrected: bool) -> list[tuple[str, Any]]:
    raw = exponentially_weighted_average(x, beta, bias_correction=False)
    t = np.arange(1, len(x) + 1, dtype=float).reshape((-1,) + (1,) * (x.ndim - 1))
    from_first, compounding = np.empty_like(raw), np.empty_like(raw)
    v, c = x[0], np.zeros_like(x[0])
    for i in range(len(x)):
        v = x[0] if i == 0 else beta * v + (1 - beta) * x[i]
        from_first[i] = v
        c = (beta * c + (1 - beta) * x[i]) / (1 - beta ** (i + 1))
        compounding[i] = c
    wrong = [
        ("no bias correction: divide v_t by 1 - beta^t" if corrected else
         "with bias_correction=False return the raw v_t, without dividing by 1 - beta^t",
         exponentially_weighted_average(x, beta, bias_correction=not corrected)),
        ("beta and 1 - beta are swapped: v_t = beta v_{t-1} + (1 - beta) x_t",
         exponentially_weighted_average(x, 1 - beta, bias_correction=corrected)),
        ("started from v = x_1: the notes start from v_0 = 0 (and correct the bias with "
         "1 - beta^t instead)", from_first),
    ]
    if corrected:
        wrong += [
            ("the bias correction is off by one: the first average is divided by 1 - beta^1 "
             "(t counts from 1)", raw / (1 - beta ** (t - 1))),
            ("the bias correction is off by one: divide v_t by 1 - beta^t with t = 1 first, "
             "not 1 - beta^(t+1)", raw / (1 - beta ** (t + 1))),
            ("the corrected value was fed back into the running average: keep v_t raw and "
             "divide only what you return", compounding),
        ]
    return wrong


def _ewa_cases(hidden: bool, rng) -> list[tuple[str, np.ndarray, float, bool]]:
    if not hidden:
        temperatures = np.array([40.0, 49, 45, 44, 52, 50, 47, 55, 60, 58])
        return [
            ("ten temperatures, beta = 0.9, corrected", temperatures, 0.9, True),
            ("ten temperatures, beta = 0.9, bias_correction=False", temperatures, 0.9, False),
            ("x of shape (12, 3), beta = 0.5, corrected", rng.standard_normal((12, 3)), 0.5, True),
        ]
    cases = []
    for shape, corrected in [((1,), bool(rng.integers(2))), ((int(rng.integers(5, 30)),), True),
                             ((int(rng.integers(4, 15)), 2), False), ((6, 2, 2), True)]:
        beta = float(rng.uniform(0.6, 0.99))
        shown = "corrected" if corrected else "bias_correction=False"
        cases.append((f"hidden: x of shape {shape}, beta = {beta:.3g}, {shown}",
                      5 + rng.standard_normal(shape), beta, corrected))
    return cases


@exercise("ewa", points=2)
def check_ewa(result: CheckResult, ewa: Callable, *, hidden: bool, rng: np.random.Generator):
    """``ewa(x, beta, bias_correction=True)``: every v_t of the series x, along axis 0."""
    changed_any = False
    for name, x, beta, corrected in _ewa_cases(hidden, rng):
        got, changed = call_watching(ewa, x, beta, bias_correction=corrected)
        changed_any |= changed
        expected = exponentially_weighted_average(x, beta, bias_correction=corrected)
        candidates = _ewa_mistakes(x, beta, corrected)

        def only_last(expected: Any, got: Any, candidates=candidates, x=x) -> str | None:
            if np.shape(got) == x.shape[1:]:
                return "return every v_t (an array shaped like x), not only the last one"
            return diagnoser(candidates)(expected, got)

        result.add(name, expected=expected, got=got, diagnose=only_last)
    record_unchanged(result, changed_any, "ewa", label="hidden: " if hidden else "")


# --------------------------------------------------------------- mini-batches
def reference_minibatches(X, y, batch_size, rng):
    """dlcore's mini-batches as a list: the reference of ``make_minibatches``."""
    return list(minibatches(X, y, batch_size, rng=rng))


def _batch_cases(hidden: bool, rng) -> list[tuple[str, int, int, bool]]:
    """(name, N, batch size, one-hot labels?)."""
    if not hidden:
        return [("N = 10, batch_size = 4", 10, 4, False), ("N = 12, batch_size = 4", 12, 4, False),
                ("N = 7, batch_size = 1 (stochastic)", 7, 1, False)]
    n = int(rng.integers(11, 40))
    size = int(rng.integers(3, 9))
    size += size * (n // size) == n  # a last batch smaller than the others
    return [("hidden: N = 1 (one example), batch_size = 3", 1, 3, False),
            (f"hidden: N = {n}, batch_size = {size}, one-hot labels", n, size, True),
            (f"hidden: N = {n - 5}, batch_size = {n} (the whole set)", n - 5, n, False)]


def _pairs(output: Any) -> list[tuple[Any, Any]]:
    if output is None or isinstance(output, (np.ndarray, str, dict)):
        raise StudentError("make_minibatches must return a list of (X_batch, y_batch) pairs; "
                           f"it returned {type(output).__name__}")
    try:
        items = list(output)
    except TypeError:
        raise StudentError("make_minibatches must return a list of (X_batch, y_batch) pairs; "
                           f"it returned {type(output).__name__}") from None
    return [unpack(item, 2, "each mini-batch must be a pair (X_batch, y_batch)") for item in items]


def _joined(parts: list[Any]) -> np.ndarray | None:
    """The batches stacked back into one array, or None when they do not stack."""
    try:
        return np.concatenate([np.atleast_1d(np.asarray(p, dtype=float)) for p in parts])
    except (TypeError, ValueError):
        return None


def _rows(X: np.ndarray, X_all: np.ndarray | None) -> list[int | None]:
    """For each row the batches hold, its index in X (None when it is not a row of X)."""
    if X_all is None or X_all.ndim != 2 or X_all.shape[1] != X.shape[1]:
        return [None]
    row_of = {value: row for row, value in enumerate(X[:, 0])}
    return [row_of.get(value) for value in X_all[:, 0]]


def _length(part: Any) -> int:
    return int(np.shape(part)[0]) if np.ndim(part) else -1


def _check_batches(result, name, X, y, size, batches, seed) -> None:
    n = len(X)
    dropped = ("the last, smaller mini-batch is missing: keep the N % batch_size examples "
               "left over as a final batch")
    result.add(f"{name}: number of mini-batches", expected=math.ceil(n / size),
               got=len(batches),
               diagnose=lambda e, g: dropped if g == n // size and n % size else None)
    sizes = [min(size, n - start) for start in range(0, n, size)]
    result.add(f"{name}: batch sizes", expected=sizes, got=[_length(xb) for xb, _ in batches],
               diagnose=diagnoser([(dropped, sizes[:-1])]))
    X_all, y_all = _joined([xb for xb, _ in batches]), _joined([yb for _, yb in batches])
    rows = _rows(X, X_all)
    complete = None not in rows and sorted(rows) == list(range(n))
    paired = (complete and y_all is not None and y_all.shape == y.shape
              and matches(y[rows], y_all) and matches(X[rows], X_all))
    result.add(f"{name}: every example exactly once, with its own label", passed=paired)
    if complete and not paired:
        result.diagnose("the rows of X and y no longer match: index both with the same "
                        "order, X[order] and y[order]")
    elif not complete:
        result.diagnose("some examples are missing or repeated: split one shuffled order into "
                        "consecutive slices")
    order = np.random.default_rng(seed).permutation(n)

    def which_order(expected: Any, got: Any) -> str | None:
        if matches(X, got):
            return "the examples are not shuffled: draw order = rng.permutation(N) first"
        if paired:
            return ("another random order: draw it with one call, order = rng.permutation(N) "
                    "(not rng.shuffle, np.random, or one call for X and one for y)")
        return None

    if X_all is None:
        result.add(f"{name}: the order is rng.permutation(N)", passed=False,
                   message="the X batches do not stack back into rows of X")
        return
    result.add(f"{name}: the order is rng.permutation(N)", expected=X[order], got=X_all,
               diagnose=which_order)


@exercise("make_minibatches", points=2)
def check_make_minibatches(
    result: CheckResult, make_minibatches: Callable, *, hidden: bool, rng: np.random.Generator
):
    """``make_minibatches(X, y, batch_size, rng)``: shuffled with one permutation, then sliced."""
    changed_any = False
    for name, n, size, one_hot in _batch_cases(hidden, rng):
        X = rng.standard_normal((n, 3))
        labels = rng.integers(0, 4, size=n)
        y = np.eye(4)[labels] if one_hot else labels
        seed = int(rng.integers(2**32))
        output, changed = call_watching(make_minibatches, X, y, size,
                                        np.random.default_rng(seed))
        changed_any |= changed
        _check_batches(result, name, X, y, size, _pairs(output), seed)
    record_unchanged(result, changed_any, "make_minibatches", label="hidden: " if hidden else "",
                     hint="rng.shuffle(X) shuffles the caller's X; index a copy, X[order]")


# -------------------------------------------------------------- update rules
def _uniform(name: str, low: float, high: float) -> Callable[[np.random.Generator], float]:
    return lambda rng: {name: float(rng.uniform(low, high))}


def _draws(*parts: Callable) -> Callable[[np.random.Generator], dict[str, float]]:
    return lambda rng: {k: v for part in parts for k, v in part(rng).items()}


_LR = _uniform("lr", 0.05, 0.5)
_SPECS = {
    "sgd_update": RuleSpec("sgd_update", rules.sgd_update, _uniform("lr", 0.05, 0.9)),
    "momentum_update": RuleSpec("momentum_update", rules.momentum_update,
                                _draws(_LR, _uniform("momentum", 0.5, 0.85))),
    "nesterov_update": RuleSpec("nesterov_update", rules.nesterov_update,
                                _draws(_LR, _uniform("momentum", 0.5, 0.85))),
    "adagrad_update": RuleSpec("adagrad_update", rules.adagrad_update, _LR),
    "rmsprop_update": RuleSpec("rmsprop_update", rules.rmsprop_update,
                               _draws(_LR, _uniform("rho", 0.5, 0.85))),
    "adam_update": RuleSpec("adam_update", rules.adam_update,
                            _draws(_LR, _uniform("beta1", 0.6, 0.85),
                                   _uniform("beta2", 0.9, 0.99))),
    "adadelta_update": RuleSpec("adadelta_update", rules.adadelta_update,
                                _draws(_uniform("lr", 0.5, 2.0), _uniform("rho", 0.6, 0.9))),
}  # fmt: skip


@exercise("sgd_update", points=1)
def check_sgd_update(result, sgd_update, *, hidden=False, rng):
    """``w - lr g``; the state passes through."""
    check_rule(result, sgd_update, _SPECS["sgd_update"], hidden=hidden, rng=rng)


@exercise("momentum_update", points=2)
def check_momentum_update(result, momentum_update, *, hidden=False, rng):
    """``v = momentum v + (1 - momentum) g``; ``w - lr v`` (the notes' EWA form)."""
    check_rule(result, momentum_update, _SPECS["momentum_update"], hidden=hidden, rng=rng)


@exercise("nesterov_update", points=2)
def check_nesterov_update(result, nesterov_update, *, hidden=False, rng):
    """``v = momentum v + (1 - momentum) g``; ``w - lr (momentum v + (1 - momentum) g)``."""
    check_rule(result, nesterov_update, _SPECS["nesterov_update"], hidden=hidden, rng=rng)


@exercise("adagrad_update", points=1)
def check_adagrad_update(result, adagrad_update, *, hidden=False, rng):
    """``s = s + g^2``; ``w - lr g / (sqrt(s) + eps)``."""
    check_rule(result, adagrad_update, _SPECS["adagrad_update"], hidden=hidden, rng=rng)


@exercise("rmsprop_update", points=1)
def check_rmsprop_update(result, rmsprop_update, *, hidden=False, rng):
    """``s = rho s + (1 - rho) g^2``; ``w - lr g / (sqrt(s) + eps)``."""
    check_rule(result, rmsprop_update, _SPECS["rmsprop_update"], hidden=hidden, rng=rng)


@exercise("adam_update", points=3)
def check_adam_update(result, adam_update, *, hidden=False, rng):
    """Adam with both bias corrections, t = 1 at the first step, eps outside the root."""
    check_rule(result, adam_update, _SPECS["adam_update"], hidden=hidden, rng=rng)


@exercise("adadelta_update", points=2)
def check_adadelta_update(result, adadelta_update, *, hidden=False, rng):
    """Adadelta: the step ``sqrt(d + eps) / sqrt(s + eps) g``, then d averages its square."""
    check_rule(result, adadelta_update, _SPECS["adadelta_update"], hidden=hidden, rng=rng)


# ----------------------------------------------------------------- schedules
def reference_inverse_time_decay(epoch, lr0, decay_rate):
    return schedules.InverseTimeDecay(lr0, decay_rate)(epoch)


def reference_exponential_decay(epoch, lr0, rate):
    return schedules.ExponentialDecay(lr0, rate)(epoch)


def reference_inverse_sqrt_decay(epoch, lr0):
    return schedules.InverseSqrtDecay(lr0)(epoch)


def reference_step_decay(epoch, lr0, drop, every):
    return schedules.StepDecay(lr0, drop, every)(epoch)


def _schedule_mistakes(kind: str, t: np.ndarray, p: dict[str, float]) -> list[tuple[str, Any]]:
    lr0 = p["lr0"]
    with np.errstate(all="ignore"):
        if kind == "inverse_time_decay":
            k = p["decay_rate"]
            return [("epochs count from 0: epoch 0 must give lr0", lr0 / (1 + k * (t + 1))),
                    ("brackets: lr0 / 1 + decay_rate * epoch is lr0 + decay_rate * epoch; "
                     "write lr0 / (1 + decay_rate * epoch)", lr0 + k * t),
                    ("brackets: the whole 1 + decay_rate * epoch divides lr0",
                     lr0 / (1 + k) * t)]
        if kind == "exponential_decay":
            r = p["rate"]
            return [("epochs count from 0: epoch 0 must give lr0", lr0 * r ** (t + 1)),
                    ("rate ** epoch is a power, not a product", lr0 * r * t),
                    ("the factor is rate ** epoch, not (1 - rate) ** epoch", lr0 * (1 - r) ** t)]
        if kind == "inverse_sqrt_decay":
            return [("lr0 / sqrt(epoch) divides by zero at epoch 0: epochs count from 0 here, "
                     "use lr0 / sqrt(epoch + 1) (the notes count epochs from 1)",
                     lr0 / np.sqrt(t)),
                    ("the square root is missing: lr0 / sqrt(epoch + 1)", lr0 / (t + 1)),
                    ("off by one: lr0 / sqrt(epoch + 1), so epoch 0 gives lr0",
                     lr0 / np.sqrt(t + 2))]
        drop, every = p["drop"], p["every"]
        return [("no staircase: round epoch / every down (epoch // every)",
                 lr0 * drop ** (t / every)),
                ("the first `every` epochs (0 to every - 1) must use lr0",
                 lr0 * drop ** (t // every + 1)),
                ("off by one: the first drop comes at epoch `every`",
                 lr0 * drop ** ((t + 1) // every)),
                ("drop ** (epoch // every) is a power, not a product",
                 lr0 * drop * (t // every))]


_SCHEDULES = ("inverse_time_decay", "exponential_decay", "inverse_sqrt_decay", "step_decay")
_REFERENCES = {"inverse_time_decay": reference_inverse_time_decay,
               "exponential_decay": reference_exponential_decay,
               "inverse_sqrt_decay": reference_inverse_sqrt_decay,
               "step_decay": reference_step_decay}  # fmt: skip


def _schedule_parameters(hidden: bool, rng) -> dict[str, dict[str, float]]:
    if not hidden:
        lr0 = 0.2
        return {"inverse_time_decay": {"lr0": lr0, "decay_rate": 1.0},
                "exponential_decay": {"lr0": lr0, "rate": 0.95},
                "inverse_sqrt_decay": {"lr0": lr0},
                "step_decay": {"lr0": lr0, "drop": 0.5, "every": 3}}  # fmt: skip
    lr0 = float(rng.uniform(0.01, 1.0))
    return {"inverse_time_decay": {"lr0": lr0, "decay_rate": float(rng.uniform(0.05, 2.0))},
            "exponential_decay": {"lr0": lr0, "rate": float(rng.uniform(0.5, 0.99))},
            "inverse_sqrt_decay": {"lr0": lr0},
            "step_decay": {"lr0": lr0, "drop": float(rng.uniform(0.1, 0.9)),
                           "every": int(rng.integers(2, 7))}}  # fmt: skip


@exercise("decay_schedules", points=2)
def check_decay_schedules(result: CheckResult, *functions: Callable, hidden: bool,
                          rng: np.random.Generator):
    """The four schedules, each ``f(epoch, lr0, ...)`` for epochs 0, 1, 2...; a blank one
    costs only its own points."""
    if len(functions) != len(_SCHEDULES):
        raise StudentError(f"the check needs the {len(_SCHEDULES)} functions {_SCHEDULES}")
    epochs = int(rng.integers(10, 31)) if hidden else 12
    t = np.arange(epochs)
    parameters = _schedule_parameters(hidden, rng)
    blank = 0
    for kind, function in zip(_SCHEDULES, functions):
        p = parameters[kind]
        shown = ", ".join(f"{k} = {v:.3g}" for k, v in p.items())
        name = f"{'hidden: ' if hidden else ''}{kind}({shown}), epochs 0 to {epochs - 1}"
        expected = [_REFERENCES[kind](int(e), **p) for e in t]
        try:
            got = [call(function, int(e), *p.values()) for e in t]
        except NotImplementedYet:
            blank += 1
            result.add(f"{name}: not implemented yet", passed=False)
            continue
        except StudentError as error:
            result.add(name, passed=False, message=str(error))
            continue
        wrong: Diagnose = diagnoser(_schedule_mistakes(kind, t.astype(float), p))
        result.add(name, expected=expected, got=got, diagnose=wrong)
    if blank == len(_SCHEDULES):
        raise NotImplementedYet


#: grade_id of each test cell -> (its check, the reference implementation(s) that score full marks)
CHECKS: dict[str, tuple[Callable[..., CheckResult], tuple[Callable[..., Any], ...]]] = {
    "test_ewa": (check_ewa, (exponentially_weighted_average,)),
    "test_make_minibatches": (check_make_minibatches, (reference_minibatches,)),
    "test_sgd_update": (check_sgd_update, (rules.sgd_update,)),
    "test_momentum_update": (check_momentum_update, (rules.momentum_update,)),
    "test_nesterov_update": (check_nesterov_update, (rules.nesterov_update,)),
    "test_adagrad_update": (check_adagrad_update, (rules.adagrad_update,)),
    "test_rmsprop_update": (check_rmsprop_update, (rules.rmsprop_update,)),
    "test_adam_update": (check_adam_update, (rules.adam_update,)),
    "test_adadelta_update": (check_adadelta_update, (rules.adadelta_update,)),
    "test_decay_schedules": (check_decay_schedules, tuple(_REFERENCES[k] for k in _SCHEDULES)),
}

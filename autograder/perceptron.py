"""Checks of notebook 01 (the perceptron): step, predict, one update, training, the loss.

Expected values come from :mod:`dlcore.perceptron`, computed here at grading time;
the only typed-in numbers are the course notes' worked example of one update
(line 2x + 3y + 5 = 0, point (4, 5) of the negative class -> -2x - 2y + 4 = 0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dlcore import perceptron as reference
from dlcore.datasets import make_and, make_xor

from .checking import (
    Candidates,
    Diagnose,
    call_watching,
    diagnose,
    diagnoser,
    matches,
    record_unchanged,
    unpack,
)
from .core import CheckResult, call, exercise

__all__ = [
    "CHECKS",
    "check_perceptron_loss",
    "check_perceptron_update",
    "check_predict",
    "check_step",
    "check_train_perceptron",
]


def _naming(expected: Any, got: Any, candidates: Candidates, batch_size: int | None = None):
    """:func:`diagnose` naming a mistake only when no other slip gives the same result here.

    The perceptron's small cases often make two slips coincide (with a target of 0,
    "w never changes" and "t instead of t - y" both return w): then nothing is named.
    """
    return diagnose(expected, got, candidates=candidates, batch_size=batch_size, unique=True)


# ---------------------------------------------------------------------- step
_STEP_SLIPS = (
    ("step(0) must be 0: the unit fires only when z > 0 (use >, not >=)", lambda z: z >= 0),
    ("this step outputs 0 or 1, not the sign -1/+1", np.sign),
    ("the threshold is 0 (the bias b moves it), not 0.5", lambda z: z > 0.5),
    ("0 and 1 are swapped: step(z) is 1 for z > 0", lambda z: z <= 0),
    ("0 and 1 are swapped: step(z) is 1 for z > 0", lambda z: z < 0),
)


def _diagnose_step(z: np.ndarray) -> Diagnose:
    slips = [(text, np.asarray(f(z), dtype=float)) for text, f in _STEP_SLIPS]
    return lambda expected, got: _naming(expected, got, slips)


@exercise("step", points=1)
def check_step(result: CheckResult, step: Callable, *, hidden: bool, rng: np.random.Generator):
    if hidden:
        cases = [
            ("a vector of length 1", rng.standard_normal(1)),
            ("a 3-D array", rng.standard_normal((2, 3, int(rng.integers(2, 5))))),
        ]
        vector = rng.standard_normal(int(rng.integers(6, 15)))
        vector[rng.choice(vector.size, 2, replace=False)] = 0.0
        cases.append(("a vector with zeros", vector))
    else:
        matrix = rng.standard_normal((3, 4))
        matrix[1, 2] = 0.0
        cases = [
            ("a vector", np.array([-2.0, -0.5, 0.0, 0.25, 0.75, 3.0])),
            ("zeros give 0", np.zeros(3)),
            ("a 2-D array keeps its shape", matrix),
        ]
    for name, z in cases:
        result.add(name, expected=reference.step(z), got=call(step, z), diagnose=_diagnose_step(z))


# ------------------------------------------------------------------- predict
def _diagnose_predict(X, w, b) -> Diagnose:
    z = X @ w + b
    slips = [
        ("the bias b is left out: z = X @ w + b", reference.step(X @ w)),
        ("the bias is subtracted: z = X @ w + b", reference.step(X @ w - b)),
        ("returns the scores z; predict returns step(z), 0 or 1", z),
        ("points on the line (z = 0) must be predicted 0", (z >= 0).astype(float)),
        ("0 and 1 are swapped: predict 1 where z > 0", 1.0 - reference.step(z)),
    ]

    def diagnose_predict(expected: Any, got: Any) -> str | None:
        if np.shape(got) == (X.shape[0], 1):
            return "return shape (N,), not (N, 1)"
        return _naming(expected, got, slips)

    return diagnose_predict


@exercise("predict", points=1)
def check_predict(
    result: CheckResult, predict: Callable, *, hidden: bool, rng: np.random.Generator
):
    X_and, _ = make_and()
    if hidden:
        n, d = int(rng.integers(7, 20)), int(rng.integers(2, 6))
        cases = [
            ("one example, X of shape (1, 3)", rng.standard_normal((1, 3)),
             rng.standard_normal(3), float(rng.normal())),
            ("one feature, X of shape (5, 1)", rng.standard_normal((5, 1)),
             rng.standard_normal(1), float(rng.normal())),
            (f"a batch X of shape ({n}, {d})", rng.standard_normal((n, d)),
             rng.standard_normal(d), float(rng.normal())),
        ]  # fmt: skip
    else:
        cases = [
            ("AND with w = (1, 1), b = -1.5", X_and, np.array([1.0, 1.0]), -1.5),
            ("points on the line (w = (-1, -1), b = 1) get 0", X_and, -np.ones(2), 1.0),
            ("a batch X of shape (6, 3)", rng.standard_normal((6, 3)),
             rng.standard_normal(3), 0.5),
        ]  # fmt: skip
    for name, X, w, b in cases:
        result.add(
            name,
            expected=reference.predict(X, w, b),
            got=call(predict, X, w, b),
            diagnose=_diagnose_predict(X, w, b),
        )


# -------------------------------------------------------------------- update
def _diagnose_update(w, b, x, t, eta) -> Diagnose:
    w_new, _ = reference.perceptron_update(w, b, x, t, eta)
    change = w_new - w
    slips = [
        ("w never changes: return w + eta (t - y) x", w),
        ("sign error: the rule adds eta (t - y) x, not eta (y - t) x", w - change),
        ("the learning rate eta is missing", w + change / eta),
        ("update only on mistakes: use (t - y), not t", w + eta * t * x),
    ]

    def diagnose_update(expected: Any, got: Any) -> str | None:
        if not np.any(change):
            if not matches(w, got):
                return "changes w although the prediction is right: then t - y = 0"
            return None
        if matches(w, got) and float(x @ w + b) == 0.0:
            return "at z = 0 the prediction is step(0) = 0, so a target 1 is a mistake"
        return _naming(expected, got, slips)

    return diagnose_update


def _diagnose_update_bias(w, b, x, t, eta) -> Diagnose:
    _, b_new = reference.perceptron_update(w, b, x, t, eta)
    change = b_new - b
    slips = [
        ("the bias is not updated: b <- b + eta (t - y)", b),
        ("sign error in the bias update: b <- b + eta (t - y)", b - change),
        ("the learning rate eta is missing", b + change / eta),
        ("update only on mistakes: use (t - y), not t", b + eta * t),
    ]

    def diagnose_bias(expected: Any, got: Any) -> str | None:
        if change == 0 or (float(x @ w + b) == 0.0 and matches(b, got)):
            return None  # at z = 0 an unchanged b is the step's slip: the w sub-check says so
        return _naming(expected, got, slips)

    return diagnose_bias


def _update_cases(hidden: bool, rng: np.random.Generator) -> list[tuple]:
    """(name, w, b, x, t, eta) for one check run."""
    cases = []
    if not hidden:
        cases += [
            ("the notes' example: w = (2, 3), b = 5, x = (4, 5), t = 0, eta = 1",
             np.array([2.0, 3.0]), 5.0, np.array([4.0, 5.0]), 0, 1.0),
            ("from w = 0, b = 0: x = (1, 1), t = 1, eta = 0.1",
             np.zeros(2), 0.0, np.array([1.0, 1.0]), 1, 0.1),
        ]  # fmt: skip
    d = int(rng.integers(1, 7)) if hidden else 4
    eta = float(rng.uniform(0.05, 0.5))
    for name, t, wanted_y in (
        ("a right prediction changes nothing", 1, 1),
        ("a missed 1 (t = 1, y = 0)", 1, 0),
        ("a false 1 (t = 0, y = 1)", 0, 1),
    ):
        w, x = rng.standard_normal(d), rng.standard_normal(d)
        z = float(rng.uniform(0.3, 2.0)) * (1 if wanted_y else -1)  # the score we want
        cases.append((f"{name}, D = {d}", w, z - float(x @ w), x, t, eta))
    return cases


@exercise("perceptron_update", points=2)
def check_perceptron_update(
    result: CheckResult, perceptron_update: Callable, *, hidden: bool, rng: np.random.Generator
):
    changed_in_place = False
    for name, w, b, x, t, eta in _update_cases(hidden, rng):
        want_w, want_b = reference.perceptron_update(w, b, x, t, eta)
        output, changed = call_watching(perceptron_update, w, b, x, t, eta)
        got_w, got_b = unpack(output, 2, "perceptron_update must return a tuple (w_new, b_new)")
        result.add(
            f"{name}: w", expected=want_w, got=got_w, diagnose=_diagnose_update(w, b, x, t, eta)
        )
        result.add(
            f"{name}: b",
            expected=want_b,
            got=got_b,
            diagnose=_diagnose_update_bias(w, b, x, t, eta),
        )
        changed_in_place |= changed
    record_unchanged(result, changed_in_place, "perceptron_update", weight=1,
                     hint="w += ... changes the caller's w; return a new array, w + ...")


# ------------------------------------------------------------------ training
def _epoch_end_errors(X, t, w, b, eta, epochs) -> list[int]:
    """The slip of counting, after each epoch, the mistakes of the epoch's final weights."""
    counts = []
    for _ in range(epochs):
        w, b, _ = reference.train_perceptron(X, t, w, b, eta, 1)
        counts.append(int((reference.predict(X, w, b) != t).sum()))
    return counts


def _diagnose_mistakes(X, t, w, b, eta, epochs) -> Diagnose:
    def diagnose_mistakes(expected: Any, got: Any) -> str | None:
        length = np.size(got)
        if np.ndim(got) == 1 and abs(length - epochs) == 1:
            return "one epoch too many or too few (off by one?): run exactly `epochs` epochs"
        return _naming(expected, got, [
            ("the count accumulates: reset it to 0 every epoch", np.cumsum(expected)),
            ("count the mistakes during the epoch, before each update",
             _epoch_end_errors(X, t, w, b, eta, epochs)),
            ("counts right predictions instead of mistakes", len(t) - np.asarray(expected)),
            ("the count never changes: keep each update's result, w, b = ...",
             [int((reference.predict(X, w, b) != t).sum())] * epochs),
        ])  # fmt: skip

    return diagnose_mistakes


def _diagnose_final(name: str, start: Any) -> Diagnose:
    """The final ``name`` (w or b) equal to where training started: the updates were lost."""
    phrase = f"the final {name} equals the initial {name}: keep each update, w, b = ..."
    return diagnoser([(phrase, start)], unique=True)


def _training_cases(hidden: bool, rng: np.random.Generator) -> list[tuple]:
    """(name, X, t, w0, b0, eta, epochs) for one check run."""
    if not hidden:
        X_and, t_and = make_and()
        X_xor, t_xor = make_xor()
        cases = [
            ("AND from w = 0, eta = 0.1, 8 epochs", X_and, t_and, np.zeros(2), 0.0, 0.1, 8),
            ("XOR from w = 0, eta = 0.1, 6 epochs", X_xor, t_xor, np.zeros(2), 0.0, 0.1, 6),
        ]
        shapes = [(10, 3, 7)]
    else:
        cases = []
        shapes = [(1, 2, 3), (int(rng.integers(5, 25)), int(rng.integers(2, 6)),
                              int(rng.integers(3, 12)))]  # fmt: skip
    for n, d, epochs in shapes:
        X = rng.standard_normal((n, d))
        t = (X @ rng.standard_normal(d) + 0.3 > 0).astype(np.int64)
        w0, b0 = 0.1 * rng.standard_normal(d), float(rng.uniform(-0.5, 0.5))
        eta = float(rng.uniform(0.05, 0.5))
        cases.append((f"random data N = {n}, D = {d}, {epochs} epochs", X, t, w0, b0, eta, epochs))
    return cases


@exercise("train_perceptron", points=3)
def check_train_perceptron(
    result: CheckResult, train_perceptron: Callable, *, hidden: bool, rng: np.random.Generator
):
    for name, X, t, w0, b0, eta, epochs in _training_cases(hidden, rng):
        want_w, want_b, want_mistakes = reference.train_perceptron(X, t, w0, b0, eta, epochs)
        output, changed = call_watching(train_perceptron, X, t, w0, b0, eta, epochs)
        got_w, got_b, got_mistakes = unpack(
            output, 3, "train_perceptron must return a tuple (w, b, mistakes)"
        )
        result.add(
            f"{name}: mistakes per epoch", expected=want_mistakes, got=got_mistakes,
            diagnose=_diagnose_mistakes(X, t, w0, b0, eta, epochs),
        )  # fmt: skip
        result.add(f"{name}: final w", expected=want_w, got=got_w,
                   diagnose=_diagnose_final("w", w0))  # fmt: skip
        result.add(f"{name}: final b", expected=want_b, got=got_b,
                   diagnose=_diagnose_final("b", b0))  # fmt: skip
        if changed:  # a penalty only: keeping the inputs intact earns no points of its own
            record_unchanged(result, True, "train_perceptron", label=f"{name}: ", weight=1,
                             hint="start from a copy of the initial w, w = w.copy()")


# ---------------------------------------------------------------------- loss
_MARGIN = "the margin 1 belongs to the SVM hinge loss; the perceptron loss is max(0, -t z)"


def _loss_slips(X, s, w, b) -> dict[str, list[tuple[str, Any]]]:
    """Wrong loss, dw and db that students write, each with its diagnosis."""
    n, z = X.shape[0], X @ w + b
    every = -s / n  # the gradient as if every point were wrong
    return {
        "loss": [
            (_MARGIN, np.maximum(0, 1 - s * z).mean()),
            ("sign: the loss is max(0, -t z), so points on the right side cost 0",
             np.maximum(0, s * z).mean()),
            ("the max(0, .) is missing: right points cost 0, not less", (-s * z).mean()),
        ],
        "dw": [
            ("the gradient must only include the misclassified points", X.T @ every),
            (_MARGIN, X.T @ (-s * (1 - s * z > 0)) / n),
            ("sum the examples' gradients over axis 0", X * (-s * (s * z <= 0))[:, None] / n),
        ],
        "db": [
            ("the bias gradient is missing: db = -(1/N) sum of t over the wrong points", 0.0),
            ("the gradient must only include the misclassified points", every.sum()),
            (_MARGIN, (-s * (1 - s * z > 0)).sum() / n),
        ],
    }  # fmt: skip


def _diagnose_loss(X, s, w, b, part: str) -> Diagnose:
    slips = _loss_slips(X, s, w, b)[part]
    return lambda expected, got: _naming(expected, got, slips, batch_size=X.shape[0])


def _loss_cases(hidden: bool, rng: np.random.Generator) -> list[tuple]:
    """(name, X, s, w, b) with signed targets s; every random case has right and wrong points."""
    cases = []
    if not hidden:
        X_and, t_and = make_and()
        cases.append(("AND with w = (1, 1), b = -0.5", X_and, 2.0 * t_and - 1, np.ones(2), -0.5))
        shapes = [(8, 3)]
    else:
        shapes = [(int(rng.integers(10, 30)), int(rng.integers(2, 7)))]
    for n, d in shapes:
        X, w, b = rng.standard_normal((n, d)), rng.standard_normal(d), float(rng.normal())
        s = np.sign(X @ w + b)
        s[: n // 2] *= -1  # half of the points on the wrong side
        order = rng.permutation(n)
        cases.append((f"random X ({n}, {d})", X[order], s[order], w, b))
    X, w, b = rng.standard_normal((5, 2)), rng.standard_normal(2), float(rng.normal())
    cases.append(("every point right: loss 0, gradient 0", X, np.sign(X @ w + b), w, b))
    if hidden:
        x, w = rng.standard_normal((1, 4)), rng.standard_normal(4)
        cases.append(("one wrong example", x, -np.sign(x @ w + 0.1), w, 0.1))
    return cases


@exercise("perceptron_loss", points=3)
def check_perceptron_loss(
    result: CheckResult, perceptron_loss: Callable, *, hidden: bool, rng: np.random.Generator
):
    for name, X, s, w, b in _loss_cases(hidden, rng):
        want = reference.perceptron_loss(X, s, w, b)
        got = unpack(call(perceptron_loss, X, s, w, b), 3,
                     "perceptron_loss must return a tuple (loss, dw, db)")
        for part, want_part, got_part in zip(("loss", "dw", "db"), want, got):
            result.add(
                f"{name}: {part}", expected=want_part, got=got_part,
                diagnose=_diagnose_loss(X, s, w, b, part),
            )  # fmt: skip


#: grade_id of each test cell -> (its check, the reference implementation(s) that score full marks)
CHECKS: dict[str, tuple[Callable[..., CheckResult], tuple[Callable[..., Any], ...]]] = {
    "test_step": (check_step, (reference.step,)),
    "test_predict": (check_predict, (reference.predict,)),
    "test_perceptron_update": (check_perceptron_update, (reference.perceptron_update,)),
    "test_train_perceptron": (check_train_perceptron, (reference.train_perceptron,)),
    "test_perceptron_loss": (check_perceptron_loss, (reference.perceptron_loss,)),
}

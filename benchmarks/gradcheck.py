"""Gradient checking on a 3-layer MLP of about 50 000 parameters: full vs directional.

The full check perturbs every entry of every tensor (two forward passes each); the
directional check compares the gradient with a central difference along 3 random
directions per tensor. Both run on a correct model, and on two broken ones: a
weight gradient scaled by 1/2 (a missing or extra 1/N: the whole tensor is off) and
a weight gradient wrong in a single entry (by 0.05).
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.timing import table
from dlcore import Dense, Sequential, Tanh
from dlcore.gradcheck import check_model

SIZES = (64, 256, 128, 10)


class HalvedGradient(Dense):
    """A Dense layer whose weight gradient is half what it should be."""

    def backward(self, dout):
        before = self.W.grad.copy()
        dx = super().backward(dout)
        self.W.grad[...] = before + (self.W.grad - before) / 2
        return dx


class OneEntryWrong(Dense):
    """A Dense layer whose weight gradient is wrong in entry (3, 7) only."""

    def backward(self, dout):
        dx = super().backward(dout)
        self.W.grad[3, 7] += 0.05
        return dx


def _model(second_layer=Dense) -> Sequential:
    return Sequential([Dense(SIZES[0], SIZES[1], seed=0), Tanh(),
                       second_layer(SIZES[1], SIZES[2], seed=1), Tanh(),
                       Dense(SIZES[2], SIZES[3], seed=2)])  # fmt: skip


def _check(model: Sequential, method: str) -> tuple[float, bool, str]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, SIZES[0]))
    y = rng.integers(0, SIZES[-1], 16)
    start = time.perf_counter()
    report = check_model(model, X, y, loss="softmax_cross_entropy", method=method, rng=rng)
    seconds = time.perf_counter() - start
    failed = [e.name for e in report.entries if not e.passed]
    return seconds, bool(report), ", ".join(failed) or "-"


def run() -> str:
    parameters = sum(p.size for p in _model().parameters())
    rows, caught = [], {}
    for what, layer in [("correct", Dense), ("dW scaled by 1/2", HalvedGradient),
                        ("one entry of dW wrong", OneEntryWrong)]:  # fmt: skip
        for method in ("directional", "full"):
            seconds, passed, failed = _check(_model(layer), method)
            rows.append((what, method, f"{seconds:.2f}", "passes" if passed else "FAILS",
                         failed))  # fmt: skip
            caught.setdefault(method, []).append(passed == (what == "correct"))
    header = ("model", "method", "seconds", "verdict", "tensors flagged")
    verdicts = [f"- {method}: right about {sum(ok)} of {len(ok)} models."
                for method, ok in caught.items()]  # fmt: skip
    return (
        f"## Gradient checking (check_model, {'-'.join(map(str, SIZES))} with tanh, "
        f"{parameters:,} parameters, batch 16, float64)\n\n" + table(header, rows) + "\n\n"
        + "\n".join(verdicts) + "\n"
        "- Target: the directional check under 1 s. It compares the gradient with a central\n"
        "  difference along 3 random directions per tensor (6 forward passes a tensor); the\n"
        "  full check perturbs every entry (2 forward passes an entry) and names the worst.\n"
    )

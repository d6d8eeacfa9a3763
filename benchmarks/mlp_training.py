"""Training throughput of a small MLP: dlcore's Sequential vs the same loop by hand in NumPy.

Both train 784-256-128-10 (ReLU, softmax cross-entropy, plain SGD, batch 128) on
random data, alternating runs so that both see the same machine state; the
table gives medians and min/max of samples per second.
"""

from __future__ import annotations

import itertools
import statistics
import time

import numpy as np

from dlcore import Dense, ReLU, Sequential, optimizers

SIZES = (784, 256, 128, 10)
N_SAMPLES, BATCH, LR, REPEATS = 8192, 128, 0.01, 5


def _data(dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_SAMPLES, SIZES[0])).astype(dtype)
    y = rng.integers(0, SIZES[-1], N_SAMPLES)
    return X, y


def _dlcore_epoch(dtype):
    layers = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(SIZES)):
        layers += [Dense(fan_in, fan_out, seed=i, init="he_normal", dtype=dtype), ReLU()]
    model = Sequential(layers[:-1])
    model.compile(optimizers.SGD(lr=LR), "softmax_cross_entropy")
    X, y = _data(dtype)

    def epoch():
        model.fit(X, y, epochs=1, batch_size=BATCH, shuffle=False, verbose=0)

    return epoch


def _numpy_epoch(dtype):
    rng = np.random.default_rng(0)
    Ws = [
        (rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(dtype)
        for a, b in itertools.pairwise(SIZES)
    ]
    bs = [np.zeros(b, dtype) for b in SIZES[1:]]
    X, y = _data(dtype)

    def epoch():
        for start in range(0, N_SAMPLES, BATCH):
            xb, yb = X[start : start + BATCH], y[start : start + BATCH]
            activations = [xb]
            for i, (W, b) in enumerate(zip(Ws, bs)):
                z = activations[-1] @ W + b
                activations.append(np.maximum(z, 0) if i < len(Ws) - 1 else z)
            logits = activations[-1]
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            grad = e / e.sum(axis=1, keepdims=True)
            grad[np.arange(len(yb)), yb] -= 1
            grad /= len(yb)
            for i in reversed(range(len(Ws))):
                dW, db = activations[i].T @ grad, grad.sum(axis=0)
                if i:
                    grad = (grad @ Ws[i].T) * (activations[i] > 0)
                Ws[i] -= LR * dW
                bs[i] -= LR * db

    return epoch


def run() -> str:
    lines = [
        "## MLP training throughput (784-256-128-10, batch 128, SGD)\n",
        "| dtype | implementation | samples/s (median) | min | max |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for dtype in (np.float32, np.float64):
        contenders = {
            "dlcore Sequential": _dlcore_epoch(dtype),
            "hand-written NumPy": _numpy_epoch(dtype),
        }
        rates: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(REPEATS):
            for name, epoch in contenders.items():
                start = time.perf_counter()
                epoch()
                rates[name].append(N_SAMPLES / (time.perf_counter() - start))
        for name, values in rates.items():
            lines.append(
                f"| {np.dtype(dtype).name} | {name} | {statistics.median(values):,.0f} "
                f"| {min(values):,.0f} | {max(values):,.0f} |"
            )
    return "\n".join(lines) + "\n"

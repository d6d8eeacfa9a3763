"""Small-model overhead: a 2-64-64-1 network, batch 32, steps per second, dlcore vs PyTorch.

With so little arithmetic per step, what is measured is the framework's own cost
per step: Python calls, checks, temporary arrays. Both run float32, Adam, a
sigmoid output with binary cross-entropy on logits, one train step at a time on
the same 32 examples.
"""

from __future__ import annotations

import statistics

import numpy as np

from benchmarks.timing import fresh_run, paired, table
from dlcore import Dense, ReLU, Sequential, optimizers
from dlcore.losses import BinaryCrossEntropy

STEPS, REPEATS = 2000, 5


def _batch(dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 2)).astype(dtype)
    return X, (X[:, :1] * X[:, 1:] > 0).astype(dtype)


def dlcore_steps(dtype=np.float32):
    model = Sequential([Dense(2, 64, seed=0, dtype=dtype), ReLU(),
                        Dense(64, 64, seed=1, dtype=dtype), ReLU(),
                        Dense(64, 1, seed=2, dtype=dtype)])  # fmt: skip
    model.compile(optimizers.Adam(lr=1e-3), BinaryCrossEntropy(from_logits=True))
    X, y = _batch(dtype)

    def steps():
        for _ in range(STEPS):
            model.train_step(X, y)

    return steps


def torch_steps(dtype=np.float32):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64),
                                torch.nn.ReLU(), torch.nn.Linear(64, 1))  # fmt: skip
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss = torch.nn.BCEWithLogitsLoss()
    X, y = (torch.from_numpy(a) for a in _batch(dtype))

    def steps():
        for _ in range(STEPS):
            optimizer.zero_grad()
            loss(model(X), y).backward()
            optimizer.step()

    return steps


def run() -> str:
    from benchmarks.mlp_training import torch_available

    has_torch, note = torch_available()
    factories = {"dlcore Sequential.train_step": "dlcore_steps"}
    if has_torch:
        factories["PyTorch (CPU)"] = "torch_steps"
    contenders = {name: globals()[factory]() for name, factory in factories.items()}
    seconds = paired(contenders, REPEATS)
    rows, medians = [], {}
    for name, values in seconds.items():
        rates = [STEPS / s for s in values]
        memory = fresh_run(__name__, factories[name], "float32").peak_rss_mib
        medians[name] = statistics.median(rates)
        rows.append((name, "float32", f"{medians[name]:,.0f}",
                     f"{min(rates):,.0f} - {max(rates):,.0f}",
                     f"{1e6 / medians[name]:.0f}",
                     f"{memory:,.0f}"))  # fmt: skip
    lines = [f"- {note}."]
    if has_torch:
        ratio = medians["dlcore Sequential.train_step"] / medians["PyTorch (CPU)"]
        lines.append(f"- dlcore at {ratio:.2f}x PyTorch's steps per second (target: 1.0x).")
    header = ("implementation", "dtype", "steps/s (median)", "range", "us per step",
              "peak RSS (MiB)")  # fmt: skip
    return (f"## Small-model overhead (2-64-64-1, batch 32, Adam, {STEPS} steps x {REPEATS})\n\n"
            + table(header, rows) + "\n\n" + "\n".join(lines) + "\n")  # fmt: skip

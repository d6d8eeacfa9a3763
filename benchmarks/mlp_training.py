"""Training throughput of an MLP: dlcore's Sequential, the same loop by hand in NumPy, PyTorch.

All three train 784-256-128-10 (ReLU, softmax cross-entropy, Adam with lr 1e-3,
batch 128) for one epoch over 60 000 samples (random data of MNIST's shape), in
float32 and float64, in turns. PyTorch runs on the CPU with its default threads and
is skipped, with a message, when it is not installed (``pip install torch``).
"""

from __future__ import annotations

import itertools
import statistics

import numpy as np

from benchmarks.timing import matmul_peak_gflops, paired, peak_rss_mib, table
from dlcore import Dense, ReLU, Sequential, optimizers

SIZES = (784, 256, 128, 10)
N_SAMPLES, BATCH, LR, REPEATS = 60_000, 128, 1e-3, 3
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def flops_per_sample(sizes=SIZES) -> int:
    """Forward (2 per multiply-add), weight gradients (as many), input gradients (all but
    the first layer's, which nobody needs): the floating-point work of one sample."""
    macs = [a * b for a, b in itertools.pairwise(sizes)]
    return 2 * sum(macs) + 2 * sum(macs) + 2 * sum(macs[1:])


def _data(dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_SAMPLES, SIZES[0]), dtype=dtype)
    y = rng.integers(0, SIZES[-1], N_SAMPLES)
    return X, y


def dlcore_mlp(sizes, dtype) -> Sequential:
    """The benchmarks' network in dlcore: Dense layers of ``sizes`` with ReLU between."""
    layers = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        layers += [Dense(fan_in, fan_out, seed=i, init="he_normal", dtype=dtype), ReLU()]
    return Sequential(layers[:-1])


def dlcore_epoch(dtype):
    model = dlcore_mlp(SIZES, dtype)
    model.compile(optimizers.Adam(lr=LR), "softmax_cross_entropy")
    X, y = _data(dtype)
    return lambda: model.fit(X, y, epochs=1, batch_size=BATCH, shuffle=False, verbose=0)


def numpy_epoch(dtype):
    """The same network and Adam written directly in NumPy, updates in place."""
    rng = np.random.default_rng(0)
    Ws = [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(dtype)
          for a, b in itertools.pairwise(SIZES)]  # fmt: skip
    params = [p for W in Ws for p in (W, np.zeros(W.shape[1], dtype))]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    X, y = _data(dtype)
    step = [0]

    def adam(grads):
        step[0] += 1
        t = step[0]
        for p, g, (m, v) in zip(params, grads, moments):
            m *= BETA1
            m += (1 - BETA1) * g
            v *= BETA2
            v += (1 - BETA2) * g * g
            p -= (LR / (1 - BETA1**t)) * m / (np.sqrt(v / (1 - BETA2**t)) + EPS)

    def epoch():
        for start in range(0, N_SAMPLES, BATCH):
            xb, yb = X[start : start + BATCH], y[start : start + BATCH]
            outs = [xb]
            for i in range(len(Ws)):
                z = outs[-1] @ params[2 * i] + params[2 * i + 1]
                outs.append(np.maximum(z, 0) if i < len(Ws) - 1 else z)
            e = np.exp(outs[-1] - outs[-1].max(axis=1, keepdims=True))
            grad = e / e.sum(axis=1, keepdims=True)
            grad[np.arange(len(yb)), yb] -= 1
            grad /= len(yb)
            grads = [None] * len(params)
            for i in reversed(range(len(Ws))):
                grads[2 * i], grads[2 * i + 1] = outs[i].T @ grad, grad.sum(axis=0)
                if i:
                    grad = (grad @ params[2 * i].T) * (outs[i] > 0)
            adam(grads)

    return epoch


def torch_epoch(dtype):
    import torch

    torch.manual_seed(0)
    layers = []
    for fan_in, fan_out in itertools.pairwise(SIZES):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1]).to(torch.float32 if dtype == np.float32 else
                                                 torch.float64)  # fmt: skip
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)
    loss = torch.nn.CrossEntropyLoss()
    X, y = _data(dtype)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def epoch():
        for start in range(0, N_SAMPLES, BATCH):
            optimizer.zero_grad()
            loss(model(Xt[start : start + BATCH]), yt[start : start + BATCH]).backward()
            optimizer.step()

    return epoch


def torch_available() -> tuple[bool, str]:
    try:
        import torch
    except ImportError:
        return False, "PyTorch is not installed (pip install torch): its rows are skipped"
    return True, f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads"


def run() -> str:
    has_torch, torch_note = torch_available()
    peak = matmul_peak_gflops(np.float32)
    per_sample = flops_per_sample()
    rows, ratios = [], []
    for dtype in (np.float32, np.float64):
        factories = {"dlcore Sequential": "dlcore_epoch", "hand-written NumPy": "numpy_epoch"}
        if has_torch:
            factories["PyTorch (CPU)"] = "torch_epoch"
        contenders = {name: globals()[factory](dtype) for name, factory in factories.items()}
        seconds = paired(contenders, REPEATS)
        medians = {name: N_SAMPLES / statistics.median(s) for name, s in seconds.items()}
        for name, values in seconds.items():
            rates = [N_SAMPLES / s for s in values]
            memory = peak_rss_mib(__name__, factories[name], np.dtype(dtype).name)
            rows.append((np.dtype(dtype).name, name, f"{medians[name]:,.0f}",
                         f"{min(rates):,.0f} - {max(rates):,.0f}",
                         f"{medians[name] * per_sample / 1e9:.1f}", f"{memory:,.0f}"))  # fmt: skip
        ratios.append(_ratios(np.dtype(dtype).name, medians))
    header = ("dtype", "implementation", "samples/s (median)", "range",
              "GFLOP/s", "peak RSS (MiB)")  # fmt: skip
    return (
        f"## MLP training throughput (784-256-128-10, ReLU, softmax cross-entropy, Adam, "
        f"batch 128, 60 000 samples, {REPEATS} epochs each after a warm-up)\n\n"
        + table(header, rows)
        + f"\n\n- {torch_note}.\n"
        + f"- This machine's float32 matrix multiply (NumPy, 1024 x 1024): {peak:.1f} GFLOP/s; "
        f"one sample costs {per_sample / 1e6:.2f} MFLOP.\n"
        + "".join(f"- {line}\n" for line in ratios)
        + "- Peak RSS: of a fresh Python process that built the contender and ran one epoch "
        "(the interpreter, the libraries and the 60 000 x 784 data set included).\n"
    )


def _ratios(dtype: str, medians: dict[str, float]) -> str:
    dl = medians["dlcore Sequential"]
    parts = [f"{dtype}: dlcore at {dl / medians['hand-written NumPy']:.2f}x the hand-written loop"]
    if "PyTorch (CPU)" in medians:
        parts.append(f"{dl / medians['PyTorch (CPU)']:.2f}x PyTorch")
    return ", ".join(parts) + " (targets: 0.90x or better, and 1.0x PyTorch in float32)"

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

from benchmarks.timing import fresh_run, matmul_peak_gflops, paired, table
from dlcore import Dense, ReLU, Sequential, optimizers

SIZES = (784, 256, 128, 10)
N_SAMPLES, BATCH, LR, REPEATS = 60_000, 128, 1e-3, 6  # twice round the rotation
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

    def epoch():
        model.fit(X, y, epochs=1, batch_size=BATCH, shuffle=False, verbose=0)

    epoch.model = model  # for the test that both loops compute the same thing
    return epoch


def numpy_epoch(dtype):
    """The same network, from the same initial weights, and Adam written directly in
    NumPy, updates in place."""
    params = [p.data.copy() for p in dlcore_mlp(SIZES, dtype).parameters()]  # W1, b1, W2...
    Ws = params[0::2]
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

    epoch.params = params
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
        del contenders  # their data sets and models, before the next dtype's
        for name, values in seconds.items():
            rates = [N_SAMPLES / s for s in values]
            median = statistics.median(rates)
            memory = fresh_run(__name__, factories[name], np.dtype(dtype).name).peak_rss_mib
            rows.append((np.dtype(dtype).name, name, f"{median:,.0f}",
                         f"{min(rates):,.0f} - {max(rates):,.0f}",
                         f"{median * per_sample / 1e9:.1f}", f"{memory:,.0f}"))  # fmt: skip
        ratios.append(_ratios(np.dtype(dtype).name, seconds))
    header = ("dtype", "implementation", "samples/s (median)", "range",
              "GFLOP/s", "peak RSS (MiB)")  # fmt: skip
    return (
        f"## MLP training throughput (784-256-128-10, ReLU, softmax cross-entropy, Adam, "
        f"batch 128, 60 000 samples, {REPEATS} epochs each after a warm-up)\n\n"
        + table(header, rows)
        + f"\n\n- {torch_note}.\n"
        + f"- This machine's float32 matrix multiply (NumPy, 1024 x 1024): {peak:.1f} GFLOP/s; "
        f"one sample costs {per_sample / 1e6:.2f} MFLOP.\n"
        + "- Ratios are per round (the contenders' epochs run in turns: A B C, B C A, "
        "C A B, ...): the median, and the range over the rounds.\n"
        + "".join(f"- {line}\n" for line in ratios)
        + "- Peak RSS: of a fresh Python process that built the contender and ran one epoch "
        "(the interpreter, the libraries and the 60 000 x 784 data set included).\n"
        + _heap_note()
    )


def _ratios(dtype: str, seconds: dict[str, list[float]]) -> str:
    def per_round(other: str) -> str:
        # A rate ratio is the inverse ratio of the seconds, round by round.
        r = [b / a for a, b in zip(seconds["dlcore Sequential"], seconds[other])]
        return f"{statistics.median(r):.2f}x ({min(r):.2f} - {max(r):.2f})"

    parts = [f"{dtype}: dlcore at {per_round('hand-written NumPy')} the hand-written loop"]
    if "PyTorch (CPU)" in seconds:
        parts.append(f"{per_round('PyTorch (CPU)')} PyTorch")
    return ", ".join(parts) + " (targets: 0.90x or better, and 1.0x PyTorch in float32)"


def _heap_note() -> str:
    """One float32 epoch in a fresh process, on glibc's default heap and on the steady one."""
    parts = []
    for name, factory in (("hand-written", "numpy_epoch"), ("dlcore", "dlcore_epoch")):
        for heap, steady in (("default", False), ("steady", True)):
            run = fresh_run(__name__, factory, "float32", steady=steady)
            parts.append(f"{name}, {heap} heap: {N_SAMPLES / run.seconds:,.0f} samples/s, "
                         f"{run.page_faults:,} page faults")  # fmt: skip
    return (
        "- Every timing above runs on a steady heap (`benchmarks.timing.steady_heap`): glibc "
        "keeps freed memory instead of returning it, so temporaries are reused. On its default "
        "heap the hand-written Adam's temporaries can cost a page fault per 4 KiB, every step. "
        "One float32 epoch in a fresh process each: " + "; ".join(parts) + ".\n"
    )

"""MLP training on a GPU: dlcore on CuPy vs dlcore on NumPy (the CPU) vs PyTorch on CUDA.

The network of issue 10's GPU benchmark: 1024-4096-4096-10 (ReLU, softmax cross-entropy,
Adam with lr 1e-3), batch 1024, float32. Each contender runs whole steps
(``train_step`` for dlcore, forward, backward and step for PyTorch) on data already on
its device, in turns; the CPU runs fewer steps, since one takes about a second there.
Every timing on a GPU ends with a synchronisation, so the clock sees finished work.
dlcore reads the loss of every step as a float (as ``fit`` does), which waits for the
device each step; PyTorch's loop does not.

Without a usable GPU (``dlcore.backend.gpu_available()``) the section says why it was
skipped. CuPy comes with ``pip install -e .[gpu]``; PyTorch's CUDA build is needed for
its row.
"""

from __future__ import annotations

import itertools
import statistics

import numpy as np

from benchmarks.mlp_training import dlcore_mlp, flops_per_sample
from benchmarks.timing import paired, table
from dlcore import backend, optimizers

SIZES = (1024, 4096, 4096, 10)
BATCH, LR, REPEATS = 1024, 1e-3, 3
GPU_STEPS, CPU_STEPS = 30, 3


def dlcore_steps(device: str, sizes=SIZES, batch: int = BATCH, steps: int = GPU_STEPS):
    """``steps`` training steps of dlcore's Sequential on ``device``, data already there."""
    model = dlcore_mlp(sizes, np.float32).to(device)
    model.compile(optimizers.Adam(lr=LR), "softmax_cross_entropy")
    rng = np.random.default_rng(0)
    X = backend.to_device(rng.standard_normal((batch, sizes[0]), dtype=np.float32), device)
    y = backend.to_device(rng.integers(0, sizes[-1], batch), device)
    xp = backend.get_array_module(X)

    def run() -> None:
        for _ in range(steps):
            model.train_step(X, y)
        if xp is not np and hasattr(xp, "cuda"):  # CuPy: wait for the device
            xp.cuda.Device().synchronize()

    return run


def torch_steps(sizes=SIZES, batch: int = BATCH, steps: int = GPU_STEPS):
    """The same network and steps in PyTorch on CUDA."""
    import torch

    torch.manual_seed(0)
    layers = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1]).cuda()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loss = torch.nn.CrossEntropyLoss()
    X = torch.randn(batch, sizes[0], device="cuda")
    y = torch.randint(0, sizes[-1], (batch,), device="cuda")

    def run() -> None:
        for _ in range(steps):
            optimizer.zero_grad()
            loss(model(X), y).backward()
            optimizer.step()
        torch.cuda.synchronize()

    return run


def torch_cuda() -> tuple[bool, str]:
    try:
        import torch
    except ImportError:
        return False, "PyTorch is not installed: its row is skipped"
    if not torch.cuda.is_available():
        return False, f"PyTorch {torch.__version__} sees no CUDA device: its row is skipped"
    return True, f"PyTorch {torch.__version__}, {torch.cuda.get_device_name()}"


def run() -> str:
    title = (f"## MLP training on a GPU ({'-'.join(map(str, SIZES))}, ReLU, softmax "
             f"cross-entropy, Adam, batch {BATCH}, float32)\n\n")  # fmt: skip
    if not backend.gpu_available():
        return title + f"Skipped: {backend.gpu_status()}. Nothing here ran on a GPU.\n"
    has_torch, torch_note = torch_cuda()
    steps = {"dlcore on the GPU (CuPy)": GPU_STEPS, "dlcore on the CPU (NumPy)": CPU_STEPS}
    contenders = {"dlcore on the GPU (CuPy)": dlcore_steps("gpu"),
                  "dlcore on the CPU (NumPy)": dlcore_steps("cpu", steps=CPU_STEPS)}  # fmt: skip
    if has_torch:
        steps["PyTorch (CUDA)"] = GPU_STEPS
        contenders["PyTorch (CUDA)"] = torch_steps()
    seconds = paired(contenders, REPEATS)
    rates = {name: steps[name] * BATCH / statistics.median(s) for name, s in seconds.items()}
    per_sample = flops_per_sample(SIZES)
    rows = []
    for name, runs in seconds.items():
        samples = [steps[name] * BATCH / s for s in runs]
        rows.append((name, f"{steps[name]}", f"{rates[name]:,.0f}",
                     f"{min(samples):,.0f} - {max(samples):,.0f}",
                     f"{rates[name] * per_sample / 1e9:,.0f}"))  # fmt: skip
    gpu = rates["dlcore on the GPU (CuPy)"]
    notes = [f"dlcore on the GPU at {gpu / rates['dlcore on the CPU (NumPy)']:.1f}x the CPU"]
    if has_torch:
        notes.append(f"{gpu / rates['PyTorch (CUDA)']:.2f}x PyTorch on CUDA")
    header = ("implementation", "steps per run", "samples/s (median)", "range", "GFLOP/s")
    return (title + table(header, rows) + f"\n\n- {torch_note}.\n- {', '.join(notes)}.\n"
            f"- one sample costs {per_sample / 1e6:.1f} MFLOP.\n")  # fmt: skip

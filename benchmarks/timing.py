"""What every benchmark shares: paired timing, peak memory, the machine's matmul peak, tables.

Contenders are timed in turns (A, B, C, A, B, C...) so that all of them see the
same state of a shared machine; the tables give the median and the range.
Peak memory is the peak resident set of a fresh Python process that runs the
contender once: it includes the interpreter and the libraries it loads.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np


def paired(contenders: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Seconds of each run of each contender, run in turns, after one warm-up each."""
    for run in contenders.values():
        run()
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, run in contenders.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def peak_rss_mib(module: str, factory: str, *args: str) -> float:
    """Peak resident memory (MiB) of a fresh Python that runs ``module.factory(*args)()`` once.

    ``args`` are dtype names ("float32"). A fresh process, not a fork: forking a
    process whose thread pools are running (PyTorch's, OpenBLAS's) can hang the child.
    """
    # VmHWM, not getrusage's ru_maxrss, which keeps the forking parent's peak across exec.
    code = (
        "import importlib, sys\n"
        "import numpy as np\n"
        "build = getattr(importlib.import_module(sys.argv[1]), sys.argv[2])\n"
        "build(*[np.dtype(a).type for a in sys.argv[3:]])()\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "print(int(status.split()[0]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, module, factory, *args],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout.split()[-1]) / 1024  # KiB on Linux


def matmul_peak_gflops(dtype=np.float32, n: int = 1024, repeats: int = 5) -> float:
    """This machine's matrix-multiply speed (GFLOP/s, best of ``repeats``), as NumPy gets it."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def rate_cells(values: list[float]) -> str:
    """``median | min | max`` cells of a markdown table, with thousands separators."""
    return f"{statistics.median(values):,.0f} | {min(values):,.0f} | {max(values):,.0f}"


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A markdown table; columns after the first two are right-aligned."""
    lines = ["| " + " | ".join(header) + " |",
             "| " + " | ".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + " |"]  # fmt: skip
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)

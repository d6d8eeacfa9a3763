"""What every benchmark shares: paired timing, peak memory, the machine's matmul peak, tables.

Contenders are timed in turns (A, B, C, B, C, A...) so that all of them see the
same state of a shared machine; the tables give the median and the range.
Peak memory is the peak resident set of a fresh Python process that runs the
contender once: it includes the interpreter and the libraries it loads.
Both run on a steady heap (:func:`steady_heap`).
"""

from __future__ import annotations

import ctypes
import dataclasses
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np


def steady_heap() -> bool:
    """Stop glibc's malloc from handing freed memory back to the system; False where
    it cannot (not glibc).

    By default glibc returns the top of the heap once more than a threshold is free,
    and serves large requests with fresh mappings; that threshold moves with the
    process's history. A loop that allocates temporaries of a few hundred KiB every
    step (the hand-written Adam's) then pays a page fault per 4 KiB, or none, depending
    on that history: measured here, the same loop ran at less than half the speed.
    Fixing both thresholds makes every contender reuse its freed memory.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    return bool(libc.mallopt(m_trim_threshold, 1 << 30) and
                libc.mallopt(m_mmap_threshold, 32 << 20))  # fmt: skip


def paired(contenders: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Seconds of each run of each contender, run in turns, after one warm-up each,
    on a steady heap.

    The turns rotate (A B C, then B C A, then C A B, ...) so that no contender always
    follows the same one: whatever a run leaves behind (PyTorch's thread pool still
    spinning, a cold cache) is shared out evenly.
    """
    steady_heap()
    for run in contenders.values():
        run()
    names = list(contenders)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for turn in range(repeats):
        for name in names[turn % len(names):] + names[: turn % len(names)]:
            start = time.perf_counter()
            contenders[name]()
            seconds[name].append(time.perf_counter() - start)
    return seconds


@dataclasses.dataclass
class FreshRun:
    """One run of a contender in a fresh Python process."""

    peak_rss_mib: float  # VmHWM: the interpreter, the libraries and the data included
    seconds: float  # the run alone, after building the contender
    page_faults: int  # minor page faults during the run


def fresh_run(module: str, factory: str, *args: str, steady: bool = True) -> FreshRun:
    """Run ``module.factory(*args)()`` once in a fresh Python; ``steady=False`` keeps
    glibc's default heap.

    ``args`` are dtype names ("float32"). A fresh process, not a fork: forking a
    process whose thread pools are running (PyTorch's, OpenBLAS's) can hang the child.
    """
    # VmHWM, not getrusage's ru_maxrss, which keeps the forking parent's peak across exec.
    code = (
        "import importlib, resource, sys, time\n"
        "import numpy as np\n"
        "from benchmarks.timing import steady_heap\n"
        "if sys.argv[1] == 'steady': steady_heap()\n"
        "run = getattr(importlib.import_module(sys.argv[2]), sys.argv[3])(\n"
        "    *[np.dtype(a).type for a in sys.argv[4:]])\n"
        "faults, start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.perf_counter()\n"
        "run()\n"
        "seconds = time.perf_counter() - start\n"
        "faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "print(int(status.split()[0]) / 1024, seconds, faults)\n"
    )
    heap = "steady" if steady else "default"
    done = subprocess.run([sys.executable, "-c", code, heap, module, factory, *args],
                          capture_output=True, text=True, check=True)  # fmt: skip
    peak, seconds, faults = done.stdout.split()[-3:]  # VmHWM is in KiB on Linux
    return FreshRun(float(peak), float(seconds), int(faults))


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

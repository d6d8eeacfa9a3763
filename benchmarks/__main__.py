"""`python -m benchmarks [NAME...]`: run the benchmarks and write docs/performance.md.

Without names, all of them (as `make bench` does; about ten minutes on 2 cores):
mlp_training, small_model, gradcheck, course, grading, gpu_training (skipped, saying
why, without a GPU). With names, only those, and the report holds only their sections.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPORT = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
BENCHMARKS = ("mlp_training", "small_model", "gradcheck", "course", "grading", "gpu_training")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown processor"


def main(names: list[str]) -> int:
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}", file=sys.stderr)
        return 2
    sections = []
    for name in names or BENCHMARKS:
        start = time.perf_counter()
        print(f"running {name}...", flush=True)
        sections.append(importlib.import_module(f"benchmarks.{name}").run())
        print(f"  {time.perf_counter() - start:.0f} s", flush=True)
    header = (
        "# Performance\n\n"
        "Written by `make bench` (benchmarks/); numbers are from the machine below and\n"
        "change from run to run. Nothing here is asserted by the test suite.\n\n"
        f"- machine: {_cpu()}, {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, NumPy {np.__version__}\n"
    )
    REPORT.write_text(header + "\n" + "\n".join(sections))
    print(REPORT.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

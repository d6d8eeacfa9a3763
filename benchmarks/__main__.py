"""`python -m benchmarks`: run every benchmark and write docs/performance.md."""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np

from benchmarks import mlp_training

REPORT = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def main() -> None:
    sections = [mlp_training.run()]
    header = (
        "# Performance\n\n"
        "Written by `make bench` (benchmarks/); numbers are from the machine below and\n"
        "change from run to run. Nothing here is asserted by the test suite.\n\n"
        f"- machine: {platform.machine()}, {platform.processor() or 'unknown processor'}, "
        f"Python {platform.python_version()}, NumPy {np.__version__}\n"
    )
    REPORT.write_text(header + "\n" + "\n".join(sections))
    print(REPORT.read_text())


if __name__ == "__main__":
    main()

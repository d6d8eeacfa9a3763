"""The course's own cost: every solution notebook executed top to bottom in a fresh kernel.

Each notebook of solutions/ runs with ``autograder.notebooks.execute``, the way
nbval runs it in the test suite: one after the other, in its own folder, in a new
kernel. The table gives each notebook's wall time, the CPU time of its kernel and
the kernel's peak memory; the total is set against the target of issue 11: all nine
under 120 s on a 2-core machine.

How the numbers are taken (Linux; elsewhere the CPU and memory columns say n/a):

- wall: ``time.perf_counter`` around ``execute``: kernel start, every cell, shutdown.
- CPU: user + system seconds of the processes this one started and waited for
  during the run (``resource.getrusage(RUSAGE_CHILDREN)`` before and after): the
  kernel, and what the kernel itself started and waited for. It counts every thread,
  so it can exceed wall time when BLAS uses both cores.
- peak RSS: the kernel's own high-water mark (``VmHWM`` in ``/proc/PID/status``), read
  by :class:`ProcessTreeSampler` every few tenths of a second while the notebook runs;
  the last reading before the kernel ends is kept. A peak reached in the final
  fraction of a second before shutdown can be missed.

The sampler is also used by ``benchmarks.grading``, for the grader's process tree.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import assignments, find_root, solution_path
from autograder.notebooks import execute

#: The issue's target for the nine notebooks together, in seconds.
TARGET_SECONDS = 120
#: Seconds between two readings of the process tree.
SAMPLE_INTERVAL = 0.2
KIB = 1024
MIB = 2**20


# ------------------------------------------------------------- process tree sampling
def _parent_of(pid: str) -> int | None:
    """The parent pid from /proc/PID/stat (the command name may hold spaces and brackets)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # the process ended while we looked
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def descendants(root_pid: int) -> list[int]:
    """Every living process under ``root_pid`` (children, their children...), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _parent_of(entry)
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    found, todo = [], list(children.get(root_pid, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _memory_bytes(pid: int) -> tuple[int, int] | None:
    """(resident now, resident high-water mark) of ``pid`` in bytes, or None if it is gone.

    Kernel threads and zombies have no Vm lines; they count as None.
    """
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    values = {}
    for line in lines:
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * KIB
    if len(values) < 2:
        return None
    return values["VmRSS"], values["VmHWM"]


@dataclass
class TreeMemory:
    """What a :class:`ProcessTreeSampler` saw: per-process peaks and the tree's summed peak."""

    process_peaks: dict[int, int] = field(default_factory=dict)  # pid -> VmHWM, last reading
    tree_peak: int = 0  # the largest sum of VmRSS over the tree at one reading
    readings: int = 0

    @property
    def largest_process(self) -> int:
        return max(self.process_peaks.values(), default=0)


class ProcessTreeSampler:
    """Reads the memory of every process under this one, in a thread, while a block runs.

    ``with ProcessTreeSampler() as seen: ...`` then ``seen.largest_process`` (the
    largest high-water mark of any one process) and ``seen.tree_peak`` (the largest
    total resident memory of all of them at one moment). Only processes started
    under this process count, not this process itself. Readings are taken every
    ``interval`` seconds, so a short-lived peak between two of them can be missed.
    """

    available = sys.platform.startswith("linux")

    def __init__(self, interval: float = SAMPLE_INTERVAL):
        self.interval = interval
        self.seen = TreeMemory()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tree-sampler", daemon=True)

    def __enter__(self) -> TreeMemory:
        if self.available:
            self._thread.start()
        return self.seen

    def __exit__(self, *exc_info) -> None:
        if self.available:
            self._stop.set()
            self._thread.join()

    def _loop(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            self.read_once(me)
            self._stop.wait(self.interval)

    def read_once(self, root_pid: int) -> None:
        total = 0
        for pid in descendants(root_pid):
            memory = _memory_bytes(pid)
            if memory is None:
                continue
            resident, high_water = memory
            total += resident
            self.seen.process_peaks[pid] = high_water
        self.seen.tree_peak = max(self.seen.tree_peak, total)
        self.seen.readings += 1


def children_cpu_seconds() -> float:
    """User + system CPU seconds of the children this process has waited for, so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def usable_cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def mib(size: int) -> str:
    return f"{size / MIB:.0f}" if size else "n/a"


# ------------------------------------------------------------------- the benchmark
@dataclass
class NotebookCost:
    """One notebook's execution: wall and CPU seconds, its kernel's peak, what went wrong."""

    name: str
    wall: float
    cpu: float
    peak: int  # bytes; 0 when it could not be read
    errors: int
    problem: str | None


def measure(path: Path) -> NotebookCost:
    """Execute the notebook at ``path`` in a fresh kernel, in its folder, and measure it."""
    cpu_before = children_cpu_seconds()
    start = time.perf_counter()
    with ProcessTreeSampler() as seen:
        run = execute(path, env={"DLCORE_PROGRESS": "0"})
    wall = time.perf_counter() - start
    return NotebookCost(
        name=path.stem,
        wall=wall,
        cpu=children_cpu_seconds() - cpu_before,
        peak=seen.largest_process,
        errors=len(run.errors),
        problem=run.problem,
    )


def table(costs: list[NotebookCost]) -> list[str]:
    """The markdown table: one row per notebook, then the total."""
    lines = [
        "| notebook | wall s | kernel CPU s | kernel peak RSS MiB | cell errors |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for cost in costs:
        errors = f"{cost.errors}" + (" (stopped early)" if cost.problem else "")
        lines.append(
            f"| {cost.name} | {cost.wall:.1f} | {cost.cpu:.1f} | {mib(cost.peak)} | {errors} |"
        )
    wall, cpu = sum(c.wall for c in costs), sum(c.cpu for c in costs)
    largest = max((c.peak for c in costs), default=0)
    lines.append(
        f"| **total** | **{wall:.1f}** | **{cpu:.1f}** | {mib(largest)} (largest) | "
        f"{sum(c.errors for c in costs)} |"
    )
    return lines


def verdict(costs: list[NotebookCost], expected: int) -> str:
    wall = sum(c.wall for c in costs)
    if len(costs) < expected:
        return f"Ran {len(costs)} of the {expected} notebooks: no verdict on the target."
    met = "met" if wall < TARGET_SECONDS else "**missed**"
    return (
        f"Target: all {expected} under {TARGET_SECONDS} s on 2 cores: {met} "
        f"({wall:.1f} s on {usable_cores()} cores here)."
    )


def run(names: list[str] | None = None) -> str:
    """Execute the solution notebooks (``names``, or all of them) and return the section."""
    root = find_root(Path(__file__).resolve().parent)
    every = assignments(root)
    unknown = sorted(set(names or ()) - set(every))
    if unknown:
        raise ValueError(f"unknown notebook(s) {', '.join(unknown)}; the course has {every}")
    costs = [measure(solution_path(root, name)) for name in names or every]
    how = [
        "Each solution notebook runs top to bottom in a fresh kernel, in its own folder, one "
        "after the other (`autograder.notebooks.execute`, as nbval runs them).\n",
        "- *wall*: seconds around the whole execution, kernel start and shutdown included",
        "- *kernel CPU*: user + system seconds of the kernel and the processes it waited for "
        "(`getrusage(RUSAGE_CHILDREN)` before and after); every thread counts, so it can "
        "exceed wall",
        f"- *kernel peak RSS*: the kernel's `VmHWM` from `/proc`, read every {SAMPLE_INTERVAL} s "
        "while it runs (n/a off Linux)",
        "- a solution notebook should show no cell errors",
    ]
    title = "## The course: executing the solution notebooks\n"
    return "\n".join([title, *how, "", *table(costs), "", verdict(costs, len(every)), ""])


if __name__ == "__main__":
    print(run(sys.argv[1:] or None))

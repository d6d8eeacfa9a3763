"""Executing a course notebook and reading its graded cells' scores.

This is the self-study path (``dlgrade check`` and ``dlgrade progress``) and the
grader's self-test: the notebook runs in a fresh kernel with nbclient, and each
graded test cell's score is the float it displays last, as plain nbgrader reads it
(an error in the cell scores 0). Hidden cases are not part of a student's copy.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

#: Seconds a single cell may run before it is interrupted.
CELL_TIMEOUT = 300


@dataclass
class GradedCell:
    """A test cell's outcome: its grade_id, points, score, what it printed, its error."""

    grade_id: str
    max_points: float
    score: float
    report: str = ""
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and self.score >= self.max_points


@dataclass
class NotebookRun:
    """One execution of a notebook: its graded cells and the errors of other cells."""

    path: Path
    cells: list[GradedCell] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (cell index, ename, evalue)
    seconds: float = 0.0
    executed: Any = None  # the executed NotebookNode
    problem: str | None = None  # why the run stopped early, if it did

    @property
    def score(self) -> float:
        return float(sum(c.score for c in self.cells))

    @property
    def max_points(self) -> float:
        return float(sum(c.max_points for c in self.cells))


def graded_cells(nb: nbformat.NotebookNode) -> list[tuple[int, dict]]:
    """(index, nbgrader metadata) of the graded code cells of a notebook."""
    found = []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade"):
            found.append((index, meta))
    return found


def execute(
    path: str | Path, *, env: dict[str, str] | None = None, timeout: int = CELL_TIMEOUT
) -> NotebookRun:
    """Run the notebook at ``path`` top to bottom (errors do not stop it) and score it."""
    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        seconds, problem = run_in(nb, path.parent, timeout=timeout)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    run = score_executed(nb, path, seconds)
    run.problem = problem
    return run


def run_in(nb: nbformat.NotebookNode, folder: Path, *, timeout: int = CELL_TIMEOUT):
    """Execute ``nb`` in place, in a fresh kernel working in ``folder``.

    Returns (seconds, problem): ``problem`` is None, or says why the run stopped
    early (the kernel died); the cells that ran keep their outputs either way. A
    cell that runs past ``timeout`` seconds is interrupted and counts as an error.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client = NotebookClient(
        nb,
        timeout=timeout,
        interrupt_on_timeout=True,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    start = time.perf_counter()
    problem = None
    try:
        client.execute()
    except Exception as error:  # a dead kernel, or nbclient failing after one
        ran = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.execution_count]
        where = f"in cell {ran[-1]}" if ran else "before the first cell"
        why = "the kernel died" if isinstance(error, DeadKernelError) else \
            f"the run stopped ({type(error).__name__})"  # fmt: skip
        problem = (
            f"{why} {where} (os._exit, a crash, out of memory, or a cell that ignored the "
            "interrupt); the cells after it did not run"
        )
    return time.perf_counter() - start, problem


def score_executed(nb: nbformat.NotebookNode, path: Path, seconds: float = 0.0) -> NotebookRun:
    """Read the scores and errors of an already executed notebook."""
    run = NotebookRun(path=path, seconds=seconds, executed=nb)
    graded = dict(graded_cells(nb))
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        error = next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)
        if error is not None:
            run.errors.append((index, error.ename, error.evalue))
        if index in graded:
            meta = graded[index]
            run.cells.append(_graded(cell, meta, error))
    return run


def _graded(cell: Any, meta: dict, error: Any) -> GradedCell:
    points = float(meta.get("points", 0))
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    if error is not None:
        return GradedCell(meta["grade_id"], points, 0.0, printed, f"{error.ename}: {error.evalue}")
    shown = [o for o in cell.outputs if o.output_type == "execute_result"]
    try:
        score = float(shown[-1]["data"]["text/plain"]) if shown else 0.0
    except (KeyError, ValueError):
        score = 0.0
    return GradedCell(meta["grade_id"], points, min(max(score, 0.0), points), printed)

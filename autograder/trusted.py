"""Trusted grading of one notebook: the student's code runs sandboxed, the checks run here.

The student's cells run, in order, in a :class:`~autograder.kernel.SandboxedKernel`.
A test cell does not run there: its source, taken from the grading notebook (never
from the submission), runs in this process, where each name that is not a check
module is looked up in the kernel: the student's functions become
:class:`~autograder.remote.RemoteFunction` and values come back as plain data.
The score is the cell's last expression, computed here, with dlcore's reference.

A cell that kills the kernel or will not stop is marked and skipped from then on;
the kernel is restarted and the cells that ran before are run again (replayed), so
that the tests after it see the student's functions. Each such event is recorded.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib
import io
import time
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_output

from . import NOTEBOOKS
from .kernel import KernelDied, KernelTimeout, SandboxedKernel, safe_text
from .notebooks import GradedCell
from .remote import Remote, RemoteFunction, finite_score
from .sandbox import Limits

#: How many times one submission's kernel may be restarted before the rest is given up.
MAX_RESTARTS = 10


@dataclass
class TrustedRun:
    """What grading one notebook gave."""

    cells: list[GradedCell] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Where the seconds went: "kernel start", "cells" (the student's), "checks" (the tests).
    phases: dict[str, float] = field(default_factory=dict)


def check_modules() -> dict[str, Any]:
    """The modules test cells call, by the names test cells use."""
    return {name: importlib.import_module(f"autograder.{name}") for name in NOTEBOOKS.values()}


class TestNamespace(MutableMapping):
    """The names a test cell sees: check modules here, everything else in the kernel."""

    def __init__(self, remote: Remote, modules: dict[str, Any]):
        self.remote, self.modules, self.assigned = remote, modules, {}

    def __getitem__(self, name: str) -> Any:
        if name in self.assigned:
            return self.assigned[name]
        if name in self.modules:
            return self.modules[name]
        if hasattr(builtins, name):
            raise KeyError(name)  # a built-in: the interpreter finds it itself
        kind, value = self.remote.describe(name)
        if kind == "missing":
            raise KeyError(name)
        return RemoteFunction(self.remote, name) if kind == "function" else value

    def __setitem__(self, name: str, value: Any) -> None:
        self.assigned[name] = value

    def __delitem__(self, name: str) -> None:
        del self.assigned[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.assigned)

    def __len__(self) -> int:
        return len(self.assigned)


def run_test(source: str, remote: Remote, points: float, grade_id: str) -> GradedCell:
    """Run a test cell's source here, against the student's kernel; its graded outcome."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    namespace = TestNamespace(remote, check_modules())
    printed = io.StringIO()
    value, error = None, ""
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(tree, f"<test {grade_id}>", "exec"), {}, namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), f"<test {grade_id}>", "eval"),
                             {}, namespace)  # fmt: skip
    except Exception as problem:  # a test that cannot run scores 0, with why
        error = f"{type(problem).__name__}: {problem}"
    score = 0.0 if error else finite_score(value, points)
    return GradedCell(grade_id, points, score, safe_text(printed.getvalue()), safe_text(error))


def _test_outputs(graded: GradedCell) -> list:
    outputs = []
    if graded.report:
        outputs.append(new_output("stream", name="stdout", text=graded.report))
    if graded.error:
        ename, _, evalue = graded.error.partition(": ")
        outputs.append(new_output("error", ename=ename, evalue=evalue, traceback=[graded.error]))
    else:
        outputs.append(new_output("execute_result", data={"text/plain": repr(graded.score)},
                                  execution_count=None))  # fmt: skip
    return outputs


class Grader:
    """Runs one notebook's cells in a sandboxed kernel and its tests here."""

    def __init__(self, base: Path, files: Path | None, *, limits: Limits, cell_timeout: float,
                 env: dict[str, str] | None = None):  # fmt: skip
        self.kernel = SandboxedKernel(base, files, limits, env or {})
        self.remote = Remote(self.kernel, cell_timeout)
        self.cell_timeout = cell_timeout
        self.ran: list[int] = []  # cells to replay after a restart
        self.skipped: set[int] = set()
        self.run = TrustedRun()

    def grade(self, nb: nbformat.NotebookNode, tests: dict[str, str]) -> TrustedRun:
        """Grade ``nb`` in place (its cells get their outputs); ``tests``: grade_id -> source."""
        start = time.perf_counter()
        try:
            with self._phase("kernel start"):
                self.kernel.start()
            if self.kernel.mode_note:
                self.run.events.append(self.kernel.mode_note)
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if meta.get("grade") and not meta.get("solution") and meta.get("grade_id") in tests:
                    with self._phase("checks"):
                        self._ensure_kernel(nb)
                        self._test(index, cell, meta, tests)
                else:
                    with self._phase("cells"):
                        self._cell(nb, index, cell)
        except (_GiveUp, KernelDied) as reason:  # given up, or no kernel would start
            self.run.events.append(f"grading stopped: {reason}")
        finally:
            self.kernel.close()
            self.run.events += self.kernel.events
            self.run.seconds = time.perf_counter() - start
        done = {c.grade_id for c in self.run.cells}
        for cell in nb.cells:  # tests never reached (the grading was given up) score 0
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade_id") in tests and meta["grade_id"] not in done:
                points = float(meta.get("points", 0))
                self.run.cells.append(GradedCell(meta["grade_id"], points, 0.0, "", "not run"))
        return self.run

    @contextlib.contextmanager
    def _phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.run.phases[name] = self.run.phases.get(name, 0.0) + time.perf_counter() - start

    def _ensure_kernel(self, nb: nbformat.NotebookNode) -> None:
        """A running kernel that has run the cells so far (restart and replay if needed)."""
        while not self.kernel.alive:
            if len(self.kernel.events) >= MAX_RESTARTS:
                raise _GiveUp(f"the kernel was restarted {MAX_RESTARTS} times: grading stopped")
            self.kernel.restart(f"replaying {len(self.ran)} cells before going on")
            for index in list(self.ran):
                try:
                    self.kernel.execute(nb.cells[index].source, timeout=self.cell_timeout)
                except (KernelDied, KernelTimeout) as problem:
                    self._skip(index, f"when replayed, {problem}")
                    break

    def _skip(self, index: int, why: str) -> None:
        self.skipped.add(index)
        if index in self.ran:
            self.ran.remove(index)
        self.run.events.append(f"cell {index} {why}; it is skipped from then on")

    def _cell(self, nb: nbformat.NotebookNode, index: int, cell) -> None:
        self._ensure_kernel(nb)
        try:
            execution = self.kernel.execute(cell.source, timeout=self.cell_timeout)
        except (KernelDied, KernelTimeout) as problem:
            what = str(problem)
            if isinstance(problem, KernelDied):
                what = f"killed the kernel: {what}"
            cell.outputs = [new_output("error", ename=type(problem).__name__, evalue=what,
                                       traceback=[f"the grader: this cell {what}"])]  # fmt: skip
            self.run.errors.append((index, type(problem).__name__, what))
            self._skip(index, what)  # a dead kernel is restarted before the next cell
            return
        cell.outputs = execution.outputs
        cell.execution_count = None
        if execution.error is not None:
            self.run.errors.append((index, *execution.error))
            limit = _limit_hit(*execution.error)
            if limit:
                self.run.events.append(f"cell {index} hit the sandbox's {limit}")
        if execution.dropped:
            self.run.events.append(f"cell {index}: {execution.dropped} bytes of output dropped")
        self.ran.append(index)

    def _test(self, index: int, cell, meta: dict, tests: dict[str, str]) -> None:
        grade_id, points = meta["grade_id"], float(meta.get("points", 0))
        graded = run_test(tests[grade_id], self.remote, points, grade_id)
        self.remote.stop()  # the kernel leaves its serve loop before the next cell
        if not self.kernel.alive:
            why = graded.error or "the kernel died during the test"
            self.run.events.append(f"test {grade_id} lost the kernel ({why}): it scores 0")
            graded = GradedCell(grade_id, points, 0.0, graded.report, why)
        cell.outputs = _test_outputs(graded)
        if graded.error:
            ename, _, evalue = graded.error.partition(": ")
            self.run.errors.append((index, ename, evalue))
        self.run.cells.append(graded)


def _limit_hit(ename: str, evalue: str) -> str | None:
    """Which of the sandbox's limits an error in a cell comes from, if one does."""
    if ename == "MemoryError" or "Unable to allocate" in evalue:
        return "memory limit"
    if ename == "BlockingIOError" and "Resource temporarily unavailable" in evalue:
        return "process limit"
    if ename == "OSError" and "Too many open files" in evalue:
        return "open-files limit"
    if "File too large" in evalue:
        return "file size limit"
    return None


class _GiveUp(Exception):
    """Grading this notebook cannot go on (the kernel keeps dying)."""

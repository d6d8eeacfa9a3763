"""The grader tested on itself.

At the level of the checks (fast): every reference implementation scores full
marks on public and hidden cases, a blank one scores 0 as "not implemented", and
every bug of the bug zoo scores less than full and gets its diagnosis. At the
level of notebooks: every solution notebook, executed, scores 100 %, and every
blank release scores exactly 0 with no error but the blanks' NotImplementedError.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path

from . import NOTEBOOKS
from .bugzoo import bugs_for
from .course import assignments, release_path, solution_path
from .notebooks import NotebookRun


@dataclass
class Row:
    """One line of the self-test table."""

    notebook: str
    what: str
    expected: str
    got: str
    ok: bool


def _blank(*args, **kwargs):
    raise NotImplementedError()


def check_level(notebook: str) -> list[Row]:
    """References full, blanks zero, bugs caught, for one notebook's checks."""
    module = importlib.import_module(f"autograder.{NOTEBOOKS[notebook]}")
    rows = []
    for grade_id, (check, references) in module.CHECKS.items():
        for hidden in (False, True):
            result = check(*references, hidden=hidden)
            label = "reference (hidden)" if hidden else "reference"
            rows.append(
                Row(
                    notebook,
                    f"{grade_id} {label}",
                    f"{check.points:g}",
                    f"{result.score:g}",
                    result.score == check.points,
                )
            )
        blank = check(*[_blank] * len(references))
        rows.append(
            Row(
                notebook,
                f"{grade_id} blank",
                "0",
                f"{blank.score:g} ({blank.status})",
                blank.score == 0.0 and blank.status == "not implemented",
            )
        )
    for bug in bugs_for(notebook):
        result = bug.check(*bug.implementation, hidden=True)
        caught = result.score < bug.check.points
        named = bug.diagnosis is None or any(bug.diagnosis in d for d in result.diagnoses)
        expected = f"< {bug.check.points:g}" + (f", '{bug.diagnosis}'" if bug.diagnosis else "")
        got = f"{result.score:g}" + (f", {'; '.join(result.diagnoses)}" if result.diagnoses else "")
        rows.append(Row(notebook, f"bug: {bug.name}", expected, got, caught and named))
    return rows


def notebook_level(root: Path, notebook: str) -> list[Row]:
    """The solution scores 100 %, the blank release exactly 0 with only NotImplementedError."""
    from .notebooks import execute

    env = {"DLGRADE_SEED": os.environ.get("DLGRADE_SEED", "12345"), "DLCORE_PROGRESS": "0"}
    solution = execute(solution_path(root, notebook), env=env)
    blank = execute(release_path(root, notebook), env=env)
    return [solution_row(notebook, solution), blank_row(notebook, blank)]


def solution_row(notebook: str, run: NotebookRun) -> Row:
    got = f"{run.score:g} / {len(run.errors)} errors ({run.seconds:.1f} s)"
    ok = run.score == run.max_points and not run.errors
    return Row(notebook, "solution notebook", f"{run.max_points:g} / no errors", got, ok)


def blank_row(notebook: str, run: NotebookRun) -> Row:
    others = [e for e in run.errors if e[1] != "NotImplementedError"]
    got = f"{run.score:g} / {len(others)} other errors ({run.seconds:.1f} s)"
    ok = run.score == 0.0 and not others
    return Row(notebook, "blank release", "0 / only NotImplementedError", got, ok)


def run(root: Path, *, notebooks: bool = True) -> list[Row]:
    rows = []
    for name in assignments(root):
        if name in NOTEBOOKS:
            rows += check_level(name)
        if notebooks:
            rows += notebook_level(root, name)
    return rows


def table(rows: list[Row]) -> str:
    """The rows as an aligned text table, failures marked."""
    head = ("", "notebook", "what", "expected", "got")
    cells = [head] + [
        ("ok" if r.ok else "FAIL", r.notebook, r.what, r.expected, r.got) for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(head))).rstrip() for c in cells]
    lines.insert(1, "-" * max(len(line) for line in lines))
    failed = sum(not r.ok for r in rows)
    lines.append(
        f"{len(rows) - failed} of {len(rows)} as expected"
        + (f", {failed} FAILED" if failed else "")
    )
    return "\n".join(lines)

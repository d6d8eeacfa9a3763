"""The grader tested on itself.

At the level of the checks (fast): every reference implementation scores full
marks on public and hidden cases, a blank one scores 0 as "not implemented", and
every bug of the bug zoo scores less than full and gets its diagnosis. At the
level of a class: the sample class (:mod:`autograder.sample_class`) is graded by
``dlgrade autograde`` as a real class would be, and every solved notebook scores
100 % without an error, every blank release exactly 0 with no error but the
blanks' NotImplementedError, and every mutant loses points on its exercise.
"""

from __future__ import annotations

import importlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import NOTEBOOKS, sample_class
from .bugzoo import bugs_for
from .course import assignments


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


def class_level(root: Path, names: list[str], *, jobs: int = 2, mutants: int = 2) -> list[Row]:
    """Grade the sample class (solutions, blanks, bug-zoo mutants) with ``dlgrade autograde``.

    It runs in a temporary copy of the course, so nothing is written into ``root``.
    """
    from .autograde import RESULT, autograde

    seed = int(os.environ.get("DLGRADE_SEED", "12345"))
    with tempfile.TemporaryDirectory(prefix="dlgrade-selftest-") as folder:
        copy = sample_class.copy_course(root, Path(folder) / "course")
        students = sample_class.hand_in(copy, names, mutants)
        autograde(copy, only=names, jobs=jobs, seed=seed, progress=False)
        rows = []
        for student in students:
            path = copy / "autograded" / student.name / student.assignment / RESULT
            rows.append(_graded_row(student, json.loads(path.read_text())))
    return rows


def _graded_row(student: sample_class.Student, result: dict) -> Row:
    cells = {c["grade_id"]: c for c in result["cells"]}
    score = sum(c["score"] for c in cells.values())
    possible = sum(c["max_points"] for c in cells.values())
    errors = [e[1] for e in result["errors"]]
    timing = f" ({result['seconds']:.1f} s)"
    if student.kind == "solution":
        got = f"{score:g} / {len(errors)} errors" + timing
        ok = score == possible and not errors and not result["events"]
        return Row(student.assignment, "solution, autograded", f"{possible:g} / no errors", got, ok)
    if student.kind == "blank":
        others = [e for e in errors if e != "NotImplementedError"]
        got = f"{score:g} / {len(others)} other errors" + timing
        ok = score == 0 and not others and not result["events"]
        expected = "0 / only NotImplementedError"
        return Row(student.assignment, "blank release, autograded", expected, got, ok)
    cell = cells[student.test_cell]
    what = f"mutant: {student.bug.name} ({student.test_cell})"
    got = f"{cell['score']:g} on {student.test_cell}" + timing
    return Row(student.assignment, what, f"< {cell['max_points']:g}", got,
               cell["score"] < cell["max_points"])  # fmt: skip


def run(root: Path, *, notebooks: bool = True, jobs: int = 2) -> list[Row]:
    names = [name for name in assignments(root) if name in NOTEBOOKS]
    rows = [row for name in names for row in check_level(name)]
    if notebooks:
        rows += class_level(root, names, jobs=jobs)
    return rows


def aligned(cells: list[tuple[str, ...]]) -> list[str]:
    """Rows of text cells (the first is the heading) as aligned lines, a rule under the head."""
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(widths))).rstrip() for c in cells]
    lines.insert(1, "-" * max(len(line) for line in lines))
    return lines


def table(rows: list[Row]) -> str:
    """The rows as an aligned text table, failures marked."""
    head = ("", "notebook", "what", "expected", "got")
    lines = aligned(
        [head] + [("ok" if r.ok else "FAIL", r.notebook, r.what, r.expected, r.got) for r in rows]
    )
    failed = sum(not r.ok for r in rows)
    lines.append(
        f"{len(rows) - failed} of {len(rows)} as expected"
        + (f", {failed} FAILED" if failed else "")
    )
    return "\n".join(lines)

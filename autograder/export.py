"""``dlgrade export``: the class's grades as CSV, one row per student, one column per exercise.

Columns: ``student``, then ``<assignment>/<exercise>`` for every graded cell of every
assignment in course order, then ``<assignment>`` (the assignment's total) and
``total``. The first row after the header, whose student is ``(max points)``, holds
what each column can reach. An assignment a student never submitted is left empty
in its exercise columns and counts 0 in the totals. Points are nbgrader's final
scores, so hand-made changes in formgrader are included.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat

from . import course, gradebook
from .notebooks import graded_cells
from .release import grading_notebook

MAX_ROW = "(max points)"


def course_cells(root: Path, names: list[str]) -> dict[str, list[tuple[str, float]]]:
    """{assignment: [(grade_id, max points)]} in notebook order, from the solution notebooks."""
    cells = {}
    for name in names:
        nb = grading_notebook(nbformat.read(str(course.solution_path(root, name)), as_version=4))
        cells[name] = [(m["grade_id"], float(m.get("points", 0))) for _, m in graded_cells(nb)]
    return cells


def rows(root: Path) -> list[dict[str, object]]:
    """The export's rows as dicts, the ``(max points)`` row first."""
    cells = course_cells(root, course.assignments(root))
    found = gradebook.scores(course.layout(root).db_url, cells)
    header_max: dict[str, object] = {"student": MAX_ROW}
    for name, graded in cells.items():
        for grade_id, points in graded:
            header_max[f"{name}/{grade_id}"] = points
        header_max[name] = sum(p for _, p in graded)
    header_max["total"] = sum(v for k, v in header_max.items() if k in cells)
    table: dict[str, dict[str, object]] = {}
    for score in found:
        row = table.setdefault(score.student, {"student": score.student})
        row[f"{score.assignment}/{score.grade_id}"] = "" if score.points is None else score.points
        row[score.assignment] = float(row.get(score.assignment, 0.0)) + (score.points or 0.0)
    for row in table.values():
        row["total"] = sum(float(row.get(name, 0.0)) for name in cells)
    return [header_max, *(table[s] for s in sorted(table))]


def write(root: Path, target: Path) -> int:
    """Write the CSV to ``target``; return the number of students in it."""
    table = rows(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        for row in table:
            writer.writerow({k: _number(v) for k, v in row.items()})
    return len(table) - 1


def _number(value: object) -> object:
    return f"{value:g}" if isinstance(value, float) else value

"""dlgrade's scores in nbgrader's gradebook, so that nbgrader's own tools keep working.

The gradebook holds each assignment's graded cells (as ``nbgrader generate_assignment``
records them) and each student's score per cell. dlgrade writes the automatic scores;
an instructor may still change a score by hand in nbgrader's formgrader, and every
score read back here (for feedback and export) is nbgrader's final one: the manual
score where there is one, else the automatic one.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import SaveCells
from sqlalchemy.exc import SAWarning

from .course import CourseError


def _alembic_on_path() -> None:
    """nbgrader runs ``alembic`` by name when it creates a gradebook: find this Python's."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])


@contextmanager
def opened(db_url: str) -> Iterator[Gradebook]:
    _alembic_on_path()
    with Gradebook(db_url) as gradebook:
        yield gradebook


def register(db_url: str, assignment: str, grading: nbformat.NotebookNode) -> None:
    """Record ``assignment`` and its graded cells, as nbgrader's generate_assignment would.

    Re-registering an unchanged assignment is harmless. Changing which cells are graded
    after students have been graded is refused by nbgrader (RuntimeError), and rightly so.
    """
    with opened(db_url) as gradebook:
        gradebook.update_or_create_assignment(assignment)
    resources = {"nbgrader": {"notebook": assignment, "assignment": assignment, "db_url": db_url}}
    try:
        SaveCells().preprocess(nbformat.from_dict(grading), resources)
    except RuntimeError as error:  # graded cells changed after students were graded
        raise CourseError(
            f"{assignment}: {error}. Grade the submissions against the solution notebook they "
            "were released from, or remove the assignment's submissions from the gradebook."
        ) from None


def record(db_url: str, result: dict) -> None:
    """Write one graded submission (a result of :mod:`autograder.autograde`) into the gradebook."""
    student, assignment = result["student"], result["assignment"]
    with opened(db_url) as gradebook, warnings.catch_warnings():
        # nbgrader 0.9.6's add_submission trips SQLAlchemy's autoflush warnings; harmless.
        warnings.simplefilter("ignore", SAWarning)
        gradebook.update_or_create_student(student)
        stamp = {"timestamp": result["timestamp"]} if result.get("timestamp") else {}
        gradebook.update_or_create_submission(assignment, student, **stamp)
        notebook = gradebook.find_submission_notebook(assignment, assignment, student)
        notebook.flagged = bool(result["events"]) or result["status"] != "graded"
        for cell in result["cells"]:
            grade = gradebook.find_grade(cell["grade_id"], assignment, assignment, student)
            grade.auto_score = float(cell["score"])
        gradebook.db.commit()


@dataclass(frozen=True)
class Score:
    """A student's points on one graded cell (None: no submission)."""

    student: str
    assignment: str
    grade_id: str
    max_points: float
    points: float | None


def scores(
    db_url: str, cells: dict[str, list[tuple[str, float]]], students: list[str] | None = None
) -> list[Score]:
    """Final points on the graded cells ``{assignment: [(grade_id, max)]}``.

    For every student of the gradebook, or for ``students`` only.
    """
    found = []
    with opened(db_url) as gradebook:
        if students is None:
            students = sorted(s.id for s in gradebook.students)
        for assignment, graded in cells.items():
            for student in students:
                for grade_id, max_points in graded:
                    try:
                        grade = gradebook.find_grade(grade_id, assignment, assignment, student)
                        points = float(grade.score)
                    except MissingEntry:
                        points = None
                    found.append(Score(student, assignment, grade_id, max_points, points))
    return found

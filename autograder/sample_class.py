"""A sample class made from the course itself, to test the whole grading pipeline on.

For each assignment it hands in, in nbgrader's layout, the work of three kinds of
student: ``solution`` (the release with every exercise solved), ``blank`` (the
release untouched), and ``mutant-1``, ``mutant-2``... (solved, except that one
exercise is a wrong implementation from the bug zoo). ``dlgrade selftest`` grades
this class with ``dlgrade autograde`` in a copy of the course, so that the grader
is tested the way it grades a real class.
"""

from __future__ import annotations

import ast
import importlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import NOTEBOOKS, course
from .bugzoo import Bug, bugs_for


@dataclass(frozen=True)
class Student:
    """Who handed in what: the kind of work, and for a mutant the bug and its test cell."""

    name: str
    assignment: str
    kind: str  # "solution", "blank" or "mutant"
    bug: Bug | None = None
    test_cell: str | None = None  # the grade_id of the test cell the bug must lose points on


def copy_course(root: Path, target: Path) -> Path:
    """A copy of the course's configuration, solutions and release at ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / "nbgrader_config.py", target / "nbgrader_config.py")
    for folder in (course.SOLUTIONS, course.RELEASE):
        shutil.copytree(root / folder, target / folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.html"))  # fmt: skip
    return target


def _meta(cell: nbformat.NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solved(root: Path, name: str) -> nbformat.NotebookNode:
    """The release of ``name`` with each solution cell replaced by the instructor's."""
    solution = nbformat.read(str(course.solution_path(root, name)), as_version=4)
    answers = {_meta(c)["grade_id"]: c.source for c in solution.cells if _meta(c).get("solution")}
    release = nbformat.read(str(course.release_path(root, name)), as_version=4)
    for cell in release.cells:
        if _meta(cell).get("solution"):
            cell.source = answers[_meta(cell)["grade_id"]]
    return release


def _exercise_cells(nb: nbformat.NotebookNode, test_cell: str) -> list[nbformat.NotebookNode]:
    """The solution cells between the test cell ``test_cell`` and the test cell before it."""
    cells: list[nbformat.NotebookNode] = []
    for cell in nb.cells:
        meta = _meta(cell)
        if meta.get("grade") and not meta.get("solution"):
            if meta.get("grade_id") == test_cell:
                return cells
            cells = []
        elif meta.get("solution"):
            cells.append(cell)
    raise KeyError(f"no test cell {test_cell!r}")


def mutate(nb: nbformat.NotebookNode, bug: Bug, test_cell: str) -> nbformat.NotebookNode:
    """``nb`` with the functions the test cell checks replaced by ``bug``'s implementation."""
    mutant = nbformat.from_dict(nb)
    cells = _exercise_cells(mutant, test_cell)
    defined = [
        node.name
        for cell in cells
        for node in ast.parse(cell.source).body
        if isinstance(node, ast.FunctionDef)
    ]
    if len(defined) != len(bug.implementation):
        raise ValueError(
            f"{test_cell}: the solution defines {defined}, the bug {bug.name!r} "
            f"replaces {len(bug.implementation)} function(s)"
        )
    imports = [
        f"from {f.__module__} import {f.__qualname__} as {name}"
        for f, name in zip(bug.implementation, defined)
    ]
    cells[-1].source += "\n\n" + "\n".join(imports) + "\n"
    return mutant


def _test_cell_of(name: str, bug: Bug) -> str:
    checks = importlib.import_module(f"autograder.{NOTEBOOKS[name]}").CHECKS
    return next(grade_id for grade_id, (check, _) in checks.items() if check is bug.check)


def mutants_for(name: str, count: int) -> list[tuple[Bug, str]]:
    """``count`` bugs of ``name``'s zoo, from different exercises, spread over the notebook."""
    by_cell: dict[str, Bug] = {}
    for bug in bugs_for(name):
        by_cell.setdefault(_test_cell_of(name, bug), bug)
    cells = list(by_cell)
    if count >= len(cells):
        picked = cells
    else:
        step = (len(cells) - 1) / max(count - 1, 1)
        picked = [cells[round(i * step)] for i in range(count)]
    return [(by_cell[c], c) for c in picked]


def hand_in(root: Path, names: list[str], mutants: int = 2) -> list[Student]:
    """Write the sample class into ``root``/submitted (``root`` is a course copy)."""
    students = []
    for name in names:
        right = solved(root, name)
        release = nbformat.read(str(course.release_path(root, name)), as_version=4)
        work = [(Student("solution", name, "solution"), right),
                (Student("blank", name, "blank"), release)]  # fmt: skip
        for index, (bug, test_cell) in enumerate(mutants_for(name, mutants), start=1):
            who = Student(f"mutant-{index}", name, "mutant", bug, test_cell)
            work.append((who, mutate(right, bug, test_cell)))
        for student, nb in work:
            folder = root / "submitted" / student.name / name
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(folder / f"{name}.ipynb"))
            students.append(student)
    return students

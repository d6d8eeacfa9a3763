"""A tiny course of two exercises, for testing dlgrade's class grading quickly.

``01_numbers`` asks for ``double`` (2 points: 1 public, 1 hidden) and ``square``
(1 point, public). Its test cells are plain Python, so a kernel runs them in
well under a second. Tests reach the helpers below through the ``tiny`` fixture
(pytest imports test modules with importlib, so they cannot import this file).
"""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.release import grading_notebook, hide_tests, release_notebook

ASSIGNMENT = "01_numbers"


def _graded(source: str, grade_id: str, *, points: float | None = None):
    cell = new_code_cell(source)
    meta = {"grade_id": grade_id, "schema_version": 3, "locked": points is not None,
            "solution": points is None, "grade": points is not None}  # fmt: skip
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def _test_source(name: str, public: str, hidden: str = "") -> str:
    lines = ["try:", f"    score = 1.0 if {public} else 0.0"]
    if hidden:
        lines += ["    ### BEGIN HIDDEN TESTS", f"    score += 1.0 if {hidden} else 0.0",
                  "    ### END HIDDEN TESTS"]  # fmt: skip
    lines += ["except NotImplementedError:", "    score = 0.0", f"print('{name}:', score)", "score"]
    return "\n".join(lines)


def solution_notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Numbers"),
        _graded("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
                "double"),
        _graded(_test_source("double", "double(2) == 4", "double(-7) == -14"), "test_double",
                points=2),
        new_markdown_cell("Now squares."),
        _graded("def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION",
                "square"),
        _graded(_test_source("square", "square(3) == 9"), "test_square", points=1),
        new_code_cell("print(double(square(2)))"),
    ]  # fmt: skip
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    return nb


def submission(solutions: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The release with some solution cells filled in ({grade_id: source})."""
    nb = release_notebook(solution_notebook())
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if solutions and grade_id in solutions:
            cell.source = solutions[grade_id]
    return nb


RIGHT = {"double": "def double(x):\n    return 2 * x", "square": "def square(x):\n    return x * x"}


def cell_index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    return next(
        i
        for i, c in enumerate(nb.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def hand_in(root: Path, student: str, nb=None, *, name: str = ASSIGNMENT, text: str | None = None):
    """Put a submission where nbgrader's collect would: submitted/<student>/<assignment>/."""
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    if text is not None:
        path.write_text(text)
    else:
        nbformat.write(copy.deepcopy(nb), str(path))
    return path


@pytest.fixture
def tiny():
    """The helpers of this file: tiny.submission(...), tiny.hand_in(...), tiny.RIGHT..."""
    grading = grading_notebook(solution_notebook())
    return SimpleNamespace(
        ASSIGNMENT=ASSIGNMENT, RIGHT=RIGHT, cell_index=cell_index, hand_in=hand_in,
        solution_notebook=solution_notebook, submission=submission,
        grading=grading, release=hide_tests(grading),
    )  # fmt: skip


@pytest.fixture
def tiny_course(tmp_path, monkeypatch):
    """A course root with solutions/ and notebooks/ for 01_numbers; the working folder."""
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    for folder, nb in (("solutions", solution_notebook()),
                       ("notebooks", release_notebook(solution_notebook()))):  # fmt: skip
        (tmp_path / folder / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(nb, str(tmp_path / folder / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLGRADE_SEED", "7")
    return tmp_path

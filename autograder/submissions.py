"""Finding a class's submissions and making each one gradable, whatever happened to it.

Submissions follow nbgrader's layout, ``submitted/<student>/<assignment>/<assignment>.ipynb``
(with nbgrader's optional ``timestamp.txt`` beside the notebook). Students rename
files, delete or duplicate cells, switch a cell to markdown, edit a test cell, or
hand in a file cut short. None of that may stop a batch, and none may change what
is graded: :func:`repair` rebuilds the notebook on the grading notebook's graded
cells, keeping the student's work (their solution cells and any cells they added),
and returns the list of what it had to do, for the instructor.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.corpus.words import generate_corpus_id as random_cell_id
from nbgrader.utils import compute_checksum, parse_utc


@dataclass
class Submission:
    """One student's hand-in of one assignment: where it is and what was odd about it."""

    student: str
    assignment: str
    folder: Path
    notebook: Path | None = None  # None when the folder holds no notebook
    timestamp: str | None = None
    events: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.student}/{self.assignment}"


def find_submissions(submitted: Path, assignments: list[str]) -> list[Submission]:
    """Every ``submitted/<student>/<assignment>/`` folder of the given assignments, sorted."""
    if not submitted.is_dir():
        raise FileNotFoundError(f"no submissions folder at {submitted}")
    found = []
    for student in sorted(p for p in submitted.iterdir() if p.is_dir()):
        for name in assignments:
            folder = student / name
            if folder.is_dir():
                found.append(_describe(Submission(student.name, name, folder)))
    return found


def unknown_folders(submitted: Path, assignments: list[str]) -> list[str]:
    """Folders under ``submitted/<student>/`` that are not an assignment of the course."""
    return sorted(
        f"{student.name}/{folder.name}"
        for student in submitted.iterdir()
        if student.is_dir()
        for folder in student.iterdir()
        if folder.is_dir() and folder.name not in assignments
    )


def _describe(sub: Submission) -> Submission:
    stamp = sub.folder / "timestamp.txt"
    if stamp.is_file():
        text = stamp.read_text(errors="replace").strip()
        try:
            parse_utc(text)
            sub.timestamp = text
        except (ValueError, OverflowError):
            sub.events.append(f"timestamp.txt holds no date ({text[:40]!r}): ignored")
    sub.notebook, events = locate_notebook(sub.folder, sub.assignment)
    sub.events += events
    return sub


def locate_notebook(folder: Path, assignment: str) -> tuple[Path | None, list[str]]:
    """The notebook to grade in ``folder``: ``<assignment>.ipynb``, or the one a student renamed."""
    expected = folder / f"{assignment}.ipynb"
    if expected.is_file():
        return expected, []
    others = sorted(folder.glob("*.ipynb"))
    if len(others) == 1:
        return others[0], [f"the notebook was renamed to {others[0].name}; graded it"]
    if not others:
        return None, [f"no notebook in the submission (expected {expected.name}); scored 0"]
    names = ", ".join(p.name for p in others)
    return None, [
        f"no {expected.name} but several notebooks ({names}): cannot tell which; scored 0"
    ]


def load(path: Path) -> tuple[nbformat.NotebookNode | None, list[str]]:
    """The notebook at ``path``, or None and the reason (cut-short JSON, not a notebook)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [f"{path.name} cannot be read ({error}); scored 0"]
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return None, [
            f"{path.name} is not valid JSON (cut short or damaged at line {error.lineno}, "
            f"of {len(text.splitlines())}); scored 0"
        ]
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat's own errors for JSON that is not a notebook
        return None, [f"{path.name} is not a notebook ({error}); scored 0"]
    return nb, []


def _grade_id(cell: nbformat.NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _is_solution(cell: nbformat.NotebookNode) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def _ordinary(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``cell`` without nbgrader metadata: it runs, but is neither graded nor restored."""
    plain = copy.deepcopy(cell)
    plain.metadata.pop("nbgrader", None)
    return plain


def _retyped(cell: nbformat.NotebookNode, like: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student's ``cell`` as a cell of ``like``'s type, with ``like``'s nbgrader metadata."""
    make = nbformat.v4.new_code_cell if like.cell_type == "code" else nbformat.v4.new_markdown_cell
    fixed = make(cell.source, metadata=copy.deepcopy(cell.get("metadata", {})))
    fixed.metadata["nbgrader"] = copy.deepcopy(like.metadata["nbgrader"])
    return fixed


def repair(
    student: nbformat.NotebookNode,
    grading: nbformat.NotebookNode,
    release: nbformat.NotebookNode,
) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook to execute for a submission, and what had to be repaired.

    ``grading`` is the grading notebook (hidden tests in place) and ``release`` the
    student's release of it. Every graded or locked cell comes from ``grading``;
    every solution cell is the student's, set back to a code cell if it was switched
    to markdown; a duplicated solution cell still runs but is not graded, a
    duplicated test cell is dropped; a deleted graded cell is put back after the
    graded cell that precedes it in ``grading``; cells the student added stay.
    """
    master = {_grade_id(c): c for c in grading.cells if _grade_id(c)}
    public = {_grade_id(c): c for c in release.cells if _grade_id(c)}
    events: list[str] = []
    cells: list[nbformat.NotebookNode] = []
    seen: set[str] = set()
    for cell in student.cells:
        grade_id = _grade_id(cell)
        if grade_id is None:
            cells.append(cell)
        elif grade_id not in master:
            events.append(f"cell {grade_id!r} is not part of the assignment: kept, not graded")
            cells.append(_ordinary(cell))
        elif grade_id in seen:
            if _is_solution(master[grade_id]):
                events.append(f"solution cell {grade_id!r} is duplicated: the copy runs, ungraded")
                cells.append(_ordinary(cell))
            else:
                events.append(f"test cell {grade_id!r} is duplicated: the copy was removed")
        else:
            seen.add(grade_id)
            cells.append(_restored(cell, master[grade_id], public[grade_id], events))
    for grade_id in master:
        if grade_id not in seen:
            _put_back(cells, grading, grade_id, events)
    repaired = nbformat.from_dict(copy.deepcopy(dict(grading)))
    repaired.cells = _unique_ids(cells)
    return repaired, events


def _unique_ids(cells: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """``cells`` with a new id for any cell whose id an earlier cell already has."""
    taken: set[str] = set()
    for cell in cells:
        if cell.get("id") in taken:
            cell["id"] = random_cell_id()
        taken.add(cell.get("id"))
    return cells


def _restored(cell, master_cell, public_cell, events: list[str]) -> nbformat.NotebookNode:
    grade_id = _grade_id(master_cell)
    if cell.cell_type != master_cell.cell_type:
        was, back = cell.cell_type, master_cell.cell_type
        events.append(f"cell {grade_id!r} was switched to {was}: restored as {back}")
    if _is_solution(master_cell):
        return _retyped(cell, master_cell) if cell.cell_type != master_cell.cell_type else cell
    stored = public_cell.metadata["nbgrader"].get("checksum")
    if cell.cell_type == master_cell.cell_type and compute_checksum(cell) != stored:
        events.append(f"locked cell {grade_id!r} was edited: restored from the release")
    return copy.deepcopy(master_cell)


def _put_back(cells: list, grading: nbformat.NotebookNode, grade_id: str, events: list[str]):
    """Insert the grading notebook's cell ``grade_id`` after its nearest graded predecessor."""
    order = [_grade_id(c) for c in grading.cells if _grade_id(c)]
    position = 0
    for earlier in reversed(order[: order.index(grade_id)]):
        index = next((i for i, c in enumerate(cells) if _grade_id(c) == earlier), None)
        if index is not None:
            position = index + 1
            break
    master_cell = next(c for c in grading.cells if _grade_id(c) == grade_id)
    cells.insert(position, copy.deepcopy(master_cell))
    what = "solution cell" if _is_solution(master_cell) else "cell"
    note = " (graded as blank)" if _is_solution(master_cell) else ""
    events.append(f"{what} {grade_id!r} was deleted: put back{note}")

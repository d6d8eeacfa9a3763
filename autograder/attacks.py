"""The attack corpus: submissions of 01_perceptron that cheat, or try to break the grader.

Trusted grading (``dlgrade autograde``) claims that nothing in a notebook can raise
its own score, touch the gradebook, see the instructor's files or stop the batch.
This module builds the submissions that put the claim to the test, each with the
score it deserves in trusted mode; the self-test hands them in to a copy of the
course (:func:`hand_in`), grades them in trusted and in plain mode, and compares.

- ``solution``, ``blank`` and ``wrong``: the instructor's solutions pasted into the
  release, the release itself, and the release with wrong implementations that run
  and score exactly 0 (:func:`wrong_notebook`).
- Cheats, each ``wrong`` plus an attack: it deserves 0, and in plain nbgrader (the
  tests run in the student's kernel, the score read from its display) it wins points.
- Robustness cases, each ``solution`` plus something that kills, floods or stalls the
  kernel, or a mangled file: it deserves full marks, or what the mangling costs.

An attack's code is in :mod:`autograder.attack_cells`. Every process an attack
starts that could outlive grading carries the caller's token in its argv:
:func:`survivors` finds those still running and :func:`kill_survivors` ends them.
"""

from __future__ import annotations

import ast
import copy
import os
import re
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbformat.corpus.words import generate_corpus_id as random_cell_id

from . import attack_cells as cells
from . import course, sample_class

ASSIGNMENT = "01_perceptron"
#: The file name of the ``renamed`` attack (what a browser makes of a second download).
RENAMED = "my_perceptron (1).ipynb"
#: The format of nbgrader's timestamp.txt (its Exchange.timestamp_format, in UTC).
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"

_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")
_STUDENT = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Attack:
    """One submission of the corpus: who, what it does, what it deserves, its files.

    ``reason`` is a lower-case piece of text that trusted grading's report of this
    submission must contain (in its events, or a graded cell's error or report,
    compared in lower case), or None when no particular reason is expected.
    """

    student: str  # the folder under submitted/
    what: str  # one line for the self-test's table
    deserved: float  # the score it deserves in trusted mode
    files: dict[str, bytes]  # file name -> content, for submitted/<student>/<assignment>/
    reason: str | None = None

    def __post_init__(self) -> None:
        if not _STUDENT.fullmatch(self.student):
            raise ValueError(f"an attack's student must be a plain folder name: {self.student!r}")
        if not self.what or "\n" in self.what:
            raise ValueError(f"{self.student}: `what` must be one line, got {self.what!r}")
        score = self.deserved
        if isinstance(score, bool) or not isinstance(score, (int, float)) or score < 0:
            raise ValueError(f"{self.student}: deserved must be a score >= 0, got {score!r}")
        if not self.files:
            raise ValueError(f"{self.student}: an attack hands in at least one file")
        for name, data in self.files.items():
            if not name or "/" in name or name in (".", "..", "timestamp.txt"):
                raise ValueError(f"{self.student}: {name!r} is not a plain file name")
            if not isinstance(data, bytes):
                raise TypeError(f"{self.student}: {name} must be bytes, got {type(data).__name__}")
        if self.reason is not None and (not self.reason or self.reason != self.reason.lower()):
            raise ValueError(f"{self.student}: reason must be lower-case text, got {self.reason!r}")


def make_token() -> str:
    """A fresh token to mark the corpus's processes with (``dlgrade-attack-`` and 12 hex)."""
    return f"dlgrade-attack-{secrets.token_hex(6)}"


def detached_proof(token: str) -> Path:
    """The file that the ``detached`` attack writes if it outlives grading by 5 s."""
    return Path("/tmp") / f"{_checked_token(token)}-detached"


# ------------------------------------------------------------------ corpus
def corpus(root: Path, *, token: str, memory_limit: int) -> list[Attack]:
    """The corpus, built from the course at ``root`` (its solutions/ and its release).

    ``token`` marks the processes the attacks start (8 to 64 letters, digits, ``-``,
    ``_``); ``memory_limit`` is the sandbox's memory limit in bytes, which the
    memory bomb exceeds by half.
    """
    _checked_token(token)
    if isinstance(memory_limit, bool) or not isinstance(memory_limit, int) or memory_limit <= 0:
        raise ValueError(f"memory_limit must be a positive number of bytes, got {memory_limit!r}")
    right = sample_class.solved(root, ASSIGNMENT)
    release = nbformat.read(str(course.release_path(root, ASSIGNMENT)), as_version=4)
    wrong = wrong_notebook(release)
    return [
        _handed("solution", "the instructor's solutions", _points(right), right),
        _handed("blank", "the release, unanswered", 0, release),
        _handed("wrong", "wrong code that runs (the cheats' base)", 0, wrong),
        *_cheats(wrong),
        *_robustness(right, token, memory_limit),
    ]


def _cheats(wrong: nbformat.NotebookNode) -> list[Attack]:
    def cheat(student: str, what: str, source: str, wrap: str | None = None) -> Attack:
        nb = with_cell(wrong, cells.fill(source, student=student, assignment=ASSIGNMENT))
        return _handed(student, what, 0, after_each_solution(nb, wrap) if wrap else nb)

    return [
        cheat("transformer", "an input transformer blanks every later cell", cells.TRANSFORMER),
        cheat("allclose", "np.isclose, np.allclose and np.testing agree with anything",
              cells.ALLCLOSE),
        cheat("float_patch", "builtins.float patched to give full points", cells.FLOAT_PATCH),
        cheat("formatter", "a display formatter shows every float as full points",
              cells.FORMATTER),
        cheat("list_eq", "results are lists equal to anything (==, np.isclose)", cells.LIST_EQ,
              cells.LIST_EQ_WRAP),
        cheat("patch_checks", "autograder.perceptron's checks replaced by full marks",
              cells.PATCH_CHECKS),
        cheat("gradebook_write", "writes full marks and extra credit into gradebook.db",
              cells.GRADEBOOK_WRITE),
        cheat("copies_solutions", "looks for solutions/ and runs the instructor's code",
              cells.COPIES_SOLUTIONS, cells.STOLEN),
        cheat("copies_classmate", "looks for classmates' notebooks and runs their code",
              cells.COPIES_CLASSMATE, cells.STOLEN),
        cheat("grading_markers", "probes for signs of grading, then patches the checks",
              cells.GRADING_MARKERS),
    ]  # fmt: skip


def _robustness(right: nbformat.NotebookNode, token: str, memory_limit: int) -> list[Attack]:
    full = _points(right)

    def case(student, what, source, after, reason=None):
        return _handed(student, what, full, with_cell(right, source, after=after), reason)

    target = -(-3 * memory_limit // 2)  # 1.5 times the limit, rounded up
    # perceptron_loss is the exercise no other one calls: deleting it costs its points only
    # (step's deletion would cost predict, perceptron_update and train_perceptron too).
    deleted = without(right, "perceptron_loss", "test_predict")
    whole = _notebook_bytes(right)
    return [
        case("os_exit", "os._exit(1) after the second test cell", cells.OS_EXIT, "test_predict",
             "kernel died"),
        case("sys_exit", "sys.exit(3) in a cell", cells.SYS_EXIT, "test_step"),
        case("sigint_loop", "a loop that ignores SIGINT", cells.SIGINT_LOOP, "test_predict",
             "timed out"),
        case("memory_bomb", f"touches 1.5 x the memory limit ({target} bytes)",
             cells.fill(cells.MEMORY_BOMB, target=target), "test_step"),
        case("fork_loop", "forks 400 children that sleep 30 s", cells.FORK_LOOP, "test_step"),
        case("detached", "a detached process that outlives grading",
             cells.fill(cells.DETACHED, token=token), "test_step"),
        case("flood", "prints 200 000 lines", cells.FLOOD, "test_perceptron_update"),
        case("surrogate", "prints a lone surrogate character", cells.SURROGATE, "test_step"),
        _handed("warnings", "correct code that warns at every call", full,
                after_each_solution(with_cell(right, cells.WARNINGS), cells.WARNINGS_WRAP)),
        _handed("deleted_cell", "perceptron_loss's solution and test_predict deleted",
                full - _points(right, "test_perceptron_loss"), deleted, "was deleted"),
        _handed("duplicated_cell", "perceptron_update's solution and test_step duplicated",
                full, duplicated(right, "perceptron_update", "test_step"), "duplicated"),
        Attack("renamed", f"the notebook renamed to {RENAMED!r}", full,
               {RENAMED: whole}, "renamed"),
        Attack("truncated", "the notebook's JSON cut in half", 0.0,
               {f"{ASSIGNMENT}.ipynb": whole[: len(whole) // 2]}, "not valid json"),
    ]  # fmt: skip


# -------------------------------------------------------- notebook surgery
def _grade_id(cell: nbformat.NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _is_solution(cell: nbformat.NotebookNode) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def _index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    for index, cell in enumerate(nb.cells):
        if _grade_id(cell) == grade_id:
            return index
    raise KeyError(f"the notebook has no cell with grade_id {grade_id!r}")


def _points(nb: nbformat.NotebookNode, grade_id: str | None = None) -> float:
    """The points of the test cell ``grade_id``, or of every test cell."""
    graded = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    return float(sum(c.metadata.nbgrader.get("points", 0) for c in graded
                     if grade_id is None or _grade_id(c) == grade_id))  # fmt: skip


def wrong_notebook(release: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``release`` with each solution cell answered by its wrong body (``WRONG_BODIES``)."""
    wrong = copy.deepcopy(release)
    for cell in wrong.cells:
        if not _is_solution(cell):
            continue
        grade_id = _grade_id(cell)
        if grade_id not in cells.WRONG_BODIES or cells.BLANK_BODY not in cell.source:
            raise ValueError(
                f"solution cell {grade_id!r} of the release is not a blank this corpus knows "
                f"(expected one of {sorted(cells.WRONG_BODIES)}, ending in the release's blank)"
            )
        cell.source = cell.source.replace(cells.BLANK_BODY, cells.WRONG_BODIES[grade_id])
    return wrong


def with_cell(
    nb: nbformat.NotebookNode, source: str, *, after: str | None = None
) -> nbformat.NotebookNode:
    """A copy of ``nb`` with an ordinary (ungraded) code cell holding ``source``.

    It goes right after the cell whose grade_id is ``after``, or, without ``after``,
    after the first code cell (the notebook's imports), so that it runs before any
    exercise.
    """
    changed = copy.deepcopy(nb)
    if after is None:
        index = next(i for i, c in enumerate(changed.cells) if c.cell_type == "code")
    else:
        index = _index(changed, after)
    changed.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return changed


def after_each_solution(nb: nbformat.NotebookNode, template: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose solution cells end with ``template`` for each function defined.

    ``template`` is formatted with ``name``, e.g. ``"{name} = warns({name})"``.
    """
    changed = copy.deepcopy(nb)
    for cell in changed.cells:
        if _is_solution(cell):
            names = [node.name for node in ast.parse(cell.source).body
                     if isinstance(node, ast.FunctionDef)]  # fmt: skip
            lines = [template.format(name=name) for name in names]
            cell.source = cell.source.rstrip("\n") + "\n\n\n" + "\n".join(lines) + "\n"
    return changed


def without(nb: nbformat.NotebookNode, *grade_ids: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` without the cells ``grade_ids`` (a student deleted them)."""
    changed = copy.deepcopy(nb)
    for grade_id in grade_ids:
        del changed.cells[_index(changed, grade_id)]
    return changed


def duplicated(nb: nbformat.NotebookNode, *grade_ids: str) -> nbformat.NotebookNode:
    """A copy of ``nb`` where each cell ``grade_ids`` is followed by a copy (with its own id)."""
    changed = copy.deepcopy(nb)
    for grade_id in grade_ids:
        index = _index(changed, grade_id)
        twin = copy.deepcopy(changed.cells[index])
        twin["id"] = random_cell_id()
        changed.cells.insert(index + 1, twin)
    return changed


def _notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def _handed(student, what, deserved, nb, reason=None) -> Attack:
    return Attack(student, what, float(deserved), {f"{ASSIGNMENT}.ipynb": _notebook_bytes(nb)},
                  reason)  # fmt: skip


# ------------------------------------------------------------- handing in
def hand_in(root: Path, attacks: list[Attack]) -> None:
    """Write each attack's files into ``submitted/<student>/01_perceptron/`` of ``root``.

    Beside them goes a ``timestamp.txt`` as nbgrader's submit writes it. ``root`` is
    a copy of the course (:func:`autograder.sample_class.copy_course`): the folders
    must not hold a submission already.
    """
    names = [attack.student for attack in attacks]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"students handed in twice: {', '.join(twice)}")
    submitted = course.layout(root).submitted
    folders = [submitted / attack.student / ASSIGNMENT for attack in attacks]
    taken = [str(folder) for folder in folders if folder.is_dir() and any(folder.iterdir())]
    if taken:
        raise FileExistsError(
            f"these folders already hold a submission: {', '.join(taken)} "
            "(hand the corpus in to a fresh copy of the course)"
        )
    stamp = datetime.now(timezone.utc).strftime(TIMESTAMP_FORMAT)
    for attack, folder in zip(attacks, folders):
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in attack.files.items():
            (folder / name).write_bytes(data)
        (folder / "timestamp.txt").write_text(stamp)


# ------------------------------------------------------------- survivors
def _checked_token(token: str) -> str:
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise ValueError(
            f"the token must be 8 to 64 letters, digits, '-' or '_' (see make_token), got {token!r}"
        )
    return token


def survivors(token: str) -> list[int]:
    """PIDs of the running processes whose command line holds ``token`` (this one excepted)."""
    needle = _checked_token(token).encode()
    found = []
    for pid, command in _command_lines():
        if needle in command and pid != os.getpid():
            found.append(pid)
    return sorted(found)


def _command_lines() -> list[tuple[int, bytes]]:
    """(pid, command line) of every process: from /proc, or from ps where there is none."""
    proc = Path("/proc")
    if not proc.is_dir():
        listing = subprocess.run(["ps", "-axww", "-o", "pid=,command="], capture_output=True,
                                 check=True).stdout  # fmt: skip
        rows = (line.strip().split(maxsplit=1) for line in listing.splitlines())
        return [(int(row[0]), row[1] if len(row) > 1 else b"") for row in rows if row]
    lines = []
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                lines.append((int(entry.name), (entry / "cmdline").read_bytes()))
            except OSError:  # it ended meanwhile, or is not ours to read
                continue
    return lines


def kill_survivors(token: str, *, wait: float = 5.0) -> int:
    """Kill (SIGKILL) every process :func:`survivors` finds; return how many were killed.

    Waits up to ``wait`` seconds for them to be gone, so that :func:`survivors` is
    then empty; says which ones it could not kill.
    """
    killed, refused = [], []
    for pid in survivors(token):
        try:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except ProcessLookupError:  # it ended on its own meanwhile
            continue
        except PermissionError:
            refused.append(pid)
    if refused:
        raise PermissionError(
            f"could not kill processes {refused} that carry the token {token!r}: they belong "
            "to another user (run as that user, or as root)"
        )
    deadline = time.monotonic() + wait
    while set(killed) & set(survivors(token)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(killed)

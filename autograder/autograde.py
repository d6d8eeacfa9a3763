"""``dlgrade autograde``: grade a class's submissions, several at once, and record the scores.

Each submission is graded by a worker process of its own (forked from a server that
imported the grader once: :mod:`autograder.worker`), in a fresh temporary folder and a
fresh kernel, under a time limit: whatever a submission does (a crash, an endless loop,
a dead kernel, broken JSON), it costs that submission only. The main process starts the workers,
shows a progress bar, writes each result into nbgrader's gradebook as it arrives,
and keeps it in ``autograded/<student>/<assignment>/`` with the executed notebook,
whose hidden tests' source is removed. A second run skips the submissions already
graded from the same notebook with the same grading notebook, so an interrupted
batch resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import course
from .core import SEED_VARIABLE
from .notebooks import CELL_TIMEOUT, GradedCell, graded_cells, run_in, score_executed
from .release import grading_notebook, hide_tests
from .sandbox import Limits, scratch
from .submissions import Submission, find_submissions, load, repair, unknown_folders
from .trusted import Grader
from .worker import WorkerServer

#: The file, beside each autograded notebook, that holds the submission's result.
RESULT = "dlgrade.json"
#: Seconds one submission may take in all before its worker is killed.
SUBMISSION_TIMEOUT = 900
#: Statuses that a second run does not grade again (for the same notebook).
FINAL = ("graded", "missing", "unreadable")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def notebook_digest(nb: nbformat.NotebookNode) -> str:
    return digest(nbformat.writes(nb).encode())


def blank_result(job: dict, grading: nbformat.NotebookNode) -> dict:
    """A result with every graded cell at 0: what a submission scores until it is graded."""
    cells = [
        asdict(GradedCell(meta["grade_id"], float(meta.get("points", 0)), 0.0))
        for _, meta in graded_cells(grading)
    ]
    keys = ("student", "assignment", "timestamp", "source_sha", "grading_sha", "seed", "mode")
    return {**{k: job.get(k) for k in keys}, "status": "failed", "events": list(job["events"]),
            "cells": cells, "errors": [], "seconds": 0.0}  # fmt: skip


# ------------------------------------------------------------------ the worker
def grade(job: dict) -> dict:
    """Grade one submission described by ``job``; write the autograded notebook; the result."""
    root, assignment = Path(job["root"]), job["assignment"]
    grading = grading_notebook(nbformat.read(str(course.solution_path(root, assignment)), 4))
    result = blank_result(job, grading)
    if job["notebook"] is None:
        result["status"] = "missing"
        return result
    submitted, events = load(Path(job["notebook"]))
    result["events"] += events
    if submitted is None:
        result["status"] = "unreadable"
        return result
    repaired, events = repair(submitted, grading, hide_tests(grading))
    result["events"] += events
    os.environ.update({SEED_VARIABLE: str(job["seed"]), "DLCORE_PROGRESS": "0"})
    shipped = course.release_path(root, assignment).parent
    phases: dict[str, float] = {}
    if job["mode"] == "plain":
        cells, errors, seconds = _grade_plain(repaired, shipped, job, result["events"])
    else:
        cells, errors, seconds, phases = _grade_trusted(repaired, grading, shipped, job,
                                                        result["events"])  # fmt: skip
    result.update(status="graded", seconds=round(seconds, 2), errors=errors)
    if phases:  # trusted mode: where the seconds went
        result["phases"] = {name: round(value, 2) for name, value in phases.items()}
    result["cells"] = [asdict(cell) for cell in cells]
    target = Path(job["autograded"]) / f"{assignment}.ipynb"
    nbformat.write(_for_feedback(repaired), str(target))
    return result


def _grade_trusted(nb, grading, shipped: Path, job: dict, events: list[str]):
    """The student's cells in a sandboxed kernel; the tests (from ``grading``) here."""
    tests = {meta["grade_id"]: grading.cells[index].source for index, meta in graded_cells(grading)}
    limits = Limits(**job["limits"])
    with (
        tempfile.TemporaryDirectory(prefix="dlgrade-") as base,
        scratch(Path(base), limits.tmp_size),
    ):
        grader = Grader(Path(base), shipped, limits=limits, cell_timeout=job["cell_timeout"])
        run = grader.grade(nb, tests)
    events += run.events
    return run.cells, run.errors, run.seconds, run.phases


def _grade_plain(nb, shipped: Path, job: dict, events: list[str]):
    """nbgrader's way, for comparison: the test cells run in the student's own kernel,
    in the autograded folder, and the score is what the kernel displays
    (``nbgrader.utils.determine_grade``)."""
    from nbgrader.utils import determine_grade

    folder = Path(job["autograded"])
    _ship_assignment_files(shipped, folder)
    seconds, problem = run_in(nb, folder, timeout=job["cell_timeout"])
    if problem:
        events.append(problem)
    run = score_executed(nb, Path(job["notebook"]), seconds)
    by_id = {meta["grade_id"]: nb.cells[index] for index, meta in graded_cells(nb)}
    cells = []
    for cell in run.cells:
        try:
            score, _ = determine_grade(by_id[cell.grade_id])
        except (ValueError, KeyError) as error:
            score, cell.error = 0.0, cell.error or f"nbgrader could not read the score: {error}"
        cell.score = float(score or 0.0)
        cells.append(cell)
    return cells, run.errors, seconds


def _ship_assignment_files(release_folder: Path, folder: Path) -> None:
    """Copy the files an assignment ships beside its notebook (data, images) into ``folder``."""
    for path in release_folder.iterdir():
        if path.is_file() and path.suffix != ".ipynb":
            shutil.copy2(path, folder / path.name)


def _for_feedback(executed: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The executed notebook, safe to show a student: hidden tests' source removed.

    A test cell's traceback quotes its source, hidden lines included, so a test
    cell's error keeps only its one-line summary; other outputs are limited in length.
    """
    from nbgrader.preprocessors import LimitOutput

    limited, _ = LimitOutput(max_lines=1000, max_traceback=100).preprocess(executed, {})
    for cell in limited.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
    return hide_tests(limited)


def worker_main(job_path: str) -> int:
    """A worker's body (see :mod:`autograder.worker`): grade, write the result atomically."""
    job = json.loads(Path(job_path).read_text())
    result = grade(job)
    target = Path(job["autograded"]) / RESULT
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(result, indent=1))
    partial.replace(target)
    return 0


# ------------------------------------------------------------------- the batch
@dataclass
class Summary:
    """What a batch did: counts, and the submissions an instructor should look at."""

    graded: int = 0
    skipped: int = 0
    attention: list[tuple[str, str]] = field(default_factory=list)  # (student/assignment, why)
    seed: int = 0

    def lines(self) -> list[str]:
        out = [f"graded {self.graded}, unchanged and skipped {self.skipped}"]
        if self.attention:
            out.append(f"{len(self.attention)} notes for the instructor:")
            out += [f"  {key}: {why}" for key, why in self.attention]
        return out


def autograde(
    root: Path,
    *,
    submitted: Path | None = None,
    only: list[str] | None = None,
    jobs: int = 1,
    force: bool = False,
    seed: int | None = None,
    timeout: float = SUBMISSION_TIMEOUT,
    cell_timeout: int = CELL_TIMEOUT,
    plain: bool = False,
    limits: Limits | None = None,
    progress: bool = True,
) -> Summary:
    """Grade every submission under ``submitted`` (nbgrader's layout) and record the scores.

    Trusted mode (the default) runs each notebook sandboxed under ``limits`` and its
    tests in the grader; ``plain=True`` grades as nbgrader does, for comparison.
    """
    from tqdm.auto import tqdm

    from . import gradebook  # the main process's alone: workers never open the gradebook

    where = course.layout(root)
    submitted = Path(submitted) if submitted else where.submitted
    names = _assignments(root, only)
    summary = Summary(seed=seed if seed is not None else _seed())
    submissions = find_submissions(submitted, names)
    gradings = {}
    for name in sorted({sub.assignment for sub in submissions}):  # what was handed in
        gradings[name] = grading_notebook(nbformat.read(str(course.solution_path(root, name)), 4))
        gradebook.register(where.db_url, name, gradings[name])
    for folder in unknown_folders(submitted, names):
        summary.attention.append((folder, "not an assignment of this course: not graded"))
    how = {"mode": "plain" if plain else "trusted", "cell_timeout": cell_timeout,
           "limits": asdict(limits or Limits())}  # fmt: skip
    pending = []
    for sub in submissions:
        job = _job(root, where, sub, gradings[sub.assignment], summary.seed, how)
        previous = _previous(job)
        if previous and not force:
            gradebook.record(where.db_url, previous)  # a gradebook made anew gets it back
            summary.skipped += 1
        else:
            pending.append(job)
    with WorkerServer() as workers, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(_run_worker, job, gradings[job["assignment"]], timeout, workers)
                   for job in pending]  # fmt: skip
        bar = tqdm(total=len(futures), desc="autograde", unit="submission", disable=not progress)
        for future in as_completed(futures):
            result = future.result()
            gradebook.record(where.db_url, result)
            summary.graded += 1
            key = f"{result['student']}/{result['assignment']}"
            summary.attention += [(key, event) for event in result["events"]]
            bar.update()
        bar.close()
    return summary


def _assignments(root: Path, only: list[str] | None) -> list[str]:
    names = course.assignments(root)
    unknown = sorted(set(only or ()) - set(names))
    if unknown:
        raise course.CourseError(
            f"unknown assignment(s) {', '.join(unknown)}; the course has {names}"
        )
    return [n for n in names if not only or n in only]


def _seed() -> int:
    """The hidden cases' seed: DLGRADE_SEED when the instructor set it, else a fresh one."""
    value = os.environ.get(SEED_VARIABLE)
    if value is None:
        return secrets.randbits(62)
    try:
        return int(value)
    except ValueError:
        raise course.CourseError(f"{SEED_VARIABLE} must be an integer, got {value!r}") from None


def _job(root, where, sub: Submission, grading, seed: int, how: dict) -> dict:
    target = where.autograded / sub.student / sub.assignment
    source = digest(sub.notebook.read_bytes()) if sub.notebook else None
    return {
        "root": str(root), "student": sub.student, "assignment": sub.assignment,
        "notebook": str(sub.notebook) if sub.notebook else None, "timestamp": sub.timestamp,
        "events": sub.events, "autograded": str(target), "seed": seed, **how,
        "source_sha": source, "grading_sha": notebook_digest(grading),
    }  # fmt: skip


def _previous(job: dict) -> dict | None:
    """The stored result of this very submission under this grading notebook, if final."""
    path = Path(job["autograded"]) / RESULT
    try:
        result = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    same = all(result.get(k) == job[k] for k in ("source_sha", "grading_sha", "mode"))
    return result if same and result.get("status") in FINAL else None


def _run_worker(job: dict, grading: nbformat.NotebookNode, timeout: float,
                workers: WorkerServer) -> dict:
    """Grade ``job`` in a worker process of its own; any failure becomes a scored-0 result."""
    target = Path(job["autograded"])
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    job_path = target / "job.json"
    job_path.write_text(json.dumps(job))
    log = target / "worker.log"
    start = time.perf_counter()
    pid = workers.start(str(job_path), str(log))
    code = workers.wait(pid, timeout) if pid > 0 else None  # None: running at the time limit
    if pid > 0:
        _kill_group(pid)  # the worker (past its limit), and whatever it left behind
        workers.wait(pid, 10)
    job_path.unlink()
    try:
        return json.loads((target / RESULT).read_text())
    except (OSError, ValueError):
        pass
    result = blank_result(job, grading)
    if pid < 0:
        why = "grading failed (the server that starts the workers ended); scored 0"
    elif code is None:
        why = f"grading took longer than {timeout:g} s and was stopped; scored 0"
    else:
        why = f"grading failed (worker exit code {code}, see {log}); scored 0"
    result["events"].append(why)
    result["seconds"] = round(time.perf_counter() - start, 2)
    (target / RESULT).write_text(json.dumps(result, indent=1))
    return result


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


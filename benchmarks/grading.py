"""The grader's cost: `dlgrade autograde` on one complete submission and on a class.

Three measurements, each in a fresh temporary copy of the course
(``autograder.sample_class.copy_course``), so that the real course folder and its
gradebook are never touched:

1. One student hands in all nine notebooks, each solved (the release with the
   instructor's answers, ``sample_class.solved``); ``autograde`` grades them in
   trusted mode with one job, then (in another copy) with two. Target of issue 11:
   under 30 s in all.
2. A class of 20 submissions of 01_perceptron (mostly solved, some blank, some
   bug-zoo mutants: see :func:`class_of`) graded with two jobs, once in trusted
   mode and once the way plain nbgrader grades (``plain=True``), each in its own
   copy: submissions per minute, and whether every submission came back graded.
3. Peak memory of each of these: the process tree under this process (the
   workers, their sandboxes and kernels), read from /proc by
   ``benchmarks.course.ProcessTreeSampler``.

Trusted mode isolates each kernel only when the grader runs as root on Linux;
otherwise it grades in the sandbox's "limited" mode, and the section says so.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import course, sample_class
from autograder.autograde import RESULT, autograde
from autograder.sandbox import isolation_available
from benchmarks.course import ProcessTreeSampler, TreeMemory, mib

#: The issue's target for one student's nine notebooks graded in trusted mode, in seconds.
TARGET_COMPLETE_SECONDS = 30
CLASS_NOTEBOOK = "01_perceptron"
CLASS_SIZE = 20
CLASS_JOBS = 2
#: How many of a class are blank releases and bug-zoo mutants; the rest hand in solutions.
BLANKS, MUTANTS = 2, 4
#: The hidden cases' seed, fixed so that runs grade the same cases.
SEED = 11


@dataclass
class Batch:
    """One ``autograde`` call: its wall time, its results, the memory its processes used."""

    wall: float
    results: dict[str, dict] = field(default_factory=dict)  # "student/assignment" -> result
    memory: TreeMemory = field(default_factory=TreeMemory)

    @property
    def lost(self) -> list[str]:
        """Submissions that did not come back with the status "graded"."""
        return [key for key, result in self.results.items() if result.get("status") != "graded"]

    @property
    def events(self) -> list[str]:
        return [f"{key}: {event}" for key, r in self.results.items() for event in r["events"]]


# ---------------------------------------------------------------------- submissions
def hand_in(copy: Path, student: str, name: str, nb: nbformat.NotebookNode) -> None:
    """Put ``nb`` where nbgrader expects ``student``'s submission of ``name``."""
    folder = copy / "submitted" / student / name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / f"{name}.ipynb"))


@dataclass(frozen=True)
class Member:
    """A student of the benchmark's class and what they hand in."""

    student: str
    kind: str  # "solution", "blank" or "mutant"
    notebook: nbformat.NotebookNode
    bug: str = ""  # a mutant's bug, as the bug zoo names it


def class_of(copy: Path, size: int) -> list[Member]:
    """A class of ``size`` students handing in CLASS_NOTEBOOK.

    Student 1 and every fifth after hands in the blank release (at most BLANKS of
    them), students 2, 4, 6... a mutant (at most MUTANTS, each a different bug), the
    others the solution: mostly right work, as in a real class, with the failing
    paths of the grader exercised too.
    """
    right = sample_class.solved(copy, CLASS_NOTEBOOK)
    blank = nbformat.read(str(course.release_path(copy, CLASS_NOTEBOOK)), as_version=4)
    bugs = sample_class.mutants_for(CLASS_NOTEBOOK, MUTANTS)
    blanks, members = BLANKS, []
    for index in range(size):
        student = f"student-{index + 1:02d}"
        if index % 5 == 0 and blanks:
            blanks -= 1
            members.append(Member(student, "blank", blank))
        elif index % 2 == 1 and bugs:
            bug, test_cell = bugs.pop(0)
            mutant = sample_class.mutate(right, bug, test_cell)
            members.append(Member(student, "mutant", mutant, bug.name))
        else:
            members.append(Member(student, "solution", right))
    return members


# ------------------------------------------------------------------------- grading
def grade(copy: Path, names: list[str], *, jobs: int, plain: bool = False) -> Batch:
    """Run ``autograde`` on ``names`` in ``copy``/submitted; time it and read the results.

    Only ``names`` are registered in the gradebook, as ``dlgrade autograde -a NAME``
    does. Each result's ``finished`` is when its dlgrade.json was written, in seconds
    from the start of the call.
    """
    started, start = time.time(), time.perf_counter()
    with ProcessTreeSampler() as memory:
        autograde(copy, only=names, jobs=jobs, plain=plain, seed=SEED, progress=False)
    batch = Batch(wall=time.perf_counter() - start, memory=memory)
    autograded = course.layout(copy).autograded
    for path in sorted(autograded.glob(f"*/*/{RESULT}")):
        result = json.loads(path.read_text())
        result["finished"] = path.stat().st_mtime - started
        batch.results[f"{path.parent.parent.name}/{path.parent.name}"] = result
    return batch


def points(result: dict) -> tuple[float, float]:
    """(score, maximum) of one result."""
    cells = result["cells"]
    return sum(c["score"] for c in cells), sum(c["max_points"] for c in cells)


def complete_submission(root: Path, names: list[str], workspace: Path, jobs: int) -> Batch:
    """Grade one student's solved copy of every notebook in ``names``, trusted, ``jobs`` jobs.

    The course's gradebook is made before the clock starts, as it exists in a running
    course (nbgrader's generate_assignment, or the first grading, makes it): making it
    runs alembic in a subprocess, about 2 s, once per course.
    """
    from autograder import gradebook

    copy = sample_class.copy_course(root, workspace / f"complete-{jobs}")
    for name in names:
        hand_in(copy, "complete", name, sample_class.solved(copy, name))
    with gradebook.opened(course.layout(copy).db_url):
        pass
    return grade(copy, names, jobs=jobs)


def whole_class(root: Path, size: int, workspace: Path, *, plain: bool):
    """Grade a class of ``size`` on CLASS_NOTEBOOK with CLASS_JOBS jobs, in a fresh copy.

    Returns the :class:`Batch` and the class's list of :class:`Member`.
    """
    copy = sample_class.copy_course(root, workspace / ("plain" if plain else "trusted"))
    members = class_of(copy, size)
    for member in members:
        hand_in(copy, member.student, CLASS_NOTEBOOK, member.notebook)
    return grade(copy, [CLASS_NOTEBOOK], jobs=CLASS_JOBS, plain=plain), members


# ------------------------------------------------------------------------ the report
#: The phases of a trusted run, as each dlgrade.json's "phases" names them.
PHASES = ("kernel start", "cells", "checks")


def sandbox_level() -> str:
    isolated, why = isolation_available()
    if isolated:
        return "isolated (the grader runs as root: namespaces, own uid, read-only system)"
    return f"**limited** ({why}): resource limits only, no namespaces"


def complete_section(batch: Batch, two_jobs: Batch, names: list[str],
                     expected: int) -> list[str]:  # fmt: skip
    lines = [
        "### One complete submission, trusted mode\n",
        "With 1 job, notebook by notebook:\n",
        "| notebook | status | score | " + " | ".join(f"{p} s" for p in PHASES)
        + " | in sandbox s | worker s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    previous_end = 0.0
    totals = dict.fromkeys(PHASES, 0.0)
    for name in names:
        result = batch.results.get(f"complete/{name}", {"status": "missing", "cells": []})
        got, most = points(result)
        end = result.get("finished", previous_end)
        phases = result.get("phases", {})
        for phase in PHASES:
            totals[phase] += phases.get(phase, 0.0)
        lines.append(f"| {name} | {result['status']} | {got:g} / {most:g} | "
                     + "".join(f"{phases.get(p, 0):.1f} | " for p in PHASES)
                     + f"{result.get('seconds', 0):.1f} | {end - previous_end:.1f} |")  # fmt: skip
        previous_end = end
    inside = sum(r.get("seconds", 0) for r in batch.results.values())
    lines += [
        "",
        f"- whole `autograde` call with 1 job: **{batch.wall:.1f} s**, {inside:.1f} s of it in "
        "the sandboxes; the rest is the gradebook (registering the assignments, recording the "
        "scores), the worker server's start-up (once) and each worker's file work",
        f"- in the sandboxes: the kernels' starts {totals['kernel start']:.1f} s, the "
        f"notebooks' own cells {totals['cells']:.1f} s (their first cell's imports included), "
        f"the checks {totals['checks']:.1f} s. One after the other, the cells and the checks "
        f"alone take {totals['cells'] + totals['checks']:.1f} s",
        f"- with 2 jobs (`make grade`'s default, one per core here): **{two_jobs.wall:.1f} s**"
        f"{'' if not two_jobs.lost else ', lost ' + ', '.join(two_jobs.lost)}",
    ]
    if len(names) < expected:
        lines.append(f"- {len(names)} of the {expected} notebooks: no verdict on the target")
    else:
        for jobs, run in ((1, batch), (2, two_jobs)):
            met = "met" if run.wall < TARGET_COMPLETE_SECONDS else "**missed**"
            lines.append(f"- target, all {expected} under {TARGET_COMPLETE_SECONDS} s, "
                         f"with {jobs} job{'s' if jobs > 1 else ''}: {met}")  # fmt: skip
    lines.append(f"- peak memory (1 job): {memory_line(batch.memory)}")
    return lines


def composition(members: list[Member]) -> str:
    """What the class handed in, in words: how many solved, blank and mutant notebooks."""
    kinds = Counter(member.kind for member in members)
    bugs = [f'"{member.bug}"' for member in members if member.kind == "mutant"]
    parts = [f"{kinds['solution']} solved (the release with the instructor's answers)",
             f"{kinds['blank']} blank (the release untouched)"]  # fmt: skip
    if bugs:
        parts.append(f"{len(bugs)} mutant(s) (solved but for one bug from the bug zoo: "
                     f"{', '.join(bugs)})")  # fmt: skip
    return ", ".join(parts)


def class_section(runs: dict[str, Batch], members: list[Member]) -> list[str]:
    lines = [
        f"### A class of {len(members)} on {CLASS_NOTEBOOK}, {CLASS_JOBS} jobs\n",
        f"Handed in: {composition(members)}. The same class and hidden-case seed in both "
        "modes, each graded in a fresh course copy.\n",
        "| mode | wall s | submissions/min | median s per submission | graded | total score "
        "| largest process MiB | tree peak MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rates = {}
    for mode, batch in runs.items():
        rates[mode] = len(batch.results) / batch.wall * 60 if batch.wall else 0.0
        each = statistics.median(r["seconds"] for r in batch.results.values()) if batch.results \
            else 0.0  # fmt: skip
        got = sum(points(r)[0] for r in batch.results.values())
        most = sum(points(r)[1] for r in batch.results.values())
        lines.append(
            f"| {mode} | {batch.wall:.1f} | {rates[mode]:.1f} | {each:.1f} | "
            f"{len(batch.results) - len(batch.lost)} / {len(members)} | {got:.1f} / {most:g} | "
            f"{mib(batch.memory.largest_process)} | {mib(batch.memory.tree_peak)} |"
        )
    lines.append("")
    trusted, plain = rates.get("trusted"), rates.get("plain nbgrader")
    if trusted and plain:
        lines.append(f"- trusted mode grades at {trusted / plain:.2f}x plain nbgrader's rate "
                     "(*median s per submission*: the kernel's run, the trusted checks "
                     "included; in plain mode nbclient's execution)")  # fmt: skip
    for mode, batch in runs.items():
        missing = len(members) - len(batch.results)
        if batch.lost or missing:
            lines.append(f"- {mode}: **lost** {', '.join(batch.lost) or 'none'}"
                         f"{f' and {missing} without a result' if missing else ''}")  # fmt: skip
    if all(not b.lost and len(b.results) == len(members) for b in runs.values()):
        lines.append('- no submission lost: every result has the status "graded"')
    return lines


def memory_line(memory: TreeMemory) -> str:
    if not ProcessTreeSampler.available:
        return "n/a (reads /proc: Linux only)"
    return (f"largest single process {mib(memory.largest_process)} MiB, whole tree at its "
            f"peak {mib(memory.tree_peak)} MiB")  # fmt: skip


def events_section(batches: list[Batch]) -> list[str]:
    """What the grader reported to the instructor, beyond the expected (first few only)."""
    events = [e for b in batches for e in b.events]
    if not events:
        return []
    shown = [f"- {e}" for e in events[:8]]
    more = [f"- ... and {len(events) - 8} more"] if len(events) > 8 else []
    return ["", "Notes the grader left for the instructor:", "", *shown, *more]


def method() -> list[str]:
    """How the section's numbers are taken, as markdown bullets."""
    return [
        "`dlgrade autograde` (`autograder.autograde.autograde`), each batch in a fresh "
        f"temporary copy of the course, hidden-case seed {SEED}.\n",
        f"- sandbox: {sandbox_level()}",
        "- *in sandbox s*: the `seconds` of each `dlgrade.json`: the sandboxed kernel's start "
        "to its end, the trusted checks included (plain mode: nbclient's execution)",
        "- *worker s*: from the previous result's file (or the call's start, for the first) "
        "to this one's: the worker's whole life, the gradebook's work around it included",
        "- *submissions/min*: results over the `autograde` call's wall time",
        "- memory: the processes under the benchmark's own (workers, sandbox launchers, "
        "kernels), read from `/proc` every few tenths of a second; *largest process*: the "
        "highest `VmHWM` of one of them; *tree peak*: the highest sum of their `VmRSS` at one "
        "reading. `getrusage(RUSAGE_CHILDREN).ru_maxrss` is not used: it sees only processes "
        "that were waited for all the way up, which the sandboxed kernels are not",
    ]


def run(names: list[str] | None = None, class_size: int = CLASS_SIZE) -> str:
    """Grade the complete submission (``names``, or every notebook) and the class; the section.

    Smaller settings (two notebooks, a class of 4) make a quick check while working on it.
    """
    root = course.find_root(Path(__file__).resolve().parent)
    every = course.assignments(root)
    unknown = sorted(set(names or ()) - set(every))
    if unknown:
        raise ValueError(f"unknown notebook(s) {', '.join(unknown)}; the course has {every}")
    if class_size < 1:
        raise ValueError(f"class_size must be at least 1, got {class_size}")
    names = names or every
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as workspace:
        complete = complete_submission(root, names, Path(workspace), jobs=1)
        complete_two = complete_submission(root, names, Path(workspace), jobs=2)
        trusted, members = whole_class(root, class_size, Path(workspace), plain=False)
        plain, _ = whole_class(root, class_size, Path(workspace), plain=True)
    return "\n".join([
        "## Grading\n", *method(), "",
        *complete_section(complete, complete_two, names, len(every)), "",
        *class_section({"trusted": trusted, "plain nbgrader": plain}, members),
        *events_section([complete, complete_two, trusted, plain]), "",
    ])  # fmt: skip


if __name__ == "__main__":
    # python -m benchmarks.grading [CLASS_SIZE [NOTEBOOK...]]: a smaller run while working.
    size = int(sys.argv[1]) if len(sys.argv) > 1 else CLASS_SIZE
    print(run(sys.argv[2:] or None, size))

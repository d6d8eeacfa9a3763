"""``dlgrade selftest --attacks``: the attack corpus graded, trusted and plain, side by side.

The corpus (:mod:`autograder.attacks`) is handed in to a temporary copy of the
course and graded by ``dlgrade autograde`` twice: in trusted mode, where every
submission must get the score it deserves, and with ``--plain``, nbgrader's way,
the anchor it beats. After each batch: no process an attack started may still
run, and the gradebook must hold exactly the scores the grader computed.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import attacks, gradebook, sample_class
from .course import layout
from .sandbox import GIB, Limits
from .selftest import aligned

#: The memory limit of the corpus's kernels (the memory bomb asks for half as much again).
MEMORY = 3 * GIB
#: Seconds per cell: the SIGINT-ignoring loop waits this long before it is killed.
CELL_TIMEOUT = 20
#: Seconds per submission (a corpus notebook takes under a minute, even with a restart).
SUBMISSION_TIMEOUT = 240
#: The attacks whose processes try to outlive grading; they live 30 to 60 s, so they are
#: graded in a short batch of their own and counted as soon as it ends.
OUTLIVERS = ["detached", "fork_loop"]


@dataclass
class Batch:
    """One grading of the corpus: each student's total, why, and what the batch left behind."""

    totals: dict[str, float]
    reports: dict[str, str]  # everything the grader said about a submission, lower case
    survivors: int  # processes of the attacks still running after the batch
    gradebook_intact: bool  # the gradebook holds exactly what the grader computed
    seconds: float  # of grading, all submissions added
    notebooks: dict[str, str]  # each autograded notebook's text (what the student may see)
    statuses: dict[str, str]  # each result's status ("graded", "unreadable"...)


@dataclass
class AttackRow:
    """One line of the side-by-side table."""

    student: str
    what: str
    deserved: float
    trusted: float
    plain: float | None
    ok: bool


def grade_corpus(root: Path, *, plain: bool, jobs: int, cell_timeout: int = CELL_TIMEOUT,
                 only: list[str] | None = None) -> tuple[list[attacks.Attack], Batch]:  # fmt: skip
    """Hand the corpus (or the students in ``only``) in to a copy of ``root`` and grade it."""
    from .autograde import RESULT, autograde

    token = attacks.make_token()
    with tempfile.TemporaryDirectory(prefix="dlgrade-attacks-") as folder:
        copy = sample_class.copy_course(root, Path(folder) / "course")
        corpus = attacks.corpus(copy, token=token, memory_limit=MEMORY)
        corpus = [a for a in corpus if only is None or a.student in only]
        attacks.hand_in(copy, corpus)
        autograde(copy, only=[attacks.ASSIGNMENT], jobs=jobs, seed=20261121,
                  cell_timeout=cell_timeout, timeout=SUBMISSION_TIMEOUT, plain=plain,
                  limits=Limits(memory=MEMORY), progress=False)  # fmt: skip
        left = len(attacks.survivors(token))
        attacks.kill_survivors(token)
        totals, reports, seconds, graded, notebooks, statuses = {}, {}, 0.0, [], {}, {}
        for attack in corpus:
            folder = copy / "autograded" / attack.student / attacks.ASSIGNMENT
            result = json.loads((folder / RESULT).read_text())
            statuses[attack.student] = result["status"]
            executed = folder / f"{attacks.ASSIGNMENT}.ipynb"
            notebooks[attack.student] = executed.read_text() if executed.exists() else ""
            totals[attack.student] = round(sum(c["score"] for c in result["cells"]), 6)
            said = [*result["events"], *(f"{c['error']} {c['report']}" for c in result["cells"])]
            reports[attack.student] = "\n".join(said).lower()
            seconds += result["seconds"]
            graded = graded or [(c["grade_id"], c["max_points"]) for c in result["cells"]]
        recorded = gradebook.scores(layout(copy).db_url, {attacks.ASSIGNMENT: graded})
    intact = _same_totals(recorded, totals)
    return corpus, Batch(totals, reports, left, intact, seconds, notebooks, statuses)


def _same_totals(recorded: list[gradebook.Score], totals: dict[str, float]) -> bool:
    """Whether the gradebook's per-student totals are the grader's, no more, no less."""
    per_student: dict[str, float] = {}
    for score in recorded:
        per_student[score.student] = per_student.get(score.student, 0.0) + (score.points or 0.0)
    return {s: round(v, 6) for s, v in per_student.items()} == totals


def run(root: Path, *, jobs: int = 2, plain: bool = True) -> tuple[list[AttackRow], list[str]]:
    """The table's rows, and the batch-level findings (survivors, gradebook) as lines."""
    modes = [False, True] if plain else [False]
    batches = {mode: grade_corpus(root, plain=mode, jobs=jobs) for mode in modes}
    lingering = {mode: grade_corpus(root, plain=mode, jobs=jobs, only=OUTLIVERS)[1].survivors
                 for mode in modes}  # fmt: skip
    corpus, trusted = batches[False]
    anchor = batches.get(True)
    rows = []
    for attack in corpus:
        got = trusted.totals[attack.student]
        fair = abs(got - attack.deserved) < 1e-6
        explained = attack.reason is None or attack.reason in trusted.reports[attack.student]
        rows.append(AttackRow(attack.student, attack.what, attack.deserved, got,
                              anchor[1].totals.get(attack.student) if anchor else None,
                              fair and explained))  # fmt: skip
    findings = []
    for mode in modes:
        name, batch = ("plain" if mode else "trusted"), batches[mode][1]
        state = "intact" if batch.gradebook_intact else "ALTERED"
        findings.append(f"{name}: gradebook {state}; processes of {', '.join(OUTLIVERS)} still "
                        f"running when their batch ended: {lingering[mode]}")  # fmt: skip
    return rows, findings


def table(rows: list[AttackRow]) -> str:
    head = ("", "student", "what it tries", "deserved", "trusted", "plain nbgrader")
    lines = aligned([head] + [
        ("ok" if r.ok else "FAIL", r.student, r.what, f"{r.deserved:g}", f"{r.trusted:g}",
         "-" if r.plain is None else f"{r.plain:g}" + (" !" if r.plain != r.deserved else ""))
        for r in rows
    ])  # fmt: skip
    fooled = sum(r.plain is not None and r.plain != r.deserved for r in rows)
    failed = sum(not r.ok for r in rows)
    summary = f"trusted: {len(rows) - failed} of {len(rows)} at their deserved score"
    if failed:
        summary += f", {failed} FAILED"
    if any(r.plain is not None for r in rows):
        summary += f"; plain nbgrader: {fooled} wrong (marked !)"
    lines.append(summary)
    return "\n".join(lines)

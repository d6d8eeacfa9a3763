"""The attack corpus, graded by ``dlgrade autograde`` in trusted mode, as one class.

Each submission of :mod:`autograder.attacks` (cheats on wrong code, robustness
cases on right code, mangled files) must get the score it deserves, with the
reason named, in a batch of more than 20 submissions graded two at a time; no
process an attack started may outlive the batch; the gradebook must hold exactly
the grader's scores; and nothing the students see may hold the secret seed or a
file from outside the sandbox. The anchor: plain nbgrader (``--plain``) is fooled
by the cheats.
"""

from __future__ import annotations

import pytest

from autograder import selftest_attacks
from autograder.course import find_root

pytestmark = pytest.mark.slow

ROOT = find_root()
SEED = "20261121"  # the seed grade_corpus grades with


@pytest.fixture(scope="module")
def trusted():
    return selftest_attacks.grade_corpus(ROOT, plain=False, jobs=2)


def test_every_submission_gets_the_score_it_deserves(trusted):
    corpus, batch = trusted
    assert len(corpus) >= 20
    unfair = {a.student: (batch.totals[a.student], a.deserved) for a in corpus
              if abs(batch.totals[a.student] - a.deserved) > 1e-6}  # fmt: skip
    assert not unfair, unfair


def test_every_problem_is_reported_with_its_reason(trusted):
    corpus, batch = trusted
    unexplained = {a.student: batch.reports[a.student][:300] for a in corpus
                   if a.reason is not None and a.reason not in batch.reports[a.student]}  # fmt: skip
    assert not unexplained, unexplained
    assert "memory limit" in batch.reports["memory_bomb"]


def test_no_submission_is_lost_and_the_batch_leaves_nothing_behind(trusted):
    corpus, batch = trusted
    expected = {a.student: "unreadable" if a.student == "truncated" else "graded" for a in corpus}
    assert batch.statuses == expected
    assert batch.gradebook_intact


@pytest.mark.parametrize("plain", [False, True], ids=["trusted", "plain"])
def test_no_process_outlives_trusted_grading(plain):
    # These attacks' processes live 30 to 60 s: a short batch of their own shows them.
    _, batch = selftest_attacks.grade_corpus(ROOT, plain=plain, jobs=2,
                                             only=selftest_attacks.OUTLIVERS)  # fmt: skip
    assert batch.totals == {"detached": 10, "fork_loop": 10}
    if plain:
        assert batch.survivors > 0  # the anchor: plain grading leaves them running
    else:
        assert batch.survivors == 0


def test_the_sandbox_hides_the_course_and_the_seed(trusted):
    _, batch = trusted
    for student, text in batch.notebooks.items():
        assert SEED not in text, student
        assert "FOUND /" not in text, student  # the copying attacks print the paths they find
    probe = batch.notebooks["grading_markers"]
    assert "signs of grading" in probe and "ENV DLGRADE_SEED" not in probe
    assert "NBGRADER_EXECUTION" not in probe.split("signs of grading")[-1].split("\\n")[0]


def test_plain_nbgrader_is_fooled_by_the_cheats():
    cheats = ["allclose", "patch_checks", "transformer"]
    _, batch = selftest_attacks.grade_corpus(ROOT, plain=True, jobs=2,
                                             only=["solution", *cheats])  # fmt: skip
    assert batch.totals["solution"] == 10
    fooled = [s for s in cheats if batch.totals[s] > 0]
    assert fooled == cheats, batch.totals

"""Every course notebook, executed: solutions score 100 %, blank releases exactly 0.

Each notebook is executed once per session (solution and release), in a fresh
kernel, as `dlgrade selftest` does; the checks' own self-test runs per notebook.
"""

import pytest

from autograder import NOTEBOOKS, selftest
from autograder.course import assignments, find_root, release_path, solution_path
from autograder.notebooks import execute

ROOT = find_root()
ASSIGNMENTS = assignments(ROOT)
ENV = {"DLGRADE_SEED": "20261121", "DLCORE_PROGRESS": "0"}


def test_every_assignment_has_its_checks_registered():
    assert set(ASSIGNMENTS) <= set(NOTEBOOKS), "add the notebook to autograder.NOTEBOOKS"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_checks_score_references_full_blanks_zero_and_catch_every_bug(name):
    failures = [row for row in selftest.check_level(name) if not row.ok]
    assert not failures, selftest.table(failures)


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_notebook_runs_and_scores_full_marks(name):
    run = execute(solution_path(ROOT, name), env=ENV)
    row = selftest.solution_row(name, run)
    details = [(c.grade_id, c.score, c.max_points, c.error) for c in run.cells if not c.passed]
    assert row.ok, (row.got, run.errors, details)
    assert run.cells, "a course notebook has graded exercises"


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_blank_release_runs_with_only_not_implemented_errors_and_scores_zero(name):
    run = execute(release_path(ROOT, name), env=ENV)
    row = selftest.blank_row(name, run)
    assert row.ok, (row.got, run.errors)

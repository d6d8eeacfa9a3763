"""Every course notebook graded the way a class is: solutions 100 %, blanks 0, mutants caught.

The sample class (autograder.sample_class: for each notebook a solved copy, the
blank release and two bug-zoo mutants) is graded once per session by `dlgrade
autograde`, in a copy of the course, exactly as `dlgrade selftest` does; the
checks' own self-test runs per notebook.
"""

import pytest

from autograder import NOTEBOOKS, selftest
from autograder.course import assignments, find_root

ROOT = find_root()
ASSIGNMENTS = assignments(ROOT)


def test_every_assignment_has_its_checks_registered():
    assert set(ASSIGNMENTS) <= set(NOTEBOOKS), "add the notebook to autograder.NOTEBOOKS"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_checks_score_references_full_blanks_zero_and_catch_every_bug(name):
    failures = [row for row in selftest.check_level(name) if not row.ok]
    assert not failures, selftest.table(failures)


@pytest.fixture(scope="module")
def class_rows():
    return selftest.class_level(ROOT, ASSIGNMENTS, jobs=2)


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_autograded_solution_full_blank_zero_and_mutants_lose_points(class_rows, name):
    rows = [row for row in class_rows if row.notebook == name]
    kinds = [row.what.split(",")[0].split(":")[0] for row in rows]
    assert kinds == ["solution", "blank release", "mutant", "mutant"], kinds
    assert all(row.ok for row in rows), selftest.table(rows)

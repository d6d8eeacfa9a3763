"""The attack corpus (autograder.attacks) is what it claims: built right, and really cheating.

Fast tests build the corpus and check its notebooks' structure, that the `wrong`
base scores exactly 0 with the checks in-process, and that the reasons the
corpus expects are the ones the grader's own helpers give. The slow ones run a
few cheats in a plain kernel (the way plain nbgrader grades: the tests inside the
student's kernel, the score read from its display) and show them winning points.
The gradebook-writing attack is never run here.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbgrader.utils import determine_grade, parse_utc

from autograder import attack_cells, attacks, notebooks, perceptron, sample_class
from autograder.course import find_root, solution_path
from autograder.release import grading_notebook, hide_tests
from autograder.submissions import find_submissions, load, locate_notebook, repair

ROOT = find_root(Path(__file__).parent)
TOKEN = "test-attack-token-0123"
MEMORY_LIMIT = 2**30

DESERVED = {
    "solution": 10, "blank": 0, "wrong": 0,
    "transformer": 0, "allclose": 0, "float_patch": 0, "formatter": 0, "list_eq": 0,
    "patch_checks": 0, "gradebook_write": 0, "copies_solutions": 0, "copies_classmate": 0,
    "grading_markers": 0,
    "os_exit": 10, "sys_exit": 10, "sigint_loop": 10, "memory_bomb": 10, "fork_loop": 10,
    "detached": 10, "flood": 10, "surrogate": 10, "warnings": 10, "deleted_cell": 7,
    "duplicated_cell": 10, "renamed": 10, "truncated": 0,
}  # fmt: skip
CHEATS = ["transformer", "allclose", "float_patch", "formatter", "list_eq", "patch_checks",
          "gradebook_write", "copies_solutions", "copies_classmate", "grading_markers"]


@pytest.fixture(scope="module")
def corpus():
    return {a.student: a for a in attacks.corpus(ROOT, token=TOKEN, memory_limit=MEMORY_LIMIT)}


def notebook_of(attack: attacks.Attack) -> nbformat.NotebookNode:
    (data,) = attack.files.values()
    return nbformat.reads(data.decode("utf-8"), as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def run_solution_cells(nb, *extra_sources: str) -> dict:
    """The namespace after running ``extra_sources``, then ``nb``'s solution cells, here."""
    namespace = {"np": np}
    for source in extra_sources:
        exec(source, namespace)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("solution"):
            exec(cell.source, namespace)
    return namespace


def scores(namespace: dict, *, hidden: bool) -> dict[str, float]:
    return {
        grade_id: check(namespace[check.exercise], hidden=hidden).score
        for grade_id, (check, _) in perceptron.CHECKS.items()
    }


# ------------------------------------------------------------- the corpus
def test_corpus_holds_every_student_once_with_the_score_it_deserves(corpus):
    built = attacks.corpus(ROOT, token=TOKEN, memory_limit=MEMORY_LIMIT)
    assert len({a.student for a in built}) == len(built)
    assert {a.student: a.deserved for a in built} == DESERVED
    assert all(a.what and "\n" not in a.what for a in built)


def test_every_notebook_is_valid_nbformat_but_the_truncated_one(corpus):
    for attack in corpus.values():
        for name, data in attack.files.items():
            assert name.endswith(".ipynb")
            if attack.student == "truncated":
                with pytest.raises(json.JSONDecodeError):
                    json.loads(data)
            else:
                nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))


def test_attack_cells_are_ordinary_cells_that_say_what_they_attack(corpus):
    base_sources = {c.source for name in ("solution", "wrong", "blank")
                    for c in notebook_of(corpus[name]).cells}  # fmt: skip
    robustness = ["os_exit", "sigint_loop", "memory_bomb", "fork_loop", "detached", "flood",
                  "surrogate", "warnings"]  # fmt: skip
    for name in [*CHEATS, *robustness]:
        added = [c for c in notebook_of(corpus[name]).cells
                 if c.source not in base_sources and not nbgrader_meta(c)]  # fmt: skip
        assert len(added) == 1, name
        assert added[0].cell_type == "code" and added[0].source.startswith("# Attacks"), name


def test_the_token_and_the_memory_target_are_where_the_attacks_need_them(corpus):
    detached = notebook_of(corpus["detached"])
    assert any(TOKEN in c.source for c in detached.cells)
    assert sum(TOKEN in c.source for a in corpus.values() if a.student != "truncated"
               for c in notebook_of(a).cells) == 1  # fmt: skip
    bomb = "".join(c.source for c in notebook_of(corpus["memory_bomb"]).cells)
    assert str(3 * MEMORY_LIMIT // 2) in bomb
    assert attacks.detached_proof(TOKEN) == Path(f"/tmp/{TOKEN}-detached")


def test_cheats_are_built_on_the_wrong_base_and_robustness_cases_on_the_solution(corpus):
    wrong = {c.source for c in notebook_of(corpus["wrong"]).cells if nbgrader_meta(c).get("solution")}
    right = {c.source for c in notebook_of(corpus["solution"]).cells if nbgrader_meta(c).get("solution")}
    for name in ["transformer", "allclose", "float_patch", "formatter", "patch_checks",
                 "gradebook_write", "grading_markers"]:  # fmt: skip
        assert {c.source for c in notebook_of(corpus[name]).cells
                if nbgrader_meta(c).get("solution")} == wrong, name  # fmt: skip
    for name in ["os_exit", "sys_exit", "sigint_loop", "memory_bomb", "fork_loop", "detached",
                 "flood", "surrogate", "renamed", "duplicated_cell"]:  # fmt: skip
        assert {c.source for c in notebook_of(corpus[name]).cells
                if nbgrader_meta(c).get("solution")} == right, name  # fmt: skip


# ------------------------------------------------------- wrong scores zero
@pytest.mark.parametrize("seed", ["1", "20261121", "987654321"])
def test_the_wrong_base_scores_exactly_zero_public_and_hidden(corpus, monkeypatch, seed):
    monkeypatch.setenv("DLGRADE_SEED", seed)
    namespace = run_solution_cells(notebook_of(corpus["wrong"]))
    for hidden in (False, True):
        got = scores(namespace, hidden=hidden)
        assert got == dict.fromkeys(perceptron.CHECKS, 0.0), (hidden, got)
        for check, _ in perceptron.CHECKS.values():
            assert check(namespace[check.exercise], hidden=hidden).status == "checked"


def test_the_solution_scores_full_marks_in_process(corpus):
    got = scores(run_solution_cells(notebook_of(corpus["solution"])), hidden=True)
    assert sum(got.values()) == DESERVED["solution"]


def test_results_equal_to_anything_fool_the_checks_in_process(corpus):
    namespace = run_solution_cells(notebook_of(corpus["list_eq"]), attack_cells.LIST_EQ)
    step = namespace["step"](np.array([-1.0, 1.0]))
    assert step == [123] and isinstance(step, list)
    got = scores(namespace, hidden=True)
    assert sum(got.values()) > 0.8 * DESERVED["solution"], got


# ------------------------------- reasons: what the grader's helpers report
def test_the_expected_reasons_are_those_the_submission_helpers_give(corpus, tmp_path):
    truncated = tmp_path / "truncated" / "01_perceptron.ipynb"
    truncated.parent.mkdir()
    truncated.write_bytes(corpus["truncated"].files["01_perceptron.ipynb"])
    nb, events = load(truncated)
    assert nb is None and corpus["truncated"].reason in events[0].lower()

    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for name, data in corpus["renamed"].files.items():
        (renamed / name).write_bytes(data)
    path, events = locate_notebook(renamed, attacks.ASSIGNMENT)
    assert path is not None and path.name == attacks.RENAMED
    assert corpus["renamed"].reason in events[0].lower()

    grading = grading_notebook(nbformat.read(str(solution_path(ROOT, attacks.ASSIGNMENT)), 4))
    for name in ("deleted_cell", "duplicated_cell"):
        _, events = repair(notebook_of(corpus[name]), grading, hide_tests(grading))
        assert len(events) == 2 and all(corpus[name].reason in e.lower() for e in events), events


# --------------------------------------------------------------- handing in
def test_hand_in_writes_each_submission_where_nbgrader_puts_it(corpus, tmp_path):
    root = sample_class.copy_course(ROOT, tmp_path / "course")
    attacks.hand_in(root, list(corpus.values()))
    found = {s.student: s for s in find_submissions(root / "submitted", [attacks.ASSIGNMENT])}
    assert set(found) == set(DESERVED)
    for student, submission in found.items():
        assert submission.timestamp is not None and parse_utc(submission.timestamp)
        expected = attacks.RENAMED if student == "renamed" else "01_perceptron.ipynb"
        assert submission.notebook.name == expected
    with pytest.raises(FileExistsError, match="already hold a submission"):
        attacks.hand_in(root, [corpus["solution"]])


def test_bad_arguments_get_clear_errors(corpus, tmp_path):
    with pytest.raises(ValueError, match="token"):
        attacks.corpus(ROOT, token="a b", memory_limit=MEMORY_LIMIT)
    with pytest.raises(ValueError, match="memory_limit"):
        attacks.corpus(ROOT, token=TOKEN, memory_limit=0)
    with pytest.raises(ValueError, match="handed in twice"):
        attacks.hand_in(tmp_path, [corpus["blank"], corpus["blank"]])
    with pytest.raises(ValueError, match="plain folder name"):
        attacks.Attack("../up", "escapes", 0.0, {"a.ipynb": b"{}"})
    with pytest.raises(ValueError, match="lower-case"):
        attacks.Attack("someone", "shouts", 0.0, {"a.ipynb": b"{}"}, reason="Kernel Died")
    with pytest.raises(ValueError, match="plain file name"):
        attacks.Attack("someone", "escapes", 0.0, {"../a.ipynb": b"{}"})


# --------------------------------------------------------------- survivors
def test_survivors_are_found_by_their_token_and_killed():
    token = attacks.make_token()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", token])
    try:
        deadline = time.monotonic() + 10  # its command line is empty until exec has finished
        while not attacks.survivors(token) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert attacks.survivors(token) == [sleeper.pid]
        assert attacks.kill_survivors(token) == 1
        assert sleeper.wait(timeout=10) != 0
        assert attacks.survivors(token) == []
        assert attacks.kill_survivors(token) == 0
    finally:
        sleeper.kill()
        sleeper.wait()


# ------------------------------------------- the cheats win in plain mode
@pytest.mark.slow
@pytest.mark.parametrize("name", ["allclose", "patch_checks", "float_patch"])
def test_the_cheat_wins_points_when_the_tests_run_in_the_students_kernel(corpus, tmp_path, name):
    path = tmp_path / "01_perceptron.ipynb"
    path.write_bytes(corpus[name].files["01_perceptron.ipynb"])
    run = notebooks.execute(path, timeout=120)
    assert run.problem is None
    graded = [c for c in run.executed.cells if nbgrader_meta(c).get("grade")]
    by_nbgrader = [determine_grade(cell)[0] for cell in graded]
    assert run.score > corpus[name].deserved, notebooks_report(run)
    assert sum(by_nbgrader) > corpus[name].deserved, by_nbgrader


def notebooks_report(run) -> str:
    return "\n".join(f"{c.grade_id}: {c.score} {c.error}" for c in run.cells)


"""The student release: solutions and hidden tests removed, leaks detected, notebooks/ up to date."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder import cli
from autograder.release import find_leaks, release_notebook


def solution_notebook():
    nb = new_notebook()
    sol = new_code_cell(
        'def double(x):\n    """Twice x."""\n    ### BEGIN SOLUTION\n    answer = 2 * x\n'
        "    return answer\n    ### END SOLUTION"
    )
    sol.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                "grade_id": "double", "schema_version": 3}  # fmt: skip
    test = new_code_cell(
        "result = check(double)\n### BEGIN HIDDEN TESTS\nresult = check(double, hidden=True)\n"
        "### END HIDDEN TESTS\nresult.score"
    )
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 2,
                                 "grade_id": "test_double", "schema_version": 3}  # fmt: skip
    test.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2.0"}, execution_count=1)]
    nb.cells = [new_markdown_cell("# Doubling"), sol, test]
    return nb


def test_release_removes_solutions_hidden_tests_and_outputs():
    solution = solution_notebook()
    release = release_notebook(solution)
    sources = "\n".join(c.source for c in release.cells)
    assert "raise NotImplementedError()" in sources
    assert "answer = 2 * x" not in sources and "hidden=True" not in sources
    assert all(not c.get("outputs") for c in release.cells if c.cell_type == "code")
    assert release.cells[2].metadata["nbgrader"]["checksum"]  # to restore an edited test cell
    assert find_leaks(release, solution) == []
    assert "answer = 2 * x" in solution.cells[1].source  # the source is left unchanged


def test_leaks_are_found():
    solution = solution_notebook()
    leaky = nbformat.from_dict(solution)
    leaky.cells[1].source = "def double(x):\n    answer = 2 * x\n    return answer"
    leaks = find_leaks(leaky, solution)
    assert any("BEGIN HIDDEN TESTS" in leak for leak in leaks)
    assert any("solution line 'answer = 2 * x'" in leak for leak in leaks)
    assert any("has outputs" in leak for leak in leaks)


def test_committed_release_is_up_to_date_and_leak_free(capsys):
    # Fails when someone edits solutions/ without running `dlgrade release` (or edits notebooks/).
    assert cli.main(["release", "--check"]) == 0, capsys.readouterr().err

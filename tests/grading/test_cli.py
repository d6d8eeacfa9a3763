"""dlgrade on a tiny course of its own: release, check, progress, errors."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder import cli


def make_course(root):
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    nb = new_notebook()
    sol = new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION")
    sol.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                "grade_id": "double", "schema_version": 3}  # fmt: skip
    test = new_code_cell(
        "try:\n    score = 2.0 if double(2) == 4 else 0.0\nexcept NotImplementedError:\n"
        "    score = 0.0\nprint(f'double: {score:g} / 2 points')\nscore"
    )
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 2,
                                 "grade_id": "test_double", "schema_version": 3}  # fmt: skip
    nb.cells = [new_markdown_cell("# Doubling"), sol, test]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (root / "solutions" / "01_double").mkdir(parents=True)
    nbformat.write(nb, str(root / "solutions" / "01_double" / "01_double.ipynb"))


@pytest.fixture
def course(tmp_path, monkeypatch):
    make_course(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_release_then_check_up_to_date(course, capsys):
    assert cli.main(["release", "--check"]) == 1  # nothing released yet
    assert "is not the release of its solution" in capsys.readouterr().err
    assert cli.main(["release"]) == 0
    assert (course / "notebooks" / "01_double" / "01_double.ipynb").is_file()
    assert cli.main(["release", "--check"]) == 0


@pytest.mark.slow
def test_check_and_progress_report_points_and_the_next_step(course, capsys):
    cli.main(["release"])
    capsys.readouterr()
    assert cli.main(["check", "solutions/01_double/01_double.ipynb"]) == 0
    assert "2 / 2 points" in capsys.readouterr().out
    assert cli.main(["progress"]) == 0
    out = capsys.readouterr().out
    assert "0 / 2 points" in out and "next: 01_double, exercise double" in out
    page = (course / "notebooks" / "progress.html").read_text()
    assert "Your progress" in page and "test_double" in page


def test_errors_are_explained(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["release"]) == 2
    assert "no course found" in capsys.readouterr().err
    assert cli.main(["check", "missing.ipynb"]) == 2
    assert "no notebook at missing.ipynb" in capsys.readouterr().err

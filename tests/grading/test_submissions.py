"""Finding submissions and repairing mangled ones (no kernel: fast)."""

import copy

import nbformat
import pytest

from autograder.submissions import find_submissions, load, locate_notebook, repair


def grade_ids(nb):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


@pytest.fixture
def fixed(tiny):
    return lambda nb: repair(nb, tiny.grading, tiny.release)


def test_an_intact_submission_needs_no_repair_and_keeps_the_students_code(tiny, fixed):
    nb, events = fixed(tiny.submission(tiny.RIGHT))
    assert events == []
    assert grade_ids(nb) == grade_ids(tiny.grading)
    assert nb.cells[tiny.cell_index(nb, "double")].source == tiny.RIGHT["double"]
    assert "BEGIN HIDDEN TESTS" in nb.cells[tiny.cell_index(nb, "test_double")].source


def test_a_deleted_test_cell_is_put_back_in_its_place(tiny, fixed):
    nb = tiny.submission(tiny.RIGHT)
    del nb.cells[tiny.cell_index(nb, "test_square")]
    repaired, events = fixed(nb)
    assert grade_ids(repaired) == grade_ids(tiny.grading)
    assert events == ["cell 'test_square' was deleted: put back"]


def test_a_deleted_solution_cell_comes_back_blank(tiny, fixed):
    nb = tiny.submission(tiny.RIGHT)
    del nb.cells[tiny.cell_index(nb, "double")]
    repaired, events = fixed(nb)
    assert "raise NotImplementedError" in repaired.cells[tiny.cell_index(repaired, "double")].source
    assert events == ["solution cell 'double' was deleted: put back (graded as blank)"]


def test_a_duplicated_solution_cell_still_runs_but_only_the_first_is_graded(tiny, fixed):
    nb = tiny.submission(tiny.RIGHT)
    copy_cell = copy.deepcopy(nb.cells[tiny.cell_index(nb, "double")])
    copy_cell.source = "def double(x):\n    return x + x"
    nb.cells.insert(tiny.cell_index(nb, "double") + 1, copy_cell)
    repaired, events = fixed(nb)
    assert grade_ids(repaired).count("double") == 1
    assert any(
        c.source == copy_cell.source and "nbgrader" not in c.metadata for c in repaired.cells
    )
    assert events == ["solution cell 'double' is duplicated: the copy runs, ungraded"]
    ids = [c.get("id") for c in repaired.cells]
    assert len(ids) == len(set(ids)), "cell ids stay unique"
    nbformat.validate(repaired)


def test_a_duplicated_test_cell_is_dropped(tiny, fixed):
    nb = tiny.submission(tiny.RIGHT)
    nb.cells.append(copy.deepcopy(nb.cells[tiny.cell_index(nb, "test_double")]))
    repaired, events = fixed(nb)
    assert grade_ids(repaired) == grade_ids(tiny.grading)
    assert events == ["test cell 'test_double' is duplicated: the copy was removed"]


def test_a_solution_cell_switched_to_markdown_is_graded_as_code(tiny, fixed):
    nb = tiny.submission(tiny.RIGHT)
    index = tiny.cell_index(nb, "square")
    cell = nb.cells[index]
    nb.cells[index] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
    repaired, events = fixed(nb)
    back = repaired.cells[tiny.cell_index(repaired, "square")]
    assert back.cell_type == "code" and back.source == tiny.RIGHT["square"]
    assert events == ["cell 'square' was switched to markdown: restored as code"]
    nbformat.validate(repaired)


def test_an_edited_test_cell_is_restored_and_reported(tiny, fixed):
    nb = tiny.submission()
    nb.cells[tiny.cell_index(nb, "test_double")].source = "2.0"
    repaired, events = fixed(nb)
    assert repaired.cells[tiny.cell_index(repaired, "test_double")].source == (
        tiny.grading.cells[tiny.cell_index(tiny.grading, "test_double")].source
    )
    assert events == ["locked cell 'test_double' was edited: restored from the release"]


def test_cells_a_student_added_are_kept_in_place(tiny, fixed):
    nb = tiny.submission(tiny.RIGHT)
    helper = nbformat.v4.new_code_cell("HELPER = 3")
    nb.cells.insert(1, helper)
    repaired, events = fixed(nb)
    assert repaired.cells[1].source == "HELPER = 3" and events == []


def test_a_renamed_notebook_is_found_and_reported(tiny, tmp_path):
    path = tiny.hand_in(tmp_path, "carol", tiny.submission(tiny.RIGHT), name="my work (1)")
    found, events = locate_notebook(path.parent, tiny.ASSIGNMENT)
    assert found == path
    assert events == ["the notebook was renamed to my work (1).ipynb; graded it"]


def test_two_unknown_notebooks_are_not_guessed_between(tiny, tmp_path):
    tiny.hand_in(tmp_path, "dan", tiny.submission(), name="a")
    path = tiny.hand_in(tmp_path, "dan", tiny.submission(), name="b")
    found, events = locate_notebook(path.parent, tiny.ASSIGNMENT)
    assert found is None and "cannot tell which" in events[0]


@pytest.mark.parametrize(
    "text, reason",
    [('{"cells": [{"cell_type": "code", "sou', "not valid JSON"), ('{"a": 1}', "not a notebook")],
)
def test_broken_files_are_explained(tiny, tmp_path, text, reason):
    path = tiny.hand_in(tmp_path, "erin", text=text)
    nb, events = load(path)
    assert nb is None and reason in events[0] and events[0].endswith("scored 0")


def test_find_submissions_reads_the_timestamp_and_reports_a_bad_one(tiny, tmp_path):
    tiny.hand_in(tmp_path, "ann", tiny.submission())
    tiny.hand_in(tmp_path, "bo", tiny.submission())
    (tmp_path / "submitted/ann" / tiny.ASSIGNMENT / "timestamp.txt").write_text(
        "2026-11-20 10:00:00.000000 UTC"
    )
    (tmp_path / "submitted/bo" / tiny.ASSIGNMENT / "timestamp.txt").write_text("yesterday-ish")
    ann, bo = find_submissions(tmp_path / "submitted", [tiny.ASSIGNMENT])
    assert ann.timestamp.startswith("2026-11-20") and ann.events == []
    assert bo.timestamp is None and "holds no date" in bo.events[0]


def test_a_missing_submissions_folder_is_an_error(tiny, tmp_path):
    with pytest.raises(FileNotFoundError, match="no submissions folder"):
        find_submissions(tmp_path / "submitted", [tiny.ASSIGNMENT])

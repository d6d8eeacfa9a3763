"""dlgrade autograde, feedback and export on a class of the tiny course, mangled submissions included.

One batch grades every kind of trouble at once; the tests then read what it left
behind: the gradebook (through dlgrade export and nbgrader's own export), the
autograded folder, the feedback pages, and what a second run does.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import cli
from autograder.autograde import RESULT, autograde

pytestmark = pytest.mark.slow

# student: (points on test_double, points on test_square), as the batch must score them
EXPECTED = {
    "alice": (2, 1),  # right
    "bob": (0, 0),  # the blank release
    "carol": (2, 1),  # right, renamed file
    "dave": (2, 1),  # right, test_square deleted
    "erin": (2, 1),  # right, a solution cell and a test cell duplicated
    "frank": (0, 0),  # JSON cut short
    "grace": (2, 1),  # right, square's cell switched to markdown
    "heidi": (0, 0),  # blank, with test_double edited to claim full marks
    "ivan": (2, 0),  # double right, then os._exit(1) in square's cell
    "judy": (0, 1),  # double's cell never ends (interrupted), square right
    "ken": (1, 1),  # double right on the public case only
    "liam": (2, 0),  # square calls os._exit when the test calls it
    "mia": (0, 1),  # double ignores SIGINT and loops when the test calls it
}


def build_class(root: Path, tiny) -> None:
    right = tiny.submission(tiny.RIGHT)
    hand = tiny.hand_in
    hand(root, "alice", right)
    hand(root, "bob", tiny.submission())
    hand(root, "carol", right, name="01_numbers (copy)")
    dave = copy.deepcopy(right)
    del dave.cells[tiny.cell_index(dave, "test_square")]
    hand(root, "dave", dave)
    erin = copy.deepcopy(right)
    erin.cells.insert(2, copy.deepcopy(erin.cells[tiny.cell_index(erin, "double")]))
    erin.cells.append(copy.deepcopy(erin.cells[tiny.cell_index(erin, "test_square")]))
    erin.cells[2]["id"], erin.cells[-1]["id"] = "erin-copy-1", "erin-copy-2"
    hand(root, "erin", erin)
    hand(root, "frank", text=nbformat.writes(right)[:400])
    grace = copy.deepcopy(right)
    index = tiny.cell_index(grace, "square")
    old = grace.cells[index]
    grace.cells[index] = nbformat.v4.new_markdown_cell(old.source, metadata=old.metadata)
    hand(root, "grace", grace)
    heidi = tiny.submission()
    heidi.cells[tiny.cell_index(heidi, "test_double")].source = "2.0"
    hand(root, "heidi", heidi)
    hand(root, "ivan", tiny.submission({**tiny.RIGHT, "square": "import os\nos._exit(1)"}))
    hand(root, "judy", tiny.submission({**tiny.RIGHT, "double": "while True:\n    pass"}))
    ken = "def double(x):\n    return 4 if x == 2 else 0"
    hand(root, "ken", tiny.submission({**tiny.RIGHT, "double": ken}))
    exits = "def square(x):\n    import os\n    os._exit(1)"
    hand(root, "liam", tiny.submission({**tiny.RIGHT, "square": exits}))
    loops = ("def double(x):\n    import signal\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
             "    while True:\n        pass")  # fmt: skip
    hand(root, "mia", tiny.submission({**tiny.RIGHT, "double": loops}))
    (root / "submitted" / "zed" / "99_unknown").mkdir(parents=True)


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_a_mangled_class_is_graded_whole_and_every_problem_reported(tiny_course, tiny, capsys):
    root = tiny_course
    build_class(root, tiny)
    summary = autograde(root, jobs=2, cell_timeout=3, timeout=120, progress=False)
    assert summary.graded == len(EXPECTED) and summary.skipped == 0

    results = {s: json.loads((root / "autograded" / s / "01_numbers" / RESULT).read_text())
               for s in EXPECTED}  # fmt: skip
    for student, points in EXPECTED.items():
        got = tuple(c["score"] for c in results[student]["cells"])
        assert got == points, (student, results[student])

    # Where the time went (trusted mode): the phases add up to no more than the seconds.
    alice = results["alice"]
    assert set(alice["phases"]) == {"kernel start", "cells", "checks"}
    assert 0 < sum(alice["phases"].values()) <= alice["seconds"] + 0.05
    assert results["judy"]["phases"]["cells"] >= 3  # her endless cell ran into the 3 s limit

    notes = {key: [] for key in [*EXPECTED, "zed"]}
    for key, why in summary.attention:
        notes[key.split("/")[0]].append(why)
    assert notes["alice"] == notes["bob"] == notes["ken"] == []
    assert "renamed" in notes["carol"][0]
    assert notes["dave"] == ["cell 'test_square' was deleted: put back"]
    assert len(notes["erin"]) == 2 and all("duplicated" in n for n in notes["erin"])
    assert results["frank"]["status"] == "unreadable" and "not valid JSON" in notes["frank"][0]
    assert notes["grace"] == ["cell 'square' was switched to markdown: restored as code"]
    assert notes["heidi"] == ["locked cell 'test_double' was edited: restored from the release"]
    assert "killed the kernel" in notes["ivan"][0] and "restarted" in notes["ivan"][-1]
    assert any("99_unknown" in key for key, _ in summary.attention)
    assert any(e[1] == "KernelTimeout" for e in results["judy"]["errors"])
    assert "test test_square lost the kernel" in notes["liam"][0]
    assert "timed out after 3 s" in results["mia"]["cells"][0]["error"]
    assert any("restarted" in note for note in notes["mia"])

    # The gradebook holds the scores: dlgrade's export reads them back.
    assert cli.main(["export", "grades.csv"]) == 0
    rows = read_csv(root / "grades.csv")
    assert rows["(max points)"]["total"] == "3"
    for student, (double, square) in EXPECTED.items():
        assert float(rows[student]["01_numbers/test_double"]) == double
        assert float(rows[student]["01_numbers/test_square"]) == square
        assert float(rows[student]["total"]) == double + square

    # What a student may see holds no hidden test: autograded notebooks and feedback.
    assert cli.main(["feedback"]) == 0
    pages = sorted((root / "feedback").glob("*/01_numbers/01_numbers.html"))
    assert len(pages) == len(EXPECTED)
    shown = [p.read_text() for p in pages]
    shown += [p.read_text() for p in (root / "autograded").glob("*/01_numbers/01_numbers.ipynb")]
    assert not [text for text in shown if "-14" in text or "HIDDEN" in text]
    ken_page = (root / "feedback" / "ken" / "01_numbers" / "01_numbers.html").read_text()
    assert "double: 1 / 2" in ken_page and "return 4 if x == 2 else 0" in ken_page
    carol_page = (root / "feedback" / "carol" / "01_numbers" / "01_numbers.html").read_text()
    assert "About your submission" in carol_page and "renamed" in carol_page

    # A second run grades nothing again; a changed submission alone is graded again.
    capsys.readouterr()
    again = autograde(root, jobs=2, cell_timeout=3, timeout=120, progress=False)
    assert (again.graded, again.skipped) == (0, len(EXPECTED))
    tiny.hand_in(root, "bob", tiny.submission(tiny.RIGHT))
    third = autograde(root, jobs=2, cell_timeout=3, timeout=120, progress=False)
    assert (third.graded, third.skipped) == (1, len(EXPECTED) - 1)
    assert cli.main(["export", "grades.csv"]) == 0
    assert read_csv(root / "grades.csv")["bob"]["total"] == "3"


def test_nbgrader_reads_the_gradebook_dlgrade_wrote(tiny_course, tiny):
    root = tiny_course
    tiny.hand_in(root, "alice", tiny.submission(tiny.RIGHT))
    tiny.hand_in(
        root, "ken", tiny.submission({**tiny.RIGHT, "double": "def double(x):\n    return 4"})
    )
    autograde(root, jobs=1, progress=False)
    scripts = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": os.pathsep.join([scripts, os.environ["PATH"]])}
    nbgrader = [sys.executable, "-m", "nbgrader"]
    subprocess.run([*nbgrader, "export"], cwd=root, env=env, check=True, capture_output=True)
    rows = {r["student_id"]: r for r in csv.DictReader(open(root / "grades.csv", newline=""))}
    assert float(rows["alice"]["score"]) == 3 and float(rows["ken"]["score"]) == 2
    subprocess.run([*nbgrader, "generate_feedback", "01_numbers"], cwd=root, env=env,
                   check=True, capture_output=True)  # fmt: skip
    page = (root / "feedback" / "ken" / "01_numbers" / "01_numbers.html").read_text()
    assert "-14" not in page and "HIDDEN" not in page


def test_usage_errors_are_explained(tiny_course, capsys, monkeypatch):
    assert cli.main(["autograde"]) == 2
    assert "no submissions folder" in capsys.readouterr().err
    (tiny_course / "submitted").mkdir()
    assert cli.main(["autograde", "--assignment", "09_nope"]) == 2
    assert "unknown assignment(s) 09_nope" in capsys.readouterr().err
    monkeypatch.setenv("DLGRADE_SEED", "not-a-number")
    assert cli.main(["autograde"]) == 2
    assert "DLGRADE_SEED must be an integer" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["autograde", "--jobs", "0"])
    assert "must be at least 1" in capsys.readouterr().err

"""``dlgrade feedback``: one HTML page per student and assignment, from the graded results.

A page shows, for each exercise, the points (the gradebook's final score, so a score
an instructor changed by hand is the one shown), the code the student wrote, and the
check's report: which sub-checks failed, with what, and the likely mistake. It never
shows a test cell's source, so the hidden cases stay hidden (plain nbgrader's feedback
shows them: nbgrader#917). Notes about the submission itself (a renamed file, a
restored cell) come first, so a student knows what was graded.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import nbformat

from . import course, gradebook
from .autograde import RESULT

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.full { color: #186a3b; } .partial { color: #9a5b00; } .zero { color: #a01818; }
pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; font-size: .85rem; }
.notes { background: #fff7e0; padding: .6rem 1rem; border-left: 4px solid #e0a800; }
"""


def _solution_sources(notebook: Path) -> dict[str, str]:
    """{grade_id: source} of the solution cells of an autograded notebook."""
    if not notebook.is_file():
        return {}
    nb = nbformat.read(str(notebook), as_version=4)
    found = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id"):
            found[meta["grade_id"]] = cell.source
    return found


def _tone(points: float, max_points: float) -> str:
    return "full" if points >= max_points else "zero" if points <= 0 else "partial"


def page(result: dict, final: dict[str, float], sources: dict[str, str]) -> str:
    """The feedback page of one graded submission.

    ``final`` maps each test cell's grade_id to its final points; ``sources`` maps
    solution cells' grade_ids to the student's code.
    """
    escape = html.escape
    cells = result["cells"]
    total = sum(final.get(c["grade_id"], c["score"]) for c in cells)
    possible = sum(c["max_points"] for c in cells)
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(result['assignment'])}"
        f" feedback</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(result['assignment'])}: {total:g} / {possible:g} points</h1>",
        f"<p>Student: {escape(result['student'])}</p>",
    ]
    if result["events"]:
        notes = "".join(f"<li>{escape(e)}</li>" for e in result["events"])
        parts.append(f"<div class='notes'><p>About your submission:</p><ul>{notes}</ul></div>")
    for cell in cells:
        points = final.get(cell["grade_id"], cell["score"])
        exercise = cell["grade_id"].removeprefix("test_")
        parts.append(
            f"<h2 class='{_tone(points, cell['max_points'])}'>{escape(exercise)}: "
            f"{points:g} / {cell['max_points']:g}</h2>"
        )
        if exercise in sources:
            parts.append(f"<p>Your code:</p><pre>{escape(sources[exercise])}</pre>")
        unrun = "not run: see the notes about your submission above"
        report = cell["report"].strip() or (
            unrun if result["status"] != "graded" else "(the check printed no report)"
        )
        parts.append(f"<p>The check said:</p><pre>{escape(report)}</pre>")
        if cell["error"]:
            parts.append(f"<p>The test cell stopped with <code>{escape(cell['error'])}</code>.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def generate(root: Path, only: list[str] | None = None) -> list[Path]:
    """Write feedback/<student>/<assignment>/<assignment>.html for every graded submission."""
    where = course.layout(root)
    written = []
    for result_path in sorted(where.autograded.glob(f"*/*/{RESULT}")):
        result = json.loads(result_path.read_text())
        assignment, student = result["assignment"], result["student"]
        if only and assignment not in only:
            continue
        cells = {assignment: [(c["grade_id"], c["max_points"]) for c in result["cells"]]}
        final = {
            s.grade_id: s.points
            for s in gradebook.scores(where.db_url, cells, students=[student])
            if s.points is not None
        }
        sources = _solution_sources(result_path.parent / f"{assignment}.ipynb")
        target = where.feedback / student / assignment / f"{assignment}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page(result, final, sources), encoding="utf-8")
        written.append(target)
    return written

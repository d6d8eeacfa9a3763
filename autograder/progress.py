"""A self-study student's dashboard: which exercises pass, points so far, what next."""

from __future__ import annotations

import html
from pathlib import Path

from .notebooks import NotebookRun, execute


def _notebooks(folder: Path) -> list[Path]:
    return sorted(
        p / f"{p.name}.ipynb" for p in folder.iterdir() if (p / f"{p.name}.ipynb").is_file()
    )


def progress(folder: Path) -> tuple[str, Path]:
    """Run every notebook of ``folder``; return the text report and the HTML page's path."""
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}")
    runs = [execute(path, env={"DLCORE_PROGRESS": "0"}) for path in _notebooks(folder)]
    if not runs:
        raise FileNotFoundError(f"no course notebooks (NAME/NAME.ipynb) in {folder}")
    page = folder / "progress.html"
    page.write_text(_html(runs), encoding="utf-8")
    return _text(runs), page


def _next_step(runs: list[NotebookRun]) -> str:
    for run in runs:
        for cell in run.cells:
            if not cell.passed:
                return (
                    f"next: {run.path.stem}, exercise {cell.grade_id.removeprefix('test_')} "
                    f"({cell.score:g} / {cell.max_points:g})"
                )
    return "every exercise passes: well done"


def _text(runs: list[NotebookRun]) -> str:
    lines = []
    for run in runs:
        done = sum(c.passed for c in run.cells)
        lines.append(
            f"{run.path.stem:<20} {done:>2} / {len(run.cells):<2} exercises  "
            f"{run.score:g} / {run.max_points:g} points"
        )
    total, top = sum(r.score for r in runs), sum(r.max_points for r in runs)
    lines.append(f"{'total':<20} {total:g} / {top:g} points")
    lines.append(_next_step(runs))
    return "\n".join(lines)


_STYLE = (
    "body{font-family:sans-serif} td{vertical-align:top;padding:4px}"
    ".pass{background:#e6f4ea} .partial{background:#fff4d6} .todo{background:#fde8e8}"
)


def _html(runs: list[NotebookRun]) -> str:
    rows = []
    for run in runs:
        for cell in run.cells:
            state = "pass" if cell.passed else ("partial" if cell.score > 0 else "todo")
            points = f"{cell.score:g} / {cell.max_points:g}"
            rows.append(
                f"<tr class='{state}'><td>{html.escape(run.path.stem)}</td>"
                f"<td>{html.escape(cell.grade_id)}</td><td>{points}</td>"
                f"<td><pre>{html.escape(cell.report)}</pre></td></tr>"
            )
    head = "<tr><th>notebook</th><th>exercise</th><th>points</th><th>report</th></tr>"
    return (
        f"<!doctype html><meta charset='utf-8'><title>Progress</title><style>{_STYLE}</style>"
        f"<h1>Your progress</h1><p>{html.escape(_next_step(runs))}</p>"
        f"<pre>{html.escape(_text(runs))}</pre><table>{head}{''.join(rows)}</table>"
    )

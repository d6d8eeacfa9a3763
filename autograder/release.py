"""Turn an instructor's solution notebook into the student's release notebook.

The release is made by nbgrader's own preprocessors, in the order nbgrader's
``generate_assignment`` applies them, without touching a gradebook. The order has
two halves. The first (lock cells, clear solutions and outputs, checksums) gives
the *grading* notebook: blank exercises, test cells with their hidden tests; it is
what nbgrader saves in its gradebook, and what autograding restores a submission's
test cells from. The second (clear hidden tests, checksums again) gives the
student's release, whose metadata keeps the checksums that reveal an edited cell.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    LockCells,
)

_BLANK_EXERCISES = (LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums)
_HIDE_TESTS = (ClearHiddenTests, ClearMarkScheme, ComputeChecksums, CheckCellMetadata)


def _apply(steps: tuple, notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(notebook)
    resources: dict = {}
    for step in steps:
        nb, resources = step().preprocess(nb, resources)
    return nb


def grading_notebook(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The solution notebook with its exercises blank and its hidden tests kept (a new notebook)."""
    return _apply(_BLANK_EXERCISES, solution)


def hide_tests(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``notebook`` without its hidden tests' source (outputs are kept; a new notebook)."""
    return _apply(_HIDE_TESTS, notebook)


def release_notebook(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student version of a solution notebook (a new notebook; the input is unchanged)."""
    return hide_tests(grading_notebook(solution))


def release_file(source: str | Path, destination: str | Path) -> Path:
    """Write the release of the solution notebook ``source`` to ``destination``."""
    nb = nbformat.read(str(source), as_version=4)
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(release_notebook(nb), str(destination))
    return destination


def main(argv: list[str] | None = None) -> None:
    """``python -m autograder.release SOLUTION.ipynb RELEASE.ipynb``."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        raise SystemExit("usage: python -m autograder.release SOLUTION.ipynb RELEASE.ipynb")
    print(release_file(*args))


if __name__ == "__main__":
    main()


# ------------------------------------------------------------------- leaks
_MARKERS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "hidden=True",
)


def solution_lines(solution: nbformat.NotebookNode) -> set[str]:
    """Lines that only the solution regions and hidden tests of a solution notebook contain.

    A line that also appears outside those regions (a worked example showing the
    same formula) is public and not counted.
    """
    secret: set[str] = set()
    public: set[str] = set()
    for cell in solution.cells:
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if "BEGIN SOLUTION" in text or "BEGIN HIDDEN TESTS" in text:
                inside = True
            elif "END SOLUTION" in text or "END HIDDEN TESTS" in text:
                inside = False
            elif inside:
                if len(text) > 12 and not text.startswith("#"):
                    secret.add(text)
            else:
                public.add(text)
    return secret - public


def find_leaks(release: nbformat.NotebookNode, solution: nbformat.NotebookNode) -> list[str]:
    """What the release shows that a student must not see (empty when it is clean)."""
    leaks = []
    secret = solution_lines(solution)
    for index, cell in enumerate(release.cells):
        where = f"cell {index}"
        for marker in _MARKERS:
            if marker in cell.source:
                leaks.append(f"{where}: contains {marker!r}")
        for line in cell.source.splitlines():
            if line.strip() in secret:
                leaks.append(f"{where}: contains the solution line {line.strip()!r}")
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            leaks.append(f"{where}: has outputs (they may show reference answers)")
    return leaks

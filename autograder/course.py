"""The course's folders: where solutions, releases and submissions live."""

from __future__ import annotations

from pathlib import Path

SOLUTIONS = "solutions"
RELEASE = "notebooks"


def find_root(start: str | Path | None = None) -> Path:
    """The course root: the nearest folder, from ``start`` upwards, with nbgrader_config.py."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / SOLUTIONS).is_dir():
            return folder
    raise FileNotFoundError(
        f"no course found at or above {here}: expected a folder with nbgrader_config.py "
        f"and {SOLUTIONS}/ (run dlgrade from the course's root)"
    )


def assignments(root: Path) -> list[str]:
    """The assignment names ("01_perceptron", ...): folders of solutions/ holding NAME.ipynb."""
    return sorted(p.name for p in (root / SOLUTIONS).iterdir() if (p / f"{p.name}.ipynb").is_file())


def solution_path(root: Path, name: str) -> Path:
    return root / SOLUTIONS / name / f"{name}.ipynb"


def release_path(root: Path, name: str) -> Path:
    return root / RELEASE / name / f"{name}.ipynb"

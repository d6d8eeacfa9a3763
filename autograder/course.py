"""The course's folders: where solutions, releases and submissions live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

SOLUTIONS = "solutions"
RELEASE = "notebooks"


class CourseError(Exception):
    """A request the course cannot serve (an unknown assignment, a bad setting); says why."""


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


@dataclass(frozen=True)
class Layout:
    """Where nbgrader keeps a class's work, as the course's nbgrader_config.py says."""

    db_url: str
    submitted: Path
    autograded: Path
    feedback: Path


def layout(root: Path) -> Layout:
    """The gradebook and the submitted/autograded/feedback folders of the course at ``root``.

    nbgrader_config.py is read the way nbgrader reads it; what it leaves unset takes
    nbgrader's defaults. A relative SQLite path is taken relative to the course root.
    """
    config = Config()
    source = (root / "nbgrader_config.py").read_text()
    exec(compile(source, str(root / "nbgrader_config.py"), "exec"), {"get_config": lambda: config})
    folders = config.CourseDirectory
    db_url = folders.get("db_url", "sqlite:///gradebook.db")
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and not Path(db_url[len(prefix) :]).is_absolute():
        db_url = prefix + str(root / db_url[len(prefix) :])
    return Layout(
        db_url=db_url,
        submitted=root / folders.get("submitted_directory", "submitted"),
        autograded=root / folders.get("autograded_directory", "autograded"),
        feedback=root / folders.get("feedback_directory", "feedback"),
    )

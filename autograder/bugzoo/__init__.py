"""The bug zoo: plausible wrong implementations of every graded exercise.

Each notebook's module (``autograder.bugzoo.<topic>``) lists ``BUGS``, a list of
:class:`Bug`. The self-test (``dlgrade selftest`` and the test suite) runs every
bug through its exercise's check and requires a score below full marks, and,
when ``diagnosis`` is given, a diagnosis that contains it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import NOTEBOOKS


@dataclass(frozen=True)
class Bug:
    """One wrong implementation.

    check : the exercise's check (from ``autograder.<topic>``)
    name : the mistake, in a few words ("bias gradient summed over axis 1")
    implementation : the wrong function(s), passed to the check as a student's would be
    diagnosis : a phrase the check's diagnosis must contain, or None when the
        mistake has no specific diagnosis (it must still lose points)
    """

    check: Callable[..., Any]
    name: str
    implementation: tuple[Callable[..., Any], ...]
    diagnosis: str | None = None


def bugs_for(notebook: str) -> list[Bug]:
    """The bug zoo of one notebook ("01_perceptron")."""
    module = importlib.import_module(f"{__name__}.{NOTEBOOKS[notebook]}")
    return list(module.BUGS)

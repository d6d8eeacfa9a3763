"""Helpers of notebook 06's checks that :mod:`autograder.checking` does not have (yet).

Its exercises take or return a *list* of arrays (a network's weight matrices, its
gradients), and :func:`autograder.core.call` copies array arguments but not the
arrays inside a list. Here:

- :func:`as_float_array` reads what a student returned as numbers, or says why not;
- :func:`call_on_arrays` calls a student's function on copies of a list of arrays
  and says whether it changed one of them in place;
- :func:`flatten_like` and :func:`flat_arrays` turn a returned list into one vector
  to compare, or say which item has the wrong shape;
- :func:`specific_first`, a ``diagnose`` for :meth:`CheckResult.add
  <autograder.core.CheckResult.add>` that names an exercise's own known mistake
  before the generic slips, so that "the 1/2 is missing" is not hidden by the
  generic "off by a factor of 2" that gives the same value.

Generic enough to move into :mod:`autograder.checking` if another notebook needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .checking import describe, diagnose, matches
from .core import StudentError, call

__all__ = ["as_float_array", "call_on_arrays", "flat_arrays", "flatten_like", "specific_first"]


def as_float_array(value: Any, what: str) -> np.ndarray:
    """``value`` as a plain float64 ndarray, or a StudentError saying what ``what`` returned."""
    try:
        return np.asarray(np.array(value, dtype=float)).view(np.ndarray)
    except (TypeError, ValueError):
        raise StudentError(f"{what} must return an array of numbers; it returned "
                           f"{describe(value)}") from None


def call_on_arrays(function: Any, arrays: Sequence[np.ndarray], *rest: Any) -> tuple[Any, bool]:
    """``function([copies of arrays], *rest)``, and whether it changed one of them in place.

    :func:`autograder.core.call` copies array arguments, not arrays inside a list,
    so the list gets copies here and they are compared with the originals afterwards.
    """
    copies = [np.array(a, dtype=float) for a in arrays]
    output = call(function, list(copies), *rest)
    changed = any(not np.array_equal(c, a) for c, a in zip(copies, arrays))
    return output, changed


def flatten_like(got: Sequence[Any], want: Sequence[np.ndarray]) -> tuple[np.ndarray, str]:
    """The arrays of ``got`` flattened into one vector, or a message saying why they cannot be.

    ``got`` must hold one array per array of ``want``, each of the same shape.
    """
    flat = []
    for index, (g, w) in enumerate(zip(got, want)):
        try:
            array = np.asarray(np.array(g, dtype=float)).view(np.ndarray)
        except (TypeError, ValueError):
            return np.empty(0), f"item {index} is not an array of numbers"
        if array.shape != w.shape:
            return np.empty(0), f"item {index}: expected shape {w.shape}, got shape {array.shape}"
        flat.append(array.ravel())
    return np.concatenate(flat), ""


def specific_first(candidates: Sequence[tuple[str, Any]]) -> Callable[[Any, Any], str | None]:
    """A ``diagnose`` that names one of the exercise's own known mistakes, else a generic slip.

    A known mistake is named only when it is the only one that gives ``got`` on
    this case (two that coincide here are told apart by another case); when none
    matches, :func:`autograder.checking.diagnose` looks for the generic slips (a
    sign, a factor 2, a transpose...). Unlike ``diagnoser(..., unique=True)``, a
    generic slip that gives the same value as a known mistake does not hide it.
    """

    def diagnose_known_first(expected: Any, got: Any) -> str | None:
        named = {text for text, wrong in candidates if matches(wrong, got)}
        if named:
            return named.pop() if len(named) == 1 else None
        return diagnose(expected, got)

    return diagnose_known_first


def flat_arrays(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Every array of the list, flattened and joined into one float vector."""
    return np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])

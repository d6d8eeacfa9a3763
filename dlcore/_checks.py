"""Small helpers shared by the engine: argument checking, registries, random generators.

Every error message names the thing, what was expected and what was received.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np


class NonFiniteError(ValueError, FloatingPointError):
    """NaN or inf where numbers were expected.

    A ``ValueError`` for a caller who passed bad data, and a ``FloatingPointError``
    for ``fit``, which reports it as divergence with the epoch and batch.
    """


def _suggestion(name: str, valid: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(valid), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def reject_unknown_kwargs(where: str, unknown: Mapping[str, Any], valid: Iterable[str]) -> None:
    """Raise ``TypeError`` when ``unknown`` is not empty, listing the valid names."""
    if not unknown:
        return
    valid = sorted(valid)
    names = ", ".join(repr(k) for k in unknown)
    hint = _suggestion(next(iter(unknown)), valid)
    raise TypeError(
        f"{where} got unknown keyword argument(s) {names}; "
        f"valid ones are: {', '.join(valid)}.{hint}"
    )


def lookup(kind: str, name: str, table: Mapping[str, Any]) -> Any:
    """Find ``name`` (case-insensitive, ``-`` and spaces read as ``_``) in a registry."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name must be a string; received {type(name).__name__}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in table:
        raise ValueError(
            f"unknown {kind} {name!r}; valid names are: {', '.join(sorted(table))}."
            + _suggestion(key, table)
        )
    return table[key]


def as_rng(rng: np.random.Generator | None = None, seed: int | None = None) -> np.random.Generator:
    """Return a NumPy ``Generator`` from either ``rng`` or ``seed`` (never both).

    With neither, a fresh generator seeded from the operating system is returned:
    results then differ between runs, but no global state is touched.
    """
    if rng is not None and seed is not None:
        raise ValueError("pass either rng or seed, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                "rng must be a numpy.random.Generator (np.random.default_rng(seed)); "
                f"received {type(rng).__name__}"
            )
        return rng
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer; received {seed!r}")
    return np.random.default_rng(seed)


def check_positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float when it is positive (or zero when allowed)."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and (
        value >= 0 if allow_zero else value > 0
    )
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a number {bound}; received {value!r}")
    return float(value)


def check_probability(name: str, value: float, *, allow_one: bool = False) -> float:
    """Return ``value`` as a float when it lies in [0, 1) (or [0, 1] when allowed)."""
    upper_ok = value <= 1 if allow_one else value < 1
    if not isinstance(value, (int, float, np.integer, np.floating)) or not (
        0 <= value and upper_ok
    ):
        interval = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(f"{name} must lie in {interval}; received {value!r}")
    return float(value)

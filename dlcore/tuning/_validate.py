"""Argument checks shared by the tuning modules; every message names what was wrong."""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._checks import reject_unknown_kwargs


def plain(value: Any) -> Any:
    """A NumPy scalar as the equivalent Python value (``np.float64(1.0)`` -> ``1.0``)."""
    return value.item() if isinstance(value, np.generic) else value


def check_rng(where: str, rng: Any) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{where}: rng must be a numpy.random.Generator, e.g. np.random.default_rng(0); "
            f"received {type(rng).__name__}"
        )
    return rng


def check_grid_size(where: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(
            f"{where}: the number of grid points must be an integer >= 1; received {n!r}"
        )
    return int(n)


def check_real(where: str, name: str, value: Any) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number; received {value!r}")
    return float(value)


def check_choice(where: str, name: str, value: Any, valid: Sequence[Any]) -> Any:
    """Return ``value`` when it is one of ``valid``; raise ``ValueError`` listing them."""
    if isinstance(value, bool) or value not in valid:
        choices = ", ".join(repr(v) for v in valid)
        raise ValueError(f"{where}: {name} must be one of {choices}; received {value!r}")
    return value


def check_count(where: str, name: str, value: Any, *, minimum: int = 1) -> int:
    """Return ``value`` when it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}; received {value!r}")
    return int(value)


def check_budget(where: str, name: str, value: Any) -> int | float:
    """Return ``value`` (kept an int when it is one) when it is a finite number > 0."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{where}: {name} must be a finite number > 0; received {value!r}")
    return plain(value)


def reject_unknown(searcher: Any, unknown: dict[str, Any]) -> None:
    """Raise ``TypeError`` for keyword arguments the searcher's constructor does not take."""
    cls = type(searcher)
    names = inspect.signature(cls.__init__).parameters
    valid = [n for n, p in names.items() if n != "self" and p.kind is not p.VAR_KEYWORD]
    reject_unknown_kwargs(f"{cls.__name__}()", unknown, valid)

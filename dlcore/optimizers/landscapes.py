"""Two-dimensional loss surfaces on which optimizers can be watched, and their paths.

A network's loss lives in millions of dimensions; these two show, in a picture,
what optimizers do in the two situations that matter most:

- :class:`ElongatedBowl`, ``f(x, y) = (a x**2 + b y**2) / 2`` with ``b >> a`` (0.2
  and 10 by default, a condition number of 50): a valley much steeper across than
  along. Gradient descent zig-zags across it and crawls along it.
- :class:`Rosenbrock`, ``f(x, y) = (a - x)**2 + b (y - x**2)**2``: a curved,
  nearly flat-bottomed valley whose minimum (a, a**2) is easy to reach and hard
  to finish at (Rosenbrock 1960).

:func:`descend` runs any update function of the shape of
:mod:`dlcore.optimizers.functional` (yours too) from a start point and returns
the path; :func:`optimizer_path` does it for dlcore's optimizer of a given name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import check_positive, lookup
from . import functional

#: A path is abandoned once a coordinate exceeds this in absolute value (divergence).
DIVERGED = 1e6


@dataclass(frozen=True)
class Landscape:
    """A loss surface of two parameters ``w = (x, y)``.

    Subclasses give :meth:`value` and :meth:`gradient` for ``w`` of shape (..., 2)
    (one point, or a whole grid at once). ``start`` is where the notebook's paths
    begin, ``xlim``/``ylim`` the window that shows them, ``log_levels`` whether the
    contours are drawn on a log scale (for surfaces whose values span decades).
    """

    name: str
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    log_levels: bool = False

    @property
    def minimum(self) -> tuple[float, float]:
        """Where the surface is lowest."""
        raise NotImplementedError

    def value(self, w: Any) -> np.ndarray:
        raise NotImplementedError

    def gradient(self, w: Any) -> np.ndarray:
        raise NotImplementedError

    def grid(self, resolution: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(X, Y, Z)`` of shape (resolution, resolution) over the window, for a contour plot."""
        xs = np.linspace(*self.xlim, resolution)
        ys = np.linspace(*self.ylim, resolution)
        X, Y = np.meshgrid(xs, ys)
        return X, Y, self.value(np.stack([X, Y], axis=-1))

    def levels(self, count: int = 20) -> np.ndarray:
        """Contour levels that show the valley: log-spaced or evenly spaced over the window."""
        _, _, Z = self.grid(120)
        low, high = float(Z.min()), float(np.percentile(Z, 95))
        if self.log_levels:
            return np.geomspace(max(low, 1e-3), high, count)
        return np.linspace(low, high, count + 1)[1:]


def _pair(w: Any) -> tuple[np.ndarray, np.ndarray]:
    w = np.asarray(w, dtype=float)
    if w.shape[-1:] != (2,):
        raise ValueError(f"a landscape point must have shape (..., 2); received {w.shape}")
    return w[..., 0], w[..., 1]


@dataclass(frozen=True)
class ElongatedBowl(Landscape):
    """``f(x, y) = (a x**2 + b y**2) / 2``: minimum 0 at the origin; curvatures a and b."""

    name: str = "elongated bowl"
    start: tuple[float, float] = (-4.5, 1.5)
    xlim: tuple[float, float] = (-5.0, 5.0)
    ylim: tuple[float, float] = (-2.5, 2.5)
    a: float = 0.2
    b: float = 10.0

    def __post_init__(self) -> None:
        check_positive("ElongatedBowl a", self.a)
        check_positive("ElongatedBowl b", self.b)

    @property
    def minimum(self) -> tuple[float, float]:
        return (0.0, 0.0)

    def value(self, w: Any) -> np.ndarray:
        x, y = _pair(w)
        return 0.5 * (self.a * x**2 + self.b * y**2)

    def gradient(self, w: Any) -> np.ndarray:
        x, y = _pair(w)
        return np.stack([self.a * x, self.b * y], axis=-1)


@dataclass(frozen=True)
class Rosenbrock(Landscape):
    """``f(x, y) = (a - x)**2 + b (y - x**2)**2``: minimum 0 at ``(a, a**2)``."""

    name: str = "rosenbrock"
    start: tuple[float, float] = (-1.2, 1.0)
    xlim: tuple[float, float] = (-2.0, 2.0)
    ylim: tuple[float, float] = (-1.0, 3.0)
    log_levels: bool = True
    a: float = 1.0
    b: float = 100.0

    def __post_init__(self) -> None:
        check_positive("Rosenbrock b", self.b)

    @property
    def minimum(self) -> tuple[float, float]:
        return (float(self.a), float(self.a) ** 2)

    def value(self, w: Any) -> np.ndarray:
        x, y = _pair(w)
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def gradient(self, w: Any) -> np.ndarray:
        x, y = _pair(w)
        inner = y - x**2
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * inner, 2 * self.b * inner], axis=-1)


LANDSCAPES: dict[str, Landscape] = {"bowl": ElongatedBowl(), "rosenbrock": Rosenbrock()}


def get(name: str | Landscape) -> Landscape:
    """A landscape by name ("bowl", "rosenbrock"); an instance is returned unchanged."""
    if isinstance(name, Landscape):
        return name
    return lookup("landscape", name, LANDSCAPES)


def descend(
    update: Callable[..., Any],
    start: Any,
    gradient: Callable[[np.ndarray], np.ndarray],
    steps: int,
    **hyperparameters: Any,
) -> np.ndarray:
    """The path of ``w, state = update(w, gradient(w), state, **hyperparameters)`` from ``start``.

    Parameters
    ----------
    update : function ``(w, g, state, **hyperparameters) -> (new_w, new_state)``
        Called with ``state = {}`` at the first step.
    start : array, shape (D,)
    gradient : function ``w -> dL/dw`` (shape (D,))
    steps : int >= 0

    Returns
    -------
    ndarray, shape (steps + 1, D): ``start`` and the point after every step. The path
    stops early (fewer rows) when a step leaves ``|w| < 1e6`` or gives NaN: it diverged.
    Overflow warnings on the way there are silenced, the stopping says it all.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"descend: steps must be an integer >= 0; received {steps!r}")
    w = np.array(start, dtype=float)
    path, state = [w.copy()], {}
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(steps)):
            w, state = update(w, gradient(w), state, **hyperparameters)
            w = np.array(w, dtype=float)
            if not np.all(np.abs(w) < DIVERGED):  # also catches NaN
                break
            path.append(w.copy())
    return np.array(path)


def optimizer_path(
    name: str, landscape: str | Landscape = "bowl", steps: int = 100, start: Any = None,
    **hyperparameters: Any,
) -> np.ndarray:
    """The path of dlcore's optimizer ``name`` ("adam"...) on ``landscape``: see :func:`descend`.

    ``start`` defaults to the landscape's; ``hyperparameters`` go to the optimizer.
    """
    surface = get(landscape)
    begin = surface.start if start is None else start
    return descend(functional.get(name), begin, surface.gradient, steps, **hyperparameters)

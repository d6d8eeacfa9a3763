"""Search spaces: where each hyperparameter is drawn from, and on which scale.

A space knows how to ``sample`` (with a NumPy ``Generator`` that the caller passes: no
global randomness), how to lay out a ``grid`` of representative values for grid search,
whether it ``contains`` a value, and how to ``narrow`` itself around the best values seen
(coarse-to-fine search).

The scale matters (course notes, "Scale for picking hyperparameters"): a learning rate in
[1e-4, 1] drawn uniformly lands in [0.1, 1] 90 % of the time, while ``LogUniform`` spends a
quarter of the trials in each decade. A momentum ``beta`` in [0.9, 0.999] is drawn on the
scale of ``1 - beta`` with ``OneMinusLogUniform``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validate import check_grid_size, check_real, check_rng, plain

__all__ = [
    "Choice",
    "IntUniform",
    "LogUniform",
    "OneMinusLogUniform",
    "Space",
    "Uniform",
]


class Space:
    """Base class of the search spaces.

    Attributes
    ----------
    scale : str
        The scale values are drawn on: "linear", "log", "one_minus_log" or "categorical".
        Plots use it to pick their x axis.
    """

    scale = "linear"

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...] | None = None) -> Any:
        """Draw values: one plain Python value when ``size`` is None, else an array."""
        raise NotImplementedError

    def grid(self, n: int) -> list[Any]:
        """``n`` representative values, evenly spaced on the space's own scale."""
        raise NotImplementedError

    def contains(self, value: Any) -> bool:
        """Whether ``value`` lies in the space."""
        raise NotImplementedError

    def narrow(self, values: Sequence[Any], *, margin: float = 0.0) -> Space:
        """The smallest space of the same kind holding ``values`` (coarse-to-fine zoom)."""
        raise NotImplementedError

    def _params(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._params() == other._params()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(p) for p in self._params())})"


class _Interval(Space):
    """A continuous interval [low, high], uniform on a monotone transform of the values."""

    def __init__(self, low: float, high: float) -> None:
        where = type(self).__name__
        self.low = check_real(where, "low", low)
        self.high = check_real(where, "high", high)
        if not self.low < self.high:
            raise ValueError(
                f"{where}: low must be smaller than high; received low={low!r}, high={high!r}"
            )

    # The space's own scale: values are uniform in u = _to_scale(x).
    def _to_scale(self, x: np.ndarray) -> np.ndarray:
        return x

    def _from_scale(self, u: np.ndarray) -> np.ndarray:
        return u

    def _scale_bounds(self) -> tuple[float, float]:
        ends = self._to_scale(np.array([self.low, self.high]))
        return float(ends.min()), float(ends.max())

    def _values(self, u: np.ndarray) -> np.ndarray:
        # Rounding in the transform must never step outside [low, high].
        return np.clip(self._from_scale(u), self.low, self.high)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...] | None = None) -> Any:
        """Draw values uniformly on the space's scale.

        Parameters
        ----------
        rng : numpy.random.Generator
            The source of randomness (required).
        size : int or tuple, optional
            None for one Python float; otherwise the shape of the returned float64 array.
        """
        check_rng(f"{type(self).__name__}.sample", rng)
        a, b = self._scale_bounds()
        values = self._values(rng.uniform(a, b, size=size))
        return float(values) if size is None else values

    def grid(self, n: int) -> list[float]:
        """``n`` values evenly spaced on the space's scale, both ends included.

        One point is the middle of the scale (the geometric mean for ``LogUniform``).
        """
        n = check_grid_size(f"{type(self).__name__}.grid", n)
        a, b = self._scale_bounds()
        u = np.array([(a + b) / 2]) if n == 1 else np.linspace(a, b, n)
        return sorted(float(v) for v in self._values(u))

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is a number in [low, high]."""
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            return False
        return self.low <= value <= self.high

    def narrow(self, values: Sequence[Any], *, margin: float = 0.0) -> Space:
        """The bounding box of ``values``, widened by ``margin`` times its width on each side.

        The widening is measured on the space's own scale (decades for ``LogUniform``) and
        clipped to [low, high]. When every value is the same the result is ``Choice([value])``.
        """
        values = _check_narrow_values(self, values)
        low, high = min(values), max(values)
        if margin > 0:
            ends = self._to_scale(np.array([low, high], dtype=float))
            lo, hi = float(ends.min()), float(ends.max())
            pad = margin * (hi - lo)
            a, b = self._scale_bounds()
            ends = self._values(np.array([max(a, lo - pad), min(b, hi + pad)]))
            low, high = min(low, float(ends.min())), max(high, float(ends.max()))
        if low == high:
            return Choice([low])
        return type(self)(low, high)

    def _params(self) -> tuple[Any, ...]:
        return (self.low, self.high)


class Uniform(_Interval):
    """Real values drawn uniformly from [low, high] (linear scale).

    Parameters
    ----------
    low, high : float
        The bounds, ``low < high``.
    """


class LogUniform(_Interval):
    """Positive values with a uniform base-10 logarithm: ``x = 10**r``, r uniform in
    [log10(low), log10(high)].

    Every decade gets the same share of samples: on [1e-4, 1], a quarter each in
    [1e-4, 1e-3], [1e-3, 1e-2], [1e-2, 1e-1] and [1e-1, 1]. Use it for learning rates,
    weight decay, epsilon.

    Parameters
    ----------
    low, high : float
        The bounds, ``0 < low < high``.
    """

    scale = "log"

    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high)
        if self.low <= 0:
            raise ValueError(
                f"LogUniform: low must be > 0 (a logarithm is taken); received low={low!r}, "
                f"high={high!r}"
            )

    def _to_scale(self, x: np.ndarray) -> np.ndarray:
        return np.log10(x)

    def _from_scale(self, u: np.ndarray) -> np.ndarray:
        return 10.0**u


class OneMinusLogUniform(_Interval):
    """Values near 1 (momentum ``beta``) with ``1 - x`` log-uniform: ``x = 1 - 10**r``.

    r is uniform in [log10(1 - high), log10(1 - low)]; for ``beta`` in [0.9, 0.999] that is
    r in [-3, -1], so [0.9, 0.99] and [0.99, 0.999] get half of the samples each (the
    course notes: the closer beta is to 1, the more a small change matters).

    Parameters
    ----------
    low, high : float
        The bounds, ``low < high < 1``.
    """

    scale = "one_minus_log"

    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high)
        if self.high >= 1:
            raise ValueError(
                f"OneMinusLogUniform: high must be < 1 (the logarithm of 1 - high is taken); "
                f"received low={low!r}, high={high!r}"
            )

    def _to_scale(self, x: np.ndarray) -> np.ndarray:
        return np.log10(1.0 - x)

    def _from_scale(self, u: np.ndarray) -> np.ndarray:
        return 1.0 - 10.0**u


class IntUniform(Space):
    """Integers drawn uniformly from ``low`` to ``high``, both included.

    Parameters
    ----------
    low, high : int
        The bounds, ``low < high``. Use ``Choice`` for a short list such as {32, 64, 128}.
    """

    def __init__(self, low: int, high: int) -> None:
        for name, value in (("low", low), ("high", high)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(
                    f"IntUniform: {name} must be an integer; received {name}={value!r} "
                    "(use Uniform for real values)"
                )
        if not low < high:
            raise ValueError(
                f"IntUniform: low must be smaller than high; received low={low!r}, high={high!r}"
            )
        self.low, self.high = int(low), int(high)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...] | None = None) -> Any:
        """Draw integers: one Python int when ``size`` is None, else an int64 array."""
        check_rng("IntUniform.sample", rng)
        values = rng.integers(self.low, self.high, size=size, endpoint=True)
        return int(values) if size is None else values

    def grid(self, n: int) -> list[int]:
        """At most ``n`` evenly spaced integers (all of them when the range is shorter)."""
        n = check_grid_size("IntUniform.grid", n)
        points = (
            np.array([(self.low + self.high) / 2])
            if n == 1
            else np.linspace(self.low, self.high, n)
        )
        return sorted({int(v) for v in np.round(points)})

    def contains(self, value: Any) -> bool:
        """Whether ``value`` is an integer (or integral float) in [low, high]."""
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            return False
        return float(value).is_integer() and self.low <= value <= self.high

    def narrow(self, values: Sequence[Any], *, margin: float = 0.0) -> Space:
        """The range spanned by ``values``, widened by ``margin`` times its width, clipped."""
        values = _check_narrow_values(self, values)
        low, high = int(min(values)), int(max(values))
        pad = margin * (high - low)
        low = max(self.low, math.floor(low - pad))
        high = min(self.high, math.ceil(high + pad))
        return Choice([low]) if low == high else IntUniform(low, high)

    def _params(self) -> tuple[Any, ...]:
        return (self.low, self.high)


class Choice(Space):
    """One of a list of options, each equally likely (batch size, activation name...).

    Parameters
    ----------
    options : sequence
        The distinct options, e.g. ``[32, 64, 128, 256]`` or ``["relu", "tanh"]``.
        A single option fixes the parameter.
    """

    scale = "categorical"

    def __init__(self, options: Sequence[Any]) -> None:
        if isinstance(options, (str, bytes)) or not isinstance(options, (Sequence, np.ndarray)):
            raise TypeError(
                "Choice: options must be a list or tuple of values, e.g. Choice([32, 64, 128]); "
                f"received {options!r}"
            )
        options = [plain(option) for option in options]
        if not options:
            raise ValueError("Choice: options must not be empty; received []")
        for i, option in enumerate(options):
            if any(option == earlier for earlier in options[:i]):
                raise ValueError(f"Choice: options must be distinct; {option!r} appears twice")
        self.options = tuple(options)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...] | None = None) -> Any:
        """Draw options: one option when ``size`` is None, else an object array of options."""
        check_rng("Choice.sample", rng)
        index = rng.integers(len(self.options), size=size)
        if size is None:
            return self.options[int(index)]
        values = np.empty(index.shape, dtype=object)
        for position, i in np.ndenumerate(index):
            values[position] = self.options[i]
        return values

    def grid(self, n: int | None = None) -> list[Any]:
        """Every option, in order (``n`` is accepted for a uniform interface and ignored)."""
        if n is not None:
            check_grid_size("Choice.grid", n)
        return list(self.options)

    def contains(self, value: Any) -> bool:
        """Whether ``value`` equals one of the options."""
        return any(value == option for option in self.options)

    def narrow(self, values: Sequence[Any], *, margin: float = 0.0) -> Space:
        """The options that appear in ``values``, in their original order."""
        values = _check_narrow_values(self, values)
        return Choice([o for o in self.options if any(o == v for v in values)])

    def _params(self) -> tuple[Any, ...]:
        return (list(self.options),)


def _check_narrow_values(space: Space, values: Sequence[Any]) -> list[Any]:
    values = [plain(v) for v in values]
    if not values:
        raise ValueError(f"{space!r}.narrow: needs at least one value; received none")
    outside = [v for v in values if not space.contains(v)]
    if outside:
        raise ValueError(f"{space!r}.narrow: values outside the space: {outside[:5]!r}")
    return values

"""Data sets for the course: small synthetic problems, real digits, local MNIST, batching, splits.

Every generator returns ``(X, y)`` with ``X`` float64 of shape (N, D) and ``y`` int64 of shape
(N,) unless its docstring says otherwise. Randomness comes only from the keyword arguments
``rng`` (a ``numpy.random.Generator``) or ``seed`` (not both): the same seed gives the same
arrays, and no global random state is touched. Generated rows are shuffled, so the first rows
are not all one class.
"""

from __future__ import annotations

import importlib.resources
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from dlcore._checks import as_rng, check_positive, check_probability
from dlcore.backend import get_array_module, to_numpy
from dlcore.mnist import load_mnist, read_idx

__all__ = [
    "load_digits", "load_mnist", "make_and", "make_blobs", "make_circles", "make_moons",
    "make_or", "make_regression_outliers", "make_spirals", "make_xor", "minibatches",
    "read_idx", "train_test_split", "train_val_test_split",
]  # fmt: skip

_CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _check_count(name: str, value: Any, minimum: int = 1) -> int:
    """Return ``value`` as an int when it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; received {value!r}")
    return int(value)


def _class_sizes(n_samples: int, n_classes: int) -> list[int]:
    """Split ``n_samples`` into ``n_classes`` sizes differing by at most one (first ones larger)."""
    base, extra = divmod(n_samples, n_classes)
    return [base + (k < extra) for k in range(n_classes)]


def _labels(sizes: list[int]) -> np.ndarray:
    """Class k repeated sizes[k] times, as int64."""
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _shuffled(
    X: np.ndarray, y: np.ndarray, generator: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    order = generator.permutation(len(y))
    return X[order], y[order]


# --------------------------------------------------------------------------- logic gates


def _logic_gate(
    gate: Callable[[np.ndarray, np.ndarray], np.ndarray],
    n_samples: int, noise: float, rng: np.random.Generator | None, seed: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Truth table of a 2-input gate: sample i is corner i % 4, plus noise, shuffled if N > 4."""
    n_samples = _check_count("n_samples", n_samples)
    noise = check_positive("noise", noise, allow_zero=True)
    generator = as_rng(rng, seed)
    X = _CORNERS[np.arange(n_samples) % 4]
    y = gate(X[:, 0] > 0.5, X[:, 1] > 0.5).astype(np.int64)
    if noise > 0:
        X = X + generator.normal(0.0, noise, size=X.shape)
    return _shuffled(X, y, generator) if n_samples > 4 else (X, y)


def make_and(
    n_samples: int = 4, noise: float = 0.0, *, rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """AND truth table: ``y = x1 and x2`` on inputs in {0, 1} (linearly separable).

    With the defaults, exactly the rows (0,0), (0,1), (1,0), (1,1) with labels 0, 0, 0, 1. With
    ``n_samples > 4`` sample ``i`` is corner ``i % 4`` and the rows are shuffled. Gaussian noise
    of std ``noise`` (>= 0) is added to X; labels stay those of the corner.

    Returns
    -------
    X : ndarray, shape (n_samples, 2), float64
    y : ndarray, shape (n_samples,), int64
    """
    return _logic_gate(np.logical_and, n_samples, noise, rng, seed)


def make_or(
    n_samples: int = 4, noise: float = 0.0, *, rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """OR truth table: ``y = x1 or x2`` on inputs in {0, 1} (linearly separable).

    Labels 0, 1, 1, 1 for the rows (0,0), (0,1), (1,0), (1,1); samples, noise and shuffling as
    in :func:`make_and`. Returns X (n_samples, 2) float64 and y (n_samples,) int64.
    """
    return _logic_gate(np.logical_or, n_samples, noise, rng, seed)


def make_xor(
    n_samples: int = 4, noise: float = 0.0, *, rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """XOR truth table: ``y = x1 xor x2`` on inputs in {0, 1} (not linearly separable).

    Labels 0, 1, 1, 0 for the rows (0,0), (0,1), (1,0), (1,1); samples, noise and shuffling as
    in :func:`make_and`. Returns X (n_samples, 2) float64 and y (n_samples,) int64.
    """
    return _logic_gate(np.logical_xor, n_samples, noise, rng, seed)


# --------------------------------------------------------------------------- 2-D shapes


def make_blobs(
    n_samples: int = 300, centers: int | np.ndarray = 3, n_features: int = 2,
    cluster_std: float = 1.0, center_box: tuple[float, float] = (-5.0, 5.0), *,
    rng: np.random.Generator | None = None, seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian clusters: ``x = center[y] + cluster_std * N(0, I)``.

    Parameters
    ----------
    n_samples : int, >= 1, split as evenly as possible between the clusters
    centers : int, or array_like of shape (k, D)
        The number k of clusters, whose centers are drawn uniformly in ``center_box`` along
        every feature; or the centers themselves (then D comes from their shape).
    n_features : int, >= 1, D when ``centers`` is an int
    cluster_std : float, >= 0
    center_box : (low, high) with low < high

    Returns
    -------
    X : ndarray, shape (n_samples, D), float64
    y : ndarray, shape (n_samples,), int64, the cluster index in 0..k-1
    """
    n_samples = _check_count("n_samples", n_samples)
    cluster_std = check_positive("cluster_std", cluster_std, allow_zero=True)
    generator = as_rng(rng, seed)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        shape = (_check_count("centers", centers), _check_count("n_features", n_features))
        low, high = (float(v) for v in center_box)
        if not low < high:
            raise ValueError(f"center_box must be (low, high), low < high; received {center_box!r}")
        means = generator.uniform(low, high, size=shape)
    else:
        means = np.asarray(centers, dtype=np.float64)
        if means.ndim != 2 or len(means) == 0:
            raise ValueError(f"centers must be an int or of shape (k, D); received {means.shape}")
    y = _labels(_class_sizes(n_samples, len(means)))
    X = means[y] + generator.normal(0.0, cluster_std, size=(n_samples, means.shape[1]))
    return _shuffled(X, y, generator)


def make_moons(
    n_samples: int = 200, noise: float = 0.1, *, rng: np.random.Generator | None = None,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles of radius 1.

    Class 0 is the upper arc ``(cos t, sin t)``, class 1 the lower arc ``(1 - cos t, 0.5 - sin t)``,
    for ``t`` evenly spaced in [0, pi] (class 0 gets the extra sample when ``n_samples`` is
    odd); Gaussian noise of std ``noise`` is added to both coordinates.

    Returns
    -------
    X : ndarray, shape (n_samples, 2), float64
    y : ndarray, shape (n_samples,), int64, values in {0, 1}
    """
    n_samples = _check_count("n_samples", n_samples, minimum=2)
    noise = check_positive("noise", noise, allow_zero=True)
    generator = as_rng(rng, seed)
    sizes = _class_sizes(n_samples, 2)
    y = _labels(sizes)
    t = np.concatenate([np.linspace(0.0, np.pi, size) for size in sizes])
    sign = 1.0 - 2.0 * y  # +1 for the upper arc, -1 for the lower one
    X = np.column_stack([y + sign * np.cos(t), 0.5 * y + sign * np.sin(t)])
    return _shuffled(X + generator.normal(0.0, noise, size=X.shape), y, generator)


def make_circles(
    n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, *,
    rng: np.random.Generator | None = None, seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: radius 1 (class 0) around radius ``factor`` (class 1).

    Angles are evenly spaced on each circle (class 0 gets the extra sample when ``n_samples``
    is odd); Gaussian noise of std ``noise`` is added to both coordinates. ``factor`` must lie
    in (0, 1).

    Returns
    -------
    X : ndarray, shape (n_samples, 2), float64
    y : ndarray, shape (n_samples,), int64, values in {0, 1}
    """
    n_samples = _check_count("n_samples", n_samples, minimum=2)
    noise = check_positive("noise", noise, allow_zero=True)
    if not isinstance(factor, (int, float, np.integer, np.floating)) or not 0 < factor < 1:
        raise ValueError(f"factor must lie in (0, 1); received {factor!r}")
    generator = as_rng(rng, seed)
    sizes = _class_sizes(n_samples, 2)
    y = _labels(sizes)
    angle = np.concatenate([np.linspace(0, 2 * np.pi, size, endpoint=False) for size in sizes])
    radius = np.where(y == 0, 1.0, float(factor))
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _shuffled(X + generator.normal(0.0, noise, size=X.shape), y, generator)


def make_spirals(
    n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, turns: float = 1.0, *,
    rng: np.random.Generator | None = None, seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The classic K-arm spiral: one arm per class, arms rotated by 2*pi/K.

    Along arm ``k`` the position ``s`` runs evenly over (0, 1] and the point is
    ``s * (cos a, sin a)`` with ``a = 2*pi*(turns*s + k/K) + noise * N(0, 1)``: the radius grows
    linearly to 1 while the arm winds ``turns`` times around the origin, and the noise jitters
    the angle (in radians), as in the CS231n version of the data set.

    Parameters
    ----------
    n_samples : int, >= n_classes, split as evenly as possible between the arms
    n_classes : int, >= 2
    noise : float, >= 0
    turns : float, > 0

    Returns
    -------
    X : ndarray, shape (n_samples, 2), float64
    y : ndarray, shape (n_samples,), int64, values in 0..n_classes-1
    """
    n_classes = _check_count("n_classes", n_classes, minimum=2)
    n_samples = _check_count("n_samples", n_samples, minimum=n_classes)
    noise = check_positive("noise", noise, allow_zero=True)
    turns = check_positive("turns", turns)
    generator = as_rng(rng, seed)
    sizes = _class_sizes(n_samples, n_classes)
    y = _labels(sizes)
    s = np.concatenate([np.arange(1, size + 1) / size for size in sizes])
    angle = 2 * np.pi * (turns * s + y / n_classes) + generator.normal(0.0, noise, n_samples)
    X = s[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _shuffled(X, y, generator)


def make_regression_outliers(
    n_samples: int = 100, slope: float = 2.0, intercept: float = 1.0, noise: float = 0.5,
    outlier_fraction: float = 0.1, outlier_scale: float = 10.0, *,
    rng: np.random.Generator | None = None, seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A noisy line with a few targets pushed far above it (to compare MSE, MAE and Huber fits).

    ``x ~ U(-3, 3)`` and ``y = slope * x + intercept + noise * N(0, 1)``; then
    ``round(outlier_fraction * n_samples)`` targets chosen at random get
    ``+ outlier_scale * U(1, 2)``. All outliers lie on the same side, so they drag a
    least-squares line upward while a robust fit stays on the bulk of the data.

    Returns
    -------
    X : ndarray, shape (n_samples, 1), float64
    y : ndarray, shape (n_samples,), float64 (a regression target, not a label)
    """
    n_samples = _check_count("n_samples", n_samples)
    noise = check_positive("noise", noise, allow_zero=True)
    outlier_fraction = check_probability("outlier_fraction", outlier_fraction)
    outlier_scale = check_positive("outlier_scale", outlier_scale)
    generator = as_rng(rng, seed)
    x = generator.uniform(-3.0, 3.0, size=n_samples)
    y = float(slope) * x + float(intercept) + generator.normal(0.0, noise, size=n_samples)
    n_outliers = math.floor(outlier_fraction * n_samples + 0.5)
    chosen = generator.choice(n_samples, size=n_outliers, replace=False)
    y[chosen] += outlier_scale * generator.uniform(1.0, 2.0, size=n_outliers)
    return x[:, None], y


# --------------------------------------------------------------------------- real data


def load_digits(*, normalize: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The UCI handwritten digits: 1797 grey images of 8x8 pixels, labels 0..9.

    Read from ``dlcore/data/digits.npz``, shipped with the package (provenance and licence in
    ``dlcore/data/README.md``); nothing is downloaded. With ``normalize`` the pixel values
    (integers 0..16) are divided by 16 so that they lie in [0, 1].

    Returns
    -------
    X : ndarray, shape (1797, 64), float64, each row an image flattened row by row
    y : ndarray, shape (1797,), int64
    """
    resource = importlib.resources.files("dlcore").joinpath("data/digits.npz")
    with resource.open("rb") as handle, np.load(handle, allow_pickle=False) as archive:
        images, labels = archive["images"], archive["labels"]
    X = images.reshape(len(images), -1).astype(np.float64)
    return (X / 16.0 if normalize else X), labels.astype(np.int64)


# --------------------------------------------------------------------------- batching and splits


def _check_same_length(X: Any, y: Any) -> int:
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length; received len(X)={len(X)}, "
                         f"len(y)={len(y)}")
    return len(X)


def minibatches(
    X: Any, y: Any, batch_size: int, *, shuffle: bool = True,
    rng: np.random.Generator | None = None, seed: int | None = None,
) -> Iterator[tuple[Any, Any]]:
    """Iterate once over ``(X, y)`` in mini-batches; NumPy or CuPy arrays.

    Arguments are checked when the function is called, not at the first batch.

    Parameters
    ----------
    X : array, shape (N, ...)
    y : array, shape (N, ...)
    batch_size : int, >= 1; every batch has this many rows except possibly the last
    shuffle : visit the rows in a random order drawn from ``rng``/``seed``, else in order

    Yields
    ------
    X_batch : array, shape (B, ...), same array module as X
    y_batch : array, shape (B, ...)
    """
    n = _check_same_length(X, y)
    batch_size = _check_count("batch_size", batch_size)
    xp = get_array_module(X, y)
    order = as_rng(rng, seed).permutation(n) if shuffle else None

    def batches() -> Iterator[tuple[Any, Any]]:
        for start in range(0, n, batch_size):
            if order is None:
                yield X[start:start + batch_size], y[start:start + batch_size]
            else:
                index = xp.asarray(order[start:start + batch_size])
                yield X[index], y[index]

    return batches()


def _split_indices(
    y: Any, fractions: tuple[float, ...], stratify: bool, generator: np.random.Generator
) -> list[np.ndarray]:
    """Shuffled row indices of one part per fraction, then of the rest (the training part)."""
    if stratify:
        labels = to_numpy(y)
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError("stratify=True needs integer class labels y of shape (N,); received "
                             f"dtype {labels.dtype} and shape {labels.shape}")
        groups = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    else:
        groups = [np.arange(len(y))]
    parts: list[list[np.ndarray]] = [[] for _ in range(len(fractions) + 1)]
    for group in groups:
        group, start = generator.permutation(group), 0
        for part, fraction in zip(parts[:-1], fractions, strict=True):
            stop = start + math.floor(fraction * len(group) + 0.5)
            part.append(group[start:stop])
            start = stop
        parts[-1].append(group[start:])
    indices = [generator.permutation(np.concatenate(part)) for part in parts]
    if len(indices[-1]) == 0:
        raise ValueError(f"no training sample left out of N={len(y)} after holding out {fractions}")
    return indices


def train_val_test_split(
    X: Any, y: Any, *, val_size: float = 0.15, test_size: float = 0.15, stratify: bool = False,
    rng: np.random.Generator | None = None, seed: int | None = None,
) -> tuple[tuple[Any, Any], tuple[Any, Any], tuple[Any, Any]]:
    """Split ``(X, y)`` at random into disjoint training, validation (dev) and test sets.

    The validation and test sets get ``round(val_size * N)`` and ``round(test_size * N)`` rows
    and the training set the rest; with ``stratify=True`` this is done class by class, so that
    every set keeps the class proportions of the integer labels ``y``. Rows are shuffled within
    each set. NumPy or CuPy arrays.

    Parameters
    ----------
    X : array, shape (N, ...)
    y : array, shape (N, ...)
    val_size, test_size : float in [0, 1), with val_size + test_size < 1

    Returns
    -------
    (X_train, y_train), (X_val, y_val), (X_test, y_test)
    """
    _check_same_length(X, y)
    val_size = check_probability("val_size", val_size)
    test_size = check_probability("test_size", test_size)
    if val_size + test_size >= 1:
        raise ValueError(f"val_size + test_size must be < 1; received {val_size} + {test_size}")
    xp = get_array_module(X, y)
    val, test, train = _split_indices(y, (val_size, test_size), stratify, as_rng(rng, seed))
    train, val, test = (xp.asarray(index) for index in (train, val, test))
    return (X[train], y[train]), (X[val], y[val]), (X[test], y[test])


def train_test_split(
    X: Any, y: Any, *, test_size: float = 0.2, stratify: bool = False,
    rng: np.random.Generator | None = None, seed: int | None = None,
) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """Split ``(X, y)`` at random into disjoint training and test sets.

    :func:`train_val_test_split` with ``val_size=0``: the test set gets ``round(test_size * N)``
    rows (class by class with ``stratify=True``) and the training set the rest.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
    """
    train, _, test = train_val_test_split(
        X, y, val_size=0.0, test_size=test_size, stratify=stratify, rng=rng, seed=seed
    )
    return train, test

"""Plots shared by several notebooks: training curves and decision regions.

Every helper takes an optional matplotlib ``Axes`` and returns the one it drew on;
none changes rcParams or any other global matplotlib state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..backend import to_numpy


def new_axes(ax: Any = None, figsize: tuple[float, float] = (5.0, 4.0)) -> Any:
    """``ax`` itself, or the axes of a new figure (object API, nothing global changed)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_history(
    history: Any, keys: Sequence[str] | None = None, *, ax: Any = None, log_y: bool = False
) -> Any:
    """Curves of ``history.history`` (a History or its dict) per epoch, e.g. loss and val_loss."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError("plot_history: expected a History (from fit) or a non-empty dict of lists")
    keys = list(keys) if keys is not None else [k for k in logs if "loss" in k] or list(logs)
    missing = [k for k in keys if k not in logs]
    if missing:
        raise KeyError(f"plot_history: no {missing} in the history; it has {sorted(logs)}")
    ax = new_axes(ax)
    for key in keys:
        values = logs[key]
        ax.plot(
            range(1, len(values) + 1),
            values,
            label=key,
            linestyle="--" if key.startswith("val_") else "-",
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel(", ".join(keys) if len(keys) <= 2 else "value")
    if log_y:
        ax.set_yscale("log")
    ax.legend()
    return ax


def decision_grid(X: Any, resolution: int = 200, margin: float = 0.5):
    """A grid over the 2-D inputs' bounding box: (xx, yy, points (resolution**2, 2))."""
    X = np.asarray(to_numpy(X), dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision regions need 2-D inputs (N, 2); received shape {X.shape}")
    (x0, y0), (x1, y1) = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_decision_regions(
    predict: Callable[[np.ndarray], Any],
    X: Any,
    y: Any,
    *,
    ax: Any = None,
    resolution: int = 200,
    title: str | None = None,
) -> Any:
    """Colour the plane by ``predict`` (class labels for (M, 2) points) and scatter (X, y)."""
    xx, yy, points = decision_grid(X, resolution)
    labels = np.asarray(to_numpy(predict(points))).reshape(xx.shape)
    X, y = np.asarray(to_numpy(X), dtype=float), np.asarray(to_numpy(y)).ravel()
    ax = new_axes(ax)
    classes = np.unique(np.concatenate([np.unique(labels), np.unique(y)]))
    cmap = "coolwarm" if len(classes) <= 2 else "viridis"
    levels = np.arange(len(classes) + 1) - 0.5 + classes.min()
    ax.contourf(xx, yy, labels, levels=levels, cmap=cmap, alpha=0.3)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, edgecolors="k", s=25)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax

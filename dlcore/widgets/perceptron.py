"""Explorers of notebook 01: a perceptron's decision line over the AND, OR and XOR points.

- :func:`line_explorer`: sliders for w1, w2 and b move the line ``w1 x1 + w2 x2 + b = 0``;
  the readout counts the misclassified points.
- :func:`training_explorer`: the learning rule run epoch by epoch from a wrong line; an
  epoch slider shows where the line is after that many epochs.

:func:`draw_line` and :func:`draw_points` are the drawing pieces, also used by the notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import perceptron
from ..datasets import make_and, make_or, make_xor
from .base import Explorer, rebuildable

#: The data sets of the dropdowns: name -> (X (4, 2), y (4,)) of the truth table.
GATES: dict[str, Callable[[], tuple[np.ndarray, np.ndarray]]] = {
    "AND": make_and,
    "OR": make_or,
    "XOR": make_xor,
}
#: The view of the unit square with a margin, for both axes.
LIMITS = (-0.5, 1.5)
#: Where :func:`training_explorer` starts: a line that gets most gates wrong.
START_W, START_B = (0.5, -0.5), 0.25


def _gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name not in GATES:
        raise ValueError(f"unknown data set {name!r}; choose one of {sorted(GATES)}")
    return GATES[name]()


def draw_line(ax: Any, w: Any, b: float, *, limits=LIMITS, arrow: bool = True, **style) -> Any:
    """Draw the line ``w . x + b = 0`` on ``ax`` (2-D ``w``), with ``w`` as an arrow.

    The arrow starts on the line, at the point nearest the view's centre, and points to
    the side where the perceptron says 1. With ``w = 0`` there is no line: nothing is drawn.
    ``style`` goes to ``ax.plot`` (color, alpha, label...). Returns ``ax``.
    """
    w = np.asarray(w, dtype=float)
    norm2 = float(w @ w)
    if norm2 == 0.0:
        return ax
    low, high = limits
    if abs(w[1]) > abs(w[0]):  # solve for x2, or for x1 when the line is steep
        x1 = np.array([low, high])
        x2 = -(w[0] * x1 + b) / w[1]
    else:
        x2 = np.array([low, high])
        x1 = -(w[1] * x2 + b) / w[0]
    style.setdefault("color", "black")
    ax.plot(x1, x2, **style)
    if arrow:
        centre = np.full(2, (low + high) / 2)
        foot = centre - (w @ centre + b) / norm2 * w
        tip = 0.35 * (high - low) / 2 * w / np.sqrt(norm2)
        ax.annotate(
            "", xy=foot + tip, xytext=foot,
            arrowprops={"arrowstyle": "->", "color": style["color"], "alpha": style.get("alpha")},
        )  # fmt: skip
    ax.set_xlim(limits)
    ax.set_ylim(limits)
    return ax


def draw_points(ax: Any, X: Any, y: Any, wrong: Any = None, *, size: float = 90) -> Any:
    """Scatter 2-D points: class 0 as blue circles, class 1 as red squares; ring the wrong ones.

    ``wrong`` is an optional boolean mask (N,); ``size`` is the markers' area in points^2.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    for label, marker, color in ((0, "o", "tab:blue"), (1, "s", "tab:red")):
        rows = y == label
        ax.scatter(X[rows, 0], X[rows, 1], marker=marker, s=size, color=color, edgecolors="black",
                   zorder=3, label=f"t = {label}")  # fmt: skip
    if wrong is not None and np.any(wrong):
        bad = X[np.asarray(wrong, dtype=bool)]
        ax.scatter(bad[:, 0], bad[:, 1], s=4 * size, facecolors="none", edgecolors="black",
                   linewidths=1.5, zorder=2, label="misclassified")  # fmt: skip
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    return ax


def line_equation(w: Any, b: float) -> str:
    """The line as text: ``line_equation([1, -0.5], 0.2)`` is ``"1 x1 - 0.5 x2 + 0.2 = 0"``."""
    w1, w2 = (float(v) for v in w)
    sign = lambda v: "-" if v < 0 else "+"  # noqa: E731
    return f"{w1:.3g} x1 {sign(w2)} {abs(w2):.3g} x2 {sign(b)} {abs(float(b)):.3g} = 0"


def _shade(ax: Any, w: np.ndarray, b: float) -> None:
    """Colour the half-plane where the perceptron says 1."""
    grid = np.linspace(*LIMITS, 200)
    xx, yy = np.meshgrid(grid, grid)
    ones = perceptron.predict(np.column_stack([xx.ravel(), yy.ravel()]), w, b).reshape(xx.shape)
    ax.contourf(xx, yy, ones, levels=[-0.5, 0.5, 1.5], colors=["tab:blue", "tab:red"], alpha=0.12)


# ------------------------------------------------------------ line explorer
def line_state(dataset: str, w1: float, w2: float, b: float) -> dict[str, Any]:
    """What :func:`line_explorer` shows for these values: misclassified, accuracy, loss."""
    X, y = _gate(dataset)
    w = np.array([w1, w2], dtype=float)
    wrong = perceptron.predict(X, w, b) != y
    loss, _, _ = perceptron.perceptron_loss(X, y, w, b)
    return {
        "misclassified": int(wrong.sum()),
        "accuracy": float(1.0 - wrong.mean()),
        "perceptron_loss": float(loss),
    }


def _draw_line_state(fig: Any, result: dict, *, dataset: str, w1: float, w2: float, b: float):
    ax = fig.add_subplot()
    X, y = _gate(dataset)
    w = np.array([w1, w2])
    _shade(ax, w, b)
    draw_line(ax, w, b)
    draw_points(ax, X, y, wrong=perceptron.predict(X, w, b) != y)
    ax.set_title(
        f"{dataset}: {line_equation(w, b)}\n{result['misclassified']} of {len(y)} misclassified"
    )
    ax.legend(loc="upper left", fontsize="small", framealpha=0.8)


def _slider(value: float, description: str, low: float = -3.0, high: float = 3.0):
    return widgets.FloatSlider(value=value, min=low, max=high, step=0.1, description=description)


@rebuildable
def line_explorer(
    w1: float = 1.0, w2: float = 1.0, b: float = -1.5, dataset: str = "AND"
) -> Explorer:
    """Sliders for w1, w2, b and a data-set dropdown; the result counts the mistakes.

    ``result``: ``misclassified`` (int, out of 4), ``accuracy`` (float) and
    ``perceptron_loss`` (float, targets 0/1 read as -1/+1).
    """
    _gate(dataset)
    controls = {
        "dataset": widgets.Dropdown(options=list(GATES), value=dataset, description="data"),
        "w1": _slider(w1, "w1"),
        "w2": _slider(w2, "w2"),
        "b": _slider(b, "b"),
    }
    return Explorer(
        "A perceptron's decision line: find w1, w2, b with no mistakes",
        controls, line_state, _draw_line_state, figsize=(5.5, 5.0),
    )  # fmt: skip


# -------------------------------------------------------- training explorer
def training_state(dataset: str, eta: float, epoch: int, max_epochs: int = 20) -> dict[str, Any]:
    """The perceptron after ``epoch`` epochs of the rule from the fixed start line."""
    X, y = _gate(dataset)
    start = np.array(START_W)
    _, _, mistakes = perceptron.train_perceptron(X, y, start, START_B, eta, max_epochs)
    w, b, _ = perceptron.train_perceptron(X, y, start, START_B, eta, epoch)
    wrong = perceptron.predict(X, w, b) != y
    return {
        "epoch": int(epoch),
        "w1": float(w[0]),
        "w2": float(w[1]),
        "b": float(b),
        "misclassified": int(wrong.sum()),
        "mistakes": mistakes,
    }


def _draw_training(fig: Any, result: dict, *, dataset: str, eta: float, epoch: int) -> None:
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.2])
    X, y = _gate(dataset)
    start = np.array(START_W)
    for k in range(epoch):  # earlier lines, fading in
        w, b, _ = perceptron.train_perceptron(X, y, start, START_B, eta, k)
        draw_line(left, w, b, arrow=False, color="gray", alpha=0.2 + 0.6 * k / max(epoch, 1))
    w, b = np.array([result["w1"], result["w2"]]), result["b"]
    _shade(left, w, b)
    draw_line(left, w, b, color="black")
    draw_points(left, X, y, wrong=perceptron.predict(X, w, b) != y)
    left.set_title(f"{dataset} after {epoch} epoch(s), eta = {eta:g}\n{line_equation(w, b)}")
    mistakes = result["mistakes"]
    epochs = np.arange(1, len(mistakes) + 1)
    colors = ["black" if e == epoch else "tab:gray" for e in epochs]
    right.bar(epochs, mistakes, color=colors)
    right.set_xlabel("epoch")
    right.set_ylabel("mistakes during the epoch")
    right.set_ylim(0, len(y) + 0.5)
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.set_title("mistakes per epoch")


@rebuildable
def training_explorer(dataset: str = "AND", eta: float = 0.25, epoch: int = 0) -> Explorer:
    """The learning rule epoch by epoch, from the line ``0.5 x1 - 0.5 x2 + 0.25 = 0``.

    Controls: ``dataset``, ``eta`` and ``epoch`` (0 to 20). ``result``: ``epoch``, the
    weights ``w1``, ``w2``, ``b`` after that many epochs, ``misclassified`` (int) with
    those weights, and ``mistakes`` (list of 20 ints, the mistakes made in each epoch).
    """
    _gate(dataset)
    controls = {
        "dataset": widgets.Dropdown(options=list(GATES), value=dataset, description="data"),
        "eta": widgets.FloatSlider(value=eta, min=0.05, max=1.0, step=0.05, description="eta"),
        "epoch": widgets.IntSlider(value=epoch, min=0, max=20, description="epoch"),
    }
    return Explorer(
        "The perceptron learning rule, epoch by epoch",
        controls, training_state, _draw_training, figsize=(10.0, 4.5),
    )  # fmt: skip

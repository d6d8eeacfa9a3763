"""Notebook 02 (backprop): the 2-2-1 network drawn as a graph, and a decision-boundary explorer.

- :func:`plot_two_layer_graph` draws the network of the notes' worked example with the
  forward values and the gradients of one pass written on its nodes.
- :func:`decision_boundary_explorer` trains a dense-sigmoid-dense-sigmoid network with
  full-batch gradient descent on the mean squared error (dlcore's ``MSE``, without the
  notes' 1/2) on XOR or two moons, and shows the decision boundary, the training
  accuracy and the final loss for the chosen number of hidden units and learning rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..activations import Sigmoid
from ..datasets import make_moons, make_xor
from ..layers import Dense
from ..losses import MSE
from ..metrics import accuracy
from ..models import Sequential
from ..optimizers import SGD
from ..plotting.core import decision_grid, new_axes
from .base import Explorer, rebuildable

__all__ = [
    "DATASETS", "EPOCHS", "decision_boundary_explorer", "load_dataset", "plot_two_layer_graph",
    "train_sigmoid_network",
]  # fmt: skip

#: The explorer's training length: full-batch epochs (each update stays well under 1 s).
EPOCHS = 1000
DATASETS = ("xor", "moons")


# --------------------------------------------------------------------- graph
def _node(ax: Any, xy: tuple[float, float], label: str, color: str) -> None:
    ax.add_patch(_circle(xy, color))
    ax.text(*xy, label, ha="center", va="center", fontsize=11, zorder=4)


def _circle(xy: tuple[float, float], color: str) -> Any:
    from matplotlib.patches import Circle

    return Circle(xy, 0.17, facecolor=color, edgecolor="black", zorder=3)


def plot_two_layer_graph(
    values: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    ax: Any = None,
) -> Any:
    """Draw the 2-2-1 sigmoid network as a computation graph, left (input) to right (loss).

    Parameters
    ----------
    values : dict, optional
        One example's forward and backward values, as returned by the notebook's
        ``two_layer_backprop`` for a batch of one: "Z1", "A1", "Z2", "yhat", "J" (forward,
        written above the nodes) and "dZ1", "dZ2" (gradients, written below in red).
    params : dict, optional
        "X" (1, 2), "W1" (2, 2), "W2" (2, 1) in dlcore's layout: the input values and
        the weights written on the edges. ``W1[i, j]`` joins input i to hidden unit j.
    ax : matplotlib Axes, optional

    Returns
    -------
    The axes drawn on.
    """
    ax = new_axes(ax, figsize=(8.0, 3.6))
    v = {k: np.asarray(a, dtype=float).ravel() for k, a in (values or {}).items()}
    p = {k: np.asarray(a, dtype=float) for k, a in (params or {}).items()}
    inputs, hidden = [(0.0, 1.4), (0.0, 0.0)], [(1.6, 1.4), (1.6, 0.0)]
    output, loss = (3.2, 0.7), (4.6, 0.7)
    for i, a in enumerate(inputs):
        for j, b in enumerate(hidden):
            ax.plot(*zip(a, b), color="grey", lw=1, zorder=1)
            if "W1" in p:
                t = 0.3 if i == j else 0.22
                where = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]) + 0.08)
                ax.text(*where, f"{p['W1'][i, j]:g}", fontsize=8, color="dimgray")
        ax.plot(*zip(hidden[i], output), color="grey", lw=1, zorder=1)
        if "W2" in p:
            ax.text(2.3, 0.7 + (0.45 if i == 0 else -0.45), f"{p['W2'][i, 0]:g}", fontsize=8,
                    color="dimgray")  # fmt: skip
    ax.plot(*zip(output, loss), color="grey", lw=1, zorder=1)
    for i, xy in enumerate(inputs):
        _node(ax, xy, f"$x_{i + 1}$", "#dde8f6")
        if "X" in p:
            ax.text(xy[0] - 0.25, xy[1], f"{p['X'].ravel()[i]:g}", ha="right", va="center")
    for j, xy in enumerate(hidden):
        _node(ax, xy, f"$h_{j + 1}$", "#fbe3c8")
        _annotate(ax, xy, v, [("Z1", "z", j), ("A1", "a", j)], [("dZ1", "dJ/dz", j)])
    _node(ax, output, r"$\hat y$", "#fbe3c8")
    _annotate(ax, output, v, [("Z2", "z", 0), ("yhat", r"$\hat y$", 0)], [("dZ2", "dJ/dz", 0)])
    _node(ax, loss, "$J$", "#e4f2df")
    _annotate(ax, loss, v, [("J", "J", 0)], [])
    ax.text(0.0, -0.75, "input", ha="center")
    ax.text(1.6, -0.75, "hidden: sigmoid", ha="center")
    ax.text(3.2, -0.75, "output: sigmoid", ha="center")
    ax.text(4.6, -0.75, r"$J = \frac{1}{2}(y - \hat y)^2$", ha="center")
    ax.set_xlim(-0.8, 5.2)
    ax.set_ylim(-1.0, 2.1)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _annotate(ax, xy, values, above, below) -> None:
    top = [f"{label}={values[k][i]:.4g}" for k, label, i in above if k in values]
    bottom = [f"{label}={values[k][i]:.3g}" for k, label, i in below if k in values]
    if top:
        ax.text(xy[0], xy[1] + 0.22, "\n".join(top), ha="center", va="bottom", fontsize=8)
    if bottom:
        ax.text(xy[0], xy[1] - 0.22, "\n".join(bottom), ha="center", va="top", fontsize=8,
                color="firebrick")  # fmt: skip


# ------------------------------------------------------------------- training
def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The explorer's data: "xor" (100 noisy points around the 4 corners) or "moons" (200)."""
    if name == "xor":
        return make_xor(100, noise=0.15, seed=0)
    if name == "moons":
        return make_moons(200, noise=0.15, seed=0)
    raise ValueError(f"unknown data set {name!r}; choose one of {DATASETS}")


def train_sigmoid_network(
    X: np.ndarray,
    y: np.ndarray,
    hidden_units: int,
    learning_rate: float,
    *,
    epochs: int = EPOCHS,
    seed: int = 0,
) -> tuple[Sequential, list[float]]:
    """Dense(D, H) - Sigmoid - Dense(H, 1) - Sigmoid trained by full-batch SGD on the MSE.

    The weights start from ``seed`` (Glorot uniform, zero biases), so the same arguments
    always give the same network. Returns the model and the loss before each update.
    """
    model = Sequential([
        Dense(X.shape[1], hidden_units, seed=seed), Sigmoid(),
        Dense(hidden_units, 1, seed=seed + 1), Sigmoid(),
    ])  # fmt: skip
    model.compile(optimizer=SGD(lr=learning_rate), loss=MSE())
    history = model.fit(X, y.reshape(-1, 1).astype(float), epochs=epochs, batch_size=None,
                        shuffle=False, verbose=0)  # fmt: skip
    return model, [float(v) for v in history.history["loss"]]


# ------------------------------------------------------------------- explorer
@rebuildable
def decision_boundary_explorer(*, epochs: int = EPOCHS, seed: int = 0) -> Explorer:
    """Hidden units and learning rate against the decision boundary, on XOR or moons.

    Controls: ``dataset`` ("xor" or "moons"), ``hidden_units`` (1 to 16),
    ``learning_rate`` (0.1 to about 30, log scale). Result: ``train_accuracy`` and
    ``final_loss`` (the MSE of the trained network on its training set), ``epochs``,
    and, for the figure, ``losses`` and the probability grid.
    """
    import ipywidgets as widgets

    controls = {
        "dataset": widgets.Dropdown(options=list(DATASETS), value="xor", description="data"),
        "hidden_units": widgets.IntSlider(value=4, min=1, max=16, description="hidden units"),
        "learning_rate": widgets.FloatLogSlider(
            value=3.0, base=10, min=-1, max=1.5, step=0.05, description="learning rate"
        ),
    }

    def compute(dataset: str, hidden_units: int, learning_rate: float) -> dict[str, Any]:
        X, y = load_dataset(dataset)
        model, losses = train_sigmoid_network(X, y, hidden_units, learning_rate,
                                              epochs=epochs, seed=seed)  # fmt: skip
        probs = model.predict(X)
        xx, yy, points = decision_grid(X, resolution=100)
        return {
            "train_accuracy": accuracy(y, (probs[:, 0] > 0.5).astype(np.int64)),
            "final_loss": MSE().forward(probs, y.reshape(-1, 1).astype(float)),
            "epochs": epochs,
            "losses": losses,
            "grid": (xx, yy, model.predict(points)[:, 0].reshape(xx.shape)),
        }

    return Explorer("A 2-layer sigmoid network: decision boundary", controls, compute, _draw,
                    figsize=(9.0, 3.8))  # fmt: skip


def _draw(fig: Any, result: dict[str, Any], dataset: str, hidden_units: int,
          learning_rate: float) -> None:  # fmt: skip
    X, y = load_dataset(dataset)
    left, right = fig.subplots(1, 2, width_ratios=[1.2, 1])
    xx, yy, probs = result["grid"]
    filled = left.contourf(xx, yy, probs, levels=np.linspace(0, 1, 11), cmap="coolwarm",
                           alpha=0.45)  # fmt: skip
    left.contour(xx, yy, probs, levels=[0.5], colors="black", linewidths=1.5)
    left.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", edgecolors="k", s=18)
    fig.colorbar(filled, ax=left, label=r"$\hat y$ = P(class 1)")
    left.set_xlabel("$x_1$")
    left.set_ylabel("$x_2$")
    left.set_title(f"{dataset}: {hidden_units} hidden units, lr = {learning_rate:.3g}")
    right.plot(range(1, len(result["losses"]) + 1), result["losses"])
    right.set_yscale("log")
    right.set_xlabel("epoch (full batch)")
    right.set_ylabel("training MSE")
    accuracy_text = f"training accuracy {result['train_accuracy']:.0%}"
    right.set_title(f"{accuracy_text}\nfinal MSE {result['final_loss']:.3g}")

"""Explorer of notebook 05: an optimizer's path on a 2-D loss surface.

``path_explorer()`` draws the path of the optimizer picked in a dropdown on the
contours of an elongated bowl or of Rosenbrock's valley
(:mod:`dlcore.optimizers.landscapes`), with sliders for the learning rate, the
optimizer's averaging coefficient (momentum's beta, RMSprop's and Adadelta's rho,
Adam's beta1) and the number of steps; beside it, the loss after every step. The
readout says where the path ended, how far from the minimum, when it first came
within 0.1 of it, and whether it diverged.

:func:`draw_landscape` and :func:`draw_path` are the drawing helpers the notebook
also uses for its comparison figures.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from ..optimizers import landscapes
from .base import Explorer, rebuildable

#: optimizer -> (the hyperparameter the beta slider sets, or None; its default)
BETAS: dict[str, tuple[str | None, float]] = {
    "sgd": (None, 0.0),
    "momentum": ("momentum", 0.9),
    "nesterov": ("momentum", 0.9),
    "adagrad": (None, 0.0),
    "rmsprop": ("rho", 0.9),
    "adadelta": ("rho", 0.95),
    "adam": ("beta1", 0.9),
    "adamax": ("beta1", 0.9),
    "nadam": ("beta1", 0.9),
}

#: how close to the minimum counts as arrived, for the readout
ARRIVED = 0.1


def hyperparameters(optimizer: str, lr: float, beta: float | None = None) -> dict[str, float]:
    """The optimizer's keyword arguments for a learning rate and a beta (None: its default)."""
    if optimizer not in BETAS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {sorted(BETAS)}")
    key, default = BETAS[optimizer]
    chosen = {"lr": float(lr)}
    if key is not None:
        chosen[key] = default if beta is None else float(beta)
    return chosen


def explore(optimizer: str, landscape: str, lr: float, beta: float, steps: int) -> dict[str, Any]:
    """The explorer's result for one setting of its controls (plain Python values + the path)."""
    surface = landscapes.get(landscape)
    chosen = hyperparameters(optimizer, lr, beta)
    path = landscapes.optimizer_path(optimizer, surface, int(steps), **chosen)
    distances = np.linalg.norm(path - np.array(surface.minimum), axis=1)
    within = np.flatnonzero(distances < ARRIVED)
    key = BETAS[optimizer][0]
    return {
        "optimizer": optimizer,
        "landscape": landscape,
        "lr": float(lr),
        "beta_name": key or "none",
        "beta": chosen.get(key) if key else None,
        "steps taken": len(path) - 1,
        "diverged": len(path) - 1 < int(steps),
        "final x": float(path[-1, 0]),
        "final y": float(path[-1, 1]),
        "final loss": float(surface.value(path[-1])),
        "distance to minimum": float(distances[-1]),
        "first step within 0.1": int(within[0]) if within.size else None,
        "path": path,
    }


def draw_landscape(ax: Any, landscape: Any, *, resolution: int = 150) -> Any:
    """Contours of ``landscape`` (a name or a Landscape) on ``ax``, with its minimum starred."""
    surface = landscapes.get(landscape)
    X, Y, Z = surface.grid(resolution)
    ax.contour(X, Y, Z, levels=surface.levels(), colors="0.75", linewidths=0.7)
    ax.plot(*surface.minimum, "*", color="k", markersize=12, label="minimum")
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return ax


def draw_path(ax: Any, path: Any, *, label: str | None = None, color: Any = None,
              markers: bool = True) -> Any:
    """Draw a path of shape (steps + 1, 2) on ``ax``: its start as a circle, its points joined."""
    path = np.asarray(path, dtype=float)
    line, = ax.plot(path[:, 0], path[:, 1], "-", color=color, linewidth=1.4, label=label,
                    marker="." if markers else None, markersize=3)
    ax.plot(path[0, 0], path[0, 1], "o", color=line.get_color(), markersize=5)
    return ax


def _draw(fig: Any, result: dict[str, Any], **values: Any) -> None:
    ax_path, ax_loss = fig.subplots(1, 2, width_ratios=[1.6, 1])
    surface = landscapes.get(result["landscape"])
    draw_landscape(ax_path, surface)
    draw_path(ax_path, result["path"], color="C3")
    beta = f", {result['beta_name']} = {result['beta']:.3g}" if result["beta"] is not None else ""
    ax_path.set_title(f"{result['optimizer']}, lr = {result['lr']:.3g}{beta}")
    losses = surface.value(result["path"])
    ax_loss.semilogy(np.arange(len(losses)), np.maximum(losses, 1e-16), color="C3")
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss")
    state = "diverged" if result["diverged"] else f"final loss {result['final loss']:.2g}"
    ax_loss.set_title(f"{surface.name}: {state}")


@rebuildable
def path_explorer(optimizer: str = "momentum", landscape: str = "bowl", lr: float = 0.5,
                  beta: float = 0.9, steps: int = 100) -> Explorer:
    """An explorer: optimizer and surface dropdowns, sliders for lr, beta and the steps.

    Controls: ``optimizer`` (Dropdown of :data:`BETAS`), ``landscape`` ("bowl",
    "rosenbrock"), ``lr`` (FloatLogSlider 1e-4 to 3), ``beta`` (FloatSlider 0 to 0.999:
    momentum, rho or beta1, unused by SGD and Adagrad), ``steps`` (IntSlider 5 to 500).
    Result keys: those of :func:`explore`.
    """
    hyperparameters(optimizer, lr, beta)  # rejects an unknown optimizer
    landscapes.get(landscape)  # and an unknown surface
    controls = {
        "optimizer": widgets.Dropdown(options=list(BETAS), value=optimizer,
                                      description="optimizer"),
        "landscape": widgets.Dropdown(options=list(landscapes.LANDSCAPES), value=landscape,
                                      description="surface"),
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-4, max=0.5, step=0.05,
                                     description="lr", readout_format=".3g"),
        "beta": widgets.FloatSlider(value=beta, min=0.0, max=0.999, step=0.001,
                                    description="beta", readout_format=".3f"),
        "steps": widgets.IntSlider(value=steps, min=5, max=500, step=5, description="steps"),
    }
    explorer = Explorer("An optimizer's path on a loss surface", controls, explore, _draw,
                        figsize=(9.0, 3.8))

    def relabel(change: dict[str, Any] | None = None) -> None:
        key = BETAS[controls["optimizer"].value][0]
        controls["beta"].description = key or "(no beta)"
        controls["beta"].disabled = key is None

    controls["optimizer"].observe(relabel, names="value")
    relabel()
    return explorer

"""Explorers and figures of notebook 08, softmax classification.

- ``temperature_explorer()``: a softmax of fixed logits divided by a temperature
  T (a log slider): T -> 0 tends to the "hard max" (one-hot), T -> infinity to
  the uniform distribution; the readout gives the probabilities and their entropy.
- ``spiral_explorer()``: the decision regions of a softmax classifier on the
  3-class spirals, with 0 hidden units (softmax regression: straight
  boundaries) or an MLP with 2 to 64 ReLU units; the readout gives the
  training accuracy.

``draw_confusion_matrix`` and ``draw_digit_images`` draw the digits figures.
"""

from __future__ import annotations

import functools
from typing import Any

import ipywidgets as widgets
import numpy as np

from .. import functional as F
from ..activations import ReLU
from ..datasets import make_spirals
from ..layers import Dense
from ..metrics import accuracy
from ..models import Sequential
from ..optimizers import Adam
from ..plotting.core import plot_decision_regions
from .base import Explorer, rebuildable

#: Named logits for the temperature explorer ("notes" is the course notes' example).
LOGITS = {
    "notes": (5.0, 2.0, -1.0, 3.0),
    "close call": (1.0, 0.8, 0.2, -0.5),
    "one clear winner": (8.0, 1.0, 0.5, 0.0),
}
#: The hidden sizes of the spiral explorer; 0 means no hidden layer (softmax regression).
HIDDEN_SIZES = (0, 2, 4, 8, 16, 32, 64)
#: Training of the spiral classifiers: full-batch Adam, small enough to answer in well under 1 s.
SPIRAL_TRAINING = {"samples": 300, "noise": 0.2, "epochs": 300, "lr": 0.02, "seed": 8}


def tempered_softmax(logits: Any, temperature: float) -> np.ndarray:
    """softmax(z / T) of a 1-D vector of logits, stable for any z and T > 0."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0; received {temperature!r}")
    z = np.asarray(logits, dtype=float)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"logits must be a 1-D vector of at least 2 values; received {z.shape}")
    return F.softmax_forward(z / temperature)[0]


def explore_temperature(logits: str, temperature: float) -> dict[str, Any]:
    """Probabilities of softmax(z / T) for the named logits, their entropy and the largest."""
    p = tempered_softmax(LOGITS[logits], temperature)
    result: dict[str, Any] = {"logits": logits, "temperature": float(temperature)}
    for k, value in enumerate(p):
        result[f"p{k}"] = float(value)
    result["max p"] = float(p.max())
    result["entropy"] = float(-(p * np.log(np.maximum(p, 1e-300))).sum())
    return result


def draw_probabilities(ax: Any, logits: Any, temperature: float) -> None:
    """A bar chart of softmax(z / T), the logits written under the bars."""
    p = tempered_softmax(logits, temperature)
    labels = [f"z = {z:g}" for z in logits]
    ax.bar(range(len(p)), p, color="C0")
    for k, value in enumerate(p):
        ax.text(k, value + 0.02, f"{value:.3f}", ha="center")
    ax.set_xticks(range(len(p)), labels)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("probability")
    ax.set_title(f"softmax(z / T), T = {temperature:.3g}")


@rebuildable
def temperature_explorer(logits: str = "notes", temperature: float = 1.0) -> Explorer:
    """An explorer: a dropdown of logits and a log slider for the temperature T.

    Result keys: ``logits``, ``temperature``, ``p0`` .. ``p3``, ``max p``, ``entropy``.
    """
    if logits not in LOGITS:
        raise ValueError(f"unknown logits {logits!r}; choose one of {sorted(LOGITS)}")
    if not 0.05 <= temperature <= 20:
        raise ValueError(f"temperature must lie in [0.05, 20]; received {temperature!r}")
    controls = {
        "logits": widgets.Dropdown(options=list(LOGITS), value=logits, description="logits"),
        "temperature": widgets.FloatLogSlider(value=temperature, base=10, min=-1.3, max=1.3,
                                              step=0.05, description="T"),
    }

    def draw(fig: Any, result: dict[str, Any], logits: str, temperature: float) -> None:
        draw_probabilities(fig.subplots(), LOGITS[logits], temperature)

    return Explorer("Softmax with a temperature", controls, explore_temperature, draw,
                    figsize=(6.0, 3.4))  # fmt: skip


# ------------------------------------------------------------------ spirals
@functools.cache
def spiral_data() -> tuple[np.ndarray, np.ndarray]:
    """The explorer's 3-class spirals (always the same 300 points)."""
    settings = SPIRAL_TRAINING
    return make_spirals(settings["samples"], 3, noise=settings["noise"], seed=settings["seed"])


def fit_spiral_classifier(hidden_units: int, X: Any = None, y: Any = None) -> Sequential:
    """A softmax classifier trained on the spirals: no hidden layer when ``hidden_units`` is 0.

    Full-batch Adam on dlcore's SoftmaxCrossEntropy, with fixed seeds.
    """
    if not (isinstance(hidden_units, (int, np.integer)) and hidden_units >= 0):
        raise ValueError(f"hidden_units must be an integer >= 0; received {hidden_units!r}")
    if X is None:
        X, y = spiral_data()
    classes = int(np.max(y)) + 1
    if hidden_units == 0:
        layers = [Dense(2, classes, seed=1)]
    else:
        layers = [Dense(2, int(hidden_units), seed=1), ReLU(),
                  Dense(int(hidden_units), classes, seed=2)]  # fmt: skip
    model = Sequential(layers)
    model.compile(optimizer=Adam(lr=SPIRAL_TRAINING["lr"]), loss="softmax_cross_entropy")
    model.fit(X, y, epochs=SPIRAL_TRAINING["epochs"], batch_size=None, verbose=0)
    return model


@functools.cache
def _trained(hidden_units: int) -> Sequential:
    return fit_spiral_classifier(hidden_units)


def explore_spirals(hidden_units: int) -> dict[str, Any]:
    """The training accuracy on the spirals of the classifier with ``hidden_units``."""
    X, y = spiral_data()
    model = _trained(int(hidden_units))
    return {
        "hidden_units": int(hidden_units),
        "model": "softmax regression" if hidden_units == 0 else "MLP",
        "train accuracy": accuracy(y, model.predict(X)),
        "parameters": model.count_params(),
    }


@rebuildable
def spiral_explorer(hidden_units: int = 0) -> Explorer:
    """An explorer: a slider of hidden sizes, the spirals' decision regions.

    Result keys: ``hidden_units``, ``model``, ``train accuracy``, ``parameters``.
    """
    if hidden_units not in HIDDEN_SIZES:
        raise ValueError(f"hidden_units must be one of {HIDDEN_SIZES}; received {hidden_units!r}")
    controls = {
        "hidden_units": widgets.SelectionSlider(options=list(HIDDEN_SIZES), value=hidden_units,
                                                description="hidden units"),
    }

    def draw(fig: Any, result: dict[str, Any], hidden_units: int) -> None:
        X, y = spiral_data()
        model = _trained(int(hidden_units))
        title = f"{result['model']}, {hidden_units} hidden: {result['train accuracy']:.0%}"
        plot_decision_regions(lambda P: model.predict(P).argmax(axis=1), X, y,
                              ax=fig.subplots(), resolution=120, title=title)  # fmt: skip

    return Explorer("Decision regions on three spirals", controls, explore_spirals, draw,
                    figsize=(4.8, 4.2))  # fmt: skip


# ------------------------------------------------------------------- digits
def draw_confusion_matrix(ax: Any, matrix: Any, title: str = "confusion matrix") -> None:
    """The (K, K) counts as an image, each cell written in; rows true, columns predicted."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"a confusion matrix is square (K, K); received shape {matrix.shape}")
    ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            colour = "white" if count > matrix.max() / 2 else "black"
            ax.text(j, i, str(int(count)), ha="center", va="center", color=colour, fontsize=8)
    ax.set_xticks(range(len(matrix)))
    ax.set_yticks(range(len(matrix)))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)


def draw_digit_images(axes: Any, images: Any, titles: list[str]) -> None:
    """Draw 8x8 digit images (rows of 64 pixels) on ``axes``, one title each; hide spare axes."""
    axes = np.ravel(axes)
    images = np.asarray(images, dtype=float).reshape(-1, 8, 8)
    if len(titles) != len(images):
        raise ValueError(f"need one title per image: {len(images)} images, {len(titles)} titles")
    for ax in axes:
        ax.axis("off")
    for ax, image, title in zip(axes, images, titles):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(title, fontsize=9)

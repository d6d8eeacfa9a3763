"""Notebook 06 (regularization): a small data set, a big network, and two explorers.

- :func:`moons_splits`: 400 noisy two-moons points split 80 / 160 / 160 into training,
  dev and test sets: few enough training points for a big network to memorise them.
- :func:`make_network` and :func:`train_network`: that big network (two hidden ReLU
  layers of 64 units, about 4,400 weights for 80 examples), with an L2 penalty and
  dropout when asked, trained by full-batch Adam; :class:`CleanLosses` records the
  training and dev losses *without* dropout and *without* the penalty, so that runs
  with different regularisation can be compared on the same scale.
- :func:`regularization_explorer`: sliders for the notes' lambda and the dropout
  rate, drawing the decision boundary with the training and dev accuracy.
- :func:`layer_statistics` and :func:`initialization_explorer`: how the spread of the
  activations and the size of the gradients change from layer to layer under each
  initialisation (zeros, too small, too large, Xavier, He).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from .. import activations, initializers
from ..callbacks import Callback
from ..datasets import make_moons, train_val_test_split
from ..layers import Dense, Dropout
from ..losses import BinaryCrossEntropy
from ..metrics import accuracy
from ..models import Sequential
from ..optimizers import Adam
from ..plotting.core import decision_grid
from ..regularizers import L2
from .base import Explorer, rebuildable

__all__ = [
    "EPOCHS", "INITS", "LAMBDAS", "CleanLosses", "boundary_grid", "draw_boundary", "draw_curves",
    "draw_layer_statistics", "initialization_explorer", "layer_statistics", "make_network",
    "moons_splits", "regularization_explorer", "train_network", "weight_norm",
]  # fmt: skip

#: Full-batch epochs of every training run here: each run takes well under a second.
EPOCHS = 300
#: Hidden units per layer of the big network.
WIDTH = 64
#: The lambda values of the explorer's slider (the notes' lambda; dlcore's l2 = lambda / m).
LAMBDAS = (0.0, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: The initialisations compared in the notebook: name -> dlcore initialiser.
INITS: dict[str, Callable[..., np.ndarray]] = {
    "zeros": initializers.zeros,
    "small N(0, 0.01^2)": initializers.normal(0.01),
    "large N(0, 1)": initializers.normal(1.0),
    "xavier": initializers.glorot_normal,
    "he": initializers.he_normal,
}


# ------------------------------------------------------------------ the data
def moons_splits(seed: int = 6) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """400 two-moons points with noise 0.3, split into "train" (80), "dev" (160), "test" (160).

    Labels are returned as float columns (N, 1), the targets of a binary cross-entropy.
    """
    X, y = make_moons(400, noise=0.3, seed=seed)
    parts = train_val_test_split(X, y, val_size=0.4, test_size=0.4, seed=seed)
    return {name: (Xp, yp.reshape(-1, 1).astype(np.float64))
            for name, (Xp, yp) in zip(("train", "dev", "test"), parts)}  # fmt: skip


# ------------------------------------------------------------- the network
def make_network(l2: float = 0.0, rate: float = 0.0, *, width: int = WIDTH,
                 seed: int = 0) -> Sequential:  # fmt: skip
    """Dense(2, width) ReLU [Dropout] Dense(width, width) ReLU [Dropout] Dense(width, 1).

    ``l2`` is dlcore's L2 strength (the notes' lambda / m), attached to the three
    weight matrices, never to the biases; ``rate`` > 0 adds inverted dropout after
    each hidden layer. The output is a logit (use a BCE with ``from_logits=True``).
    Weights start from He normal draws seeded by ``seed``.
    """
    if not l2 >= 0 or not 0 <= rate < 1:
        raise ValueError(f"make_network: l2 must be >= 0 and rate in [0, 1); received l2={l2!r}, "
                         f"rate={rate!r}")  # fmt: skip
    penalty = L2(l2) if l2 > 0 else None
    layers: list[Any] = []
    for i, fan_in in enumerate((2, width)):
        layers += [Dense(fan_in, width, init="he_normal", seed=seed + i, regularizer=penalty),
                   activations.ReLU()]  # fmt: skip
        if rate > 0:
            layers.append(Dropout(rate, seed=seed + 10 + i))
    layers.append(Dense(width, 1, seed=seed + 2, regularizer=penalty))
    return Sequential(layers)


class CleanLosses(Callback):
    """Adds, after every epoch, the loss and accuracy on each data set in evaluation mode.

    ``fit`` reports the training loss with dropout active and the penalty added;
    these are measured as the model predicts (no dropout) and without the penalty,
    under the keys "<name>_loss" and "<name>_accuracy" ("train_loss", "dev_loss"...).
    """

    def __init__(self, **data: tuple[np.ndarray, np.ndarray]) -> None:
        self.data = data
        self.loss = BinaryCrossEntropy(from_logits=True)

    def measure(self, model: Sequential) -> dict[str, float]:
        logs = {}
        for name, (X, y) in self.data.items():
            logits = model.predict(X)
            logs[f"{name}_loss"] = self.loss.forward(logits, y)
            logs[f"{name}_accuracy"] = accuracy(y[:, 0].astype(int), (logits[:, 0] > 0).astype(int))
        return logs

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if logs is not None:
            logs.update(self.measure(self.model))


def train_network(
    l2: float = 0.0,
    rate: float = 0.0,
    *,
    epochs: int = EPOCHS,
    seed: int = 0,
    splits: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    callbacks: Sequence[Callback] = (),
    model: Sequential | None = None,
) -> tuple[Sequential, dict[str, list[float]]]:
    """Train the big network on the training split: full-batch Adam(lr=0.01), BCE on logits.

    ``model`` defaults to ``make_network(l2, rate, seed=seed)``. The curves returned
    (``history.history``) hold fit's "loss" and "accuracy" and the clean "train_loss",
    "dev_loss", "train_accuracy", "dev_accuracy" of :class:`CleanLosses`, which runs
    before ``callbacks`` (an EarlyStopping can monitor "dev_loss").
    """
    if model is not None and (l2 or rate):
        raise ValueError("train_network: give either a model or l2 and rate for make_network, "
                         f"not both; received a model and l2={l2!r}, rate={rate!r}")
    splits = splits if splits is not None else moons_splits()
    model = model if model is not None else make_network(l2, rate, seed=seed)
    model.compile(optimizer=Adam(lr=0.01), loss=BinaryCrossEntropy(from_logits=True),
                  metrics=["accuracy"])  # fmt: skip
    clean = CleanLosses(train=splits["train"], dev=splits["dev"])
    history = model.fit(*splits["train"], epochs=epochs, batch_size=None, seed=seed, verbose=0,
                        callbacks=[clean, *callbacks])  # fmt: skip
    return model, history.history


def weight_norm(model: Sequential) -> float:
    """sqrt of the sum of every squared weight (biases left out): what L2 shrinks."""
    return float(np.sqrt(sum(float((p.data**2).sum()) for name, p in model.named_parameters()
                             if name.endswith(".W"))))  # fmt: skip


# ------------------------------------------------------------ the explorer
def boundary_grid(model: Sequential, splits: dict[str, tuple[np.ndarray, np.ndarray]],
                  resolution: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(xx, yy, P(class 1)) on a grid over the training and dev points, for a logit model."""
    X_all = np.concatenate([splits["train"][0], splits["dev"][0]])
    xx, yy, points = decision_grid(X_all, resolution=resolution)
    logits = np.clip(model.predict(points)[:, 0], -500, 500).reshape(xx.shape)
    return xx, yy, 1 / (1 + np.exp(-logits))


def draw_boundary(ax: Any, grid: tuple[np.ndarray, np.ndarray, np.ndarray],
                  splits: dict[str, tuple[np.ndarray, np.ndarray]], title: str = "") -> Any:
    """Shade P(class 1) and draw the 0.5 boundary, the training (dots) and dev points (rings)."""
    xx, yy, probs = grid
    ax.contourf(xx, yy, probs, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.4)
    ax.contour(xx, yy, probs, levels=[0.5], colors="black", linewidths=1.5)
    (X_train, y_train), (X_dev, y_dev) = splits["train"], splits["dev"]
    ax.scatter(X_dev[:, 0], X_dev[:, 1], facecolors="none", s=18, linewidths=0.8,
               edgecolors=np.where(y_dev[:, 0] > 0, "tab:red", "tab:blue"), label="dev")
    ax.scatter(X_train[:, 0], X_train[:, 1], c=y_train[:, 0], cmap="coolwarm", vmin=0, vmax=1,
               edgecolors="k", s=30, label="train")  # fmt: skip
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title)
    ax.legend(loc="lower left", fontsize="small")
    return ax


def explore_regularization(lam: float, rate: float, *, epochs: int = EPOCHS,
                           seed: int = 0) -> dict[str, Any]:  # fmt: skip
    """Train with the notes' ``lam`` (dlcore's l2 = lam / m) and dropout ``rate``."""
    splits = moons_splits()
    m = len(splits["train"][0])
    model, curves = train_network(lam / m, rate, epochs=epochs, seed=seed, splits=splits)
    return {
        "lambda": float(lam),
        "l2 = lambda / m": float(lam / m),
        "dropout_rate": float(rate),
        "train_accuracy": curves["train_accuracy"][-1],
        "dev_accuracy": curves["dev_accuracy"][-1],
        "dev_loss": curves["dev_loss"][-1],
        "weight_norm": weight_norm(model),
        "curves": curves,
        "grid": boundary_grid(model, splits),
    }


def draw_curves(ax: Any, curves: dict[str, list[float]], title: str = "") -> Any:
    """The training and dev losses of :class:`CleanLosses`, per epoch, on a log scale."""
    epochs = range(1, len(curves["dev_loss"]) + 1)
    ax.plot(epochs, curves["train_loss"], label="training loss")
    ax.plot(epochs, curves["dev_loss"], "--", label="dev loss")
    ax.set(xlabel="epoch (full batch)", ylabel="cross-entropy (no penalty)", yscale="log",
           title=title)  # fmt: skip
    ax.legend()
    return ax


def draw_regularization(fig: Any, result: dict[str, Any], lam: float, rate: float) -> None:
    """Left: the decision boundary; right: the training and dev losses per epoch."""
    left, right = fig.subplots(1, 2, width_ratios=[1.15, 1])
    draw_boundary(left, result["grid"], moons_splits(),
                  f"lambda = {lam:g}, dropout = {rate:.1f}: train {result['train_accuracy']:.0%}, "
                  f"dev {result['dev_accuracy']:.0%}")  # fmt: skip
    draw_curves(right, result["curves"], f"||W|| = {result['weight_norm']:.3g}")


@rebuildable
def regularization_explorer(lam: float = 0.0, rate: float = 0.0, *, epochs: int = EPOCHS,
                            seed: int = 0) -> Explorer:  # fmt: skip
    """The big network on the small moons data, with an L2 lambda slider and a dropout slider.

    Controls: ``lam`` (the notes' lambda, one of :data:`LAMBDAS`; dlcore's l2 is
    lambda / 80, the training set's size) and ``rate`` (0 to 0.7). Result keys:
    ``lambda``, ``l2 = lambda / m``, ``dropout_rate``, ``train_accuracy``,
    ``dev_accuracy``, ``dev_loss``, ``weight_norm``, and, for the figure, ``curves``
    and ``grid``. Each change retrains the network (300 epochs: a fraction of a second).
    """
    if lam not in LAMBDAS:
        raise ValueError(f"regularization_explorer: lam must be one of {LAMBDAS}; received {lam!r}")
    if not 0 <= rate <= 0.7:
        raise ValueError(f"regularization_explorer: rate must be in [0, 0.7]; received {rate!r}")
    controls = {
        "lam": widgets.SelectionSlider(options=list(LAMBDAS), value=lam, description="lambda"),
        "rate": widgets.FloatSlider(value=rate, min=0.0, max=0.7, step=0.1,
                                    description="dropout rate", readout_format=".1f"),
    }

    def compute(lam: float, rate: float) -> dict[str, Any]:
        return explore_regularization(lam, rate, epochs=epochs, seed=seed)

    return Explorer("A big network on 80 points: L2 and dropout", controls, compute,
                    draw_regularization, figsize=(10.0, 4.0))  # fmt: skip


# ----------------------------------------------------------- initialisation
def layer_statistics(init: Any, activation: str = "tanh", *, depth: int = 10, width: int = 64,
                     samples: int = 200, seed: int = 0) -> dict[str, list[float]]:  # fmt: skip
    """One forward and backward pass through ``depth`` layers Dense(width, width) + activation.

    ``init`` is a name of :data:`INITS`, a dlcore initialiser name or a function
    ``(shape, rng, dtype) -> W``. The inputs are ``samples`` rows of N(0, 1) features,
    the upstream gradient N(0, 1) / samples (the scale of a mean loss's gradient).

    Returns, per layer (1 = next to the input): "activation_std", the standard
    deviation of the layer's outputs over the batch, and "gradient_norm", the norm
    of the layer's weight gradient ||dW||.
    """
    if depth < 1 or width < 1 or samples < 1:
        raise ValueError(f"layer_statistics: depth, width and samples must be >= 1; received "
                         f"{depth}, {width}, {samples}")  # fmt: skip
    init = INITS.get(init, init) if isinstance(init, str) else init
    layers: list[Any] = []
    for i in range(depth):
        layers += [Dense(width, width, init=init, seed=seed + i), activations.get(activation)]
    model = Sequential(layers)
    rng = np.random.default_rng(seed)
    h, spread = rng.standard_normal((samples, width)), []
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in model.layers:
            h = layer.forward(h)
            if not isinstance(layer, Dense):
                spread.append(float(h.std()))
        model.zero_grad()
        model.backward(rng.standard_normal(h.shape) / samples)
    norms = [float(np.linalg.norm(layer.W.grad)) for layer in model.layers
             if isinstance(layer, Dense)]  # fmt: skip
    return {"activation_std": spread, "gradient_norm": norms}


def _floored(values: Sequence[float], floor: float = 1e-30) -> np.ndarray:
    """Values for a log axis: zeros (all-zero weights) drawn at ``floor``."""
    return np.maximum(np.asarray(values, dtype=float), floor)


def draw_layer_statistics(ax_std: Any, ax_grad: Any, stats: dict[str, list[float]],
                          label: str, **style: Any) -> None:  # fmt: skip
    """Add one initialisation's curves: activation spread per layer, gradient norm per layer."""
    layers = range(1, len(stats["activation_std"]) + 1)
    ax_std.plot(layers, _floored(stats["activation_std"]), "o-", label=label, **style)
    ax_grad.plot(layers, _floored(stats["gradient_norm"]), "o-", label=label, **style)
    for ax, what in ((ax_std, "std of the activations"), (ax_grad, "||dW|| of the layer")):
        ax.set(yscale="log", xlabel="layer (1 = next to the input)", ylabel=what)


def explore_initialization(init: str, activation: str, depth: int) -> dict[str, Any]:
    """The explorer's result: the spread and the gradient at the first and the last layer."""
    stats = layer_statistics(init, activation, depth=depth)
    return {
        "init": init,
        "activation": activation,
        "depth": int(depth),
        "std, layer 1": stats["activation_std"][0],
        "std, last layer": stats["activation_std"][-1],
        "||dW||, layer 1": stats["gradient_norm"][0],
        "||dW||, last layer": stats["gradient_norm"][-1],
        "stats": stats,
    }


@rebuildable
def initialization_explorer(init: str = "xavier", activation: str = "tanh",
                            depth: int = 10) -> Explorer:  # fmt: skip
    """Pick an initialisation, an activation and a depth; see the signal and the gradient.

    Controls: ``init`` (a name of :data:`INITS`), ``activation`` ("tanh" or "relu"),
    ``depth`` (2 to 30 layers of 64 units). Result keys: ``init``, ``activation``,
    ``depth``, ``std, layer 1``, ``std, last layer``, ``||dW||, layer 1``,
    ``||dW||, last layer`` (0.0 where everything is zero), and ``stats`` for the figure.
    """
    if init not in INITS:
        raise ValueError(f"unknown initialisation {init!r}; choose one of {sorted(INITS)}")
    controls = {
        "init": widgets.Dropdown(options=list(INITS), value=init, description="init"),
        "activation": widgets.Dropdown(options=["tanh", "relu"], value=activation,
                                       description="activation"),
        "depth": widgets.IntSlider(value=depth, min=2, max=30, description="depth"),
    }

    def draw(fig: Any, result: dict[str, Any], init: str, activation: str, depth: int) -> None:
        ax_std, ax_grad = fig.subplots(1, 2)
        draw_layer_statistics(ax_std, ax_grad, result["stats"], f"{init}, {activation}")
        ax_std.set_title(f"{init} + {activation}: forward")
        ax_grad.set_title("backward (zeros drawn at 1e-30)" if init == "zeros" else "backward")

    return Explorer("Initialisation: activations and gradients, layer by layer", controls,
                    explore_initialization, draw, figsize=(9.0, 3.4))  # fmt: skip

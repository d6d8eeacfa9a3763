"""Notebook 07 (batch normalisation): a deep network with and without BN, and an explorer.

- :func:`make_deep_network`: ``depth`` hidden layers of ``width`` tanh units on the
  two-moons data; with ``batchnorm=True`` each Dense drops its bias and is followed by
  a :class:`~dlcore.layers.BatchNorm` before the activation.
- :func:`train_deep_network`: mini-batch SGD for a few epochs; returns the loss curve,
  the final training accuracy, and whether the run blew up (the loss became NaN/inf).
  Results are cached: the same (learning rate, BN, batch size) is trained once.
- :func:`layer_spreads`: the mean and standard deviation of every hidden layer's
  activations, to see what BN does to them.
- :func:`batchnorm_explorer`: a learning-rate slider comparing the two trainings.
"""

from __future__ import annotations

import functools
from typing import Any

import ipywidgets as widgets
import numpy as np

from .. import activations
from ..backend import device_of, to_device
from ..datasets import make_moons
from ..layers import BatchNorm, Dense
from ..losses import BinaryCrossEntropy
from ..metrics import accuracy
from ..models import Sequential
from ..optimizers import SGD
from .base import Explorer, rebuildable

__all__ = [
    "DEPTH", "EPOCHS", "LEARNING_RATES", "batchnorm_explorer", "draw_training", "layer_spreads",
    "make_deep_network", "moons", "train_deep_network",
]  # fmt: skip

#: Hidden layers of the deep network, and epochs of every training run (each well under 1 s).
DEPTH, WIDTH, EPOCHS = 8, 16, 20
#: The learning rates of the explorer and of the notebook's sweep.
LEARNING_RATES = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def moons(n: int = 256, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """``n`` two-moons points (noise 0.2) and their labels as a float column (n, 1)."""
    X, y = make_moons(n, noise=0.2, seed=seed)
    return X, y.reshape(-1, 1).astype(np.float64)


def make_deep_network(batchnorm: bool, *, depth: int = DEPTH, width: int = WIDTH,
                      seed: int = 0) -> Sequential:  # fmt: skip
    """Dense [-> BatchNorm] -> tanh, ``depth`` times, then Dense(width, 1) to a logit.

    With BN a hidden Dense has no bias: BN subtracts the batch mean, which removes any
    constant added before it, and its beta plays the bias's part.
    """
    if depth < 1 or width < 1:
        raise ValueError(f"make_deep_network: depth and width must be >= 1; received depth="
                         f"{depth!r}, width={width!r}")  # fmt: skip
    layers: list[Any] = []
    fan_in = 2
    for i in range(depth):
        layers.append(Dense(fan_in, width, init="glorot_normal", use_bias=not batchnorm,
                            seed=seed + i))  # fmt: skip
        if batchnorm:
            layers.append(BatchNorm(width))
        layers.append(activations.Tanh())
        fan_in = width
    layers.append(Dense(fan_in, 1, seed=seed + 99))
    return Sequential(layers)


@functools.lru_cache(maxsize=64)
def train_deep_network(lr: float, batchnorm: bool, batch_size: int = 32, *,
                       epochs: int = EPOCHS, seed: int = 0) -> dict[str, Any]:  # fmt: skip
    """Train the deep network with SGD(lr) on :func:`moons`; cached by its arguments.

    Returns ``{"losses": training loss after each epoch (evaluation mode), "accuracy":
    final training accuracy, "diverged": whether the loss became NaN or inf, "model": the
    trained network}``; a run that diverges keeps the losses it had and reports accuracy
    0.5 (a coin). The result is shared by every caller: do not train its model further.
    """
    if not lr > 0 or batch_size < 1:
        raise ValueError(f"train_deep_network: lr must be > 0 and batch_size >= 1; received "
                         f"lr={lr!r}, batch_size={batch_size!r}")  # fmt: skip
    X, y = moons()
    model = make_deep_network(batchnorm, seed=seed)
    loss = BinaryCrossEntropy(from_logits=True)
    model.compile(optimizer=SGD(lr=lr), loss=loss)
    order = np.random.default_rng(seed)
    losses: list[float] = []
    diverged = False
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            try:
                model.fit(X, y, epochs=1, batch_size=batch_size, seed=int(order.integers(2**31)),
                          verbose=0)  # fmt: skip
            except (FloatingPointError, ValueError):
                diverged = True
                break
            value = float(loss.forward(model.predict(X), y))
            if not np.isfinite(value):
                diverged = True
                break
            losses.append(value)
        correct = 0.5
        if not diverged:
            predicted = (model.predict(X)[:, 0] > 0).astype(int)
            correct = float(accuracy(y[:, 0].astype(int), predicted))
    return {"losses": tuple(losses), "accuracy": correct, "diverged": diverged, "model": model}


def layer_spreads(model: Sequential, X: np.ndarray, *,
                  training: bool = False) -> list[tuple[float, float]]:  # fmt: skip
    """(mean, std) of the output of every activation layer for the batch ``X``.

    In evaluation mode by default (BN uses its running averages); with ``training=True``
    BN normalises with the statistics of ``X`` (as at the first step of training), and the
    running averages are restored afterwards. The model's mode is restored either way.
    """
    spreads = []
    params = model.parameters()
    h = np.asarray(X, dtype=np.float64)
    if params:  # the data goes where the model is (the GPU, with DLCORE_DEVICE=gpu)
        h = to_device(h, device_of(params[0].data))
    saved = [(layer, layer.training, layer.state_dict()) for layer in model.layers]
    try:
        for layer in model.layers:
            layer.train(training)
            h = layer.forward(h)
            if isinstance(layer, activations.Activation):
                spreads.append((float(h.mean()), float(h.std())))
    finally:
        for layer, mode, state in saved:
            layer.train(mode)
            layer.load_state_dict(state)
    return spreads


# ------------------------------------------------------------ the explorer
def explore_learning_rate(lr: float, batch_size: int = 32) -> dict[str, Any]:
    """Both trainings at learning rate ``lr``: final losses, accuracies, and the curves."""
    plain = train_deep_network(float(lr), False, int(batch_size))
    normed = train_deep_network(float(lr), True, int(batch_size))
    return {
        "lr": float(lr),
        "batch_size": int(batch_size),
        "accuracy without BN": plain["accuracy"],
        "accuracy with BN": normed["accuracy"],
        "diverged without BN": plain["diverged"],
        "diverged with BN": normed["diverged"],
        "curves": {"without BN": plain["losses"], "with BN": normed["losses"]},
    }


def draw_training(ax: Any, curves: dict[str, tuple[float, ...]], title: str = "") -> Any:
    """The training-loss curves of the two runs (a cross marks a run that blew up)."""
    for (name, losses), color in zip(curves.items(), ("tab:gray", "tab:green")):
        epochs = np.arange(1, len(losses) + 1)
        ax.plot(epochs, losses, "o-", color=color, markersize=3, label=name)
        if len(losses) < EPOCHS:
            x_end = len(losses) + 1
            y_end = min(losses[-1], 1.95) if losses else 1.95
            ax.plot([x_end], [y_end], "x", color=color, markersize=10, mew=2)
    ax.axhline(np.log(2), color="0.7", linestyle="--", linewidth=1)
    ax.text(EPOCHS, np.log(2), " a coin", va="bottom", ha="right", color="0.5", fontsize="small")
    ax.set(xlabel="epoch", ylabel="training loss (BCE)", xlim=(0.5, EPOCHS + 1.5), title=title)
    ax.set_ylim(0, 2)  # a run that blows up leaves the top: its cross is drawn at the edge
    ax.legend(loc="upper right", fontsize="small")
    return ax


@rebuildable
def batchnorm_explorer(lr: float = 0.3, batch_size: int = 32) -> Explorer:
    """An explorer: the learning rate (and the batch size) of the deep network, with and without BN.

    Controls: ``lr`` (SelectionSlider of :data:`LEARNING_RATES`) and ``batch_size``
    (Dropdown 8, 32, 128). Result keys: ``lr``, ``batch_size``, ``accuracy without BN``,
    ``accuracy with BN``, ``diverged without BN``, ``diverged with BN`` and ``curves``.
    """
    if lr not in LEARNING_RATES:
        raise ValueError(f"batchnorm_explorer: lr must be one of {LEARNING_RATES}; received {lr!r}")
    if batch_size not in (8, 32, 128):
        raise ValueError(f"batchnorm_explorer: batch_size must be 8, 32 or 128; received "
                         f"{batch_size!r}")  # fmt: skip
    controls = {
        "lr": widgets.SelectionSlider(options=list(LEARNING_RATES), value=lr,
                                      description="learning rate"),
        "batch_size": widgets.Dropdown(options=[8, 32, 128], value=batch_size,
                                       description="batch size"),
    }

    def draw(fig: Any, result: dict[str, Any], lr: float, batch_size: int) -> None:
        ax = fig.subplots()
        draw_training(ax, result["curves"],
                      f"{DEPTH} tanh layers, SGD lr = {lr:g}, batch size {batch_size}")

    return Explorer("Training with and without batch norm", controls, explore_learning_rate,
                    draw, figsize=(6.5, 3.6))  # fmt: skip

"""Explorers of notebook 09: sampling scales, and a browser of finished searches.

``sampling_explorer()`` draws ``n_samples`` values of a learning rate or a momentum
``beta`` on the scale picked in a dropdown and shows the share of them in every
decade (of the learning rate, or of ``1 - beta``): uniform sampling puts about 90 %
of learning rates in [0.1, 1], log-uniform a quarter in each decade.

``trials_explorer()`` runs a search (grid, random, coarse-to-fine or Hyperband) on
:func:`dlcore.tuning.objectives.synthetic_dev_error` and shows its trials with
:func:`dlcore.plotting.trials.plot_trials`, against the hyperparameter picked.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..plotting.trials import plot_trials
from ..tuning import (
    CoarseToFine,
    GridSearch,
    Hyperband,
    LogUniform,
    OneMinusLogUniform,
    RandomSearch,
    TuningResults,
    Uniform,
)
from ..tuning.objectives import synthetic_dev_error
from .base import Explorer, rebuildable

__all__ = [
    "SCALES",
    "SEARCHERS",
    "decade_shares",
    "run_search",
    "sampling_explorer",
    "search_space",
    "trials_explorer",
]

#: scale name -> (space, what is histogrammed: "lr" or "1 - beta")
SCALES: dict[str, tuple[Any, str]] = {
    "learning rate, uniform": (Uniform(1e-4, 1.0), "lr"),
    "learning rate, log-uniform": (LogUniform(1e-4, 1.0), "lr"),
    "beta, uniform": (Uniform(0.9, 0.999), "1 - beta"),
    "beta, 1 - beta log-uniform": (OneMinusLogUniform(0.9, 0.999), "1 - beta"),
}

#: the searchers of the trial browser, each with a budget of about 27 epochs per finalist
SEARCHERS = ("grid", "random", "coarse-to-fine", "hyperband")


def decade_shares(scale: str, n_samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(edges, shares)``: the decades of the scale's quantity and the share of samples in each.

    ``n_samples`` values are drawn from the scale's space with ``default_rng(seed)``;
    for beta the decades are those of ``1 - beta`` (1e-3 to 1e-2, 1e-2 to 1e-1).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {list(SCALES)}")
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1; received {n_samples!r}")
    space, quantity = SCALES[scale]
    values = space.sample(np.random.default_rng(seed), int(n_samples))
    if quantity == "lr":
        edges, measured = np.logspace(-4, 0, 5), values
    else:
        edges, measured = np.logspace(-3, -1, 3), 1.0 - values
    counts, _ = np.histogram(measured, bins=edges)
    return edges, counts / n_samples


def _decade_label(low: float, high: float) -> str:
    return f"[{low:.0e}, {high:.0e}]".replace("e-0", "e-").replace("e+00", "")


def explore_sampling(scale: str, n_samples: int, seed: int = 0) -> dict[str, Any]:
    """The sampling explorer's result: the share of samples in each decade."""
    edges, shares = decade_shares(scale, n_samples, seed)
    quantity = SCALES[scale][1]
    result: dict[str, Any] = {"scale": scale, "n_samples": int(n_samples)}
    for low, high, share in zip(edges[:-1], edges[1:], shares):
        result[f"{quantity} in {_decade_label(low, high)}"] = float(share)
    return result


@rebuildable
def sampling_explorer(
    scale: str = "learning rate, uniform", n_samples: int = 1000, seed: int = 0
) -> Explorer:
    """An explorer: a dropdown of sampling scales and a slider for the number of samples.

    Result keys: ``scale``, ``n_samples`` and the share of samples per decade, e.g.
    ``"lr in [1e-1, 1]"`` or ``"1 - beta in [1e-3, 1e-2]"``.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {list(SCALES)}")
    controls = {
        "scale": widgets.Dropdown(options=list(SCALES), value=scale, description="scale"),
        "n_samples": widgets.IntSlider(
            value=n_samples, min=10, max=5000, step=10, description="samples"
        ),
    }

    def compute(scale: str, n_samples: int) -> dict[str, Any]:
        return explore_sampling(scale, n_samples, seed)

    def draw(fig: Any, result: dict[str, Any], scale: str, n_samples: int) -> None:
        ax = fig.subplots()
        edges, shares = decade_shares(scale, n_samples, seed)
        labels = [_decade_label(a, b) for a, b in itertools.pairwise(edges)]
        bars = ax.bar(labels, shares, color="C2" if "log" in scale else "C0")
        ax.bar_label(bars, labels=[f"{s:.1%}" for s in shares])
        ax.axhline(
            1 / len(shares),
            color="0.5",
            linestyle="--",
            linewidth=0.8,
            label="equal share per decade",
        )
        ax.set(
            ylim=(0, 1.05),
            ylabel="share of the samples",
            xlabel=f"decade of {SCALES[scale][1]}",
            title=f"{scale}: {n_samples} samples",
        )
        ax.legend(loc="upper left")

    return Explorer(
        "Sampling scales: where do the trials land?", controls, compute, draw, figsize=(6.5, 3.4)
    )


def search_space() -> dict[str, Any]:
    """The trial browser's space: lr log-uniform on [1e-4, 1], beta with 1 - beta log-uniform."""
    return {"lr": LogUniform(1e-4, 1.0), "beta": OneMinusLogUniform(0.8, 0.999)}


@functools.lru_cache(maxsize=16)
def run_search(searcher: str, seed: int = 0) -> TuningResults:
    """The finished search ``searcher`` (one of :data:`SEARCHERS`) on ``synthetic_dev_error``.

    Grid: 4 x 4 points at budget 27; random: 16 trials at budget 27; coarse-to-fine: two
    rounds of 8; Hyperband: max_budget 27, eta 3. Cached: the same arguments give the same
    object.
    """
    space = search_space()
    searchers = {
        "grid": lambda: GridSearch(space, points_per_axis=4, budget=27),
        "random": lambda: RandomSearch(space, n_trials=16, budget=27),
        "coarse-to-fine": lambda: CoarseToFine(space, n_trials=8, rounds=2, keep=3, budget=27),
        "hyperband": lambda: Hyperband(space, max_budget=27, eta=3),
    }
    if searcher not in searchers:
        raise ValueError(f"unknown searcher {searcher!r}; choose one of {list(SEARCHERS)}")
    return searchers[searcher]().run(synthetic_dev_error, seed=seed, verbose=0)


def explore_trials(searcher: str, param: str, seed: int = 0) -> dict[str, Any]:
    """The trial browser's result: the search's size, spending and best trial."""
    results = run_search(searcher, seed)
    best = results.best
    return {
        "searcher": searcher,
        "param": param,
        "trials": len(results),
        "total budget": float(sum(t.budget for t in results)),
        "best lr": float(best.config["lr"]),
        "best beta": float(best.config["beta"]),
        "best dev error": float(best.score),
    }


@rebuildable
def trials_explorer(searcher: str = "random", param: str = "lr", seed: int = 0) -> Explorer:
    """An explorer: a dropdown of searchers and one of the x axis (lr, beta, trial order).

    Result keys: ``searcher``, ``param``, ``trials``, ``total budget``, ``best lr``,
    ``best beta`` and ``best dev error``.
    """
    if searcher not in SEARCHERS:
        raise ValueError(f"unknown searcher {searcher!r}; choose one of {list(SEARCHERS)}")
    params = ["lr", "beta", "trial order"]
    if param not in params:
        raise ValueError(f"unknown param {param!r}; choose one of {params}")
    controls = {
        "searcher": widgets.Dropdown(
            options=list(SEARCHERS), value=searcher, description="searcher"
        ),
        "param": widgets.Dropdown(options=params, value=param, description="x axis"),
    }

    def compute(searcher: str, param: str) -> dict[str, Any]:
        return explore_trials(searcher, param, seed)

    def draw(fig: Any, result: dict[str, Any], searcher: str, param: str) -> None:
        ax = fig.subplots()
        plot_trials(run_search(searcher, seed), None if param == "trial order" else param, ax=ax)
        ax.set_title(
            f"{searcher}: {result['trials']} trials, best dev error {result['best dev error']:.3f}"
        )

    return Explorer("A browser of finished searches", controls, compute, draw, figsize=(6.5, 3.6))

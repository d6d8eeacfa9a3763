"""The references of notebook 09's exercises, written as the notebook asks for them.

dlcore owns the maths: the scales (``dlcore.tuning.LogUniform`` and
``OneMinusLogUniform``), how a configuration is drawn from a space
(``dlcore.tuning.searchers.sample_config``) and the plan of a successive halving
(``dlcore.tuning.halving.halving_rungs``). The functions here only give them the
exercises' signatures, so that :mod:`autograder.tuning` can compare a student's
answers with them at grading time, and score them full marks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dlcore.tuning import LogUniform, OneMinusLogUniform, Space
from dlcore.tuning.halving import halving_rungs
from dlcore.tuning.searchers import sample_config

__all__ = ["halving_plan", "log_uniform", "random_search", "sample_beta", "successive_halving"]


def log_uniform(low: float, high: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` values ``10**r`` with ``r = rng.uniform(log10(low), log10(high), size)``."""
    return np.asarray(LogUniform(low, high).sample(rng, size), dtype=float)


def sample_beta(low: float, high: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` values ``1 - 10**r`` with ``r = rng.uniform(log10(1 - high), log10(1 - low))``."""
    return np.asarray(OneMinusLogUniform(low, high).sample(rng, size), dtype=float)


def random_search(
    objective: Callable[[dict[str, Any]], dict[str, float]],
    space: dict[str, Space],
    n_trials: int,
    rng: np.random.Generator,
) -> tuple[dict[str, Any], float, list[float]]:
    """``n_trials`` configurations from ``sample_config``; the one with the lowest dev error.

    Returns ``(best_config, best_dev_error, dev_errors)``, the last in trial order;
    a tie goes to the earlier trial.
    """
    best_config, best_error, history = None, math.inf, []
    for _ in range(n_trials):
        config = sample_config(space, rng)
        error = float(objective(config)["dev_error"])
        history.append(error)
        if error < best_error:
            best_config, best_error = config, error
    return best_config, best_error, history


def halving_plan(n_configs: int, min_budget: float, eta: int) -> list[tuple[int, int | float]]:
    """The rungs (configurations, budget) of a halving that runs until one configuration is
    left: dlcore's ``halving_rungs`` with ``max_budget = min_budget * eta**k``."""
    k, n = 0, n_configs
    while n > 1:
        n, k = max(1, n // eta), k + 1
    return halving_rungs(n_configs, min_budget, min_budget * eta**k, eta)


def successive_halving(
    configs: Sequence[dict[str, Any]],
    evaluate: Callable[[dict[str, Any], Any], float],
    min_budget: float,
    eta: int,
) -> tuple[dict[str, Any], float]:
    """Evaluate every configuration at ``min_budget``; keep the best ``n // eta`` (at least
    one), multiply the budget by ``eta``; repeat until one is left. Returns it and its score
    at the last budget. Ties go to the configuration listed first."""
    alive = list(configs)
    for size, budget in halving_plan(len(configs), min_budget, eta):
        alive = alive[:size]
        scores = [float(evaluate(config, budget)) for config in alive]
        order = sorted(range(len(alive)), key=lambda i: scores[i])
        alive, best_score = [alive[i] for i in order], scores[order[0]]
    return alive[0], best_score

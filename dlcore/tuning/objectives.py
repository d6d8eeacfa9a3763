"""Synthetic objectives for demonstrations and tests: fast, deterministic given ``rng``.

They are defined at module level, so worker processes can load them (``n_jobs > 1``).
Each follows the objective protocol ``objective(config, budget, rng) -> score``, lower
is better.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["one_parameter_matters", "synthetic_dev_error"]


def _get(config: dict[str, Any], name: str, where: str) -> float:
    if name not in config:
        raise KeyError(
            f"{where} needs the hyperparameter {name!r} in config; received {sorted(config)}"
        )
    return float(config[name])


def one_parameter_matters(
    config: dict[str, Any], budget: Any = 1, rng: np.random.Generator | None = None
) -> float:
    """A bowl where one hyperparameter matters 100 times more than the other.

    ``score = (important - 0.37)**2 + 0.01 * (unimportant - 0.5)**2`` for ``important`` and
    ``unimportant`` in [0, 1]. Its minimum is 0 at (0.37, 0.5). Grid search with 3 points
    per axis tries ``important`` only at 0, 0.5 and 1 and cannot get below 0.0169; random
    search tries a new value of it in every trial. ``budget`` and ``rng`` are ignored.
    """
    important = _get(config, "important", "one_parameter_matters")
    unimportant = _get(config, "unimportant", "one_parameter_matters")
    return (important - 0.37) ** 2 + 0.01 * (unimportant - 0.5) ** 2


def synthetic_dev_error(config: dict[str, Any], budget: float, rng: np.random.Generator) -> float:
    """The dev error of an imaginary network trained for ``budget`` epochs.

    Hyperparameters: ``lr`` (required; best near 3e-3, diverges above 0.3) and ``beta``
    (optional momentum, default 0.9; best near 0.97). The error falls from 0.9 towards a
    floor that depends on both, faster for larger learning rates:

    - ``floor = 0.05 + 0.1 * (log10(lr) + 2.5)**2 / 4 + 0.02 * (log10(1 - beta) + 1.5)**2``
    - ``speed = 0.3 * min(1, sqrt(lr / 3e-3))``
    - ``error = floor + (0.9 - floor) * exp(-speed * budget) + noise``, with
      ``noise ~ Normal(0, 0.01 / sqrt(budget))`` drawn from ``rng``, clipped to [0, 1].

    Returns NaN (training diverged) when ``lr > 0.3``: searches record it and rank it last.
    """
    lr = _get(config, "lr", "synthetic_dev_error")
    beta = float(config.get("beta", 0.9))
    if lr <= 0 or not 0 <= beta < 1:
        raise ValueError(
            f"synthetic_dev_error: needs lr > 0 and beta in [0, 1); received lr={lr!r}, "
            f"beta={beta!r}"
        )
    if lr > 0.3:
        return math.nan
    floor = 0.05 + 0.1 * (math.log10(lr) + 2.5) ** 2 / 4 + 0.02 * (math.log10(1 - beta) + 1.5) ** 2
    speed = 0.3 * min(1.0, math.sqrt(lr / 3e-3))
    error = floor + (0.9 - floor) * math.exp(-speed * budget)
    error += float(rng.normal(0.0, 0.01 / math.sqrt(budget)))
    return min(1.0, max(0.0, error))

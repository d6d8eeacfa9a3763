"""Hyperparameter search: spaces to sample from, searchers, and the results they return.

    from dlcore.tuning import LogUniform, OneMinusLogUniform, Choice, RandomSearch

    space = {"lr": LogUniform(1e-4, 1), "beta": OneMinusLogUniform(0.9, 0.999),
             "batch_size": Choice([32, 64, 128, 256])}
    results = RandomSearch(space, n_trials=30).run(objective, seed=0, n_jobs=2)
    results.best.config, results.to_list(), results.plot("lr")

An objective is a function ``objective(config, budget, rng) -> score``: it trains with the
hyperparameters in ``config`` for ``budget`` (epochs, say), takes all of its randomness from
``rng``, and returns the score to compare, the dev error by default (``mode="min"``).

Modules: ``spaces`` (Uniform, LogUniform, IntUniform, Choice, OneMinusLogUniform),
``searchers`` (GridSearch, RandomSearch, CoarseToFine), ``halving`` (SuccessiveHalving,
Hyperband), ``results`` (Trial, TuningResults), ``runner`` (seeding and worker processes),
``objectives`` (synthetic objectives for demonstrations).
"""

from .halving import Hyperband, SuccessiveHalving
from .results import Trial, TuningResults
from .runner import TrialError
from .searchers import CoarseToFine, GridSearch, RandomSearch, Searcher
from .spaces import Choice, IntUniform, LogUniform, OneMinusLogUniform, Space, Uniform

__all__ = [
    "Choice",
    "CoarseToFine",
    "GridSearch",
    "Hyperband",
    "IntUniform",
    "LogUniform",
    "OneMinusLogUniform",
    "RandomSearch",
    "Searcher",
    "Space",
    "SuccessiveHalving",
    "Trial",
    "TrialError",
    "TuningResults",
    "Uniform",
]

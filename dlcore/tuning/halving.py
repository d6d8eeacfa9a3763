"""Multi-fidelity searchers: successive halving and Hyperband.

Most bad configurations look bad after a small budget (a few epochs). Successive halving
(Jamieson & Talwalkar, 2016) evaluates many configurations at a small budget, keeps the best
``1/eta`` of them, multiplies the budget by ``eta`` and repeats. Hyperband (Li et al.,
"Hyperband: A Novel Bandit-Based Approach to Hyperparameter Optimization", JMLR 18, 2018)
runs several successive halvings that trade the number of configurations against the
starting budget, because nobody knows in advance how early a good configuration shows.

Budgets are computed exactly (with fractions, never with a floating-point logarithm) and
handed to the objective as Python ints when they are whole numbers, floats otherwise:
``Hyperband(space, max_budget=81, eta=3)`` gives budgets 1, 3, 9, 27 and 81 as ints, while
``max_budget=100`` gives 100/81 = 1.2345... as a float. An objective that needs whole
epochs rounds: ``epochs = max(1, round(budget))``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ._validate import check_budget, check_count, reject_unknown
from .results import rank
from .runner import Request, TrialRunner
from .searchers import Searcher, sample_config
from .spaces import Space

__all__ = ["Hyperband", "SuccessiveHalving", "halving_rungs", "hyperband_brackets"]


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _steps(min_budget: Fraction, max_budget: Fraction, eta: int) -> int:
    """The largest k with ``min_budget * eta**k <= max_budget`` (exact, no logarithm)."""
    k = 0
    while min_budget * eta ** (k + 1) <= max_budget:
        k += 1
    return k


def halving_rungs(
    n_configs: int, min_budget: float | Fraction, max_budget: float | Fraction, eta: int
) -> list[tuple[int, int | float]]:
    """The rungs of a successive halving: (configurations, budget) pairs.

    The last rung trains at ``max_budget``; each rung before it has ``1/eta`` of its
    budget, down to the smallest budget >= ``min_budget``. Rung ``i + 1`` keeps the best
    ``floor(n_i / eta)`` configurations (at least 1).

    >>> halving_rungs(27, 1, 27, 3)
    [(27, 1), (9, 3), (3, 9), (1, 27)]
    """
    low, high = Fraction(min_budget), Fraction(max_budget)
    k = _steps(low, high, eta)
    rungs, n = [], n_configs
    for i in range(k + 1):
        rungs.append((n, _number(high / eta ** (k - i))))
        n = max(1, n // eta)
    return rungs


def hyperband_brackets(
    max_budget: float, min_budget: float, eta: int
) -> list[tuple[int, int | float]]:
    """Hyperband's plan (Li et al. 2018, Algorithm 1): (configurations, first budget) pairs.

    With ``s_max = floor(log_eta(max_budget / min_budget))``, bracket ``s = s_max, ..., 0``
    starts ``n = ceil((s_max + 1) / (s + 1) * eta**s)`` configurations at budget
    ``r = max_budget * eta**(-s)``.

    >>> hyperband_brackets(81, 1, 3)
    [(81, 1), (34, 3), (15, 9), (8, 27), (5, 81)]
    """
    return [(n, _number(r)) for n, r in _bracket_plan(max_budget, min_budget, eta)]


def _bracket_plan(max_budget: float, min_budget: float, eta: int) -> list[tuple[int, Fraction]]:
    high = Fraction(max_budget)
    s_max = _steps(Fraction(min_budget), high, eta)
    return [(-(-(s_max + 1) * eta**s // (s + 1)), high / eta**s) for s in range(s_max, -1, -1)]


def _check_eta(where: str, eta: Any) -> int:
    if isinstance(eta, bool) or not isinstance(eta, (int, np.integer)) or eta < 2:
        raise ValueError(
            f"{where}: eta (the halving rate) must be an integer >= 2; received {eta!r}"
        )
    return int(eta)


def _check_budgets(where: str, min_budget: Any, max_budget: Any) -> tuple[Any, Any]:
    low = check_budget(where, "min_budget", min_budget)
    high = check_budget(where, "max_budget", max_budget)
    if low > high:
        raise ValueError(
            f"{where}: min_budget must not exceed max_budget; received min_budget={min_budget!r}, "
            f"max_budget={max_budget!r}"
        )
    return low, high


def _run_halving(
    runner: TrialRunner,
    configs: list[tuple[int, dict[str, Any]]],
    rungs: list[tuple[int, int | float]],
    mode: str,
    bracket: int | None = None,
) -> None:
    """Evaluate ``configs`` rung by rung, promoting the best ``n`` of each rung to the next."""
    alive = configs
    for rung, (size, budget) in enumerate(rungs):
        alive = sorted(alive[:size], key=lambda item: item[0])
        trials = runner.evaluate(
            [
                Request(config, budget, config_id, bracket=bracket, rung=rung)
                for config_id, config in alive
            ]
        )
        alive = [(t.config_id, t.config) for t in rank(trials, mode)]


class SuccessiveHalving(Searcher):
    """Many configurations on a small budget; the best ``1/eta`` go on with ``eta`` times more.

    Parameters
    ----------
    space : dict of str to Space
        Where each configuration is drawn from.
    n_configs : int
        Configurations sampled for the first rung.
    min_budget, max_budget : int or float
        The budget of the last rung is ``max_budget``; the first rung's is the smallest
        ``max_budget / eta**k`` that is still >= ``min_budget``.
    eta : int
        Keep the best ``floor(n / eta)`` (at least 1) and multiply the budget by ``eta``.
    mode : "min" or "max"
        Whether the objective's score is better lower (default) or higher.

    Attributes
    ----------
    rungs : list of (int, int or float)
        The plan, (configurations, budget) per rung, known before anything runs.
    """

    def __init__(
        self,
        space: dict[str, Space],
        n_configs: int,
        min_budget: float,
        max_budget: float,
        eta: int = 3,
        *,
        mode: str = "min",
        **unknown: Any,
    ) -> None:
        reject_unknown(self, unknown)
        super().__init__(space, mode=mode)
        self.n_configs = check_count("SuccessiveHalving", "n_configs", n_configs)
        self.min_budget, self.max_budget = _check_budgets(
            "SuccessiveHalving", min_budget, max_budget
        )
        self.eta = _check_eta("SuccessiveHalving", eta)

    @property
    def rungs(self) -> list[tuple[int, int | float]]:
        """(configurations, budget) for each rung, smallest budget first."""
        return halving_rungs(self.n_configs, self.min_budget, self.max_budget, self.eta)

    @property
    def n_trials(self) -> int:
        return sum(n for n, _ in self.rungs)

    def _search(self, runner: TrialRunner, rng: np.random.Generator) -> dict[str, Any]:
        configs = [(i, sample_config(self.space, rng)) for i in range(self.n_configs)]
        _run_halving(runner, configs, self.rungs, self.mode)
        return {"rungs": self.rungs}

    def _arguments(self) -> str:
        return (
            f"n_configs={self.n_configs}, min_budget={self.min_budget!r}, "
            f"max_budget={self.max_budget!r}, eta={self.eta}"
        )


class Hyperband(Searcher):
    """Several successive halvings, from many configurations on a tiny budget to a few on
    the full budget (Li et al. 2018).

    ``s_max = floor(log_eta(max_budget / min_budget))``; for ``s = s_max, ..., 0`` a bracket
    samples ``n = ceil((s_max + 1) / (s + 1) * eta**s)`` new configurations and runs a
    successive halving from budget ``r = max_budget * eta**(-s)`` up to ``max_budget``.
    With ``max_budget=81, eta=3``: brackets of 81, 34, 15, 8 and 5 configurations starting at
    budgets 1, 3, 9, 27 and 81, 206 trials in all. ``results.best`` is the best trial at
    ``max_budget``.

    Parameters
    ----------
    space : dict of str to Space
        Where each configuration is drawn from.
    max_budget : int or float
        R, the most budget one configuration gets (epochs, say).
    eta : int
        The halving rate (3 in the paper).
    min_budget : int or float
        The smallest budget worth evaluating; R is measured in units of it.
    mode : "min" or "max"
        Whether the objective's score is better lower (default) or higher.

    Attributes
    ----------
    brackets : list of (int, int or float)
        The plan, (configurations, first budget) per bracket, known before anything runs.
        Trials record their bracket as its index in this list.
    """

    def __init__(
        self,
        space: dict[str, Space],
        max_budget: float,
        eta: int = 3,
        min_budget: float = 1,
        *,
        mode: str = "min",
        **unknown: Any,
    ) -> None:
        reject_unknown(self, unknown)
        super().__init__(space, mode=mode)
        self.min_budget, self.max_budget = _check_budgets("Hyperband", min_budget, max_budget)
        self.eta = _check_eta("Hyperband", eta)

    @property
    def brackets(self) -> list[tuple[int, int | float]]:
        """(configurations, first budget) for each bracket, most exploratory first."""
        return hyperband_brackets(self.max_budget, self.min_budget, self.eta)

    def bracket_rungs(self, bracket: int) -> list[tuple[int, int | float]]:
        """The rungs, (configurations, budget), of bracket number ``bracket``."""
        brackets = self.brackets
        if (
            isinstance(bracket, bool)
            or not isinstance(bracket, int)
            or not (0 <= bracket < len(brackets))
        ):
            raise ValueError(
                f"Hyperband.bracket_rungs: bracket must be an integer in [0, {len(brackets)}); "
                f"received {bracket!r}"
            )
        n, first_budget = _bracket_plan(self.max_budget, self.min_budget, self.eta)[bracket]
        return halving_rungs(n, first_budget, self.max_budget, self.eta)

    @property
    def n_trials(self) -> int:
        return sum(n for b in range(len(self.brackets)) for n, _ in self.bracket_rungs(b))

    def _search(self, runner: TrialRunner, rng: np.random.Generator) -> dict[str, Any]:
        next_id = 0
        for bracket, (n, _) in enumerate(self.brackets):
            configs = [(next_id + i, sample_config(self.space, rng)) for i in range(n)]
            next_id += n
            _run_halving(runner, configs, self.bracket_rungs(bracket), self.mode, bracket)
        return {"brackets": self.brackets}

    def _arguments(self) -> str:
        return f"max_budget={self.max_budget!r}, eta={self.eta}, min_budget={self.min_budget!r}"

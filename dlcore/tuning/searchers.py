"""Searchers that evaluate every configuration at one budget: grid, random, coarse-to-fine.

Every searcher is built from a search space ``{"name": Space, ...}`` and run with
``results = searcher.run(objective, seed=0)``, where the objective is a function
``objective(config, budget, rng) -> score``: it trains with the hyperparameters in
``config`` for ``budget`` (epochs, say) using ``rng`` for all of its randomness, and returns
the score to compare, typically the dev-set error (``mode="min"``) or accuracy
(``mode="max"``), never the training loss.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._checks import reject_unknown_kwargs
from ._validate import check_budget, check_count, reject_unknown
from .results import RESERVED_NAMES, TuningResults, rank
from .runner import Objective, Request, TrialRunner, resolve_seed, sampler_rng
from .spaces import Choice, IntUniform, LogUniform, OneMinusLogUniform, Space, Uniform

__all__ = ["CoarseToFine", "GridSearch", "RandomSearch", "Searcher"]

_RUN_ARGS = ("seed", "rng", "n_jobs", "verbose", "start_method")


SPACE_CLASSES: tuple[type[Space], ...] = (
    Uniform,
    LogUniform,
    OneMinusLogUniform,
    IntUniform,
    Choice,
)


def check_space_dict(
    where: str, space: Any, *, reserved: Sequence[str] = (), allow_lists: bool = False
) -> dict[str, Any]:
    """Validate a search space ``{"name": Space, ...}`` and return it as a plain dict.

    Parameters
    ----------
    where : str
        The searcher's name, for error messages.
    space : mapping of str to Space
        The hyperparameters to search.
    reserved : sequence of str
        Names a hyperparameter may not take (the columns of the results table).
    allow_lists : bool
        Accept explicit lists of values as well (grid search); they become ``Choice``.
    """
    kinds = ", ".join(cls.__name__ for cls in SPACE_CLASSES)
    if not isinstance(space, Mapping):
        raise TypeError(
            f"{where}: the search space must be a dict of name -> space, e.g. "
            f"{{'lr': LogUniform(1e-4, 1)}}; received {type(space).__name__}"
        )
    if not space:
        raise ValueError(
            f"{where}: the search space is empty; give at least one hyperparameter, e.g. "
            f"{{'lr': LogUniform(1e-4, 1)}}"
        )
    checked: dict[str, Any] = {}
    for name, value in space.items():
        if not isinstance(name, str) or not name:
            raise TypeError(
                f"{where}: hyperparameter names must be non-empty strings; received {name!r}"
            )
        if name in reserved:
            raise ValueError(
                f"{where}: {name!r} cannot name a hyperparameter, it is a column of the results "
                f"table; reserved names are: {', '.join(reserved)}"
            )
        if allow_lists and isinstance(value, (list, tuple)):
            value = Choice(value)
        elif not isinstance(value, Space):
            hint = " or a list of values" if allow_lists else " (wrap a list in Choice([...]))"
            raise TypeError(
                f"{where}: hyperparameter {name!r} must be a space: {kinds}{hint}; "
                f"received {value!r}"
            )
        checked[name] = value
    return checked


def sample_config(space: dict[str, Space], rng: np.random.Generator) -> dict[str, Any]:
    """One configuration: a value from each space, drawn in the space's key order."""
    return {name: space[name].sample(rng) for name in space}


class Searcher:
    """Base class: validates the space and the mode, and runs the search.

    Subclasses say how many trials they plan (``n_trials``) and implement
    ``_search(runner, rng)``, which hands batches of trials to the runner.
    """

    def __init__(self, space: dict[str, Space], *, mode: str = "min", allow_lists: bool = False):
        where = type(self).__name__
        self.space = check_space_dict(
            where, space, reserved=RESERVED_NAMES, allow_lists=allow_lists
        )
        if mode not in ("min", "max"):
            raise ValueError(
                f"{where}: mode must be 'min' (lower is better: an error) or 'max' (higher is "
                f"better: an accuracy); received {mode!r}"
            )
        self.mode = mode

    @property
    def n_trials(self) -> int:
        """How many times the objective will be called."""
        raise NotImplementedError

    def run(
        self,
        objective: Objective,
        *,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
        n_jobs: int = 1,
        verbose: int = 1,
        start_method: str | None = None,
        **unknown: Any,
    ) -> TuningResults:
        """Run the search and return every trial.

        Parameters
        ----------
        objective : callable
            ``objective(config, budget, rng) -> float``. With ``n_jobs > 1`` it must be
            picklable: a function defined with ``def`` at the top level of a module.
        seed : int, optional
            Makes the search repeatable: the same seed gives the same configurations and,
            for a deterministic objective, the same scores, whatever ``n_jobs``.
        rng : numpy.random.Generator, optional
            Instead of ``seed``: the run's seed is drawn from it.
        n_jobs : int
            Trials run at the same time in worker processes; 1 runs them here, -1 uses
            every core.
        verbose : 0, 1 or 2
            0 silent, 1 a progress bar over trials (for a person; ``DLCORE_PROGRESS=0``
            turns it off), 2 one printed line per trial.
        start_method : str, optional
            Multiprocessing start method of the workers; default ``fork`` on Linux, the
            platform's default elsewhere.

        Returns
        -------
        TuningResults
            Every trial; ``results.best`` is the winner, ``results.seed`` repeats the run.

        Raises
        ------
        TrialError
            When the objective raises, naming the trial's configuration and budget.
        TypeError
            When the objective returns something other than one number, or when
            ``n_jobs > 1`` and it cannot be pickled (a lambda, a nested function).
        """
        where = type(self).__name__
        reject_unknown_kwargs(f"{where}.run()", unknown, _RUN_ARGS)
        seed = resolve_seed(f"{where}.run", seed, rng)
        runner = TrialRunner(
            where,
            objective,
            seed=seed,
            mode=self.mode,
            n_jobs=n_jobs,
            verbose=verbose,
            total=self.n_trials,
            start_method=start_method,
        )
        with runner:
            info = self._search(runner, sampler_rng(seed))
        return TuningResults(
            runner.trials,
            mode=self.mode,
            spaces=self.space,
            searcher=repr(self),
            seed=seed,
            info=info,
        )

    def _search(self, runner: TrialRunner, rng: np.random.Generator) -> dict[str, Any]:
        raise NotImplementedError

    def _arguments(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.space!r}, {self._arguments()}, mode={self.mode!r})"


class GridSearch(Searcher):
    """Every combination of a few values per hyperparameter.

    With two hyperparameters and 3 points each, 9 trials try only 3 distinct values of
    each: when one hyperparameter matters much more than the other, 6 of the 9 trials are
    spent re-testing values of the important one (prefer :class:`RandomSearch`).

    Parameters
    ----------
    space : dict of str to Space or list
        A space is laid out with ``space.grid(points_per_axis)`` (evenly spaced on its own
        scale, every option of a ``Choice``); a list gives the values explicitly.
    points_per_axis : int
        Values per continuous or integer hyperparameter.
    mode : "min" or "max"
        Whether the objective's score is better lower (default) or higher.
    budget : int or float
        The budget passed to every trial (epochs, say).
    """

    def __init__(
        self,
        space: dict[str, Any],
        points_per_axis: int = 3,
        *,
        mode: str = "min",
        budget: float = 1,
        **unknown: Any,
    ) -> None:
        reject_unknown(self, unknown)
        super().__init__(space, mode=mode, allow_lists=True)
        self.budget = check_budget("GridSearch", "budget", budget)
        self.points_per_axis = check_count("GridSearch", "points_per_axis", points_per_axis)
        self.axes = {name: s.grid(self.points_per_axis) for name, s in self.space.items()}

    @property
    def n_trials(self) -> int:
        return math.prod(len(values) for values in self.axes.values())

    def _search(self, runner: TrialRunner, rng: np.random.Generator) -> dict[str, Any]:
        names = list(self.axes)
        combos = itertools.product(*(self.axes[name] for name in names))
        requests = [
            Request(dict(zip(names, values)), self.budget, config_id=i)
            for i, values in enumerate(combos)
        ]
        runner.evaluate(requests)
        return {"axes": self.axes}

    def _arguments(self) -> str:
        return f"points_per_axis={self.points_per_axis}, budget={self.budget!r}"


class RandomSearch(Searcher):
    """``n_trials`` configurations drawn independently from the space.

    Each trial tries a new value of every hyperparameter, so 9 trials test 9 values of
    the one that matters most (grid search: 3).

    Parameters
    ----------
    space : dict of str to Space
        Where each hyperparameter is drawn from.
    n_trials : int
        How many configurations to try.
    mode : "min" or "max"
        Whether the objective's score is better lower (default) or higher.
    budget : int or float
        The budget passed to every trial.
    """

    def __init__(
        self,
        space: dict[str, Space],
        n_trials: int,
        *,
        mode: str = "min",
        budget: float = 1,
        **unknown: Any,
    ) -> None:
        reject_unknown(self, unknown)
        super().__init__(space, mode=mode)
        self.budget = check_budget("RandomSearch", "budget", budget)
        self._n_trials = check_count("RandomSearch", "n_trials", n_trials)

    @property
    def n_trials(self) -> int:
        return self._n_trials

    def _search(self, runner: TrialRunner, rng: np.random.Generator) -> dict[str, Any]:
        runner.evaluate(
            [Request(sample_config(self.space, rng), self.budget, i) for i in range(self.n_trials)]
        )
        return {}

    def _arguments(self) -> str:
        return f"n_trials={self.n_trials}, budget={self.budget!r}"


class CoarseToFine(Searcher):
    """Random search in rounds, each zooming into the region of the best trials so far.

    Round 0 samples the whole space. Before each later round, the best ``keep`` trials of
    all rounds so far (finite scores only) define a box: for every hyperparameter, the
    smallest interval on its own scale holding their values (log scale for ``LogUniform``),
    widened by ``margin`` times its width on each side and clipped to the original bounds;
    a ``Choice`` keeps the options seen among them. The round samples inside that box.
    The boxes used are in ``results.info["boxes"]``.

    Parameters
    ----------
    space : dict of str to Space
        The starting (coarse) space.
    n_trials : int
        Trials per round.
    rounds : int
        Number of rounds, the coarse one included.
    keep : int or float
        How many of the best trials define the next box: an integer >= 2, or a fraction
        in (0, 1) of ``n_trials`` (rounded up, at least 2).
    margin : float
        Widening of the box, as a fraction of its width, on each side (0: the bounding box).
    mode : "min" or "max"
        Whether the objective's score is better lower (default) or higher.
    budget : int or float
        The budget passed to every trial.
    """

    def __init__(
        self,
        space: dict[str, Space],
        n_trials: int,
        rounds: int = 2,
        keep: float = 0.2,
        *,
        margin: float = 0.0,
        mode: str = "min",
        budget: float = 1,
        **unknown: Any,
    ) -> None:
        reject_unknown(self, unknown)
        super().__init__(space, mode=mode)
        self.budget = check_budget("CoarseToFine", "budget", budget)
        self.n_trials_per_round = check_count("CoarseToFine", "n_trials", n_trials)
        self.rounds = check_count("CoarseToFine", "rounds", rounds)
        self.keep = keep
        self.n_keep = _resolve_keep(keep, self.n_trials_per_round)
        ok = isinstance(margin, numbers.Real) and not isinstance(margin, bool)
        if not ok or not 0 <= margin < math.inf:
            raise ValueError(f"CoarseToFine: margin must be a number >= 0; received {margin!r}")
        self.margin = float(margin)

    @property
    def n_trials(self) -> int:
        return self.n_trials_per_round * self.rounds

    def zoom(self, trials: list[Any]) -> dict[str, Space]:
        """The box around the best ``keep`` of ``trials`` (the whole space if none is finite)."""
        best = [t for t in rank(trials, self.mode)[: self.n_keep] if t.finite]
        if not best:
            return dict(self.space)
        return {
            name: space.narrow([t.config[name] for t in best], margin=self.margin)
            for name, space in self.space.items()
        }

    def _search(self, runner: TrialRunner, rng: np.random.Generator) -> dict[str, Any]:
        boxes: list[dict[str, Space]] = []
        for round_ in range(self.rounds):
            box = dict(self.space) if round_ == 0 else self.zoom(runner.trials)
            boxes.append(box)
            first = len(runner.trials)
            runner.evaluate(
                [
                    Request(sample_config(box, rng), self.budget, first + i, round=round_)
                    for i in range(self.n_trials_per_round)
                ]
            )
        return {"boxes": boxes}

    def _arguments(self) -> str:
        return (
            f"n_trials={self.n_trials_per_round}, rounds={self.rounds}, keep={self.keep!r}, "
            f"margin={self.margin!r}, budget={self.budget!r}"
        )


def _resolve_keep(keep: Any, n_trials: int) -> int:
    if isinstance(keep, (int, np.integer)) and not isinstance(keep, bool) and keep >= 2:
        return int(keep)
    if isinstance(keep, float) and 0 < keep < 1:
        return max(2, math.ceil(keep * n_trials))
    raise ValueError(
        "CoarseToFine: keep must be an integer >= 2 (that many best trials) or a fraction in "
        f"(0, 1) of n_trials; received {keep!r}"
    )

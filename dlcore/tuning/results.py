"""What a search returns: every trial, the best one, tables and plots.

A ``Trial`` is one evaluation of the objective: a configuration at a budget, its score and
how long it took. ``TuningResults`` keeps all of them, in the order they were planned
(``trial_id``), so a finished search can be examined, tabulated and plotted.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["RESERVED_NAMES", "Trial", "TuningResults", "rank"]


@dataclasses.dataclass(frozen=True)
class Trial:
    """One evaluation of the objective.

    Attributes
    ----------
    trial_id : int
        Position in the search (0, 1, 2, ...); unique within one run.
    config : dict
        The hyperparameters, as plain Python values (``{"lr": 0.003, "batch_size": 64}``).
    budget : int or float
        The budget passed to the objective (epochs, examples...).
    score : float
        What the objective returned; NaN or inf when training diverged.
    time : float
        Seconds the objective took.
    config_id : int
        Identifies the configuration: successive halving evaluates one configuration at
        several budgets, each a trial with the same ``config_id``.
    round : int or None
        Coarse-to-fine: the zoom round (0 is the coarse one).
    bracket : int or None
        Hyperband: the bracket, 0 being the most exploratory (most configurations).
    rung : int or None
        Successive halving and Hyperband: the rung, 0 being the smallest budget.
    """

    trial_id: int
    config: dict[str, Any]
    budget: int | float
    score: float
    time: float
    config_id: int
    round: int | None = None
    bracket: int | None = None
    rung: int | None = None

    @property
    def finite(self) -> bool:
        """Whether the score is a finite number (False when training diverged)."""
        return math.isfinite(self.score)


# Columns of the results table; a hyperparameter may not take one of these names.
RESERVED_NAMES = tuple(field.name for field in dataclasses.fields(Trial))
_STAGES = ("round", "bracket", "rung")


def rank(trials: Sequence[Trial], mode: str) -> list[Trial]:
    """``trials`` sorted best first; non-finite scores last; ties keep the earlier trial."""
    sign = 1.0 if mode == "min" else -1.0

    def key(trial: Trial) -> tuple[bool, float, int]:
        finite = trial.finite
        return (not finite, sign * trial.score if finite else 0.0, trial.trial_id)

    return sorted(trials, key=key)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


class TuningResults:
    """Every trial of a search, with the best one and ways to look at them.

    Parameters
    ----------
    trials : sequence of Trial
        In ``trial_id`` order.
    mode : "min" or "max"
        Whether lower or higher scores are better.
    spaces : dict of str to Space
        The search space, for plots (log axis for log-scale spaces).
    searcher : str
        A description of the searcher that ran, for the summary.
    seed : int
        The entropy the run was derived from: ``run(objective, seed=results.seed)`` repeats it.
    info : dict, optional
        Searcher-specific details: ``"boxes"`` (coarse-to-fine: the space of each round),
        ``"brackets"`` (Hyperband: the plan).
    """

    def __init__(
        self,
        trials: Sequence[Trial],
        *,
        mode: str,
        spaces: dict[str, Any],
        searcher: str,
        seed: int,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.trials = list(trials)
        self.mode = mode
        self.spaces = dict(spaces)
        self.searcher = searcher
        self.seed = seed
        self.info = dict(info or {})

    def __len__(self) -> int:
        return len(self.trials)

    def __iter__(self) -> Iterator[Trial]:
        return iter(self.trials)

    def __getitem__(self, index: int) -> Trial:
        return self.trials[index]

    def ranked(self, budget: float | None = None) -> list[Trial]:
        """Trials best first, non-finite scores last; only those at ``budget`` when given."""
        trials = self.trials if budget is None else [t for t in self.trials if t.budget == budget]
        return rank(trials, self.mode)

    @property
    def max_budget(self) -> int | float:
        """The largest budget any trial was evaluated at."""
        self._require_trials("max_budget")
        return max(trial.budget for trial in self.trials)

    @property
    def best(self) -> Trial:
        """The best trial among those evaluated at the largest budget.

        For grid, random and coarse-to-fine search every trial has the same budget, so this
        is simply the best trial. Successive halving and Hyperband compare scores at
        different budgets that are not comparable (a network trained for 1 epoch against one
        trained for 81), so the winner is chosen among the trials that got the full budget.
        Ties go to the earlier trial. When every such trial diverged, it is one with a
        non-finite score.
        """
        self._require_trials("best")
        return self.ranked(self.max_budget)[0]

    def _require_trials(self, what: str) -> None:
        if not self.trials:
            raise ValueError(f"TuningResults.{what}: the search has no trials")

    def to_list(self) -> list[dict[str, Any]]:
        """One dict per trial: ``trial_id``, ``config_id``, the stage columns, every
        hyperparameter, ``budget``, ``score`` and ``time``.

        The stage columns (``round``, ``bracket``, ``rung``) appear only when the searcher
        uses them, so a random search's table has no empty columns.
        """
        stages = [s for s in _STAGES if any(getattr(t, s) is not None for t in self.trials)]
        rows = []
        for trial in self.trials:
            row: dict[str, Any] = {"trial_id": trial.trial_id, "config_id": trial.config_id}
            row.update({stage: getattr(trial, stage) for stage in stages})
            row.update(trial.config)
            row.update(budget=trial.budget, score=trial.score, time=trial.time)
            rows.append(row)
        return rows

    def to_dataframe(self) -> Any:
        """The table of :meth:`to_list` as a pandas ``DataFrame`` (needs pandas).

        Raises
        ------
        ImportError
            When pandas is not installed; dlcore does not depend on it.
        """
        try:
            import pandas
        except ImportError as error:
            raise ImportError(
                "TuningResults.to_dataframe needs pandas, which dlcore does not install; "
                "run `pip install pandas`, or use results.to_list() (a list of dicts)"
            ) from error
        return pandas.DataFrame(self.to_list())

    def summary(self, top: int = 5) -> str:
        """A text report: the searcher, the best trial and a table of the ``top`` best."""
        better = "lower" if self.mode == "min" else "higher"
        lines = [
            f"{self.searcher}",
            f"{len(self.trials)} trials, mode={self.mode!r} ({better} is better), seed={self.seed}",
        ]
        if not self.trials:
            return "\n".join(lines)
        best = self.best
        lines.append(
            f"best: trial {best.trial_id}, score {_fmt(best.score)} at budget {best.budget}: "
            + ", ".join(f"{k}={_fmt(v)}" for k, v in best.config.items())
        )
        failed = sum(not t.finite for t in self.trials)
        if failed:
            lines.append(f"{failed} trial(s) with a non-finite score (diverged), ranked last")
        several_budgets = any(t.budget != best.budget for t in self.trials)
        shown = self.ranked(best.budget if several_budgets else None)[:top]
        where = f" at budget {best.budget}" if several_budgets else ""
        lines.append(f"top {len(shown)}{where}:")
        columns = ["trial_id", "budget", "score", *self.spaces]
        rows = [
            [_fmt(t.trial_id), _fmt(t.budget), _fmt(t.score)]
            + [_fmt(t.config.get(name)) for name in self.spaces]
            for t in shown
        ]
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
        for cells in [columns, *rows]:
            lines.append("  " + "  ".join(c.rjust(w) for c, w in zip(cells, widths)))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        if not self.trials:
            return f"TuningResults({self.searcher}, 0 trials)"
        best = self.best
        return (
            f"TuningResults({len(self.trials)} trials, mode={self.mode!r}, "
            f"best score={_fmt(best.score)} (trial {best.trial_id}, budget {best.budget}), "
            f"config={best.config!r})"
        )

    def plot(self, param: str | None = None, *, ax: Any = None, log_x: bool | None = None) -> Any:
        """Plot score against ``param`` (or against the trial index); see
        :func:`dlcore.plotting.plot_trials`. Returns the matplotlib ``Axes``."""
        from ..plotting import plot_trials

        return plot_trials(self, param=param, ax=ax, log_x=log_x)

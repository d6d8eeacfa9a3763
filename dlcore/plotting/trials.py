"""The trials of a hyperparameter search: score against a hyperparameter or the trial index."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core import new_axes

if TYPE_CHECKING:
    from ..tuning import TuningResults

__all__ = ["plot_trials"]

# How a space's sampling scale shows on an axis: 1 - beta on a log scale is matplotlib's
# "logit" axis (0.9, 0.99, 0.999 evenly spaced).
_AXIS_SCALES = {"log": "log", "one_minus_log": "logit"}


def _positions(
    results: TuningResults, param: str, log_x: bool | None
) -> tuple[list[float], str, list[str] | None]:
    """x positions of the trials for ``param``, the x scale, and tick labels for a Choice."""
    if param not in results.spaces:
        raise ValueError(
            f"plot_trials: unknown hyperparameter {param!r}; the search has: "
            f"{', '.join(results.spaces)} (or param=None for score against trial)"
        )
    space = results.spaces[param]
    values = [trial.config[param] for trial in results.trials]
    if space.scale == "categorical":
        if log_x:
            raise ValueError(f"plot_trials: log_x=True does not apply to {param!r}, a Choice")
        options = list(space.options)
        index = [next(i for i, o in enumerate(options) if o == v) for v in values]
        return [float(i) for i in index], "linear", [str(option) for option in options]
    if log_x is None:
        scale = _AXIS_SCALES.get(space.scale, "linear")
        if scale == "logit" and not all(0 < v < 1 for v in values):
            scale = "linear"
    else:
        scale = "log" if log_x else "linear"
    return [float(v) for v in values], scale, None


def plot_trials(
    results: TuningResults,
    param: str | None = None,
    ax: Any = None,
    log_x: bool | None = None,
) -> Any:
    """Scatter the trials' scores against a hyperparameter, or against the trial index.

    Parameters
    ----------
    results : TuningResults
        A finished search.
    param : str, optional
        The hyperparameter on the x axis; None plots score against trial number, with the
        best score so far as a line when all trials share one budget.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when None.
    log_x : bool, optional
        None picks the axis from the space: log for ``LogUniform``, logit (even spacing of
        ``1 - beta`` on a log scale) for ``OneMinusLogUniform``, linear otherwise. True
        forces a log axis, False a linear one.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Trials with a non-finite score are not drawn; a note says how
        many. Multi-fidelity searches get one colour per budget; the best trial is a star.
    """
    if not hasattr(results, "trials") or not hasattr(results, "spaces"):
        raise TypeError(
            f"plot_trials: expected TuningResults (what searcher.run returns); "
            f"received {type(results).__name__}"
        )
    if log_x is not None and not isinstance(log_x, bool):
        raise TypeError(f"plot_trials: log_x must be True, False or None; received {log_x!r}")
    ax = new_axes() if ax is None else ax
    trials = results.trials
    if param is None:
        xs, scale, labels = [float(t.trial_id) for t in trials], "log" if log_x else "linear", None
    else:
        xs, scale, labels = _positions(results, param, log_x)
    ax.set_xscale(scale)
    if labels is not None:
        ax.set_xticks(range(len(labels)), labels)
    budgets = sorted({t.budget for t in trials})
    for budget in budgets:
        points = [(x, t.score) for x, t in zip(xs, trials) if t.finite and t.budget == budget]
        label = f"budget {budget}" if len(budgets) > 1 else "trials"
        if points:
            ax.scatter(*zip(*points), s=18, alpha=0.75, label=label)
    if param is None and len(budgets) == 1:
        _draw_running_best(ax, xs, trials, results.mode)
    if trials:
        best = results.best
        if best.finite:
            ax.scatter(
                [xs[trials.index(best)]],
                [best.score],
                marker="*",
                s=160,
                color="black",
                zorder=3,
                label="best",
            )
    failed = sum(not t.finite for t in trials)
    if failed:
        ax.text(
            0.99,
            0.99,
            f"{failed} diverged trial(s) not shown",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize="small",
        )
    ax.set_xlabel("trial" if param is None else param)
    better = "lower" if results.mode == "min" else "higher"
    ax.set_ylabel(f"score ({better} is better)")
    if trials:
        ax.legend(loc="best", fontsize="small")
    return ax


def _draw_running_best(ax: Any, xs: list[float], trials: list[Any], mode: str) -> None:
    pick = min if mode == "min" else max
    best_x, best_y, current = [], [], None
    for x, trial in zip(xs, trials):
        if trial.finite:
            current = trial.score if current is None else pick(current, trial.score)
        if current is not None:
            best_x.append(x)
            best_y.append(current)
    if best_x:
        ax.step(best_x, best_y, where="post", color="grey", linewidth=1, label="best so far")

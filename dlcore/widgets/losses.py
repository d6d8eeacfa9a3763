"""Explorer of notebook 04: Huber's delta, the loss curves it draws and the line it fits.

``huber_explorer()`` has a slider for Huber's ``delta`` and one for the number of
outliers in a noisy line (``dlcore.datasets.make_regression_outliers``). It draws
the loss of one residual under MSE, MAE, Huber and log-cosh, and the line that
gradient descent fits to the data under Huber(delta), next to the MSE and MAE
fits. Small delta: Huber behaves like MAE and ignores the outliers; large delta:
it is the MSE (halved) and the outliers drag the line.

The helpers are the notebook's too: :func:`pointwise` (a loss's value and slope
for one residual at a time), :func:`fit_line` (a line fitted by full-batch
gradient descent through any dlcore loss, the student's own included), and the
two drawing functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np

from .. import losses as L
from ..datasets import make_regression_outliers
from ..layers import Dense
from ..models import Sequential
from ..optimizers import SGD
from .base import Explorer, rebuildable

#: The line behind the explorer's data: y = TRUE_SLOPE x + TRUE_INTERCEPT + noise (+ outliers).
TRUE_SLOPE, TRUE_INTERCEPT = 2.0, 1.0
N_POINTS, DATA_SEED = 100, 4
#: The explorer's slider ranges: Huber's delta, and how many of the points are outliers.
DELTA_RANGE, MAX_OUTLIERS = (0.1, 30.0), 40
#: Full-batch gradient descent settings of every fitted line.
LEARNING_RATE, EPOCHS = 0.05, 2000

#: name -> the dlcore loss of one regression problem (Huber takes delta).
REGRESSION_LOSSES: dict[str, Callable[[float], L.Loss]] = {
    "MSE": lambda delta: L.MSE(),
    "MAE": lambda delta: L.MAE(),
    "Huber": lambda delta: L.Huber(delta),
    "log-cosh": lambda delta: L.LogCosh(),
}


@dataclass(frozen=True)
class LineFit:
    """A line y = slope x + intercept and the loss before each gradient-descent step."""

    slope: float
    intercept: float
    losses: list[float]

    def predict(self, x: Any) -> np.ndarray:
        return self.slope * np.asarray(x, dtype=float) + self.intercept


def pointwise(loss: L.Loss, r: Any) -> tuple[np.ndarray, np.ndarray]:
    """The loss of one residual and its slope, for each residual in ``r`` (1-D).

    Each residual is its own batch of one (pred = r, target = 0), so the mean that
    a dlcore loss takes is over a single number: the values are per example.
    """
    r = np.asarray(r, dtype=float).ravel()
    values, slopes = np.empty_like(r), np.empty_like(r)
    for i, residual in enumerate(r):
        values[i] = loss.forward(np.array([residual]), np.zeros(1))
        slopes[i] = loss.backward()[0]
    return values, slopes


def fit_line(
    loss: L.Loss, X: Any, y: Any, *, lr: float = LEARNING_RATE, epochs: int = EPOCHS
) -> LineFit:
    """Fit y ~ slope x + intercept by full-batch gradient descent on ``loss``.

    A dlcore ``Dense(1, 1)`` starts at slope 0 and intercept 0 and takes ``epochs``
    steps of ``SGD(lr)`` on the whole data set; ``loss`` is any dlcore Loss,
    including one built from a student's own functions.

    Parameters
    ----------
    loss : dlcore.losses.Loss
    X : array (N, 1); y : array (N,)
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 1:
        raise ValueError(f"fit_line: X must have shape (N, 1); received {X.shape}")
    model = Sequential([Dense(1, 1, init="zeros")])
    model.compile(optimizer=SGD(lr=lr), loss=loss)
    history = model.fit(X, y, epochs=epochs, batch_size=None, shuffle=False, verbose=0)
    dense = model.layers[0]
    return LineFit(float(dense.W.data[0, 0]), float(dense.b.data[0]), history.history["loss"])


def outlier_data(outliers: int) -> tuple[np.ndarray, np.ndarray]:
    """The explorer's data: :data:`N_POINTS` points of the true line, ``outliers`` pushed up."""
    if not 0 <= outliers < N_POINTS:
        raise ValueError(f"outliers must lie in [0, {N_POINTS}); received {outliers}")
    return make_regression_outliers(N_POINTS, slope=TRUE_SLOPE, intercept=TRUE_INTERCEPT,
                                    outlier_fraction=outliers / N_POINTS, seed=DATA_SEED)


def draw_regression_losses(ax: Any, delta: float = 1.0, limit: float = 4.0) -> Any:
    """The loss of one residual r under MSE / 2, MAE, Huber(delta) and log-cosh; returns ax.

    MSE is drawn halved, r^2 / 2, so that it meets Huber's quadratic part.
    """
    r = np.linspace(-limit, limit, 161)
    curves = {
        "MSE / 2:  r^2 / 2": pointwise(L.MSE(), r)[0] / 2,
        "MAE:  |r|": pointwise(L.MAE(), r)[0],
        f"Huber, delta = {delta:.3g}": pointwise(L.Huber(delta), r)[0],
        "log-cosh": pointwise(L.LogCosh(), r)[0],
    }
    for (label, values), style in zip(curves.items(), ("--", ":", "-", "-.")):
        ax.plot(r, values, style, label=label, linewidth=2.5 if style == "-" else 1.5)
    if delta < limit:
        for edge in (-delta, delta):
            ax.axvline(edge, color="0.6", linewidth=0.8)
    ax.set_ylim(0, limit**2 / 2 * 0.75)
    ax.set_xlabel("residual r = pred - target")
    ax.set_ylabel("loss of one example")
    ax.legend(fontsize=8, loc="upper center")
    return ax


def draw_fits(
    ax: Any,
    X: Any,
    y: Any,
    fits: Mapping[str, LineFit],
    *,
    far: Any = None,
    true_line: bool = True,
) -> Any:
    """The data, the true line (dashed) and each fitted line, labelled; returns ax.

    ``far`` marks points in another colour (those beyond delta of the Huber line).
    """
    x = np.asarray(X, dtype=float).ravel()
    far = np.zeros(x.shape, dtype=bool) if far is None else np.asarray(far, dtype=bool)
    ax.scatter(x[~far], y[~far], s=12, color="0.55", label="data")
    if far.any():
        ax.scatter(x[far], y[far], s=16, color="tab:red", label="beyond delta")
    grid = np.array([x.min(), x.max()])
    if true_line:
        ax.plot(grid, TRUE_SLOPE * grid + TRUE_INTERCEPT, "k--", linewidth=1,
                label=f"true line y = {TRUE_SLOPE:g} x + {TRUE_INTERCEPT:g}")
    for name, fit in fits.items():
        ax.plot(grid, fit.predict(grid), linewidth=2,
                label=f"{name}: y = {fit.slope:.2f} x + {fit.intercept:.2f}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize=8, loc="upper left")
    return ax


@rebuildable
def huber_explorer(delta: float = 1.0, outliers: int = 10) -> Explorer:
    """An explorer: Huber's delta and the number of outliers, the curves and the fitted lines.

    Controls: ``delta`` (FloatLogSlider over :data:`DELTA_RANGE`) and ``outliers``
    (IntSlider, 0 to :data:`MAX_OUTLIERS` of the :data:`N_POINTS` points). Result keys:
    ``delta``, ``outliers``, ``huber_slope``, ``huber_intercept``, ``mse_slope``,
    ``mse_intercept``, ``mae_slope``, ``mae_intercept``, ``beyond_delta`` (how many
    points lie more than delta from the Huber line) and ``huber_loss`` (its final
    loss). The MSE and MAE fits do not depend on delta and are computed once per
    number of outliers.
    """
    if not DELTA_RANGE[0] <= delta <= DELTA_RANGE[1]:
        raise ValueError(f"huber_explorer: delta must lie in [{DELTA_RANGE[0]:g}, "
                         f"{DELTA_RANGE[1]:g}]; received {delta!r}")  # fmt: skip
    if not 0 <= outliers <= MAX_OUTLIERS:
        raise ValueError(f"huber_explorer: outliers must lie in [0, {MAX_OUTLIERS}]; "
                         f"received {outliers!r}")  # fmt: skip
    controls = {
        "delta": widgets.FloatLogSlider(value=delta, base=10, min=np.log10(DELTA_RANGE[0]),
                                        max=np.log10(DELTA_RANGE[1]), step=0.05,
                                        description="delta", readout_format=".2f"),
        "outliers": widgets.IntSlider(value=outliers, min=0, max=MAX_OUTLIERS,
                                      description="outliers"),
    }
    fixed: dict[int, dict[str, LineFit]] = {}  # outliers -> the fits that ignore delta
    latest: dict[tuple[float, int], tuple[dict[str, LineFit], np.ndarray]] = {}

    def fits_for(delta: float, outliers: int) -> tuple[np.ndarray, np.ndarray, dict]:
        X, y = outlier_data(outliers)
        if outliers not in fixed:
            fixed[outliers] = {name: fit_line(REGRESSION_LOSSES[name](delta), X, y)
                               for name in ("MSE", "MAE")}  # fmt: skip
        return X, y, {**fixed[outliers], "Huber": fit_line(L.Huber(delta), X, y)}

    def compute(delta: float, outliers: int) -> dict[str, Any]:
        X, y, fits = fits_for(delta, outliers)
        huber = fits["Huber"]
        far = np.abs(huber.predict(X[:, 0]) - y) > delta
        result: dict[str, Any] = {"delta": float(delta), "outliers": int(outliers)}
        for name in ("Huber", "MSE", "MAE"):
            result[f"{name.lower()}_slope"] = fits[name].slope
            result[f"{name.lower()}_intercept"] = fits[name].intercept
        result["beyond_delta"] = int(far.sum())
        result["huber_loss"] = huber.losses[-1]
        latest.clear()
        latest[(delta, outliers)] = fits, far  # what draw shows: lines, not numbers
        return result

    def draw(fig: Any, result: dict[str, Any], delta: float, outliers: int) -> None:
        ax_loss, ax_fit = fig.subplots(1, 2)
        draw_regression_losses(ax_loss, delta)
        ax_loss.set_title("the loss of one residual")
        X, y = outlier_data(outliers)
        if (delta, outliers) not in latest:
            compute(delta, outliers)
        fits, far = latest[(delta, outliers)]
        draw_fits(ax_fit, X, y, fits, far=far)
        ax_fit.set_title(f"{outliers} outliers: {result['beyond_delta']} points beyond delta")

    return Explorer("Huber's delta: between MSE and MAE", controls, compute, draw,
                    figsize=(10.0, 4.0))

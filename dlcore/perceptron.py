"""The perceptron: a threshold unit and the rule that trains it (Rosenblatt, 1958).

One unit computes a score ``z = x . w + b`` and fires when the score is positive::

    y = step(z),  step(z) = 1 if z > 0 else 0

(the McCulloch-Pitts neuron with threshold theta, written with the bias ``b = -theta``).
The perceptron learning rule changes the weights only when the prediction is wrong::

    w <- w + eta (t - y) x,   b <- b + eta (t - y)

with targets ``t`` in {0, 1}. The same updates are stochastic gradient steps on the
perceptron loss, written with signed targets ``s = 2 t - 1`` in {-1, +1}::

    L(w, b) = (1/N) sum_i max(0, -s_i z_i)

Shapes are batch-first as everywhere in dlcore: ``X`` is (N, D), ``w`` is (D,), ``b`` a
float, labels are (N,).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import check_positive
from .backend import get_array_module

__all__ = [
    "perceptron_loss",
    "perceptron_update",
    "predict",
    "signed_labels",
    "step",
    "train_perceptron",
]


def step(z: Any) -> Any:
    """The step (Heaviside) activation: 1.0 where ``z > 0``, else 0.0.

    ``step(0) = 0``: the unit fires only when its score is strictly above the
    threshold, as in the McCulloch-Pitts neuron (``y = 1`` if ``h > theta``).

    Parameters
    ----------
    z : array_like of any shape (or a number)

    Returns
    -------
    ndarray of the shape of ``z``, float64, entries 0.0 or 1.0
    """
    xp = get_array_module(z)
    return (xp.asarray(z) > 0).astype(xp.float64)


def _check_weights(where: str, X: Any, w: Any) -> None:
    if w.ndim != 1:
        raise ValueError(f"{where}: w must have shape (D,); received shape {w.shape}")
    if X.ndim != 2 or X.shape[1] != w.shape[0]:
        raise ValueError(
            f"{where}: X must have shape (N, D) with D = len(w) = {w.shape[0]}; "
            f"received shape {X.shape}"
        )


def predict(X: Any, w: Any, b: float) -> Any:
    """Class predictions of a perceptron: ``step(X @ w + b)``.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    w : ndarray, shape (D,)
    b : float

    Returns
    -------
    ndarray, shape (N,), float64, entries 0.0 or 1.0
    """
    xp = get_array_module(X, w)
    X, w = xp.asarray(X, dtype=xp.float64), xp.asarray(w, dtype=xp.float64)
    _check_weights("predict", X, w)
    return step(X @ w + b)


def _check_labels(where: str, t: Any, allowed: tuple[float, ...]) -> None:
    xp = get_array_module(t)
    ok = xp.zeros(t.shape, dtype=bool)
    for value in allowed:
        ok |= t == value
    if not bool(ok.all()):
        bad = t[~ok].ravel()[0].item()
        raise ValueError(f"{where}: targets must be in {set(allowed)}; received {bad}")


def perceptron_update(w: Any, b: float, x: Any, t: float, eta: float) -> tuple[Any, float]:
    """One step of the perceptron learning rule on one example.

    ``y = step(x . w + b)``, then ``w + eta (t - y) x`` and ``b + eta (t - y)``: nothing
    changes when ``y == t``; a missed 1 adds ``eta x``, a false 1 subtracts it.

    Parameters
    ----------
    w : ndarray, shape (D,)
    b : float
    x : ndarray, shape (D,), one example
    t : {0, 1}, its target
    eta : float > 0, the learning rate

    Returns
    -------
    w_new : ndarray, shape (D,), float64, a new array (``w`` is left unchanged)
    b_new : float
    """
    xp = get_array_module(w, x)
    w, x = xp.asarray(w, dtype=xp.float64), xp.asarray(x, dtype=xp.float64)
    if x.shape != w.shape or w.ndim != 1:
        raise ValueError(
            f"perceptron_update: w and x must both have shape (D,); received {w.shape} and "
            f"{x.shape}"
        )
    if t not in (0, 1):
        raise ValueError(f"perceptron_update: the target t must be 0 or 1; received {t!r}")
    eta = check_positive("perceptron_update: eta", eta)
    y = float(step(x @ w + b))
    delta = eta * (t - y)
    return w + delta * x, float(b + delta)


def train_perceptron(
    X: Any, t: Any, w: Any, b: float, eta: float, epochs: int
) -> tuple[Any, float, list[int]]:
    """Train a perceptron with the learning rule, one example at a time.

    Each epoch visits the rows of ``X`` in order (no shuffling, so runs are
    reproducible). For each row it predicts with the current weights, counts a
    mistake when the prediction differs from the target, and applies
    :func:`perceptron_update`. Exactly ``epochs`` epochs run; once an epoch makes
    no mistake, the later ones change nothing and count 0.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    t : ndarray, shape (N,), targets in {0, 1}
    w : ndarray, shape (D,), the initial weights (left unchanged)
    b : float, the initial bias
    eta : float > 0, the learning rate
    epochs : int >= 0

    Returns
    -------
    w : ndarray, shape (D,), float64, the final weights
    b : float, the final bias
    mistakes : list of int, length ``epochs``: mistakes made during each epoch
    """
    xp = get_array_module(X, w)
    X, w = xp.asarray(X, dtype=xp.float64), xp.asarray(w, dtype=xp.float64)
    t = xp.asarray(t)
    _check_weights("train_perceptron", X, w)
    if t.shape != (X.shape[0],):
        raise ValueError(
            f"train_perceptron: t must have shape (N,) = ({X.shape[0]},); received {t.shape}"
        )
    _check_labels("train_perceptron", t, (0, 1))
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"train_perceptron: epochs must be an integer >= 0; received {epochs!r}")
    eta = check_positive("train_perceptron: eta", eta)
    b = float(b)
    targets = [int(v) for v in t.tolist()]
    mistakes: list[int] = []
    for _ in range(int(epochs)):
        count = 0
        for x_i, t_i in zip(X, targets):
            if float(step(x_i @ w + b)) != t_i:
                count += 1
            w, b = perceptron_update(w, b, x_i, t_i, eta)
        mistakes.append(count)
    return w, b, mistakes


def signed_labels(t: Any) -> Any:
    """Targets in {0, 1} as {-1.0, +1.0} (``2 t - 1``); -1/+1 targets are returned as floats."""
    xp = get_array_module(t)
    t = xp.asarray(t)
    _check_labels("signed_labels", t, (-1, 0, 1))
    return xp.where(t > 0, 1.0, -1.0)


def perceptron_loss(X: Any, t: Any, w: Any, b: float) -> tuple[float, Any, float]:
    """The perceptron loss and its gradient.

    With scores ``z = X @ w + b`` and signed targets ``s`` in {-1, +1}::

        L = (1/N) sum_i max(0, -s_i z_i)
        dL/dw = -(1/N) sum_{i wrong} s_i x_i,   dL/db = -(1/N) sum_{i wrong} s_i

    A point on the right side of the line costs nothing; a point on the wrong side
    costs its score's size ``|z_i|``. "Wrong" means that :func:`predict` gets the point
    wrong (``z_i <= 0`` for ``s_i = +1``, ``z_i > 0`` for ``s_i = -1``). That picks a
    subgradient at the kink ``z_i = 0``, and makes a gradient step on one example with
    learning rate ``eta`` exactly the perceptron update.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    t : ndarray, shape (N,), targets in {-1, +1} (0 is read as -1)
    w : ndarray, shape (D,)
    b : float

    Returns
    -------
    loss : float
    dw : ndarray, shape (D,), float64
    db : float
    """
    xp = get_array_module(X, w)
    X, w = xp.asarray(X, dtype=xp.float64), xp.asarray(w, dtype=xp.float64)
    _check_weights("perceptron_loss", X, w)
    s = signed_labels(t)
    if s.shape != (X.shape[0],):
        raise ValueError(
            f"perceptron_loss: t must have shape (N,) = ({X.shape[0]},); received {s.shape}"
        )
    n = X.shape[0]
    z = X @ w + b
    wrong = xp.where(s > 0, z <= 0, z > 0)
    loss = float(xp.maximum(0.0, -s * z).sum() / n)
    coefficient = -s * wrong / n  # dL/dz_i
    return loss, X.T @ coefficient, float(coefficient.sum())

"""The references of notebook 06's exercises, written as the notebook asks for them.

dlcore owns the maths: the L2 penalty (``dlcore.regularizers.L2``), inverted dropout
(``dlcore.functional.dropout_forward/backward``), the Glorot and He initialisers
(``dlcore.initializers``), the early-stopping rule (``dlcore.callbacks``) and
gradient clipping (``dlcore.optimizers``, which clips Parameters in place). The
functions here only give them the exercises' signatures (lists of arrays, the
notes' ``lambda`` and ``m``), so that :mod:`autograder.regularization` can compare
a student's answers with them at grading time, and score them full marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dlcore import initializers
from dlcore.callbacks import replay_early_stopping
from dlcore.optimizers import clip_grad_norm, clip_grad_value
from dlcore.parameter import Parameter
from dlcore.regularizers import L2

__all__ = [
    "clip_by_norm",
    "clip_by_value",
    "early_stopping",
    "he_init",
    "l2_gradient",
    "l2_penalty",
    "xavier_init",
]


def l2_penalty(weights: Sequence[np.ndarray], lam: float, m: int) -> float:
    """The notes' penalty lambda / (2 m) * sum over layers of ||W||_F^2: dlcore's L2(lambda / m)."""
    regularizer = L2(lam / m)
    return float(sum(regularizer.penalty(W) for W in weights))


def l2_gradient(weights: Sequence[np.ndarray], lam: float, m: int) -> list[np.ndarray]:
    """The penalty's gradient, (lambda / m) W for every W: dlcore's L2(lambda / m).gradient."""
    regularizer = L2(lam / m)
    return [regularizer.gradient(W) for W in weights]


def xavier_init(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot (Xavier) normal: N(0, 2 / (fan_in + fan_out)), shape (fan_in, fan_out)."""
    return initializers.glorot_normal((fan_in, fan_out), rng)


def he_init(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """He normal: N(0, 2 / fan_in), shape (fan_in, fan_out)."""
    return initializers.he_normal((fan_in, fan_out), rng)


def early_stopping(
    val_losses: Sequence[float], patience: int, min_delta: float = 0.0
) -> tuple[int | None, int | None]:
    """(stop_epoch, best_epoch) of dlcore's EarlyStopping replayed on the dev losses."""
    return replay_early_stopping(val_losses, patience=patience, min_delta=min_delta)


def _as_parameters(grads: Sequence[np.ndarray]) -> list[Parameter]:
    params = []
    for g in grads:
        p = Parameter(np.zeros_like(g))
        p.grad = np.array(g, dtype=float)
        params.append(p)
    return params


def clip_by_value(grads: Sequence[np.ndarray], clip_value: float) -> list[np.ndarray]:
    """Every entry of every gradient clipped into [-clip_value, clip_value] (new arrays)."""
    params = _as_parameters(grads)
    clip_grad_value(params, clip_value)
    return [p.grad for p in params]


def clip_by_norm(grads: Sequence[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], Any]:
    """All gradients rescaled together to a global norm of at most max_norm, and the norm before."""
    params = _as_parameters(grads)
    norm = clip_grad_norm(params, max_norm)
    return [p.grad for p in params], norm

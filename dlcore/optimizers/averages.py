"""Exponentially weighted averages: the memory inside momentum, RMSprop and Adam.

``v_t = beta * v_{t-1} + (1 - beta) * x_t`` with ``v_0 = 0``, so that
``v_t = (1 - beta) * sum_k beta**k * x_{t-k}``: an average over roughly the last
``1 / (1 - beta)`` values, whose weights sum to ``1 - beta**t`` instead of 1.
Dividing by that sum is the bias correction (Kingma & Ba 2015, section 3).
"""

from __future__ import annotations

from typing import Any

from .._checks import check_probability
from ..backend import get_array_module


def exponentially_weighted_average(
    values: Any, beta: float, *, bias_correction: bool = True
) -> Any:
    """The running exponentially weighted averages of ``values`` along axis 0.

    ``v_t = beta * v_{t-1} + (1 - beta) * x_t`` for t = 1 .. T, starting from ``v_0 = 0``;
    with ``bias_correction`` each is divided by ``1 - beta**t`` (which makes ``v_1 = x_1``
    and the result a true weighted average of ``x_1 .. x_t``).

    Parameters
    ----------
    values : array, shape (T, ...)
        A series; each entry of the trailing axes is averaged on its own.
    beta : float in [0, 1)
        The weight of the past; the average spans about ``1 / (1 - beta)`` values.
    bias_correction : bool
        Divide ``v_t`` by ``1 - beta**t`` (default True).

    Returns
    -------
    array of float, shape (T, ...): ``v_1 .. v_T`` (corrected or not)
    """
    beta = check_probability("beta", beta)
    xp = get_array_module(values)
    x = xp.asarray(values, dtype=float)
    if x.ndim == 0 or x.shape[0] == 0:
        raise ValueError(
            "exponentially_weighted_average: values must be a series of shape (T, ...) with "
            f"T >= 1; received shape {x.shape}"
        )
    averages = xp.empty_like(x)
    v = xp.zeros_like(x[0])
    for t in range(x.shape[0]):
        v = beta * v + (1.0 - beta) * x[t]
        averages[t] = v / (1.0 - beta ** (t + 1)) if bias_correction else v
    return averages

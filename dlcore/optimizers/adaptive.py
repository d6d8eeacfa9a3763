"""Optimizers with a learning rate per coordinate: Adagrad, RMSprop, Adadelta.

Notation: ``g`` is the gradient, ``w`` the parameter; squares, roots and
divisions are element-wise. State arrays start at zero.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..backend import get_array_module
from ..parameter import Parameter
from .base import Optimizer, rms_denominator


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer 2011): divide by the root of all past squared gradients.

    ``s <- s + g**2``;  ``w <- w - lr * g / (sqrt(s) + eps)``

    With ``eps_inside_sqrt=True`` the denominator is ``sqrt(s + eps)`` (the course
    notes' form). Because ``s`` only grows, the effective step only shrinks.

    Parameters
    ----------
    lr : float
        Default 0.01.
    eps : float
        Default 1e-8.
    initial_accumulator_value : float
        The starting value of ``s`` (default 0).
    eps_inside_sqrt : bool
        Default False.
    """

    defaults: ClassVar[dict[str, Any]] = {
        "lr": 0.01,
        "eps": 1e-8,
        "initial_accumulator_value": 0.0,
        "eps_inside_sqrt": False,
    }

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        xp = get_array_module(param.data)
        if "sum_sq" not in state:
            state["sum_sq"] = xp.full_like(param.data, group["initial_accumulator_value"])
        s = state["sum_sq"]
        (step,) = self.scratch(param)
        g = param.grad
        xp.multiply(g, g, out=step)
        s += step
        rms_denominator(s, group["eps"], group["eps_inside_sqrt"], out=step)
        xp.divide(g, step, out=step)
        step *= group["lr"]
        param.data -= step


class RMSprop(Optimizer):
    """RMSprop (Hinton, Coursera lecture 6e, 2012): divide by a running RMS of the gradient.

    ``s <- rho * s + (1 - rho) * g**2``;  ``w <- w - lr * g / (sqrt(s) + eps)``

    With ``eps_inside_sqrt=True``: ``sqrt(s + eps)``. The course notes call ``rho``
    beta2 and write ``S_dW``.

    Parameters
    ----------
    lr : float
        Default 0.001.
    rho : float in [0, 1)
        Default 0.9.
    eps : float
        Default 1e-8.
    eps_inside_sqrt : bool
        Default False.
    """

    defaults: ClassVar[dict[str, Any]] = {
        "lr": 0.001,
        "rho": 0.9,
        "eps": 1e-8,
        "eps_inside_sqrt": False,
    }

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        xp = get_array_module(param.data)
        (s,) = self.zeros_state(state, param, "mean_sq")
        (step,) = self.scratch(param)
        g, rho = param.grad, group["rho"]
        xp.multiply(g, g, out=step)
        step *= 1.0 - rho
        s *= rho
        s += step
        rms_denominator(s, group["eps"], group["eps_inside_sqrt"], out=step)
        xp.divide(g, step, out=step)
        step *= group["lr"]
        param.data -= step


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012): RMSprop whose step size is a running RMS of past steps.

    ``s <- rho * s + (1 - rho) * g**2``
    ``dw = sqrt(d + eps) / sqrt(s + eps) * g``
    ``d <- rho * d + (1 - rho) * dw**2``
    ``w <- w - lr * dw``

    The ratio of the two RMS values has the units of ``w``, so the method needs no
    learning rate: ``lr`` is only an optional multiplier and defaults to 1.0, the
    paper's algorithm. (Keras defaults it to 0.001, which makes training very slow.)

    Parameters
    ----------
    lr : float
        Multiplier of the step, default 1.0.
    rho : float in [0, 1)
        Default 0.95 (the paper's).
    eps : float
        Default 1e-6 (the paper's).
    """

    defaults: ClassVar[dict[str, Any]] = {"lr": 1.0, "rho": 0.95, "eps": 1e-6}

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        xp = get_array_module(param.data)
        s, d = self.zeros_state(state, param, "mean_sq", "mean_sq_step")
        step, work = self.scratch(param, 2)
        g, rho, eps = param.grad, group["rho"], group["eps"]
        xp.multiply(g, g, out=work)
        work *= 1.0 - rho
        s *= rho
        s += work
        rms_denominator(d, eps, True, out=step)
        rms_denominator(s, eps, True, out=work)
        xp.divide(step, work, out=step)
        step *= g  # dw
        xp.multiply(step, step, out=work)
        work *= 1.0 - rho
        d *= rho
        d += work
        step *= group["lr"]
        param.data -= step

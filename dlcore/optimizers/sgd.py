"""Gradient descent and its momentum variants.

Notation of every docstring: ``g`` is the gradient, ``w`` the parameter,
``lr`` the learning rate; all operations are element-wise.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..backend import get_array_module
from ..parameter import Parameter
from .base import Optimizer

VARIANTS = ("ewa", "velocity")


class SGD(Optimizer):
    """Plain gradient descent.

    ``w <- w - lr * g``

    Parameters
    ----------
    lr : float
        Learning rate (default 0.01).
    weight_decay, clip_value, clip_norm
        See :class:`~dlcore.optimizers.Optimizer`.
    """

    defaults: ClassVar[dict[str, Any]] = {"lr": 0.01}

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        (step,) = self.scratch(param)
        get_array_module(param.data).multiply(param.grad, group["lr"], out=step)
        param.data -= step


class _MomentumBase(Optimizer):
    """Shared checks of Momentum and Nesterov: ``momentum`` and ``variant``."""

    defaults: ClassVar[dict[str, Any]] = {"lr": 0.01, "momentum": 0.9, "variant": "ewa"}

    def _validate_own(self, hyperparameters: dict[str, Any]) -> None:
        variant = hyperparameters.get("variant")
        if variant not in VARIANTS:
            raise ValueError(
                f"{type(self).__name__} variant must be 'ewa' (exponentially weighted average, "
                f"the course notes) or 'velocity' (Keras/PyTorch); received {variant!r}"
            )


class Momentum(_MomentumBase):
    """Gradient descent with momentum, in one of two named variants.

    ``variant="ewa"`` (default; the course notes, after Ng's deep-learning course):
    the step follows an exponentially weighted average of the gradients,

        ``v <- momentum * v + (1 - momentum) * g``;  ``w <- w - lr * v``.

    ``variant="velocity"`` (Polyak 1964; Sutskever et al. 2013, as in Keras and
    the velocity notes): the learning rate is folded into the velocity,

        ``v <- momentum * v + lr * g``;  ``w <- w - v``.

    With a constant learning rate the velocity form takes steps ``1 / (1 - momentum)``
    times larger (10x for 0.9) than the EWA form with the same ``lr``; use
    ``lr_velocity = lr_ewa * (1 - momentum)`` to get the same trajectory.
    (PyTorch's ``v <- momentum * v + g``, ``w <- w - lr * v`` equals the velocity form
    while ``lr`` is constant.) ``v`` starts at zero.

    Parameters
    ----------
    lr : float
        Learning rate (default 0.01).
    momentum : float in [0, 1)
        The averaging coefficient beta (default 0.9).
    variant : "ewa" or "velocity"
    """

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        xp = get_array_module(param.data)
        (v,) = self.zeros_state(state, param, "velocity")
        (step,) = self.scratch(param)
        beta, lr = group["momentum"], group["lr"]
        v *= beta
        if group["variant"] == "ewa":
            xp.multiply(param.grad, 1.0 - beta, out=step)
            v += step
            xp.multiply(v, lr, out=step)
            param.data -= step
        else:
            xp.multiply(param.grad, lr, out=step)
            v += step
            param.data -= v


class Nesterov(_MomentumBase):
    """Nesterov's accelerated gradient: momentum that looks ahead.

    The notes write it with the gradient at a look-ahead point,
    ``v <- momentum * v + lr * grad J(w - momentum * v)``; ``w <- w - v``.
    Substituting the look-ahead point as the variable (Bengio, Boulanger-Lewandowski
    & Pascanu 2013, "Advances in optimizing recurrent networks"; also Keras and
    PyTorch) gives an update that needs only the gradient at the current ``w``:

    ``variant="velocity"``:
        ``v <- momentum * v + lr * g``;  ``w <- w - (momentum * v + lr * g)``.

    ``variant="ewa"`` (default; the same look-ahead applied to the course's EWA form):
        ``v <- momentum * v + (1 - momentum) * g``;
        ``w <- w - lr * (momentum * v + (1 - momentum) * g)``.

    Parameters
    ----------
    lr : float
        Learning rate (default 0.01).
    momentum : float in [0, 1)
        Default 0.9.
    variant : "ewa" or "velocity"
    """

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        xp = get_array_module(param.data)
        (v,) = self.zeros_state(state, param, "velocity")
        (step,) = self.scratch(param)
        beta, lr = group["momentum"], group["lr"]
        gain = 1.0 - beta if group["variant"] == "ewa" else lr
        ahead = lr * beta if group["variant"] == "ewa" else beta
        xp.multiply(param.grad, gain, out=step)  # the new gradient's share of v
        v *= beta
        v += step
        if group["variant"] == "ewa":
            step *= lr
        param.data -= step
        xp.multiply(v, ahead, out=step)
        param.data -= step

"""Adam and its variants Adamax and Nadam (Kingma & Ba 2015; Dozat 2016).

Notation: ``g`` is the gradient, ``w`` the parameter, ``t`` the number of steps
this parameter has taken (1 at the first); element-wise operations. ``m`` and
``v`` start at zero, which the bias corrections ``1 - beta**t`` undo.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..backend import get_array_module
from ..parameter import Parameter
from .base import Optimizer, rms_denominator

_ADAM_DEFAULTS: dict[str, Any] = {
    "lr": 0.001,
    "beta1": 0.9,
    "beta2": 0.999,
    "eps": 1e-8,
    "eps_inside_sqrt": False,
}


def _moments(param: Parameter, state: dict[str, Any], beta1: float, beta2: float, work: Any):
    """Advance ``t``, ``m <- b1 m + (1 - b1) g`` and ``v <- b2 v + (1 - b2) g**2``."""
    xp = get_array_module(param.data)
    m, v = Optimizer.zeros_state(state, param, "m", "v")
    state["step"] = state.get("step", 0) + 1
    g = param.grad
    xp.multiply(g, 1.0 - beta1, out=work)
    m *= beta1
    m += work
    xp.multiply(g, g, out=work)
    work *= 1.0 - beta2
    v *= beta2
    v += work
    return m, v, state["step"]


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSprop's scaling, both bias-corrected.

    Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, Algorithm 1:

    ``m <- beta1 * m + (1 - beta1) * g``;  ``v <- beta2 * v + (1 - beta2) * g**2``
    ``m_hat = m / (1 - beta1**t)``;  ``v_hat = v / (1 - beta2**t)``
    ``w <- w - lr * m_hat / (sqrt(v_hat) + eps)``

    With ``eps_inside_sqrt=True`` the denominator is ``sqrt(v_hat + eps)``, the course
    notes' form. Thanks to the bias correction the first step moves every coordinate
    by about ``lr`` (exactly ``lr * g / (|g| + eps)``). Adam with ``weight_decay`` is
    AdamW (Loshchilov & Hutter 2019).

    Parameters
    ----------
    lr : float
        Default 0.001.
    beta1, beta2 : float in [0, 1)
        Defaults 0.9 and 0.999.
    eps : float
        Default 1e-8.
    eps_inside_sqrt : bool
        Default False.
    """

    defaults: ClassVar[dict[str, Any]] = dict(_ADAM_DEFAULTS)

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        xp = get_array_module(param.data)
        (step,) = self.scratch(param)
        b1, b2 = group["beta1"], group["beta2"]
        m, v, t = _moments(param, state, b1, b2, step)
        rms_denominator(v, group["eps"], group["eps_inside_sqrt"], out=step, scale=1 / (1 - b2**t))
        xp.divide(m, step, out=step)
        step *= group["lr"] / (1 - b1**t)
        param.data -= step


class Adamax(Optimizer):
    """Adamax: Adam with the infinity norm in place of the RMS.

    Kingma & Ba 2015, section 7.1 (Algorithm 2):

    ``m <- beta1 * m + (1 - beta1) * g``;  ``u <- max(beta2 * u, |g|)``
    ``w <- w - lr / (1 - beta1**t) * m / (u + eps)``

    ``u`` needs no bias correction; ``eps`` (not in the paper, as in PyTorch and
    Keras) only guards the division while ``u`` is zero.

    Parameters
    ----------
    lr : float
        Default 0.002 (the paper's).
    beta1, beta2 : float in [0, 1)
        Defaults 0.9 and 0.999.
    eps : float
        Default 1e-8.
    """

    defaults: ClassVar[dict[str, Any]] = {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        xp = get_array_module(param.data)
        m, u = self.zeros_state(state, param, "m", "u")
        (step,) = self.scratch(param)
        state["step"] = t = state.get("step", 0) + 1
        g, b1 = param.grad, group["beta1"]
        xp.multiply(g, 1.0 - b1, out=step)
        m *= b1
        m += step
        xp.abs(g, out=step)
        u *= group["beta2"]
        xp.maximum(u, step, out=u)
        xp.add(u, group["eps"], out=step)
        xp.divide(m, step, out=step)
        step *= group["lr"] / (1 - b1**t)
        param.data -= step


class Nadam(Optimizer):
    """Nadam: Adam with Nesterov's look-ahead on the first moment.

    Dozat, "Incorporating Nesterov Momentum into Adam", ICLR workshop 2016,
    Algorithm 2 with a constant momentum ``mu_t = beta1``:

    ``m <- beta1 * m + (1 - beta1) * g``;  ``v <- beta2 * v + (1 - beta2) * g**2``
    ``m_bar = beta1 * m / (1 - beta1**(t+1)) + (1 - beta1) * g / (1 - beta1**t)``
    ``w <- w - lr * m_bar / (sqrt(v / (1 - beta2**t)) + eps)``

    Keras and PyTorch add a warm-up schedule ``mu_t = beta1 (1 - 0.5 * 0.96**(0.004 t))``,
    so their first steps differ slightly from these.

    Parameters
    ----------
    lr : float
        Default 0.002.
    beta1, beta2 : float in [0, 1)
        Defaults 0.9 and 0.999.
    eps : float
        Default 1e-8.
    eps_inside_sqrt : bool
        Default False.
    """

    defaults: ClassVar[dict[str, Any]] = {**_ADAM_DEFAULTS, "lr": 0.002}

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        xp = get_array_module(param.data)
        step, work = self.scratch(param, 2)
        b1, b2 = group["beta1"], group["beta2"]
        m, v, t = _moments(param, state, b1, b2, work)
        xp.multiply(m, b1 / (1 - b1 ** (t + 1)), out=step)
        xp.multiply(param.grad, (1 - b1) / (1 - b1**t), out=work)
        step += work
        rms_denominator(v, group["eps"], group["eps_inside_sqrt"], out=work, scale=1 / (1 - b2**t))
        step /= work
        step *= group["lr"]
        param.data -= step

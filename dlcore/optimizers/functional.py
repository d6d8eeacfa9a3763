"""Every optimizer as a pure function: ``(w, g, state, **hyperparameters) -> (new w, new state)``.

The classes of :mod:`dlcore.optimizers` update parameters in place and keep their
memory (velocities, squared-gradient averages, step counts) inside the optimizer.
The notebooks also need the same rules as plain functions, CS231n's
``update(w, dw, config)`` shape, so that one step can be looked at on its own::

    state = {}                                  # nothing remembered before the first step
    for t in range(100):
        w, state = adam_update(w, gradient(w), state, lr=0.01)

These functions hold no maths of their own: each one loads ``state`` into a fresh
optimizer of the matching class, runs one ``step()`` on a copy of ``w`` and returns
copies, so the rule is the class's (its docstring gives the formula). Neither
``w``, ``g`` nor the arrays of ``state`` are changed. A call costs tens of
microseconds: fine for a path on a 2-D surface, not for training a network.

``state`` is a dict whose keys are the class's own (``"velocity"``, ``"m"``,
``"v"``, ``"step"``...); start with ``{}`` (or None).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._checks import lookup
from ..backend import get_array_module
from ..parameter import Parameter
from .adam import Adam, Adamax, Nadam
from .adaptive import Adadelta, Adagrad, RMSprop
from .base import Optimizer
from .sgd import SGD, Momentum, Nesterov

State = dict[str, Any]
Update = Callable[..., tuple[Any, State]]


def apply_update(
    optimizer_class: type[Optimizer], w: Any, g: Any, state: State | None, **hyperparameters: Any
) -> tuple[Any, State]:
    """One step of ``optimizer_class`` on ``w`` with gradient ``g``, as a pure function.

    Parameters
    ----------
    optimizer_class : a subclass of :class:`~dlcore.optimizers.Optimizer`
    w : array, any shape, float
    g : array, the shape of ``w``
    state : dict or None
        What the previous call returned (None or ``{}`` before the first step).
    **hyperparameters
        Passed to the optimizer (``lr``, ``momentum``...); unknown names are an error.

    Returns
    -------
    new_w : array, the shape of ``w`` (a new array)
    new_state : dict (new arrays)
    """
    name = optimizer_class.__name__
    xp = get_array_module(w, g)
    w, g = xp.asarray(w), xp.asarray(g)
    if w.shape != g.shape:
        raise ValueError(
            f"{name} update: the gradient must have the shape of w {w.shape}; received {g.shape}"
        )
    if w.dtype.kind != "f":
        w = w.astype(float)
    if state is not None and not isinstance(state, dict):
        raise TypeError(
            f"{name} update: state must be the dict returned by the previous step (or {{}}); "
            f"received {type(state).__name__}"
        )
    param = Parameter(w.copy())
    param.grad[...] = g
    optimizer = optimizer_class([param], **hyperparameters)
    if state:
        optimizer.state[param] = _copied(state)
    optimizer.step()
    return param.data, _copied(optimizer.state[param])


def _copied(state: State) -> State:
    return {key: value.copy() if hasattr(value, "copy") else value for key, value in state.items()}


# ------------------------------------------------------------ one per class
def sgd_update(w: Any, g: Any, state: State | None, lr: float = 0.01) -> tuple[Any, State]:
    """``w - lr g`` (:class:`~dlcore.optimizers.SGD`); the state stays empty."""
    return apply_update(SGD, w, g, state, lr=lr)


def momentum_update(
    w: Any, g: Any, state: State | None, lr: float = 0.01, momentum: float = 0.9,
    variant: str = "ewa",
) -> tuple[Any, State]:
    """:class:`~dlcore.optimizers.Momentum`: ``v = b v + (1 - b) g``, ``w - lr v`` ("ewa")."""
    return apply_update(Momentum, w, g, state, lr=lr, momentum=momentum, variant=variant)


def nesterov_update(
    w: Any, g: Any, state: State | None, lr: float = 0.01, momentum: float = 0.9,
    variant: str = "ewa",
) -> tuple[Any, State]:
    """:class:`~dlcore.optimizers.Nesterov`: ``w - lr (b v + (1 - b) g)`` with the new ``v``."""
    return apply_update(Nesterov, w, g, state, lr=lr, momentum=momentum, variant=variant)


def adagrad_update(
    w: Any, g: Any, state: State | None, lr: float = 0.01, eps: float = 1e-8,
    eps_inside_sqrt: bool = False,
) -> tuple[Any, State]:
    """:class:`~dlcore.optimizers.Adagrad`: ``s = s + g**2``, ``w - lr g / (sqrt(s) + eps)``."""
    return apply_update(Adagrad, w, g, state, lr=lr, eps=eps, eps_inside_sqrt=eps_inside_sqrt)


def rmsprop_update(
    w: Any, g: Any, state: State | None, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8,
    eps_inside_sqrt: bool = False,
) -> tuple[Any, State]:
    """:class:`~dlcore.optimizers.RMSprop`: ``s = rho s + (1 - rho) g**2``, then as Adagrad."""
    return apply_update(RMSprop, w, g, state, lr=lr, rho=rho, eps=eps,
                        eps_inside_sqrt=eps_inside_sqrt)


def adadelta_update(
    w: Any, g: Any, state: State | None, lr: float = 1.0, rho: float = 0.95, eps: float = 1e-6
) -> tuple[Any, State]:
    """:class:`~dlcore.optimizers.Adadelta`: a step of ``sqrt(d + eps) / sqrt(s + eps) * g``."""
    return apply_update(Adadelta, w, g, state, lr=lr, rho=rho, eps=eps)


def adam_update(
    w: Any, g: Any, state: State | None, lr: float = 0.001, beta1: float = 0.9,
    beta2: float = 0.999, eps: float = 1e-8, eps_inside_sqrt: bool = False,
) -> tuple[Any, State]:
    """:class:`~dlcore.optimizers.Adam`, bias-corrected moments; ``state["step"]`` counts t."""
    return apply_update(Adam, w, g, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                        eps_inside_sqrt=eps_inside_sqrt)


def adamax_update(
    w: Any, g: Any, state: State | None, lr: float = 0.002, beta1: float = 0.9,
    beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[Any, State]:
    """:class:`~dlcore.optimizers.Adamax`: Adam with ``u = max(beta2 u, |g|)`` for the RMS."""
    return apply_update(Adamax, w, g, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)


def nadam_update(
    w: Any, g: Any, state: State | None, lr: float = 0.002, beta1: float = 0.9,
    beta2: float = 0.999, eps: float = 1e-8, eps_inside_sqrt: bool = False,
) -> tuple[Any, State]:
    """:class:`~dlcore.optimizers.Nadam`: Adam with Nesterov's look-ahead on the first moment."""
    return apply_update(Nadam, w, g, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                        eps_inside_sqrt=eps_inside_sqrt)


UPDATES: dict[str, Update] = {
    "sgd": sgd_update,
    "momentum": momentum_update,
    "nesterov": nesterov_update,
    "adagrad": adagrad_update,
    "rmsprop": rmsprop_update,
    "adadelta": adadelta_update,
    "adam": adam_update,
    "adamax": adamax_update,
    "nadam": nadam_update,
}


def get(name: str) -> Update:
    """The update function of the optimizer ``name`` ("adam" -> :func:`adam_update`)."""
    return lookup("optimizer", name, UPDATES)

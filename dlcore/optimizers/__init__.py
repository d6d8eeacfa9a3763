"""Optimizers: the rules that turn gradients into parameter updates.

Every optimizer has the same interface (PyTorch's names): ``param_groups``,
per-parameter ``state``, ``step()``, ``zero_grad()``, ``state_dict()`` and
``load_state_dict()``; every one accepts ``weight_decay`` (decoupled) and
``clip_value`` / ``clip_norm`` (gradient clipping). Each class's docstring
states its exact update formula and where it comes from; docs/design.md
lists them side by side.

Beside the classes: :mod:`.functional` (each rule as a pure function
``(w, g, state, **hyperparameters) -> (new w, new state)``), :mod:`.averages`
(exponentially weighted averages with and without bias correction) and
:mod:`.landscapes` (2-D loss surfaces and the paths optimizers take on them).
"""

from __future__ import annotations

from typing import Any

from .._checks import lookup
from . import functional, landscapes
from .adam import Adam, Adamax, Nadam
from .adaptive import Adadelta, Adagrad, RMSprop
from .averages import exponentially_weighted_average
from .base import Optimizer, clip_grad_norm, clip_grad_value, global_grad_norm
from .sgd import SGD, Momentum, Nesterov

_REGISTRY: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adadelta": Adadelta,
    "adam": Adam,
    "adamax": Adamax,
    "nadam": Nadam,
}


def get(name: str | Optimizer, **hyperparameters: Any) -> Optimizer:
    """A new optimizer by name (``get("adam", lr=1e-3)``); an instance is returned unchanged."""
    if isinstance(name, Optimizer):
        if hyperparameters:
            raise TypeError(
                f"get(): hyperparameters {sorted(hyperparameters)} cannot be applied to an "
                f"existing {type(name).__name__}; pass them to its constructor"
            )
        return name
    return lookup("optimizer", name, _REGISTRY)(**hyperparameters)


__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "Momentum",
    "Nadam",
    "Nesterov",
    "Optimizer",
    "RMSprop",
    "clip_grad_norm",
    "clip_grad_value",
    "exponentially_weighted_average",
    "functional",
    "get",
    "global_grad_norm",
    "landscapes",
]

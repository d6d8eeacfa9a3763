"""Optimizers: the rule that turns gradients into parameter updates.

Every optimizer follows one interface (PyTorch's names): parameters are held in
``param_groups`` (each a dict with its own hyperparameters), per-parameter
memory (velocities, squared-gradient averages...) lives in ``state``, and
``step()`` updates every trainable parameter in place from its ``grad``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from ._checks import check_positive, lookup, reject_unknown_kwargs
from .backend import get_array_module, to_numpy
from .parameter import Parameter


class Optimizer:
    """Base class.

    Parameters
    ----------
    params : iterable of Parameter, or of dicts ``{"params": [...], "lr": ...}``, optional
        What to update. May be left out and bound later by ``model.compile``.
    **hyperparameters
        Defaults for every group; the valid names are the keys of the class's
        ``defaults`` (an unknown name is an error that lists them).

    Subclasses implement :meth:`update` for one parameter.
    """

    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, params: Iterable[Any] | None = None, **hyperparameters: Any) -> None:
        name = type(self).__name__
        unknown = {k: v for k, v in hyperparameters.items() if k not in type(self).defaults}
        reject_unknown_kwargs(f"{name}()", unknown, type(self).defaults)
        self.defaults = {**type(self).defaults, **hyperparameters}
        self._validate(self.defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Parameter, dict[str, Any]] = {}
        if params is not None:
            self.add_params(params)

    def add_params(self, params: Iterable[Any]) -> None:
        """Add parameters (a list of Parameters, or a list of group dicts)."""
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: received an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add one group: ``{"params": [...], **hyperparameters overriding the defaults}``."""
        name = type(self).__name__
        if "params" not in group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry")
        unknown = {k: v for k, v in group.items() if k != "params" and k not in self.defaults}
        reject_unknown_kwargs(f"{name} parameter group", unknown, self.defaults)
        params = list(group["params"])
        if not params:
            raise ValueError(f"{name}: received a parameter group with no parameters")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(f"{name}: expected Parameter objects, received {type(p).__name__}")
            if id(p) in seen:
                raise ValueError(f"{name}: {p!r} appears in more than one parameter group")
            seen.add(id(p))
        full = {**self.defaults, **group, "params": params}
        self._validate(full)
        self.param_groups.append(full)

    def _validate(self, hyperparameters: dict[str, Any]) -> None:
        if "lr" in hyperparameters:
            check_positive(f"{type(self).__name__} lr", hyperparameters["lr"])

    @property
    def lr(self) -> float:
        """The learning rate of the first group; setting it sets every group's."""
        return float(self.param_groups[0]["lr"] if self.param_groups else self.defaults["lr"])

    @lr.setter
    def lr(self, value: float) -> None:
        value = check_positive("lr", value)
        self.defaults["lr"] = value
        for group in self.param_groups:
            group["lr"] = value

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to zero."""
        for group in self.param_groups:
            for p in group["params"]:
                p.zero_grad()

    def step(self) -> None:
        """Update every trainable parameter from its gradient, in place."""
        if not self.param_groups:
            raise RuntimeError(
                f"{type(self).__name__} has no parameters: pass them to the constructor "
                "or call model.compile(optimizer=...)"
            )
        for group in self.param_groups:
            for p in group["params"]:
                if p.trainable:
                    self.update(p, group, self.state.setdefault(p, {}))

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        """Apply the rule to one parameter (``param.data`` in place from ``param.grad``)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters and per-parameter state, parameters named by position."""
        index = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index[p] = len(index)
                ids.append(index[p])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {
            index[p]: {k: to_numpy(v).copy() if hasattr(v, "shape") else v for k, v in s.items()}
            for p, s in self.state.items()
            if p in index
        }
        return {"param_groups": groups, "state": state}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by :meth:`state_dict` for the same parameters."""
        groups = state_dict["param_groups"]
        if [len(g["params"]) for g in groups] != [len(g["params"]) for g in self.param_groups]:
            raise ValueError(
                f"{type(self).__name__}: the saved state has groups of sizes "
                f"{[len(g['params']) for g in groups]}, this optimizer "
                f"{[len(g['params']) for g in self.param_groups]}"
            )
        params = [p for g in self.param_groups for p in g["params"]]
        for group, saved in zip(self.param_groups, groups):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {}
        for i, saved in state_dict["state"].items():
            p = params[int(i)]
            xp = get_array_module(p.data)
            self.state[p] = {
                k: xp.asarray(v) if hasattr(v, "shape") else v for k, v in saved.items()
            }

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v}" for k, v in self.defaults.items())
        return f"{type(self).__name__}({hyper})"


class SGD(Optimizer):
    """Plain gradient descent: ``w <- w - lr * dw``.

    Parameters
    ----------
    lr : float
        Learning rate (default 0.01).
    """

    defaults: ClassVar[dict[str, Any]] = {"lr": 0.01}

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        param.data -= group["lr"] * param.grad


_REGISTRY: dict[str, type[Optimizer]] = {
    "sgd": SGD,
}


def get(name: str | Optimizer, **hyperparameters: Any) -> Optimizer:
    """A new optimizer by name (``get("sgd", lr=0.1)``); an instance is returned unchanged."""
    if isinstance(name, Optimizer):
        return name
    return lookup("optimizer", name, _REGISTRY)(**hyperparameters)

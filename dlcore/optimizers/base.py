"""The optimizer interface, decoupled weight decay and gradient clipping.

Every optimizer follows one interface (PyTorch's names): parameters are held in
``param_groups`` (each a dict with its own hyperparameters), per-parameter
memory (velocities, squared-gradient averages...) lives in ``state``, and
``step()`` updates every trainable parameter in place from its ``grad``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, ClassVar

from .._checks import check_positive, check_probability, reject_unknown_kwargs
from ..backend import get_array_module, to_numpy
from ..parameter import Parameter

#: Hyperparameters every optimizer accepts besides its own.
COMMON_DEFAULTS: dict[str, Any] = {"weight_decay": 0.0}

_PROBABILITIES = ("momentum", "beta1", "beta2", "rho")
_FLAGS = ("eps_inside_sqrt",)


class Optimizer:
    """Base class.

    Parameters
    ----------
    params : iterable of Parameter, or of dicts ``{"params": [...], "lr": ...}``, optional
        What to update. May be left out and bound later by ``model.compile``.
    clip_value : float, optional
        Clip every gradient entry to ``[-clip_value, clip_value]`` before the update.
    clip_norm : float, optional
        Rescale all gradients together when their global L2 norm exceeds ``clip_norm``.
    **hyperparameters
        Defaults for every group: the class's own (``lr``, ``momentum``...) and
        ``weight_decay`` (decoupled, see below). An unknown name is an error
        that lists the valid ones.

    Notes
    -----
    ``weight_decay`` is *decoupled* weight decay (Loshchilov & Hutter, "Decoupled
    Weight Decay Regularization", 2019): before each update every parameter of the
    group shrinks, ``w <- w - lr * weight_decay * w``, whatever the optimizer does
    with the gradient. It is not L2 regularisation: an L2 penalty
    (:mod:`dlcore.regularizers`) adds ``lambda * w`` to the gradient, which adaptive
    optimizers (RMSprop, Adam...) then divide by their running RMS, so large-gradient
    weights are decayed less. The two coincide only for plain SGD. Decay applies
    to every parameter of the group, biases included; put biases in a group with
    ``weight_decay=0`` to spare them.

    Subclasses list their hyperparameters in ``defaults`` and implement
    :meth:`update` for one parameter. ``update`` must change ``param.data`` and the
    state arrays in place; :meth:`scratch` lends it work arrays so that a step
    allocates nothing.
    """

    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        params: Iterable[Any] | None = None,
        *,
        clip_value: float | None = None,
        clip_norm: float | None = None,
        **hyperparameters: Any,
    ) -> None:
        name = type(self).__name__
        valid = {**type(self).defaults, **COMMON_DEFAULTS}
        unknown = {k: v for k, v in hyperparameters.items() if k not in valid}
        reject_unknown_kwargs(f"{name}()", unknown, [*valid, "clip_value", "clip_norm"])
        self.defaults = {**valid, **hyperparameters}
        self._validate(self.defaults)
        self.clip_value = None if clip_value is None else check_positive("clip_value", clip_value)
        self.clip_norm = None if clip_norm is None else check_positive("clip_norm", clip_norm)
        #: The global gradient norm before clipping, at the last step (with ``clip_norm``).
        self.last_grad_norm: float | None = None
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Parameter, dict[str, Any]] = {}
        self._scratch: dict[Parameter, list[Any]] = {}
        if params is not None:
            self.add_params(params)

    # ------------------------------------------------------------- parameters
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
        if not isinstance(group, dict) or "params" not in group:
            raise ValueError(f"{name}: a parameter group is a dict with a 'params' entry")
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
        name = type(self).__name__
        for key, value in hyperparameters.items():
            if key in ("lr", "eps"):
                check_positive(f"{name} {key}", value)
            elif key in ("weight_decay", "initial_accumulator_value"):
                check_positive(f"{name} {key}", value, allow_zero=True)
            elif key in _PROBABILITIES:
                check_probability(f"{name} {key}", value)
            elif key in _FLAGS and not isinstance(value, bool):
                raise TypeError(f"{name} {key} must be True or False; received {value!r}")
        self._validate_own(hyperparameters)

    def _validate_own(self, hyperparameters: dict[str, Any]) -> None:
        """Checks specific to one optimizer (for example the name of a variant)."""

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

    # ----------------------------------------------------------------- update
    def zero_grad(self) -> None:
        """Set the gradient of every parameter to zero."""
        for group in self.param_groups:
            for p in group["params"]:
                p.zero_grad()

    def step(self) -> None:
        """Clip the gradients (if asked), then update every trainable parameter in place."""
        if not self.param_groups:
            raise RuntimeError(
                f"{type(self).__name__} has no parameters: pass them to the constructor "
                "or call model.compile(optimizer=...)"
            )
        trainable = [p for g in self.param_groups for p in g["params"] if p.trainable]
        if self.clip_value is not None:
            clip_grad_value(trainable, self.clip_value)
        if self.clip_norm is not None:
            self.last_grad_norm = clip_grad_norm(trainable, self.clip_norm)
        for group in self.param_groups:
            decay = group["lr"] * group["weight_decay"]
            for p in group["params"]:
                if not p.trainable:
                    continue
                if decay:
                    p.data *= 1.0 - decay
                self.update(p, group, self.state.setdefault(p, {}))

    def update(self, param: Parameter, group: dict[str, Any], state: dict[str, Any]) -> None:
        """Apply the rule to one parameter (``param.data`` in place from ``param.grad``)."""
        raise NotImplementedError

    def scratch(self, param: Parameter, count: int = 1) -> list[Any]:
        """``count`` work arrays shaped like ``param``, kept between steps (not state)."""
        buffers = self._scratch.get(param)
        if buffers is None or len(buffers) < count or buffers[0].shape != param.data.shape:
            xp = get_array_module(param.data)
            buffers = [xp.empty_like(param.data) for _ in range(count)]
            self._scratch[param] = buffers
        return buffers

    @staticmethod
    def zeros_state(state: dict[str, Any], param: Parameter, *names: str) -> list[Any]:
        """The named state arrays of ``param``, created as zeros on first use."""
        xp = get_array_module(param.data)
        for name in names:
            if name not in state:
                state[name] = xp.zeros_like(param.data)
        return [state[name] for name in names]

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
        for i, saved in state_dict["state"].items():
            p = params[int(i)]
            for key, value in saved.items():
                if hasattr(value, "shape") and tuple(value.shape) != p.shape:
                    raise ValueError(
                        f"{type(self).__name__}: saved state {key!r} of parameter {i} has "
                        f"shape {tuple(value.shape)}, the parameter {p.shape}"
                    )
        for group, saved in zip(self.param_groups, groups):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {}
        for i, saved in state_dict["state"].items():
            p = params[int(i)]
            xp = get_array_module(p.data)
            self.state[p] = {
                k: xp.array(v, dtype=p.dtype) if hasattr(v, "shape") else v
                for k, v in saved.items()
            }

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v}" for k, v in self.defaults.items())
        return f"{type(self).__name__}({hyper})"


# ----------------------------------------------------------------- clipping
def clip_grad_value(params: Iterable[Parameter], clip_value: float) -> None:
    """Clip every gradient entry into ``[-clip_value, clip_value]``, in place."""
    clip_value = check_positive("clip_value", clip_value)
    for p in params:
        get_array_module(p.grad).clip(p.grad, -clip_value, clip_value, out=p.grad)


def global_grad_norm(params: Iterable[Parameter]) -> float:
    """The L2 norm of all gradients taken together, ``sqrt(sum_p sum_i g_pi^2)``."""
    total = 0.0
    for p in params:
        flat = p.grad.reshape(-1)
        total += float(get_array_module(flat).vdot(flat, flat))
    return math.sqrt(total)


def clip_grad_norm(params: Iterable[Parameter], max_norm: float) -> float:
    """Rescale all gradients together so that their global L2 norm is at most ``max_norm``.

    Every gradient is multiplied by the same factor ``max_norm / norm`` when the
    global norm exceeds ``max_norm``, so the update keeps its direction.
    Returns the global norm *before* clipping (useful to plot exploding gradients).
    """
    max_norm = check_positive("max_norm", max_norm)
    params = list(params)
    norm = global_grad_norm(params)
    if math.isfinite(norm) and norm > max_norm:
        scale = max_norm / norm
        for p in params:
            p.grad *= scale
    return norm


def rms_denominator(s: Any, eps: float, inside: bool, out: Any, scale: float = 1.0) -> Any:
    """``sqrt(scale * s) + eps``, or ``sqrt(scale * s + eps)`` when ``inside``, into ``out``.

    The two placements of epsilon that courses and libraries use: outside the root
    (Kingma & Ba, PyTorch, Keras) or inside it (the course notes' Adam and Adagrad).
    """
    xp = get_array_module(s)
    xp.multiply(s, scale, out=out)
    if inside:
        out += eps
        xp.sqrt(out, out=out)
    else:
        xp.sqrt(out, out=out)
        out += eps
    return out

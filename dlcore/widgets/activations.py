"""Explorer of notebook 03: an activation function and its derivative, with its parameter.

``activation_explorer()`` shows f(z) and f'(z) for the activation picked in a
dropdown; a slider sets its parameter (alpha of leaky ReLU and ELU, beta of swish;
the others have none and ignore it). The readout gives f and f' at z = -2, 0, 2
and the mean of f(z) for z ~ N(0, 1), which says how far from zero-centred f is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np

from .. import functional as F
from .base import Explorer, rebuildable

#: name -> (forward, backward, parameter name or None, the parameter's default)
ACTIVATIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any], str | None, float]] = {
    "sigmoid": (F.sigmoid_forward, F.sigmoid_backward, None, 0.0),
    "tanh": (F.tanh_forward, F.tanh_backward, None, 0.0),
    "relu": (F.relu_forward, F.relu_backward, None, 0.0),
    "leaky_relu": (F.leaky_relu_forward, F.leaky_relu_backward, "alpha", 0.01),
    "elu": (F.elu_forward, F.elu_backward, "alpha", 1.0),
    "selu": (F.selu_forward, F.selu_backward, None, 0.0),
    "softplus": (F.softplus_forward, F.softplus_backward, None, 0.0),
    "swish": (F.swish_forward, F.swish_backward, "beta", 1.0),
}

#: the points where the readout gives f and f'
PROBES = (-2.0, 0.0, 2.0)

# a fine grid and its weights for expectations under N(0, 1) (accurate across kinks)
_NODES = np.linspace(-8.0, 8.0, 4001)
_WEIGHTS = np.exp(-0.5 * _NODES**2)
_WEIGHTS /= _WEIGHTS.sum()


def curves(name: str, parameter: float | None = None, z: Any = None) -> tuple[Any, Any, Any]:
    """``(z, f(z), f'(z))`` of the activation ``name`` computed with dlcore.functional.

    ``parameter`` is alpha or beta for the activations that have one (their default
    when None) and is ignored by the others. ``z`` defaults to 401 points on [-5, 5].
    f' is the backward pass with an upstream gradient of ones, so at a kink it is
    the convention of the backward (0 for ReLU at z = 0).
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    forward, backward, key, default = ACTIVATIONS[name]
    z = np.linspace(-5.0, 5.0, 401) if z is None else np.asarray(z, dtype=np.float64)
    kwargs = {key: default if parameter is None else float(parameter)} if key else {}
    out, cache = forward(z, **kwargs)
    return z, out, backward(np.ones_like(z), cache)


def explore(activation: str, parameter: float) -> dict[str, Any]:
    """The explorer's result: f and f' at :data:`PROBES`, the parameter used, mean f on N(0, 1)."""
    key = ACTIVATIONS[activation][2]
    _, f, df = curves(activation, parameter, np.array(PROBES))
    _, f_normal, _ = curves(activation, parameter, _NODES)
    result: dict[str, Any] = {
        "activation": activation,
        "parameter_name": key or "none",
        "parameter": float(parameter) if key else None,
    }
    for z, value in zip(PROBES, f):
        result[f"f({z:g})"] = float(value)
    for z, value in zip(PROBES, df):
        result[f"f'({z:g})"] = float(value)
    result["mean f on N(0,1)"] = float(f_normal @ _WEIGHTS)
    return result


def draw_activation(ax_f: Any, ax_df: Any, name: str, parameter: float | None = None) -> None:
    """Draw f on ``ax_f`` and f' on ``ax_df`` over [-5, 5], marking :data:`PROBES`."""
    z, f, df = curves(name, parameter)
    _, f_probe, df_probe = curves(name, parameter, np.array(PROBES))
    for ax, values, probes, label in ((ax_f, f, f_probe, "f(z)"), (ax_df, df, df_probe, "f'(z)")):
        ax.axhline(0, color="0.8", linewidth=0.8)
        ax.axvline(0, color="0.8", linewidth=0.8)
        ax.plot(z, values, color="C0" if ax is ax_f else "C1")
        ax.plot(PROBES, probes, "o", color="k", markersize=4)
        ax.set_xlabel("z")
        ax.set_ylabel(label)
    key = ACTIVATIONS[name][2]
    shown = f" ({key} = {parameter:g})" if key and parameter is not None else ""
    ax_f.set_title(f"{name}{shown}")
    ax_df.set_title(f"its derivative{shown}")


@rebuildable
def activation_explorer(activation: str = "leaky_relu", parameter: float = 0.1) -> Explorer:
    """An explorer: a dropdown of activations and a slider for alpha or beta.

    Controls: ``activation`` (Dropdown of :data:`ACTIVATIONS`) and ``parameter``
    (FloatSlider 0 to 3; alpha of leaky ReLU and ELU, beta of swish, unused by the
    others). Result keys: ``activation``, ``parameter_name``, ``parameter`` (None when
    unused), ``f(-2)``, ``f(0)``, ``f(2)``, ``f'(-2)``, ``f'(0)``, ``f'(2)`` and
    ``mean f on N(0,1)``.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    controls = {
        "activation": widgets.Dropdown(options=list(ACTIVATIONS), value=activation,
                                       description="activation"),
        "parameter": widgets.FloatSlider(value=parameter, min=0.0, max=3.0, step=0.01,
                                         description="parameter", readout_format=".2f"),
    }

    def draw(fig: Any, result: dict[str, Any], activation: str, parameter: float) -> None:
        ax_f, ax_df = fig.subplots(1, 2)
        used = parameter if ACTIVATIONS[activation][2] else None
        draw_activation(ax_f, ax_df, activation, used)

    explorer = Explorer("An activation and its derivative", controls, explore, draw,
                        figsize=(8.0, 3.2))

    def relabel(change: dict[str, Any] | None = None) -> None:
        key = ACTIVATIONS[controls["activation"].value][2]
        controls["parameter"].description = key or "(no parameter)"
        controls["parameter"].disabled = key is None

    controls["activation"].observe(relabel, names="value")
    relabel()
    return explorer

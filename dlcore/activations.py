"""Activation layers and a registry: ``get("relu")``, ``get("leaky_relu", alpha=0.2)``.

Each class is a thin layer over a forward/backward pair of
:mod:`dlcore.functional`; the formulas live there, once.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from . import functional as F
from ._checks import check_positive, lookup
from .backend import default_device, get_array_module, to_device
from .layers import Layer
from .parameter import Parameter


class Activation(Layer):
    """An element-wise function without trainable parameters.

    Subclasses set ``functions = (forward, backward)`` from :mod:`dlcore.functional`
    and, when they have hyperparameters, override :meth:`hyperparameters`.
    """

    functions: ClassVar[tuple[Any, Any]]

    def hyperparameters(self) -> dict[str, float]:
        """Keyword arguments passed to the functional forward (e.g. ``{"alpha": 0.01}``)."""
        return {}

    def forward(self, z):
        z = self._as_input(z)
        out, self._cache = self.functions[0](z, **self.hyperparameters())
        return out

    def backward(self, dout):
        return self.functions[1](self._as_gradient(dout), self._saved_cache())

    def derivative(self, z):
        """f'(z) element-wise, for plotting (the layer's saved state is left untouched)."""
        xp = get_array_module(z)
        _, cache = self.functions[0](z, **self.hyperparameters())
        return self.functions[1](xp.ones_like(z), cache)

    def get_config(self) -> dict[str, Any]:
        return {**self.hyperparameters(), "name": self.name}

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.hyperparameters().items())


class Identity(Activation):
    """f(z) = z (the "linear" activation of a regression output)."""

    functions = (F.identity_forward, F.identity_backward)


class Sigmoid(Activation):
    """f(z) = 1 / (1 + e^{-z}); f' = f (1 - f). Squashes to (0, 1); saturates at both ends."""

    functions = (F.sigmoid_forward, F.sigmoid_backward)


class Tanh(Activation):
    """f(z) = tanh(z); f' = 1 - f^2. Zero-centred, range (-1, 1); saturates at both ends."""

    functions = (F.tanh_forward, F.tanh_backward)


class ReLU(Activation):
    """f(z) = max(0, z); f' = 1 for z > 0, else 0. Cheap, does not saturate for z > 0."""

    functions = (F.relu_forward, F.relu_backward)


class LeakyReLU(Activation):
    """f(z) = z for z > 0, alpha z otherwise (default alpha = 0.01): no unit dies."""

    functions = (F.leaky_relu_forward, F.leaky_relu_backward)

    def __init__(self, alpha: float = 0.01, *, name: str | None = None) -> None:
        super().__init__(name)
        self.alpha = check_positive("LeakyReLU alpha", alpha, allow_zero=True)

    def hyperparameters(self) -> dict[str, float]:
        return {"alpha": self.alpha}


class ELU(Activation):
    """f(z) = z for z > 0, alpha (e^z - 1) otherwise (default alpha = 1): smooth, mean near 0."""

    functions = (F.elu_forward, F.elu_backward)

    def __init__(self, alpha: float = 1.0, *, name: str | None = None) -> None:
        super().__init__(name)
        self.alpha = check_positive("ELU alpha", alpha)

    def hyperparameters(self) -> dict[str, float]:
        return {"alpha": self.alpha}


class SELU(Activation):
    """f(z) = scale * ELU(z, alpha) with scale ~= 1.0507 and alpha ~= 1.6733
    (Klambauer et al., 2017), chosen so activations keep mean 0 and variance 1
    through many layers with LeCun-normal weights."""

    functions = (F.selu_forward, F.selu_backward)


class Softplus(Activation):
    """f(z) = ln(1 + e^z), a smooth ReLU; f' = sigmoid(z)."""

    functions = (F.softplus_forward, F.softplus_backward)


class Swish(Activation):
    """f(z) = z sigmoid(beta z) (default beta = 1, also called SiLU)."""

    functions = (F.swish_forward, F.swish_backward)

    def __init__(self, beta: float = 1.0, *, name: str | None = None) -> None:
        super().__init__(name)
        self.beta = check_positive("Swish beta", beta)

    def hyperparameters(self) -> dict[str, float]:
        return {"beta": self.beta}


class Softmax(Activation):
    """softmax(z)_k = e^{z_k} / sum_j e^{z_j} over the last axis, computed stably.

    For training a classifier prefer raw logits with ``SoftmaxCrossEntropy``,
    which fuses the two and is both faster and more accurate.
    """

    functions = (F.softmax_forward, F.softmax_backward)

    def derivative(self, z):
        raise TypeError("softmax is not element-wise: its derivative is a Jacobian per row")


class PReLU(Layer):
    """Leaky ReLU with a learned slope: f(z) = z for z > 0, alpha z otherwise.

    Parameters
    ----------
    num_parameters : int
        1 (one slope shared by all units, the default) or D (one per unit).
    init : float
        Initial slope (0.25, as in He et al., 2015).
    """

    def __init__(
        self,
        num_parameters: int = 1,
        *,
        init: float = 0.25,
        dtype: Any = np.float64,
        device: str | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if not isinstance(num_parameters, (int, np.integer)) or num_parameters < 1:
            raise ValueError(
                f"PReLU: num_parameters must be a positive integer; received {num_parameters!r}"
            )
        self.num_parameters = int(num_parameters)
        alpha = np.full(self.num_parameters, init, dtype=np.dtype(dtype))
        self.alpha = Parameter(to_device(alpha, device or default_device()), "alpha")

    def forward(self, z):
        z = self._as_input(z, None if self.num_parameters == 1 else self.num_parameters)
        out, self._cache = F.prelu_forward(z, self.alpha.data)
        return out

    def backward(self, dout):
        dz, dalpha = F.prelu_backward(self._as_gradient(dout), self._saved_cache())
        self.alpha.accumulate(dalpha)
        return dz

    def get_config(self) -> dict[str, Any]:
        return {
            "num_parameters": self.num_parameters,
            "dtype": str(self.alpha.dtype),
            "name": self.name,
        }

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


_REGISTRY: dict[str, type[Layer]] = {
    "identity": Identity,
    "linear": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
    "elu": ELU,
    "selu": SELU,
    "softplus": Softplus,
    "swish": Swish,
    "silu": Swish,
    "softmax": Softmax,
}


def get(name: str | Layer, **kwargs: Any) -> Layer:
    """A new activation layer by name, e.g. ``get("leaky_relu", alpha=0.1)``.

    An activation instance is returned unchanged.
    """
    if isinstance(name, Layer):
        return name
    return lookup("activation", name, _REGISTRY)(**kwargs)

"""Layers: Dense, Dropout and BatchNorm, on a small common base.

A layer keeps what its backward pass needs from the last forward pass, so the
order is always ``out = layer.forward(x)`` then ``dx = layer.backward(dout)``.
Gradients of parameters are *added* to ``Parameter.grad``; the caller zeroes
them between steps (``model.zero_grad()`` or ``optimizer.zero_grad()``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from . import functional as F
from . import initializers, regularizers
from ._checks import as_rng, check_positive, check_probability
from .backend import (
    default_device,
    device_of,
    get_array_module,
    on_device,
    to_device,
    to_numpy,
)
from .parameter import Parameter

_NO_FORWARD_YET = object()

LAYER_CLASSES: dict[str, type[Layer]] = {}
"""Every Layer subclass by class name, so a saved model can be rebuilt."""


class Layer:
    """Base class: forward/backward, parameters, train/eval mode, device and state.

    Subclasses implement ``forward(x)`` and ``backward(dout)``, keep their
    :class:`Parameter` objects as attributes (found automatically, in the order
    they were assigned), list non-trainable arrays such as running averages in
    ``buffer_names``, and return their constructor arguments from ``get_config``.
    """

    buffer_names: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        LAYER_CLASSES[cls.__name__] = cls

    def __init__(self, name: str | None = None) -> None:
        self.name = name or type(self).__name__.lower()
        self.training = True
        self._cache: Any = _NO_FORWARD_YET
        self._device: str | None = None  # where the last forward pass ran

    # ----------------------------------------------------------- computation
    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} does not implement forward")

    def backward(self, dout):
        raise NotImplementedError(f"{type(self).__name__} does not implement backward")

    def backward_parameters(self, dout) -> None:
        """Accumulate the parameters' gradients only, when nobody needs dL/d(input).

        The first layer of a model in training is the case: its input is the data.
        The default runs :meth:`backward` and drops its result; a layer for which
        the input's gradient is real work (Dense: a whole matrix product) skips it.
        """
        self.backward(dout)

    def __call__(self, x):
        return self.forward(x)

    def _saved_cache(self) -> Any:
        if self._cache is _NO_FORWARD_YET:
            raise RuntimeError(f"{self.name}: call forward before backward")
        return self._cache

    # ------------------------------------------------------------ parameters
    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Yield ``(name, parameter)`` for every Parameter attribute, in assignment order."""
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield name, value

    def parameters(self) -> list[Parameter]:
        """All parameters of the layer, in a fixed order."""
        return [value for value in vars(self).values() if isinstance(value, Parameter)]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    @property
    def dtype(self):
        params = self.parameters()
        return params[0].dtype if params else None

    # --------------------------------------------------------- mode, device
    def train(self, mode: bool = True) -> Layer:
        """Switch to training mode (``mode=False`` is the same as :meth:`eval`)."""
        self.training = bool(mode)
        return self

    def eval(self) -> Layer:
        """Switch to evaluation mode: dropout off, batch norm uses its running averages."""
        return self.train(False)

    def to(self, device: str) -> Layer:
        """Move parameters and buffers to ``device`` ("cpu" or "gpu"); return self."""
        for p in self.parameters():
            p.to(device)
        for name in self.buffer_names:
            setattr(self, name, to_device(getattr(self, name), device))
        self._cache = _NO_FORWARD_YET
        return self

    # ----------------------------------------------------------------- state
    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies, as NumPy arrays, of every parameter and buffer, by name."""
        state = {name: to_numpy(p.data).copy() for name, p in self.named_parameters()}
        state.update({name: to_numpy(getattr(self, name)).copy() for name in self.buffer_names})
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy arrays from ``state`` into this layer; names and shapes must match exactly."""
        expected = {name: p.data for name, p in self.named_parameters()}
        expected.update({name: getattr(self, name) for name in self.buffer_names})
        missing = sorted(set(expected) - set(state))
        unexpected = sorted(set(state) - set(expected))
        if missing or unexpected:
            raise KeyError(
                f"{self.name}: state does not match the layer "
                f"(missing: {missing or 'none'}; unexpected: {unexpected or 'none'})"
            )
        for name, current in expected.items():
            value = state[name]
            if tuple(np.shape(value)) != tuple(current.shape):
                raise ValueError(
                    f"{self.name}.{name}: expected shape {tuple(current.shape)}, "
                    f"received {tuple(np.shape(value))}"
                )
            xp = get_array_module(current)
            new = xp.array(value, dtype=current.dtype, copy=True)
            param = getattr(self, name)
            if isinstance(param, Parameter):
                param.data = new
                param.zero_grad()
            else:
                setattr(self, name, new)

    def get_config(self) -> dict[str, Any]:
        """The constructor's keyword arguments (JSON-serialisable), to rebuild the layer."""
        return {"name": self.name}

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    # ------------------------------------------------------------- checking
    def _as_input(self, x, features: int | None = None):
        """``x`` checked (an array, a non-empty batch, ``features`` wide) on the layer's device.

        Host data given to a layer on the GPU moves there (see ``backend.on_device``),
        and so do gradients given to :meth:`backward` (``_as_gradient``).
        """
        shape = getattr(x, "shape", None)
        if shape is None:
            raise TypeError(f"{self.name}: expected an array, received {type(x).__name__}")
        if features is not None and (len(shape) != 2 or shape[1] != features):
            raise ValueError(
                f"{self.name} ({self!r}): expected input of shape (N, {features}), "
                f"received {tuple(shape)}"
            )
        if len(shape) == 0 or shape[0] == 0:
            raise ValueError(f"{self.name}: received an empty batch of shape {tuple(shape)}")
        x = on_device(x, self._parameter_device(), self.name)
        self._device = device_of(x)
        return x

    def _parameter_device(self) -> str | None:
        """Where the parameters are ("cpu" or "gpu"); None for a layer without any."""
        for value in vars(self).values():  # a loop, not parameters(): this runs every step
            if isinstance(value, Parameter):
                return device_of(value.data)
        return None

    def _as_gradient(self, dout):
        """``dout`` on the device of the last forward pass: host gradients move up too."""
        return on_device(dout, self._device, self.name)


def _place(array: np.ndarray, device: str | None):
    return to_device(array, device or default_device())


class Dense(Layer):
    """Fully connected layer: ``out = x @ W + b``.

    Parameters
    ----------
    in_features, out_features : int
        Width of the input (D_in) and of the output (D_out).
    init : str or callable
        Initialiser of ``W`` (see :mod:`dlcore.initializers`), default "glorot_uniform".
    bias_init : str or callable
        Initialiser of ``b``, default "zeros".
    use_bias : bool
        Without a bias (for example before batch norm, which has its own shift).
    rng, seed : numpy Generator or int, optional
        Source of the initial weights (one of them, or neither for fresh entropy).
    dtype : numpy dtype
        float64 (default, for teaching and gradient checks) or float32 (speed).
    device : "cpu" or "gpu", optional
        Default: the ``DLCORE_DEVICE`` environment variable, else "cpu".
    regularizer, bias_regularizer : Regularizer or name, optional
        Penalties on ``W`` and on ``b`` (see :mod:`dlcore.regularizers`).

    Shapes: x (N, D_in) -> out (N, D_out); W (D_in, D_out); b (D_out,).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        init: str | Any = "glorot_uniform",
        bias_init: str | Any = "zeros",
        use_bias: bool = True,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
        dtype: Any = np.float64,
        device: str | None = None,
        regularizer: Any = None,
        bias_regularizer: Any = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        for arg, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Dense: {arg} must be a positive integer; received {value!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.use_bias = use_bias
        generator = as_rng(rng, seed)
        shape = (self.in_features, self.out_features)
        W = initializers.get(init)(shape, generator, np.dtype(dtype))
        self.W = Parameter(_place(W, device), "W", regularizer=regularizers.get(regularizer))
        if use_bias:
            b = initializers.get(bias_init)((self.out_features,), generator, np.dtype(dtype))
            self.b = Parameter(
                _place(b, device), "b", regularizer=regularizers.get(bias_regularizer)
            )
        elif bias_regularizer is not None:
            raise ValueError("Dense: bias_regularizer was given but use_bias=False")

    def forward(self, x):
        x = self._as_input(x, self.in_features)
        if self.use_bias:
            out, self._cache = F.dense_forward(x, self.W.data, self.b.data)
        else:
            out, self._cache = x @ self.W.data, (x, self.W.data)
        return out

    def backward(self, dout):
        dx, dW, db = F.dense_backward(self._as_gradient(dout), self._saved_cache())
        self.W.accumulate(dW)
        if self.use_bias:
            self.b.accumulate(db)
        return dx

    def backward_parameters(self, dout) -> None:
        x, _ = self._saved_cache()
        dout = self._as_gradient(dout)
        self.W.accumulate(x.T @ dout)  # dW and db as in backward, without dx = dout W^T
        if self.use_bias:
            self.b.accumulate(dout.sum(axis=0))

    def get_config(self) -> dict[str, Any]:
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "use_bias": self.use_bias,
            "dtype": str(self.W.dtype),
            "regularizer": regularizers.to_config(self.W.regularizer),
            "bias_regularizer": regularizers.to_config(self.b.regularizer)
            if self.use_bias
            else None,
            "name": self.name,
        }

    def extra_repr(self) -> str:
        bias = "" if self.use_bias else ", use_bias=False"
        penalty = f", regularizer={self.W.regularizer!r}" if self.W.regularizer else ""
        return f"{self.in_features} -> {self.out_features}{bias}{penalty}"


class Dropout(Layer):
    """Inverted dropout: in training, zero a fraction ``rate`` of the inputs and
    scale the survivors by 1/(1 - rate); in evaluation, pass inputs through.

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping each unit (Keras' convention; keep_prob = 1 - rate).
    rng, seed : numpy Generator or int, optional
        Source of the masks; the same seed gives the same sequence of masks. On the
        GPU the masks come from a generator on the device, seeded once from ``rng``,
        so they are drawn where the data is and stay reproducible.
    """

    def __init__(
        self,
        rate: float,
        *,
        rng: np.random.Generator | None = None,
        seed: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        self.rate = check_probability("Dropout rate", rate)
        self.rng = as_rng(rng, seed)
        self._device_rng: Any = None

    def forget_device_generator(self) -> None:
        """Drop the device generator: the next GPU mask is seeded from ``rng`` again.

        Gradient checks rewind ``rng`` and call this, so every forward of a check
        draws the same mask on the GPU too.
        """
        self._device_rng = None

    def _generator_for(self, x: Any) -> Any:
        """The host generator for NumPy data; for GPU data, the device's (made once)."""
        if device_of(x) == "cpu":
            return self.rng
        if self._device_rng is None:
            xp = get_array_module(x)
            self._device_rng = xp.random.default_rng(int(self.rng.integers(2**63)))
        return self._device_rng

    def forward(self, x):
        x = self._as_input(x)
        rng = self._generator_for(x) if self.training else None
        out, mask = F.dropout_forward(x, self.rate, rng, self.training)
        self._cache = (mask,)
        return out

    def backward(self, dout):
        (mask,) = self._saved_cache()
        return F.dropout_backward(self._as_gradient(dout), mask)

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate, "name": self.name}

    def extra_repr(self) -> str:
        return f"rate={self.rate}"


class BatchNorm(Layer):
    """Batch normalisation of each feature over the batch, then a learned scale and shift.

    Training: normalise with the batch mean and (biased) variance, and update the
    running averages ``running = momentum * running + (1 - momentum) * batch``.
    Evaluation: normalise with the running averages.

    Parameters
    ----------
    num_features : int
        D, the width of the input (N, D).
    momentum : float in [0, 1)
        Weight of the old running average (0.9 by default; Keras' convention,
        which is 1 minus PyTorch's ``momentum``).
    eps : float
        Added to the variance before the square root.

    Attributes: ``gamma`` (D,) starts at ones, ``beta`` (D,) at zeros; buffers
    ``running_mean`` (zeros) and ``running_var`` (ones).
    """

    buffer_names = ("running_mean", "running_var")

    def __init__(
        self,
        num_features: int,
        *,
        momentum: float = 0.9,
        eps: float = 1e-5,
        dtype: Any = np.float64,
        device: str | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(
                f"BatchNorm: num_features must be a positive integer; received {num_features!r}"
            )
        self.num_features = int(num_features)
        self.momentum = check_probability("BatchNorm momentum", momentum)
        self.eps = check_positive("BatchNorm eps", eps)
        dtype = np.dtype(dtype)
        self.gamma = Parameter(_place(np.ones(num_features, dtype), device), "gamma")
        self.beta = Parameter(_place(np.zeros(num_features, dtype), device), "beta")
        self.running_mean = _place(np.zeros(num_features, dtype), device)
        self.running_var = _place(np.ones(num_features, dtype), device)

    def forward(self, x):
        x = self._as_input(x, self.num_features)
        if not self.training:
            out, cache = F.batchnorm_inference_forward(
                x, self.gamma.data, self.beta.data, self.running_mean, self.running_var, self.eps
            )
            self._cache = ("eval", cache)
            return out
        out, cache = F.batchnorm_forward(x, self.gamma.data, self.beta.data, self.eps)
        m = self.momentum
        self.running_mean *= m
        self.running_mean += (1 - m) * cache.mean
        self.running_var *= m
        self.running_var += (1 - m) * cache.var
        self._cache = ("train", cache)
        return out

    def backward(self, dout):
        mode, cache = self._saved_cache()
        backward = F.batchnorm_backward if mode == "train" else F.batchnorm_inference_backward
        dx, dgamma, dbeta = backward(self._as_gradient(dout), cache)
        self.gamma.accumulate(dgamma)
        self.beta.accumulate(dbeta)
        return dx

    def get_config(self) -> dict[str, Any]:
        return {
            "num_features": self.num_features,
            "momentum": self.momentum,
            "eps": self.eps,
            "dtype": str(self.gamma.dtype),
            "name": self.name,
        }

    def extra_repr(self) -> str:
        return f"{self.num_features}, momentum={self.momentum}, eps={self.eps}"

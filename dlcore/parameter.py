"""A trainable array and its gradient."""

from __future__ import annotations

from typing import Any

from .backend import device_of, get_array_module, to_device


class Parameter:
    """An array the optimizer updates, with the gradient backprop fills in.

    Parameters
    ----------
    data : array
        The values, on the CPU (NumPy) or the GPU (CuPy).
    name : str, optional
        A short name such as ``"W"``; models prefix it with the layer's position.
    trainable : bool
        Optimizers skip a parameter whose ``trainable`` is False.
    regularizer : callable, optional
        A penalty attached to this parameter (see ``dlcore.regularizers``).

    Notes
    -----
    Layers *accumulate* their contributions (:meth:`accumulate`, which is
    ``grad += g``) so that a parameter used twice receives both; ``zero_grad()``
    clears the gradient before each backward pass.

    Fast path: ``zero_grad()`` drops the gradient array instead of filling it with
    zeros, and the first :meth:`accumulate` after it keeps its contribution as the
    gradient, so a training step neither writes zeros nor adds to them (PyTorch's
    ``set_to_none``). Reading ``grad`` in between gives zeros, as it always did; an
    array taken from ``grad`` before ``zero_grad()`` keeps its old values, so read
    ``grad`` again after the backward pass.
    """

    def __init__(
        self,
        data: Any,
        name: str | None = None,
        *,
        trainable: bool = True,
        regularizer: Any = None,
    ) -> None:
        xp = get_array_module(data)
        self.data = xp.asarray(data)
        self._grad: Any = None  # None: zero, not yet materialised (see Notes)
        self.name = name
        self.trainable = trainable
        self.regularizer = regularizer

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.data.shape)

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self) -> int:
        return int(self.data.size)

    @property
    def device(self) -> str:
        return device_of(self.data)

    @property
    def grad(self) -> Any:
        """dL/d(data), same shape, dtype and device as ``data``."""
        if self._grad is None:
            self._grad = get_array_module(self.data).zeros_like(self.data)
        return self._grad

    @grad.setter
    def grad(self, value: Any) -> None:
        self._grad = value

    def accumulate(self, g: Any) -> None:
        """Add a contribution to the gradient: ``grad += g``.

        Right after :meth:`zero_grad`, a new array ``g`` of the right shape and dtype
        becomes the gradient itself, so the caller must not use ``g`` afterwards
        (layers pass the result of a matrix product or a sum). A view, or ``g`` of
        another dtype, is copied; anything else (a scalar, an array of another
        library) takes the ``+=`` path and its rules.
        """
        if self._grad is None and type(g) is type(self.data) and g.shape == self.data.shape:
            owns_memory = g.base is None and g.dtype == self.data.dtype
            self._grad = g if owns_memory else g.astype(self.data.dtype, copy=True)
        else:
            self.grad += g

    def zero_grad(self) -> None:
        """Set the gradient to zero (lazily: see the Notes above)."""
        self._grad = None

    def to(self, device: str) -> Parameter:
        """Move data and gradient to ``device`` ("cpu" or "gpu") in place; return self."""
        self.data = to_device(self.data, device)
        if self._grad is not None:
            self._grad = to_device(self._grad, device)
        return self

    def __repr__(self) -> str:
        name = f"{self.name!r}, " if self.name else ""
        frozen = "" if self.trainable else ", trainable=False"
        return f"Parameter({name}shape={self.shape}, dtype={self.dtype}{frozen})"

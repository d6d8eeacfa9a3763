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
    Layers *accumulate* into ``grad`` with ``+=`` so that a parameter used twice
    receives both contributions; ``zero_grad()`` clears it before each backward pass.
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
        self.grad = xp.zeros_like(self.data)
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

    def zero_grad(self) -> None:
        """Set the gradient to zero in place."""
        self.grad[...] = 0

    def to(self, device: str) -> Parameter:
        """Move data and gradient to ``device`` ("cpu" or "gpu") in place; return self."""
        self.data = to_device(self.data, device)
        self.grad = to_device(self.grad, device)
        return self

    def __repr__(self) -> str:
        name = f"{self.name!r}, " if self.name else ""
        frozen = "" if self.trainable else ", trainable=False"
        return f"Parameter({name}shape={self.shape}, dtype={self.dtype}{frozen})"

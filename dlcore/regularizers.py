"""Weight penalties: L1, L2 and both, attached to parameters.

A regularizer attached to a :class:`~dlcore.parameter.Parameter` (its
``regularizer`` attribute) adds a penalty to the loss that ``fit`` minimises and
reports, and the penalty's gradient to the parameter's ``grad`` in
``Sequential.backward``, so gradient checks of a model cover it. By default only
weights (``W``) are penalised, never biases:

>>> Dense(64, 32, regularizer=L2(1e-3))            # one layer's W
>>> attach(model, L2(1e-3))                         # every W of a model

Scale convention: ``L2(l2)`` is ``l2 / 2 * sum(w**2)`` with gradient ``l2 * w``.
The course notes write the cost as ``(1/m) sum L + lambda / (2m) * sum ||W||^2``; since
dlcore's loss is already the mean over the batch, their ``lambda / m`` is ``l2`` here.
(Keras's ``L2(l2)`` has no 1/2: Keras ``L2(a)`` equals dlcore ``L2(2a)``.)
An L2 penalty is not the same as an optimizer's decoupled ``weight_decay`` except
under plain SGD; see :class:`~dlcore.optimizers.Optimizer`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._checks import check_positive, lookup, reject_unknown_kwargs
from .backend import get_array_module
from .parameter import Parameter


class Regularizer:
    """Base class: a penalty ``R(w)`` (a float) and its gradient ``dR/dw`` (an array)."""

    def penalty(self, w) -> float:
        raise NotImplementedError

    def gradient(self, w):
        """``dR/dw``, an array shaped like ``w``."""
        raise NotImplementedError

    def __call__(self, w) -> float:
        return self.penalty(w)

    def get_config(self) -> dict[str, Any]:
        return dict(vars(self))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash((type(self).__name__, *sorted(vars(self).items())))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """``R(w) = l1 * sum(|w|)``; gradient ``l1 * sign(w)`` (0 at w = 0).

    Pushes weights to exactly zero: sparse weights, a form of feature selection.
    """

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = check_positive("L1 strength l1", l1, allow_zero=True)

    def penalty(self, w) -> float:
        return self.l1 * float(get_array_module(w).abs(w).sum())

    def gradient(self, w):
        return self.l1 * get_array_module(w).sign(w)


class L2(Regularizer):
    """``R(w) = l2 / 2 * sum(w**2)``; gradient ``l2 * w``.

    Shrinks every weight towards zero in proportion to its size ("weight decay").
    """

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = check_positive("L2 strength l2", l2, allow_zero=True)

    def penalty(self, w) -> float:
        flat = w.reshape(-1)
        return 0.5 * self.l2 * float(get_array_module(w).vdot(flat, flat))

    def gradient(self, w):
        return self.l2 * w


class L1L2(Regularizer):
    """Both penalties: ``l1 * sum(|w|) + l2 / 2 * sum(w**2)`` (the elastic net)."""

    def __init__(self, l1: float = 0.01, l2: float = 0.01) -> None:
        self.l1 = check_positive("L1L2 strength l1", l1, allow_zero=True)
        self.l2 = check_positive("L1L2 strength l2", l2, allow_zero=True)

    def penalty(self, w) -> float:
        return L1(self.l1).penalty(w) + L2(self.l2).penalty(w)

    def gradient(self, w):
        return self.l1 * get_array_module(w).sign(w) + self.l2 * w


_REGISTRY: dict[str, type[Regularizer]] = {"l1": L1, "l2": L2, "l1l2": L1L2, "l1_l2": L1L2}


def get(spec: Any) -> Regularizer | None:
    """A regularizer from an instance, a name ("l2"), a saved config, or None.

    A saved config is what :func:`to_config` returns: ``{"class": "L2", "config": {"l2": 0.01}}``.
    """
    if spec is None or isinstance(spec, Regularizer):
        return spec
    if isinstance(spec, dict):
        if set(spec) != {"class", "config"}:
            raise ValueError(
                f"a regularizer config has the keys 'class' and 'config'; received {sorted(spec)}"
            )
        cls = lookup("regularizer", spec["class"], _REGISTRY)
        valid = cls().get_config()
        reject_unknown_kwargs(
            f"{cls.__name__}()", {k: v for k, v in spec["config"].items() if k not in valid}, valid
        )
        return cls(**spec["config"])
    if isinstance(spec, str):
        return lookup("regularizer", spec, _REGISTRY)()
    raise TypeError(
        f"expected a Regularizer (L1, L2, L1L2), its name or None; received {type(spec).__name__}"
    )


def to_config(regularizer: Regularizer | None) -> dict[str, Any] | None:
    """A JSON-serialisable description that :func:`get` turns back into the regularizer."""
    if regularizer is None:
        return None
    return {"class": type(regularizer).__name__, "config": regularizer.get_config()}


def total_penalty(params: Iterable[Parameter]) -> float:
    """The sum of the penalties of the parameters that have a regularizer."""
    return sum(p.regularizer.penalty(p.data) for p in params if p.regularizer is not None)


def add_penalty_gradients(params: Iterable[Parameter]) -> None:
    """Add each regularizer's gradient to its parameter's ``grad`` (after backprop)."""
    for p in params:
        if p.regularizer is not None:
            p.grad += p.regularizer.gradient(p.data)


def attach(model: Any, regularizer: Any, *, names: Iterable[str] = ("W",)) -> list[str]:
    """Attach ``regularizer`` to every parameter of ``model`` named in ``names``.

    Parameters
    ----------
    model : Sequential or Layer
        Anything with ``named_parameters()``.
    regularizer : Regularizer, name, or None (None removes the penalties)
    names : parameter names to penalise; default only the weights ``W``. Use
        ``("W", "b")`` to penalise the biases too.

    Returns the full names (``"0.W"``...) of the parameters it attached to.
    """
    regularizer = get(regularizer)
    names = set(names)
    attached = []
    for full_name, p in model.named_parameters():
        if full_name.rpartition(".")[2] in names:
            p.regularizer = regularizer
            attached.append(full_name)
    if not attached:
        found = sorted({n.rpartition(".")[2] for n, _ in model.named_parameters()})
        raise ValueError(
            f"attach(): no parameter named {sorted(names)} in the model; its parameters are "
            f"named {found}"
        )
    return attached

"""Loss functions: ``value = loss(pred, target)`` then ``dpred = loss.backward()``.

The mean over the batch is taken here and nowhere else in the engine: layers and
models pass gradients through unscaled, so the ``1/N`` of every formula below
lives in exactly one place. ``N`` is the batch size (``pred.shape[0]``) and ``M``
the number of elements of ``pred`` (``M = N`` for shapes ``(N,)`` and ``(N, 1)``).

Shape rules shared by every loss: ``pred`` and ``target`` have the same shape,
except that a target of shape ``(N,)`` is accepted with ``pred`` of shape
``(N, 1)``, and the sparse / fused softmax losses take integer labels ``(N,)``
with ``pred`` of shape ``(N, K)``. Before a logarithm, probabilities are clipped:
``clip(p) = max(p, eps)``, and to ``[eps, 1 - eps]`` where ``log(1 - p)`` is taken
too (binary cross-entropy), with ``eps = 1e-12`` (or the dtype's machine epsilon
when that is larger, so that ``1 - eps < 1`` in float32).
"""

from __future__ import annotations

import inspect
import math
from typing import Any, ClassVar

import numpy as np

from . import functional as F
from ._checks import NonFiniteError, check_positive, lookup, reject_unknown_kwargs
from .backend import device_of, get_array_module, on_device

EPS = 1e-12


def _first(values: Any, mask: Any) -> Any:
    """The first entry of ``values`` where ``mask`` holds, as a Python number."""
    return values[mask].ravel()[0].item()


def _clip_probs(p: Any, upper: bool = True) -> Any:
    """clip(p, eps, 1 - eps), or max(p, eps) when only log(p) is taken (``upper=False``)."""
    eps = max(EPS, float(np.finfo(p.dtype).eps))
    return get_array_module(p).clip(p, eps, 1.0 - eps if upper else 1.0)


def _check_pair(loss: Loss, pred: Any, target: Any) -> tuple[Any, Any, bool]:
    """Apply the shared shape rules; return ``(pred, target, target_is_labels)``.

    ``pred`` comes back as a float array (float64 unless it already was floating);
    a float target is cast to ``pred``'s dtype, integer labels are left as they are.
    """
    name = loss.name
    target = on_device(target, device_of(pred), name)  # host labels follow GPU predictions
    xp = get_array_module(pred, target)
    pred, target = xp.asarray(pred), xp.asarray(target)
    if pred.dtype.kind != "f":
        pred = pred.astype(xp.float64)
    if pred.ndim == 0 or pred.size == 0:
        raise ValueError(
            f"{name}: pred must be a non-empty batch, shape (N, ...) with N >= 1; "
            f"received shape {pred.shape}"
        )
    for what, arr in (("pred", pred), ("target", target)):
        if arr.dtype.kind == "f" and not bool(xp.isfinite(arr).all()):
            raise NonFiniteError(
                f"{name}: {what} contains NaN or inf (first bad value "
                f"{_first(arr, ~xp.isfinite(arr))}); a diverging model often means the "
                "learning rate is too high"
            )
    n = pred.shape[0]
    if loss.pred_form == "matrix" and pred.ndim != 2:
        raise ValueError(f"{name}: pred must have shape (N, K); received {pred.shape}")
    if loss.pred_form == "scores" and not (pred.ndim == 1 or pred.shape[1:] == (1,)):
        raise ValueError(f"{name}: pred must have shape (N,) or (N, 1); received {pred.shape}")
    if "labels" in loss.target_forms and target.shape == (n,) and pred.ndim == 2:
        return pred, target, True
    if "same" in loss.target_forms:
        if target.shape == (n,) and pred.shape == (n, 1):
            target = target.reshape(n, 1)
        if target.shape == pred.shape:
            return pred, target.astype(pred.dtype, copy=False), False
    expected = " or ".join(
        {"same": f"{pred.shape}", "labels": f"({n},) integer labels"}[f] for f in loss.target_forms
    )
    raise ValueError(
        f"{name}: pred has shape {pred.shape} but target has shape {target.shape}; "
        f"expected target of shape {expected}{loss.shape_hint}"
    )


def _check_interval(name: str, what: str, x: Any, hint: str = "") -> None:
    """Raise unless every entry of ``x`` lies in [0, 1]."""
    bad = (x < 0) | (x > 1)
    if bool(bad.any()):
        raise ValueError(f"{name}: {what} must lie in [0, 1]; received {_first(x, bad)}{hint}")


def _check_rows(name: str, t: Any) -> None:
    """Raise unless every row of ``t`` (N, K) is a probability distribution."""
    _check_interval(name, "target entries", t)
    xp = get_array_module(t)
    sums = t.sum(axis=1)
    bad = xp.abs(sums - 1.0) > 1e-4
    if bool(bad.any()):
        row = int(xp.argmax(bad))
        raise ValueError(
            f"{name}: each target row must sum to 1 (one-hot or probabilities); "
            f"row {row} sums to {float(sums[row]):.6g}"
        )


def _labels_to_onehot(name: str, labels: Any, k: int, dtype: Any) -> Any:
    """Check integer labels (N,) in [0, K) and return their one-hot rows (N, K)."""
    xp = get_array_module(labels)
    if labels.dtype.kind == "f":
        fractional = labels != xp.round(labels)
        if bool(fractional.any()):
            raise ValueError(
                f"{name}: labels must be integers; received {_first(labels, fractional)}"
            )
    elif labels.dtype.kind not in "iub":
        raise ValueError(f"{name}: labels must be integers; received dtype {labels.dtype}")
    out_of_range = (labels < 0) | (labels >= k)
    if bool(out_of_range.any()):
        raise ValueError(
            f"{name}: label {_first(labels, out_of_range)} is out of range for K = {k} "
            f"classes (pred has shape {(labels.shape[0], k)}); labels must lie in [0, {k})"
        )
    return xp.eye(k, dtype=dtype)[labels.astype(xp.int64)]


def _threshold(x: Any, at: float) -> Any:
    """Integer labels ``x >= at`` (1) or not (0); a column (N, 1) comes back as (N,)."""
    xp = get_array_module(x)
    labels = (xp.asarray(x) >= at).astype(xp.int64)
    return labels.reshape(-1) if labels.ndim == 2 and labels.shape[1] == 1 else labels


class Loss:
    """Base class: ``forward(pred, target) -> float`` then ``backward() -> dpred``.

    Subclasses implement ``_value(pred, target)`` (a 0-d array) and
    ``_grad(pred, target)`` (same shape as ``pred``), both already divided by N or M,
    and may override ``_validate`` for checks on values.
    """

    pred_form: ClassVar[str] = "any"  # "any", "matrix" (N, K) or "scores" (N,)/(N, 1)
    target_forms: ClassVar[tuple[str, ...]] = ("same",)  # and/or "labels" (N,)
    shape_hint: ClassVar[str] = ""

    def __init__(self) -> None:
        self._pred: Any = None
        self._target: Any = None

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{self.name}({args})"

    def __call__(self, pred: Any, target: Any) -> float:
        return self.forward(pred, target)

    def forward(self, pred: Any, target: Any) -> float:
        """Return the mean loss of a batch as a Python float and remember the batch.

        Parameters
        ----------
        pred : array, shape (N, ...)
            The model's output; converted to float64 unless already floating.
        target : array
            Same shape as ``pred`` (or see the module docstring for the exceptions).
        """
        pred, target, is_labels = _check_pair(self, pred, target)
        pred, target = self._validate(pred, target, is_labels)
        self._pred, self._target = pred, target
        return float(self._value(pred, target))

    def backward(self) -> Any:
        """Return d(loss)/d(pred) for the last batch: same shape and dtype as ``pred``."""
        if self._pred is None:
            raise RuntimeError(
                f"{self.name}.backward() called before forward(); compute the loss first"
            )
        return self._grad(self._pred, self._target).astype(self._pred.dtype, copy=False)

    def _validate(self, pred: Any, target: Any, is_labels: bool) -> tuple[Any, Any]:
        return pred, target

    def _value(self, pred: Any, target: Any) -> Any:
        raise NotImplementedError

    def _grad(self, pred: Any, target: Any) -> Any:
        raise NotImplementedError

    def predicted_labels(self, pred: Any) -> Any:
        """Integer class labels (N,) predicted by ``pred``; classification losses only."""
        raise TypeError(f"{self.name} is a regression loss: accuracy is not defined")

    def true_labels(self, target: Any) -> Any:
        """Integer class labels (N,) encoded by ``target``; classification losses only."""
        raise TypeError(f"{self.name} is a regression loss: accuracy is not defined")


class MSE(Loss):
    """Mean squared error: L = (1/M) sum (pred - target)^2, dL/dpred = 2 (pred - target) / M."""

    def _value(self, pred: Any, target: Any) -> Any:
        return ((pred - target) ** 2).mean()

    def _grad(self, pred: Any, target: Any) -> Any:
        return 2.0 * (pred - target) / pred.size


class MAE(Loss):
    """Mean absolute error: L = (1/M) sum |r| with r = pred - target; dL/dpred = sign(r) / M.

    The gradient at r = 0 is taken as 0.
    """

    def _value(self, pred: Any, target: Any) -> Any:
        return get_array_module(pred).abs(pred - target).mean()

    def _grad(self, pred: Any, target: Any) -> Any:
        return get_array_module(pred).sign(pred - target) / pred.size


class Huber(Loss):
    """Huber loss: quadratic near 0, linear beyond ``delta``; r = pred - target.

    L = (1/M) sum h(r) with h(r) = r^2 / 2 when |r| <= delta, else delta (|r| - delta / 2).
    dL/dpred = clip(r, -delta, delta) / M.

    Parameters
    ----------
    delta : float, default 1.0
        Where the quadratic part meets the linear part; must be > 0.
    """

    def __init__(self, delta: float = 1.0) -> None:
        super().__init__()
        self.delta = check_positive("Huber: delta", delta)

    def _value(self, pred: Any, target: Any) -> Any:
        xp = get_array_module(pred)
        r = xp.abs(pred - target)
        return xp.where(r <= self.delta, 0.5 * r**2, self.delta * (r - 0.5 * self.delta)).mean()

    def _grad(self, pred: Any, target: Any) -> Any:
        xp = get_array_module(pred)
        return xp.clip(pred - target, -self.delta, self.delta) / pred.size


class LogCosh(Loss):
    """Log-cosh loss: L = (1/M) sum log(cosh(r)), r = pred - target; dL/dpred = tanh(r) / M.

    Computed as |r| + log1p(exp(-2 |r|)) - log 2, which never overflows (r = 1000 is fine).
    """

    def _value(self, pred: Any, target: Any) -> Any:
        xp = get_array_module(pred)
        r = xp.abs(pred - target)
        return (r + xp.log1p(xp.exp(-2.0 * r)) - math.log(2.0)).mean()

    def _grad(self, pred: Any, target: Any) -> Any:
        return get_array_module(pred).tanh(pred - target) / pred.size


class _Categorical(Loss):
    """Losses on (N, K) rows: targets are one-hot / probability rows, labels are argmaxes."""

    pred_form = "matrix"
    pred_hint: ClassVar[str | None] = None  # None: pred holds logits, else probabilities

    def _validate(self, pred: Any, target: Any, is_labels: bool) -> tuple[Any, Any]:
        if self.pred_hint is not None:
            _check_interval(self.name, "pred (probabilities)", pred, self.pred_hint)
        if is_labels:
            return pred, _labels_to_onehot(self.name, target, pred.shape[1], pred.dtype)
        _check_rows(self.name, target)
        return pred, target

    def predicted_labels(self, pred: Any) -> Any:
        """The most likely class of each row: argmax over K, shape (N,)."""
        xp = get_array_module(pred)
        pred = xp.asarray(pred)
        if pred.ndim != 2:
            raise ValueError(f"{self.name}: pred must have shape (N, K); received {pred.shape}")
        return pred.argmax(axis=1).astype(xp.int64)

    def true_labels(self, target: Any) -> Any:
        """Labels (N,) from one-hot rows (argmax) or from labels already (N,)."""
        xp = get_array_module(target)
        target = xp.asarray(target)
        return (target.argmax(axis=1) if target.ndim == 2 else target).astype(xp.int64)


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy with targets t in [0, 1], mean over the M elements.

    Probabilities (default), p = clip(pred, eps, 1 - eps) with eps = 1e-12:
        L = -(1/M) sum [t log p + (1 - t) log(1 - p)],  dL/dpred = (p - t) / (p (1 - p)) / M.
    The gradient is that of the clipped expression evaluated at the clipped p.

    Logits (``from_logits=True``), z = pred, sigma the sigmoid:
        L = (1/M) sum [max(z, 0) - z t + log(1 + exp(-|z|))],  dL/dz = (sigma(z) - t) / M,
    both stable for logits of any size.

    Parameters
    ----------
    from_logits : bool, default False
        Whether ``pred`` holds raw scores rather than probabilities.
    """

    def __init__(self, from_logits: bool = False) -> None:
        super().__init__()
        if not isinstance(from_logits, bool):
            raise TypeError(
                f"BinaryCrossEntropy: from_logits must be True or False; received {from_logits!r}"
            )
        self.from_logits = from_logits

    def _validate(self, pred: Any, target: Any, is_labels: bool) -> tuple[Any, Any]:
        _check_interval(self.name, "targets", target)
        if not self.from_logits:
            hint = " (pass from_logits=True for raw scores)"
            _check_interval(self.name, "pred (probabilities)", pred, hint)
        return pred, target

    def _value(self, pred: Any, target: Any) -> Any:
        xp = get_array_module(pred)
        if self.from_logits:
            z = pred
            return (xp.maximum(z, 0) - z * target + xp.log1p(xp.exp(-xp.abs(z)))).mean()
        p = _clip_probs(pred)
        return -(target * xp.log(p) + (1 - target) * xp.log(1 - p)).mean()

    def _grad(self, pred: Any, target: Any) -> Any:
        if self.from_logits:
            return (F.sigmoid_forward(pred)[0] - target) / pred.size
        p = _clip_probs(pred)
        return (p - target) / (p * (1 - p)) / pred.size

    def predicted_labels(self, pred: Any) -> Any:
        """1 where pred >= 0.5 (probabilities) or pred >= 0 (logits), else 0; (N, 1) flattens."""
        return _threshold(pred, 0.0 if self.from_logits else 0.5)

    def true_labels(self, target: Any) -> Any:
        """1 where target >= 0.5, else 0; (N, 1) flattens to (N,)."""
        return _threshold(target, 0.5)


class CategoricalCrossEntropy(_Categorical):
    """Cross-entropy of probabilities pred (N, K) against one-hot or probability rows t (N, K).

    L = -(1/N) sum_{n,k} t_nk log(clip(p_nk)),  dL/dp = -t / clip(p) / N,
    with clip(p) = max(p, eps), eps = 1e-12.
    """

    pred_hint = " (use SoftmaxCrossEntropy for logits)"
    shape_hint = "; for integer labels use SparseCategoricalCrossEntropy or SoftmaxCrossEntropy"

    def _value(self, pred: Any, target: Any) -> Any:
        xp = get_array_module(pred)
        return -(target * xp.log(_clip_probs(pred, upper=False))).sum() / pred.shape[0]

    def _grad(self, pred: Any, target: Any) -> Any:
        return -target / _clip_probs(pred, upper=False) / pred.shape[0]


class SparseCategoricalCrossEntropy(CategoricalCrossEntropy):
    """Categorical cross-entropy with integer labels y (N,) in [0, K) and probabilities p (N, K).

    L = -(1/N) sum_n log(clip(p[n, y_n])),  dL/dp = -onehot(y) / clip(p) / N.
    """

    target_forms = ("labels",)
    shape_hint = "; for one-hot targets use CategoricalCrossEntropy"


class SoftmaxCrossEntropy(_Categorical):
    """Softmax followed by cross-entropy, fused and stable; takes logits z (N, K).

    Targets are integer labels y (N,) or one-hot / probability rows t (N, K).
    log softmax(z) = (z - max z) - log sum exp(z - max z), row by row, so
        L = -(1/N) sum_{n,k} t_nk log softmax(z)_nk,  dL/dz = (softmax(z) - t) / N,
    finite for logits of +-1000.
    """

    target_forms = ("labels", "same")

    def _value(self, pred: Any, target: Any) -> Any:
        self._log_probs = F.log_softmax(pred, axis=1)  # kept: backward's softmax is its exp
        return -(target * self._log_probs).sum() / pred.shape[0]

    def _grad(self, pred: Any, target: Any) -> Any:
        xp = get_array_module(pred)
        return (xp.exp(self._log_probs) - target) / pred.shape[0]


class Hinge(Loss):
    """Binary hinge loss on scores s (N,) or (N, 1), targets t in {-1, +1} (0 read as -1).

    L = (1/N) sum max(0, 1 - t s),  dL/ds = -t [1 - t s > 0] / N.
    """

    pred_form = "scores"

    def _validate(self, pred: Any, target: Any, is_labels: bool) -> tuple[Any, Any]:
        bad = (target != -1) & (target != 0) & (target != 1)
        if bool(bad.any()):
            raise ValueError(
                f"{self.name}: targets must be -1/+1 or 0/1; received {_first(target, bad)}"
            )
        return pred, get_array_module(target).where(target == 0, -1.0, target).astype(pred.dtype)

    def _value(self, pred: Any, target: Any) -> Any:
        return get_array_module(pred).maximum(0.0, 1.0 - target * pred).mean()

    def _grad(self, pred: Any, target: Any) -> Any:
        return -target * (1.0 - target * pred > 0) / pred.size

    def predicted_labels(self, pred: Any) -> Any:
        """1 where the score is >= 0, else 0; shape (N,)."""
        return _threshold(pred, 0.0)

    def true_labels(self, target: Any) -> Any:
        """1 for target +1, 0 for target -1 (or 0); shape (N,)."""
        return _threshold(target, 0.5)


class KLDivergence(_Categorical):
    """Kullback-Leibler divergence KL(p || q) of target rows p from predicted rows q, both (N, K).

    L = (1/N) sum_{n,k} p log(p / clip(q)), with 0 log 0 = 0;  dL/dq = -p / clip(q) / N,
    with clip(q) = max(q, eps), eps = 1e-12.
    """

    pred_hint = ""

    def _value(self, pred: Any, target: Any) -> Any:
        xp = get_array_module(pred)
        safe_p = xp.where(target > 0, target, 1.0)  # log(1) = 0 stands in for 0 log 0
        log_q = xp.log(_clip_probs(pred, upper=False))
        return (target * (xp.log(safe_p) - log_q)).sum() / pred.shape[0]

    def _grad(self, pred: Any, target: Any) -> Any:
        return -target / _clip_probs(pred, upper=False) / pred.shape[0]


_REGISTRY: dict[str, type[Loss]] = {
    "mse": MSE, "mean_squared_error": MSE, "mae": MAE, "mean_absolute_error": MAE,
    "huber": Huber, "log_cosh": LogCosh, "logcosh": LogCosh,
    "binary_crossentropy": BinaryCrossEntropy, "bce": BinaryCrossEntropy,
    "categorical_crossentropy": CategoricalCrossEntropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossEntropy,
    "softmax_cross_entropy": SoftmaxCrossEntropy,
    "hinge": Hinge, "kl_divergence": KLDivergence, "kld": KLDivergence,
}  # fmt: skip


def get(name: str | Loss, **kwargs: Any) -> Loss:
    """Return a loss by Keras-style name, e.g. ``get("huber", delta=2.0)``.

    A :class:`Loss` instance is returned unchanged (keyword arguments are then an
    error). Unknown names list the valid ones; unknown keyword arguments name
    themselves and the valid ones.
    """
    if isinstance(name, Loss):
        if kwargs:
            raise TypeError(f"get() received a {name.name} instance and also {sorted(kwargs)}")
        return name
    cls = lookup("loss", name, _REGISTRY)
    valid = [p for p in inspect.signature(cls).parameters]
    if kwargs and not valid:
        raise TypeError(f"{cls.__name__} takes no keyword arguments; received {sorted(kwargs)}")
    reject_unknown_kwargs(cls.__name__, {k: v for k, v in kwargs.items() if k not in valid}, valid)
    return cls(**kwargs)

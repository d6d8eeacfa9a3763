"""Numerical gradient checking: compare a backward pass with centred differences.

For a scalar function L, the centred difference

    dL/dx_i ~= (L(x + h e_i) - L(x - h e_i)) / (2 h)

has an error of order h^2, so with h = 1e-5 in float64 it agrees with a correct
analytic gradient to about 1e-9 (relative). Compare with

    rel_error(a, b) = ||a - b|| / (||a|| + ||b||)

and read it as: below 1e-7 correct; around 1e-5 suspicious (or a kink such as
ReLU at 0 was crossed); above 1e-3 almost certainly a bug. Checks always run in
float64: float32 keeps only about 7 digits, which the differences would eat.

Layers and models produce arrays, not scalars. The check turns them into the
scalar L = sum(output * G) with a *random* upstream gradient G (all-ones would
hide a backward that mixes up rows or columns). Tensors larger than
``max_entries`` are checked along random directions instead of entry by entry:
(L(x + h v) - L(x - h v)) / (2 h) must equal <dL/dx, v>.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._checks import as_rng
from .backend import device_of, get_array_module, to_device, to_numpy

DEFAULT_H = 1e-5
DEFAULT_TOL = 1e-6
DEFAULT_MAX_ENTRIES = 2000


def _require_float64(array: Any, what: str) -> None:
    if getattr(array, "dtype", None) != np.float64:
        dtype = getattr(array, "dtype", type(array).__name__)
        raise TypeError(
            f"gradient checks need float64 arrays, but {what} is {dtype}: float32 keeps "
            "about 7 digits and centred differences would be mostly rounding noise. "
            "Use x.astype(np.float64), or build the layer/model with dtype=np.float64."
        )


def rel_error(a: Any, b: Any) -> float:
    """||a - b|| / (||a|| + ||b||), 0.0 when both are zero (a plain Python float)."""
    a, b = to_numpy(a).astype(np.float64), to_numpy(b).astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} vs {b.shape}")
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def numerical_gradient(f: Callable[[Any], float], x: Any, h: float = DEFAULT_H):
    """dL/dx of a scalar function ``L = f(x)`` by centred differences, entry by entry.

    ``x`` (float64, any shape) is perturbed in place and restored; the result has
    x's shape. ``f`` must return a number and read ``x`` afresh on every call.
    """
    _require_float64(x, "x")
    xp = get_array_module(x)
    grad = xp.zeros(x.shape, dtype=x.dtype)
    for index in np.ndindex(*x.shape):  # any memory layout: index x itself, never a copy
        original = float(x[index])
        x[index] = original + h
        plus = float(f(x))
        x[index] = original - h
        minus = float(f(x))
        x[index] = original
        grad[index] = (plus - minus) / (2 * h)
    return grad


def directional_derivative(
    f: Callable[[Any], float], x: Any, direction: Any, h: float = DEFAULT_H
) -> float:
    """(f(x + h v) - f(x - h v)) / (2 h): the numerical derivative of f along ``direction``.

    ``x`` is changed in place and restored.
    """
    _require_float64(x, "x")
    original = x.copy()
    x += h * direction
    plus = float(f(x))
    x[...] = original - h * direction
    minus = float(f(x))
    x[...] = original
    return (plus - minus) / (2 * h)


@dataclass
class GradCheckEntry:
    """The comparison for one tensor."""

    name: str
    shape: tuple[int, ...]
    method: str
    rel_error: float
    max_abs_error: float
    worst_index: tuple[int, ...] | None
    passed: bool


@dataclass
class GradCheckReport:
    """Per-tensor results of a gradient check; truthy when every tensor passed."""

    tol: float
    entries: list[GradCheckEntry] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(e.passed for e in self.entries)

    def __bool__(self) -> bool:
        return self.passed

    @property
    def failures(self) -> list[GradCheckEntry]:
        return [e for e in self.entries if not e.passed]

    @property
    def max_rel_error(self) -> float:
        return max((e.rel_error for e in self.entries), default=0.0)

    def __str__(self) -> str:
        header = ("tensor", "shape", "method", "rel. error", "max |diff|", "worst entry", "")
        rows = [header]
        for e in self.entries:
            worst = "-" if e.worst_index is None else str(e.worst_index)
            mark = "FAIL" if not e.passed else "ok" if e.rel_error <= self.tol else "ok (both ~0)"
            rows.append(
                (
                    e.name,
                    str(e.shape),
                    e.method,
                    f"{e.rel_error:.2e}",
                    f"{e.max_abs_error:.2e}",
                    worst,
                    mark,
                )
            )
        widths = [max(len(row[c]) for row in rows) for c in range(len(header))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        verdict = (
            "PASSED"
            if self.passed
            else f"FAILED ({len(self.failures)} of {len(self.entries)} tensors)"
        )
        return f"gradient check, tolerance {self.tol:g}: {verdict}\n" + "\n".join(lines)

    __repr__ = __str__


def _rounding_floor(value: float, h: float) -> float:
    """Absolute error that rounding alone can cause in a centred difference of L ~ value.

    Below it, two gradients agree as far as float64 can tell; this lets an
    exactly-zero gradient (a bias followed by batch norm) pass.
    """
    return 100 * np.finfo(np.float64).eps * max(1.0, abs(value)) / h


def _compare(name, x, analytic, objective, *, method, h, tol, max_entries, rng) -> GradCheckEntry:
    """Check ``analytic`` = dL/dx for the scalar ``objective()`` that reads ``x`` in place.

    A tensor passes when its relative error is at most ``tol``, or when every
    difference is below the rounding floor of the objective.
    """
    floor = _rounding_floor(objective(), h)
    use_full = method == "full" or (method == "auto" and x.size <= max_entries)

    def f(_):
        return objective()

    if use_full:
        numeric = numerical_gradient(f, x, h)
        diff = np.abs(to_numpy(analytic) - to_numpy(numeric))
        worst = (
            tuple(int(i) for i in np.unravel_index(int(diff.argmax()), diff.shape))
            if diff.size
            else None
        )
        err = rel_error(analytic, numeric)
        max_diff = float(diff.max(initial=0.0))
        passed = err <= tol or max_diff <= floor
        return GradCheckEntry(name, tuple(x.shape), "full", err, max_diff, worst, passed)
    xp = get_array_module(x)
    errors, diffs = [], []
    for _ in range(3):
        direction = xp.asarray(rng.standard_normal(x.shape))
        numeric = directional_derivative(f, x, direction, h)
        exact = float((analytic * direction).sum())
        diffs.append(abs(exact - numeric))
        errors.append(rel_error(np.array([exact]), np.array([numeric])))
    err = max(errors)
    passed = err <= tol or max(diffs) <= floor
    return GradCheckEntry(name, tuple(x.shape), "directional x3", err, max(diffs), None, passed)


def check_function(
    f: Callable[..., Any],
    df: Callable[..., Any],
    *inputs: Any,
    names: Sequence[str] | None = None,
    rng: np.random.Generator | None = None,
    seed: int | None = 0,
    tol: float = DEFAULT_TOL,
    h: float = DEFAULT_H,
) -> GradCheckReport:
    """Check ``df`` against the numerical gradient of ``f`` for every input.

    Parameters
    ----------
    f : callable
        ``f(*inputs) -> out``, an array of any shape (or a scalar).
    df : callable
        ``df(dout, *inputs) -> gradient`` (one input) or a tuple of gradients, one per
        input, each shaped like that input; ``dout`` is dL/d(out).
    *inputs : float64 arrays
    names : names of the inputs in the report (default "x0", "x1", ...).

    Returns
    -------
    GradCheckReport, truthy when every input's relative error is at most ``tol``.
    """
    if not inputs:
        raise ValueError("check_function needs at least one input array")
    names = list(names) if names is not None else [f"x{i}" for i in range(len(inputs))]
    if len(names) != len(inputs):
        raise ValueError(f"check_function: {len(names)} names for {len(inputs)} inputs")
    for name, x in zip(names, inputs):
        _require_float64(x, f"input {name!r}")
    generator = as_rng(rng, None if rng is not None else seed)
    xp = get_array_module(*inputs)
    out = xp.asarray(f(*inputs))
    dout = xp.asarray(generator.standard_normal(out.shape))
    grads = df(dout, *inputs)
    grads = grads if isinstance(grads, (tuple, list)) else (grads,)
    if len(grads) != len(inputs):
        raise ValueError(
            f"check_function: df returned {len(grads)} gradients for {len(inputs)} inputs"
        )
    report = GradCheckReport(tol)
    for name, x, g in zip(names, inputs, grads):
        if tuple(g.shape) != tuple(x.shape):
            raise ValueError(
                f"check_function: gradient for {name!r} has shape {tuple(g.shape)}, "
                f"expected {tuple(x.shape)}"
            )

        def objective():
            return float((xp.asarray(f(*inputs)) * dout).sum())

        report.entries.append(
            _compare(
                name, x, g, objective, method="full", h=h, tol=tol, max_entries=0, rng=generator
            )
        )
    return report


class _FrozenRandomness:
    """Replays the same random numbers (dropout masks) on every forward of a check."""

    def __init__(self, layers: Sequence[Any]) -> None:
        self.saved = [
            (layer, layer.rng.bit_generator.state)
            for layer in layers
            if isinstance(getattr(layer, "rng", None), np.random.Generator)
        ]

    def rewind(self) -> None:
        for layer, state in self.saved:
            layer.rng.bit_generator.state = state
            if hasattr(layer, "forget_device_generator"):  # GPU masks: seeded from rng again
                layer.forget_device_generator()


def _check_network(
    layers: Sequence[Any],
    forward: Callable[[Any], Any],
    backward: Callable[[Any], Any],
    named_params: list[tuple[str, Any]],
    x: Any,
    loss: Any,
    y: Any,
    *,
    method: str,
    max_entries: int,
    rng: np.random.Generator,
    tol: float,
    h: float,
    check_input: bool,
    state: tuple[Callable[[], Any], Callable[[Any], None]],
    penalty: Callable[[], float] = lambda: 0.0,
) -> GradCheckReport:
    if method not in ("auto", "full", "directional"):
        raise ValueError(f"method must be 'auto', 'full' or 'directional'; received {method!r}")
    _require_float64(x, "the input x")
    for name, p in named_params:
        _require_float64(p.data, f"parameter {name!r}")
    if named_params:  # host data for a model on the GPU goes where the model is
        device = device_of(named_params[0][1].data)
        x = to_device(x, device)
        y = None if y is None else to_device(y, device)
    get_state, set_state = state
    saved_state = get_state()
    frozen = _FrozenRandomness(layers)
    xp = get_array_module(x)
    x = x.copy()

    def scalar_and_upstream():
        frozen.rewind()
        out = forward(x)
        if loss is not None:
            return loss.forward(out, y) + penalty(), loss.backward()
        dout = upstream if upstream is not None else xp.asarray(rng.standard_normal(out.shape))
        return float((out * dout).sum()) + penalty(), dout

    upstream = None
    _, upstream = scalar_and_upstream()
    try:
        for _, p in named_params:
            p.zero_grad()
        dx = backward(upstream)
        analytic = {name: p.grad.copy() for name, p in named_params}

        def objective():
            return scalar_and_upstream()[0]

        report = GradCheckReport(tol)
        options = dict(method=method, h=h, tol=tol, max_entries=max_entries, rng=rng)
        if check_input:
            report.entries.append(_compare("input", x, dx, objective, **options))
        for name, p in named_params:
            report.entries.append(_compare(name, p.data, analytic[name], objective, **options))
    finally:
        set_state(saved_state)
    return report


def check_layer(
    layer: Any,
    x: Any,
    *,
    rng: np.random.Generator | None = None,
    seed: int | None = 0,
    method: str = "auto",
    max_entries: int = DEFAULT_MAX_ENTRIES,
    tol: float = DEFAULT_TOL,
    h: float = DEFAULT_H,
) -> GradCheckReport:
    """Check a layer's backward for its input and every parameter, in its current mode.

    A random upstream gradient is used; dropout masks are replayed identically on
    every forward, and the layer's state (running averages) is restored afterwards.
    Gradients of the layer's parameters are left zeroed.
    """
    generator = as_rng(rng, None if rng is not None else seed)
    return _check_network(
        [layer],
        layer.forward,
        layer.backward,
        list(layer.named_parameters()),
        x,
        None,
        None,
        method=method,
        max_entries=max_entries,
        rng=generator,
        tol=tol,
        h=h,
        check_input=True,
        state=(layer.state_dict, layer.load_state_dict),
    )


def check_model(
    model: Any,
    X: Any,
    y: Any = None,
    *,
    loss: Any = None,
    rng: np.random.Generator | None = None,
    seed: int | None = 0,
    method: str = "auto",
    max_entries: int = DEFAULT_MAX_ENTRIES,
    tol: float = DEFAULT_TOL,
    h: float = DEFAULT_H,
) -> GradCheckReport:
    """Check a whole model's backward: every parameter and the input.

    With ``y``, the scalar checked is the loss (``loss`` or the model's compiled
    loss, with its 1/N); without, a random upstream gradient on the output. The
    weight penalties of attached regularizers (``model.penalty()``) are added in
    both cases, as ``fit`` does.
    Tensors with more than ``max_entries`` entries are checked along 3 random
    directions (``method="auto"``); ``method="full"`` or ``"directional"`` forces one.
    """
    if y is not None and loss is None:
        loss = getattr(model, "loss", None)
        if loss is None:
            raise ValueError(
                "check_model: y was given but no loss (pass loss=..., or compile the model)"
            )
    if loss is not None and y is None:
        raise ValueError("check_model: a loss needs targets y")
    if loss is not None:
        from .losses import get as get_loss

        loss = get_loss(loss)
    generator = as_rng(rng, None if rng is not None else seed)
    return _check_network(
        model.layers,
        model.forward,
        model.backward,
        list(model.named_parameters()),
        X,
        loss,
        y,
        method=method,
        max_entries=max_entries,
        rng=generator,
        tol=tol,
        h=h,
        check_input=True,
        state=(model.state_dict, model.load_state_dict),
        penalty=getattr(model, "penalty", lambda: 0.0),
    )

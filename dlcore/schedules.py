"""Learning-rate schedules: callables ``step -> lr``.

``step`` counts from 0: the first epoch (or batch) trains with ``lr0``. The
course notes count epochs from 1 (``epoch_num``), so their formulas use
``epoch_num = step + 1`` where the difference matters (``1/sqrt``).
A :class:`~dlcore.callbacks.LearningRateScheduler` applies a schedule during ``fit``;
any function ``step -> lr`` works there too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._checks import check_positive, check_probability, lookup


class Schedule:
    """Base class: ``schedule(step)`` is the learning rate at ``step`` (0, 1, 2...)."""

    def __call__(self, step: int) -> float:
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
            raise TypeError(f"{self!r}: step must be an integer; received {step!r}")
        if step < 0:
            raise ValueError(f"{self!r}: step must be >= 0; received {step}")
        return float(self.value(int(step)))

    def value(self, step: int) -> float:
        raise NotImplementedError

    def values(self, steps: int) -> list[float]:
        """The learning rates of steps 0 .. steps-1 (for plotting)."""
        return [self(t) for t in range(steps)]

    def get_config(self) -> dict[str, Any]:
        return dict(vars(self))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """``lr(t) = lr0``."""

    def __init__(self, lr0: float) -> None:
        self.lr0 = check_positive("lr0", lr0)

    def value(self, step: int) -> float:
        return self.lr0


class InverseTimeDecay(Schedule):
    """``lr(t) = lr0 / (1 + decay_rate * t)`` (the notes' "1 / (1 + decayRate * epochNumber)")."""

    def __init__(self, lr0: float, decay_rate: float = 1.0) -> None:
        self.lr0 = check_positive("lr0", lr0)
        self.decay_rate = check_positive("decay_rate", decay_rate, allow_zero=True)

    def value(self, step: int) -> float:
        return self.lr0 / (1.0 + self.decay_rate * step)


class ExponentialDecay(Schedule):
    """``lr(t) = lr0 * rate ** t`` (the notes use rate 0.95)."""

    def __init__(self, lr0: float, rate: float = 0.95) -> None:
        self.lr0 = check_positive("lr0", lr0)
        if check_probability("rate", rate, allow_one=True) == 0:
            raise ValueError("rate must be > 0: rate 0 sets the learning rate to 0 after step 0")
        self.rate = float(rate)

    def value(self, step: int) -> float:
        return self.lr0 * self.rate**step


class InverseSqrtDecay(Schedule):
    """``lr(t) = lr0 / sqrt(t + 1)`` (the notes' ``lr0 / sqrt(epoch_num)``, epochs from 1)."""

    def __init__(self, lr0: float) -> None:
        self.lr0 = check_positive("lr0", lr0)

    def value(self, step: int) -> float:
        return self.lr0 / math.sqrt(step + 1)


class StepDecay(Schedule):
    """Staircase decay: ``lr(t) = lr0 * drop ** floor(t / every)``.

    The notes' "reduce the learning rate by half after a fixed number of epochs"
    is ``StepDecay(lr0, drop=0.5, every=k)``.
    """

    def __init__(self, lr0: float, drop: float = 0.5, every: int = 10) -> None:
        self.lr0 = check_positive("lr0", lr0)
        if check_probability("drop", drop, allow_one=True) == 0:
            raise ValueError("drop must be > 0: drop 0 sets the learning rate to 0")
        self.drop = float(drop)
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer; received {every!r}")
        self.every = every

    def value(self, step: int) -> float:
        return self.lr0 * self.drop ** (step // self.every)


class CosineDecay(Schedule):
    """Cosine annealing (Loshchilov & Hutter 2017, without restarts).

    ``lr(t) = min_lr + (lr0 - min_lr) * (1 + cos(pi * t / total_steps)) / 2`` for
    ``t <= total_steps``, then ``min_lr``.
    """

    def __init__(self, lr0: float, total_steps: int, min_lr: float = 0.0) -> None:
        self.lr0 = check_positive("lr0", lr0)
        if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 1:
            raise ValueError(f"total_steps must be a positive integer; received {total_steps!r}")
        self.total_steps = total_steps
        self.min_lr = check_positive("min_lr", min_lr, allow_zero=True)
        if self.min_lr > self.lr0:
            raise ValueError(f"min_lr ({min_lr}) must not exceed lr0 ({lr0})")

    def value(self, step: int) -> float:
        progress = min(step, self.total_steps) / self.total_steps
        return self.min_lr + (self.lr0 - self.min_lr) * (1.0 + math.cos(math.pi * progress)) / 2


_REGISTRY: dict[str, type[Schedule]] = {
    "constant": Constant,
    "inverse_time": InverseTimeDecay,
    "exponential": ExponentialDecay,
    "inverse_sqrt": InverseSqrtDecay,
    "step": StepDecay,
    "staircase": StepDecay,
    "cosine": CosineDecay,
}


def get(name: str | Schedule, **kwargs: Any) -> Schedule:
    """A schedule by name (``get("exponential", lr0=0.1, rate=0.95)``); an instance unchanged."""
    if isinstance(name, Schedule):
        return name
    cls = lookup("schedule", name, _REGISTRY)
    try:
        return cls(**kwargs)
    except TypeError as error:
        raise TypeError(f"{cls.__name__}: {error}") from None

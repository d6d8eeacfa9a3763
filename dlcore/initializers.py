"""Weight initialisers: functions of (shape, rng, dtype) returning a NumPy array.

Weights are created on the host with the caller's random generator and moved
to the device afterwards, so one seed gives the same initial weights on every
backend. For a Dense weight of shape (fan_in, fan_out):

======================  ==========================================  ==========================
name                    distribution                                suits
======================  ==========================================  ==========================
zeros / ones            constant 0 / 1 (breaks nothing for biases,  biases
                        but keeps all hidden units identical)
normal(std)             N(0, std^2), default std = 0.01             the "small random" recipe
uniform(limit)          U(-limit, limit), default limit = 0.05
glorot_normal           N(0, 2 / (fan_in + fan_out))                tanh, sigmoid
glorot_uniform          U(+-sqrt(6 / (fan_in + fan_out)))           tanh, sigmoid (Keras default)
he_normal               N(0, 2 / fan_in)                            ReLU and its variants
he_uniform              U(+-sqrt(6 / fan_in))                       ReLU and its variants
lecun_normal            N(0, 1 / fan_in)                            SELU, tanh
lecun_uniform           U(+-sqrt(3 / fan_in))                       SELU, tanh
======================  ==========================================  ==========================

``xavier_*`` are aliases of ``glorot_*`` (Glorot & Bengio, 2010). Some course
notes call ``randn * sqrt(1 / fan_in)`` "Xavier"; that variance is LeCun's,
available here as ``lecun_normal``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ._checks import check_positive, lookup

Initializer = Callable[[Sequence[int], np.random.Generator, "np.dtype | type"], np.ndarray]


def _fans(shape: Sequence[int]) -> tuple[int, int]:
    """(fan_in, fan_out) for a weight of shape (fan_in, fan_out) or a vector."""
    shape = tuple(int(s) for s in shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[2:])
    return shape[0] * receptive, shape[1] * receptive


def zeros(shape, rng=None, dtype=np.float64) -> np.ndarray:
    """All zeros."""
    return np.zeros(shape, dtype=dtype)


def ones(shape, rng=None, dtype=np.float64) -> np.ndarray:
    """All ones."""
    return np.ones(shape, dtype=dtype)


def constant(value: float) -> Initializer:
    """An initialiser filling every entry with ``value``."""

    def init(shape, rng=None, dtype=np.float64):
        return np.full(shape, value, dtype=dtype)

    return init


def normal(std: float = 0.01) -> Initializer:
    """An initialiser drawing from N(0, std^2)."""
    check_positive("std", std)

    def init(shape, rng, dtype=np.float64):
        return (rng.standard_normal(shape) * std).astype(dtype)

    return init


def uniform(limit: float = 0.05) -> Initializer:
    """An initialiser drawing from U(-limit, limit)."""
    check_positive("limit", limit)

    def init(shape, rng, dtype=np.float64):
        return rng.uniform(-limit, limit, size=shape).astype(dtype)

    return init


def _scaled_normal(variance: Callable[[int, int], float]) -> Initializer:
    def init(shape, rng, dtype=np.float64):
        std = math.sqrt(variance(*_fans(shape)))
        return (rng.standard_normal(shape) * std).astype(dtype)

    return init


def _scaled_uniform(variance: Callable[[int, int], float]) -> Initializer:
    # U(-a, a) has variance a^2 / 3, so a = sqrt(3 * variance).
    def init(shape, rng, dtype=np.float64):
        limit = math.sqrt(3.0 * variance(*_fans(shape)))
        return rng.uniform(-limit, limit, size=shape).astype(dtype)

    return init


def _glorot(fan_in: int, fan_out: int) -> float:
    return 2.0 / (fan_in + fan_out)


def _he(fan_in: int, fan_out: int) -> float:
    return 2.0 / fan_in


def _lecun(fan_in: int, fan_out: int) -> float:
    return 1.0 / fan_in


glorot_normal = _scaled_normal(_glorot)
glorot_uniform = _scaled_uniform(_glorot)
he_normal = _scaled_normal(_he)
he_uniform = _scaled_uniform(_he)
lecun_normal = _scaled_normal(_lecun)
lecun_uniform = _scaled_uniform(_lecun)

_REGISTRY: dict[str, Callable[[], Initializer]] = {
    "zeros": lambda: zeros,
    "ones": lambda: ones,
    "normal": normal,
    "random_normal": normal,
    "uniform": uniform,
    "random_uniform": uniform,
    "glorot_normal": lambda: glorot_normal,
    "glorot_uniform": lambda: glorot_uniform,
    "xavier_normal": lambda: glorot_normal,
    "xavier_uniform": lambda: glorot_uniform,
    "he_normal": lambda: he_normal,
    "he_uniform": lambda: he_uniform,
    "lecun_normal": lambda: lecun_normal,
    "lecun_uniform": lambda: lecun_uniform,
}


def get(init: str | Initializer) -> Initializer:
    """Return the initialiser named ``init`` (or ``init`` itself when it is callable)."""
    if callable(init):
        return init
    return lookup("initializer", init, _REGISTRY)()

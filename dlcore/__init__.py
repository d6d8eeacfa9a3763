"""dlcore: the engine of the course "deep learning from scratch".

One reference implementation of every piece the notebooks teach, on NumPy
(CPU) or CuPy (GPU). Batch-first shapes everywhere: X is (N, D), a Dense
weight is (D_in, D_out), ``Z = X @ W + b``.
"""

from . import (
    activations,
    backend,
    callbacks,
    datasets,
    functional,
    gradcheck,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    plotting,
    regularizers,
    schedules,
    tuning,
)
from .activations import (
    ELU,
    SELU,
    Identity,
    LeakyReLU,
    PReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Swish,
    Tanh,
)
from .backend import get_array_module, gpu_available, gpu_status, to_device, to_numpy
from .callbacks import Callback, EarlyStopping, History, LearningRateScheduler
from .layers import BatchNorm, Dense, Dropout, Layer
from .models import Sequential
from .parameter import Parameter
from .regularizers import L1, L1L2, L2

__version__ = "0.1.0"

__all__ = [
    "ELU",
    "L1",
    "L1L2",
    "L2",
    "SELU",
    "BatchNorm",
    "Callback",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "History",
    "Identity",
    "Layer",
    "LeakyReLU",
    "LearningRateScheduler",
    "PReLU",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Swish",
    "Tanh",
    "activations",
    "backend",
    "callbacks",
    "datasets",
    "functional",
    "get_array_module",
    "gpu_available",
    "gpu_status",
    "gradcheck",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "optimizers",
    "plotting",
    "regularizers",
    "schedules",
    "to_device",
    "to_numpy",
    "tuning",
]

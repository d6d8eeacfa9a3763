"""Sequential: a stack of layers with a Keras-style training loop.

    model = Sequential([Dense(2, 16, seed=0), ReLU(), Dense(16, 1, seed=1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(X, y, epochs=100, batch_size=32, validation_data=(X_val, y_val))

``forward``/``backward`` are there too, for the notebooks that show every step.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from . import regularizers
from ._checks import as_rng, lookup, reject_unknown_kwargs
from .backend import device_of, get_array_module, on_device, to_numpy
from .callbacks import Callback, EpochPrinter, History, ProgressBar, progress_enabled
from .datasets import minibatches
from .layers import LAYER_CLASSES, Layer
from .parameter import Parameter

_FORMAT = "dlcore.Sequential"
_FORMAT_VERSION = 1


def _accuracy_metric(loss: Any) -> Callable[[Any, Any], float]:
    def accuracy(y_true, output) -> float:
        return metrics_module.accuracy(loss.true_labels(y_true), loss.predicted_labels(output))

    return accuracy


_METRICS: dict[str, Callable[[Any], Callable[[Any, Any], float]]] = {
    "accuracy": _accuracy_metric,
    "acc": _accuracy_metric,
}


class Sequential:
    """Layers applied one after the other.

    Parameters
    ----------
    layers : iterable of Layer, optional
        The layers, first to last; more can be appended with :meth:`add`.
    """

    def __init__(self, layers: Iterable[Layer] = (), *, name: str = "sequential") -> None:
        self.name = name
        self.layers: list[Layer] = []
        self.loss: Any = None
        self.optimizer: Any = None
        self.metrics: dict[str, Callable[[Any, Any], float]] = {}
        self.stop_training = False
        for layer in layers:
            self.add(layer)

    def add(self, layer: Layer) -> None:
        """Append a layer (its name is made unique within the model)."""
        if not isinstance(layer, Layer):
            raise TypeError(
                "Sequential: expected a Layer (Dense, ReLU(), ...), "
                f"received {type(layer).__name__}"
                + (
                    " (a class; add parentheses to make an instance)"
                    if isinstance(layer, type)
                    else ""
                )
            )
        taken = {existing.name for existing in self.layers}
        base, n = layer.name, 1
        while layer.name in taken:
            layer.name, n = f"{base}_{n}", n + 1
        self.layers.append(layer)

    # ------------------------------------------------------------ computation
    def forward(self, x):
        """Run every layer in order; x (N, D_in) -> output (N, D_out)."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    __call__ = forward

    def backward(self, dout, *, input_grad: bool = True):
        """Backpropagate dL/d(output) through every layer; return dL/d(input).

        Parameter gradients are added to each ``Parameter.grad``, and so are the
        gradients of the weight penalties (:meth:`penalty`). With
        ``input_grad=False`` (training: the input is the data) the first layer
        skips the input's gradient and None is returned.
        """
        for layer in reversed(self.layers[1:] if not input_grad else self.layers):
            dout = layer.backward(dout)
        if not input_grad and self.layers:
            self.layers[0].backward_parameters(dout)
            dout = None
        regularizers.add_penalty_gradients(self.parameters())
        return dout

    def penalty(self) -> float:
        """The sum of the regularizers' penalties (0.0 without any); part of the loss."""
        return regularizers.total_penalty(self.parameters())

    # -------------------------------------------------------------- parameters
    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Yield ``("0.W", param)``, ``("0.b", param)``, ... (layer index, then name)."""
        for i, layer in enumerate(self.layers):
            for name, p in layer.named_parameters():
                yield f"{i}.{name}", p

    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def count_params(self) -> int:
        return sum(p.size for p in self.parameters())

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    @property
    def dtype(self):
        params = self.parameters()
        return params[0].dtype if params else None

    def train(self, mode: bool = True) -> Sequential:
        for layer in self.layers:
            layer.train(mode)
        return self

    def eval(self) -> Sequential:
        return self.train(False)

    @contextlib.contextmanager
    def _evaluating(self) -> Iterator[None]:
        """Evaluation mode inside the block; each layer's previous mode restored after."""
        modes = [layer.training for layer in self.layers]
        self.eval()
        try:
            yield
        finally:
            for layer, mode in zip(self.layers, modes):
                layer.train(mode)

    def to(self, device: str) -> Sequential:
        """Move every layer to ``device`` ("cpu" or "gpu"); return self."""
        for layer in self.layers:
            layer.to(device)
        return self

    # ------------------------------------------------------------------ compile
    def compile(
        self, optimizer: Any = "sgd", loss: Any = None, metrics: Any = None, **unknown
    ) -> None:
        """Choose the optimizer, the loss and the metrics reported by fit/evaluate.

        Parameters
        ----------
        optimizer : str or Optimizer
            A name ("sgd", ...) or an instance; an instance built without
            parameters receives this model's.
        loss : str or Loss
            A name ("mse", "binary_crossentropy", "softmax_cross_entropy", ...) or an instance.
        metrics : list of str or callables, optional
            "accuracy", or functions ``f(y_true, output) -> float``.
        """
        reject_unknown_kwargs("compile()", unknown, ["optimizer", "loss", "metrics"])
        if loss is None:
            raise ValueError(
                "compile() needs a loss, for example loss='mse' or loss='softmax_cross_entropy'"
            )
        if not self.parameters():
            raise ValueError("compile(): the model has no parameters to train; add a Dense layer")
        self.loss = losses_module.get(loss)
        self.optimizer = optimizers_module.get(optimizer)
        if not self.optimizer.param_groups:
            self.optimizer.add_params(self.parameters())
        if isinstance(metrics, (str, bytes)) or callable(metrics):
            metrics = [metrics]
        self.metrics = {}
        for metric in metrics or []:
            if callable(metric):
                self.metrics[getattr(metric, "__name__", "metric")] = metric
            else:
                key = "accuracy" if str(metric).lower() in ("acc", "accuracy") else metric
                self.metrics[key] = lookup("metric", metric, _METRICS)(self.loss)

    def _require_compiled(self, where: str) -> None:
        if self.loss is None:
            raise RuntimeError(f"{where}: call model.compile(optimizer=..., loss=...) first")

    # -------------------------------------------------------------- data checks
    def _as_input(self, X, where: str):
        """X as a 2-D array on the model's device and in its dtype, checked for NaN/inf.

        Host data (NumPy) for a model on the GPU is moved there (``backend.on_device``).
        """
        params = self.parameters()
        reference = params[0].data if params else None
        X = on_device(X, device_of(reference), where)
        xp = get_array_module(X)
        X = xp.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                f"{where}: X must be a 2-D array (N, features); received shape {X.shape}"
            )
        if X.shape[0] == 0:
            raise ValueError(f"{where}: X is empty (shape {X.shape})")
        if reference is not None and X.dtype != reference.dtype:
            X = X.astype(reference.dtype)
        if not bool(xp.isfinite(X).all()):
            rows = to_numpy(xp.nonzero(~xp.isfinite(X).all(axis=1))[0])
            raise ValueError(
                f"{where}: X contains NaN or inf in {len(rows)} row(s), first at row {rows[0]}"
            )
        return X

    def _as_target(self, y, X, where: str):
        y = get_array_module(X).asarray(on_device(y, device_of(X), where))
        if y.shape[:1] != X.shape[:1]:
            raise ValueError(
                f"{where}: X has {X.shape[0]} samples but y has "
                f"{y.shape[0] if y.ndim else 'no'} (shape {y.shape})"
            )
        return y

    # ------------------------------------------------------------------ training
    def _batch_logs(self, y, output, loss: float) -> dict[str, float]:
        logs = {"loss": loss}
        for name, metric in self.metrics.items():
            logs[name] = float(metric(y, output))
        return logs

    def train_step(self, X, y) -> dict[str, float]:
        """One gradient step on one batch; returns the batch's loss and metrics."""
        self._require_compiled("train_step")
        self.train()
        output = self.forward(X)
        # NonFiniteError when the output holds NaN/inf; the penalty is part of the objective.
        loss = self.loss.forward(output, y) + self.penalty()
        if not math.isfinite(loss):
            raise FloatingPointError(f"the loss became {loss}")
        self.zero_grad()
        self.backward(self.loss.backward(), input_grad=False)
        self.optimizer.step()
        return self._batch_logs(y, output, loss)

    def fit(
        self,
        X,
        y,
        epochs: int = 1,
        batch_size: int | None = 32,
        validation_data: tuple[Any, Any] | None = None,
        callbacks: Iterable[Callback] | None = None,
        shuffle: bool = True,
        seed: int | None = None,
        verbose: int = 1,
        **unknown: Any,
    ) -> History:
        """Train for ``epochs`` passes over (X, y) in mini-batches; return the History.

        Parameters
        ----------
        X : array (N, D); y : targets (N,) or (N, K), as the loss expects.
        epochs : int
        batch_size : int or None
            None uses the whole set as one batch (batch gradient descent).
        validation_data : (X_val, y_val), optional
            Evaluated after every epoch; its metrics appear as "val_loss", ...
        callbacks : list of Callback
        shuffle : bool
            Shuffle the samples every epoch.
        seed : int, optional
            Seed of the shuffling.
        verbose : 0, 1 or 2
            0 silent, 1 a progress bar (only for a person, see ``DLCORE_PROGRESS``),
            2 one printed line per epoch.

        Raises
        ------
        FloatingPointError
            When the loss becomes NaN or infinite, naming the epoch and the batch.
        """
        reject_unknown_kwargs(
            "fit()",
            unknown,
            [
                "X",
                "y",
                "epochs",
                "batch_size",
                "validation_data",
                "callbacks",
                "shuffle",
                "seed",
                "verbose",
            ],
        )
        self._require_compiled("fit")
        if not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"fit(): epochs must be a positive integer; received {epochs!r}")
        if verbose not in (0, 1, 2):
            raise ValueError(f"fit(): verbose must be 0, 1 or 2; received {verbose!r}")
        X = self._as_input(X, "fit()")
        y = self._as_target(y, X, "fit()")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("fit(): validation_data must be a pair (X_val, y_val)")
            X_val = self._as_input(validation_data[0], "fit() validation_data")
            y_val = self._as_target(validation_data[1], X_val, "fit() validation_data")
        rng = as_rng(seed=seed)
        history = History()
        hooks: list[Callback] = [*(callbacks or []), history]
        if progress_enabled(verbose):
            hooks.append(ProgressBar(epochs))
        elif verbose == 2:
            hooks.append(EpochPrinter())
        for hook in hooks:
            if not isinstance(hook, Callback):
                raise TypeError(f"fit(): callbacks must be Callback instances; received {hook!r}")
            hook.set_model(self)
        self.stop_training = False
        for hook in hooks:
            hook.on_train_begin()
        with _quiet_numpy():
            for epoch in range(epochs):
                for hook in hooks:
                    hook.on_epoch_begin(epoch)
                logs = self._train_epoch(X, y, epoch, batch_size or len(X), shuffle, rng, hooks)
                if validation_data is not None:
                    val = self.evaluate(X_val, y_val)
                    logs.update({f"val_{k}": v for k, v in val.items()})
                for hook in hooks:
                    hook.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
        for hook in hooks:
            hook.on_train_end()
        return history

    def _train_epoch(self, X, y, epoch, batch_size, shuffle, rng, hooks) -> dict[str, float]:
        totals: dict[str, float] = {}
        seen = 0
        batches = minibatches(X, y, batch_size, shuffle=shuffle, rng=rng)
        for batch, (xb, yb) in enumerate(batches):
            for hook in hooks:
                hook.on_batch_begin(batch)
            try:
                logs = self.train_step(xb, yb)
            except FloatingPointError as error:
                raise FloatingPointError(
                    f"training diverged at epoch {epoch + 1}, batch {batch + 1} ({error}). "
                    f"Try a smaller learning rate (now {self.optimizer.lr:g}) "
                    "or check the inputs' scale."
                ) from None
            for key, value in logs.items():
                totals[key] = totals.get(key, 0.0) + value * len(xb)
            seen += len(xb)
            for hook in hooks:
                hook.on_batch_end(batch, logs)
        return {key: total / seen for key, total in totals.items()}

    # ---------------------------------------------------------------- inference
    def predict(self, X, batch_size: int | None = None) -> np.ndarray:
        """The model's output for X (N, D) in evaluation mode, as a NumPy array.

        ``predict`` is for plots and metrics, so its result is on the host whatever
        the model's device; :meth:`forward` keeps arrays on the device.
        """
        return to_numpy(self._forward_eval(self._as_input(X, "predict()"), batch_size))

    def _forward_eval(self, X, batch_size: int | None):
        xp = get_array_module(X)
        with self._evaluating():
            if batch_size is None:
                return self.forward(X)
            return xp.concatenate(
                [self.forward(X[i : i + batch_size]) for i in range(0, len(X), batch_size)]
            )

    def predict_classes(self, X, batch_size: int | None = None) -> np.ndarray:
        """Integer class predictions (N,) as a NumPy array, decided by the compiled loss."""
        self._require_compiled("predict_classes")
        return to_numpy(self.loss.predicted_labels(self.predict(X, batch_size)))

    def evaluate(self, X, y, batch_size: int | None = None) -> dict[str, float]:
        """Loss and metrics on (X, y) in evaluation mode, as plain floats."""
        self._require_compiled("evaluate")
        X = self._as_input(X, "evaluate()")
        y = self._as_target(y, X, "evaluate()")
        output = self._forward_eval(X, batch_size)
        loss = self.loss.forward(output, y) + self.penalty()
        return self._batch_logs(y, output, loss)

    # -------------------------------------------------------------------- state
    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter and buffer as a NumPy copy, keyed "index.name" ("0.W")."""
        return {
            f"{i}.{key}": value
            for i, layer in enumerate(self.layers)
            for key, value in layer.state_dict().items()
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Load arrays saved by :meth:`state_dict`; every key and shape must match."""
        per_layer: list[dict[str, Any]] = [{} for _ in self.layers]
        for key, value in state.items():
            index, _, name = key.partition(".")
            if not index.isdigit() or int(index) >= len(self.layers):
                raise KeyError(
                    f"{self.name}: unexpected key {key!r} for a model of {len(self.layers)} layers"
                )
            per_layer[int(index)][name] = value
        for layer, layer_state in zip(self.layers, per_layer):
            layer.load_state_dict(layer_state)

    def get_config(self) -> dict[str, Any]:
        layers = [
            {"class": type(layer).__name__, "config": layer.get_config()} for layer in self.layers
        ]
        return {"format": _FORMAT, "version": _FORMAT_VERSION, "name": self.name, "layers": layers}

    def save(self, path: str | os.PathLike) -> None:
        """Save architecture and weights to one ``.npz`` file (NumPy arrays and JSON, no pickle)."""
        arrays = {f"param:{k}": v for k, v in self.state_dict().items()}
        np.savez(path, __config__=np.array(json.dumps(self.get_config())), **arrays)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Sequential:
        """Rebuild a model saved by :meth:`save` (uncompiled: call ``compile`` to train it)."""
        with np.load(path, allow_pickle=False) as data:
            if "__config__" not in data:
                raise ValueError(f"{path}: not a dlcore model file (no architecture record)")
            config = json.loads(str(data["__config__"]))
            state = {
                k.removeprefix("param:"): data[k] for k in data.files if k.startswith("param:")
            }
        if config.get("format") != _FORMAT or config.get("version") != _FORMAT_VERSION:
            raise ValueError(
                f"{path}: expected format {_FORMAT} version {_FORMAT_VERSION}, "
                f"received {config.get('format')} version {config.get('version')}"
            )
        layers = []
        for entry in config["layers"]:
            if entry["class"] not in LAYER_CLASSES:
                raise ValueError(f"{path}: unknown layer class {entry['class']!r}")
            layers.append(LAYER_CLASSES[entry["class"]](**entry["config"]))
        model = cls(layers, name=config["name"])
        model.load_state_dict(state)
        return model

    # ------------------------------------------------------------------ display
    def summary(self) -> str:
        """A table of the layers and their parameter counts."""
        rows = [("#", "layer", "parameters")]
        for i, layer in enumerate(self.layers):
            rows.append(
                (str(i), f"{layer.name}: {layer!r}", f"{sum(p.size for p in layer.parameters()):,}")
            )
        widths = [max(len(r[c]) for r in rows) for c in range(3)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
        lines.insert(1, "-" * len(lines[0]))
        lines.append(f"total trainable parameters: {self.count_params():,}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Sequential([\n  {inner}\n])" if self.layers else "Sequential([])"


@contextlib.contextmanager
def _quiet_numpy() -> Iterator[None]:
    """Silence NumPy's overflow warnings during training: a diverging loss is caught
    and explained by the NaN/inf check instead."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        yield

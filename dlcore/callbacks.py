"""Callbacks: code that ``fit`` calls at fixed moments of training (Keras' hooks).

``fit`` calls, in order: ``on_train_begin``, then per epoch ``on_epoch_begin``,
``on_batch_begin``/``on_batch_end`` around every batch, ``on_epoch_end(epoch, logs)``
with the epoch's metrics (``logs["loss"]``, ``logs["val_loss"]``...), and finally
``on_train_end``. The user's callbacks run first and the History last, so what a
callback adds to the logs (the learning rate) is recorded. A callback can stop
training by setting ``model.stop_training = True``.
"""

from __future__ import annotations

import math
import os
import sys
from typing import Any

from ._checks import check_positive


class Callback:
    """Base class: every hook does nothing. ``self.model`` is set by ``fit``."""

    model: Any = None

    def set_model(self, model: Any) -> None:
        self.model = model

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None: ...

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None: ...

    def on_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None: ...

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None: ...

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None: ...

    def on_train_end(self, logs: dict[str, float] | None = None) -> None: ...


class History(Callback):
    """Records every epoch's logs: ``history.history["loss"]``, ``["val_loss"]``, ...

    ``fit`` always adds one and returns it. Values are plain Python floats.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return f"History(epochs={len(self.epoch)}, keys=[{keys}])"


class EarlyStopping(Callback):
    """Stop when a monitored quantity has stopped improving.

    Parameters
    ----------
    monitor : str
        A key of the epoch logs, default "val_loss".
    patience : int
        Epochs without improvement to wait before stopping.
    min_delta : float
        The smallest change that counts as an improvement.
    mode : "min", "max" or "auto"
        Whether lower or higher is better; "auto" picks "max" for accuracy-like names.
    restore_best_weights : bool
        Put back the weights of the best epoch when training stops.

    After training, ``stopped_epoch`` is the epoch it stopped at (or None) and
    ``best_epoch``/``best`` say where the best value was.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        *,
        patience: int = 0,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(
                f"EarlyStopping: patience must be an integer >= 0; received {patience!r}"
            )
        if mode not in ("min", "max", "auto"):
            raise ValueError(
                f"EarlyStopping: mode must be 'min', 'max' or 'auto'; received {mode!r}"
            )
        self.monitor = monitor
        self.patience = patience
        self.min_delta = abs(check_positive("min_delta", min_delta, allow_zero=True))
        if mode == "auto":
            mode = (
                "max"
                if any(w in monitor for w in ("acc", "f1", "auc", "precision", "recall"))
                else "min"
            )
        self.mode = mode
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch: int | None = None
        self.best_state: Any = None
        self.wait = 0
        self.stopped_epoch: int | None = None

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = logs or {}
        if self.monitor not in logs:
            raise KeyError(
                f"EarlyStopping monitors {self.monitor!r} but the epoch logs only have "
                f"{sorted(logs)}; pass validation_data to fit for 'val_' metrics"
            )
        value = float(logs[self.monitor])
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_state = self.model.state_dict()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        if self.restore_best_weights and self.best_state is not None:
            self.model.load_state_dict(self.best_state)


class _Replay:
    """Stands in for the model when :func:`replay_early_stopping` replays a finished run."""

    stop_training = False


def replay_early_stopping(
    values: Any, *, patience: int = 0, min_delta: float = 0.0, mode: str = "min"
) -> tuple[int | None, int | None]:
    """Where :class:`EarlyStopping` would have stopped a run whose monitored values are known.

    The values (one per epoch, e.g. ``history.history["val_loss"]``) are fed to an
    ``EarlyStopping(patience=..., min_delta=..., mode=...)`` one epoch at a time,
    exactly as ``fit`` would feed them. A value improves when it is below
    ``best - min_delta`` (above ``best + min_delta`` with ``mode="max"``); after
    ``patience`` epochs in a row without improvement, training stops.

    Returns
    -------
    stopped_epoch : int or None
        The 0-based epoch at whose end training stops; None when it never stops.
    best_epoch : int or None
        The epoch of the best value seen up to then (None only for no values).
    """
    if mode not in ("min", "max"):
        raise ValueError(f"replay_early_stopping: mode must be 'min' or 'max'; received {mode!r}")
    stopper = EarlyStopping("value", patience=patience, min_delta=min_delta, mode=mode)
    stopper.set_model(_Replay())
    stopper.on_train_begin()
    for epoch, value in enumerate(values):
        stopper.on_epoch_end(epoch, {"value": float(value)})
        if stopper.stopped_epoch is not None:
            break
    return stopper.stopped_epoch, stopper.best_epoch


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate from a schedule during ``fit``.

    Parameters
    ----------
    schedule : callable ``step -> lr``
        A :mod:`dlcore.schedules` object or any function of the step.
    per : "epoch" or "batch"
        Whether ``step`` counts epochs (default, as Keras) or batches (optimizer steps),
        from 0 over the whole ``fit`` call.

    The learning rate of each epoch (its first batch's, when ``per="batch"``) is
    added to the logs as ``"lr"``, so ``history.history["lr"]`` shows the schedule.
    """

    def __init__(self, schedule: Any, *, per: str = "epoch") -> None:
        if not callable(schedule):
            raise TypeError(
                "LearningRateScheduler: schedule must be callable step -> lr; "
                f"received {schedule!r}"
            )
        if per not in ("epoch", "batch"):
            raise ValueError(
                f"LearningRateScheduler: per must be 'epoch' or 'batch'; received {per!r}"
            )
        self.schedule = schedule
        self.per = per

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.step = 0
        self.epoch_lr: float | None = None

    def _apply(self, step: int) -> float:
        lr = self.schedule(step)
        if not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
            raise ValueError(
                f"LearningRateScheduler: the schedule returned {lr!r} at step {step}; "
                "a learning rate must be a finite number > 0"
            )
        self.model.optimizer.lr = float(lr)
        return float(lr)

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.epoch_lr = self._apply(epoch) if self.per == "epoch" else None

    def on_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        if self.per == "batch":
            lr = self._apply(self.step)
            self.step += 1
            if self.epoch_lr is None:
                self.epoch_lr = lr

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if logs is not None and self.epoch_lr is not None:
            logs["lr"] = self.epoch_lr


def progress_enabled(verbose: int) -> bool:
    """Whether ``fit`` should draw a progress bar.

    Off for ``verbose=0`` and when ``DLCORE_PROGRESS=0``; on with ``DLCORE_PROGRESS=1``;
    otherwise on only for a person: inside a Jupyter kernel or a terminal.
    """
    setting = os.environ.get("DLCORE_PROGRESS", "").strip()
    if verbose != 1 or setting == "0":
        return False
    if setting == "1":
        return True
    return _in_jupyter_kernel() or bool(getattr(sys.stderr, "isatty", lambda: False)())


def _in_jupyter_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


class ProgressBar(Callback):
    """A tqdm bar over epochs showing the latest loss and metrics (``tqdm.auto``)."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs
        self.bar: Any = None

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(total=self.epochs, desc="fit", unit="epoch", leave=True)

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.bar.set_postfix({k: f"{v:.4g}" for k, v in (logs or {}).items()}, refresh=False)
        self.bar.update(1)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:
        if self.bar is not None:
            self.bar.close()


class EpochPrinter(Callback):
    """One line per epoch on standard output (``fit(verbose=2)``)."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        metrics = "  ".join(f"{k}={v:.4f}" for k, v in (logs or {}).items())
        print(f"epoch {epoch + 1}: {metrics}")

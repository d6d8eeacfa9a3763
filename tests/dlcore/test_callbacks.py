"""History and EarlyStopping, driven through fit on a tiny problem."""

import numpy as np
import pytest

from dlcore.callbacks import EarlyStopping, History, progress_enabled, replay_early_stopping
from dlcore.layers import Dense
from dlcore.models import Sequential


class FakeModel:
    """Just enough of a model for EarlyStopping: a weight that records what it was."""

    def __init__(self):
        self.weight = 0
        self.stop_training = False

    def state_dict(self):
        return {"weight": self.weight}

    def load_state_dict(self, state):
        self.weight = state["weight"]


def run_epochs(callback, values, key="val_loss"):
    model = FakeModel()
    callback.set_model(model)
    callback.on_train_begin()
    epochs_run = 0
    for epoch, value in enumerate(values):
        model.weight = epoch
        callback.on_epoch_end(epoch, {key: value})
        epochs_run += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return model, epochs_run


def test_history_records_plain_floats_per_key():
    history = History()
    history.on_epoch_end(0, {"loss": np.float64(1.5), "val_loss": 2.0})
    history.on_epoch_end(1, {"loss": 1.0, "val_loss": 1.8})
    assert history.history == {"loss": [1.5, 1.0], "val_loss": [2.0, 1.8]}
    assert type(history.history["loss"][0]) is float
    assert history.epoch == [0, 1]


def test_early_stopping_waits_patience_epochs_after_the_best():
    stopper = EarlyStopping(patience=2)
    _, epochs_run = run_epochs(stopper, [1.0, 0.8, 0.9, 0.85, 0.95, 0.1])
    assert epochs_run == 4 and stopper.stopped_epoch == 3 and stopper.best_epoch == 1


def test_early_stopping_min_delta_ignores_tiny_improvements():
    stopper = EarlyStopping(patience=0, min_delta=0.05)
    _, epochs_run = run_epochs(stopper, [1.0, 0.98, 0.5])
    assert epochs_run == 2 and stopper.best == 1.0


def test_early_stopping_restores_best_weights():
    stopper = EarlyStopping(patience=1, restore_best_weights=True)
    model, _ = run_epochs(stopper, [1.0, 0.5, 0.7, 0.9])
    assert model.weight == 1


def test_early_stopping_mode_auto_maximises_accuracy():
    stopper = EarlyStopping("val_accuracy", patience=0)
    assert stopper.mode == "max"
    _, epochs_run = run_epochs(stopper, [0.5, 0.7, 0.6], key="val_accuracy")
    assert epochs_run == 3 and stopper.best == 0.7


def test_early_stopping_missing_key_suggests_validation_data():
    with pytest.raises(KeyError, match="pass validation_data"):
        run_epochs(EarlyStopping(), [1.0], key="loss")


def test_early_stopping_bad_arguments():
    with pytest.raises(ValueError, match="patience must be an integer >= 0; received -1"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="mode must be"):
        EarlyStopping(mode="best")


def test_early_stopping_in_fit_restores_the_best_model(rng):
    X = rng.normal(size=(20, 2))
    y = X @ np.array([1.0, -2.0])
    X_val, y_val = rng.normal(size=(10, 2)), rng.normal(size=10) * 10  # unrelated: val gets worse
    model = Sequential([Dense(2, 1, seed=0)])
    model.compile("sgd", "mse")
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(X, y, epochs=200, validation_data=(X_val, y_val), callbacks=[stopper],
                        verbose=0, seed=0)  # fmt: skip
    assert len(history.epoch) < 200
    best = min(history.history["val_loss"])
    assert model.evaluate(X_val, y_val)["loss"] == pytest.approx(best)


def test_progress_setting(monkeypatch):
    monkeypatch.setenv("DLCORE_PROGRESS", "0")
    assert not progress_enabled(1)
    monkeypatch.setenv("DLCORE_PROGRESS", "1")
    assert progress_enabled(1) and not progress_enabled(0) and not progress_enabled(2)


def test_replay_early_stopping_agrees_with_the_callback_run_epoch_by_epoch():
    values = [1.0, 0.8, 0.9, 0.85, 0.95, 0.1]
    stopper = EarlyStopping(patience=2)
    run_epochs(stopper, values)
    assert replay_early_stopping(values, patience=2) == (stopper.stopped_epoch, 1) == (3, 1)


@pytest.mark.parametrize(
    ("values", "options", "expected"),
    [
        ([0.9, 0.7, 0.6, 0.62, 0.61, 0.65], {"patience": 2}, (4, 2)),
        ([1.0, 0.8, 0.8, 0.8, 0.7], {"patience": 2}, (3, 1)),  # a tie is no improvement
        ([1.0, 0.95, 0.6], {"patience": 1, "min_delta": 0.1}, (1, 0)),
        ([0.5, 0.6, 0.4], {"patience": 0}, (1, 0)),
        ([3.0, 2.0, 1.0], {"patience": 1}, (None, 2)),  # never stops
        ([0.7], {"patience": 0}, (None, 0)),
        ([0.2, 0.5, 0.4], {"patience": 1, "mode": "max"}, (2, 1)),
    ],
)
def test_replay_early_stopping_returns_the_stop_and_the_best_epoch(values, options, expected):
    assert replay_early_stopping(values, **options) == expected


def test_replay_early_stopping_rejects_bad_arguments():
    assert replay_early_stopping([]) == (None, None)
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'; received 'auto'"):
        replay_early_stopping([1.0], mode="auto")
    with pytest.raises(ValueError, match="patience must be an integer >= 0"):
        replay_early_stopping([1.0], patience=1.5)

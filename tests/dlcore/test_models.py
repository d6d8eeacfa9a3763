"""Sequential: the notes' worked example, learning real tasks, compile/fit/evaluate, save/load."""

import itertools
import math

import numpy as np
import pytest

from dlcore import datasets, losses, optimizers
from dlcore.activations import ReLU, Sigmoid, Tanh
from dlcore.backend import to_numpy
from dlcore.callbacks import Callback
from dlcore.gradcheck import check_model
from dlcore.layers import BatchNorm, Dense, Dropout
from dlcore.models import Sequential


def mlp(sizes, *, seed=0, activation=ReLU, **dense_kwargs):
    layers = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(Dense(fan_in, fan_out, seed=seed + i, **dense_kwargs))
        if i < len(sizes) - 2:
            layers.append(activation())
    return Sequential(layers)


# ------------------------------------------------------- the notes' example
def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_two_two_one_sigmoid_network_reproduces_the_worked_example(xp):
    # The course notes' network, in column-major notation: W1 = [[0.2, 0.4], [0.3, 0.7]]
    # (row j = hidden unit j), b1 = (0.1, 0.2), W2 = (0.5, 0.6), b2 = 0.3, x = (0.5, 0.8), y = 1,
    # J = (1/2)(y - yhat)^2. dlcore stores the transposes (docs/notation.md).
    model = Sequential([Dense(2, 2), Sigmoid(), Dense(2, 1), Sigmoid()])
    model.load_state_dict({
        "0.W": np.array([[0.2, 0.4], [0.3, 0.7]]).T, "0.b": np.array([0.1, 0.2]),
        "2.W": np.array([[0.5], [0.6]]), "2.b": np.array([0.3]),
    })  # fmt: skip
    model.to("gpu" if xp is not np else "cpu")
    x, y = xp.asarray([[0.5, 0.8]]), xp.asarray([1.0])

    # Every number recomputed here by hand, independently of dlcore.
    a2 = [sigmoid(0.2 * 0.5 + 0.4 * 0.8 + 0.1), sigmoid(0.3 * 0.5 + 0.7 * 0.8 + 0.2)]
    yhat = sigmoid(0.5 * a2[0] + 0.6 * a2[1] + 0.3)
    J = 0.5 * (1 - yhat) ** 2
    dz3 = (yhat - 1) * yhat * (1 - yhat)
    dz2 = [dz3 * 0.5 * a2[0] * (1 - a2[0]), dz3 * 0.6 * a2[1] * (1 - a2[1])]

    out = model.forward(x)
    mse = losses.MSE()  # mean of (yhat - y)^2 = 2 J for one output
    loss = 0.5 * mse.forward(out, y)
    model.zero_grad()
    model.backward(0.5 * mse.backward())
    grads = {name: to_numpy(p.grad) for name, p in model.named_parameters()}

    # The notes' rounded numbers...
    assert float(out[0, 0]) == pytest.approx(0.739, abs=5e-4)
    assert loss == pytest.approx(0.034, abs=5e-4)
    assert grads["2.b"][0] == pytest.approx(-0.0503, abs=5e-5)
    np.testing.assert_allclose(grads["0.b"], [-0.00588, -0.00617], atol=1e-5)
    # ...and the exact ones, including every entry of dJ/dW1 (the notes give only half).
    assert loss == pytest.approx(J, rel=1e-12)
    np.testing.assert_allclose(grads["2.W"][:, 0], [dz3 * a2[0], dz3 * a2[1]], rtol=1e-12)
    np.testing.assert_allclose(grads["0.W"], np.outer([0.5, 0.8], dz2), rtol=1e-12)


# ---------------------------------------------------------- learning tasks
@pytest.mark.slow
def test_learns_xor_to_100_percent():
    X, y = datasets.make_xor()
    model = Sequential([Dense(2, 8, seed=0, init="he_normal"), Tanh(), Dense(8, 1, seed=1)])
    model.compile(optimizers.SGD(lr=0.5), losses.BinaryCrossEntropy(from_logits=True), ["accuracy"])
    model.fit(X, y, epochs=500, batch_size=4, seed=0, verbose=0)
    assert model.evaluate(X, y)["accuracy"] == 1.0
    np.testing.assert_array_equal(model.predict_classes(X), [0, 1, 1, 0])


@pytest.mark.slow
def test_learns_spirals_to_95_percent_training_accuracy():
    X, y = datasets.make_spirals(seed=0)
    model = mlp([2, 64, 64, 3], init="he_normal")
    model.compile(optimizers.SGD(lr=0.5), "softmax_cross_entropy", ["accuracy"])
    model.fit(X, y, epochs=300, batch_size=32, seed=0, verbose=0)
    assert model.evaluate(X, y)["accuracy"] >= 0.95


@pytest.mark.slow
def test_learns_digits_to_95_percent_test_accuracy(tmp_path):
    X, y = datasets.load_digits()
    (X_train, y_train), (X_test, y_test) = datasets.train_test_split(X, y, test_size=0.2, seed=0)
    model = mlp([64, 64, 10], init="he_normal")
    model.compile(optimizers.SGD(lr=0.1), "softmax_cross_entropy", ["accuracy"])
    history = model.fit(X_train, y_train, epochs=30, batch_size=32, seed=0, verbose=0,
                        validation_data=(X_test, y_test))  # fmt: skip
    assert model.evaluate(X_test, y_test)["accuracy"] >= 0.95
    assert history.history["val_accuracy"][-1] == model.evaluate(X_test, y_test)["accuracy"]

    path = tmp_path / "digits.npz"
    model.save(path)
    loaded = Sequential.load(path)
    np.testing.assert_array_equal(to_numpy(loaded.predict(X_test)), to_numpy(model.predict(X_test)))


def test_adam_trains_digits_to_97_percent_test_accuracy():
    X, y = datasets.load_digits()
    (X_train, y_train), (X_test, y_test) = datasets.train_test_split(X, y, test_size=0.2, seed=0)
    model = mlp([64, 128, 10], init="he_normal")
    model.compile(optimizers.Adam(lr=1e-3), "softmax_cross_entropy", ["accuracy"])
    history = model.fit(X_train, y_train, epochs=30, batch_size=32, seed=0, verbose=0,
                        validation_data=(X_test, y_test))  # fmt: skip
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 30 for v in history.history.values())
    assert model.evaluate(X_test, y_test)["accuracy"] >= 0.97  # measured 0.978-0.983 over seeds


def test_save_then_load_gives_identical_predictions_with_batchnorm_and_dropout(tmp_path, rng):
    model = Sequential([
        Dense(3, 6, seed=0), BatchNorm(6, momentum=0.5), ReLU(), Dropout(0.5, seed=1),
        Dense(6, 2, seed=2, dtype=np.float64),
    ])  # fmt: skip
    model.compile("sgd", "softmax_cross_entropy")
    X = rng.normal(size=(20, 3))
    model.fit(X, rng.integers(0, 2, 20), epochs=3, batch_size=5, seed=0, verbose=0)
    model.save(tmp_path / "m.npz")
    loaded = Sequential.load(tmp_path / "m.npz")
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.layers[1].running_var, model.layers[1].running_var)
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:  # no pickle inside
        assert "param:0.W" in data.files


def test_load_rejects_a_file_that_is_not_a_model(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="not a dlcore model file"):
        Sequential.load(tmp_path / "other.npz")


# ------------------------------------------------------------ the model API
def test_forward_backward_pass_the_gradient_check_for_a_deep_model(xp, device, rng):
    model = mlp([4, 6, 5, 3], activation=Tanh).to(device)
    X = xp.asarray(rng.normal(size=(5, 4)))
    y = xp.asarray(rng.integers(0, 3, 5))
    assert check_model(model, X, y, loss="softmax_cross_entropy", rng=rng)
    assert check_model(model, X, rng=rng)


def test_named_parameters_are_prefixed_by_layer_index():
    model = mlp([2, 3, 1])
    assert [name for name, _ in model.named_parameters()] == ["0.W", "0.b", "2.W", "2.b"]
    assert model.count_params() == 2 * 3 + 3 + 3 + 1


def test_layer_names_are_made_unique():
    model = mlp([2, 3, 3, 1])
    assert [layer.name for layer in model.layers] == ["dense", "relu", "dense_1", "relu_1", "dense_2"]


def test_compile_accepts_names_and_instances():
    model = mlp([2, 3, 1])
    model.compile(optimizer="sgd", loss="mse")
    assert isinstance(model.optimizer, optimizers.SGD) and isinstance(model.loss, losses.MSE)
    assert len(model.optimizer.param_groups[0]["params"]) == 4
    sgd = optimizers.SGD(model.parameters(), lr=0.3)
    model.compile(optimizer=sgd, loss=losses.Huber(delta=2.0))
    assert model.optimizer is sgd and model.optimizer.lr == 0.3


def test_history_has_loss_metrics_and_val_metrics_per_epoch(rng):
    X, y = rng.normal(size=(40, 2)), rng.integers(0, 2, 40)
    model = mlp([2, 4, 2])
    model.compile("sgd", "softmax_cross_entropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=4, batch_size=8, validation_data=(X, y), verbose=0, seed=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 4 for values in history.history.values())
    assert history.epoch == [0, 1, 2, 3]
    assert all(type(v) is float for v in history.history["loss"])


def test_batch_size_none_is_batch_gradient_descent(rng):
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    losses_seen = []
    for _ in range(2):
        model = mlp([2, 4, 1])
        model.compile(optimizers.SGD(lr=0.05), "mse")
        losses_seen.append(model.fit(X, y, epochs=5, batch_size=None, verbose=0).history["loss"])
    # Shuffling a single batch only changes the order of a sum: equal up to rounding.
    np.testing.assert_allclose(losses_seen[0], losses_seen[1], rtol=1e-12)
    assert losses_seen[0][-1] < losses_seen[0][0]


def test_same_seed_same_training(rng):
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 2, 30)
    runs = []
    for _ in range(2):
        model = mlp([2, 4, 2])
        model.compile("sgd", "softmax_cross_entropy")
        runs.append(model.fit(X, y, epochs=3, batch_size=4, seed=5, verbose=0).history["loss"])
    assert runs[0] == runs[1]


def test_evaluate_and_predict_restore_training_mode(rng):
    model = Sequential([Dense(2, 2, seed=0), Dropout(0.5, seed=0)])
    model.compile("sgd", "mse")
    model.evaluate(rng.normal(size=(3, 2)), rng.normal(size=(3, 2)))
    assert all(layer.training for layer in model.layers)
    model.eval()
    model.predict(rng.normal(size=(3, 2)))
    assert not any(layer.training for layer in model.layers)


def test_predict_in_batches_equals_predict_at_once(rng):
    model = mlp([3, 5, 2])
    X = rng.normal(size=(11, 3))
    np.testing.assert_allclose(model.predict(X, batch_size=4), model.predict(X))


def test_float32_model_casts_its_inputs(rng):
    model = mlp([3, 4, 1], dtype=np.float32)
    model.compile("sgd", "mse")
    assert model.predict(rng.normal(size=(2, 3))).dtype == np.float32
    model.fit(rng.normal(size=(8, 3)), rng.normal(size=8), epochs=1, verbose=0)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                       "adadelta", "adam", "adamax", "nadam"])  # fmt: skip
def test_float32_stays_float32_end_to_end(rng, optimizer):
    model = Sequential([Dense(4, 8, seed=0, dtype=np.float32, regularizer="l2"),
                        BatchNorm(8, dtype=np.float32), ReLU(), Dropout(0.2, seed=1),
                        Dense(8, 3, seed=2, dtype=np.float32)])  # fmt: skip
    model.compile(optimizers.get(optimizer, clip_norm=1.0), "softmax_cross_entropy")
    model.fit(rng.normal(size=(32, 4)), rng.integers(0, 3, 32), epochs=2, batch_size=8, verbose=0)
    assert model.forward(rng.normal(size=(2, 4)).astype(np.float32)).dtype == np.float32
    for name, p in model.named_parameters():
        assert (p.data.dtype, p.grad.dtype) == (np.float32, np.float32), name
    for state in model.optimizer.state.values():
        for key, value in state.items():
            assert getattr(value, "dtype", np.float32) == np.float32, (optimizer, key)


def test_callbacks_are_called_in_order_and_can_stop_training(rng):
    calls = []

    class Recorder(Callback):
        def on_train_begin(self, logs=None):
            calls.append("begin")

        def on_epoch_end(self, epoch, logs=None):
            calls.append(("epoch", epoch, sorted(logs)))
            if epoch == 1:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            calls.append("end")

    model = mlp([2, 2])
    model.compile("sgd", "mse")
    history = model.fit(rng.normal(size=(6, 2)), rng.normal(size=(6, 2)), epochs=10,
                        callbacks=[Recorder()], verbose=0)  # fmt: skip
    assert calls == ["begin", ("epoch", 0, ["loss"]), ("epoch", 1, ["loss"]), "end"]
    assert len(history.history["loss"]) == 2


def test_verbose_2_prints_one_line_per_epoch(rng, capsys):
    model = mlp([2, 1])
    model.compile("sgd", "mse")
    model.fit(rng.normal(size=(4, 2)), rng.normal(size=4), epochs=3, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 1", "epoch 2", "epoch 3"]


def test_progress_bar_is_quiet_when_not_interactive(rng, capsys, monkeypatch):
    monkeypatch.delenv("DLCORE_PROGRESS", raising=False)
    model = mlp([2, 1])
    model.compile("sgd", "mse")
    model.fit(rng.normal(size=(4, 2)), rng.normal(size=4), epochs=2, verbose=1)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bar_shows_loss_when_forced(rng, capsys, monkeypatch):
    monkeypatch.setenv("DLCORE_PROGRESS", "1")
    model = mlp([2, 1])
    model.compile("sgd", "mse", metrics=None)
    model.fit(rng.normal(size=(4, 2)), rng.normal(size=4), epochs=2, verbose=1)
    err = capsys.readouterr().err
    assert "2/2" in err and "loss=" in err


# -------------------------------------------------------------- bad input
def test_nan_loss_stops_training_naming_epoch_batch_and_learning_rate(rng):
    X = rng.normal(size=(16, 2)) * 100
    y = rng.normal(size=16) * 100
    model = mlp([2, 16, 1])
    model.compile(optimizers.SGD(lr=10.0), "mse")
    with pytest.raises(FloatingPointError, match=r"at epoch \d+, batch \d+.*smaller learning rate \(now 10\)"):
        model.fit(X, y, epochs=50, batch_size=4, verbose=0)


def test_nan_in_input_is_refused_with_its_row(rng):
    X = rng.normal(size=(5, 2))
    X[3, 1] = np.nan
    model = mlp([2, 1])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"fit\(\): X contains NaN or inf in 1 row\(s\), first at row 3"):
        model.fit(X, np.zeros(5), verbose=0)
    with pytest.raises(ValueError, match="predict"):
        model.predict(X)


def test_unknown_keyword_arguments_are_named_with_the_valid_ones():
    model = mlp([2, 1])
    with pytest.raises(TypeError, match=r"compile\(\) got unknown keyword argument\(s\) 'lr'; valid ones are: loss, metrics, optimizer"):
        model.compile(optimizer="sgd", loss="mse", lr=0.1)
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match=r"fit\(\) got unknown keyword argument\(s\) 'epoch'.*Did you mean 'epochs'"):
        model.fit(np.zeros((2, 2)), np.zeros(2), epoch=3)


def test_fit_argument_errors(rng):
    model = mlp([2, 1])
    with pytest.raises(RuntimeError, match=r"call model.compile"):
        model.fit(np.zeros((2, 2)), np.zeros(2))
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="X has 3 samples but y has 2"):
        model.fit(np.zeros((3, 2)), np.zeros(2), verbose=0)
    with pytest.raises(ValueError, match=r"X is empty \(shape \(0, 2\)\)"):
        model.fit(np.zeros((0, 2)), np.zeros(0), verbose=0)
    with pytest.raises(ValueError, match="epochs must be a positive integer; received 0"):
        model.fit(np.zeros((2, 2)), np.zeros(2), epochs=0)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        model.predict(np.zeros(3))
    with pytest.raises(ValueError, match="unknown optimizer 'sgdd'"):
        model.compile("sgdd", "mse")
    with pytest.raises(ValueError, match="unknown loss"):
        model.compile("sgd", "mean_sqaured_eror")
    with pytest.raises(ValueError, match="compile\\(\\) needs a loss"):
        model.compile("sgd")


def test_adding_a_class_instead_of_a_layer_is_explained():
    with pytest.raises(TypeError, match="add parentheses"):
        Sequential([Dense(2, 2), ReLU])


def test_training_skips_the_inputs_gradient_but_not_the_parameters(xp, device, rng):
    X = xp.asarray(rng.normal(size=(6, 4)))
    dout = xp.asarray(rng.normal(size=(6, 3)))
    full, lean = (mlp([4, 5, 3], activation=Tanh, seed=2).to(device) for _ in range(2))
    for model in (full, lean):
        model.forward(X)
        model.zero_grad()
    assert full.backward(dout) is not None
    assert lean.backward(dout, input_grad=False) is None
    for (name, a), (_, b) in zip(full.named_parameters(), lean.named_parameters()):
        np.testing.assert_allclose(to_numpy(b.grad), to_numpy(a.grad), err_msg=name)


def test_a_model_on_the_gpu_takes_host_data_and_predict_returns_it(xp, device, rng):
    X, y = rng.normal(size=(16, 3)), rng.integers(0, 2, 16)
    model = mlp([3, 4, 2], seed=1).to(device)
    model.compile(optimizers.SGD(lr=0.1), "softmax_cross_entropy")
    history = model.fit(X, y, epochs=2, batch_size=8, verbose=0)  # NumPy data, any device
    assert all(type(v) is float for v in history.history["loss"])
    assert type(model.predict(X)) is np.ndarray and model.predict(X).shape == (16, 2)
    if device == "gpu":  # the other way round is an error that names the devices
        cpu_model = mlp([3, 4, 2], seed=1)
        with pytest.raises(TypeError, match=r"predict\(\): received a GPU \(cupy\) array"):
            cpu_model.predict(xp.asarray(X))

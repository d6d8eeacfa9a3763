"""Layers: Dense, Dropout, BatchNorm, and the Layer base (state, modes, errors)."""

import numpy as np
import pytest

from dlcore import backend
from dlcore.activations import PReLU, ReLU
from dlcore.gradcheck import check_layer, check_model
from dlcore.layers import BatchNorm, Dense, Dropout
from dlcore.losses import MSE
from dlcore.models import Sequential


# ------------------------------------------------------------------- Dense
def test_dense_shapes_follow_the_batch_first_convention(xp, device):
    layer = Dense(3, 5, seed=0).to(device)
    assert layer.W.shape == (3, 5) and layer.b.shape == (5,)
    assert layer.forward(xp.ones((7, 3))).shape == (7, 5)


@pytest.mark.parametrize("n", [1, 4])
def test_dense_backward_matches_numerical_gradient(n, xp, device, rng):
    layer = Dense(3, 2, seed=1).to(device)
    report = check_layer(layer, xp.asarray(rng.normal(size=(n, 3))), rng=rng)
    assert report, str(report)
    assert [e.name for e in report.entries] == ["input", "W", "b"]


def test_dense_gradients_accumulate_until_zeroed(rng):
    layer = Dense(2, 2, seed=0)
    x, dout = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    layer.forward(x)
    layer.backward(dout)
    once = layer.W.grad.copy()
    layer.forward(x)
    layer.backward(dout)
    np.testing.assert_allclose(layer.W.grad, 2 * once)
    layer.zero_grad()
    assert not layer.W.grad.any()


def test_dense_without_bias_has_only_weights(rng):
    layer = Dense(3, 2, use_bias=False, seed=0)
    assert [name for name, _ in layer.named_parameters()] == ["W"]
    assert check_layer(layer, rng.normal(size=(2, 3)), rng=rng)


def test_dense_same_seed_same_weights_and_rng_argument_works():
    a, b = Dense(4, 3, seed=7), Dense(4, 3, seed=7)
    np.testing.assert_array_equal(a.W.data, b.W.data)
    c = Dense(4, 3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.W.data, c.W.data)
    assert not np.array_equal(a.W.data, Dense(4, 3, seed=8).W.data)


def test_dense_float32(xp, device):
    layer = Dense(3, 2, seed=0, dtype=np.float32).to(device)
    assert layer.W.dtype == np.float32 and layer.b.dtype == np.float32
    assert layer.forward(xp.ones((2, 3), dtype=xp.float32)).dtype == xp.float32


@pytest.mark.parametrize("make", [lambda: Dense(3, 2, seed=0), lambda: BatchNorm(3),
                                  lambda: PReLU(num_parameters=3)])
def test_host_data_moves_up_to_a_layer_and_loss_on_the_gpu(make, xp, device, rng):
    x, dout = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer = make().to(device)
    out = layer.forward(x)  # NumPy data, whatever the layer's device
    assert backend.device_of(out) == device
    assert backend.device_of(layer.backward(rng.normal(size=out.shape))) == device
    loss = MSE()
    loss.forward(out[:, :2], dout)  # host targets follow the predictions
    assert backend.device_of(loss.backward()) == device


def test_gpu_data_never_comes_down_to_the_cpu_silently():
    with backend.use_standin() as sx:
        x = sx.asarray(np.ones((2, 3)))
        with pytest.raises(TypeError, match=r"hidden: received a GPU \(cupy\) array, but this "
                                            r"computation is on the CPU"):
            Dense(3, 2, seed=0, name="hidden").forward(x)
        with pytest.raises(TypeError, match=r"MSE: received a GPU \(cupy\) array"):
            MSE().forward(np.ones((2, 3)), x)
        assert backend.device_of(ReLU().forward(x)) == "gpu"  # no parameters: stays where it is


def test_dense_wrong_input_width_names_layer_expected_and_received():
    layer = Dense(3, 4, seed=0, name="hidden")
    with pytest.raises(ValueError, match=r"hidden \(Dense\(3 -> 4\)\): expected input of shape \(N, 3\), received \(5, 4\)"):
        layer.forward(np.ones((5, 4)))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\), received \(3,\)"):
        layer.forward(np.ones(3))


def test_dense_empty_batch_is_an_error():
    with pytest.raises(ValueError, match=r"dense: received an empty batch of shape \(0, 3\)"):
        Dense(3, 4, seed=0).forward(np.ones((0, 3)))


def test_dense_bad_arguments():
    with pytest.raises(ValueError, match="in_features must be a positive integer; received 0"):
        Dense(0, 3)
    with pytest.raises(ValueError, match="unknown initializer 'he_norml'.*Did you mean 'he_normal'"):
        Dense(2, 3, init="he_norml")
    with pytest.raises(ValueError, match="either rng or seed"):
        Dense(2, 3, seed=1, rng=np.random.default_rng(1))


# ----------------------------------------------------------------- Dropout
def test_dropout_preserves_the_expected_activation(rng):
    layer = Dropout(0.3, rng=rng)
    x = np.full((4000, 50), 2.0)
    out = layer.forward(x)
    assert out.mean() == pytest.approx(2.0, rel=0.01)
    assert (out == 0).mean() == pytest.approx(0.3, abs=0.01)


def test_dropout_mask_reproducible_with_same_seed():
    x = np.ones((10, 10))
    a = Dropout(0.5, seed=3).forward(x)
    b = Dropout(0.5, seed=3).forward(x)
    c = Dropout(0.5, seed=4).forward(x)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_dropout_is_identity_in_eval_mode(xp):
    layer = Dropout(0.9, seed=0).eval()
    x = xp.asarray(np.arange(6.0).reshape(2, 3))
    assert layer.forward(x) is x
    assert layer.backward(x) is x


def test_dropout_backward_uses_the_forward_mask(xp, rng):
    report = check_layer(Dropout(0.4, seed=1), xp.asarray(rng.normal(size=(6, 5))), rng=rng)
    assert report, str(report)


def test_dropout_rate_must_be_a_probability():
    with pytest.raises(ValueError, match=r"Dropout rate must lie in \[0, 1\); received 1"):
        Dropout(1)


# --------------------------------------------------------------- BatchNorm
def test_batchnorm_training_output_is_standardised_before_gamma_beta(xp, device, rng):
    layer = BatchNorm(3).to(device)
    x = xp.asarray(rng.normal(5.0, 4.0, size=(64, 3)))
    out = backend.to_numpy(layer.forward(x))
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1.0, atol=1e-4)  # eps shrinks it a hair


def test_batchnorm_gamma_and_beta_scale_and_shift(rng):
    layer = BatchNorm(2)
    layer.gamma.data[:] = [2.0, 3.0]
    layer.beta.data[:] = [-1.0, 4.0]
    out = layer.forward(rng.normal(size=(100, 2)))
    np.testing.assert_allclose(out.mean(axis=0), [-1.0, 4.0], atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), [2.0, 3.0], atol=1e-3)


def test_batchnorm_running_averages_follow_the_momentum_rule(rng):
    layer = BatchNorm(2, momentum=0.8)
    x = rng.normal(3.0, 2.0, size=(50, 2))
    layer.forward(x)
    np.testing.assert_allclose(layer.running_mean, 0.2 * x.mean(axis=0))
    np.testing.assert_allclose(layer.running_var, 0.8 + 0.2 * x.var(axis=0))


def test_batchnorm_eval_uses_running_averages_not_the_batch(rng):
    layer = BatchNorm(2, momentum=0.0)  # running averages = the last batch's statistics
    x = rng.normal(3.0, 2.0, size=(50, 2))
    layer.forward(x)
    layer.eval()
    single = x[:1]
    expected = (single - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + layer.eps)
    np.testing.assert_allclose(layer.forward(single), expected)
    before = layer.running_mean.copy()
    layer.forward(rng.normal(size=(10, 2)))
    np.testing.assert_array_equal(layer.running_mean, before)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_batchnorm_backward_matches_numerical_gradient(mode, xp, device, rng):
    layer = BatchNorm(4).to(device)
    layer.gamma.data[:] = xp.asarray(rng.normal(size=4))
    layer.forward(xp.asarray(rng.normal(size=(20, 4))))  # non-trivial running averages
    layer.train(mode == "train")
    report = check_layer(layer, xp.asarray(rng.normal(1.0, 2.0, size=(6, 4))), rng=rng)
    assert report, str(report)


def test_batchnorm_not_first_layer_passes_gradient_check_through_mean_and_variance(
    xp, device, rng
):
    # Dense -> BatchNorm -> ReLU -> Dense: the check reaches the first Dense only through
    # batch norm's mean and variance paths.
    model = Sequential([Dense(3, 5, seed=0), BatchNorm(5), ReLU(), Dense(5, 2, seed=1)])
    model.to(device)
    model.layers[1].gamma.data[:] = xp.asarray(rng.uniform(0.5, 2.0, size=5))
    report = check_model(model, xp.asarray(rng.normal(size=(8, 3))), rng=rng)
    assert report, str(report)
    assert {e.name for e in report.entries} >= {"input", "0.W", "1.gamma", "1.beta", "3.W"}


def test_gradient_check_leaves_running_averages_untouched(rng):
    layer = BatchNorm(3)
    before = layer.state_dict()
    check_layer(layer, rng.normal(size=(4, 3)), rng=rng)
    for key, value in layer.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


# ------------------------------------------------------------ Layer base
def test_state_dict_round_trip_copies_parameters_and_buffers(rng):
    layer = BatchNorm(3)
    layer.forward(rng.normal(size=(5, 3)))
    state = layer.state_dict()
    assert set(state) == {"gamma", "beta", "running_mean", "running_var"}
    state["gamma"][0] = 42.0  # a copy: changing it does not touch the layer
    assert layer.gamma.data[0] == 1.0
    other = BatchNorm(3)
    other.load_state_dict(state)
    assert other.gamma.data[0] == 42.0
    np.testing.assert_array_equal(other.running_var, layer.running_var)


def test_load_state_dict_reports_missing_unexpected_and_wrong_shapes():
    layer = Dense(2, 3, seed=0)
    with pytest.raises(KeyError, match=r"missing: \['b'\]; unexpected: \['c'\]"):
        layer.load_state_dict({"W": np.zeros((2, 3)), "c": np.zeros(3)})
    with pytest.raises(ValueError, match=r"dense.W: expected shape \(2, 3\), received \(3, 2\)"):
        layer.load_state_dict({"W": np.zeros((3, 2)), "b": np.zeros(3)})


def test_train_and_eval_switch_the_mode_of_one_layer():
    layer = Dropout(0.5, seed=0)
    assert layer.training
    assert layer.eval() is layer and not layer.training
    assert layer.train().training


def test_float32_layer_in_gradient_check_is_refused(rng):
    layer = Dense(2, 2, seed=0, dtype=np.float32)
    with pytest.raises(TypeError, match="gradient checks need float64 arrays, but parameter 'W' is float32"):
        check_layer(layer, rng.normal(size=(3, 2)))


def test_dropout_masks_on_the_gpu_come_from_a_seeded_device_generator(xp, device, rng):
    x = xp.ones((200, 10))
    first, second = Dropout(0.5, seed=3).to(device), Dropout(0.5, seed=3).to(device)
    a, b = first.forward(x), second.forward(x)
    assert backend.get_array_module(a) is xp  # the mask was made where the data is
    np.testing.assert_array_equal(backend.to_numpy(a), backend.to_numpy(b))
    again = backend.to_numpy(first.forward(x))
    assert not np.array_equal(again, backend.to_numpy(a))  # a new mask at every call
    assert 0.4 < float((again > 0).mean()) < 0.6


def test_the_same_seed_gives_the_same_initial_weights_on_every_device(device, monkeypatch):
    host = Dense(5, 4, seed=11, init="he_normal")
    monkeypatch.setenv("DLCORE_DEVICE", device)  # built directly on the device
    there = Dense(5, 4, seed=11, init="he_normal")
    assert there.W.device == device
    np.testing.assert_array_equal(backend.to_numpy(there.W.data), host.W.data)

"""The optimizer interface: param groups, state, errors, registry."""

import numpy as np
import pytest

from dlcore import optimizers
from dlcore.parameter import Parameter


def make_param(values, grad):
    p = Parameter(np.asarray(values, dtype=float), "w")
    p.grad[...] = grad
    return p


def test_sgd_step_is_w_minus_lr_times_grad(xp):
    p = make_param([1.0, -2.0], [0.5, 1.0])
    p.to("gpu" if xp is not np else "cpu")
    data_before = p.data
    optimizers.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data.tolist(), [0.95, -2.1])
    assert p.data is data_before  # updated in place


def test_param_groups_have_their_own_learning_rate():
    a, b = make_param([1.0], [1.0]), make_param([1.0], [1.0])
    opt = optimizers.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    opt.step()
    assert a.data[0] == pytest.approx(0.9) and b.data[0] == pytest.approx(0.5)


def test_frozen_parameters_are_not_updated():
    p = make_param([1.0], [1.0])
    p.trainable = False
    optimizers.SGD([p], lr=0.1).step()
    assert p.data[0] == 1.0


def test_zero_grad_clears_every_gradient():
    params = [make_param([1.0, 2.0], [3.0, 4.0]) for _ in range(2)]
    opt = optimizers.SGD(params)
    opt.zero_grad()
    assert all(not p.grad.any() for p in params)


def test_lr_property_sets_every_group():
    opt = optimizers.SGD([{"params": [make_param([1.0], [0.0])]}, {"params": [make_param([1.0], [0.0])], "lr": 1.0}])
    opt.lr = 0.3
    assert [g["lr"] for g in opt.param_groups] == [0.3, 0.3]


def test_state_dict_round_trip():
    p = make_param([1.0], [1.0])
    opt = optimizers.SGD([p], lr=0.2)
    opt.state.setdefault(p, {})["velocity"] = np.array([0.5])
    saved = opt.state_dict()
    assert saved["param_groups"] == [{"lr": 0.2, "weight_decay": 0.0, "params": [0]}]
    other = optimizers.SGD([p], lr=0.9)
    other.load_state_dict(saved)
    assert other.lr == 0.2
    np.testing.assert_array_equal(other.state[p]["velocity"], [0.5])


def test_unknown_hyperparameter_lists_the_valid_ones():
    with pytest.raises(TypeError, match=r"SGD\(\) got unknown keyword argument\(s\) 'learning_rate'; valid ones are: clip_norm, clip_value, lr, weight_decay"):
        optimizers.SGD([make_param([1.0], [0.0])], learning_rate=0.1)
    with pytest.raises(TypeError, match="parameter group got unknown keyword argument"):
        optimizers.SGD([{"params": [make_param([1.0], [0.0])], "beta": 0.9}])


def test_empty_parameter_list_is_an_error():
    with pytest.raises(ValueError, match="SGD: received an empty parameter list"):
        optimizers.SGD([])


def test_bad_values_are_errors():
    p = make_param([1.0], [0.0])
    with pytest.raises(ValueError, match="SGD lr must be a number > 0; received -1"):
        optimizers.SGD([p], lr=-1)
    with pytest.raises(TypeError, match="expected Parameter objects, received ndarray"):
        optimizers.SGD([np.zeros(2)])
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizers.SGD([{"params": [p]}, {"params": [p]}])


def test_step_without_parameters_explains_how_to_bind_them():
    with pytest.raises(RuntimeError, match="has no parameters"):
        optimizers.SGD(lr=0.1).step()


def test_registry():
    assert isinstance(optimizers.get("SGD", lr=0.2), optimizers.SGD)
    opt = optimizers.SGD()
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="unknown optimizer 'sdg'.*Did you mean 'sgd'"):
        optimizers.get("sdg")

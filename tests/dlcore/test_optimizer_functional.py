"""The optimizers as pure functions (dlcore.optimizers.functional): the classes' rules, no side effects."""

import numpy as np
import pytest

from dlcore import optimizers
from dlcore.optimizers import functional
from dlcore.parameter import Parameter

SETTINGS = {
    "sgd": {"lr": 0.1},
    "momentum": {"lr": 0.1, "momentum": 0.8},
    "nesterov": {"lr": 0.1, "momentum": 0.7, "variant": "velocity"},
    "adagrad": {"lr": 0.1, "eps_inside_sqrt": True},
    "rmsprop": {"lr": 0.01, "rho": 0.8},
    "adadelta": {"rho": 0.9, "eps": 1e-4},
    "adam": {"lr": 0.01, "beta1": 0.8, "beta2": 0.95},
    "adamax": {"lr": 0.01},
    "nadam": {"lr": 0.01, "beta2": 0.9},
}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_pure_rule_follows_the_optimizer_class_step_by_step(name, xp):
    rng = np.random.default_rng(0)
    start = rng.standard_normal((3, 2))
    param = Parameter(xp.array(start))  # a copy: the parameter is updated in place
    optimizer = optimizers.get(name, params=[param], **SETTINGS[name])
    w, state = xp.array(start), {}
    for _ in range(6):
        g = xp.asarray(rng.standard_normal((3, 2)))
        param.grad[...] = g
        optimizer.step()
        w, state = functional.get(name)(w, g, state, **SETTINGS[name])
        np.testing.assert_allclose(_host(w), _host(param.data), rtol=1e-12, atol=1e-15)


def _host(array):
    return array.get() if hasattr(array, "get") else np.asarray(array)


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_pure_rule_changes_none_of_its_inputs(name):
    rng = np.random.default_rng(1)
    w, g = rng.standard_normal(4), rng.standard_normal(4)
    _, state = functional.get(name)(w, g, {}, **SETTINGS[name])
    copies = (w.copy(), g.copy(), {k: np.copy(v) for k, v in state.items()})
    first, _ = functional.get(name)(w, g, state, **SETTINGS[name])
    second, _ = functional.get(name)(w, g, state, **SETTINGS[name])
    np.testing.assert_array_equal(w, copies[0])
    np.testing.assert_array_equal(g, copies[1])
    for key, value in copies[2].items():
        np.testing.assert_array_equal(state[key], value)
    np.testing.assert_array_equal(first, second)  # same inputs, same step


def test_state_holds_the_classes_memory():
    _, state = functional.momentum_update(np.ones(2), np.ones(2), {}, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(state["velocity"], 0.1 * np.ones(2))
    _, state = functional.adam_update(np.ones(2), np.ones(2), None)
    assert state["step"] == 1 and set(state) == {"m", "v", "step"}


def test_integer_parameters_are_updated_as_floats():
    w, _ = functional.sgd_update(np.array([1, 2]), np.array([1.0, 1.0]), {}, lr=0.5)
    np.testing.assert_allclose(w, [0.5, 1.5])


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match=r"gradient must have the shape of w \(2,\); received \(3,\)"):
        functional.sgd_update(np.ones(2), np.ones(3), {})
    with pytest.raises(TypeError, match="state must be the dict returned by the previous step"):
        functional.momentum_update(np.ones(2), np.ones(2), [0.0, 0.0])
    with pytest.raises(ValueError, match="Momentum momentum must lie in"):
        functional.momentum_update(np.ones(2), np.ones(2), {}, momentum=1.5)
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        functional.get("adamw")

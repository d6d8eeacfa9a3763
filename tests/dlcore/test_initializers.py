"""Initialisers: the variance each one promises, reproducibility, the registry."""

import numpy as np
import pytest

from dlcore import initializers

FAN_IN, FAN_OUT = 400, 200
SHAPE = (FAN_IN, FAN_OUT)

EXPECTED_STD = {
    "glorot_normal": np.sqrt(2 / (FAN_IN + FAN_OUT)),
    "glorot_uniform": np.sqrt(2 / (FAN_IN + FAN_OUT)),
    "xavier_normal": np.sqrt(2 / (FAN_IN + FAN_OUT)),
    "he_normal": np.sqrt(2 / FAN_IN),
    "he_uniform": np.sqrt(2 / FAN_IN),
    "lecun_normal": np.sqrt(1 / FAN_IN),
    "lecun_uniform": np.sqrt(1 / FAN_IN),
    "normal": 0.01,
    "uniform": 0.05 / np.sqrt(3),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_STD))
def test_initializer_has_the_promised_standard_deviation(name, rng):
    W = initializers.get(name)(SHAPE, rng, np.float64)
    assert W.shape == SHAPE and W.dtype == np.float64
    assert abs(W.mean()) < 0.05 * EXPECTED_STD[name]
    assert W.std() == pytest.approx(EXPECTED_STD[name], rel=0.02)


def test_uniform_limits_are_respected(rng):
    W = initializers.he_uniform(SHAPE, rng)
    assert np.abs(W).max() <= np.sqrt(6 / FAN_IN)


def test_constants_and_dtype(rng):
    assert not initializers.zeros((2, 3), rng).any()
    assert (initializers.ones((2,), rng) == 1).all()
    assert (initializers.constant(0.5)((3,), rng) == 0.5).all()
    assert initializers.he_normal((3, 3), rng, np.float32).dtype == np.float32


def test_same_generator_state_same_weights():
    a = initializers.glorot_uniform((5, 4), np.random.default_rng(1))
    b = initializers.glorot_uniform((5, 4), np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)


def test_registry_and_errors():
    assert initializers.get("Xavier-Uniform") is initializers.glorot_uniform
    custom = initializers.normal(0.1)
    assert initializers.get(custom) is custom
    with pytest.raises(ValueError, match="unknown initializer 'kaiming'"):
        initializers.get("kaiming")
    with pytest.raises(ValueError, match="std must be a number > 0; received 0"):
        initializers.normal(0)

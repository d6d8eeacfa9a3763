"""Exponentially weighted averages with and without bias correction."""

import numpy as np
import pytest

from dlcore.optimizers import exponentially_weighted_average


def test_the_worked_example_of_three_temperatures():
    x = np.array([40.0, 49.0, 45.0])
    raw = exponentially_weighted_average(x, 0.9, bias_correction=False)
    corrected = exponentially_weighted_average(x, 0.9)
    np.testing.assert_allclose(raw, [4.0, 8.5, 12.15])
    np.testing.assert_allclose(corrected, [40.0, 8.5 / 0.19, 12.15 / 0.271])


def test_matches_the_unrolled_weighted_sum(xp):
    rng = np.random.default_rng(0)
    x, beta = rng.standard_normal(12), 0.8
    weights = (1 - beta) * beta ** np.arange(12)[::-1]  # weight of x_1 .. x_12 in v_12
    got = exponentially_weighted_average(xp.asarray(x), beta, bias_correction=False)
    got = got.get() if hasattr(got, "get") else got
    assert got[-1] == pytest.approx(weights @ x)
    corrected = exponentially_weighted_average(x, beta)
    assert corrected[-1] == pytest.approx(weights @ x / weights.sum())


def test_a_constant_series_is_its_own_corrected_average():
    x = np.full((20, 3), 7.0)
    np.testing.assert_allclose(exponentially_weighted_average(x, 0.98), x)
    assert exponentially_weighted_average(x, 0.98, bias_correction=False)[0, 0] == pytest.approx(0.14)


def test_each_column_is_averaged_on_its_own():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 2, 3))
    both = exponentially_weighted_average(x, 0.5)
    np.testing.assert_allclose(both[:, 1, 2], exponentially_weighted_average(x[:, 1, 2], 0.5))


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="beta must lie in"):
        exponentially_weighted_average(np.ones(3), 1.0)
    with pytest.raises(ValueError, match=r"shape \(T, \.\.\.\) with T >= 1; received shape \(\)"):
        exponentially_weighted_average(np.float64(3.0), 0.9)

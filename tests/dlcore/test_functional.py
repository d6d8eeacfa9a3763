"""The pure forward/backward pairs: dense, dropout, batch norm (activations: test_activations)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dlcore import functional as F
from dlcore.backend import to_numpy
from dlcore.gradcheck import check_function


def test_dense_forward_matches_hand_computation(xp):
    x = xp.asarray([[1.0, 2.0]])
    W = xp.asarray([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    b = xp.asarray([0.1, 0.2, 0.3])
    out, _ = F.dense_forward(x, W, b)
    # [1 + 1, 0 + 4, -1 + 2] + b
    np.testing.assert_allclose(to_numpy(out), [[2.1, 4.2, 1.3]])


@pytest.mark.parametrize("n", [1, 5])
def test_dense_backward_matches_numerical_gradient(n, xp, rng):
    x, W, b = (xp.asarray(rng.normal(size=s)) for s in [(n, 4), (4, 3), (3,)])

    def f(x, W, b):
        return F.dense_forward(x, W, b)[0]

    def df(dout, x, W, b):
        return F.dense_backward(dout, F.dense_forward(x, W, b)[1])

    report = check_function(f, df, x, W, b, names=["x", "W", "b"], rng=rng)
    assert report, str(report)


def test_dropout_is_identity_in_evaluation_and_with_rate_zero(rng):
    x = rng.normal(size=(3, 4))
    assert F.dropout_forward(x, 0.5, rng, training=False)[0] is x
    assert F.dropout_forward(x, 0.0, rng, training=True)[0] is x


def test_dropout_scales_survivors_by_inverse_keep_probability(rng):
    x = np.ones((200, 50))
    out, mask = F.dropout_forward(x, 0.2, rng)
    assert set(np.unique(out)) == {0.0, 1.25}
    np.testing.assert_array_equal(F.dropout_backward(np.ones_like(x), mask), out)


def test_batchnorm_backward_matches_numerical_gradient(xp, rng):
    x = xp.asarray(rng.normal(2.0, 3.0, size=(6, 4)))
    gamma = xp.asarray(rng.normal(size=4))
    beta = xp.asarray(rng.normal(size=4))

    def f(x, gamma, beta):
        return F.batchnorm_forward(x, gamma, beta)[0]

    def df(dout, x, gamma, beta):
        return F.batchnorm_backward(dout, F.batchnorm_forward(x, gamma, beta)[1])

    report = check_function(f, df, x, gamma, beta, names=["x", "gamma", "beta"], rng=rng)
    assert report, str(report)


def test_batchnorm_inference_backward_matches_numerical_gradient(rng):
    x, gamma, beta = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=3)
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2, size=3)

    def f(x, gamma, beta):
        return F.batchnorm_inference_forward(x, gamma, beta, mean, var)[0]

    def df(dout, x, gamma, beta):
        cache = F.batchnorm_inference_forward(x, gamma, beta, mean, var)[1]
        return F.batchnorm_inference_backward(dout, cache)

    assert check_function(f, df, x, gamma, beta, rng=rng)


def test_batchnorm_forward_returns_the_batch_statistics(rng):
    x = rng.normal(size=(10, 2))
    _, cache = F.batchnorm_forward(x, np.ones(2), np.zeros(2))
    np.testing.assert_allclose(cache.mean, x.mean(axis=0))
    np.testing.assert_allclose(cache.var, x.var(axis=0))  # biased: divides by N


def test_softmax_rows_sum_to_one_and_ignore_a_shift(rng):
    z = rng.normal(size=(4, 5))
    s, _ = F.softmax_forward(z)
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    np.testing.assert_allclose(F.softmax_forward(z + 100.0)[0], s)


# ------------------------------------------------------------ properties
dims = st.integers(min_value=1, max_value=4)


@settings(max_examples=25, deadline=None)
@given(n=dims, d_in=dims, d_out=dims, seed=st.integers(0, 2**16))
def test_dense_backward_is_right_for_any_shape(n, d_in, d_out, seed):
    rng = np.random.default_rng(seed)
    x, W, b = rng.normal(size=(n, d_in)), rng.normal(size=(d_in, d_out)), rng.normal(size=d_out)
    report = check_function(
        lambda x, W, b: F.dense_forward(x, W, b)[0],
        lambda d, x, W, b: F.dense_backward(d, (x, W)),
        x, W, b, rng=rng,
    )  # fmt: skip
    assert report, str(report)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(dims, st.integers(2, 6)),
              elements=st.floats(-1000, 1000)))  # fmt: skip
def test_softmax_is_a_distribution_for_any_finite_logits(z):
    s, _ = F.softmax_forward(z)
    assert np.isfinite(s).all() and (s >= 0).all()
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(F.log_softmax(z)), s, atol=1e-12)

"""Each optimizer's update rule, checked against a plain transcription of its formula.

The reference functions below are deliberately naive (new arrays everywhere,
one line per formula line) so that they read like the docstrings and papers.
"""

import math
import tracemalloc

import numpy as np
import pytest

from dlcore import optimizers
from dlcore.parameter import Parameter

W0 = np.array([0.5, -1.5, 2.0])
GRADS = [np.array([0.3, -0.2, 1.0]), np.array([-0.1, 0.4, 0.5]), np.array([0.2, 0.2, -0.7])]


def ref_sgd(w, grads, lr):
    for g in grads:
        w = w - lr * g
        yield w


def ref_momentum_ewa(w, grads, lr, beta):
    v = 0 * w
    for g in grads:
        v = beta * v + (1 - beta) * g
        w = w - lr * v
        yield w


def ref_momentum_velocity(w, grads, lr, beta):
    v = 0 * w
    for g in grads:
        v = beta * v + lr * g
        w = w - v
        yield w


def ref_nesterov_velocity(w, grads, lr, beta):
    # Sutskever's form with the look-ahead variable: w - beta*v is where the gradient is taken.
    v = 0 * w
    for g in grads:
        v_new = beta * v + lr * g
        w = w - (beta * v_new + lr * g)
        v = v_new
        yield w


def ref_nesterov_ewa(w, grads, lr, beta):
    v = 0 * w
    for g in grads:
        v = beta * v + (1 - beta) * g
        w = w - lr * (beta * v + (1 - beta) * g)
        yield w


def ref_adagrad(w, grads, lr, eps, inside=False):
    s = 0 * w
    for g in grads:
        s = s + g**2
        denom = np.sqrt(s + eps) if inside else np.sqrt(s) + eps
        w = w - lr * g / denom
        yield w


def ref_rmsprop(w, grads, lr, rho, eps, inside=False):
    s = 0 * w
    for g in grads:
        s = rho * s + (1 - rho) * g**2
        denom = np.sqrt(s + eps) if inside else np.sqrt(s) + eps
        w = w - lr * g / denom
        yield w


def ref_adadelta(w, grads, rho, eps, lr=1.0):
    s, d = 0 * w, 0 * w
    for g in grads:
        s = rho * s + (1 - rho) * g**2
        dw = np.sqrt(d + eps) / np.sqrt(s + eps) * g
        d = rho * d + (1 - rho) * dw**2
        w = w - lr * dw
        yield w


def ref_adam(w, grads, lr, b1, b2, eps, inside=False):
    m, v = 0 * w, 0 * w
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        denom = np.sqrt(v_hat + eps) if inside else np.sqrt(v_hat) + eps
        w = w - lr * m_hat / denom
        yield w


def ref_adamax(w, grads, lr, b1, b2, eps):
    m, u = 0 * w, 0 * w
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g))
        w = w - (lr / (1 - b1**t)) * m / (u + eps)
        yield w


def ref_nadam(w, grads, lr, b1, b2, eps):
    m, v = 0 * w, 0 * w
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_bar = b1 * m / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1**t)
        w = w - lr * m_bar / (np.sqrt(v / (1 - b2**t)) + eps)
        yield w


CASES = {
    "sgd": (optimizers.SGD, {"lr": 0.1}, lambda w, g: ref_sgd(w, g, 0.1)),
    "momentum-ewa": (
        optimizers.Momentum,
        {"lr": 0.1, "momentum": 0.8},
        lambda w, g: ref_momentum_ewa(w, g, 0.1, 0.8),
    ),
    "momentum-velocity": (
        optimizers.Momentum,
        {"lr": 0.1, "momentum": 0.8, "variant": "velocity"},
        lambda w, g: ref_momentum_velocity(w, g, 0.1, 0.8),
    ),
    "nesterov-ewa": (
        optimizers.Nesterov,
        {"lr": 0.1, "momentum": 0.8},
        lambda w, g: ref_nesterov_ewa(w, g, 0.1, 0.8),
    ),
    "nesterov-velocity": (
        optimizers.Nesterov,
        {"lr": 0.1, "momentum": 0.8, "variant": "velocity"},
        lambda w, g: ref_nesterov_velocity(w, g, 0.1, 0.8),
    ),
    "adagrad": (
        optimizers.Adagrad,
        {"lr": 0.1, "eps": 1e-3},
        lambda w, g: ref_adagrad(w, g, 0.1, 1e-3),
    ),
    "adagrad-eps-inside": (
        optimizers.Adagrad,
        {"lr": 0.1, "eps": 1e-3, "eps_inside_sqrt": True},
        lambda w, g: ref_adagrad(w, g, 0.1, 1e-3, inside=True),
    ),
    "rmsprop": (
        optimizers.RMSprop,
        {"lr": 0.01, "rho": 0.9, "eps": 1e-3},
        lambda w, g: ref_rmsprop(w, g, 0.01, 0.9, 1e-3),
    ),
    "rmsprop-eps-inside": (
        optimizers.RMSprop,
        {"lr": 0.01, "rho": 0.9, "eps": 1e-3, "eps_inside_sqrt": True},
        lambda w, g: ref_rmsprop(w, g, 0.01, 0.9, 1e-3, inside=True),
    ),
    "adadelta": (
        optimizers.Adadelta,
        {"rho": 0.9, "eps": 1e-4},
        lambda w, g: ref_adadelta(w, g, 0.9, 1e-4),
    ),
    "adam": (
        optimizers.Adam,
        {"lr": 0.01, "eps": 1e-3},
        lambda w, g: ref_adam(w, g, 0.01, 0.9, 0.999, 1e-3),
    ),
    "adam-eps-inside": (
        optimizers.Adam,
        {"lr": 0.01, "eps": 1e-3, "eps_inside_sqrt": True},
        lambda w, g: ref_adam(w, g, 0.01, 0.9, 0.999, 1e-3, inside=True),
    ),
    "adamax": (
        optimizers.Adamax,
        {"lr": 0.01, "beta2": 0.5, "eps": 1e-3},
        lambda w, g: ref_adamax(w, g, 0.01, 0.9, 0.5, 1e-3),
    ),
    "nadam": (
        optimizers.Nadam,
        {"lr": 0.01, "eps": 1e-3},
        lambda w, g: ref_nadam(w, g, 0.01, 0.9, 0.999, 1e-3),
    ),
}


def run_steps(cls, kwargs, grads, w0=W0, xp=np):
    p = Parameter(xp.array(w0, dtype=float), "w")
    opt = cls([p], **kwargs)
    for g in grads:
        p.grad[...] = xp.asarray(g)
        opt.step()
        yield np.asarray(p.data.tolist())


@pytest.mark.parametrize("case", list(CASES))
def test_first_three_steps_match_the_formula(case, xp):
    cls, kwargs, reference = CASES[case]
    got = list(run_steps(cls, kwargs, GRADS, xp=xp))
    want = list(reference(W0.copy(), GRADS))
    for step, (g, w) in enumerate(zip(got, want), start=1):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-15, err_msg=f"{case}, step {step}")
    assert not np.allclose(got[0], W0)  # the step really moved the parameter


QUADRATIC_LR = {
    optimizers.SGD: 0.1,
    optimizers.Momentum: 0.1,
    optimizers.Nesterov: 0.1,
    optimizers.Adagrad: 0.5,
    optimizers.RMSprop: 0.05,
    optimizers.Adadelta: 1.0,
    optimizers.Adam: 0.1,
    optimizers.Adamax: 0.1,
    optimizers.Nadam: 0.1,
}


@pytest.mark.parametrize("cls", list(QUADRATIC_LR), ids=lambda c: c.__name__)
def test_every_optimizer_decreases_a_convex_quadratic(cls):
    curvature = np.array([1.0, 4.0, 0.5])  # an elongated bowl f(w) = 1/2 sum a_i w_i^2

    def f(w):
        return 0.5 * float((curvature * w**2).sum())

    p = Parameter(W0.copy(), "w")
    opt = cls([p], lr=QUADRATIC_LR[cls])
    start = f(p.data)
    values = []
    # Adadelta's first steps have size ~sqrt(eps) = 1e-3: it needs longer to get going.
    for _ in range(1000 if cls is optimizers.Adadelta else 300):
        p.grad[...] = curvature * p.data
        opt.step()
        values.append(f(p.data))
    assert values[-1] < 0.05 * start, f"{cls.__name__}: {start:.3g} -> {values[-1]:.3g}"
    assert values[-1] <= min(values[:10])


def test_adam_first_step_moves_each_coordinate_by_about_lr():
    grads = np.array([1e-4, -3.0, 250.0, 0.02])
    p = Parameter(np.zeros(4), "w")
    p.grad[...] = grads
    optimizers.Adam([p], lr=0.01).step()
    np.testing.assert_allclose(np.abs(p.data), 0.01, rtol=1e-3)
    np.testing.assert_array_equal(np.sign(p.data), -np.sign(grads))


def test_velocity_momentum_with_scaled_lr_follows_the_ewa_trajectory():
    beta = 0.9
    ewa = list(run_steps(optimizers.Momentum, {"lr": 0.5, "momentum": beta}, GRADS))
    velocity = list(
        run_steps(
            optimizers.Momentum,
            {"lr": 0.5 * (1 - beta), "momentum": beta, "variant": "velocity"},
            GRADS,
        )
    )
    np.testing.assert_allclose(ewa, velocity, rtol=1e-12)


def test_adadelta_needs_no_learning_rate():
    opt = optimizers.Adadelta([Parameter(np.ones(2), "w")])
    assert opt.lr == 1.0


@pytest.mark.parametrize("cls", list(QUADRATIC_LR), ids=lambda c: c.__name__)
def test_state_dict_round_trips_mid_training(cls, rng):
    w0 = rng.standard_normal((4, 3))
    grads = [rng.standard_normal((4, 3)) for _ in range(6)]
    a = Parameter(w0.copy(), "w")
    opt_a = cls([a], weight_decay=0.01)
    for g in grads[:3]:
        a.grad[...] = g
        opt_a.step()
    saved = opt_a.state_dict()
    b = Parameter(a.data.copy(), "w")
    opt_b = cls([b], lr=0.123)  # other hyperparameters: the state must bring them back
    opt_b.load_state_dict(saved)
    assert opt_b.param_groups[0]["lr"] == opt_a.param_groups[0]["lr"]
    for g in grads[3:]:
        a.grad[...] = g
        b.grad[...] = g
        opt_a.step()
        opt_b.step()
    np.testing.assert_array_equal(a.data, b.data)


def test_loading_state_of_the_wrong_shape_is_an_error():
    a = Parameter(np.ones(3), "w")
    opt = optimizers.Adam([a])
    a.grad[...] = 1.0
    opt.step()
    other = optimizers.Adam([Parameter(np.ones(4), "w")])
    with pytest.raises(ValueError, match=r"saved state 'm' of parameter 0 has shape \(3,\)"):
        other.load_state_dict(opt.state_dict())


@pytest.mark.parametrize("cls", list(QUADRATIC_LR), ids=lambda c: c.__name__)
def test_updates_happen_in_place_without_allocating(cls):
    p = Parameter(np.ones(200_000), "w")  # 1.6 MB per array
    p.grad[...] = 0.5
    opt = cls([p], weight_decay=1e-4)
    opt.step()  # the first step creates the state and the work arrays
    data = p.data
    state = {k: v for k, v in opt.state[p].items() if hasattr(v, "shape")}
    tracemalloc.start()
    try:
        for _ in range(3):
            opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert p.data is data
    assert all(opt.state[p][k] is v for k, v in state.items())
    assert peak < 100_000, f"{cls.__name__} allocated {peak} bytes during a step"


def test_frozen_parameters_keep_their_values_and_get_no_state():
    p = Parameter(np.ones(2), "w", trainable=False)
    p.grad[...] = 1.0
    opt = optimizers.Adam([p], weight_decay=0.1)
    opt.step()
    np.testing.assert_array_equal(p.data, [1.0, 1.0])
    assert p not in opt.state


# --------------------------------------------------------------- weight decay
def test_decoupled_weight_decay_equals_l2_for_plain_sgd():
    lr, wd = 0.1, 0.05
    decayed = Parameter(W0.copy(), "w")
    opt = optimizers.SGD([decayed], lr=lr, weight_decay=wd)
    w = W0.copy()
    for g in GRADS:
        decayed.grad[...] = g
        opt.step()
        w = w - lr * (g + wd * w)
    np.testing.assert_allclose(decayed.data, w, rtol=1e-12)


def test_decoupled_weight_decay_differs_from_l2_for_adam():
    lr, wd = 0.1, 0.05
    decoupled = Parameter(W0.copy(), "w")
    coupled = Parameter(W0.copy(), "w")
    opt_decoupled = optimizers.Adam([decoupled], lr=lr, weight_decay=wd)
    opt_coupled = optimizers.Adam([coupled], lr=lr)
    for g in GRADS:
        decoupled.grad[...] = g
        coupled.grad[...] = g + wd * coupled.data
        opt_decoupled.step()
        opt_coupled.step()
    assert not np.allclose(decoupled.data, coupled.data, rtol=1e-3)
    # AdamW: shrink by (1 - lr * wd), then the plain Adam step on g.
    w = W0 * (1 - lr * wd)
    plain = next(ref_adam(w, GRADS[:1], lr, 0.9, 0.999, 1e-8))
    first = Parameter(W0.copy(), "w")
    first.grad[...] = GRADS[0]
    optimizers.Adam([first], lr=lr, weight_decay=wd).step()
    np.testing.assert_allclose(first.data, plain, rtol=1e-12)


# ------------------------------------------------------------------- clipping
def test_clip_value_bounds_every_entry():
    p = Parameter(np.zeros(4), "w")
    p.grad[...] = [-5.0, -0.5, 0.5, 5.0]
    optimizers.SGD([p], lr=1.0, clip_value=1.0).step()
    np.testing.assert_array_equal(p.data, [1.0, 0.5, -0.5, -1.0])


def test_clip_norm_rescales_the_global_norm_and_keeps_the_direction():
    a, b = Parameter(np.zeros(2), "a"), Parameter(np.zeros(1), "b")
    a.grad[...] = [3.0, 0.0]
    b.grad[...] = [4.0]  # global norm 5
    opt = optimizers.SGD([a, b], lr=1.0, clip_norm=2.0)
    opt.step()
    assert opt.last_grad_norm == pytest.approx(5.0)
    assert optimizers.global_grad_norm([a, b]) == pytest.approx(2.0)
    np.testing.assert_allclose(np.concatenate([a.grad, b.grad]), [1.2, 0.0, 1.6])
    np.testing.assert_allclose(np.concatenate([a.data, b.data]), [-1.2, 0.0, -1.6])


def test_clip_norm_leaves_small_gradients_alone():
    p = Parameter(np.zeros(2), "w")
    p.grad[...] = [0.3, 0.4]
    norm = optimizers.clip_grad_norm([p], max_norm=1.0)
    assert norm == pytest.approx(0.5)
    np.testing.assert_array_equal(p.grad, [0.3, 0.4])


def test_clip_grad_value_function():
    p = Parameter(np.zeros(3), "w")
    p.grad[...] = [-2.0, 0.1, 3.0]
    optimizers.clip_grad_value([p], 0.5)
    np.testing.assert_array_equal(p.grad, [-0.5, 0.1, 0.5])
    assert math.isclose(optimizers.global_grad_norm([p]), math.sqrt(0.51))


# ------------------------------------------------------------------- errors
def test_unknown_hyperparameters_list_the_valid_ones():
    p = Parameter(np.ones(2), "w")
    with pytest.raises(TypeError, match=r"Adam\(\) got unknown keyword argument\(s\) 'beta_1'.*"
                       r"valid ones are: beta1, beta2, clip_norm, clip_value, eps, eps_inside_sqrt, "
                       r"lr, weight_decay\. Did you mean 'beta1'\?"):
        optimizers.Adam([p], beta_1=0.9)
    with pytest.raises(TypeError, match="Momentum.*'beta'.*valid ones are:.*momentum"):
        optimizers.Momentum([p], beta=0.9)


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (optimizers.Momentum, {"momentum": 1.0}, r"Momentum momentum must lie in \[0, 1\)"),
        (optimizers.Momentum, {"variant": "nag"}, "variant must be 'ewa'.*or 'velocity'.*'nag'"),
        (optimizers.Adam, {"beta2": -0.1}, "Adam beta2 must lie in"),
        (optimizers.Adam, {"eps": 0}, "Adam eps must be a number > 0"),
        (optimizers.Adam, {"eps_inside_sqrt": "yes"}, "eps_inside_sqrt must be True or False"),
        (optimizers.RMSprop, {"weight_decay": -1}, "RMSprop weight_decay must be a number >= 0"),
        (optimizers.SGD, {"clip_norm": 0}, "clip_norm must be a number > 0"),
    ],
)
def test_bad_hyperparameters_are_named(cls, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        cls([Parameter(np.ones(2), "w")], **kwargs)


def test_empty_parameter_list_is_an_error_for_every_optimizer():
    for cls in QUADRATIC_LR:
        with pytest.raises(ValueError, match=f"{cls.__name__}: received an empty parameter list"):
            cls([])


def test_registry_knows_all_nine():
    names = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamax", "nadam"]
    assert [type(optimizers.get(n)).__name__.lower() for n in names] == names
    with pytest.raises(TypeError, match="cannot be applied to an existing Adam"):
        optimizers.get(optimizers.Adam(), lr=0.1)

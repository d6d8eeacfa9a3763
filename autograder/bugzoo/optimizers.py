"""Bug zoo of notebook 05, optimizers: the wrong averages, batches, rules and schedules
students write, each as a student would write it."""

from __future__ import annotations

import numpy as np

from .. import optimizers as checks
from . import Bug


# ----------------------------------------------------------------------- EWA
def ewa_never_corrected(x, beta, bias_correction=True):
    v, out = 0.0, []
    for x_t in x:
        v = beta * v + (1 - beta) * x_t
        out.append(v)
    return np.array(out)


def ewa_weights_swapped(x, beta, bias_correction=True):
    v, out = np.zeros_like(x[0], dtype=float), []
    for t, x_t in enumerate(x, start=1):
        v = (1 - beta) * v + beta * x_t
        out.append(v / (1 - (1 - beta) ** t) if bias_correction else v)
    return np.array(out)


def ewa_exponent_from_zero(x, beta, bias_correction=True):
    v, out = np.zeros_like(x[0], dtype=float), []
    for t, x_t in enumerate(x):  # t = 0 first: 1 - beta**0 = 0
        v = beta * v + (1 - beta) * x_t
        out.append(v / (1 - beta**t) if bias_correction else v)
    return np.array(out)


def ewa_correction_fed_back(x, beta, bias_correction=True):
    v, out = np.zeros_like(x[0], dtype=float), []
    for t, x_t in enumerate(x, start=1):
        v = beta * v + (1 - beta) * x_t
        if bias_correction:
            v = v / (1 - beta**t)
        out.append(v)
    return np.array(out)


def ewa_starts_at_first_value(x, beta, bias_correction=True):
    v, out = x[0], []
    for x_t in x:
        v = beta * v + (1 - beta) * x_t
        out.append(v)
    return np.array(out)


def ewa_last_only(x, beta, bias_correction=True):
    v = np.zeros_like(x[0], dtype=float)
    for x_t in x:
        v = beta * v + (1 - beta) * x_t
    return v / (1 - beta ** len(x)) if bias_correction else v


# --------------------------------------------------------------- mini-batches
def minibatches_drop_last(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    return [(X[k * batch_size:(k + 1) * batch_size], y[k * batch_size:(k + 1) * batch_size])
            for k in range(len(X) // batch_size)]


def minibatches_unshuffled(X, y, batch_size, rng):
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def minibatches_two_permutations(X, y, batch_size, rng):
    X, y = X[rng.permutation(len(X))], y[rng.permutation(len(y))]
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def minibatches_own_generator(X, y, batch_size, rng):
    order = np.random.default_rng(0).permutation(len(X))  # not the rng passed in
    X, y = X[order], y[order]
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def minibatches_shuffle_callers_X(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    X[:] = X[order]  # the caller's X is now shuffled
    y = y[order]
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


# ----------------------------------------------------------------------- SGD
def sgd_climbs(w, g, state, lr=0.01):
    return w + lr * g, state


def sgd_without_lr(w, g, state, lr=0.01):
    return w - g, state


def sgd_in_place(w, g, state, lr=0.01):
    w -= lr * g
    return w, state


def sgd_lr_hard_coded(w, g, state, lr=0.01):
    return w - 0.01 * g, state


# ------------------------------------------------------------------ momentum
def momentum_velocity_form(w, g, state, lr=0.01, momentum=0.9):
    v = momentum * state.get("v", np.zeros_like(w)) + g  # PyTorch's buffer
    return w - lr * v, {"v": v}


def momentum_swapped(w, g, state, lr=0.01, momentum=0.9):
    v = (1 - momentum) * state.get("v", np.zeros_like(w)) + momentum * g
    return w - lr * v, {"v": v}


def momentum_forgets_v(w, g, state, lr=0.01, momentum=0.9):
    v = momentum * np.zeros_like(w) + (1 - momentum) * g
    return w - lr * v, state


def momentum_state_in_place(w, g, state, lr=0.01, momentum=0.9):
    v = momentum * state.get("v", np.zeros_like(w)) + (1 - momentum) * g
    state["v"] = v
    return w - lr * v, state


def momentum_steps_with_g(w, g, state, lr=0.01, momentum=0.9):
    v = momentum * state.get("v", np.zeros_like(w)) + (1 - momentum) * g
    return w - lr * g, {"v": v}


# ------------------------------------------------------------------ nesterov
def nesterov_is_momentum(w, g, state, lr=0.01, momentum=0.9):
    v = momentum * state.get("v", np.zeros_like(w)) + (1 - momentum) * g
    return w - lr * v, {"v": v}


def nesterov_old_v(w, g, state, lr=0.01, momentum=0.9):
    v_old = state.get("v", np.zeros_like(w))
    v = momentum * v_old + (1 - momentum) * g
    return w - lr * (momentum * v_old + (1 - momentum) * g), {"v": v}


def nesterov_velocity_form(w, g, state, lr=0.01, momentum=0.9):
    v = momentum * state.get("v", np.zeros_like(w)) + lr * g
    return w - (momentum * v + lr * g), {"v": v}


def nesterov_forgets_one_minus_beta(w, g, state, lr=0.01, momentum=0.9):
    v = momentum * state.get("v", np.zeros_like(w)) + (1 - momentum) * g
    return w - lr * (momentum * v + g), {"v": v}


# ------------------------------------------------------------------- adagrad
def adagrad_assigns(w, g, state, lr=0.01, eps=1e-8):
    s = g**2  # "=" instead of "+="
    return w - lr * g / (np.sqrt(s) + eps), {"s": s}


def adagrad_eps_inside(w, g, state, lr=0.01, eps=1e-8):
    s = state.get("s", 0) + g**2
    return w - lr * g / np.sqrt(s + eps), {"s": s}


def adagrad_no_sqrt(w, g, state, lr=0.01, eps=1e-8):
    s = state.get("s", 0) + g**2
    return w - lr * g / (s + eps), {"s": s}


def adagrad_accumulates_in_place(w, g, state, lr=0.01, eps=1e-8):
    s = state.setdefault("s", np.zeros_like(w))
    s += g**2
    return w - lr * g / (np.sqrt(s) + eps), state


# ------------------------------------------------------------------- rmsprop
def rmsprop_eps_inside(w, g, state, lr=0.001, rho=0.9, eps=1e-8):
    s = rho * state.get("s", 0) + (1 - rho) * g**2
    return w - lr * g / np.sqrt(s + eps), {"s": s}


def rmsprop_without_one_minus_rho(w, g, state, lr=0.001, rho=0.9, eps=1e-8):
    s = rho * state.get("s", 0) + g**2
    return w - lr * g / (np.sqrt(s) + eps), {"s": s}


def rmsprop_adagrad_sum(w, g, state, lr=0.001, rho=0.9, eps=1e-8):
    s = state.get("s", 0) + g**2
    return w - lr * g / (np.sqrt(s) + eps), {"s": s}


def rmsprop_rho_hard_coded(w, g, state, lr=0.001, rho=0.9, eps=1e-8):
    s = 0.9 * state.get("s", 0) + 0.1 * g**2
    return w - lr * g / (np.sqrt(s) + eps), {"s": s}


# ---------------------------------------------------------------------- adam
def _moments(w, g, state, beta1, beta2):
    m = beta1 * state.get("m", np.zeros_like(w)) + (1 - beta1) * g
    v = beta2 * state.get("v", np.zeros_like(w)) + (1 - beta2) * g**2
    return m, v


def adam_without_bias_correction(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = _moments(w, g, state, beta1, beta2)
    return w - lr * m / (np.sqrt(v) + eps), {"m": m, "v": v}


def adam_t_from_zero(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0)
    m, v = _moments(w, g, state, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t + 1}


def adam_t_one_too_large(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 1) + 1
    m, v = _moments(w, g, state, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}


def adam_eps_inside(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m, v = _moments(w, g, state, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), {"m": m, "v": v, "t": t}


def adam_stores_corrected(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m, v = _moments(w, g, state, beta1, beta2)
    m, v = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m / (np.sqrt(v) + eps), {"m": m, "v": v, "t": t}


def adam_only_v_corrected(w, g, state, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state.get("t", 0) + 1
    m, v = _moments(w, g, state, beta1, beta2)
    return w - lr * m / (np.sqrt(v / (1 - beta2**t)) + eps), {"m": m, "v": v, "t": t}


# ------------------------------------------------------------------ adadelta
def adadelta_no_eps_on_top(w, g, state, lr=1.0, rho=0.95, eps=1e-6):
    s = rho * state.get("s", 0) + (1 - rho) * g**2
    d = state.get("d", np.zeros_like(w))
    dw = np.sqrt(d) / np.sqrt(s + eps) * g
    return w - lr * dw, {"s": s, "d": rho * d + (1 - rho) * dw**2}


def adadelta_upside_down(w, g, state, lr=1.0, rho=0.95, eps=1e-6):
    s = rho * state.get("s", 0) + (1 - rho) * g**2
    d = state.get("d", np.zeros_like(w))
    dw = np.sqrt(s + eps) / np.sqrt(d + eps) * g
    return w - lr * dw, {"s": s, "d": rho * d + (1 - rho) * dw**2}


def adadelta_averages_gradients(w, g, state, lr=1.0, rho=0.95, eps=1e-6):
    s = rho * state.get("s", 0) + (1 - rho) * g**2
    d = state.get("d", np.zeros_like(w))
    dw = np.sqrt(d + eps) / np.sqrt(s + eps) * g
    return w - lr * dw, {"s": s, "d": rho * d + (1 - rho) * g**2}


def adadelta_lr_in_d(w, g, state, lr=1.0, rho=0.95, eps=1e-6):
    s = rho * state.get("s", 0) + (1 - rho) * g**2
    d = state.get("d", np.zeros_like(w))
    step = lr * np.sqrt(d + eps) / np.sqrt(s + eps) * g
    return w - step, {"s": s, "d": rho * d + (1 - rho) * step**2}


# ----------------------------------------------------------------- schedules
def inverse_time_from_one(epoch, lr0, decay_rate):
    return lr0 / (1 + decay_rate * (epoch + 1))


def inverse_time_precedence(epoch, lr0, decay_rate):
    return lr0 / 1 + decay_rate * epoch


def exponential_as_product(epoch, lr0, rate):
    return lr0 * rate * epoch


def inverse_sqrt_notes(epoch, lr0):
    return lr0 / np.sqrt(epoch)  # the notes' 1/sqrt(epoch_num), but epochs start at 0 here


def inverse_sqrt_without_root(epoch, lr0):
    return lr0 / (epoch + 1)


def step_without_floor(epoch, lr0, drop, every):
    return lr0 * drop ** (epoch / every)


def step_drops_at_once(epoch, lr0, drop, every):
    return lr0 * drop ** (epoch // every + 1)


def _right_inverse_time(epoch, lr0, decay_rate):
    return lr0 / (1 + decay_rate * epoch)


def _right_exponential(epoch, lr0, rate):
    return lr0 * rate**epoch


def _right_inverse_sqrt(epoch, lr0):
    return lr0 / np.sqrt(epoch + 1)


def _right_step(epoch, lr0, drop, every):
    return lr0 * drop ** (epoch // every)


RIGHT = (_right_inverse_time, _right_exponential, _right_inverse_sqrt, _right_step)


def _schedules_with(position: int, wrong) -> tuple:
    return tuple(wrong if i == position else f for i, f in enumerate(RIGHT))


def _bug(check, name, implementation, diagnosis=None) -> Bug:
    return Bug(check, name, implementation, diagnosis)


S = checks.check_decay_schedules
BUGS = [
    _bug(checks.check_ewa, "no bias correction", (ewa_never_corrected,), "no bias correction"),
    _bug(checks.check_ewa, "beta and 1 - beta swapped", (ewa_weights_swapped,), "swapped"),
    _bug(checks.check_ewa, "t counted from 0 in 1 - beta^t", (ewa_exponent_from_zero,),
         "off by one"),
    _bug(checks.check_ewa, "corrected value fed back", (ewa_correction_fed_back,), "fed back"),
    _bug(checks.check_ewa, "starts from the first value", (ewa_starts_at_first_value,),
         "started from v = x_1"),
    _bug(checks.check_ewa, "returns only the last average", (ewa_last_only,), "not only the last"),
    _bug(checks.check_make_minibatches, "last partial batch dropped", (minibatches_drop_last,),
         "smaller mini-batch is missing"),
    _bug(checks.check_make_minibatches, "never shuffled", (minibatches_unshuffled,),
         "not shuffled"),
    _bug(checks.check_make_minibatches, "X and y shuffled apart", (minibatches_two_permutations,),
         "no longer match"),
    _bug(checks.check_make_minibatches, "its own generator, not rng",
         (minibatches_own_generator,), "another random order"),
    _bug(checks.check_make_minibatches, "shuffles the caller's X", (minibatches_shuffle_callers_X,),
         "in place"),
    _bug(checks.check_sgd_update, "w + lr g", (sgd_climbs,), "against the gradient"),
    _bug(checks.check_sgd_update, "learning rate left out", (sgd_without_lr,),
         "learning rate is missing"),
    _bug(checks.check_sgd_update, "w changed in place", (sgd_in_place,), "in place"),
    _bug(checks.check_sgd_update, "lr hard-coded", (sgd_lr_hard_coded,), "lr argument is ignored"),
    _bug(checks.check_momentum_update, "velocity form (v = b v + g)", (momentum_velocity_form,),
         "velocity form"),
    _bug(checks.check_momentum_update, "beta and 1 - beta swapped", (momentum_swapped,),
         "swapped"),
    _bug(checks.check_momentum_update, "v not carried over", (momentum_forgets_v,),
         "not carried"),
    _bug(checks.check_momentum_update, "state changed in place", (momentum_state_in_place,),
         "in place"),
    _bug(checks.check_momentum_update, "steps with g, not v", (momentum_steps_with_g,),
         "moves by lr g"),
    _bug(checks.check_nesterov_update, "plain momentum", (nesterov_is_momentum,), "no look-ahead"),
    _bug(checks.check_nesterov_update, "look-ahead with the old v", (nesterov_old_v,), "new v"),
    _bug(checks.check_nesterov_update, "velocity form", (nesterov_velocity_form,),
         "velocity form"),
    _bug(checks.check_nesterov_update, "(1 - beta) missing on g",
         (nesterov_forgets_one_minus_beta,), "(1 - momentum) on g"),
    _bug(checks.check_adagrad_update, "s = g^2 instead of s += g^2", (adagrad_assigns,),
         "must accumulate"),
    _bug(checks.check_adagrad_update, "eps inside the root", (adagrad_eps_inside,),
         "inside the square root"),
    _bug(checks.check_adagrad_update, "no square root", (adagrad_no_sqrt,),
         "square root is missing"),
    _bug(checks.check_adagrad_update, "s accumulated in place", (adagrad_accumulates_in_place,),
         "in place"),
    _bug(checks.check_rmsprop_update, "eps inside the root", (rmsprop_eps_inside,),
         "inside the square root"),
    _bug(checks.check_rmsprop_update, "no (1 - rho)", (rmsprop_without_one_minus_rho,),
         "(1 - rho) factor"),
    _bug(checks.check_rmsprop_update, "Adagrad's sum", (rmsprop_adagrad_sum,), "Adagrad's sum"),
    _bug(checks.check_rmsprop_update, "rho hard-coded", (rmsprop_rho_hard_coded,),
         "rho argument is ignored"),
    _bug(checks.check_adam_update, "no bias correction", (adam_without_bias_correction,),
         "without bias correction"),
    _bug(checks.check_adam_update, "t = 0 at the first step", (adam_t_from_zero,), "off by one"),
    _bug(checks.check_adam_update, "t = 2 at the first step", (adam_t_one_too_large,),
         "off by one"),
    _bug(checks.check_adam_update, "eps inside the root", (adam_eps_inside,),
         "inside the square root"),
    _bug(checks.check_adam_update, "corrected moments stored", (adam_stores_corrected,),
         "stored in the state"),
    _bug(checks.check_adam_update, "m not bias-corrected", (adam_only_v_corrected,),
         "correction of m"),
    _bug(checks.check_adadelta_update, "no eps in the numerator", (adadelta_no_eps_on_top,),
         "never moves"),
    _bug(checks.check_adadelta_update, "RMS ratio upside down", (adadelta_upside_down,),
         "upside down"),
    _bug(checks.check_adadelta_update, "d averages g^2", (adadelta_averages_gradients,),
         "squared steps"),
    _bug(checks.check_adadelta_update, "d averages the lr-scaled step", (adadelta_lr_in_d,),
         "before lr multiplies"),
    _bug(S, "inverse time from epoch 1", _schedules_with(0, inverse_time_from_one),
         "epochs count from 0"),
    _bug(S, "lr0 / 1 + k t", _schedules_with(0, inverse_time_precedence), "brackets"),
    _bug(S, "rate * epoch", _schedules_with(1, exponential_as_product), "power"),
    _bug(S, "lr0 / sqrt(epoch)", _schedules_with(2, inverse_sqrt_notes), "divides by zero"),
    _bug(S, "no square root", _schedules_with(2, inverse_sqrt_without_root),
         "square root is missing"),
    _bug(S, "staircase without floor", _schedules_with(3, step_without_floor), "no staircase"),
    _bug(S, "first drop at epoch 0", _schedules_with(3, step_drops_at_once), "must use lr0"),
]  # fmt: skip

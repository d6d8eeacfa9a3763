"""Wrong implementations of notebook 01's exercises, the ones students really write."""

from __future__ import annotations

import numpy as np

from dlcore.perceptron import perceptron_update, step

from .. import perceptron as checks
from . import Bug


# ---------------------------------------------------------------------- step
def step_fires_at_zero(z):
    return (np.asarray(z) >= 0).astype(float)


def step_as_sign(z):
    return np.sign(z)


def step_threshold_half(z):
    return (np.asarray(z) > 0.5).astype(float)


def step_swapped(z):
    return (np.asarray(z) <= 0).astype(float)


def step_scalar_only(z):
    return 1.0 if z > 0 else 0.0  # fails on arrays: the truth value of an array is ambiguous


# ------------------------------------------------------------------- predict
def predict_without_bias(X, w, b):
    return step(X @ w)


def predict_subtracting_bias(X, w, b):
    return step(X @ w - b)


def predict_scores(X, w, b):
    return X @ w + b


def predict_fires_at_zero(X, w, b):
    return (X @ w + b >= 0).astype(float)


def predict_column(X, w, b):
    return step(X @ w.reshape(-1, 1) + b)


# -------------------------------------------------------------------- update
def update_reversed_error(w, b, x, t, eta):
    y = step(x @ w + b)
    return w + eta * (y - t) * x, b + eta * (y - t)


def update_without_eta(w, b, x, t, eta):
    y = step(x @ w + b)
    return w + (t - y) * x, b + (t - y)


def update_bias_forgotten(w, b, x, t, eta):
    y = step(x @ w + b)
    return w + eta * (t - y) * x, b


def update_in_place(w, b, x, t, eta):
    y = step(x @ w + b)
    w += eta * (t - y) * x
    return w, b + eta * (t - y)


def update_always(w, b, x, t, eta):
    return w + eta * t * x, b + eta * t


def update_fires_at_zero(w, b, x, t, eta):
    y = float(x @ w + b >= 0)
    return w + eta * (t - y) * x, b + eta * (t - y)


# ------------------------------------------------------------------ training
def train_cumulative_count(X, t, w, b, eta, epochs):
    mistakes, count = [], 0
    for _ in range(epochs):
        for x_i, t_i in zip(X, t):
            count += int(step(x_i @ w + b) != t_i)
            w, b = perceptron_update(w, b, x_i, t_i, eta)
        mistakes.append(count)
    return w, b, mistakes


def train_counting_after_epoch(X, t, w, b, eta, epochs):
    mistakes = []
    for _ in range(epochs):
        for x_i, t_i in zip(X, t):
            w, b = perceptron_update(w, b, x_i, t_i, eta)
        mistakes.append(int((step(X @ w + b) != t).sum()))
    return w, b, mistakes


def train_update_discarded(X, t, w, b, eta, epochs):
    mistakes = []
    for _ in range(epochs):
        count = 0
        for x_i, t_i in zip(X, t):
            count += int(step(x_i @ w + b) != t_i)
            perceptron_update(w, b, x_i, t_i, eta)
        mistakes.append(count)
    return w, b, mistakes


def train_one_epoch_too_many(X, t, w, b, eta, epochs):
    mistakes = []
    for _ in range(epochs + 1):
        count = 0
        for x_i, t_i in zip(X, t):
            count += int(step(x_i @ w + b) != t_i)
            w, b = perceptron_update(w, b, x_i, t_i, eta)
        mistakes.append(count)
    return w, b, mistakes


def train_in_place(X, t, w, b, eta, epochs):
    mistakes = []
    for _ in range(epochs):
        count = 0
        for x_i, t_i in zip(X, t):
            error = t_i - step(x_i @ w + b)
            count += int(error != 0)
            w += eta * error * x_i
            b += eta * error
        mistakes.append(count)
    return w, b, mistakes


def train_bias_frozen(X, t, w, b, eta, epochs):
    mistakes = []
    for _ in range(epochs):
        count = 0
        for x_i, t_i in zip(X, t):
            count += int(step(x_i @ w + b) != t_i)
            w, _ = perceptron_update(w, b, x_i, t_i, eta)
        mistakes.append(count)
    return w, b, mistakes


# ---------------------------------------------------------------------- loss
def _scores(X, t, w, b):
    z = X @ w + b
    return z, t * z <= 0


def loss_summed(X, t, w, b):
    z, wrong = _scores(X, t, w, b)
    return np.maximum(0, -t * z).sum(), X.T @ (-t * wrong), float((-t * wrong).sum())


def loss_with_margin(X, t, w, b):
    n, z = len(t), X @ w + b
    active = 1 - t * z > 0
    return np.maximum(0, 1 - t * z).mean(), X.T @ (-t * active) / n, float((-t * active).sum() / n)


def loss_gradient_sign(X, t, w, b):
    n, (z, wrong) = len(t), _scores(X, t, w, b)
    return np.maximum(0, -t * z).mean(), X.T @ (t * wrong) / n, float((t * wrong).sum() / n)


def loss_gradient_all_points(X, t, w, b):
    n, z = len(t), X @ w + b
    return np.maximum(0, -t * z).mean(), X.T @ (-t) / n, float((-t).sum() / n)


def loss_no_bias_gradient(X, t, w, b):
    n, (z, wrong) = len(t), _scores(X, t, w, b)
    return np.maximum(0, -t * z).mean(), X.T @ (-t * wrong) / n, 0.0


def loss_sign_inside_max(X, t, w, b):
    n, (z, wrong) = len(t), _scores(X, t, w, b)
    return np.maximum(0, t * z).mean(), X.T @ (-t * wrong) / n, float((-t * wrong).sum() / n)


def loss_gradient_per_example(X, t, w, b):
    n, (z, wrong) = len(t), _scores(X, t, w, b)
    dw = X * (-t * wrong)[:, None] / n  # (N, D): never summed over the examples
    return np.maximum(0, -t * z).mean(), dw, float((-t * wrong).sum() / n)


BUGS = [
    Bug(checks.check_step, "fires at z = 0 (>= instead of >)", (step_fires_at_zero,), "step(0)"),
    Bug(checks.check_step, "returns the sign -1/+1", (step_as_sign,), "not the sign"),
    Bug(checks.check_step, "threshold 0.5", (step_threshold_half,), "threshold is 0"),
    Bug(checks.check_step, "0 and 1 swapped", (step_swapped,), "swapped"),
    Bug(checks.check_step, "works on one number only", (step_scalar_only,)),
    Bug(checks.check_predict, "bias left out", (predict_without_bias,), "left out"),
    Bug(checks.check_predict, "bias subtracted", (predict_subtracting_bias,), "subtracted"),
    Bug(checks.check_predict, "returns the scores z", (predict_scores,), "returns the scores"),
    Bug(checks.check_predict, "z = 0 predicted 1", (predict_fires_at_zero,), "on the line"),
    Bug(checks.check_predict, "returns shape (N, 1)", (predict_column,), "shape (N,)"),
    Bug(checks.check_perceptron_update, "(y - t) instead of (t - y)", (update_reversed_error,),
        "sign error"),
    Bug(checks.check_perceptron_update, "learning rate left out", (update_without_eta,),
        "eta is missing"),
    Bug(checks.check_perceptron_update, "bias not updated", (update_bias_forgotten,),
        "bias is not updated"),
    Bug(checks.check_perceptron_update, "w changed in place", (update_in_place,), "in place"),
    Bug(checks.check_perceptron_update, "updates on every example", (update_always,),
        "prediction is right"),
    Bug(checks.check_perceptron_update, "step(0) = 1 in the update", (update_fires_at_zero,),
        "at z = 0"),
    Bug(checks.check_train_perceptron, "count never reset", (train_cumulative_count,),
        "accumulates"),
    Bug(checks.check_train_perceptron, "mistakes counted after the epoch",
        (train_counting_after_epoch,), "during the epoch"),
    Bug(checks.check_train_perceptron, "update's result discarded", (train_update_discarded,),
        "final w equals the initial w"),
    Bug(checks.check_train_perceptron, "one epoch too many", (train_one_epoch_too_many,),
        "off by one"),
    Bug(checks.check_train_perceptron, "initial w changed in place", (train_in_place,),
        "in place"),
    Bug(checks.check_train_perceptron, "bias never updated", (train_bias_frozen,),
        "final b equals the initial b"),
    Bug(checks.check_perceptron_loss, "sum instead of mean", (loss_summed,), "1/N"),
    Bug(checks.check_perceptron_loss, "hinge margin 1 added", (loss_with_margin,), "margin 1"),
    Bug(checks.check_perceptron_loss, "gradient sign flipped", (loss_gradient_sign,),
        "sign error"),
    Bug(checks.check_perceptron_loss, "gradient over every point", (loss_gradient_all_points,),
        "only include the misclassified"),
    Bug(checks.check_perceptron_loss, "bias gradient missing", (loss_no_bias_gradient,),
        "bias gradient is missing"),
    Bug(checks.check_perceptron_loss, "max(0, t z) instead of max(0, -t z)",
        (loss_sign_inside_max,), "max(0, -t z)"),
    Bug(checks.check_perceptron_loss, "dw not summed over the examples",
        (loss_gradient_per_example,), "axis 0"),
]  # fmt: skip

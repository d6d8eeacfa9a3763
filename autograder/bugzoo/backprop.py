"""Wrong implementations of notebook 02's exercises, the mistakes students really make.

Each must score less than full marks; where ``diagnosis`` is given, the check's
diagnosis must contain it.
"""

from __future__ import annotations

import numpy as np

from dlcore import functional as F

from .. import backprop as B
from . import Bug

# ---------------------------------------------------------------------- dense
ok_dense_forward, ok_dense_backward = F.dense_forward, F.dense_backward


def dense_forward_no_bias(X, W, b):
    return X @ W, (X, W)


def dense_forward_notes_layout(X, W, b):
    Z = (X @ W).T + b[:, None]  # one column per example, as in the notes
    return Z, (X, W)


def dense_backward_dW_transposed(dZ, cache):
    X, W = cache
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)


def dense_backward_db_wrong_axis(dZ, cache):
    X, W = cache
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)


def dense_backward_db_keepdims(dZ, cache):
    X, W = cache
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)


def dense_backward_divides_by_n(dZ, cache):
    X, W = cache
    n = X.shape[0]
    return dZ @ W.T, X.T @ dZ / n, dZ.sum(axis=0) / n


def dense_backward_dX_sign(dZ, cache):
    X, W = cache
    return -dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


# -------------------------------------------------------------------- sigmoid
def sigmoid_forward_no_minus(z):
    s = 1 / (1 + np.exp(z))
    return s, s


def sigmoid_forward_overflows(z):
    e = np.exp(z)
    s = e / (1 + e)  # inf / inf = nan for z = 1000
    return s, s


def sigmoid_forward_in_place(z):
    z *= -1  # flips the caller's array
    s = 1 / (1 + np.exp(z))
    return s, s


def sigmoid_forward_caches_z(z):
    s = F.sigmoid_forward(z)[0]
    return s, z


def sigmoid_backward_value_not_slope(dout, s):
    return dout * s


def sigmoid_backward_no_upstream(dout, s):
    return s * (1 - s)


def sigmoid_backward_at_z(dout, z):  # used with sigmoid_forward_caches_z
    return dout * z * (1 - z)


def sigmoid_backward_in_place(dout, s):
    dout *= s * (1 - s)
    return dout


# ------------------------------------------------------------------------ MSE
ok_mse, ok_mse_gradient = B.reference_mse, B.reference_mse_gradient


def mse_sum(pred, target):
    return float(np.sum((pred - target) ** 2))


def mse_half(pred, target):
    return float(0.5 * np.mean((pred - target) ** 2))


def mse_gradient_notes_sign(pred, target):
    return 2 * (target - pred) / pred.size


def mse_gradient_no_mean(pred, target):
    return 2 * (pred - target)


def mse_gradient_half(pred, target):
    return (pred - target) / pred.size


def mse_gradient_over_rows(pred, target):
    return 2 * (pred - target) / pred.shape[0]


# -------------------------------------------------------------- worked example
def _worked(X, Y, W1, b1, W2, b2, *, sign=1.0, slope=True, half=True, transpose_dW1=False,
            db_axis=0, mean_grads=False, hidden_slope_as_value=False):  # fmt: skip
    """The worked example with switches for the classic mistakes."""
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = 1 / (1 + np.exp(-Z1))
    Z2 = A1 @ W2 + b2
    yhat = 1 / (1 + np.exp(-Z2))
    J = np.mean((Y - yhat) ** 2) * (0.5 if half else 1.0)
    dyhat = sign * (yhat - Y) / n
    dZ2 = dyhat * yhat * (1 - yhat) if slope else dyhat
    scale = 1 / n if mean_grads else 1.0
    dW2, db2 = scale * A1.T @ dZ2, scale * dZ2.sum(axis=db_axis)
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * A1 if hidden_slope_as_value else dA1 * A1 * (1 - A1)
    dW1 = scale * X.T @ dZ1
    db1 = scale * dZ1.sum(axis=db_axis)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "yhat": yhat, "J": float(J), "dZ2": dZ2,
            "dW2": dW2, "db2": db2, "dA1": dA1, "dZ1": dZ1,
            "dW1": dW1.T if transpose_dW1 else dW1, "db1": db1}  # fmt: skip


def worked_notes_table_sign(*args):
    return _worked(*args, sign=-1.0)


def worked_no_sigmoid_slope(*args):
    return _worked(*args, slope=False)


def worked_no_half(*args):
    return _worked(*args, half=False)


def worked_dW1_notes_layout(*args):
    return _worked(*args, transpose_dW1=True)


def worked_extra_mean(*args):
    return _worked(*args, mean_grads=True)


def worked_db_wrong_axis(*args):
    return _worked(*args, db_axis=1)


def worked_hidden_slope_as_value(*args):
    return _worked(*args, hidden_slope_as_value=True)


# --------------------------------------------------------- numerical gradient
def numgrad_forward_difference(f, x, h=1e-5):
    grad = np.zeros_like(x)
    base = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - base) / h
        x[i] = old
    return grad


def numgrad_over_h(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / h
    return grad


def numgrad_not_restored(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        plus = f(x)
        x[i] -= 2 * h
        minus = f(x)
        grad[i] = (plus - minus) / (2 * h)
    return grad


def numgrad_one_d_only(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def numgrad_unperturbed(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        shifted = x.copy()
        shifted[i] += h
        plus = f(x)  # evaluates the original x, not ``shifted``
        shifted[i] -= 2 * h
        minus = f(x)
        grad[i] = (plus - minus) / (2 * h)
    return grad


def numgrad_alias(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x_plus = x  # not a copy: both names are the same array
        x_plus[i] += h
        plus = f(x_plus)
        x_plus[i] -= h
        x_minus = x
        minus = f(x_minus)  # never shifted down
        grad[i] = (plus - minus) / (2 * h)
    return grad


# ------------------------------------------------------------------ rel_error
def rel_error_no_guard(a, b):
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def rel_error_over_a(a, b):
    norm = np.linalg.norm(a)
    return 0.0 if norm == 0 else float(np.linalg.norm(a - b) / norm)


def rel_error_elementwise(a, b):
    denominator = np.abs(a) + np.abs(b)
    ratio = np.divide(np.abs(a - b), denominator, out=np.zeros_like(a), where=denominator > 0)
    return float(ratio.mean())


def rel_error_sum_inside(a, b):
    total = np.linalg.norm(a + b)
    return 0.0 if total == 0 else float(np.linalg.norm(a - b) / total)


def rel_error_max_abs(a, b):
    denominator = np.abs(a).max() + np.abs(b).max()
    return 0.0 if denominator == 0 else float(np.abs(a - b).max() / denominator)


# ------------------------------------------------------------------------ XOR
def _train(X, Y, params, lr, epochs, *, step=None, loss_after=False, biases=True):
    W1, b1, W2, b2 = params
    losses = []
    for _ in range(epochs):
        out = B.reference_two_layer_backprop(X, Y, W1, b1, W2, b2)
        if not loss_after:
            losses.append(out["J"])
        W1, W2 = step(W1, out["dW1"]), step(W2, out["dW2"])
        if biases:
            b1, b2 = step(b1, out["db1"]), step(b2, out["db2"])
        if loss_after:
            losses.append(B.reference_two_layer_backprop(X, Y, W1, b1, W2, b2)["J"])
    return (W1, b1, W2, b2), losses


def train_uphill(X, Y, params, lr, epochs):
    return _train(X, Y, params, lr, epochs, step=lambda p, g: p + lr * g)


def train_never_updates(X, Y, params, lr, epochs):
    losses = []
    for _ in range(epochs):
        out = B.reference_two_layer_backprop(X, Y, *params)
        losses.append(out["J"])
        for p, g in zip(params, (out["dW1"], out["db1"], out["dW2"], out["db2"])):
            p = p - lr * g  # rebinds the loop variable: params is unchanged
    return params, losses


def train_biases_frozen(X, Y, params, lr, epochs):
    return _train(X, Y, params, lr, epochs, step=lambda p, g: p - lr * g, biases=False)


def train_loss_after_update(X, Y, params, lr, epochs):
    return _train(X, Y, params, lr, epochs, step=lambda p, g: p - lr * g, loss_after=True)


def train_extra_mean(X, Y, params, lr, epochs):
    n = X.shape[0]
    return _train(X, Y, params, lr, epochs, step=lambda p, g: p - lr * g / n)


def train_one_step_only(X, Y, params, lr, epochs):
    new, losses = _train(X, Y, params, lr, 1, step=lambda p, g: p - lr * g)
    return new, losses * epochs


BUGS = [
    # dense
    Bug(B.check_dense, "forward without the bias", (dense_forward_no_bias, ok_dense_backward),
        "bias not added"),
    Bug(B.check_dense, "Z with examples as columns",
        (dense_forward_notes_layout, ok_dense_backward), "transposed"),
    Bug(B.check_dense, "dW = dZ^T X (transposed)", (ok_dense_forward, dense_backward_dW_transposed),
        "transposed"),
    Bug(B.check_dense, "db summed over axis 1", (ok_dense_forward, dense_backward_db_wrong_axis),
        "wrong axis"),
    Bug(B.check_dense, "db with keepdims=True", (ok_dense_forward, dense_backward_db_keepdims),
        "keepdims"),
    Bug(B.check_dense, "dW and db divided by N", (ok_dense_forward, dense_backward_divides_by_n),
        "1/N"),
    Bug(B.check_dense, "dX with the wrong sign", (ok_dense_forward, dense_backward_dX_sign),
        "sign error"),
    # sigmoid
    Bug(B.check_sigmoid, "1 / (1 + e^z), the notes' slip",
        (sigmoid_forward_no_minus, F.sigmoid_backward), "minus sign"),
    Bug(B.check_sigmoid, "e^z / (1 + e^z) overflows",
        (sigmoid_forward_overflows, F.sigmoid_backward), "overflow"),
    Bug(B.check_sigmoid, "forward overwrites z", (sigmoid_forward_in_place, F.sigmoid_backward),
        "changes its input"),
    Bug(B.check_sigmoid, "sigmoid'(z) = sigmoid(z)",
        (F.sigmoid_forward, sigmoid_backward_value_not_slope), "written as sigmoid(z)"),
    Bug(B.check_sigmoid, "upstream gradient ignored",
        (F.sigmoid_forward, sigmoid_backward_no_upstream), "upstream gradient"),
    Bug(B.check_sigmoid, "derivative at z: z (1 - z)",
        (sigmoid_forward_caches_z, sigmoid_backward_at_z), "taken at z"),
    Bug(B.check_sigmoid, "backward overwrites dout", (F.sigmoid_forward, sigmoid_backward_in_place),
        "changes its input"),
    # MSE
    Bug(B.check_mse, "sum instead of mean", (mse_sum, ok_mse_gradient), "1/N"),
    Bug(B.check_mse, "value with the notes' 1/2", (mse_half, ok_mse_gradient), "factor of 2"),
    Bug(B.check_mse, "gradient 2 (target - pred), the notes' table",
        (ok_mse, mse_gradient_notes_sign), "sign error"),
    Bug(B.check_mse, "gradient without 1/M", (ok_mse, mse_gradient_no_mean), "1/N"),
    Bug(B.check_mse, "gradient without the 2", (ok_mse, mse_gradient_half), "factor of 2"),
    Bug(B.check_mse, "gradient divided by N rows, not N*K entries",
        (ok_mse, mse_gradient_over_rows), "number of rows"),
    # worked example
    Bug(B.check_worked_example, "dJ/dyhat = y - yhat (the notes' table)",
        (worked_notes_table_sign,), "sign error"),
    Bug(B.check_worked_example, "output sigmoid's slope forgotten", (worked_no_sigmoid_slope,),
        "derivative yhat (1 - yhat) is missing"),
    Bug(B.check_worked_example, "J without the 1/2", (worked_no_half,), "factor of 2"),
    Bug(B.check_worked_example, "dW1 in the notes' layout", (worked_dW1_notes_layout,),
        "transposed"),
    Bug(B.check_worked_example, "gradients divided by N again", (worked_extra_mean,), "1/N"),
    Bug(B.check_worked_example, "db summed over axis 1", (worked_db_wrong_axis,), "wrong axis"),
    Bug(B.check_worked_example, "hidden sigmoid' written as sigmoid",
        (worked_hidden_slope_as_value,), "written as sigmoid(z)"),
    # numerical gradient
    Bug(B.check_numerical_gradient, "forward difference", (numgrad_forward_difference,),
        "one-sided"),
    Bug(B.check_numerical_gradient, "divided by h, not 2h", (numgrad_over_h,), "instead of 2h"),
    Bug(B.check_numerical_gradient, "x not restored", (numgrad_not_restored,), "not restored"),
    Bug(B.check_numerical_gradient, "loops over the first axis only", (numgrad_one_d_only,),
        "1-D x only"),
    Bug(B.check_numerical_gradient, "f called on the original x", (numgrad_unperturbed,),
        "unperturbed"),
    Bug(B.check_numerical_gradient, "x_plus = x is an alias", (numgrad_alias,), "one-sided"),
    # rel_error
    Bug(B.check_rel_error, "no guard for two zero arrays", (rel_error_no_guard,), "both arrays"),
    Bug(B.check_rel_error, "divided by ||a|| only", (rel_error_over_a,), "denominator"),
    Bug(B.check_rel_error, "element-wise ratios", (rel_error_elementwise,), "norms"),
    Bug(B.check_rel_error, "||a - b|| / ||a + b||", (rel_error_sum_inside,), "denominator"),
    Bug(B.check_rel_error, "max-abs instead of norms", (rel_error_max_abs,), None),
    # XOR
    Bug(B.check_xor_net, "W <- W + lr dW", (train_uphill,), "sign error"),
    Bug(B.check_xor_net, "parameters never updated", (train_never_updates,), "never updated"),
    Bug(B.check_xor_net, "biases frozen", (train_biases_frozen,), "biases are not updated"),
    Bug(B.check_xor_net, "loss recorded after the update", (train_loss_after_update,),
        "before update"),
    Bug(B.check_xor_net, "gradients divided by N again", (train_extra_mean,), "1/N"),
    Bug(B.check_xor_net, "only one step, whatever epochs says", (train_one_step_only,), None),
]

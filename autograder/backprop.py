"""Checks of notebook 02 (backprop): layers, loss, the worked example, gradient checking, XOR.

Every expected value is computed here from dlcore's reference (``dlcore.functional``,
``dlcore.losses.MSE``, ``dlcore.gradcheck``) or from the compositions of
:mod:`autograder.backprop_reference`, except the rounded numbers of the course
notes' worked example, which the student is asked to reproduce. The helpers that
compare, diagnose and call the student's functions are :mod:`autograder.checking`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dlcore import functional as F
from dlcore import gradcheck
from dlcore.datasets import make_xor

from .backprop_reference import (
    reference_mse,
    reference_mse_gradient,
    reference_train_two_layer,
    reference_two_layer_backprop,
    two_layer_predict,
)
from .checking import (
    FACTOR_2,
    KEEPDIMS,
    ONE_OVER_N,
    TRANSPOSED,
    call_second,
    call_watching,
    describe,
    diagnoser,
    matches,
    record_unchanged,
    unpack,
)
from .core import StudentError, call, exercise

WRONG_AXIS = "bias gradient summed over the wrong axis (sum over the batch, axis 0)"


# ---------------------------------------------------------------------- dense
@exercise("dense", points=3)
def check_dense(result, dense_forward, dense_backward, *, hidden, rng):
    shapes = [(1, 5, 3), (7, 2, 4), (3, 4, 1)] if hidden else [(4, 3, 2)]
    mutated = False
    for n, d_in, d_out in shapes:
        X, W = rng.standard_normal((n, d_in)), rng.standard_normal((d_in, d_out))
        b, dZ = rng.standard_normal(d_out), rng.standard_normal((n, d_out))
        where = f"(N={n}, D_in={d_in}, D_out={d_out})"
        out, changed = call_watching(dense_forward, X, W, b)
        Z, cache = unpack(out, 2, "dense_forward must return a pair (Z, cache)")
        wrong = [("bias not added", X @ W), ("bias subtracted", X @ W - b)]
        result.add(f"Z {where}", expected=F.dense_forward(X, W, b)[0], got=Z,
                   diagnose=diagnoser(wrong, batch_size=n))  # fmt: skip
        second = call_second(result, "dense_backward", 3, dense_backward, dZ, cache)
        if second is None:
            mutated = mutated or changed
            continue
        grads, changed_back = second
        dX, dW, db = unpack(grads, 3, "dense_backward must return a tuple (dX, dW, db)")
        want_dX, want_dW, want_db = F.dense_backward(dZ, (X, W))
        result.add(f"dX {where}", expected=want_dX, got=dX, diagnose=diagnoser(batch_size=n))
        result.add(f"dW {where}", expected=want_dW, got=dW,
                   diagnose=diagnoser([(TRANSPOSED, dZ.T @ X)], batch_size=n))
        wrong_db = [(WRONG_AXIS, dZ.sum(axis=1)), (KEEPDIMS, dZ.sum(axis=0, keepdims=True))]
        if n > 1:
            wrong_db.append((ONE_OVER_N, dZ.mean(axis=0)))
        result.add(f"db {where}", expected=want_db, got=db,
                   diagnose=diagnoser(wrong_db, batch_size=n))  # fmt: skip
        mutated = mutated or changed or changed_back
    record_unchanged(result, mutated, "dense_forward/backward")


# -------------------------------------------------------------------- sigmoid
MINUS_SIGN = "1 / (1 + e^{z}): the minus sign of the exponent is missing (use e^{-z})"
DERIVATIVE_AS_VALUE = "sigmoid'(z) written as sigmoid(z): the derivative is s (1 - s)"
NO_UPSTREAM = "the upstream gradient dout is not multiplied in (dz = dout * s (1 - s))"
DERIVATIVE_AT_Z = "the derivative was taken at z: use s (1 - s) with s = sigmoid(z), not z (1 - z)"


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return F.sigmoid_forward(z)[0]


@exercise("sigmoid", points=2)
def check_sigmoid(result, sigmoid_forward, sigmoid_backward, *, hidden, rng):
    shapes = [(1,), (2, 5), (6, 1)] if hidden else [(4, 3)]
    cases = [(f"shape {s}", 4 * rng.standard_normal(s)) for s in shapes]
    if not hidden:
        cases.append(("large |z|", np.array([-1000.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0])))
    mutated = False
    for where, z in cases:
        out, changed = call_watching(sigmoid_forward, z)
        s, cache = unpack(out, 2, "sigmoid_forward must return a pair (s, cache)")
        want = _sigmoid(z)
        result.add(f"sigmoid(z), {where}", expected=want, got=s,
                   diagnose=diagnoser([(MINUS_SIGN, _sigmoid(-z))]))  # fmt: skip
        dout = rng.standard_normal(z.shape)
        second = call_second(result, "sigmoid_backward", 1, sigmoid_backward, dout, cache)
        if second is None:
            mutated = mutated or changed
            continue
        dz, changed_back = second
        slope = want * (1 - want)
        wrong = [(DERIVATIVE_AS_VALUE, dout * want), (NO_UPSTREAM, slope),
                 (DERIVATIVE_AT_Z, dout * z * (1 - z))]  # fmt: skip
        result.add(f"dz, {where}", expected=F.sigmoid_backward(dout, want), got=dz,
                   diagnose=diagnoser(wrong))  # fmt: skip
        mutated = mutated or changed or changed_back
    record_unchanged(result, mutated, "sigmoid_forward/backward")


# ------------------------------------------------------------------------ MSE
MEAN_OVER_ROWS = "divided by the number of rows N: the mean is over all N*K entries"
NOTES_SIGN = "sign error: d/dpred (pred - target)^2 = 2 (pred - target), not 2 (target - pred)"
HALF = "off by a factor of 2: this is the MSE without the 1/2 of the notes' (1/2)(y - yhat)^2"


@exercise("mse", points=2)
def check_mse(result, mse, mse_gradient, *, hidden, rng):
    shapes = [(1, 1), (4,), (3, 2)] if hidden else [(5, 1), (4, 3)]
    mutated = False
    for shape in shapes:
        pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
        n, size, diff = shape[0], pred.size, pred - target
        value, changed = call_watching(mse, pred, target)
        wrong_value = [(FACTOR_2, 0.5 * reference_mse(pred, target))]
        if size > n:
            wrong_value.append((MEAN_OVER_ROWS, (diff**2).sum() / n))
        result.add(f"value, shape {shape}", expected=reference_mse(pred, target), got=value,
                   diagnose=diagnoser(wrong_value, batch_size=size))  # fmt: skip
        second = call_second(result, "mse_gradient", 1, mse_gradient, pred, target)
        if second is None:
            mutated = mutated or changed
            continue
        grad, changed_grad = second
        wrong_grad = [(NOTES_SIGN, -2 * diff / size), (HALF, diff / size)]
        if size > n:
            wrong_grad.append((MEAN_OVER_ROWS, 2 * diff / n))
        result.add(f"gradient, shape {shape}", expected=reference_mse_gradient(pred, target),
                   got=grad, diagnose=diagnoser(wrong_grad, batch_size=size))  # fmt: skip
        mutated = mutated or changed or changed_grad
    record_unchanged(result, mutated, "mse/mse_gradient")


# -------------------------------------------------------------- worked example
WORKED_KEYS = ("Z1", "A1", "Z2", "yhat", "J", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")

#: The course notes' network: x = (0.5, 0.8), y = 1 and the notes' W1 TRANSPOSED (dlcore layout).
NOTES_EXAMPLE = {
    "X": np.array([[0.5, 0.8]]),
    "Y": np.array([[1.0]]),
    "W1": np.array([[0.2, 0.4], [0.3, 0.7]]).T,
    "b1": np.array([0.1, 0.2]),
    "W2": np.array([[0.5], [0.6]]),
    "b2": np.array([0.3]),
}
#: The notes' rounded results, and how far from them a correct answer may be.
NOTES_NUMBERS = {
    "yhat": ([[0.739]], 5e-4),
    "J": (0.034, 5e-4),
    "dZ2": ([[-0.0503]], 5e-5),
    "dW2": ([[-0.03155], [-0.03587]], 5e-5),
    "dA1": ([[-0.02515, -0.03018]], 5e-5),
    "dZ1": ([[-0.00588, -0.00617]], 1e-5),
}

NO_SIGMOID_SLOPE = "the sigmoid's derivative yhat (1 - yhat) is missing from dZ2"
NOTES_TABLE_SIGN = (
    "sign error in dJ/dyhat: for J = 1/2 (y - yhat)^2 it is yhat - y "
    "(the notes' table writes y - a, with the wrong sign)"
)


def _worked_candidates(key: str, want: dict[str, Any], X: np.ndarray) -> list[tuple[str, Any]]:
    """Named wrong values of one entry of the worked example's dict."""
    n = X.shape[0]
    if key == "J":
        return [(HALF, 2 * want["J"])]
    if key == "dZ2":
        return [(NOTES_TABLE_SIGN, -want["dZ2"]),
                (NO_SIGMOID_SLOPE, want["dZ2"] / (want["yhat"] * (1 - want["yhat"])))]
    if key in ("db1", "db2"):
        dZ = want["dZ1" if key == "db1" else "dZ2"]
        return [(WRONG_AXIS, dZ.sum(axis=1)), (KEEPDIMS, dZ.sum(axis=0, keepdims=True)),
                *([(ONE_OVER_N, dZ.mean(axis=0))] if n > 1 else [])]  # fmt: skip
    if key == "dZ1":
        return [(DERIVATIVE_AS_VALUE, want["dA1"] * want["A1"])]
    return []


@exercise("worked_example", points=3)
def check_worked_example(result, two_layer_backprop, *, hidden, rng):
    cases = [(1, 2, 3), (6, 4, 2)] if hidden else [None, (4, 3, 5)]
    for case in cases:
        if case is None:
            inputs, where = dict(NOTES_EXAMPLE), "the notes' example"
        else:
            n, d, h = case
            inputs = {"X": rng.standard_normal((n, d)), "Y": rng.uniform(0, 1, (n, 1)),
                      "W1": rng.standard_normal((d, h)), "b1": rng.standard_normal(h),
                      "W2": rng.standard_normal((h, 1)), "b2": rng.standard_normal(1)}  # fmt: skip
            where = f"N={n}, D={d}, H={h}"
        got = call(two_layer_backprop, *inputs.values())
        if not isinstance(got, dict):
            raise StudentError(f"two_layer_backprop must return a dict; it returned "
                               f"{describe(got)}")  # fmt: skip
        want = reference_two_layer_backprop(*inputs.values())
        if case is None:
            close = all(k in got and matches(v, got[k], rtol=0, atol=tol)
                        for k, (v, tol) in NOTES_NUMBERS.items())  # fmt: skip
            result.add("matches the notes' rounded numbers (yhat 0.739, dZ2 -0.0503, ...)",
                       passed=close, weight=2)  # fmt: skip
        for key in WORKED_KEYS:
            if key not in got:
                result.add(f"{key} ({where})", passed=False, message=f"no key {key!r} in the dict")
                continue
            result.add(f"{key} ({where})", expected=want[key], got=got[key],
                       diagnose=diagnoser(_worked_candidates(key, want, inputs["X"]),
                                          batch_size=inputs["X"].shape[0]))  # fmt: skip


# --------------------------------------------------------- numerical gradient
ONE_SIDED = "one-sided difference: use the centred (f(x + h e_i) - f(x - h e_i)) / (2h)"
OVER_H = "divided by h instead of 2h"
UNPERTURBED = "f was evaluated at the unperturbed x (perturb x, or a copy that you pass to f)"
NOT_RESTORED = "x is not restored after each perturbation (put the original value back)"
ONE_D_ONLY = "works for 1-D x only: visit every index of x, e.g. with np.ndindex(x.shape)"


def _difference(f: Callable[[np.ndarray], float], x: np.ndarray, h: float, kind: str):
    """Forward, backward or centred differences, entry by entry (for the diagnoses)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        if kind == "forward":
            grad[index] = (f(x + step) - f(x)) / h
        elif kind == "backward":
            grad[index] = (f(x) - f(x - step)) / h
        else:
            grad[index] = (f(x + step) - f(x)) / (2 * h)
    return grad


@exercise("numerical_gradient", points=2)
def check_numerical_gradient(result, numerical_gradient, *, hidden, rng):
    shapes = [(1,), (2, 3, 2), (5, 1)] if hidden else [(6,), (3, 4)]
    h, mutated, passed_by_ndim = 1e-5, False, {}
    for shape in shapes:
        x, c = rng.standard_normal(shape), rng.standard_normal(shape)

        def f(v, c=c):  # curved enough that one-sided differences are visibly off
            return float(np.sum(c * np.sin(2 * v)) + np.sum(v**3) / 3)

        want = gradcheck.numerical_gradient(f, x.copy(), h)
        got, changed = call_watching(numerical_gradient, f, x, h=h)
        wrong = [(ONE_SIDED, _difference(f, x, h, "forward")),
                 (ONE_SIDED, _difference(f, x, h, "backward")),
                 (ONE_SIDED, _difference(f, x, h, "half")),
                 (OVER_H, 2 * want), (UNPERTURBED, np.zeros(shape))]  # fmt: skip
        ok = result.add(f"gradient of f at x of shape {shape}", expected=want, got=got,
                        rtol=1e-6, atol=1e-8, diagnose=diagnoser(wrong))  # fmt: skip
        passed_by_ndim.setdefault(len(shape) == 1, []).append(ok)
        mutated = mutated or changed
    result.add("x is left as it was given", passed=not mutated, weight=0.5)
    if mutated:
        result.diagnose(NOT_RESTORED)
    if all(passed_by_ndim.get(True, [False])) and not all(passed_by_ndim.get(False, [True])):
        result.diagnose(ONE_D_ONLY)


# ------------------------------------------------------------------ rel_error
BOTH_ZERO = "0/0 when both arrays are zero: return 0.0 when ||a|| + ||b|| = 0"
DENOMINATOR = "wrong denominator: divide ||a - b|| by ||a|| + ||b||"
NOT_NORMS = "use Euclidean norms of the whole arrays (np.linalg.norm), not element-wise ratios"


def _norm(a: np.ndarray) -> float:
    return float(np.linalg.norm(a))


@exercise("rel_error", points=1)
def check_rel_error(result, rel_error, *, hidden, rng):
    shapes = [(1,), (2, 3, 2)] if hidden else [(3, 4), (5,)]
    for shape in shapes:
        a = rng.standard_normal(shape)
        pairs = {
            "close arrays": (a, a + 1e-6 * rng.standard_normal(shape)),
            "unrelated arrays": (a, rng.standard_normal(shape)),
            "equal arrays": (a, a.copy()),
            "one array zero": (np.zeros(shape), a),
        }
        for label, (x, y) in pairs.items():
            got = call(rel_error, x, y)
            d = _norm(x - y)
            wrong = [(DENOMINATOR, d / max(_norm(x), 1e-300)), (DENOMINATOR, d / _norm(x + y)),
                     (DENOMINATOR, d / max(_norm(x), _norm(y))),
                     (NOT_NORMS, np.mean(np.abs(x - y) / (np.abs(x) + np.abs(y))))]  # fmt: skip
            result.add(f"{label}, shape {shape}", expected=gradcheck.rel_error(x, y), got=got,
                       diagnose=diagnoser(wrong))  # fmt: skip
        swapped = call(rel_error, pairs["unrelated arrays"][1], a)
        result.add(f"symmetric, shape {shape}", expected=gradcheck.rel_error(a, pairs[
            "unrelated arrays"][1]), got=swapped, weight=0.5)  # fmt: skip
    zeros = np.zeros(shapes[0])
    result.add("two zero arrays give 0.0", expected=0.0, got=call(rel_error, zeros, zeros.copy()),
               diagnose=lambda want, got: BOTH_ZERO)  # fmt: skip


# ------------------------------------------------------------------------ XOR
WRONG_WAY = "sign error in the update: step down the gradient, W <- W - lr * dW"
NEVER_UPDATED = "the parameters are never updated (returned as they came in)"
BIASES_FROZEN = "the biases are not updated"
LOSS_AFTER = "losses[k] must be the loss before update k (it was recorded after the update)"
XOR_SETTINGS = {"hidden_units": 8, "lr": 5.0, "epochs": 1000}


def _train_case(X, Y, params, lr, epochs, train_two_layer):
    out = call(train_two_layer, X, Y, tuple(p.copy() for p in params), lr, epochs)
    got_params, losses = unpack(out, 2, "train_two_layer must return (params, losses)")
    got_params = unpack(got_params, 4, "params must be a tuple (W1, b1, W2, b2)")
    return got_params, losses


def _random_params(rng, d, h, scale=1.0):
    return (scale * rng.standard_normal((d, h)), np.zeros(h) + 0.1 * rng.standard_normal(h),
            scale * rng.standard_normal((h, 1)), 0.1 * rng.standard_normal(1))  # fmt: skip


@exercise("xor_net", points=3)
def check_xor_net(result, train_two_layer, *, hidden, rng):
    cases = [(1, 2, 3, 1.0, 2), (6, 3, 2, 0.3, 4)] if hidden else [(5, 3, 4, 0.5, 3)]
    for n, d, h, lr, epochs in cases:
        X, Y = rng.standard_normal((n, d)), rng.integers(0, 2, (n, 1)).astype(float)
        params = _random_params(rng, d, h)
        got_params, losses = _train_case(X, Y, params, lr, epochs, train_two_layer)
        want_params, want_losses = reference_train_two_layer(X, Y, params, lr, epochs)
        wrong = [(WRONG_WAY, reference_train_two_layer(X, Y, params, -lr, epochs))]
        if n > 1:
            wrong.append((ONE_OVER_N, reference_train_two_layer(X, Y, params, lr / n, epochs)))
        where = f"N={n}, D={d}, H={h}, lr={lr}, {epochs} epochs"
        shifted = reference_train_two_layer(X, Y, params, lr, epochs + 1)[1][1:]
        result.add(f"losses ({where})", expected=want_losses, got=losses,
                   diagnose=diagnoser([(LOSS_AFTER, shifted)] + [
                       (k, v[1]) for k, v in wrong]))  # fmt: skip
        for i, name in enumerate(("W1", "b1", "W2", "b2")):
            result.add(f"{name} after training ({where})", expected=want_params[i],
                       got=got_params[i], weight=0.5,
                       diagnose=diagnoser([(k, v[0][i]) for k, v in wrong]))  # fmt: skip
        if all(matches(p, g) for g, p in zip(got_params, params)):
            result.diagnose(NEVER_UPDATED)
        elif matches(params[1], got_params[1]) and matches(params[3], got_params[3]):
            result.diagnose(BIASES_FROZEN)
    X, y = make_xor()
    Y = y.reshape(-1, 1).astype(float)
    start = _random_params(rng, 2, XOR_SETTINGS["hidden_units"])
    trained, _ = _train_case(X, Y, start, XOR_SETTINGS["lr"], XOR_SETTINGS["epochs"],
                             train_two_layer)  # fmt: skip
    try:
        yhat = two_layer_predict(X, [np.asarray(p, dtype=float) for p in trained])
        correct = int(((yhat[:, 0] > 0.5) == (y == 1)).sum())
        loss = 0.5 * reference_mse(yhat, Y)
    except (ValueError, TypeError, IndexError):
        correct, loss = 0, float("inf")
    settings = ", ".join(f"{k}={v}" for k, v in XOR_SETTINGS.items())
    result.add(f"solves XOR ({settings})", passed=correct == 4,
               message=f"{correct} of 4 points on the right side", weight=1.5)  # fmt: skip
    result.add("final XOR loss below 0.01", passed=loss < 0.01, message=f"J = {loss:.3g}")


# ---------------------------------------------------------------------- table
#: test cell grade_id -> (check, reference implementation(s) that must score full marks)
CHECKS = {
    "test_dense": (check_dense, (F.dense_forward, F.dense_backward)),
    "test_sigmoid": (check_sigmoid, (F.sigmoid_forward, F.sigmoid_backward)),
    "test_mse": (check_mse, (reference_mse, reference_mse_gradient)),
    "test_worked_example": (check_worked_example, (reference_two_layer_backprop,)),
    "test_numerical_gradient": (check_numerical_gradient, (gradcheck.numerical_gradient,)),
    "test_rel_error": (check_rel_error, (gradcheck.rel_error,)),
    "test_xor_net": (check_xor_net, (reference_train_two_layer,)),
}

__all__ = [
    "CHECKS", "NOTES_EXAMPLE", "XOR_SETTINGS", "check_dense", "check_mse",
    "check_numerical_gradient", "check_rel_error", "check_sigmoid", "check_worked_example",
    "check_xor_net", "reference_mse", "reference_mse_gradient", "reference_train_two_layer",
    "reference_two_layer_backprop", "two_layer_predict",
]  # fmt: skip

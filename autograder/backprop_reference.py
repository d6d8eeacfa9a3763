"""The references of notebook 02's whole-network exercises, built from dlcore's pieces.

dlcore owns the maths (``dlcore.functional``'s dense and sigmoid pairs,
``dlcore.losses.MSE``); the functions here only chain them into what the
notebook asks the student for: the MSE as two functions, the forward and
backward pass of a two-layer network as a dict, and its training by full-batch
gradient descent. The checks of :mod:`autograder.backprop` compare the
student's answers with these, and compute their known wrong answers with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dlcore import functional as F
from dlcore.losses import MSE

__all__ = [
    "reference_mse",
    "reference_mse_gradient",
    "reference_train_two_layer",
    "reference_two_layer_backprop",
    "two_layer_predict",
]


def reference_mse(pred: Any, target: Any) -> float:
    """dlcore's MSE: the mean of (pred - target)^2 over every entry, a Python float."""
    return MSE().forward(pred, target)


def reference_mse_gradient(pred: Any, target: Any) -> np.ndarray:
    """dlcore's MSE gradient: 2 (pred - target) / M, M the number of entries."""
    loss = MSE()
    loss.forward(pred, target)
    return loss.backward()


def reference_two_layer_backprop(X, Y, W1, b1, W2, b2) -> dict[str, Any]:
    """Forward and backward pass of dense-sigmoid-dense-sigmoid with J = MSE / 2.

    Shapes: X (N, D), Y (N, 1), W1 (D, H), b1 (H,), W2 (H, 1), b2 (1,). Returns the
    dict of the notebook's exercise: Z1, A1, Z2, yhat, J, dZ2, dW2, db2, dA1, dZ1, dW1, db1.
    """
    Z1, dense1 = F.dense_forward(X, W1, b1)
    A1, sig1 = F.sigmoid_forward(Z1)
    Z2, dense2 = F.dense_forward(A1, W2, b2)
    yhat, sig2 = F.sigmoid_forward(Z2)
    loss = MSE()
    J = 0.5 * loss.forward(yhat, Y)  # the notes' 1/2 (y - yhat)^2, averaged over the batch
    dZ2 = F.sigmoid_backward(0.5 * loss.backward(), sig2)
    dA1, dW2, db2 = F.dense_backward(dZ2, dense2)
    dZ1 = F.sigmoid_backward(dA1, sig1)
    _, dW1, db1 = F.dense_backward(dZ1, dense1)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "yhat": yhat, "J": J, "dZ2": dZ2, "dW2": dW2,
            "db2": db2, "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}  # fmt: skip


def two_layer_predict(X: Any, params: Sequence[Any]) -> np.ndarray:
    """The output yhat (N, 1) of the 2-layer sigmoid network with params (W1, b1, W2, b2)."""
    W1, b1, W2, b2 = params
    hidden = F.sigmoid_forward(F.dense_forward(X, W1, b1)[0])[0]
    return F.sigmoid_forward(F.dense_forward(hidden, W2, b2)[0])[0]


def reference_train_two_layer(X, Y, params, lr, epochs):
    """``epochs`` full-batch steps W <- W - lr dJ/dW; returns (params, losses before each step).

    ``params`` is (W1, b1, W2, b2), left unchanged; the new ones are returned as a tuple.
    """
    params = [np.array(p, dtype=float) for p in params]
    losses = []
    for _ in range(epochs):
        out = reference_two_layer_backprop(X, Y, *params)
        losses.append(out["J"])
        grads = (out["dW1"], out["db1"], out["dW2"], out["db2"])
        params = [p - lr * g for p, g in zip(params, grads)]
    return tuple(params), losses

"""Gradients of the loss with respect to every parameter: by backpropagation, and by nudging.

Both return a dict with the same keys and shapes as the parameters:
{"W1": (n_hidden, 4), "b1": (n_hidden,), "W2": (4, n_hidden), "b2": (4,)}.
"""

from __future__ import annotations

import numpy as np

from .network import _forward, _mse
from .validate import PARAM_NAMES, check_eps, check_example


def _backprop(params: dict, x: np.ndarray, y: np.ndarray, passed=None) -> dict:
    """Unchecked backprop: one forward pass, then the chain rule from the loss back to W1.

    passed: the (z, h, y_hat) of a forward pass already made with these params and x (as `train`
    has one from computing the loss); then backprop reuses it instead of running another.
    """
    z, h, y_hat = _forward(params, x) if passed is None else passed
    dy = (2.0 / y.size) * (y_hat - y)            # ∂L/∂y_hat
    dz = (dy @ params["W2"]) * (z > 0)           # ∂L/∂z: back through W2, then the ReLU gate
    if x.ndim == 1:
        # outer products dz xᵀ and dy hᵀ, by broadcasting (a column times a row; np.outer does
        # the same with more overhead per call)
        return {"W1": dz[:, None] * x, "b1": dz, "W2": dy[:, None] * h, "b2": dy}
    return {"W1": dz.T @ x, "b1": dz.sum(axis=0), "W2": dy.T @ h, "b2": dy.sum(axis=0)}


def backprop(params, x, y) -> dict:
    """The exact gradient ∂L/∂w of the MSE loss for every parameter, by backpropagation.

    x, y: shape (4,) for one example or (n, 4) for a batch. Costs one forward pass plus one
    backward pass of about the same size, whatever the number of parameters.
    """
    return _backprop(*check_example(params, x, y))


def numerical_gradient(params, x, y, eps: float = 1e-6) -> dict:
    """The gradient estimated by central differences: (L(w + eps) − L(w − eps)) / (2 · eps).

    Nudges one parameter at a time, so it costs exactly two forward passes per parameter
    (62 for the chapter's 31). Count them with `count_forward_passes()`.
    """
    params, x, y = check_example(params, x, y)
    eps = check_eps(eps)
    nudged = {k: v.copy() for k, v in params.items()}
    grads = {}
    for key in PARAM_NAMES:
        w = nudged[key].reshape(-1)   # a view: nudging w nudges nudged[key]
        g = np.empty_like(w)
        for i in range(w.size):
            original = w[i]
            w[i] = original + eps
            up = _mse(_forward(nudged, x)[2], y)
            w[i] = original - eps
            down = _mse(_forward(nudged, x)[2], y)
            w[i] = original
            g[i] = (up - down) / (2.0 * eps)
        grads[key] = g.reshape(params[key].shape)
    return grads

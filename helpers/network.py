"""The network: 4 inputs → n_hidden ReLU units → 4 linear outputs, with mean-squared-error loss.

Parameters are a dict of float64 arrays::

    {"W1": (n_hidden, 4), "b1": (n_hidden,), "W2": (4, n_hidden), "b2": (4,)}

For the chapter's network n_hidden = 3, which makes 12 + 3 + 12 + 4 = 31 parameters.
"""

from __future__ import annotations

import contextlib
import numbers
from dataclasses import dataclass

import numpy as np

from .validate import PARAM_NAMES, as_float_array, check_example, check_params, check_x, check_y

N_PIXELS = 4


@dataclass
class ForwardPassCounter:
    """How many forward passes ran inside a `count_forward_passes()` block (`.n`)."""

    n: int = 0


_counters: list[ForwardPassCounter] = []


@contextlib.contextmanager
def count_forward_passes():
    """Count the forward passes that run inside the block.

    >>> with count_forward_passes() as passes:
    ...     numerical_gradient(params, x, y)
    >>> passes.n      # 62 for the chapter's 31 parameters
    """
    counter = ForwardPassCounter()
    _counters.append(counter)
    try:
        yield counter
    finally:
        _counters.remove(counter)


def _forward(params: dict, x: np.ndarray):
    """Unchecked forward pass. x: (4,) or (n, 4). Returns z, h: (..., n_hidden) and y_hat: (..., 4)."""
    for counter in _counters:
        counter.n += 1
    z = x @ params["W1"].T + params["b1"]
    h = np.maximum(z, 0.0)
    y_hat = h @ params["W2"].T + params["b2"]
    return z, h, y_hat


def _mse(y_hat: np.ndarray, y: np.ndarray) -> float:
    e = y_hat - y
    return float(np.vdot(e, e)) / e.size


def forward(params, x) -> np.ndarray:
    """The prediction y_hat = W2 · relu(W1 · x + b1) + b2.

    params: the parameter dict. x: shape (4,) for one image or (n, 4) for a batch.
    Returns y_hat with the shape of x: (4,) or (n, 4).
    """
    params = check_params(params)
    x = check_x(x, params["W1"].shape[1])
    return _forward(params, x)[2]


def hidden(params, x) -> tuple[np.ndarray, np.ndarray]:
    """The hidden layer: z = W1 · x + b1 and h = relu(z), each (n_hidden,) or (n, n_hidden)."""
    params = check_params(params)
    x = check_x(x, params["W1"].shape[1])
    z, h, _ = _forward(params, x)
    return z, h


def mse(y_hat, y) -> float:
    """Mean squared error over every entry: mean((y_hat - y)²). y_hat and y: the same shape."""
    y_hat = np.atleast_1d(as_float_array(y_hat, "y_hat"))
    if y_hat.size == 0:
        raise ValueError("y_hat must not be empty")
    y = check_y(y, y_hat.shape)
    return _mse(y_hat, y)


def loss(params, x, y) -> float:
    """The MSE of the network's prediction for x against the target y.

    x and y: shape (4,) for one example, or (n, 4) for a batch (the mean runs over all n · 4 entries).
    """
    params, x, y = check_example(params, x, y)
    return _mse(_forward(params, x)[2], y)


def count_params(params) -> int:
    """How many numbers the network learns: 31 for the chapter's 4 → 3 → 4 network."""
    params = check_params(params)
    return sum(params[k].size for k in PARAM_NAMES)


def init_params(n_hidden: int = 3, seed: int = 0) -> dict:
    """A random network 4 → n_hidden → 4 (He-scaled normal weights, zero biases), reproducible by seed.

    Returns {"W1": (n_hidden, 4), "b1": (n_hidden,), "W2": (4, n_hidden), "b2": (4,)}.
    """
    if isinstance(n_hidden, bool) or not isinstance(n_hidden, numbers.Integral) or n_hidden < 1:
        raise ValueError(f"n_hidden must be a whole number >= 1; got {n_hidden!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0; got {seed!r}")
    rng = np.random.default_rng(seed)
    n_hidden = int(n_hidden)
    return {
        "W1": rng.normal(0.0, np.sqrt(2.0 / N_PIXELS), size=(n_hidden, N_PIXELS)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(0.0, np.sqrt(1.0 / n_hidden), size=(N_PIXELS, n_hidden)),
        "b2": np.zeros(N_PIXELS),
    }


def copy_params(params) -> dict:
    """An independent copy of the parameter dict (checked)."""
    return {k: v.copy() for k, v in check_params(params).items()}


def param_labels(params) -> list[str]:
    """A name for every number, in flattening order: "W1[0,0]", ..., "b1[2]", ..., "b2[3]"."""
    params = check_params(params)
    labels = []
    for key in PARAM_NAMES:
        for index in np.ndindex(params[key].shape):
            labels.append(f"{key}[{','.join(map(str, index))}]")
    return labels


def parse_label(label: str, params) -> tuple[str, tuple]:
    """("W1", (1, 0)) for "W1[1,0]"; ValueError naming the valid range for anything else."""
    params = check_params(params)
    if not isinstance(label, str):   # e.g. an image passed where the label goes: arguments swapped
        shown = " ".join(repr(label).split())
        raise ValueError(f'label must be a name in quotes, like "W1[1,0]" or "b2[3]"; got a '
                         f"{type(label).__name__}: {shown[:60]}{'…' if len(shown) > 60 else ''}. "
                         "Are the arguments in the right order?")
    if label not in param_labels(params):
        shapes = ", ".join(f"{k} {params[k].shape}" for k in PARAM_NAMES)
        raise ValueError(f'"{label}" is not a parameter: use a name like "W1[1,0]" or "b2[3]" '
                         f"with indices inside the shapes {shapes}")
    key, rest = label.split("[")
    return key, tuple(int(i) for i in rest.rstrip("]").split(","))


def flatten(params) -> np.ndarray:
    """All parameters as one vector (31,), in the order of `param_labels`."""
    params = check_params(params)
    return np.concatenate([params[k].ravel() for k in PARAM_NAMES])


def unflatten(theta, like) -> dict:
    """The parameter dict with the shapes of `like` holding the numbers of `theta` (a new copy)."""
    like = check_params(like)
    theta = as_float_array(theta, "theta")
    total = sum(like[k].size for k in PARAM_NAMES)
    if theta.shape != (total,):
        raise ValueError(f"theta must have shape ({total},) to fill these parameters; got {theta.shape}")
    out, start = {}, 0
    for key in PARAM_NAMES:
        size = like[key].size
        out[key] = theta[start:start + size].reshape(like[key].shape).copy()
        start += size
    return out


def nudged(params, label: str, delta: float) -> dict:
    """A copy of params with the one number named by `label` (e.g. "W1[1,0]") increased by delta."""
    key, index = parse_label(label, params)
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real) or not np.isfinite(delta):
        raise TypeError(f"delta must be a finite number; got {delta!r}")
    out = copy_params(params)
    out[key][index] += delta
    return out

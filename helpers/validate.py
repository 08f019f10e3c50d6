"""Input checks, done once at the edge of every public function.

Each check returns a clean float64 array (a new one when the input needed converting, never a
view the caller could see change) or raises an error that says what was expected and what came.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np

PARAM_NAMES = ("W1", "b1", "W2", "b2")
_F64 = np.dtype(np.float64)


def _clean_f64(a) -> bool:
    """Fast test for the common case: already a finite float64 ndarray (vdot of NaN/inf is not finite;
    a false alarm from overflow of huge values only sends the array down the careful path)."""
    return type(a) is np.ndarray and a.dtype is _F64 and math.isfinite(np.vdot(a, a))


def as_float_array(value, name: str) -> np.ndarray:
    """`value` as a float64 array; TypeError for anything that is not real numbers."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers; got {type(value).__name__} {value!r}")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise ValueError(f"{name} must be a rectangular array of numbers; got {value!r}") from error
    if array.dtype == object:
        odd = next((v for v in array.ravel() if not isinstance(v, numbers.Real)), None)
        raise TypeError(f"{name} must contain real numbers; got an element {odd!r} "
                        f"of type {type(odd).__name__}")
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must contain real numbers; got values of type {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; it contains NaN or infinity")
    return array


def check_params(params) -> dict:
    """The parameter dict as float64 arrays, after checking its keys and shapes agree.

    Expected: {"W1": (n_hidden, n_in), "b1": (n_hidden,), "W2": (n_out, n_hidden), "b2": (n_out,)}.
    """
    if type(params) is dict and len(params) == 4:
        W1, b1, W2, b2 = (params.get(k) for k in PARAM_NAMES)
        if (_clean_f64(W1) and _clean_f64(b1) and _clean_f64(W2) and _clean_f64(b2)
                and W1.ndim == 2 and W2.ndim == 2 and W1.size and W2.size
                and b1.shape == (W1.shape[0],) and W2.shape[1] == W1.shape[0]
                and b2.shape == (W2.shape[0],)):
            return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    if not isinstance(params, Mapping):
        raise TypeError('params must be a dict {"W1", "b1", "W2", "b2"} of arrays; '
                        f"got {type(params).__name__}")
    for key in PARAM_NAMES:
        if key not in params:
            raise KeyError(f'params is missing "{key}": it needs the keys W1, b1, W2, b2 '
                           f"(got {sorted(map(str, params))})")
    extra = sorted(str(k) for k in params if k not in PARAM_NAMES)
    if extra:
        raise ValueError(f"params has unexpected keys {extra}: only W1, b1, W2, b2 are parameters")
    clean = {key: as_float_array(params[key], key) for key in PARAM_NAMES}
    W1, b1, W2, b2 = (clean[k] for k in PARAM_NAMES)
    if W1.ndim != 2 or W2.ndim != 2:
        bad = "W1" if W1.ndim != 2 else "W2"
        raise ValueError(f"{bad} must be a 2-D matrix; got shape {clean[bad].shape}")
    n_hidden, n_in = W1.shape
    n_out = W2.shape[0]
    expected = {"W1": (n_hidden, n_in), "b1": (n_hidden,), "W2": (n_out, n_hidden), "b2": (n_out,)}
    for key, shape in expected.items():
        if clean[key].shape != shape:
            raise ValueError(
                f"{key} must have shape {shape} to fit W1 of shape {W1.shape}; got {clean[key].shape} "
                "(W1 is (n_hidden, n_in), b1 (n_hidden,), W2 (n_out, n_hidden), b2 (n_out,))")
    if n_hidden == 0 or n_in == 0 or n_out == 0:
        raise ValueError(f"every layer needs at least one unit; got W1 {W1.shape}, W2 {W2.shape}")
    return clean


def check_x(x, n_in: int, name: str = "x") -> np.ndarray:
    """Inputs of shape (n_in,) or (n, n_in) with n >= 1, as float64."""
    if _clean_f64(x) and x.shape[-1:] == (n_in,) and 0 < x.ndim <= 2 and x.size:
        return x
    x = as_float_array(x, name)
    if not ((x.ndim == 1 and x.shape[0] == n_in) or (x.ndim == 2 and x.shape[1] == n_in and x.shape[0] > 0)):
        raise ValueError(f"{name} must have shape ({n_in},) or (n, {n_in}); got {x.shape}")
    return x


def check_y(y, shape: tuple, name: str = "y") -> np.ndarray:
    """Targets with exactly `shape` (the shape of the prediction), as float64."""
    if _clean_f64(y) and y.shape == tuple(shape):
        return y
    y = as_float_array(y, name)
    if y.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} to match the prediction; got {y.shape}")
    return y


def check_example(params, x, y) -> tuple:
    """params, x and y checked together: y must have the shape of the prediction for x."""
    params = check_params(params)
    x = check_x(x, params["W1"].shape[1])
    y = check_y(y, x.shape[:-1] + (params["W2"].shape[0],))
    return params, x, y


def _check_real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value}")
    return value


def check_lr(lr) -> float:
    """A learning rate: a finite number >= 0."""
    lr = _check_real(lr, "lr (the learning rate η)")
    if lr < 0:
        raise ValueError(f"lr (the learning rate η) must be >= 0; got {lr}. A negative rate walks uphill")
    return lr


def check_steps(steps) -> int:
    """A step count: a whole number >= 0."""
    whole = isinstance(steps, numbers.Integral) or (isinstance(steps, float) and steps.is_integer())
    if isinstance(steps, bool) or not whole:
        raise TypeError(f"steps must be a whole number >= 0; got {type(steps).__name__} {steps!r}")
    if steps < 0:
        raise ValueError(f"steps must be a whole number >= 0; got {steps}")
    return int(steps)


def check_eps(eps) -> float:
    """A finite-difference step: a finite number > 0."""
    eps = _check_real(eps, "eps")
    if eps <= 0:
        raise ValueError(f"eps must be > 0 (the size of the nudge); got {eps}")
    return eps

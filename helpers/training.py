"""Gradient descent: the update rule w ← w − η · ∂L/∂w, and a loop that repeats it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import _counters
from .validate import PARAM_NAMES, check_example, check_lr, check_params, check_steps

#: A loss above EXPLODED × the first loss (or NaN / infinity) has exploded; training stops there.
EXPLODED = 1e6
#: The loss "rose" on a step when it is above the one before it by more than RISE (smaller rises
#: are rounding noise).
RISE = 1e-12
#: A run ended "well below where it started" when its last loss is at most HALF × the first.
#: It is the one bar of progress for every verdict: "steady" (never rose) and "unstable" (rose)
#: clear it, "too slow" (never rose) and "diverged" (rose, or exploded) do not. Halving is a
#: plain-words bar a student can check by eye, and the verdicts do not hang on its exact value:
#: of the Chapter-7 runs at 400 learning rates from 0.001 to 10, those that rose ended either
#: below 0.001 × their start or above it (tests/test_training.py), so a run that went up and
#: ended near its start is the failure it looks like, not "unstable".
HALF = 0.5


def gd_step(params, grads, lr) -> dict:
    """One step downhill: a new dict with w − lr · ∂L/∂w for every parameter.

    params and grads: dicts of the same keys and shapes. lr: the learning rate η >= 0.
    Neither input is changed.
    """
    params = check_params(params)
    grads = check_params(grads)
    for key in PARAM_NAMES:
        if grads[key].shape != params[key].shape:
            raise ValueError(f'grads["{key}"] must have the shape of params["{key}"], '
                             f"{params[key].shape}; got {grads[key].shape}")
    lr = check_lr(lr)
    return {key: params[key] - lr * grads[key] for key in PARAM_NAMES}


@dataclass
class TrainResult:
    """What `train` returns.

    losses: (k + 1,) the loss before the first step and after each of the k steps taken.
    params: the final parameter dict.
    diverged: True if the loss became non-finite or exploded; training stopped there.
    trajectory: {"W1": (k + 1, n_hidden, 4), ...} every parameter before each step and at the end.
    lr: the learning rate used. steps: the steps asked for (k < steps only when it diverged).
    """

    losses: np.ndarray
    params: dict
    diverged: bool
    trajectory: dict
    lr: float
    steps: int

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


def train(params, x, y, lr, steps) -> TrainResult:
    """Gradient descent from `params` for `steps` steps at learning rate `lr`.

    x, y: one example (4,) or a batch (n, 4). Stops early, quietly, if the loss becomes
    non-finite or exceeds EXPLODED × the initial loss: then `.diverged` is True.
    """
    params, x, y = check_example(params, x, y)
    lr = check_lr(lr)
    steps = check_steps(steps)

    # All parameters live in one flat vector; W1, b1, W2, b2 are views into it, so one
    # subtraction updates all of them and one copy records them.
    shapes = [params[k].shape for k in PARAM_NAMES]
    sizes = [params[k].size for k in PARAM_NAMES]
    bounds = np.cumsum([0] + sizes)
    theta = np.concatenate([params[k].ravel() for k in PARAM_NAMES])
    W1, b1, W2, b2 = (theta[a:b].reshape(s) for a, b, s in zip(bounds[:-1], bounds[1:], shapes))
    grad = np.empty_like(theta)
    gW1, gb1, gW2, gb2 = (grad[a:b].reshape(s) for a, b, s in zip(bounds[:-1], bounds[1:], shapes))

    path = np.empty((steps + 1, theta.size))
    losses = np.empty(steps + 1)
    # grad holds the unscaled gradient (e instead of 2/n · e); the factor goes into the step size.
    step_size = lr * 2.0 / y.size
    single = x.ndim == 1
    z = np.empty(b1.shape if single else (x.shape[0],) + b1.shape)
    h = np.empty_like(z)
    e = gb2 if single else np.empty(y.shape)
    dz = gb1 if single else np.empty_like(z)
    W1T, W2T = W1.T, W2.T          # views: they follow theta as it changes
    diverged = False
    limit = np.inf
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            for counter in _counters:
                counter.n += 1
            # forward: z = W1 x + b1, h = relu(z), e = y_hat - y
            np.dot(x, W1T, out=z)
            z += b1
            np.maximum(z, 0.0, out=h)
            np.dot(h, W2T, out=e)
            e += b2
            e -= y
            loss = float(np.vdot(e, e)) / e.size
            losses[k] = loss
            path[k] = theta
            if k == 0:
                limit = EXPLODED * loss
            if not loss <= limit:          # also catches NaN
                diverged = True
                break
            if k == steps:
                break
            # backward: ∂L/∂b2 ∝ e, ∂L/∂W2 ∝ e hᵀ, ∂L/∂z ∝ (W2ᵀ e) · [z > 0], ∂L/∂W1 ∝ dz xᵀ
            np.dot(e, W2, out=dz)
            dz *= z > 0
            if single:
                np.multiply.outer(dz, x, out=gW1)
                np.multiply.outer(e, h, out=gW2)
            else:
                np.dot(dz.T, x, out=gW1)
                dz.sum(axis=0, out=gb1)
                np.dot(e.T, h, out=gW2)
                e.sum(axis=0, out=gb2)
            grad *= step_size
            theta -= grad
    k_last = k
    path = path[: k_last + 1]
    trajectory = {key: path[:, a:b].reshape((k_last + 1,) + s)
                  for key, a, b, s in zip(PARAM_NAMES, bounds[:-1], bounds[1:], shapes)}
    final = {key: trajectory[key][-1].copy() for key in PARAM_NAMES}
    return TrainResult(losses=losses[: k_last + 1].copy(), params=final, diverged=diverged,
                       trajectory=trajectory, lr=lr, steps=steps)


def exploded(losses) -> bool:
    """True if some loss (k + 1,) is NaN or infinite, or above EXPLODED × the first loss."""
    losses = np.asarray(losses, dtype=np.float64)
    with np.errstate(all="ignore"):
        return bool(not np.all(np.isfinite(losses)) or np.any(losses > EXPLODED * losses[0]))


def verdict(losses, diverged: bool = False) -> str:
    """How training went, read off the losses (k + 1,). Two questions decide it: did the loss ever
    rise (by more than RISE on some step), and did it end well below where it started (at most
    HALF × the first loss)?

    "too slow"  it never rose, and did not end well below where it started;
    "steady"    it never rose, and ended well below where it started;
    "unstable"  it rose on some steps, but ended well below where it started;
    "diverged"  it exploded (see `exploded`; or `diverged` is set), or it rose and did not end
                well below where it started: no better than it began, or barely better.
    """
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"losses must be a non-empty 1-D array; got shape {losses.shape}")
    if diverged or exploded(losses):
        return "diverged"
    well_below = losses[-1] <= HALF * losses[0]
    if np.any(np.diff(losses) > RISE):
        return "unstable" if well_below else "diverged"
    return "steady" if well_below else "too slow"

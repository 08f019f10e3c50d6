"""Gradient descent: the update rule w ← w − η · ∂L/∂w, and a loop that repeats it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gradients import _backprop
from .alt import number
from .network import _forward, _mse
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

    x, y: one example (4,) or a batch (n, 4). Each step is the chapter's loop: a forward pass,
    the loss, the gradients by backprop, and the update w ← w − lr · ∂L/∂w. The loss is also
    measured once after the last step. Stops early, quietly, if the loss becomes non-finite or
    exceeds EXPLODED × the initial loss: then `.diverged` is True. `params` is not changed.
    """
    params, x, y = check_example(params, x, y)
    lr = check_lr(lr)
    steps = check_steps(steps)

    path, losses = [], []
    diverged = False
    with np.errstate(all="ignore"):             # an exploding run is reported, not warned about
        for step in range(steps + 1):
            z, h, y_hat = _forward(params, x)                    # 1. forward pass
            loss = _mse(y_hat, y)                                # 2. loss
            path.append(params)
            losses.append(loss)
            if not loss <= EXPLODED * losses[0]:                 # also catches NaN
                diverged = True
                break
            if step == steps:
                break
            grads = _backprop(params, x, y, (z, h, y_hat))       # 3. gradients
            params = {key: params[key] - lr * grads[key]         # 4. update
                      for key in PARAM_NAMES}

    # (steps + 1, *shape) per parameter: np.array stacks equal shapes, in half np.stack's time
    trajectory = {key: np.array([p[key] for p in path]) for key in PARAM_NAMES}
    final = {key: trajectory[key][-1].copy() for key in PARAM_NAMES}
    return TrainResult(losses=np.array(losses), params=final, diverged=diverged,
                       trajectory=trajectory, lr=lr, steps=steps)


def exploded(losses) -> bool:
    """True if some loss (k + 1,) is NaN or infinite, or above EXPLODED × the first loss."""
    losses = np.asarray(losses, dtype=np.float64)
    with np.errstate(all="ignore"):
        return bool(not np.all(np.isfinite(losses)) or np.any(losses > EXPLODED * losses[0]))


def steps_that_rose(losses) -> np.ndarray:
    """The steps on which the loss rose: step i (1 to k) when losses[i] is above losses[i - 1] by
    more than RISE. losses: (k + 1,). The one rule for "the loss went up" that every verdict,
    check and description uses; `.size` is how many steps rose."""
    losses = np.asarray(losses, dtype=np.float64)
    with np.errstate(invalid="ignore"):         # inf - inf: not a rise we can count
        return np.flatnonzero(np.diff(losses) > RISE) + 1


def how_it_fell(losses) -> str:
    """On which steps a loss that never rose (by more than RISE) went down, in words true of each
    step: "on every step", or until when, and what it did after. losses: (k + 1,), k >= 1."""
    losses = np.asarray(losses, dtype=np.float64)
    k = losses.size - 1
    fell = np.diff(losses) < 0
    m = int(np.argmin(fell)) if not fell.all() else k       # it fell on steps 1 to m
    if m == k:
        return "on every step"
    rest = losses[m:]
    if m > 0 and np.all(rest == 0):
        return f"on every step until it reached exactly 0 at step {m}, then stayed at 0"
    if m > 0 and np.all(rest == rest[0]):
        return f"on every step until it stopped changing at step {m} (at {number(rest[0])})"
    if m > 0 and np.all(np.abs(np.diff(rest)) < RISE):
        return (f"on every step until step {m}; after that it moved by less than {RISE:.0e} "
                f"a step (rounding noise)")
    count = int(fell.sum())
    return (f"on {count or 'none'} of the {k} steps; on {'the others' if count else 'all'} it stayed "
            f"level or rose by no more than {RISE:.0e} (rounding noise)")


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
    if steps_that_rose(losses).size:
        return "unstable" if well_below else "diverged"
    return "steady" if well_below else "too slow"

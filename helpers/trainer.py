"""The step-through trainer: press Step and watch one round of gradient descent happen.

    from helpers.trainer import TrainerExplorer
    TrainerExplorer()          # the Chapter-7 network on the chapter's example, η = 0.1

Each press runs the loop once (forward → loss → gradients → update) and redraws one figure:
the loss so far, the prediction next to its target, and the weights that have moved most.
"""

from __future__ import annotations


import matplotlib as mpl
import numpy as np
from matplotlib.ticker import NullLocator

from .data import example, load_params
from .network import copy_params, flatten, forward, loss, param_labels
from . import controls
from .alt import numbers
from .plots import PALETTE, STYLE, ZERO_LABEL, draw_image, pixel_mesh, plot_losses, update_image
from .training import EXPLODED, how_it_fell, steps_that_rose, train
from .validate import PARAM_NAMES, check_lr, check_x, check_y
from .widgets import WIDE, Explorer, new_figure

#: The lowest loss axis the layout leaves room for (its tick labels are the widest).
DEEPEST = 1e-300


def loss_text(value: float) -> str:
    """A loss with at least four decimals, plus scientific notation once four decimals show 0.0000."""
    if not np.isfinite(value):
        return "inf"
    if abs(value) >= 1e6:
        return f"{value:.4e}"
    if abs(value) < 1e-3:
        return f"{value:.4f} (≈ {value:.1e})"
    return f"{value:.4f}"


class TrainerExplorer(Explorer):
    """Buttons Step, Step ×10 and Reset that run gradient descent one step at a time.

    params: the starting network (default: the Chapter-7 weights, `load_params()`).
    x, y: one image (4,) and its target (4,) (default: the chapter's example).
    lr: the learning rate η. top: how many of the most-moved weights the bar chart shows.
    """

    def __init__(self, params=None, x=None, y=None, lr: float = 0.1, top: int = 6):
        start = load_params() if params is None else params
        self.start = copy_params(start)
        if (x is None) != (y is None):
            raise ValueError("give both x and y, or neither (then the chapter's example is used)")
        if x is None:
            x, y = example()
        n_in = self.start["W1"].shape[1]
        self.x = check_x(x, n_in)
        if self.x.ndim != 1 or self.x.shape != (4,):
            raise ValueError(f"the trainer shows one 2×2 image: x must have shape (4,); got {self.x.shape}")
        self.y = check_y(y, (self.start["W2"].shape[0],))
        self.lr = check_lr(lr)
        self.labels = param_labels(self.start)
        self.top = max(1, min(int(top), len(self.labels)))
        self._theta0 = flatten(self.start)

        self.step_button = controls.Button("Step")
        self.step10_button = controls.Button("Step ×10")
        self.reset_button = controls.Button("Reset")
        self.step_button.add_class("downhill-step")
        self.step10_button.add_class("downhill-step10")
        self.reset_button.add_class("downhill-reset")
        self.readout = controls.Status()
        self.readout.add_class("downhill-loss")
        self.step_button.on_click(lambda _: self.step(1))
        self.step10_button.on_click(lambda _: self.step(10))
        self.reset_button.on_click(lambda _: self.reset())

        self._back_to_start()
        buttons = controls.row([self.step_button, self.step10_button, self.reset_button, self.readout])
        self._start([buttons])
        self.widget.add_class("downhill-trainer")

    SIZE = (WIDE, 4.8)              # inches: loss | prediction over target | weights that moved
    NARROW_SIZE = (7.0, 10.0)       # loss on top, prediction beside target, then the weights
    NARROW_BELOW = 830              # CSS px: below it, the loss title reaches the tick labels

    def _layers(self):
        # Layers, the slowest-changing first: the loss axis's steps and its log scale (each gets new
        # limits now and then, in big jumps), the names beside the bars (when another weight moves
        # into the top few; plain texts, far cheaper to draw than an axis's tick labels), then
        # everything that changes with every step. Nothing else changes.
        return [[self.ax_loss.xaxis], [self.ax_loss.yaxis], self.bar_names,
                [self.loss_line, self.zero_marks, self.loss_dot, self.loss_title,
                 pixel_mesh(self.ax_pred), *self.pred_texts, self.ax_pred.title,
                 *self.bars, *self.bar_texts, self.zero_line, self.bar_note]]

    # -- the math: one press of a button -------------------------------------------------------

    def step(self, n: int = 1) -> None:
        """Take n steps of gradient descent (forward, backprop, update; `train` runs the loop), then redraw.

        Stops at the first step whose loss exceeds EXPLODED × the loss at step 0 (or is not finite),
        whichever presses led there: Step ×10 stops where ten presses of Step would."""
        if self.diverged:
            return
        left = n
        while left > 0 and not self.diverged:
            # `train` checks for an explosion against the loss where this press starts; the run's
            # rule is EXPLODED × the loss at step 0, so the check is made here on the whole run
            result = train(self.params, self.x, self.y, self.lr, left)
            losses = np.concatenate([self.losses, result.losses[1:]])
            with np.errstate(invalid="ignore"):
                over = np.flatnonzero(~(losses <= EXPLODED * losses[0]))     # also NaN
            k = int(over[0]) if over.size else losses.size - 1              # stop at the first
            j = k - self.steps                                              # that step, in this press
            self.params = {key: result.trajectory[key][j].copy() for key in PARAM_NAMES}
            self.losses = [float(v) for v in losses[:k + 1]]
            self.diverged = bool(over.size)
            left -= j          # `train` stops early when it thinks the loss exploded: go on from there
        self._redraw()

    def reset(self) -> None:
        """Back to the starting weights and step 0."""
        self._back_to_start()
        self._redraw()

    def _back_to_start(self) -> None:
        self.params = copy_params(self.start)
        self.losses = [loss(self.params, self.x, self.y)]
        self.diverged = False

    @property
    def steps(self) -> int:
        """How many steps have been taken since the start (or the last Reset)."""
        return len(self.losses) - 1

    # -- the picture ---------------------------------------------------------------------------

    def _build_figure(self) -> None:
        layout = self.layout
        self.fig = new_figure(layout.width, layout.height, layout.dpi)
        self._limits = None                           # a new figure's axes need their limits
        # three panels side by side in 9.4 inches: their titles a point smaller than the course's
        with mpl.rc_context({**STYLE, "axes.titlesize": STYLE["axes.titlesize"] - 1}):
            if layout.narrow:
                grid = self.fig.add_gridspec(3, 2, height_ratios=[1.6, 1.0, 1.4])
                self.ax_loss = self.fig.add_subplot(grid[0, :])
                self.ax_pred = self.fig.add_subplot(grid[1, 0])
                self.ax_target = self.fig.add_subplot(grid[1, 1])
                self.ax_bars = self.fig.add_subplot(grid[2, :])
            else:
                grid = self.fig.add_gridspec(2, 3, width_ratios=[2.2, 1.1, 2.2])
                self.ax_loss = self.fig.add_subplot(grid[:, 0])
                self.ax_pred = self.fig.add_subplot(grid[0, 1])
                self.ax_target = self.fig.add_subplot(grid[1, 1])
                self.ax_bars = self.fig.add_subplot(grid[:, 2])

            ax = self.ax_loss
            self.loss_line = plot_losses(ax, [1.0, 1.0], color=PALETTE["blue"])
            # losses of exactly 0 (no place on a log axis): triangles on the axis floor
            (self.zero_marks,) = ax.plot([], [], "v", color=PALETTE["blue"], markersize=9,
                                         clip_on=False, zorder=4, label=ZERO_LABEL)
            self.zero_marks.set_in_layout(False)   # empty at first: the layout must not put it at (0, 0)
            (self.loss_dot,) = ax.plot([0], [1.0], "o", color=PALETTE["vermillion"], zorder=3)
            ax.yaxis.set_minor_locator(NullLocator())
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(5, integer=True))   # whole steps
            ax.set_ylabel("loss (MSE, log scale)")
            self.loss_title = ax.set_title("Loss before any step")
            # lay out for the widest tick labels the axis will show (10⁻³⁰⁰), so none reach the label
            ax.set_ylim(DEEPEST, 1e3)
            ax.set_yticks([DEEPEST, 1e-100, 1.0])
            # and for the widest last step tick (1000, half of it past the axis's right end)
            ax.set_xlim(0, 1000)

            self.pred_texts = draw_image(self.ax_pred, np.zeros(4), "ŷ at step 0")
            draw_image(self.ax_target, self.y, "target y")

            ax = self.ax_bars
            rows = np.arange(self.top)[::-1]          # the biggest mover on top
            self.bars = ax.barh(rows, np.zeros(self.top), height=0.7, color=PALETTE["orange"])
            self.bar_texts = [ax.text(0, row, "", va="center", fontsize=13) for row in rows]
            # each number 4 pt past its bar's end: right of a bar that grew right, left of one that grew left
            self._past_bar_end = {right: ax.transData + mpl.transforms.ScaledTranslation(
                (4 if right else -4) / 72, 0, self.fig.dpi_scale_trans) for right in (True, False)}
            # the weights' names, left of the axis; the widest name, so the layout leaves room
            left_of_axis = (mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
                            + mpl.transforms.ScaledTranslation(-5 / 72, 0, self.fig.dpi_scale_trans))
            self.bar_names = [ax.text(0, row, "W1[0,0]", transform=left_of_axis, ha="right", va="center",
                                      fontsize=13) for row in rows]
            ax.set_yticks([])
            ax.set_xticks([])                              # each bar carries its number instead
            self.zero_line = ax.axvline(0, color=PALETTE["black"], linewidth=1)
            ax.grid(False)
            ax.set_xlabel("change since step 0")
            ax.set_title("Weights that moved most", loc="right")   # over the names too: it is wider than the bars
            self.bar_note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                                    fontsize=14, color="0.35", zorder=5,
                                    bbox=dict(facecolor="white", edgecolor="none", pad=6))
            ax.set_xlim(-1, 1)

    def _redraw(self) -> None:
        k = self.steps
        losses = np.asarray(self.losses, dtype=float)
        # every loss at its true value; a loss of exactly 0 on the axis floor, marked by a triangle
        drawn = np.nan_to_num(losses, nan=1e300, posinf=1e300)
        positive = drawn[drawn > 0]
        limits = loss_axis_limits(positive if positive.size else np.array([losses[0]]), losses[0], k)
        zero = drawn <= 0
        shown = np.where(zero, limits[1][0], drawn)

        ax = self.ax_loss
        self.loss_line.set_data(np.arange(k + 1), shown)
        self.zero_marks.set_data(np.flatnonzero(zero), shown[zero])
        self.loss_dot.set_data([k], [shown[-1]])
        if limits != self._limits:          # new ticks: redraw that axis and everything above it
            ax.set_xlim(*limits[0])
            ax.set_ylim(*limits[1])
            ax.yaxis.set_major_locator(mpl.ticker.LogLocator(numticks=8))
            old = self._limits
            self.live.invalidate(0 if old is None or old[0] != limits[0] else 1)
            self._limits = limits
        if self.diverged:
            self.loss_title.set_text(f"Loss exploded at step {k}")
        elif k == 0:
            self.loss_title.set_text("Loss before any step")
        else:
            word = "fell" if losses[-1] < losses[0] else "rose" if losses[-1] > losses[0] else "stayed"
            self.loss_title.set_text(f"Loss {word}: {losses[0]:.3f} → {short_number(losses[-1])}")

        theta = flatten_unchecked(self.params)
        finite = bool(np.all(np.isfinite(theta)))
        y_hat = forward(self.params, self.x) if finite else np.full(4, np.nan)
        self.ax_pred.title.set_text(f"ŷ at step {k}")
        update_image(self.ax_pred, self.pred_texts, y_hat)

        change = np.nan_to_num(theta - self._theta0, nan=0.0, posinf=1e300, neginf=-1e300)
        order = np.argsort(-np.abs(change), kind="stable")[: self.top]
        biggest = float(np.abs(change[order[0]]))
        names = []
        for bar, text, i in zip(self.bars, self.bar_texts, order):
            value = float(change[i]) if biggest > 0 else 0.0
            bar.set_width(value)
            bar.set_visible(value != 0)
            bar.set_color(PALETTE["orange"] if value >= 0 else PALETTE["blue"])
            text.set_text(short_number(value, signed=True) if value != 0 else "")
            text.set_x(value)
            text.set_transform(self._past_bar_end[value >= 0])
            text.set_horizontalalignment("left" if value >= 0 else "right")
            names.append(self.labels[i] if biggest > 0 else "")
        if names != [name.get_text() for name in self.bar_names]:
            for name, text in zip(self.bar_names, names):
                name.set_text(text)
            self.live.invalidate(2)
        limit = 2.6 * biggest if biggest > 0 else 1.0     # room past the longest bar for its number
        self.ax_bars.set_xlim(-limit, limit)
        self.bar_note.set_text("" if biggest > 0 else "No weight has moved yet:\npress Step")
        self.zero_line.set_visible(biggest > 0)             # the note sits where the line would be

        message = f"step {k} · loss = {loss_text(losses[-1])} · η = {self.lr:g}"
        if self.diverged:
            message += " · <b>diverged</b>: training stopped (press Reset)"
        self.step_button.disabled = self.diverged
        self.step10_button.disabled = self.diverged
        self.moved = [(self.labels[i], float(change[i])) for i in order if biggest > 0 and change[i] != 0]
        self._show(self.readout, message)

    def describe(self) -> str:
        """The picture in words, from the numbers it draws."""
        k, losses = self.steps, np.asarray(self.losses, dtype=float)
        theta = flatten_unchecked(self.params)
        y_hat = forward(self.params, self.x) if np.all(np.isfinite(theta)) else np.full(4, np.nan)
        shown, target = numbers(y_hat), numbers(self.y, 0)
        if k == 0:
            return (f"Before any step at η = {self.lr:g}: loss {losses[0]:.3f}; prediction {shown}, "
                    f"target {target}; no weight has moved yet.")
        if self.diverged:
            path = f"the loss exploded at step {k} (from {losses[0]:.3f} to {short_number(losses[-1])})"
        else:
            rises = steps_that_rose(losses).size       # the verdict's own rule
            how = f"falling {how_it_fell(losses)}" if rises == 0 else f"rising on {rises} of the {k} steps"
            path = f"loss from {losses[0]:.3f} to {short_number(losses[-1])} on a log scale, {how}"
        moved = ", ".join(f"{label} {short_number(change, signed=True)}" for label, change in self.moved)
        return (f"After {k} step{'s' if k != 1 else ''} at η = {self.lr:g}: {path}; prediction {shown}, target {target}; "
                f"the weights that moved most: {moved or 'none'}.")


def loss_axis_limits(shown, first: float, k: int) -> tuple:
    """Axis limits for a loss curve of k steps that change in big jumps, not on every step.

    x: 0 to the first of 10, 20, 50, 100, 200, ... that fits. y (log): from a power of 1000 below
    the lowest loss to 2 · first loss (or a power of 1000 above the highest).
    """
    right = 10
    while right < k + 1:
        right = right * 5 // 2 if str(right).startswith("2") else right * 2
    low, high = float(np.min(shown)), float(np.max(shown))
    bottom = 1e-2 if low >= 1.5e-2 else 10.0 ** (3 * np.floor((np.log10(low) - 0.2) / 3))
    top = 2.0 * first if high <= 1.5 * first else 10.0 ** (3 * np.ceil((np.log10(high) + 0.2) / 3))
    return (0, right), (bottom, top)


def short_number(value: float, signed: bool = False) -> str:
    """A number in at most about 7 characters: 0.0017, 0.481, +0.0439, 2.3e-14, -4.2e4."""
    if not np.isfinite(value):
        return "inf"
    sign = "+" if signed else ""
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e3):
        mantissa, exponent = f"{value:{sign}.1e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:{sign}.3g}"


def flatten_unchecked(params) -> np.ndarray:
    """All numbers of params in one vector, without the finiteness check (diverged weights are inf)."""
    return np.concatenate([np.ravel(params[k]) for k in PARAM_NAMES])



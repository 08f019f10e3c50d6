"""The step-through trainer: press Step and watch one round of gradient descent happen.

    from helpers.trainer import TrainerExplorer
    TrainerExplorer()          # the Chapter-7 network on the chapter's example, η = 0.1

Each press runs the loop once (forward → loss → gradients → update) and redraws one figure:
the loss so far, the prediction next to its target, and the weights that have moved most.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np

from .data import example, load_params
from .gradients import backprop
from .network import copy_params, flatten, forward, loss, param_labels
from .plots import PALETTE, STYLE, draw_image, plot_losses, update_image
from .training import EXPLODED, gd_step, train
from .validate import check_lr, check_x, check_y
from .widgets import Explorer, LiveFigure, new_figure

#: Losses below this are drawn at this height (a log axis cannot show 0).
LOSS_FLOOR = 1e-16


def loss_text(value: float) -> str:
    """A loss with at least four decimals, plus scientific notation once four decimals show 0.0000."""
    if not np.isfinite(value):
        return "inf"
    if abs(value) >= 1e6:
        return f"{value:.4e}"
    if abs(value) < 1e-3:
        return f"{value:.4f} (≈ {value:.1e})"
    return f"{value:.4f}"


def pixel_text(value: float) -> str:
    """A pixel value short enough to fit on its square, even after training blew up."""
    if not np.isfinite(value):
        return "nan"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0e}"


def show_pixels(ax, texts, pixels) -> None:
    """`plots.update_image`, plus readable numbers: short text, black on light pixels, white on dark."""
    pixels = np.asarray(pixels, dtype=float).ravel()
    update_image(ax, texts, pixels)
    for text, value in zip(texts, pixels):
        text.set_text(pixel_text(value))
        text.set_color("black" if value > 0.5 else "white")


#: The course style, minus automatic layout (see FrozenLiveFigure).
_FROZEN_STYLE = {**STYLE, "figure.autolayout": False, "figure.constrained_layout.use": False}


def freeze_layout(fig) -> None:
    """Lay the figure out once (constrained layout), then keep those positions for fast redraws."""
    fig.canvas.draw()
    with mpl.rc_context(_FROZEN_STYLE):
        fig.set_layout_engine(None)


class FrozenLiveFigure(LiveFigure):
    """A LiveFigure whose layout was computed once (`freeze_layout`) and is not redone per redraw.

    Saving under the plain course style would switch constrained layout back on (savefig restores
    "no layout engine" by reading the rc setting), which costs a second draw on every refresh.
    """

    def png(self) -> bytes:
        buffer = io.BytesIO()
        with mpl.rc_context(_FROZEN_STYLE):
            self.fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
        return buffer.getvalue()


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

        self.step_button = widgets.Button(description="Step", tooltip="one step of gradient descent")
        self.step10_button = widgets.Button(description="Step ×10", tooltip="ten steps at once")
        self.reset_button = widgets.Button(description="Reset", tooltip="back to the starting weights")
        self.step_button.add_class("downhill-step")
        self.step10_button.add_class("downhill-step10")
        self.reset_button.add_class("downhill-reset")
        self.readout = widgets.HTML()
        self.readout.add_class("downhill-loss")
        self.step_button.on_click(lambda _: self.step(1))
        self.step10_button.on_click(lambda _: self.step(10))
        self.reset_button.on_click(lambda _: self.reset())

        self._build_figure()
        self.live = FrozenLiveFigure(self.fig)
        buttons = widgets.HBox([self.step_button, self.step10_button, self.reset_button, self.readout],
                               layout=widgets.Layout(align_items="center"))
        self.widget = widgets.VBox([buttons, self.live.image])
        self.widget.add_class("downhill-trainer")
        self.reset()

    # -- the math: one press of a button -------------------------------------------------------

    def step(self, n: int = 1) -> None:
        """Take n steps of gradient descent (n = 1: backprop + gd_step; more: `train`), then redraw."""
        if self.diverged:
            return
        if n == 1:
            grads = backprop(self.params, self.x, self.y)
            with np.errstate(all="ignore"):
                new = gd_step(self.params, grads, self.lr)
            finite = all(np.all(np.isfinite(v)) for v in new.values())
            new_loss = loss(new, self.x, self.y) if finite else float("inf")
            self.diverged = not new_loss <= EXPLODED * max(self.losses[0], 1.0)
            self.params = new
            self.losses.append(new_loss)
        else:
            result = train(self.params, self.x, self.y, self.lr, n)
            self.params = result.params
            self.losses.extend(float(v) for v in result.losses[1:])
            self.diverged = result.diverged
        self._redraw()

    def reset(self) -> None:
        """Back to the starting weights and step 0."""
        self.params = copy_params(self.start)
        self.losses = [loss(self.params, self.x, self.y)]
        self.diverged = False
        self._redraw()

    @property
    def steps(self) -> int:
        """How many steps have been taken since the start (or the last Reset)."""
        return len(self.losses) - 1

    # -- the picture ---------------------------------------------------------------------------

    def _build_figure(self) -> None:
        self.fig = new_figure(11.0, 4.8)
        with mpl.rc_context(STYLE):
            grid = self.fig.add_gridspec(2, 3, width_ratios=[2.3, 1.0, 2.2])
            self.ax_loss = self.fig.add_subplot(grid[:, 0])
            self.ax_pred = self.fig.add_subplot(grid[0, 1])
            self.ax_target = self.fig.add_subplot(grid[1, 1])
            self.ax_bars = self.fig.add_subplot(grid[:, 2])

        ax = self.ax_loss
        self.loss_line = plot_losses(ax, [1.0, 1.0], color=PALETTE["blue"])
        (self.loss_dot,) = ax.plot([0], [1.0], "o", color=PALETTE["vermillion"], zorder=3)
        ax.set_ylabel("loss (MSE, log scale)")
        self.loss_title = ax.set_title(" ")

        self.pred_texts = draw_image(self.ax_pred, np.zeros(4), "prediction ŷ")
        self.pred_title = self.ax_pred.title
        draw_image(self.ax_target, self.y, "target y")

        ax = self.ax_bars
        rows = np.arange(self.top)[::-1]          # the biggest mover on top
        self.bars = ax.barh(rows, np.zeros(self.top), height=0.7, color=PALETTE["orange"])
        self.bar_texts = [ax.text(0, row, "", va="center", fontsize=12) for row in rows]
        ax.set_yticks(rows, ["W1[0,0]"] * self.top)   # the widest label, so the layout leaves room
        ax.axvline(0, color=PALETTE["black"], linewidth=1)
        ax.grid(False, axis="y")
        ax.set_xlabel("change since step 0")
        ax.set_title(f"The {self.top} weights that moved most")
        self.bar_note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                                fontsize=13, color="0.35")
        ax.set_xlim(-1, 1)
        freeze_layout(self.fig)

    def _redraw(self) -> None:
        k = self.steps
        losses = np.asarray(self.losses, dtype=float)
        shown = np.clip(np.nan_to_num(losses, nan=np.inf, posinf=1e300), LOSS_FLOOR, 1e300)

        ax = self.ax_loss
        self.loss_line.set_data(np.arange(k + 1), shown)
        self.loss_dot.set_data([k], [shown[-1]])
        ax.set_xlim(0, max(10, k + 1))
        low = min(1e-2, shown.min() / 3)
        high = max(2.0 * losses[0], shown.max() * 3)
        ax.set_ylim(low, high)
        if self.diverged:
            self.loss_title.set_text("The loss exploded: training stopped")
        elif k == 0:
            self.loss_title.set_text("Loss before any step")
        else:
            change = 1 - losses[-1] / losses[0]
            word = "lower" if change >= 0 else "higher"
            self.loss_title.set_text(f"Loss is {abs(change):.0%} {word} than at step 0")

        y_hat = forward(self.params, self.x) if np.all(np.isfinite(flatten_unchecked(self.params))) \
            else np.full(4, np.nan)
        show_pixels(self.ax_pred, self.pred_texts, y_hat)
        self.pred_title.set_text(f"prediction ŷ, step {k}")

        change = flatten_unchecked(self.params) - self._theta0
        change = np.nan_to_num(change, nan=0.0, posinf=1e300, neginf=-1e300)
        order = np.argsort(-np.abs(change), kind="stable")[: self.top]
        biggest = np.abs(change[order[0]])
        labels = []
        for bar, text, i in zip(self.bars, self.bar_texts, order):
            value = change[i] if biggest > 0 else 0.0
            bar.set_width(value)
            bar.set_color(PALETTE["orange"] if value >= 0 else PALETTE["blue"])
            text.set_text(f"{value:+.3f}" if value != 0 else "")
            text.set_x(value)
            text.set_ha("left" if value >= 0 else "right")
            labels.append(self.labels[i] if biggest > 0 else "")
        self.ax_bars.set_yticklabels(labels)
        limit = 1.45 * biggest if biggest > 0 else 1.0
        self.ax_bars.set_xlim(-limit, limit)
        self.bar_note.set_text("" if biggest > 0 else "No weight has moved yet:\npress Step")

        message = f"step {k} · loss = {loss_text(losses[-1])} · η = {self.lr:g}"
        if self.diverged:
            message += " · <b>diverged</b>: training stopped (press Reset)"
        self.readout.value = message
        self.step_button.disabled = self.diverged
        self.step10_button.disabled = self.diverged
        self.live.refresh()


def flatten_unchecked(params) -> np.ndarray:
    """All numbers of params in one vector, without the finiteness check (diverged weights are inf)."""
    return np.concatenate([np.ravel(params[k]) for k in ("W1", "b1", "W2", "b2")])


def loop_diagram(y_hat, loss_value, grad_example: tuple[str, float], lr: float):
    """The training loop as four boxes in a circle, filled with the numbers of one real pass.

    y_hat: (4,) the prediction; loss_value: its loss; grad_example: (label, value) of one gradient;
    lr: the learning rate η. Returns a Figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    label, g = grad_example
    boxes = [
        ((0.5, 0.84), "1  forward pass",
         "ŷ = [" + ", ".join(f"{v:.2f}" for v in np.ravel(y_hat)) + "]"),
        ((0.84, 0.5), "2  loss", f"L = mean((ŷ − y)²) = {loss_value:.3f}"),
        ((0.5, 0.16), "3  gradients", f"∂L/∂w for every w, e.g.\n∂L/∂{label} = {g:+.3f}"),
        ((0.16, 0.5), "4  update", f"w ← w − η · ∂L/∂w\nwith η = {lr:g}"),
    ]
    colors = [PALETTE["sky"], PALETTE["orange"], PALETTE["green"], PALETTE["purple"]]
    with mpl.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(10.0, 6.0))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
        w, hgt = 0.34, 0.2
        for ((cx, cy), head, body), color in zip(boxes, colors):
            ax.add_patch(FancyBboxPatch((cx - w / 2, cy - hgt / 2), w, hgt, boxstyle="round,pad=0.01",
                                        facecolor=color, alpha=0.25, edgecolor=color, linewidth=2.5))
            ax.text(cx, cy + 0.05, head, ha="center", va="center", fontsize=15, fontweight="bold")
            ax.text(cx, cy - 0.03, body, ha="center", va="center", fontsize=12.5)
        # Clockwise arrows: top → right → bottom → left → top.
        ends = [((0.68, 0.84), (0.84, 0.61)), ((0.84, 0.39), (0.68, 0.16)),
                ((0.32, 0.16), (0.16, 0.39)), ((0.16, 0.61), (0.32, 0.84))]
        for start, end in ends:
            ax.add_patch(FancyArrowPatch(start, end, connectionstyle="arc3,rad=0.3",
                                         arrowstyle="-|>", mutation_scale=25, linewidth=2.5,
                                         color=PALETTE["black"]))
        ax.text(0.5, 0.5, "repeat", ha="center", va="center", fontsize=16, style="italic", color="0.3")
        ax.set_title("Gradient descent is one loop, run again and again")
    return fig

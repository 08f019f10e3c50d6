"""The learning-rate explorer: pick η on a slider and see how 100 steps of training go.

    from helpers.lr_explorer import LearningRateExplorer
    LearningRateExplorer()     # the Chapter-7 network on the chapter's example, η = 0.1

Every change of η retrains from the same starting weights and redraws one figure in place: the
loss curve (log scale), the final prediction next to its target, and a verdict read off the
losses by `training.verdict` (too slow / steady / unstable / diverged).
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from .data import example, load_params
from .network import copy_params, forward, loss
from . import controls
from .alt import numbers
from .plots import PALETTE, STYLE, TEXT_ON_WHITE, draw_image, pixel_mesh, plot_losses, update_image
from .trainer import short_number
from .training import EXPLODED, how_it_fell, steps_that_rose, train, verdict
from .validate import check_lr, check_steps, check_x, check_y
from .widgets import WIDE, Explorer, new_figure

#: The slider's range, as powers of ten: η from 10⁻³ = 0.001 to 10¹ = 10.
LOG_MIN, LOG_MAX = -3, 1
#: The loss axis is fixed, so curves for different η can be compared by eye. A loss below its
#: floor is not drawn on the floor as if it stayed there: a triangle on the floor marks each such
#: step, and a note says how low the loss really went.
Y_LIMITS = (1e-16, 1e10)

_HUES = {"too slow": "blue", "steady": "green", "unstable": "orange", "diverged": "vermillion"}
#: One Okabe–Ito hue per verdict, for the run's end marker (a shape, never text).
VERDICT_MARKERS = {word: PALETTE[hue] for word, hue in _HUES.items()}
#: The verdict's words drawn in the figure (title, note): its hue dark enough for text on white (4.5:1).
VERDICT_FIGURE_TEXT = {word: TEXT_ON_WHITE[hue] for word, hue in _HUES.items()}
#: The verdict word in the HTML status line, a (light theme, dark theme) pair: 4.5:1 on white and
#: on #111 (see `controls.colored`).
VERDICT_STATUS_TEXT = {word: (TEXT_ON_WHITE[hue], PALETTE["sky" if hue == "blue" else hue])
                       for word, hue in _HUES.items()}
#: Vermillion dark enough for text on the pale "exploded" band (5:1).
BAND_TEXT = "#A64A00"
#: What each verdict means, in words; {fell} is where the loss went down, from `how_it_fell`.
VERDICT_MEANING = {
    "too slow": "the loss went down {fell}, but not even to half of where it started",
    "steady": "the loss went down {fell}, and ended at half of where it started or lower",
    "unstable": ("the loss went up on some steps (the step jumped past the valley), but it ended at "
                 "half of where it started or lower"),
    "diverged": ("the loss exploded (training stops), or it went up and ended above half of where it "
                 "started: this run failed"),
}


def loss_words(value: float) -> str:
    """A loss for a sentence: 4 decimals in the usual range, powers of ten outside it."""
    if not np.isfinite(value):
        return "infinite"
    if value == 0:
        return "exactly 0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.4f}"
    return short_number(value)


class LearningRateExplorer(Explorer):
    """A slider for the learning rate η; each value retrains and redraws one figure.

    The slider is `self.slider` (a `controls.Slider`, CSS class downhill-lr-slider): its trait
    `value` is η itself (not an exponent), from 0.001 to 10.

    params: the starting network (default: the Chapter-7 weights). x, y: the training data,
    one image (4,) and its target (default: the chapter's example). lr: the first η, between
    0.001 and 10. steps: how many steps of gradient descent each η gets.
    """

    def __init__(self, params=None, x=None, y=None, lr: float = 0.1, steps: int = 100):
        self.start = copy_params(load_params() if params is None else params)
        if (x is None) != (y is None):
            raise ValueError("give both x and y, or neither (then the chapter's example is used)")
        if x is None:
            x, y = example()
        self.x = check_x(x, self.start["W1"].shape[1])
        if self.x.shape != (4,):
            raise ValueError(f"the explorer shows one 2×2 image: x must have shape (4,); got {self.x.shape}")
        self.y = check_y(y, (self.start["W2"].shape[0],))
        lr = check_lr(lr)
        if not 10.0 ** LOG_MIN <= lr <= 10.0 ** LOG_MAX:
            raise ValueError(f"lr must be between {10.0 ** LOG_MIN:g} and {10.0 ** LOG_MAX:g} (the slider's "
                             f"range); got {lr:g}")
        self.steps = check_steps(steps)
        if self.steps < 1:
            raise ValueError("steps must be at least 1")
        self.first_loss = loss(self.start, self.x, self.y)

        self.slider = controls.Slider(lr, low=LOG_MIN, high=LOG_MAX, step=0.05, log=True, label="η",
                                      name="learning rate η")
        self.slider.add_class("downhill-lr-slider")
        self.verdict_html = controls.Status()
        self.verdict_html.add_class("downhill-verdict")

        self._start([self.slider, self.verdict_html])
        self.widget.add_class("downhill-lr-explorer")
        self.slider.on_change(lambda value: self.update())

    SIZE = (WIDE, 4.8)              # inches: loss curve | prediction over target
    NARROW_SIZE = (7.0, 7.4)        # loss curve on top, prediction beside target below
    NARROW_BELOW = 760              # CSS px

    def _layers(self):
        # The prediction's title changes only when a run stops early: it gets a layer of its own,
        # below the artists that change with every η, so most redraws leave it as it is.
        return [[self.ax_pred.title],
                [self.line, self.below, self.below_note, self.end_marker, self.note, self.ax_loss.title,
                 pixel_mesh(self.ax_pred), *self.pred_texts]]

    def _redraw(self) -> None:
        self.update()

    # -- the math ------------------------------------------------------------------------------

    def run(self, lr: float):
        """Train a fresh copy of the starting weights at learning rate lr. Returns (TrainResult, verdict)."""
        result = train(self.start, self.x, self.y, lr, self.steps)
        return result, verdict(result.losses, result.diverged)

    # -- the picture ---------------------------------------------------------------------------

    def _build_figure(self) -> None:
        layout = self.layout
        self.fig = new_figure(layout.width, layout.height, layout.dpi)
        with mpl.rc_context(STYLE):
            if layout.narrow:
                grid = self.fig.add_gridspec(2, 2, height_ratios=[2.3, 1.0])
                self.ax_loss = self.fig.add_subplot(grid[0, :])
                self.ax_pred = self.fig.add_subplot(grid[1, 0])
                self.ax_target = self.fig.add_subplot(grid[1, 1])
            else:
                grid = self.fig.add_gridspec(2, 2, width_ratios=[2.7, 1.0])
                self.ax_loss = self.fig.add_subplot(grid[:, 0])
                self.ax_pred = self.fig.add_subplot(grid[0, 1])
                self.ax_target = self.fig.add_subplot(grid[1, 1])

            ax = self.ax_loss
            self.line = plot_losses(ax, [self.first_loss], color=PALETTE["blue"], log=True)
            ax.set_xlim(0, self.steps)
            ax.set_ylim(*Y_LIMITS)
            ax.set_yticks(10.0 ** np.arange(-16, 11, 4))
            ax.yaxis.set_minor_locator(mpl.ticker.NullLocator())
            ax.set_ylabel("loss (MSE, log scale)")
            limit = EXPLODED * self.first_loss
            ax.axhspan(limit, Y_LIMITS[1], color=PALETTE["vermillion"], alpha=0.12, linewidth=0)
            ax.text(self.steps * 0.98, Y_LIMITS[1] / 3, "exploded: training stops here", ha="right",
                    va="top", fontsize=12, color=BAND_TEXT)
            ax.axhline(self.first_loss, color="0.4", linestyle=":", linewidth=1.5)
            # outside the plot, on the right, where no curve can cross it
            ax.annotate(f"start\n{self.first_loss:.3f}", (1.0, self.first_loss),
                        xycoords=("axes fraction", "data"), xytext=(11, 0), textcoords="offset points",
                        ha="left", va="center", fontsize=11, color="0.3")
            # steps whose loss is below the axis floor: triangles on the floor, and how low it went
            (self.below,) = ax.plot([], [], "v", color=PALETTE["blue"], markersize=6, clip_on=False,
                                    zorder=4)
            self.below.set_in_layout(False)   # empty at first: the layout must not take it to sit at (0, 0)
            self.below_note = ax.text(self.steps * 0.98, Y_LIMITS[0] * 8, "", ha="right", va="bottom",
                                      fontsize=12, color="0.25")
            (self.end_marker,) = ax.plot([0], [self.first_loss], "o", markersize=11, zorder=4,
                                         markeredgecolor="white", markeredgewidth=1.5)
            # what happened, in words, under the title (never on top of the curve)
            self.note = ax.text(0.5, 1.02, f"after {self.steps} steps: loss 0.0000", transform=ax.transAxes,
                                ha="center", va="bottom", fontsize=13, fontweight="bold")
            ax.set_title("η = 0.1: steady", y=1.085)       # above the note (a y survives freeze_layout)

            self.pred_texts = draw_image(self.ax_pred, forward(self.start, self.x),
                                         f"prediction ŷ\nafter {self.steps} steps")
            draw_image(self.ax_target, self.y, "target y")

    def update(self) -> None:
        """Retrain at the slider's η and redraw the figure and the verdict."""
        lr = float(self.slider.value)
        result, word = self.run(lr)
        self.result, self.verdict = result, word
        k = result.losses.size - 1
        color = VERDICT_MARKERS[word]
        losses = np.nan_to_num(result.losses, nan=Y_LIMITS[1], posinf=Y_LIMITS[1])
        under = losses < Y_LIMITS[0]                 # below the axis (or exactly 0): not a plateau
        shown = np.clip(losses, None, Y_LIMITS[1])
        steps = np.arange(k + 1)
        self.line.set_data(steps, np.where(under, np.nan, shown))
        self.below.set_data(steps[under], np.full(int(under.sum()), Y_LIMITS[0]))
        if under.any():
            first = int(np.argmax(under))
            lowest = float(losses[under].min())
            self.below_note.set_text(f"▼ below {Y_LIMITS[0]:.0e} from step {first}; "
                                     f"lowest {'exactly 0' if lowest == 0 else short_number(lowest)}")
        else:
            self.below_note.set_text("")
        end = max(float(shown[-1]), Y_LIMITS[0])
        self.end_marker.set_data([k], [end])
        self.end_marker.set_color(color)
        self.end_marker.set_marker("X" if result.diverged else "o")
        self.end_marker.set_markersize(16 if result.diverged else 11)
        self.end_marker.set_clip_on(False)
        if result.diverged:
            self.note.set_text(f"exploded at step {k}: training stopped")
        else:
            self.note.set_text(f"after {k} steps: loss {loss_words(result.final_loss)}")
        self.note.set_color(VERDICT_FIGURE_TEXT[word])
        title = self.ax_loss.title
        title.set_text(f"η = {lr:.3g}: {word}")
        title.set_color(VERDICT_FIGURE_TEXT[word])

        y_hat = forward(result.params, self.x) if np.isfinite(result.final_loss) else np.full(4, np.nan)
        self.y_hat = y_hat
        pred_title = (f"prediction ŷ\nafter {k} steps" if not result.diverged
                      else f"prediction ŷ\nstopped, step {k}")
        if pred_title != self.ax_pred.title.get_text():
            self.ax_pred.title.set_text(pred_title)
            self.live.invalidate(0)
        update_image(self.ax_pred, self.pred_texts, y_hat)

        self._show(self.verdict_html, (
            f"<span>{controls.colored(word, *VERDICT_STATUS_TEXT[word])} · η = {lr:.3g}, "
            f"loss {self.first_loss:.3f} → {loss_words(result.final_loss)} after {k} steps: "
            f"{VERDICT_MEANING[word].format(fell=how_it_fell(result.losses))}.</span>"))

    def describe(self) -> str:
        """The picture in words, from the run it draws: η, verdict, the loss's path, the prediction."""
        result, word = self.result, self.verdict
        lr, losses = float(self.slider.value), result.losses
        k = losses.size - 1
        target = numbers(self.y, 0)
        if result.diverged:
            return (f"Loss on a log scale at η = {lr:.3g} ({word}): from {self.first_loss:.3f} it climbs "
                    f"past {short_number(EXPLODED * self.first_loss)} and training stops at step {k}; "
                    f"no prediction to compare with the target {target}.")
        rises = steps_that_rose(losses).size           # the verdict's own rule
        direction = "falls" if losses[-1] < losses[0] else "rises" if losses[-1] > losses[0] else "stays level"
        how = (f"going down {how_it_fell(losses)}" if rises == 0 else f"though it rose on {rises} of the {k} steps"
               if direction == "falls" else f"rising on {rises} of the {k} steps")
        error = float(np.max(np.abs(self.y_hat - self.y)))
        match = (f"matches the target {target}" if error < 0.05
                 else f"is off the target {target} by up to {error:.2f}")
        return (f"Loss on a log scale over {k} steps at η = {lr:.3g} ({word}): {direction} from "
                f"{self.first_loss:.3f} to {loss_words(result.final_loss)}, {how}; prediction "
                f"{numbers(self.y_hat)} {match}.")

"""The course's one plot style, and the pictures every lesson shares.

Plot functions take numbers and return a matplotlib Figure (or draw on an Axes they are given);
they never compute gradients and never print.

Importing this module also calls `gc.freeze()` once: everything the kernel has loaded by then
(IPython, numpy, matplotlib: some 200 000 objects, alive until the kernel stops) is set aside from
Python's garbage collector, so a full collection no longer re-scans all of it. While a lesson's
figures pile up, each such collection used to pause the kernel for about 0.15 s.
"""

from __future__ import annotations

import functools
import gc
import re

import matplotlib as mpl
import matplotlib.collections
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .alt import describe, number, numbers, show  # noqa: F401  (show: plots.show(fig) displays with alt text)
from .training import how_it_fell, steps_that_rose

#: Okabe & Ito's palette: distinguishable with every common form of colour blindness.
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
}
#: The same hues darkened until text drawn in them on white meets WCAG's 4.5:1 (lines keep PALETTE).
#: On a dark background PALETTE itself passes for every hue but blue, which becomes "sky" there.
TEXT_ON_WHITE = {
    "blue": "#0072B2", "orange": "#9C6C00", "green": "#008460", "vermillion": "#BE5400",
    "sky": "#177AB2", "purple": "#BB4D8A", "black": "#000000",
}
COLORS = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple", "black")]
#: Diverging map for signed numbers (weights, gradients): blue negative, white zero, orange positive.
SIGNED_CMAP = mpl.colors.LinearSegmentedColormap.from_list(
    "downhill_signed", [PALETTE["blue"], "#FFFFFF", PALETTE["orange"]])
#: Pixels: 0 is black, 1 is white (values outside are clipped; the number is written on the pixel).
PIXEL_CMAP = "gray"

#: Sized for a projector at the back of a classroom.
STYLE = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 14,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    # Titles sit just above their axes. No figure here puts ticks or an offset (×10⁻³) on top,
    # so matplotlib's search for room above them (every tick label, for every title, on every
    # layout pass) would only find the same place; it took 10–20 % of a lesson's figure drawing.
    "axes.titley": 1.0,
    "axes.labelsize": 14,
    "axes.prop_cycle": mpl.cycler(color=COLORS),
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.5,
    "lines.markersize": 8,
    "legend.fontsize": 12,
    "legend.frameon": False,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "image.cmap": "cividis",
}


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def plain_power(label: str) -> str:
    """A log-axis label from mathtext to plain text: "$\\mathdefault{2\\times10^{-1}}$" -> "2×10⁻¹".

    Labels that are not of that form come back unchanged.
    """
    inner = re.fullmatch(r"\$\\mathdefault\{(.*)\}\$", label)
    if inner is None:
        return label
    text = inner.group(1).replace("\\times", "×")
    text = re.sub(r"\^\{(-?\d+)\}", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    return label if "\\" in text or "{" in text else text.replace("-", "−")


class PowersOfTen(mpl.ticker.LogFormatterSciNotation):
    """Log-axis tick labels as plain text (10⁻³, 2×10⁻¹), the same labels matplotlib would write.

    Matplotlib writes them in mathtext, which it parses and typesets label by label: most of the
    time a figure with a log axis took to draw. DejaVu Sans has every superscript glyph needed.
    """

    def __call__(self, x, pos=None):
        return plain_power(super().__call__(x, pos))


def log_scale(ax, axis: str = "y") -> None:
    """Put `ax`'s "x" or "y" axis on a log scale, labelled in plain text (see `PowersOfTen`)."""
    if axis not in ("x", "y"):
        raise ValueError(f'axis must be "x" or "y"; got {axis!r}')
    getattr(ax, f"set_{axis}scale")("log")
    target = getattr(ax, f"{axis}axis")
    target.set_major_formatter(PowersOfTen())
    target.set_minor_formatter(PowersOfTen(labelOnlyBase=False))


def use_style() -> None:
    """Make the course style the default for every later plot in this kernel."""
    mpl.rcParams.update(STYLE)


def styled(function):
    """Decorator: run a plotting function under the course style, whatever the global rcParams."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(STYLE):
            return function(*args, **kwargs)
    return wrapper


def pixel_text(value: float) -> str:
    """A pixel value short enough to fit on its square (never "-0.00"), even after training blew up."""
    if not np.isfinite(value):
        return "nan"
    if abs(value) < 0.005:
        value = 0.0
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0e}".replace("e+0", "e").replace("e+", "e")


def luminance(color) -> float:
    """WCAG's relative luminance of a colour (0 black … 1 white)."""
    rgb = np.asarray(mpl.colors.to_rgb(color), dtype=float)
    rgb = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(rgb @ [0.2126, 0.7152, 0.0722])


def contrast_ratio(a, b) -> float:
    """WCAG's contrast ratio of two colours, 1 … 21 (text needs 4.5)."""
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


def ink_on(background) -> str:
    """"black" or "white", whichever has more contrast on the background colour (always ≥ 4.5:1)."""
    return "black" if contrast_ratio("black", background) >= contrast_ratio("white", background) else "white"


@functools.cache
def _pixel_colormap():
    """The pixels' colormap, looked up once (`mpl.colormaps[name]` builds a new copy every time)."""
    return mpl.colormaps[PIXEL_CMAP]


def pixel_ink(value: float) -> str:
    """The text colour for a number written on a pixel of this value (grey from 0 black to 1 white)."""
    shade = float(np.clip(np.nan_to_num(value), 0, 1))
    return ink_on(_pixel_colormap()(shade))


def _style_pixel_text(text, value: float) -> None:
    text.set_text(pixel_text(value))
    text.set_color(pixel_ink(value))                         # readable on the pixel's grey
    digits = sum(c.isdigit() for c in text.get_text())      # "0.35", "-0.04": 15 pt; "31.88": 12 pt
    text.set_fontsize(15 if digits <= 3 else 12)


def draw_image(ax, pixels, title: str = "") -> list:
    """Draw one 2×2 image (pixels [a, b, c, d], shape (4,)) with each value written on its pixel.

    Returns the four text artists, so a widget can update the numbers without redrawing.
    """
    pixels = np.asarray(pixels, dtype=float).reshape(2, 2)
    # Four grey squares, row 0 on top. A mesh, not imshow: the same pixels, drawn as four filled
    # paths instead of a picture resampled on every draw (0.3 ms against 1.3 ms in the trainer's
    # redraw, which a live figure pays per frame).
    ax.pcolormesh([-0.5, 0.5, 1.5], [-0.5, 0.5, 1.5], np.clip(np.nan_to_num(pixels), 0, 1),
                  cmap=PIXEL_CMAP, vmin=0, vmax=1)
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(1.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
    texts = []
    for (row, col), value in np.ndenumerate(pixels):
        text = ax.text(col, row, "", ha="center", va="center", fontweight="bold")
        _style_pixel_text(text, value)
        texts.append(text)
    if title:
        ax.set_title(title)
    _describe_image(ax, pixels)
    return texts


def pixel_mesh(ax) -> mpl.collections.QuadMesh:
    """The four grey squares `draw_image` drew on `ax` (their values: `.get_array()`, shape (2, 2))."""
    return next(artist for artist in ax.collections if isinstance(artist, mpl.collections.QuadMesh))


def _describe_image(ax, pixels) -> None:
    name = " ".join(ax.get_title().split()) or "a 2×2 image"
    describe(ax, f"{name}: pixels [a, b, c, d] = {numbers(pixels)}")


def update_image(ax, texts, pixels) -> None:
    """Show new pixel values on an image made by `draw_image` (no new artists)."""
    pixels = np.asarray(pixels, dtype=float).reshape(2, 2)
    pixel_mesh(ax).set_array(np.clip(np.nan_to_num(pixels), 0, 1))
    for text, value in zip(texts, pixels.ravel()):
        _style_pixel_text(text, value)
    _describe_image(ax, pixels)


def matches(y_hat, y) -> str:
    """How a prediction compares with its target, in words: "every pixel rounds to its target" or
    "2 of 4 pixels round to their target" (values that are not numbers never match)."""
    y_hat, y = np.ravel(np.asarray(y_hat, dtype=float)), np.ravel(np.asarray(y, dtype=float))
    right = int(np.sum(np.round(np.nan_to_num(y_hat, nan=-9.0)) == y))
    if right == y.size:
        close = bool(np.all(np.abs(y_hat - y) < 0.1))
        return "every pixel rounds to its target" + (" (all within 0.1)" if close else "")
    return f"{right} of {y.size} pixels round to their target"


@styled
def show_task(x, y, y_hat=None, title: str = "") -> plt.Figure:
    """The input image, its target (the flip), and optionally the network's prediction, side by side."""
    panels = [(x, "input x"), (y, "target y (flipped)")]
    if y_hat is not None:
        panels.append((y_hat, "prediction ŷ"))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.6))
    for ax, (pixels, label) in zip(np.atleast_1d(axes), panels):
        draw_image(ax, pixels, label)
    if title:
        fig.suptitle(title, fontweight="bold", wrap=True)
    summary = f"Input x = {numbers(x)} and its target y (the flip) = {numbers(y)}"
    if y_hat is not None:
        summary += f"; the prediction ŷ = {numbers(y_hat)}: {matches(y_hat, y)}"
    describe(fig, (f"{title}. " if title else "") + f"2×2 images, pixels [a, b, c, d]. {summary}.")
    return fig


def loss_floor(*runs) -> float:
    """Where a log loss axis stops: a power of ten 100× below the lowest loss above 0 in any run.

    A loss of exactly 0 has no place on a log axis; `plot_losses` draws it on this floor, marked.
    """
    positive = [float(v) for run in runs for v in np.ravel(np.asarray(run, dtype=float))
                if np.isfinite(v) and v > 0]
    return 10.0 ** (np.floor(np.log10(min(positive))) - 2) if positive else 1e-3


def loss_words(losses) -> str:
    """What a run's losses (k + 1,) did, for a text alternative: "falls from 0.896 to 2.3e-14 over
    100 steps, on every step"."""
    losses = np.asarray(losses, dtype=float)
    steps = losses.size - 1
    if steps == 0:
        return f"{number(losses[0])} before any step"
    rises = steps_that_rose(losses).size
    trend = "falls" if losses[-1] < losses[0] else "rises"
    words = f"{trend} from {number(losses[0])} to {number(losses[-1])} over {steps} step{'s' * (steps != 1)}"
    words += f", {how_it_fell(losses)}" if rises == 0 and trend == "falls" else f", going up on {rises} of them"
    zero = np.flatnonzero(losses == 0)
    if zero.size:
        words += f"; exactly 0 from step {zero[0]} ({zero.size} of the {losses.size} losses)"
    return words


def loss_trend(losses) -> str:
    """A title that says what a run's losses did: "the loss falls on every step, to 2.3e-14",
    "the loss went up on 3 of 100 steps, ending at 0.0042", "the loss rose to 1.9e122"."""
    losses = np.asarray(losses, dtype=float)
    steps = losses.size - 1
    if steps < 1:
        return f"the loss is {number(losses[0])} (no step taken)"
    if not np.isfinite(losses[-1]) or losses[-1] >= losses[0]:
        return f"the loss rose, from {number(losses[0])} to {number(losses[-1])}"
    rises = steps_that_rose(losses).size
    if rises == 0 and how_it_fell(losses) == "on every step":
        return f"the loss falls on every step, to {number(losses[-1])}"
    if rises == 0:                    # it also stayed level (at 0, or within rounding) on some steps
        return f"the loss never goes up, and falls to {number(losses[-1])}"
    return f"the loss went up on {rises} of {steps} steps, ending at {number(losses[-1])}"


def zero_markers(ax, steps, floor: float, color=None):
    """Downward triangles on the floor of a log axis, at the steps where the loss is exactly 0."""
    steps = np.asarray(steps)
    labels = [line.get_label() for line in ax.lines]
    label = ZERO_LABEL if ZERO_LABEL not in labels else "_" + ZERO_LABEL
    (marker,) = ax.plot(steps, np.full(steps.shape, floor), "v", color=color, markersize=9,
                        clip_on=False, zorder=4, label=label)
    describe(marker, "")                     # the run's own description says where it is 0
    return marker


#: The legend entry of the markers for a loss of exactly 0.
ZERO_LABEL = "loss exactly 0 (below the log scale)"


def plot_losses(ax, losses, label: str | None = None, color=None, log: bool = True,
                floor: float | None = None):
    """A loss curve on `ax`: step 0 is the loss before any update. Returns the Line2D.

    On a log axis every loss is drawn at its true value; a loss of exactly 0 (which a log axis
    cannot show) is drawn on the axis floor (`floor`, default `loss_floor(losses)`) and marked
    with a triangle, so a run that reached 0 never vanishes from the plot.
    """
    losses = np.asarray(losses, dtype=float)
    steps = np.arange(losses.size)
    shown = losses
    zero = np.zeros(losses.size, dtype=bool)
    if log:
        zero = losses <= 0
        if zero.any():
            floor = loss_floor(losses) if floor is None else float(floor)
            shown = np.where(zero, floor, losses)
    (line,) = ax.plot(steps, shown, label=label, color=color)
    if zero.any():
        zero_markers(ax, steps[zero], floor, color=line.get_color())
        low, high = ax.get_ylim()
        ax.set_ylim(min(low, floor / 3), high)
    if log:
        log_scale(ax, "y")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (MSE)")
    describe(line, (f"{label}: " if label else "") + "the loss " + loss_words(losses))
    return line


def plot_loss_curves(ax, runs: dict, colors=None, log: bool = True) -> dict:
    """Several loss curves on one axis, {label: losses}, with one floor for losses of exactly 0.

    colors: one per run (default: the palette's cycle). Returns {label: Line2D}.
    """
    floor = loss_floor(*runs.values())
    colors = list(colors) if colors is not None else [None] * len(runs)
    return {label: plot_losses(ax, losses, label=label, color=color, log=log, floor=floor)
            for (label, losses), color in zip(runs.items(), colors)}


@styled
def loop_diagram(y_hat, loss_value, grad_example: tuple[str, float], lr: float):
    """The training loop as four boxes in a circle, filled with the numbers of one real pass.

    y_hat: (4,) the prediction; loss_value: its loss; grad_example: (label, value) of one gradient;
    lr: the learning rate η. Returns a Figure.
    """
    label, g = grad_example
    boxes = [
        ((0.5, 0.83), "1  forward pass",
         "ŷ = [" + ", ".join(f"{v:.2f}" for v in np.ravel(y_hat)) + "]"),
        ((0.79, 0.5), "2  loss", f"L = mean((ŷ − y)²)\n= {loss_value:.3f}"),
        ((0.5, 0.17), "3  gradients", f"∂L/∂w for every w, e.g.\n∂L/∂{label} = {g:+.3f}"),
        ((0.21, 0.5), "4  update", f"w ← w − η · ∂L/∂w\nwith η = {lr:g}"),
    ]
    colors = [PALETTE["sky"], PALETTE["orange"], PALETTE["green"], PALETTE["purple"]]
    fig, ax = plt.subplots(figsize=(10.0, 6.2))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    w, hgt = 0.36, 0.24
    for ((cx, cy), head, body), color in zip(boxes, colors):
        ax.add_patch(FancyBboxPatch((cx - w / 2, cy - hgt / 2), w, hgt, boxstyle="round,pad=0.01",
                                    facecolor=color, alpha=0.25, edgecolor=color, linewidth=2.5))
        ax.text(cx, cy + 0.065, head, ha="center", va="center", fontsize=16, fontweight="bold")
        ax.text(cx, cy - 0.035, body, ha="center", va="center", fontsize=14, linespacing=1.3)
    # Clockwise arrows: top → right → bottom → left → top.
    ends = [((0.69, 0.85), (0.85, 0.63)), ((0.85, 0.37), (0.69, 0.15)),
            ((0.31, 0.15), (0.15, 0.37)), ((0.15, 0.63), (0.31, 0.85))]
    for start, end in ends:
        ax.add_patch(FancyArrowPatch(start, end, connectionstyle="arc3,rad=-0.3",
                                     arrowstyle="-|>", mutation_scale=25, linewidth=2.5,
                                     color=PALETTE["black"]))
    ax.text(0.5, 0.5, "repeat", ha="center", va="center", fontsize=18, style="italic", color="0.3")
    ax.set_title("Training is one loop, run again and again")
    describe(fig, "Training is one loop, run again and again: four steps in a circle, with the numbers "
             f"of one real pass. 1, forward pass: ŷ = {numbers(y_hat)}. 2, loss: "
             f"L = mean((ŷ − y)²) = {loss_value:.3f}. 3, gradients: ∂L/∂w for every w, for example "
             f"∂L/∂{label} = {g:+.3f}. 4, update: w ← w − η · ∂L/∂w with η = {lr:g}. Then repeat.")
    return fig


@styled
def flip_grid(X, Y_hat, Y, title: str = "") -> plt.Figure:
    """Every input next to the network's prediction (with its pixel values), framed green where all
    four pixels round to the target and vermillion where they do not. X, Y_hat, Y: (n, 4).

    One Axes holds every little image, its pixels drawn as one collection of squares: far faster
    than an Axes, or an image, per picture.
    """
    X, Y_hat, Y = (np.asarray(a, dtype=float) for a in (X, Y_hat, Y))
    per_row = 4
    rows = int(np.ceil(len(X) / per_row))
    fig, ax = plt.subplots(figsize=(15, 2.1 * rows + 0.6))
    ax.set_axis_off()
    squares, shades = [], []
    for i, (x, y_hat, y) in enumerate(zip(X, Y_hat, Y)):
        row, col = divmod(i, per_row)
        left, top = col * 5.6, row * 3.2             # each pair: 2 + 0.6 + 2 wide, 2 + 1.2 tall
        right = bool(np.all(np.round(y_hat) == y))
        color = TEXT_ON_WHITE["green"] if right else TEXT_ON_WHITE["vermillion"]
        for offset, pixels, label in ((0.0, x, "x"), (2.6, y_hat, "ŷ ✓" if right else "ŷ ✗")):
            grid = pixels.reshape(2, 2)
            for (r, c), value in np.ndenumerate(grid):
                # a colour given here (the collection paints the squares) skips matplotlib's costly
                # look-up of the default "C0" in the colour cycle, once per square
                squares.append(mpl.patches.Rectangle((left + offset + c, top + r), 1, 1, facecolor="none"))
                shades.append(value)
            frame = color if offset else PALETTE["black"]
            ax.add_patch(mpl.patches.Rectangle((left + offset, top), 2, 2, facecolor="none", zorder=3,
                                               edgecolor=frame, linewidth=4 if offset else 1))
            ax.text(left + offset + 1, top - 0.15, label, ha="center", va="bottom", fontsize=13,
                    fontweight="bold", color=frame)
            if not offset:
                continue                              # inputs are plainly 0 or 1: no numbers needed
            for (r, c), value in np.ndenumerate(grid):
                text = ax.text(left + offset + c + 0.5, top + r + 0.5, "", ha="center", va="center",
                               fontweight="bold", zorder=4)
                _style_pixel_text(text, value)
                text.set_fontsize(11)
    pixels = mpl.collections.PatchCollection(squares, cmap=PIXEL_CMAP, linewidth=0)
    pixels.set_array(np.clip(np.nan_to_num(shades), 0, 1))
    pixels.set_clim(0, 1)
    ax.add_collection(pixels)
    ax.set_xlim(-0.2, per_row * 5.6 - 0.8)
    ax.set_ylim(rows * 3.2 - 1.0, -0.9)
    ax.set_aspect("equal")
    if title:
        ax.set_title(title, fontsize=16)
    right = [bool(np.all(np.round(y_hat) == y)) for y_hat, y in zip(Y_hat, Y)]
    wrong = [f"x = {numbers(x, 0)} gives ŷ = {numbers(y_hat)}, target {numbers(y, 0)}"
             for x, y_hat, y, ok in zip(X, Y_hat, Y, right) if not ok]
    describe(fig, (f"{title}. " if title else "") + f"{len(X)} input images, each next to the "
             f"network's prediction: {sum(right)} of {len(X)} predictions round to their target "
             f"(framed and ticked)" + (". Wrong: " + "; ".join(wrong) if wrong else "") + ".")
    return fig


@styled
def cost_figure(sizes, wiggle_passes, backprop_passes, wiggle_seconds, backprop_seconds) -> plt.Figure:
    """Forward passes and measured seconds per gradient against the number of parameters (log-log),
    for wiggling and for backprop. Each argument: one number per network size.

    Its description gives the counted passes; the measured times, which change from run to run, are
    described by how they compare, so the text is the same on every run.
    """
    sizes, wp, bp, ws, bs = (np.asarray(a, dtype=float) for a in
                             (sizes, wiggle_passes, backprop_passes, wiggle_seconds, backprop_seconds))
    fig, (ax_count, ax_time) = plt.subplots(1, 2, figsize=(14, 5.2))
    blue, orange = PALETTE["blue"], PALETTE["orange"]
    ax_count.plot(sizes, wp, "o-", color=orange, label="wiggling: 2 per parameter")
    ax_count.plot(sizes, bp, "s-", color=blue, label="backprop: always 1")
    ax_count.set_xlabel("number of parameters")
    ax_count.set_ylabel("forward passes per gradient")
    ax_count.set_title("Passes: wiggling grows with the network")
    ax_count.legend(loc="center right")
    ax_time.plot(sizes, ws, "o-", color=orange, label="wiggling (h.numerical_gradient)")
    ax_time.plot(sizes, bs, "s-", color=blue, label="backprop (h.backprop)")
    for ax in (ax_count, ax_time):      # each axis spans decades: the powers of ten mark it, and
        for axis in "xy":                 # minor ticks (8 a decade) would double the drawing time
            log_scale(ax, axis)
            getattr(ax, f"{axis}axis").set_minor_locator(mpl.ticker.NullLocator())
    ax_time.set_xlabel("number of parameters")
    ax_time.set_ylabel("seconds per gradient (measured)")
    faster = int(np.sum(bs < ws))
    widens = bool(ws[-1] / bs[-1] > ws[0] / bs[0])
    ax_time.set_title("Time: the gap widens as the network grows" if widens
                      else "Time: measured on this computer")
    ax_time.legend(loc="center right")
    describe(fig, "Two log-log plots against the number of parameters, from "
             f"{sizes[0]:.0f} to {sizes[-1]:.0f}. Forward passes per gradient: wiggling needs "
             + ", ".join(f"{w:.0f}" for w in wp) + "; backprop needs "
             + ", ".join(f"{b:.0f}" for b in bp) + ". Measured seconds per gradient: backprop is "
             f"faster at {faster} of {sizes.size} sizes, and the gap "
             + ("widens" if widens else "does not widen") + " from the smallest network to the largest.")
    return fig


gc.freeze()         # see the module's docstring

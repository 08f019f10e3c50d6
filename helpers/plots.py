"""The course's one plot style, and the pictures every lesson shares.

Plot functions take numbers and return a matplotlib Figure (or draw on an Axes they are given);
they never compute gradients and never print.
"""

from __future__ import annotations

import functools

import matplotlib as mpl
import matplotlib.collections
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

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


def _style_pixel_text(text, value: float) -> None:
    text.set_text(pixel_text(value))
    text.set_color("black" if value > 0.5 else "white")     # readable on the pixel's grey
    text.set_fontsize(15 if len(text.get_text()) <= 5 else 12)


def draw_image(ax, pixels, title: str = "") -> list:
    """Draw one 2×2 image (pixels [a, b, c, d], shape (4,)) with each value written on its pixel.

    Returns the four text artists, so a widget can update the numbers without redrawing.
    """
    pixels = np.asarray(pixels, dtype=float).reshape(2, 2)
    ax.imshow(np.clip(np.nan_to_num(pixels), 0, 1), cmap=PIXEL_CMAP, vmin=0, vmax=1)
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
    return texts


def update_image(ax, texts, pixels) -> None:
    """Show new pixel values on an image made by `draw_image` (no new artists)."""
    pixels = np.asarray(pixels, dtype=float).reshape(2, 2)
    ax.images[0].set_data(np.clip(np.nan_to_num(pixels), 0, 1))
    for text, value in zip(texts, pixels.ravel()):
        _style_pixel_text(text, value)


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
        fig.suptitle(title, fontweight="bold")
    return fig


def plot_losses(ax, losses, label: str | None = None, color=None, log: bool = True):
    """A loss curve on `ax`: step 0 is the loss before any update. Returns the Line2D."""
    losses = np.asarray(losses, dtype=float)
    (line,) = ax.plot(np.arange(losses.size), losses, label=label, color=color)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (MSE)")
    return line


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
        color = PALETTE["green"] if right else PALETTE["vermillion"]
        for offset, pixels, label in ((0.0, x, "x"), (2.6, y_hat, "ŷ ✓" if right else "ŷ ✗")):
            grid = pixels.reshape(2, 2)
            for (r, c), value in np.ndenumerate(grid):
                squares.append(mpl.patches.Rectangle((left + offset + c, top + r), 1, 1))
                shades.append(value)
            frame = color if offset else PALETTE["black"]
            ax.add_patch(mpl.patches.Rectangle((left + offset, top), 2, 2, fill=False, zorder=3,
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
    return fig

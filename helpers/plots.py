"""The course's one plot style, and the pictures every lesson shares.

Plot functions take numbers and return a matplotlib Figure (or draw on an Axes they are given);
they never compute gradients and never print.
"""

from __future__ import annotations

import functools

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

#: Okabe & Ito's palette: distinguishable with every common form of colour blindness.
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
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


def draw_image(ax, pixels, title: str = "") -> list:
    """Draw one 2×2 image (pixels [a, b, c, d], shape (4,)) with each value written on its pixel.

    Returns the four text artists, so a widget can update the numbers without redrawing.
    """
    pixels = np.asarray(pixels, dtype=float).reshape(2, 2)
    ax.imshow(np.clip(pixels, 0, 1), cmap=PIXEL_CMAP, vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
    texts = []
    for (row, col), value in np.ndenumerate(pixels):
        texts.append(ax.text(col, row, f"{value:.2f}", ha="center", va="center", fontsize=15,
                             fontweight="bold", color="black" if value > 0.5 else "white"))
    if title:
        ax.set_title(title)
    return texts


def update_image(ax, texts, pixels) -> None:
    """Show new pixel values on an image made by `draw_image` (no new artists)."""
    pixels = np.asarray(pixels, dtype=float).reshape(2, 2)
    ax.images[0].set_data(np.clip(pixels, 0, 1))
    for text, value in zip(texts, pixels.ravel()):
        text.set_text(f"{value:.2f}" if np.isfinite(value) else "nan")
        text.set_color("black" if value > 0.5 else "white")


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

"""Text alternatives: every picture the course shows carries a description made from its numbers.

    fig = plots.show_task(x, y)      # a plot helper attaches its description to what it returns
    h.show(fig)                      # shows <img alt="that description"> (and the PNG), closes fig

`describe(artist, text)` attaches a description to a Figure, an Axes or a line; `description(fig)`
reads it back: the figure's own, else its title and each Axes' (an Axes without one is summed up
from what it draws: its title, its axes, each line's first and last value, its notes).
`img_html(png, alt)` is the one `<img>` tag every display path uses (figures here, the explorers'
live images elsewhere). Nothing here imports matplotlib until a figure is drawn.
"""

from __future__ import annotations

import base64
import html

import numpy as np

#: Where a description is kept on an artist.
_ATTRIBUTE = "_downhill_alt"


def number(value: float) -> str:
    """A number for a sentence: 3 significant digits, powers of ten outside 0.001 … 10 000."""
    value = float(value)
    if not np.isfinite(value):
        return "infinite" if value > 0 else "minus infinite" if value < 0 else "not a number"
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e4):
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.3g}" if abs(value) >= 0.01 or value == 0 else f"{value:.2g}"


def numbers(values, digits: int = 2) -> str:
    """A short vector for a sentence: [1.00, -0.10, 0.00, 1.00] (never "-0.00")."""
    out = []
    for v in np.ravel(np.asarray(values, dtype=float)):
        out.append(f"{round(float(v), digits) + 0.0:.{digits}f}" if np.isfinite(v) else "nan")
    return "[" + ", ".join(out) + "]"


def describe(artist, text: str):
    """Attach `text` as the description of a Figure, an Axes or a line; returns the artist.

    text "" says: this artist adds nothing to the description (another one already says it).
    """
    if not isinstance(text, str) or (text and not text.strip()):
        raise ValueError(f"a description must be a string of words; got {text!r}")
    setattr(artist, _ATTRIBUTE, " ".join(text.split()))
    return artist


def own_description(artist) -> str | None:
    """The description attached to this artist with `describe`, or None."""
    return getattr(artist, _ATTRIBUTE, None)


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text if not text or text[-1] in ".!?:" else text + "."


def _axes_summary(ax) -> str:
    """What an Axes draws, in words: its own description (from the helper that drew it) or else
    its title, axes and notes; then each line that says what it is (its own description, or a
    legend label with its first, last, lowest and highest value)."""
    own = own_description(ax)
    parts = [_sentence(own)] if own else []
    if own is None:
        title = ax.get_title()
        if title:
            parts.append(_sentence(title))
        xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
        if xlabel or ylabel:
            scale = lambda kind, label: label + (" (log scale)" if kind == "log" and "log" not in label else "")
            parts.append(_sentence(f"{scale(ax.get_yscale(), ylabel) or 'values'} against "
                                   f"{scale(ax.get_xscale(), xlabel) or 'position'}"))
    for line in ax.lines:
        line_own = own_description(line)
        if line_own is not None:
            if line_own:
                parts.append(_sentence(line_own))
            continue
        label = line.get_label()
        if not label or label.startswith("_"):
            continue
        x, y = (np.asarray(a, dtype=float) for a in line.get_data())
        if y.size == 0:
            continue
        if y.size == 1:
            parts.append(_sentence(f"{label}: {number(y[0])} at {number(x[0])}"))
        else:
            parts.append(_sentence(f"{label}: {number(y[0])} at {number(x[0])}, "
                                   f"{number(y[-1])} at {number(x[-1])}, lowest {number(np.nanmin(y))}, "
                                   f"highest {number(np.nanmax(y))}"))
    if own is None:
        notes = [t.get_text() for t in ax.texts if t.get_visible() and t.get_text().strip()]
        if notes:
            parts.append(_sentence("Marked: " + "; ".join(" ".join(n.split()) for n in notes)))
    return " ".join(parts)


def description(fig) -> str:
    """The text alternative of a figure: its own description, else one made from its Axes."""
    own = own_description(fig)
    if own:
        return own
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        parts.append(_sentence(suptitle.get_text()))
    for ax in fig.axes:
        if getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>":
            continue
        text = _axes_summary(ax)
        if text:
            parts.append(_sentence(text))
    return " ".join(parts) or "A figure."


def figure_png(fig, dpi: float | None = None) -> bytes:
    """The figure as PNG bytes, on white, at `dpi` (default: the figure's own).

    A course figure lays itself out inside its own edges (constrained layout; the figure audit in
    the tests checks that no text is cut off), so the whole canvas is saved as drawn, without
    matplotlib's "tight" trimming, which draws every figure twice. The text comes from the glyph
    cache (helpers.glyphs) and the PNG from the fast encoder (helpers.png).
    """
    from . import glyphs
    from .png import encode_png

    face, old_dpi = fig.get_facecolor(), fig.dpi
    canvas = fig.canvas
    try:
        fig.set_facecolor("white")
        if dpi:
            fig.set_dpi(dpi)
        picture = glyphs.CANVAS(fig)          # drawn on a canvas of its own; the figure keeps its own
        picture.draw()
        return encode_png(np.asarray(picture.buffer_rgba()))
    finally:
        fig.set_canvas(canvas)
        fig.set_facecolor(face)
        fig.set_dpi(old_dpi)


def img_html(png: bytes, alt: str, width: int | None = None) -> str:
    """An `<img>` tag carrying the PNG inline and its text alternative: `<img src="data:…" alt="…">`.

    width: the picture's width in CSS px (an explorer's picture is rendered at the screen's pixel
    ratio, so its pixels are not its CSS size); default: its natural size. It never overflows its
    output (max-width:100%). JupyterLab and Voilà drop alt given as output metadata; an alt
    attribute in HTML reaches the page everywhere.
    """
    if not isinstance(png, (bytes, bytearray)) or not bytes(png).startswith(b"\x89PNG"):
        raise ValueError("png must be the bytes of a PNG image (they start with b'\\x89PNG')")
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a non-empty description of the picture; got {alt!r}")
    if width is not None and (isinstance(width, bool) or not isinstance(width, int) or width <= 0):
        raise ValueError(f"width must be a whole number of CSS px above 0, or None; got {width!r}")
    data = base64.b64encode(bytes(png)).decode("ascii")
    size = f";width:{width}px" if width else ""
    return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(" ".join(alt.split()), quote=True)}" '
            f'style="max-width:100%;height:auto{size}">')


class Picture:
    """A PNG with its text alternative, for display in any notebook front end.

    Shows as HTML `<img alt>` (JupyterLab, Notebook 7, Voilà, VS Code, nbconvert keep its alt) and
    also carries the plain PNG, with the alt in its metadata, for places that only render images.
    """

    def __init__(self, png: bytes, alt: str):
        img_html(png, alt)                                    # checks both
        self.png, self.alt = bytes(png), " ".join(alt.split())

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": img_html(self.png, self.alt),
                "image/png": base64.b64encode(self.png).decode("ascii"),
                "text/plain": f"[figure: {self.alt}]"}
        return data, {"image/png": {"alt": self.alt}}

    def __repr__(self) -> str:
        return f"Picture({self.alt!r})"


def picture(fig, alt: str | None = None) -> Picture:
    """The figure as a Picture: its PNG and its description (or `alt`, if given)."""
    return Picture(figure_png(fig), alt if alt is not None else description(fig))


def show(fig=None, alt: str | None = None) -> None:
    """Display a figure with its text alternative, then close it (so it is not shown twice).

    fig: a matplotlib Figure (default: pyplot's current figure). alt: a description to use instead
    of the one the figure's plot helpers attached.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    if fig is None:
        fig = plt.gcf()
    shown = picture(fig, alt)
    plt.close(fig)
    display(shown)


__all__ = ["Picture", "describe", "description", "figure_png", "img_html", "number", "numbers",
           "own_description", "picture", "show"]

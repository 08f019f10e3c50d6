"""Thin widget plumbing shared by every interactive explorer in the course.

A figure is drawn once with matplotlib and shown in a `controls.Plot` (an `<img>` with alt
text); a control's callback updates the figure's artists and calls `LiveFigure.refresh()`, which
re-renders the same figure to PNG. No figure is created per event, nothing is printed, and the
plot cannot go stale or duplicate.

The browser reports the width the output gives the plot and the screen's pixel ratio; the
explorer then lays its figure out again for that width (panels stacked when narrow) and renders
it at that ratio, so text stays at its size in CSS px and sharp on any screen.

Every explorer displays as its widget in a live notebook, and as its current picture (`<img alt>`
HTML and a PNG) where no widget manager runs (a headless run, nbconvert, GitHub's preview) or
where anywidget is not installed (then with a sentence saying how to get the live controls).
"""

from __future__ import annotations

import contextlib
import html
import math
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine

from . import alt, controls, glyphs
from .png import encode_png
from .alt import img_html          # the one <img alt> tag (widgets.img_html is alt.img_html)
from .plots import STYLE


def new_figure(width: float = 8.0, height: float = 4.5, dpi: int = 90) -> Figure:
    """A course-styled Figure that is not registered with pyplot (so it never displays by itself).

    Its canvas draws text from a glyph cache (`glyphs.CANVAS`): the same pixels, redrawn faster.
    """
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    glyphs.CANVAS(fig)
    return fig


def styled_subplots(fig: Figure, *args, **kwargs):
    """fig.subplots(...) under the course style (ticks, grid and fonts are set at creation)."""
    with mpl.rc_context(STYLE):
        return fig.subplots(*args, **kwargs)


#: The course style without automatic layout: a live figure is laid out once, then pinned.
_PINNED = {**STYLE, "figure.autolayout": False, "figure.constrained_layout.use": False}


@contextlib.contextmanager
def _pinned_style():
    """What `mpl.rc_context(_PINNED)` does, for a redraw: only the settings that differ from the
    pinned style are set, and only they are put back (rc_context copies and re-validates every
    rcParam, which cost a live figure about a millisecond per redraw)."""
    params = mpl.rcParams
    saved = {key: params[key] for key, value in _PINNED.items() if params[key] != value}
    try:
        for key in saved:
            params[key] = _PINNED[key]
        yield
    finally:
        for key, value in saved.items():
            params[key] = value


def freeze_layout(fig: Figure) -> None:
    """Lay the figure out once (its layout engine), then pin every position for fast redraws.

    Axis labels and titles are pinned too, so a redraw does not measure tick labels to place them.
    The layout is computed in a draw that measures but paints nothing (the first refresh paints).
    """
    fig.draw_without_rendering()
    with mpl.rc_context(_PINNED):
        fig.set_layout_engine(None)
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                where = axis.label.get_transform().transform(axis.label.get_position())
                axis.set_label_coords(*ax.transAxes.inverted().transform(where))
            title = ax.title
            ax.set_title(title.get_text(), y=title.get_position()[1], fontsize=title.get_fontsize(),
                         fontweight=title.get_fontweight(), color=title.get_color())


class LiveFigure:
    """A Figure shown in a `controls.Plot` (an `<img>`), re-rendered in place by `refresh()`.

    layers: lists of the artists a widget changes (lines, texts, images, whole axes), the
    slowest-changing first. Everything else is a background drawn once; each layer is drawn over
    a cached picture of the layers below it, so a refresh costs only what changed plus the PNG
    encoding. After changing artists of layer i call `invalidate(i)`; without a call, `refresh()`
    redraws only the last layer. After changing the background (axis limits, ticks, static
    text) call `invalidate()`. With no layers, every refresh draws the whole figure.

    The figure's layout is computed once and then pinned (`freeze_layout`).
    """

    def __init__(self, fig: Figure, layers=(), image: controls.Plot | None = None):
        self.fig = fig
        self.layers = [list(layer) for layer in layers]
        if isinstance(fig.get_layout_engine(), (ConstrainedLayoutEngine, TightLayoutEngine)):
            freeze_layout(fig)
        for layer in self.layers:
            for artist in layer:
                artist.set_animated(True)            # left out of the background
        self._below = [None] * len(self.layers)      # the picture under each layer
        self._dirty = 0
        if image is None:
            image = controls.Plot()
            image.add_class("downhill-plot")
        self.image = image                           # a new figure can reuse the view on the page
        self.refresh()

    def invalidate(self, layer: int | None = None) -> None:
        """Mark `layer` and every layer above it as changed; None: the background too."""
        if layer is None:
            self._below = [None] * len(self.layers)
            self._dirty = 0
        else:
            self._dirty = min(self._dirty, layer)

    def _draw(self) -> None:
        canvas = self.fig.canvas
        if not self.layers:
            canvas.draw()
            return
        if self._below[0] is None:
            canvas.draw()
            self._below[0] = canvas.copy_from_bbox(self.fig.bbox)
            start = 0
        else:
            start = self._dirty
            canvas.restore_region(self._below[start])
        for i in range(start, len(self.layers)):
            if i > start:
                self._below[i] = canvas.copy_from_bbox(self.fig.bbox)
            for artist in self.layers[i]:
                self.fig.draw_artist(artist)
        self._dirty = len(self.layers) - 1

    def png(self) -> bytes:
        """The figure as PNG bytes, re-encoded on every change (see `encode_png`)."""
        with _pinned_style():
            self._draw()
            return encode_png(np.asarray(self.fig.canvas.buffer_rgba()))

    def refresh(self) -> None:
        self.image.value = self.png()


#: One figure inch is this many CSS px: the course's smallest text (12 pt) is 15 px on screen.
PX_PER_INCH = 90
#: The natural width of a wide explorer's figure, in inches: 846 CSS px, just inside the 848 px a
#: 1280-px-wide JupyterLab with its file browser open gives an output. There the first picture
#: is already the one that stays; a wider one is laid out and drawn again as soon as the browser
#: reports its width (about 0.2 s, after everything else of Run All).
WIDE = 9.4
#: No explorer is laid out narrower than this (CSS px); below it the page scrolls sideways.
MIN_WIDTH = 360


@dataclass(frozen=True)
class Layout:
    """How an explorer's figure is laid out: its size in inches, its dpi and whether its panels
    are stacked (narrow)."""

    width: float
    height: float
    dpi: float
    narrow: bool
    zoom: float = 1.0

    @property
    def css_width(self) -> int:
        return round(self.width * PX_PER_INCH * self.zoom)


class Explorer:
    """Base class: subclasses build their controls, then call `_start(controls)`.

    A subclass provides `_build_figure()` (draws `self.fig` for `self.layout`), `_layers()` (the
    LiveFigure layers of that figure), `_redraw()` (moves every artist to the current state and
    refreshes the picture, via `_show()`), and `describe()` (the picture's alt text, from its data).
    SIZE and NARROW_SIZE are its figure's natural sizes in inches, side by side and stacked;
    it stacks when the output is narrower than NARROW_BELOW CSS px.

    `zoom` shows the whole explorer that many times its natural size (a projector): the figure
    keeps its inches, so its layout and text proportions stay, and is shown `zoom` times as many
    CSS px wide and rendered at `zoom` times the dpi (sharp); the controls' text and boxes scale by
    the same factor (the plot sets --downhill-zoom on the explorer's root, controls.css uses it).
    A narrower output still shrinks the figure to fit, as at zoom 1.

    Displaying an explorer shows the widget; where no widget manager runs, its picture.
    """

    SIZE: tuple[float, float] = (8.0, 4.5)
    NARROW_SIZE: tuple[float, float] | None = None
    NARROW_BELOW: int = 0

    widget: widgets.Widget
    live: LiveFigure
    plot: controls.Plot
    layout: Layout
    _zoom: float = 1.0

    @property
    def zoom(self) -> float:
        """How many times its natural size the explorer is shown (1: natural; see the class doc)."""
        return self._zoom

    @zoom.setter
    def zoom(self, value: float) -> None:
        try:
            zoom = float(value)
        except (TypeError, ValueError):
            zoom = math.nan
        if not 0.5 <= zoom <= 4.0:
            raise ValueError(f"zoom must be a number from 0.5 to 4 (1 is the natural size); got {value!r}")
        self._zoom = zoom
        if hasattr(self, "plot"):                 # already on show: lay out again at the new size
            self.plot.zoom = zoom
            self._resized()

    def layout_for(self, width: int = 0, ratio: float = 1.0) -> Layout:
        """The layout for an output `width` CSS px wide (0: not known yet) on a screen of pixel `ratio`,
        at the explorer's `zoom`."""
        ratio = min(max(float(ratio or 1.0), 1.0), 3.0)
        zoom = self.zoom
        natural_width, natural_height = self.SIZE
        narrow = bool(width) and self.NARROW_SIZE is not None and width < self.NARROW_BELOW * zoom
        if narrow:
            natural_width, natural_height = self.NARROW_SIZE
        inch = PX_PER_INCH * zoom                  # CSS px per figure inch
        fits = natural_width if not width else min(natural_width, max(width, MIN_WIDTH) / inch)
        return Layout(round(fits, 2), natural_height, inch * ratio, narrow, zoom)

    def _start(self, children) -> None:
        """Build the figure for the default layout, the plot view and `self.widget` (children, then
        the plot); from then on, follow the width and pixel ratio the browser reports."""
        self.layout = self.layout_for()
        self.plot = controls.Plot(zoom=self.zoom)
        self.plot.add_class("downhill-plot")
        self._new_figure()
        self.widget = controls.column([*children, self.plot])
        self.plot.observe(self._resized, names=["width", "pixel_ratio"])

    def _new_figure(self) -> None:
        self._build_figure()
        self.live = LiveFigure(self.fig, self._layers(), image=self.plot)
        self._redraw()

    def _resized(self, change=None) -> None:
        layout = self.layout_for(self.plot.width, self.plot.pixel_ratio)
        if layout != self.layout:
            self.layout = layout
            self._new_figure()

    def _show(self, status: controls.Status | None = None, text: str | None = None) -> None:
        """Refresh the picture and its alt text together (one message to the browser), then set
        the `status` line to `text`: the words never run ahead of the picture they describe."""
        # One description: what the <img alt> says is what alt.description(self.fig) returns.
        alt.describe(self.fig, self.describe())
        with self.plot.hold_sync():
            self.plot.alt = alt.own_description(self.fig)
            self.plot.css_width = self.layout.css_width
            self.live.refresh()
            self.plot.frame += 1
        if status is not None:
            status.value = text

    def describe(self) -> str:
        """The picture in words, with its numbers (its alt text)."""
        raise NotImplementedError

    def _build_figure(self) -> None:
        raise NotImplementedError

    def _layers(self):
        return ()

    def _redraw(self) -> None:
        self._show()

    def frozen_html(self, note: str = "") -> str:
        """The explorer as it stands, without controls: its status lines and its picture (`<img alt>`),
        in a div of class downhill-frozen (and e.g. downhill-lr-explorer-frozen); `note` (HTML) goes
        at the end."""
        def statuses(widget):
            if isinstance(widget, controls.Status):
                yield widget
            for child in getattr(widget, "children", ()):
                yield from statuses(child)

        lines = "".join(f'<div class="{" ".join(status._dom_classes)}">{status.html}</div>'
                        for status in statuses(self.widget))
        picture = img_html(bytes(self.plot.value), self.plot.alt, self.layout.css_width)
        # not the live explorer's class: a frozen picture must never pass for the live widget
        classes = " ".join(["downhill-frozen", *(f"{name}-frozen" for name in self.widget._dom_classes)])
        return f'<div class="{classes}">{lines}{picture}{note}</div>'

    def _repr_mimebundle_(self, include=None, exclude=None):
        png = bytes(self.plot.value)                          # the picture the widget shows now
        data = {"image/png": png, "text/plain": f"<{type(self).__name__}: {self.plot.alt}>"}
        if controls.LIVE:
            bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
            data = {**(bundle[0] if isinstance(bundle, tuple) else bundle), **data}
            data["text/html"] = self.frozen_html()
        else:
            data["text/html"] = self.frozen_html(f"<p>{html.escape(controls.HOW_TO_GET_LIVE)}</p>")
        return data

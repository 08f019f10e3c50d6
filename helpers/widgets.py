"""Thin widget plumbing shared by every interactive explorer in the course.

A figure is drawn once with matplotlib and shown in an `ipywidgets.Image`; a widget callback
updates the figure's artists and calls `LiveFigure.refresh()`, which re-renders the same figure to
PNG. No figure is created per event, nothing is printed, and the plot cannot go stale or duplicate.

Every explorer displays as its widget in a live notebook, and as a plain PNG of its default
state where no widget manager runs (a headless run, nbconvert, GitHub's preview).
"""

from __future__ import annotations

import struct
import zlib

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine

from .plots import STYLE


def new_figure(width: float = 8.0, height: float = 4.5, dpi: int = 90) -> Figure:
    """A course-styled Figure that is not registered with pyplot (so it never displays by itself)."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def styled_subplots(fig: Figure, *args, **kwargs):
    """fig.subplots(...) under the course style (ticks, grid and fonts are set at creation)."""
    with mpl.rc_context(STYLE):
        return fig.subplots(*args, **kwargs)


#: The course style without automatic layout: a live figure is laid out once, then pinned.
_PINNED = {**STYLE, "figure.autolayout": False, "figure.constrained_layout.use": False}


def freeze_layout(fig: Figure) -> None:
    """Lay the figure out once (its layout engine), then pin every position for fast redraws.

    Axis labels and titles are pinned too, so a redraw does not measure tick labels to place them.
    """
    fig.canvas.draw()
    with mpl.rc_context(_PINNED):
        fig.set_layout_engine(None)
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                where = axis.label.get_transform().transform(axis.label.get_position())
                axis.set_label_coords(*ax.transAxes.inverted().transform(where))
            title = ax.title
            ax.set_title(title.get_text(), y=title.get_position()[1], fontsize=title.get_fontsize(),
                         fontweight=title.get_fontweight(), color=title.get_color())


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(rgba: np.ndarray) -> bytes:
    """A lossless PNG of an (height, width, 4) uint8 RGBA picture, such as an Agg canvas buffer.

    Written directly with zlib at its fastest level and no row filters: a plot is mostly flat
    colour, which deflate compresses well unfiltered, and this is several times faster than PIL's
    encoder at the same level (a live figure is re-encoded on every slider move). The alpha
    channel is kept, because dropping it costs a strided copy that takes longer than compressing it.
    """
    rgba = np.asarray(rgba)
    if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"rgba must be a (height, width, 4) uint8 array; got {rgba.dtype} {rgba.shape}")
    height, width, _ = rgba.shape
    rows = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    rows[:, 0] = 0                                        # filter type "None" for every row
    rows[:, 1:] = rgba.reshape(height, 4 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)   # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows, 1)) + _png_chunk(b"IEND", b""))


class LiveFigure:
    """A Figure shown in an `ipywidgets.Image`, re-rendered in place by `refresh()`.

    layers: lists of the artists a widget changes (lines, texts, images, whole axes), the
    slowest-changing first. Everything else is a background drawn once; each layer is drawn over
    a cached picture of the layers below it, so a refresh costs only what changed plus the PNG
    encoding. After changing artists of layer i call `invalidate(i)`; without a call, `refresh()`
    redraws only the last layer. After changing the background (axis limits, ticks, static
    text) call `invalidate()`. With no layers, every refresh draws the whole figure.

    The figure's layout is computed once and then pinned (`freeze_layout`).
    """

    def __init__(self, fig: Figure, layers=()):
        self.fig = fig
        self.layers = [list(layer) for layer in layers]
        if isinstance(fig.get_layout_engine(), (ConstrainedLayoutEngine, TightLayoutEngine)):
            freeze_layout(fig)
        for layer in self.layers:
            for artist in layer:
                artist.set_animated(True)            # left out of the background
        self._below = [None] * len(self.layers)      # the picture under each layer
        self._dirty = 0
        self.image = widgets.Image(format="png")
        self.image.add_class("downhill-plot")
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
        with mpl.rc_context(_PINNED):
            self._draw()
            return encode_png(np.asarray(self.fig.canvas.buffer_rgba()))

    def refresh(self) -> None:
        self.image.value = self.png()


class Explorer:
    """Base class: subclasses build `self.widget` (a Box) and `self.live` (a LiveFigure).

    Displaying an explorer shows the widget; where no widget manager runs, the PNG fallback.
    """

    widget: widgets.Widget
    live: LiveFigure

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data)
        data["image/png"] = bytes(self.live.image.value)      # the picture the widget shows now
        return data

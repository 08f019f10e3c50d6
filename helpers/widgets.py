"""Thin widget plumbing shared by every interactive explorer in the course.

A figure is drawn once with matplotlib and shown in an `ipywidgets.Image`; a widget callback
updates the figure's artists and calls `LiveFigure.refresh()`, which re-renders the same figure to
PNG. No figure is created per event, nothing is printed, and the plot cannot go stale or duplicate.

Every explorer displays as its widget in a live notebook, and as a plain PNG of its default
state where no widget manager runs (a headless run, nbconvert, GitHub's preview).
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

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


class LiveFigure:
    """A Figure shown in an `ipywidgets.Image`, re-rendered in place by `refresh()`."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.image = widgets.Image(format="png")
        self.image.add_class("downhill-plot")
        self.refresh()

    def png(self) -> bytes:
        """The figure as PNG bytes (fast zlib level: the image is re-sent on every change)."""
        buffer = io.BytesIO()
        with mpl.rc_context(STYLE):
            self.fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

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
        data["image/png"] = self.live.png()
        return data

"""The environment check of 00_start_here: which versions are installed, and does a widget work?

    rows = versions()               # [("numpy", "2.4.6", "1.23", True), ...], read live
    EnvCheck()                      # a slider that moves a plot: if the plot moves, you are set
"""

from __future__ import annotations

import importlib.metadata
import platform
import sys

import matplotlib as mpl
import numpy as np

from . import controls
from .plots import PALETTE, STYLE
from .widgets import Explorer, new_figure, styled_subplots

#: The oldest versions the course is tested with (the same floors as pyproject.toml).
MINIMUM = {"python": "3.10", "numpy": "1.23", "matplotlib": "3.6", "ipywidgets": "8.0",
           "anywidget": "0.9", "jupyterlab": "4.0"}
#: Packages you can do without: Colab and VS Code bring their own notebook front end.
OPTIONAL = {"jupyterlab"}


def _as_tuple(version: str) -> tuple:
    """(3, 11, 2) for "3.11.2" and (8, 1) for "8.1.0rc1": the leading whole numbers only."""
    parts = []
    for piece in version.split("."):
        digits = ""
        for char in piece:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) < len(piece):
            break
    return tuple(parts)


def installed_version(name: str) -> str | None:
    """The version of `name` this kernel runs ("python" for Python itself), or None if missing.

    Read from the module itself when this kernel has imported it (what your code really uses),
    otherwise from the installed package's metadata.
    """
    if name == "python":
        return platform.python_version()
    version = getattr(sys.modules.get(name), "__version__", None)
    if isinstance(version, str):
        return version
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def versions(minimum: dict | None = None) -> list[tuple]:
    """One row per package: (name, installed version or None, minimum, ok).

    ok is True when the installed version is at least the minimum, False when it is older or
    missing, and None when a missing package is optional.
    """
    rows = []
    for name, floor in (minimum or MINIMUM).items():
        found = installed_version(name)
        if found is None:
            ok = None if name in OPTIONAL else False
        else:
            ok = _as_tuple(found) >= _as_tuple(floor)
        rows.append((name, found, floor, ok))
    return rows


def version_table(rows=None) -> str:
    """The `versions()` rows as a Markdown table, with a verdict per row."""
    rows = versions() if rows is None else rows
    verdict = {True: "✔ ok", False: "✘ too old or missing: upgrade it",
               None: "– not installed (fine if your notebook app is not JupyterLab)"}
    lines = ["| package | installed | needs at least | check |", "|---|---|---|---|"]
    for name, found, floor, ok in rows:
        lines.append(f"| {name} | {found or '—'} | {floor} | {verdict[ok]} |")
    return "\n".join(lines)


class EnvCheck(Explorer):
    """A slider that moves a ball along a valley. If the ball moves when you drag, widgets work."""

    SIZE = (6.5, 3.4)

    def __init__(self, position: float = -1.5):
        self.slider = controls.Slider(position, low=-2.0, high=2.0, step=0.25, label="move me",
                                      name="move me: the ball's position", value_label="position")
        self.slider.add_class("downhill-envcheck-slider")
        self.status = controls.Status()
        self.status.add_class("downhill-envcheck-status")
        self._start([self.slider, self.status])
        self.slider.on_change(lambda value: self._redraw())
        self.widget.add_class("downhill-envcheck")

    def _build_figure(self) -> None:
        with mpl.rc_context(STYLE):
            self.fig = new_figure(self.layout.width, self.layout.height, self.layout.dpi)
            self.fig.set_layout_engine("none")      # a fixed layout: only the ball is redrawn
            left = min(0.2, 0.78 / self.layout.width)                 # room for the label, in inches
            narrow = self.layout.width < 6.0                          # the title in two lines
            ax = styled_subplots(self.fig, gridspec_kw=dict(left=left, right=0.97, bottom=0.2,
                                                            top=0.78 if narrow else 0.86))
            t = np.linspace(-2.2, 2.2, 121)
            ax.plot(t, t**2, color=PALETTE["blue"])
            (self.ball,) = ax.plot([self.slider.value], [self.slider.value**2], "o", markersize=18,
                                   color=PALETTE["vermillion"], markeredgecolor="black")
            ax.set_xlim(-2.3, 2.3)
            ax.set_xlabel("slider value")
            ax.set_ylabel("height")
            ax.set_title("Drag the slider:" + ("\n" if narrow else " ") + "the ball should move")

    def _layers(self):
        return [[self.ball]]

    def _redraw(self) -> None:
        value = float(self.slider.value)
        self.ball.set_data([value], [value**2])
        self._show(self.status, f"The ball is at position {value:.2f}, height {value**2:.2f}.")

    def describe(self) -> str:
        value = float(self.slider.value)
        return (f"A valley, height = position squared, for positions from −2.2 to 2.2, with the ball at "
                f"position {value:.2f}, height {value**2:.2f}.").replace("-", "−")


__all__ = ["EnvCheck", "MINIMUM", "installed_version", "version_table", "versions"]

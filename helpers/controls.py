"""The course's controls: native HTML elements with names, true values and keyboard use.

    eta = Slider(0.1, low=-3, high=1, step=0.05, log=True, label="η", name="learning rate η")
    eta.on_change(lambda value: ...)      # after the callback the browser may send the next value

ipywidgets' own sliders draw a `<div>` handle whose `aria-valuetext` is the raw position (an
exponent for a log slider, an index for a selection slider) and that has no accessible name;
its menu is swallowed by JupyterLab's notebook shortcuts. These controls are small `anywidget`
widgets over one ES module (static/controls.js, static/controls.css): an `<input type="range">`
named "learning rate η" that says "η = 0.1", a `<select>` with a `<label>`, `<button>`s, an
`<img>` with alt text, and a `role="status"` line. anywidget speaks widget protocol 2, so they
work wherever ipywidgets does (JupyterLab, Notebook 7, Voilà, VS Code, Colab).

Without anywidget installed every class here still exists, keeps its values and calls its
callbacks, so an explorer works from Python and shows its picture; `LIVE` is then False and the
explorers say how to get the live controls.
"""

from __future__ import annotations

import contextlib
import math
from importlib import resources

import traitlets as t

try:
    import anywidget
except ImportError:                      # a clone opened without installing the course
    anywidget = None

#: True when the controls can render in a notebook (anywidget is installed).
LIVE = anywidget is not None
#: What to tell a student whose controls cannot run.
HOW_TO_GET_LIVE = ("This picture is frozen: the live control needs the `anywidget` package. Install it "
                   "with `pip install anywidget` (or install the course: `pip install -e .` in its "
                   "folder), then restart the kernel and run the notebook again.")


def _static(name: str) -> str:
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def format_value(value: float, digits: int = 3) -> str:
    """A value as the controls write it: `digits` significant digits, no trailing zeros (0.1, 10).

    The twin of `format` in static/controls.js; both give Python's f"{value:.{digits}g}".
    """
    return f"{float(value):.{digits}g}"


if LIVE:
    class _Control(anywidget.AnyWidget):
        _esm = _static("controls.js")
        _css = _static("controls.css")
        kind = t.Unicode("").tag(sync=True)
else:
    class _Control(t.HasTraits):
        """Stand-in without a front end: traits and callbacks work, nothing is sent anywhere."""

        kind = t.Unicode("")
        _dom_classes = t.Tuple()

        def add_class(self, name: str) -> "_Control":
            if name not in self._dom_classes:
                self._dom_classes = (*self._dom_classes, name)
            return self

        def send(self, content, buffers=None) -> None:
            pass

        def on_msg(self, callback) -> None:
            pass

        def hold_sync(self):
            return contextlib.nullcontext()


class _Drawn:
    """on_change(callback): tell the browser the kernel has started on the new value (it may send
    the one after, to wait here), call back with it, then tell the browser it is drawn."""

    def on_change(self, callback) -> None:
        def changed(change):
            self.send({"event": "started", "value": change["new"]})
            try:
                callback(change["new"])
            finally:
                self.send({"event": "drawn", "value": change["new"]})
        self.observe(changed, names="value")


class Slider(_Drawn, _Control):
    """A slider over a grid of values, with a box to type any value in range (`typed=True`).

    Linear: low, low + step, ..., high. log=True: 10**low ... 10**high in steps of `step` in the
    exponent. options: an explicit list of values instead (then `typed` is off). label: the short
    visible name ("η"); name: what a screen reader says ("learning rate η"); the value is read
    out as f"{value_label} = {value}" with `digits` significant digits (value_label: the label).
    """

    kind = t.Unicode("slider").tag(sync=True)
    value = t.Float(0.0).tag(sync=True)
    min = t.Float(0.0).tag(sync=True)
    max = t.Float(1.0).tag(sync=True)
    step = t.Float(0.1).tag(sync=True)
    log = t.Bool(False).tag(sync=True)
    options = t.List(t.Float()).tag(sync=True)
    digits = t.Int(3).tag(sync=True)
    label = t.Unicode("").tag(sync=True)
    name = t.Unicode("").tag(sync=True)
    value_label = t.Unicode("").tag(sync=True)
    typed = t.Bool(True).tag(sync=True)
    disabled = t.Bool(False).tag(sync=True)

    def __init__(self, value: float, *, label: str, name: str, low: float = 0.0, high: float = 1.0,
                 step: float = 0.1, log: bool = False, options=(), digits: int = 3,
                 typed: bool = True, value_label: str | None = None, **kwargs):
        options = [float(v) for v in options]
        if not options and not (math.isfinite(low) and math.isfinite(high) and low < high and step > 0):
            raise ValueError(f"a slider needs low < high and step > 0; got low={low}, high={high}, step={step}")
        super().__init__(min=float(low), max=float(high), step=float(step), log=bool(log),
                         options=sorted(options), digits=int(digits), label=label, name=name,
                         value_label=label if value_label is None else value_label,
                         typed=bool(typed) and not options, **kwargs)
        self.value = float(value)

    @property
    def bounds(self) -> tuple[float, float]:
        """The smallest and largest value the slider takes."""
        if self.options:
            return self.options[0], self.options[-1]
        if self.log:
            return 10.0 ** self.min, 10.0 ** self.max
        return self.min, self.max

    def value_text(self, value: float | None = None) -> str:
        """What a screen reader hears for the slider (its aria-valuetext): "η = 0.1"."""
        return f"{self.value_label} = {format_value(self.value if value is None else value, self.digits)}"

    @t.validate("value")
    def _check_value(self, proposal):
        value = float(proposal["value"])
        low, high = self.bounds
        if self.options:
            if not any(math.isclose(value, v, rel_tol=1e-9) for v in self.options):
                raise t.TraitError(f"{self.name} must be one of {self.options}; got {value!r}")
            return value
        slack = 1e-9 * max(abs(low), abs(high))     # the grid's ends are computed (powers of ten)
        if not (math.isfinite(value) and low - slack <= value <= high + slack):
            raise t.TraitError(f"{self.name} must be between {format_value(low)} and "
                               f"{format_value(high)}; got {value!r}")
        return value


class Select(_Drawn, _Control):
    """A menu (`<select>`) of strings with a visible label; name: the spoken name (default: label)."""

    kind = t.Unicode("select").tag(sync=True)
    value = t.Unicode("").tag(sync=True)
    options = t.List(t.Unicode()).tag(sync=True)
    label = t.Unicode("").tag(sync=True)
    name = t.Unicode("").tag(sync=True)

    def __init__(self, options, value: str, *, label: str, name: str | None = None, **kwargs):
        super().__init__(options=[str(o) for o in options], label=label, name=name or label, **kwargs)
        self.value = value

    @t.validate("value")
    def _check_value(self, proposal):
        if proposal["value"] not in self.options:
            raise t.TraitError(f"{self.name} must be one of the menu's options; got {proposal['value']!r}")
        return proposal["value"]


class Button(_Control):
    """A `<button>`. disabled: it stays focusable and says so (aria-disabled), but does nothing."""

    kind = t.Unicode("button").tag(sync=True)
    description = t.Unicode("").tag(sync=True)
    disabled = t.Bool(False).tag(sync=True)

    def __init__(self, description: str, **kwargs):
        super().__init__(description=description, **kwargs)
        self._clicks = []
        self.on_msg(self._message)

    def on_click(self, callback) -> None:
        """callback(button) on every click (not while disabled)."""
        self._clicks.append(callback)

    def click(self) -> None:
        """Press the button from Python, as the browser does."""
        if not self.disabled:
            for callback in self._clicks:
                callback(self)

    def _message(self, _widget, content, _buffers=None) -> None:
        if isinstance(content, dict) and content.get("event") == "click":
            self.click()


class Plot(_Control):
    """The explorer's picture: PNG bytes and their alt text, shown `css_width` CSS px wide.

    The browser reports `width` (the CSS px the output gives it) and `pixel_ratio` (the screen's
    devicePixelRatio); the explorer lays its figure out for them. `zoom` (the explorer's) becomes
    --downhill-zoom on the box that holds the plot, the explorer's root: its controls scale by it.
    """

    kind = t.Unicode("plot").tag(sync=True)
    value = t.Bytes(b"").tag(sync=True)
    alt = t.Unicode("").tag(sync=True)
    css_width = t.Int(0).tag(sync=True)
    frame = t.Int(0).tag(sync=True)
    width = t.Int(0).tag(sync=True)
    pixel_ratio = t.Float(1.0).tag(sync=True)
    zoom = t.Float(1.0).tag(sync=True)


class Status(_Control):
    """A line of HTML in a polite live region (`role="status"`): each change is read out."""

    kind = t.Unicode("status").tag(sync=True)
    html = t.Unicode("").tag(sync=True)

    @property
    def value(self) -> str:                 # the name ipywidgets.HTML uses
        return self.html

    @value.setter
    def value(self, html: str) -> None:
        self.html = html


class _Box(_Control):
    """Stand-in for an ipywidgets box when the controls cannot render: it only holds its children."""

    children = t.Tuple()


def row(children):
    """The controls side by side, wrapping onto more lines when the output is narrow."""
    if not LIVE:
        return _Box(children=tuple(children))
    import ipywidgets as widgets
    return widgets.HBox(list(children), layout=widgets.Layout(flex_flow="row wrap", align_items="center"))


def column(children):
    """The controls one under the other."""
    if not LIVE:
        return _Box(children=tuple(children))
    import ipywidgets as widgets
    return widgets.VBox(list(children))


def colored(word: str, on_light: str, on_dark: str) -> str:
    """`word` in bold, coloured for the theme: on_light on a light page, on_dark on a dark one.

    Each colour must meet 4.5:1 on its background; the word itself carries the meaning.
    """
    return (f'<b class="downhill-word" style="--downhill-on-light:{on_light};'
            f'--downhill-on-dark:{on_dark}">{word}</b>')


__all__ = ["Button", "HOW_TO_GET_LIVE", "LIVE", "Plot", "Select", "Slider", "Status", "colored", "column",
           "format_value", "row"]

"""The wiggle experiment: nudge one of the 31 numbers, watch the loss, compare with backprop.

    explorer = WiggleExplorer()          # the chapter's network and example
    explorer                             # shows the widget (or a PNG where no widget runs)

`wiggle` and `slope_estimates` are the math (pure functions); `WiggleExplorer` wires them to one
figure: on the left the loss along the chosen parameter with the tangent (slope = backprop's
gradient) and the secant to the nudged point (slope = Δloss / nudge); on the right Δloss / nudge
for shrinking nudges, closing in on the gradient.
"""

from __future__ import annotations

import html
import numbers
import textwrap

import matplotlib as mpl
import numpy as np

from .data import example, load_params
from .landscape import gradient_of, loss_along, loss_slice, tangent, value_of
from .network import copy_params, loss, nudged, param_labels, parse_label
from . import controls
from .plots import PALETTE, STYLE, TEXT_ON_WHITE
from .widgets import WIDE, Explorer, freeze_layout, new_figure, styled_subplots

#: The nudges the right-hand panel compares, biggest first.
NUDGES = (1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001)


def wiggle(params, x, y, label: str, nudge: float) -> dict:
    """Nudge the number named `label` by `nudge` and compare the loss before and after.

    Returns {"loss", "nudged_loss", "delta_loss", "nudge", "slope_estimate" (Δloss / nudge),
    "gradient" (backprop's ∂L/∂w, the limit of the estimate as the nudge shrinks)}.
    """
    if (isinstance(nudge, bool) or not isinstance(nudge, numbers.Real) or not np.isfinite(nudge)
            or nudge == 0):
        raise ValueError(f"nudge must be a finite non-zero number; got {nudge!r}")
    nudge = float(nudge)
    before = loss(params, x, y)
    after = loss(nudged(params, label, nudge), x, y)
    (gradient,) = gradient_of(params, x, y, [label])
    return {"loss": before, "nudged_loss": after, "delta_loss": after - before, "nudge": nudge,
            "slope_estimate": (after - before) / nudge, "gradient": float(gradient)}


def slope_estimates(params, x, y, label: str, nudges=NUDGES) -> np.ndarray:
    """Δloss / nudge for each nudge in `nudges` (k,), from one batched pass. Returns (k,)."""
    nudges = np.asarray(nudges, dtype=np.float64)
    if nudges.ndim != 1 or nudges.size == 0 or np.any(nudges == 0) or not np.all(np.isfinite(nudges)):
        raise ValueError(f"nudges must be a 1-D list of finite non-zero numbers; got {nudges!r}")
    t0 = value_of(params, label)
    losses = loss_along(params, x, y, [label], np.concatenate([[t0], t0 + nudges])[:, None])
    return (losses[1:] - losses[0]) / nudges


def _signed(value: float, digits: int = 4) -> str:
    """+0.4390 / −0.5500 / 0.0000: a sign always, a real minus sign, and never "−0"."""
    value = float(value) + 0.0
    if round(value, digits) == 0:
        return f"{0:.{digits}f}"
    return f"{value:+.{digits}f}".replace("-", "−")


def readout_html(result: dict, label: str) -> str:
    """The readout's HTML for a `wiggle` result (the numbers with enough digits to compare)."""
    rows = [
        ("nudge", f"{result['nudge']:g}"),
        ("Δloss", f"{_signed(result['delta_loss'], 6)}"
                  f" &nbsp;(loss {result['loss']:.6f} → {result['nudged_loss']:.6f})"),
        ("Δloss / nudge", _signed(result["slope_estimate"])),
        ("backprop gradient", _signed(result["gradient"])),
    ]
    cells = "".join(f"<tr><td style='padding-right:1em'>{name}</td><td><b>{value}</b></td></tr>"
                    for name, value in rows)
    return (f"<div style='font-size:1.15em'>Wiggling <b>{html.escape(label)}</b>"
            f"<table style='font-family:monospace'>{cells}</table></div>")


class WiggleExplorer(Explorer):
    """Pick any parameter, nudge it, and see Δloss / nudge close in on backprop's gradient."""

    def __init__(self, params=None, x=None, y=None, label: str = "W1[1,0]", nudge: float = 0.3,
                 span: float = 1.25, nudges=NUDGES, n: int = 201):
        self.params = load_params() if params is None else copy_params(params)
        parse_label(label, self.params)           # a clear error for a label that does not exist
        ex, ey = example()
        self.x = ex if x is None else x
        self.y = ey if y is None else y
        self.span, self.n = float(span), int(n)
        self.nudges = np.asarray(nudges, dtype=np.float64)
        biggest = float(np.abs(self.nudges).max())
        if not self.span > biggest:
            raise ValueError(f"span ({span}) must be larger than the biggest nudge ({biggest}) "
                             "so the nudged point stays on the plot")
        labels = param_labels(self.params)

        self.param = controls.Select(labels, label, label="parameter", name="parameter to wiggle")
        self.param.add_class("downhill-param")
        matches = self.nudges[np.isclose(self.nudges, nudge)]
        if matches.size == 0:
            raise ValueError(f"nudge must be one of the slider's values {tuple(self.nudges)}; got {nudge!r}")
        self.nudge = controls.Slider(float(matches[0]), options=self.nudges, label="nudge",
                                     name="nudge size")
        self.nudge.add_class("downhill-nudge")
        self.readout = controls.Status()
        self.readout.add_class("downhill-readout")

        self._start([controls.row([self.param, self.nudge]), self.readout])
        self.param.on_change(lambda value: self._on_change({"owner": self.param}))
        self.nudge.on_change(lambda value: self._on_change({"owner": self.nudge}))
        self.widget.add_class("downhill-wiggle")

    SIZE = (WIDE, 5.0)              # inches: loss along the parameter | Δloss / nudge
    NARROW_SIZE = (7.0, 9.6)        # the two panels stacked
    NARROW_BELOW = 830              # CSS px: below it, its title reaches the tick labels

    def _layers(self):
        # Layer 0 changes with the parameter (axes, curve, tangent), layer 1 with the nudge.
        parameter_layer = [self.ax.yaxis, self.ax_est.yaxis, self.curve, self.tangent_line,
                           self.estimates, self.gradient_line, self.gradient_text]
        nudge_layer = [self.secant_line, self.there, self.here, self.current, self.here_text]
        return [parameter_layer, nudge_layer]

    def _redraw(self) -> None:
        self._update(label_changed=True)
        self.live.invalidate()
        self._show(self.readout, readout_html(self.result, self.param.value))

    def describe(self) -> str:
        """The picture in words, from the numbers it draws."""
        r, label = self.result, self.param.value
        estimates = self.estimates.get_ydata()
        shrinking = ", ".join(f"{_signed(e, 3)} at {n:g}" for n, e in zip(self.nudges, estimates))
        return (f"Left: the loss as {label} moves by up to ±{self.span:g}, with the tangent at the current "
                f"value (slope {_signed(r['gradient'])}, backprop's gradient) and the secant to the point "
                f"nudged by {r['nudge']:g} (slope Δloss / nudge = {_signed(r['slope_estimate'])}; loss "
                f"{r['loss']:.4f} → {r['nudged_loss']:.4f}). Right: Δloss / nudge for shrinking nudges, "
                f"{shrinking}, closing in on the gradient {_signed(r['gradient'])}.")

    # -- drawing --------------------------------------------------------------------------------
    def _build_figure(self) -> None:
        with mpl.rc_context(STYLE):
            self._draw_figure()
        if self.layout.narrow:
            # lay the stacked panels out for the widest tick labels a parameter gives (−0.80: every
            # estimate and loss is within ±1), then pin it, so no y label is run into later
            for axes in (self.ax, self.ax_est):
                axes.set_ylim(-0.99, 0.99)
            freeze_layout(self.fig)
        self._update(label_changed=True)        # limits and ticks set before the layout is pinned

    def _draw_figure(self) -> None:
        layout = self.layout
        self.fig = new_figure(layout.width, layout.height, layout.dpi)
        if layout.narrow:           # stacked, laid out once by matplotlib (LiveFigure pins it)
            self.ax, self.ax_est = styled_subplots(self.fig, 2, 1)
        else:
            # A fixed layout (not constrained): it is computed once, so redraws are cheap and steady.
            self.fig.set_layout_engine("none")
            left = 0.08 * 11.0 / layout.width                       # the same inches for the labels
            self.ax, self.ax_est = styled_subplots(self.fig, 1, 2, gridspec_kw=dict(
                width_ratios=[1.35, 1.0], left=left, right=0.985, bottom=0.24, top=0.86, wspace=0.28))
        ax, blank = self.ax, [np.nan, np.nan]
        (self.curve,) = ax.plot(blank, blank, color=PALETTE["blue"], label="loss along the parameter")
        (self.tangent_line,) = ax.plot(blank, blank, color=PALETTE["vermillion"], linestyle="--",
                                       label="tangent: slope = backprop gradient")
        (self.secant_line,) = ax.plot(blank, blank, color=PALETTE["green"], linewidth=2,
                                      label="secant: slope = Δloss / nudge")
        (self.here,) = ax.plot([0.0], [np.nan], "o", color=PALETTE["vermillion"], markersize=11,
                               markeredgecolor="white", zorder=5)
        (self.there,) = ax.plot(blank, blank, "s", color=PALETTE["green"], markersize=10,
                                markeredgecolor="white", zorder=5)
        self.here_text = ax.annotate("", (0.0, 0.0), xytext=(-10, 14), textcoords="offset points",
                                     ha="right", va="bottom", fontsize=12, fontweight="bold",
                                     color=TEXT_ON_WHITE["vermillion"], zorder=6,
                                     bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none",
                                               alpha=0.85))
        ax.set_xlim(-self.span, self.span)
        ax.set_xlabel("nudge added to the parameter")
        ax.set_ylabel("loss (MSE)")
        ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(5))
        ax.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:.2f}"))
        ax.set_title("The secant (green) turns into the tangent\n(dashed) as the nudge shrinks",
                     y=1.0, pad=8)                # a fixed y skips matplotlib's title placement
        if layout.narrow:
            self.fig.legend(handles=[self.curve, self.tangent_line, self.secant_line],
                            loc="outside lower center", ncol=1, fontsize=12)
        else:
            self.fig.legend(handles=[self.curve, self.tangent_line, self.secant_line], loc="lower left",
                            ncol=3, fontsize=11, bbox_to_anchor=(0.0, 0.0), handlelength=1.6,
                            handletextpad=0.5, columnspacing=1.2)     # one row down to 8.9 inches

        est = self.ax_est
        est.set_xscale("log")
        est.set_xlim(self.nudges.min() / 2, self.nudges.max() * 2)
        est.invert_xaxis()                      # shrinking nudges read left to right
        (self.gradient_line,) = est.plot(est.get_xlim(), blank, color=PALETTE["vermillion"],
                                         linestyle="--")
        (self.estimates,) = est.plot(self.nudges, np.full(self.nudges.shape, np.nan), "o-",
                                     color=PALETTE["green"])
        (self.current,) = est.plot(blank, blank, "s", color=PALETTE["green"], markersize=14,
                                   markeredgecolor="black", zorder=5)
        est.xaxis.set_major_locator(mpl.ticker.FixedLocator(self.nudges[::2]))
        est.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        est.xaxis.set_minor_locator(mpl.ticker.NullLocator())
        est.yaxis.set_major_locator(mpl.ticker.MaxNLocator(4))
        est.yaxis.set_major_formatter(mpl.ticker.StrMethodFormatter("{x:.2f}"))
        est.set_xlabel("nudge (shrinking →)")
        est.set_ylabel("Δloss / nudge")
        self.gradient_text = est.annotate("backprop gradient", (0.97, 0.0),
                                          xycoords=("axes fraction", "data"), xytext=(0, 12),
                                          textcoords="offset points", ha="right", va="bottom",
                                          fontsize=12, color=TEXT_ON_WHITE["vermillion"])
        est.set_title("Smaller nudges close in\non the gradient", y=1.0, pad=8)
        if layout.narrow:           # titles in shorter lines, to fit a narrow output (30 characters at 7 in)
            chars = min(30, int(30 * layout.width / 7.0))
            for axes in (ax, est):
                axes.set_title(textwrap.fill(axes.get_title().replace("\n", " "), chars), y=1.0, pad=8)

    def _update(self, label_changed: bool) -> None:
        """Move the artists to the current parameter and nudge (all of them if the label changed)."""
        label, nudge = self.param.value, float(self.nudge.value)
        result = wiggle(self.params, self.x, self.y, label, nudge)
        self.result = result
        ends = np.array([-self.span, self.span])
        self.secant_line.set_data(ends, tangent(ends, 0.0, result["loss"], result["slope_estimate"]))
        self.there.set_data([nudge], [result["nudged_loss"]])
        self.current.set_data([nudge], [result["slope_estimate"]])
        if label_changed:
            self._draw_parameter(label, result["loss"], result["gradient"])
        self._place_here_text(result["gradient"])

    def _place_here_text(self, g: float) -> None:
        """Put "you are here" where no line crosses it: first on the empty side (up-left of a
        rising curve, up-right of a falling one), else the first clear place around the point,
        a little farther off if the curve is a narrow valley there."""
        side = -1 if g > 0 else 1
        places = [(12 * side, 16), (-12 * side, 16), (12 * side, -16), (-12 * side, -16),
                  (0, 28), (12 * side, 36), (-12 * side, 36), (0, 40), (0, 52), (0, -28)]
        text, ax = self.here_text, self.ax
        renderer = self.fig.canvas.get_renderer()
        paths = []
        for line in (self.curve, self.tangent_line, self.secant_line):
            xy = ax.transData.transform(np.column_stack(line.get_data()))
            paths.append(xy[np.all(np.isfinite(xy), axis=1)])
        marks = ax.transData.transform(np.array([[0.0, self.here.get_ydata()[0]],
                                                 [self.there.get_xdata()[0], self.there.get_ydata()[0]]]))
        reach = 11 * self.fig.dpi / 72.0                   # the markers' size, as pixels
        frame = ax.bbox
        chosen = places[0]
        for dx, dy in places:
            self._set_here_place(dx, dy)
            box = text.get_window_extent(renderer).padded(4)
            if not (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1):
                continue
            if any(mpl.path.Path(xy).intersects_bbox(box, filled=False) or np.any(
                    (xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1) & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1))
                   for xy in paths if len(xy) > 1):
                continue
            if np.any((marks[:, 0] >= box.x0 - reach) & (marks[:, 0] <= box.x1 + reach)
                      & (marks[:, 1] >= box.y0 - reach) & (marks[:, 1] <= box.y1 + reach)):
                continue
            chosen = (dx, dy)
            break
        self._set_here_place(*chosen)

    def _set_here_place(self, dx: float, dy: float) -> None:
        text = self.here_text
        text.set_position((dx, dy))
        text.set_horizontalalignment("center" if dx == 0 else "left" if dx > 0 else "right")
        text.set_verticalalignment("bottom" if dy > 0 else "top")

    def _draw_parameter(self, label: str, loss0: float, g: float) -> None:
        """Everything that depends only on the chosen parameter: curve, tangent, estimates, limits."""
        t0 = value_of(self.params, label)
        T, L = loss_slice(self.params, self.x, self.y, label, span=self.span, n=self.n)
        self.curve.set_data(T - t0, L)
        ends = np.array([-self.span, self.span])
        self.tangent_line.set_data(ends, tangent(ends, 0.0, loss0, g))
        self.here.set_ydata([loss0])
        self.here_text.xy = (0.0, loss0)
        self.here_text.set_text(f"you are here:\n{label} = {_signed(t0, 2)}")
        low, high = float(L.min()), float(L.max())
        pad = max(0.1 * (high - low), 0.05)
        self.ax.set_ylim(low - pad, high + 1.8 * pad)

        estimates = slope_estimates(self.params, self.x, self.y, label, self.nudges)
        self.estimates.set_ydata(estimates)
        self.gradient_line.set_ydata([g, g])
        self.gradient_text.xy = (0.97, g)
        low, high = float(min(estimates.min(), g)), float(max(estimates.max(), g))
        pad = max(0.12 * (high - low), 0.05)
        self.ax_est.set_ylim(low - pad, high + pad)

    def _on_change(self, change=None) -> None:
        label_changed = change is None or change.get("owner") is self.param
        self._update(label_changed)
        if label_changed:
            self.live.invalidate(0)
        self._show(self.readout, readout_html(self.result, self.param.value))


__all__ = ["NUDGES", "WiggleExplorer", "readout_html", "slope_estimates", "wiggle"]

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

import ipywidgets as widgets
import numpy as np

from .data import example, load_params
from .landscape import gradient_of, loss_along, loss_slice, tangent, value_of
from .network import loss, nudged, param_labels
from .plots import PALETTE
from .widgets import Explorer, LiveFigure, new_figure, styled_subplots

#: The nudges the right-hand panel compares, biggest first.
NUDGES = (1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001)


def wiggle(params, x, y, label: str, nudge: float) -> dict:
    """Nudge the number named `label` by `nudge` and compare the loss before and after.

    Returns {"loss", "nudged_loss", "delta_loss", "nudge", "slope_estimate" (Δloss / nudge),
    "gradient" (backprop's ∂L/∂w, the limit of the estimate as the nudge shrinks)}.
    """
    if isinstance(nudge, bool) or not isinstance(nudge, numbers.Real) or not np.isfinite(nudge) or nudge == 0:
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
                 span: float = 1.0, nudges=NUDGES, n: int = 201):
        self.params = load_params() if params is None else params
        ex, ey = example()
        self.x = ex if x is None else x
        self.y = ey if y is None else y
        self.span, self.n = float(span), int(n)
        self.nudges = np.asarray(nudges, dtype=np.float64)
        labels = param_labels(self.params)

        self.param = widgets.Dropdown(options=labels, value=label, description="parameter")
        self.param.add_class("downhill-param")
        if not np.any(np.isclose(self.nudges, nudge)):
            raise ValueError(f"nudge must be one of the slider's values {tuple(self.nudges)}; got {nudge!r}")
        options = [(f"{v:g}", float(v)) for v in sorted(self.nudges)]
        self.nudge = widgets.SelectionSlider(options=options, value=float(self.nudges[np.isclose(self.nudges, nudge)][0]),
                                             continuous_update=False, description="nudge")
        self.nudge.add_class("downhill-nudge")
        self.readout = widgets.HTML()
        self.readout.add_class("downhill-readout")

        self._build_figure()
        self.live = LiveFigure(self.fig)
        self._update()
        self.param.observe(self._on_change, names="value")
        self.nudge.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.param, self.nudge]), self.readout,
                                    self.live.image])
        self.widget.add_class("downhill-wiggle")

    # -- drawing --------------------------------------------------------------------------------
    def _build_figure(self) -> None:
        self.fig = new_figure(11.0, 4.6)
        self.ax, self.ax_est = styled_subplots(self.fig, 1, 2, width_ratios=[1.35, 1.0])
        ax = self.ax
        blank = [np.nan, np.nan]
        (self.curve,) = ax.plot(blank, blank, color=PALETTE["blue"], label="loss along the parameter")
        (self.tangent_line,) = ax.plot(blank, blank, color=PALETTE["vermillion"], linestyle="--",
                                       label="tangent (backprop)")
        (self.secant_line,) = ax.plot(blank, blank, color=PALETTE["green"], linewidth=2,
                                      label="secant (nudge)")
        (self.here,) = ax.plot(blank, blank, "o", color=PALETTE["vermillion"], markersize=11,
                               markeredgecolor="white", zorder=5)
        (self.there,) = ax.plot(blank, blank, "s", color=PALETTE["green"], markersize=10,
                                markeredgecolor="white", zorder=5)
        ax.set_ylabel("loss (MSE)")
        ax.legend(loc="upper left", fontsize=11)
        self.title = ax.set_title("")

        est = self.ax_est
        est.set_xscale("log")
        est.set_xlim(self.nudges.min() / 2, self.nudges.max() * 2)
        est.invert_xaxis()                      # shrinking nudges read left to right
        (self.gradient_line,) = est.plot(self.nudges[[0, -1]] * [2, 0.5], blank,
                                         color=PALETTE["vermillion"], linestyle="--",
                                         label="backprop gradient")
        (self.estimates,) = est.plot(self.nudges, np.full(self.nudges.shape, np.nan), "o-",
                                     color=PALETTE["green"], label="Δloss / nudge")
        (self.current,) = est.plot(blank, blank, "s", color=PALETTE["green"], markersize=14,
                                   markeredgecolor="black", zorder=5)
        est.set_xlabel("nudge (shrinking →)")
        est.set_ylabel("slope estimate")
        est.legend(loc="best", fontsize=11)
        est.set_title("Smaller nudges close in\non the gradient")

    def _update(self) -> None:
        label, nudge = self.param.value, float(self.nudge.value)
        result = wiggle(self.params, self.x, self.y, label, nudge)
        self.result = result
        t0, loss0, g = value_of(self.params, label), result["loss"], result["gradient"]

        T, L = loss_slice(self.params, self.x, self.y, label, span=self.span, n=self.n)
        self.curve.set_data(T, L)
        ends = T[[0, -1]]
        self.tangent_line.set_data(ends, tangent(ends, t0, loss0, g))
        self.secant_line.set_data(ends, tangent(ends, t0, loss0, result["slope_estimate"]))
        self.here.set_data([t0], [loss0])
        self.there.set_data([t0 + nudge], [result["nudged_loss"]])
        low, high = float(L.min()), float(L.max())
        pad = max(0.08 * (high - low), 0.05)
        self.ax.set_xlim(ends[0], ends[1])
        self.ax.set_ylim(low - pad, high + pad)
        self.ax.set_xlabel(f"value of {label}")
        self.title.set_text(f"Nudge {label} by {nudge:.3g}:\nΔloss/nudge = {_signed(result['slope_estimate'], 3)}"
                            f", gradient = {_signed(g, 3)}")

        estimates = slope_estimates(self.params, self.x, self.y, label, self.nudges)
        self.estimates.set_ydata(estimates)
        self.gradient_line.set_ydata([g, g])
        self.current.set_data([nudge], [result["slope_estimate"]])
        values = np.concatenate([estimates, [g, result["slope_estimate"]]])
        low, high = float(values.min()), float(values.max())
        pad = max(0.12 * (high - low), 0.05)
        self.ax_est.set_ylim(low - pad, high + pad)

        self.readout.value = readout_html(result, label)

    def _on_change(self, change=None) -> None:
        self._update()
        self.live.refresh()


__all__ = ["NUDGES", "WiggleExplorer", "readout_html", "slope_estimates", "wiggle"]

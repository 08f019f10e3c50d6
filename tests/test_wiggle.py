"""helpers/wiggle.py: the wiggle experiment and its explorer widget."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from PIL import Image

import helpers as h
from helpers.wiggle import NUDGES, WiggleExplorer, slope_estimates, wiggle


def my_loss(params, x, y) -> float:
    """The network's MSE written out again here, independently of helpers.network."""
    z = params["W1"] @ x + params["b1"]
    y_hat = params["W2"] @ np.where(z > 0, z, 0.0) + params["b2"]
    return float(np.mean((y_hat - y) ** 2))


def my_nudged(params, key, index, delta):
    out = {k: np.array(v, dtype=float) for k, v in params.items()}
    out[key][index] += delta
    return out


def readout_numbers(explorer) -> dict:
    """The numbers shown in the readout, by row name."""
    cells = re.findall(r"<td[^>]*>([^<]+)</td><td><b>([^<&]+)", explorer.readout.value)
    return {name: float(value.strip().replace("−", "-")) for name, value in cells}


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.fixture
def setup():
    params = h.load_params()
    x, y = h.example()
    return params, x, y


def test_wiggle_matches_an_independent_computation(setup):
    params, x, y = setup
    result = wiggle(params, x, y, "W1[1,0]", 0.1)
    before = my_loss(params, x, y)
    after = my_loss(my_nudged(params, "W1", (1, 0), 0.1), x, y)
    assert result["loss"] == pytest.approx(before, rel=1e-12)
    assert result["nudged_loss"] == pytest.approx(after, rel=1e-12)
    assert result["delta_loss"] == pytest.approx(after - before, abs=1e-12)
    assert result["slope_estimate"] == pytest.approx((after - before) / 0.1, rel=1e-9)
    assert result["gradient"] == pytest.approx(0.439, abs=1e-12)


def test_smaller_nudges_close_in_on_the_gradient(setup):
    params, x, y = setup
    estimates = slope_estimates(params, x, y, "b2[1]", NUDGES)
    # the loss is a parabola in b2[1]: L = c + (e + d)² / 4 with e = ŷ[1] − y[1] = −1.1, so
    # Δloss / d = e / 2 + d / 4 = −0.55 + d / 4 exactly
    assert np.allclose(estimates, -0.55 + 0.25 * np.asarray(NUDGES))
    errors = np.abs(slope_estimates(params, x, y, "W1[1,0]", NUDGES) - 0.439)
    assert np.all(np.diff(errors) < 0)          # each smaller nudge gets closer
    assert errors[-1] < 1e-3
    for label in ("W1[0,1]", "W2[2,2]"):        # the dark pixel, the dead unit: exactly flat
        assert np.all(slope_estimates(params, x, y, label, [0.1, 0.001]) == 0.0)


def test_wiggle_rejects_bad_input(setup):
    params, x, y = setup
    with pytest.raises(ValueError, match="nudge"):
        wiggle(params, x, y, "W1[1,0]", 0.0)
    with pytest.raises(ValueError, match="not a parameter"):
        wiggle(params, x, y, "W3[0,0]", 0.1)
    with pytest.raises(ValueError, match="nudge"):
        slope_estimates(params, x, y, "W1[1,0]", [0.1, 0.0])


def test_explorer_widgets_carry_the_course_classes():
    explorer = WiggleExplorer()
    assert "downhill-wiggle" in explorer.widget._dom_classes
    assert "downhill-param" in explorer.param._dom_classes
    assert "downhill-nudge" in explorer.nudge._dom_classes
    assert "downhill-readout" in explorer.readout._dom_classes
    assert "downhill-plot" in explorer.live.image._dom_classes
    assert (explorer.param.label, explorer.param.name) == ("parameter", "parameter to wiggle")
    assert explorer.nudge.name == "nudge size"
    # a screen reader hears the nudge itself, not the option's index
    assert explorer.nudge.value_text() == "nudge = 0.3"
    assert list(explorer.param.options) == h.param_labels(h.load_params())
    assert len(explorer.param.options) == 31
    assert explorer.nudge.options == sorted(NUDGES)
    bundle = explorer._repr_mimebundle_()
    assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle


def test_moving_the_slider_updates_readout_and_picture(setup):
    params, x, y = setup
    explorer = WiggleExplorer(label="W1[1,0]", nudge=0.3)
    text, png = explorer.readout.value, explorer.live.image.value
    explorer.nudge.value = 0.01
    assert explorer.readout.value != text
    assert explorer.live.image.value != png
    shown = readout_numbers(explorer)
    before = my_loss(params, x, y)
    after = my_loss(my_nudged(params, "W1", (1, 0), 0.01), x, y)
    assert shown["nudge"] == 0.01
    assert shown["Δloss"] == pytest.approx(after - before, abs=5e-7)
    assert shown["Δloss / nudge"] == pytest.approx((after - before) / 0.01, abs=5e-5)
    assert shown["backprop gradient"] == pytest.approx(0.439, abs=5e-5)


def test_choosing_another_parameter_updates_readout_and_picture(setup):
    params, x, y = setup
    explorer = WiggleExplorer(label="W1[1,0]", nudge=0.1)
    png = explorer.live.image.value
    explorer.param.value = "b2[1]"
    assert "b2[1]" in explorer.readout.value
    assert explorer.live.image.value != png
    shown = readout_numbers(explorer)
    before = my_loss(params, x, y)
    after = my_loss(my_nudged(params, "b2", (1,), 0.1), x, y)
    assert shown["Δloss / nudge"] == pytest.approx((after - before) / 0.1, abs=5e-5)
    assert shown["backprop gradient"] == pytest.approx(-0.55, abs=5e-5)
    # the dead unit: zero gradient, and a small nudge changes nothing at all
    explorer.param.value = "W1[2,0]"
    shown = readout_numbers(explorer)
    assert shown["backprop gradient"] == 0.0 and shown["Δloss"] == 0.0
    assert "−0.0000" not in explorer.readout.value


def test_redraws_move_artists_instead_of_making_new_ones():
    explorer = WiggleExplorer()
    fig, n_lines = explorer.fig, [len(ax.lines) for ax in explorer.fig.axes]
    for label, nudge in [("b2[3]", 1.0), ("W2[0,1]", 0.001), ("W1[0,1]", 0.03)]:
        explorer.param.value = label
        explorer.nudge.value = nudge
    assert explorer.fig is fig
    assert [len(ax.lines) for ax in fig.axes] == n_lines
    # the plotted points sit where the math says
    assert np.allclose(explorer.there.get_xydata(), [[0.03, explorer.result["nudged_loss"]]])
    assert np.allclose(explorer.current.get_xydata(), [[0.03, explorer.result["slope_estimate"]]])


def test_redrawn_picture_equals_a_fresh_one():
    """Only the changed layers are redrawn: the result must look exactly like a fresh figure."""
    explorer = WiggleExplorer(label="W1[1,0]", nudge=0.3)
    for label, nudge in [("b2[1]", 1.0), ("W1[2,0]", 0.001), ("W2[3,1]", 0.1)]:
        explorer.param.value = label
        explorer.nudge.value = nudge
    fresh = WiggleExplorer(label="W2[3,1]", nudge=0.1)
    assert np.array_equal(pixels(explorer.live.image.value), pixels(fresh.live.image.value))
    assert np.array_equal(pixels(explorer.live.png()), pixels(fresh.live.image.value))


def test_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="slider"):
        WiggleExplorer(nudge=0.5)
    with pytest.raises(ValueError, match="span"):
        WiggleExplorer(span=0.5)


def test_the_alt_text_follows_the_parameter_and_the_nudge():
    explorer = WiggleExplorer(label="W1[1,0]", nudge=0.3)
    x, y = h.example()
    assert "W1[1,0]" in explorer.plot.alt and "nudged by 0.3" in explorer.plot.alt
    assert "+0.4390" in explorer.plot.alt                      # the chapter's gradient
    explorer.param.value = "b2[1]"
    explorer.nudge.value = 0.01
    r = wiggle(h.load_params(), x, y, "b2[1]", 0.01)
    alt = explorer.plot.alt
    assert "b2[1]" in alt and "nudged by 0.01" in alt and "−0.5500" in alt
    assert f"{r['nudged_loss']:.4f}" in alt
    for estimate in slope_estimates(h.load_params(), x, y, "b2[1]"):
        assert f"{estimate:+.3f}".replace("-", "−") in alt


def test_a_narrow_output_stacks_the_two_panels():
    explorer = WiggleExplorer()
    explorer.plot.width = 468
    assert explorer.layout.narrow and explorer.plot.css_width <= 468
    assert explorer.ax.get_position().y0 > explorer.ax_est.get_position().y1
    assert "nudged by 0.3" in explorer.plot.alt

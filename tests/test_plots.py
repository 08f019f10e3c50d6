"""The shared plot style and pictures."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

import helpers as h
from helpers import plots

matplotlib.use("Agg")

OKABE_ITO = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}


def test_the_cycle_and_signed_map_use_only_the_colour_blind_safe_palette():
    cycle = [to_hex(c) for c in plots.STYLE["axes.prop_cycle"].by_key()["color"]]
    assert set(cycle) <= OKABE_ITO and len(cycle) >= 6
    ends = {to_hex(plots.SIGNED_CMAP(0.0)), to_hex(plots.SIGNED_CMAP(1.0))}
    assert ends <= OKABE_ITO
    assert np.allclose(plots.SIGNED_CMAP(0.5)[:3], 1.0, atol=0.01)      # zero is white


def test_style_is_sized_for_a_projector():
    assert plots.STYLE["font.size"] >= 14 and plots.STYLE["lines.linewidth"] >= 2


@pytest.mark.parametrize("value, text", [(-0.001, "0.00"), (0.4999, "0.50"), (-0.25, "-0.25"),
                                         (np.nan, "nan"), (np.inf, "nan"), (2416.9, "2e3")])
def test_pixel_text(value, text):
    assert plots.pixel_text(value) == text


def test_update_image_rewrites_numbers_and_keeps_them_readable():
    fig, ax = plt.subplots()
    texts = plots.draw_image(ax, [0.0, 1.0, 0.2, 0.9])
    assert [t.get_text() for t in texts] == ["0.00", "1.00", "0.20", "0.90"]
    assert [t.get_color() for t in texts] == ["white", "black", "white", "black"]
    plots.update_image(ax, texts, [1.0, 0.0, -0.004, 0.7])
    assert [t.get_text() for t in texts] == ["1.00", "0.00", "0.00", "0.70"]
    assert [t.get_color() for t in texts] == ["black", "white", "white", "black"]
    assert np.array_equal(plots.pixel_mesh(ax).get_array(), [[1.0, 0.0], [0.0, 0.7]])
    plt.close(fig)


def test_show_task_draws_input_target_and_prediction():
    x, y = h.example()
    fig = plots.show_task(x, y, h.forward(h.load_params(), x))
    assert [ax.get_title() for ax in fig.axes] == ["input x", "target y (flipped)", "prediction ŷ"]
    shown = [[t.get_text() for t in ax.texts] for ax in fig.axes]
    assert shown[2] == ["0.10", "-0.10", "-0.05", "-0.25"]
    plt.close(fig)


def test_flip_grid_frames_right_and_wrong_predictions():
    X, Y = h.dataset()
    Y_hat = Y.copy()
    Y_hat[3] = 1 - Y_hat[3]                       # one wrong image
    fig = plots.flip_grid(X, Y_hat, Y, "one wrong")
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels.count("ŷ ✓") == 15 and labels.count("ŷ ✗") == 1 and labels.count("x") == 16
    assert fig.axes[0].get_title() == "one wrong"
    plt.close(fig)


def test_loop_diagram_names_the_four_stages():
    fig = plots.loop_diagram([0.1, -0.1, -0.05, -0.25], 0.89625, ("W1[1,0]", 0.439), 0.1)
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    for stage in ("forward pass", "loss", "gradients", "update", "0.896", "+0.439", "η = 0.1"):
        assert stage in text
    plt.close(fig)


def test_plot_losses_labels_its_axes():
    fig, ax = plt.subplots()
    plots.plot_losses(ax, [1.0, 0.5, 0.25])
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss (MSE)" and ax.get_yscale() == "log"
    plt.close(fig)


def _wcag(color_a, color_b):
    """Contrast ratio written out from WCAG 2.1's definition (independent of helpers.plots)."""
    def lum(c):
        c = np.where(np.asarray(c) <= 0.04045, np.asarray(c) / 12.92, ((np.asarray(c) + 0.055) / 1.055) ** 2.4)
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    a, b = sorted((lum(matplotlib.colors.to_rgb(color_a)), lum(matplotlib.colors.to_rgb(color_b))))
    return (b + 0.05) / (a + 0.05)


@pytest.mark.parametrize("value", np.linspace(-0.5, 1.5, 81))
def test_pixel_numbers_meet_4_5_to_1_on_every_grey(value):
    grey = matplotlib.colormaps[plots.PIXEL_CMAP](float(np.clip(value, 0, 1)))
    assert _wcag(plots.pixel_ink(value), grey) >= 4.5


def test_text_on_white_hues_meet_4_5_to_1():
    for name, hex_ in plots.TEXT_ON_WHITE.items():
        assert _wcag(hex_, "white") >= 4.5, name


def test_plot_losses_puts_a_zero_loss_on_the_floor_with_a_marker():
    fig, ax = plt.subplots()
    line = plots.plot_losses(ax, [0.9, 1e-5, 0.0, 0.0], label="η = 2")
    floor = plots.loss_floor([0.9, 1e-5, 0.0, 0.0])
    assert floor == pytest.approx(1e-7)                          # 100× below the lowest loss above 0
    assert line.get_ydata().tolist() == [0.9, 1e-5, floor, floor]
    markers = [m for m in ax.lines if m.get_label() == plots.ZERO_LABEL]
    assert len(markers) == 1 and markers[0].get_xdata().tolist() == [2, 3]
    assert ax.get_ylim()[0] < floor
    plt.close(fig)


@pytest.mark.parametrize("losses, words", [
    ([0.9, 0.5, 0.1], "the loss falls on every step, to 0.1"),
    ([0.9, 0.5, 0.6, 0.1], "the loss went up on 1 of 3 steps, ending at 0.1"),
    ([0.9, 5.0, 1e9], "the loss rose, from 0.9 to 1.0e9"),
])
def test_loss_trend_says_what_the_losses_did(losses, words):
    assert plots.loss_trend(losses) == words


def test_matches_counts_the_pixels_that_round_right():
    y = [1, 1, 0, 1]
    assert plots.matches([0.98, 1.02, 0.01, 1.0], y) == "every pixel rounds to its target (all within 0.1)"
    assert plots.matches([0.7, 1.0, 0.0, 1.0], y) == "every pixel rounds to its target"
    assert plots.matches([0.1, -0.1, -0.05, -0.25], y) == "1 of 4 pixels round to their target"
    assert plots.matches([np.nan] * 4, y) == "0 of 4 pixels round to their target"

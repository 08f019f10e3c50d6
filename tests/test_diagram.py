"""helpers/diagram.py: the network drawn with all of its parameters."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers as h
from helpers import diagram
from helpers.plots import SIGNED_CMAP


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_every_weight_is_an_edge_coloured_by_its_value():
    params = h.load_params()
    fig, ax = plt.subplots()
    drawn = diagram.draw_network(ax, params)
    weights = np.concatenate([params["W1"].ravel(), params["W2"].ravel()])
    assert len(drawn["edges"]) == weights.size == 24
    vmax = np.abs(weights).max()
    for line, w in zip(drawn["edges"], weights):
        expected = SIGNED_CMAP((w + vmax) / (2 * vmax))
        assert np.allclose(matplotlib.colors.to_rgba(line.get_color()), expected)
    # bigger weights draw thicker lines
    widths = np.array([line.get_linewidth() for line in drawn["edges"]])
    assert np.argmax(widths) == np.argmax(np.abs(weights))


def test_edges_join_the_right_nodes():
    params = h.load_params()
    fig, ax = plt.subplots()
    drawn = diagram.draw_network(ax, params)
    pos = diagram.layout(params)
    # W1[1, 0] is the edge from input 0 to hidden unit 1: the 4th edge in W1's row-major order
    line = drawn["edges"][1 * 4 + 0]
    assert np.allclose(line.get_xydata(), [pos["x"][0], pos["h"][1]])
    # W2[3, 1]: from hidden unit 1 to output 3, after the 12 edges of W1
    line = drawn["edges"][12 + 3 * 3 + 1]
    assert np.allclose(line.get_xydata(), [pos["h"][1], pos["y"][3]])


def test_all_31_numbers_are_written_on_the_figure():
    params = h.load_params()
    fig = diagram.network_figure(params)
    shown = texts(fig)
    for w in np.concatenate([params["W1"].ravel(), params["W2"].ravel()]):
        assert f"{w:+.2f}".replace("-", "−") in shown
    for key in ("b1", "b2"):
        for i, b in enumerate(params[key]):
            assert f"{key}[{i}] = {b:+.2f}".replace("-", "−") in shown
    assert "31" in fig.axes[0].get_title()
    assert len(fig.axes) == 2                     # the diagram and the colour bar
    assert "weight" in fig.axes[1].get_ylabel()


def test_with_an_input_the_nodes_show_the_forward_pass():
    params = h.load_params()
    x, _ = h.example()
    fig = diagram.network_figure(params, x=x)
    shown = texts(fig)
    # hand arithmetic from the chapter: z = [0.4, 0.5, -0.2], ŷ = [0.1, -0.1, -0.05, -0.25]
    for value in ("0.40", "0.50", "0.00", "0.10", "−0.10", "−0.05", "−0.25"):
        assert value in shown
    assert "z = −0.20  off" in shown              # hidden unit 2 is switched off by the ReLU
    assert sum("off" in t for t in shown) == 1


def test_gradients_can_be_drawn_too_and_zero_is_plain():
    params = h.load_params()
    x, y = h.example()
    fig = diagram.network_figure(h.backprop(params, x, y), quantity="gradient")
    shown = texts(fig)
    assert "+0.44" in shown and "b2[1] = −0.55" in shown and "b1[2] = 0.00" in shown
    assert "+0.00" not in shown and "−0.00" not in shown
    assert "gradient" in fig.axes[1].get_ylabel()


def test_an_edge_that_is_exactly_zero_is_dotted_grey_and_a_small_one_is_not():
    """Lesson 02 tells the zero gradients by their dotted edges: −0.01 must not look like 0."""
    params = h.load_params()
    x, y = h.example()
    grads = h.backprop(params, x, y)
    fig, ax = plt.subplots()
    drawn = diagram.draw_network(ax, grads)
    weights = np.concatenate([grads["W1"].ravel(), grads["W2"].ravel()])
    assert np.sum(weights == 0) == 10 and np.any((weights != 0) & (np.abs(weights) < 0.02))
    for line, w in zip(drawn["edges"], weights):
        dotted = line.get_linestyle() not in ("-", "solid")
        assert dotted == (w == 0), w
        if w == 0:
            assert matplotlib.colors.to_hex(line.get_color()) == matplotlib.colors.to_hex(diagram.ZERO_EDGE)
    alt = h.alt.description(diagram.network_figure(grads, quantity="gradient"))
    assert "11 of the 31 numbers are exactly 0 (10 of them on edges, drawn dotted)" in alt


def test_other_sizes_and_bad_input():
    params = h.init_params(n_hidden=6, seed=1)
    fig, ax = plt.subplots()
    drawn = diagram.draw_network(ax, params, x=[0, 1, 1, 0])
    assert len(drawn["edges"]) == 48
    with pytest.raises(ValueError, match="one image"):
        diagram.draw_network(ax, params, x=np.zeros((2, 4)))
    with pytest.raises(ValueError):
        diagram.draw_network(ax, params, x=[1, 0, 1])
    with pytest.raises(KeyError):
        diagram.network_figure({"W1": np.zeros((3, 4))})


def test_drawing_does_not_change_params():
    params = h.load_params()
    before = h.flatten(params).copy()
    diagram.network_figure(params, x=[1, 0, 1, 1])
    assert np.array_equal(h.flatten(params), before)

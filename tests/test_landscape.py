"""helpers/landscape.py: the loss over one or two parameters, and its pictures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.path import Path

import helpers as h
from helpers import landscape as ls


@pytest.fixture
def setup():
    params = h.load_params()
    x, y = h.example()
    return params, x, y


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def loss_with(params, x, y, values: dict) -> float:
    """The loss with some parameters replaced, one h.loss call at a time (the slow, obvious way)."""
    changed = h.copy_params(params)
    for label, value in values.items():
        key, index = h.parse_label(label, params)
        changed[key][index] = value
    return h.loss(changed, x, y)


def test_surface_shapes_and_grid_orientation(setup):
    params, x, y = setup
    P, Q, L = ls.loss_surface(params, x, y, "W1[1,0]", "b2[1]", span=0.5, n=11)
    assert P.shape == Q.shape == L.shape == (11, 11)
    # P changes along columns, Q along rows, centred on the current values 0.48 and 0.04
    assert np.allclose(P[0], np.linspace(0.48 - 0.5, 0.48 + 0.5, 11))
    assert np.allclose(P[:, 3], P[0, 3])
    assert np.allclose(Q[:, 0], np.linspace(0.04 - 0.5, 0.04 + 0.5, 11))
    assert np.allclose(Q[2], Q[2, 0])


def test_surface_matches_one_loss_call_per_point(setup):
    params, x, y = setup
    P, Q, L = ls.loss_surface(params, x, y, "W1[1,0]", "b2[1]", span=1.0, n=21)
    assert L[10, 10] == pytest.approx(0.89625, abs=1e-12)   # the middle is where you stand
    rng = np.random.default_rng(0)
    for i, j in rng.integers(0, 21, size=(12, 2)):
        expected = loss_with(params, x, y, {"W1[1,0]": P[i, j], "b2[1]": Q[i, j]})
        assert L[i, j] == pytest.approx(expected, rel=1e-12, abs=1e-14)


def test_surface_on_a_batch_and_with_a_center(setup):
    params, _, _ = setup
    X, Y = h.dataset()
    P, Q, L = ls.loss_surface(params, X, Y, "W2[3,1]", "b1[2]", span=2.0, n=9, center=(0.0, 1.0))
    assert P[0, 0] == pytest.approx(-2.0) and P[0, -1] == pytest.approx(2.0)
    assert Q[0, 0] == pytest.approx(-1.0) and Q[-1, 0] == pytest.approx(3.0)
    for i, j in [(0, 0), (4, 4), (8, 1), (3, 7)]:
        expected = loss_with(params, X, Y, {"W2[3,1]": P[i, j], "b1[2]": Q[i, j]})
        assert L[i, j] == pytest.approx(expected, rel=1e-12)


def test_the_dark_pixel_direction_is_flat(setup):
    """x[1] = 0, so W1[0,1] never reaches the output: the loss is constant along it."""
    params, x, y = setup
    P, Q, L = ls.loss_surface(params, x, y, "W1[0,1]", "b2[1]", n=15)
    assert np.allclose(L, L[:, :1])            # every row is constant along P
    assert np.ptp(L[:, 0]) > 0.5               # while b2[1] matters a lot


def test_surface_does_not_change_params(setup):
    params, x, y = setup
    before = h.flatten(params).copy()
    ls.loss_surface(params, x, y, "W1[1,0]", "b2[1]", n=5)
    ls.loss_slice(params, x, y, "W1[1,0]", n=5)
    assert np.array_equal(h.flatten(params), before)


def test_slice_matches_loss_and_tangent_slope_matches_backprop(setup):
    params, x, y = setup
    T, L = ls.loss_slice(params, x, y, "b2[1]", span=1.0, n=41)
    assert T.shape == L.shape == (41,)
    assert T[20] == pytest.approx(0.04)
    for i in (0, 7, 20, 33, 40):
        assert L[i] == pytest.approx(loss_with(params, x, y, {"b2[1]": T[i]}), rel=1e-12)
    # d/db2[1] of mean((ŷ - y)²) is (2/4)(ŷ[1] - y[1]) = 0.5 · (-0.1 - 1) = -0.55
    (g,) = ls.gradient_of(params, x, y, "b2[1]")
    assert g == pytest.approx(-0.55, abs=1e-12)
    line = ls.tangent(T, T[20], L[20], g)
    assert line[20] == pytest.approx(L[20])
    assert (line[-1] - line[0]) / (T[-1] - T[0]) == pytest.approx(g)


def test_gradient_of_matches_backprop_and_has_no_negative_zero(setup):
    params, x, y = setup
    grads = h.backprop(params, x, y)
    labels = h.param_labels(params)
    assert np.allclose(ls.gradient_of(params, x, y, labels), h.flatten(grads))
    (zero,) = ls.gradient_of(params, x, y, "W1[2,0]")         # dead hidden unit 2
    assert str(zero) == "0.0"
    assert ls.value_of(params, "W1[1,0]") == pytest.approx(0.48)


@pytest.mark.parametrize("kwargs, message", [
    (dict(p="W1[1,0]", q="W1[1,0]"), "two different"),
    (dict(p="W9[0,0]", q="b2[1]"), "not a parameter"),
    (dict(p="W1[1,0]", q="b2[4]"), "not a parameter"),
    (dict(p="W1[1,0]", q="b2[1]", span=0), "span"),
    (dict(p="W1[1,0]", q="b2[1]", n=1), "n must be"),
    (dict(p="W1[1,0]", q="b2[1]", center=(1.0,)), "center"),
])
def test_surface_rejects_bad_input_with_a_clear_message(setup, kwargs, message):
    params, x, y = setup
    with pytest.raises(ValueError, match=message):
        ls.loss_surface(params, x, y, **kwargs)


def test_draw_landscape_labels_and_contours(setup):
    params, x, y = setup
    P, Q, L = ls.loss_surface(params, x, y, "W1[1,0]", "b2[1]", n=21)
    fig, ax = plt.subplots()
    filled = ls.draw_landscape(ax, P, Q, L, "W1[1,0]", "b2[1]")
    assert "W1[1,0]" in ax.get_xlabel() and "b2[1]" in ax.get_ylabel()
    assert filled.levels.min() <= L.min() and filled.levels.max() >= L.max()
    assert len(fig.axes) == 2                                  # the plot and its colour bar
    with pytest.raises(ValueError):
        ls.draw_landscape(ax, P, Q, L[:-1], "p", "q")


def test_downhill_arrow_points_against_the_gradient():
    fig, ax = plt.subplots()
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    arrow = ls.draw_downhill_arrow(ax, 0.2, 0.1, 0.44, -0.55, length=0.5)
    (x1, y1), (x0, y0) = arrow.xy, arrow.xyann                # head, tail
    step = np.array([x1 - x0, y1 - y0])
    assert np.hypot(*step) == pytest.approx(0.5)
    assert np.allclose(step / np.hypot(*step), -np.array([0.44, -0.55]) / np.hypot(0.44, 0.55))
    assert ls.draw_downhill_arrow(ax, 0.0, 0.0, 0.0, 0.0) is None     # flat ground: no arrow


def test_figures_have_titles_and_the_you_are_here_marker(setup):
    params, x, y = setup
    fig = ls.landscape_figure(params, x, y, "W1[1,0]", "b2[1]", n=21)
    ax = fig.axes[0]
    assert ax.get_title()
    assert any(t.get_text() == "you are here" for t in ax.texts)
    marker = [line for line in ax.lines if line.get_marker() == "o"][0]
    assert np.allclose(marker.get_xydata(), [[0.48, 0.04]])

    fig = ls.slice_figure(params, x, y, "W1[1,0]")
    ax = fig.axes[0]
    assert "+0.44" in ax.get_title()
    assert ax.get_xlabel() == "value of W1[1,0]" and ax.get_ylabel() == "loss (MSE)"


# ---------------------------------------------------------------- where the loss is lowest, in words

def tied(L) -> np.ndarray:
    """Where the loss grid is lowest, ties included: computed here, not with the helper's code."""
    return np.isclose(L, L.min(), rtol=1e-9, atol=0.0)


def test_the_words_say_a_flat_direction_is_lowest_everywhere_and_at_the_top_edge(setup):
    """x[1] = 0: W1[0,1] changes nothing, and the loss falls all the way to the top edge b2[1] = +1.04."""
    params, x, y = setup
    P, Q, L = ls.loss_surface(params, x, y, "W1[0,1]", "b2[1]", span=1.0)
    rows, cols = np.nonzero(tied(L))
    assert set(cols) == set(range(L.shape[1]))             # every W1[0,1] of the map ties
    assert set(rows) == {L.shape[0] - 1}                   # at the top row: the edge of the window
    words = ls.landscape_words(P, Q, L, "W1[0,1]", "b2[1]")
    assert (f"the loss runs from {h.alt.number(L.min())} (lowest for every W1[0,1] shown, at "
            f"b2[1] = {Q[-1, 0]:+.2f}, on the map's top edge) to {h.alt.number(L.max())}.") in words
    assert "+1.04" in words and "W1[0,1] = " not in words  # no single W1[0,1] is named as the lowest
    fig = ls.landscape_figure(params, x, y, "W1[0,1]", "b2[1]", span=1.0)
    assert words in h.alt.description(fig)


def test_the_words_give_the_range_where_a_switched_off_unit_ties(setup):
    """Hidden unit 1 is off for W1[1,0] <= -0.02: the loss is the same there, down to the left edge."""
    params, x, y = setup
    P, Q, L = ls.loss_surface(params, x, y, "W1[1,0]", "b2[1]", span=1.0)
    rows, cols = np.nonzero(tied(L))
    (row,) = set(rows)
    assert sorted(cols) == list(range(cols.max() + 1))     # from the left edge, no gaps
    low, high = P[row, 0], P[row, cols.max()]
    assert f"{low:+.2f}" == "-0.52" and f"{high:+.2f}" == "-0.02"
    words = ls.landscape_words(P, Q, L, "W1[1,0]", "b2[1]")
    assert (f"(lowest for W1[1,0] from {low:+.2f} to {high:+.2f}, at b2[1] = {Q[row, 0]:+.2f}, "
            "reaching the map's left edge)") in words                     # a stretch up to the edge


def test_the_slice_words_give_the_flat_stretch_and_its_edge(setup):
    params, x, y = setup
    T, L = ls.loss_slice(params, x, y, "W1[1,0]", span=1.0, n=201)
    (at,) = np.nonzero(tied(L))
    assert at[0] == 0 and np.all(np.diff(at) == 1)
    # the slow, obvious way: one loss call at each end of the flat stretch
    assert loss_with(params, x, y, {"W1[1,0]": T[0]}) == pytest.approx(L.min(), rel=1e-12)
    assert loss_with(params, x, y, {"W1[1,0]": T[at[-1]]}) == pytest.approx(L.min(), rel=1e-12)
    text = h.alt.description(ls.slice_figure(params, x, y, "W1[1,0]", span=1.0))
    assert (f"it runs from {h.alt.number(L.min())} (for W1[1,0] from {T[0]:+.2f} to {T[at[-1]]:+.2f}, "
            f"reaching the plot's left edge) to {h.alt.number(L.max())}.") in text
    assert f"{T[at[-1]]:+.2f}" == "-0.02"


def test_the_slice_words_name_a_single_lowest_point_on_the_edge(setup):
    params, x, y = setup
    T, L = ls.loss_slice(params, x, y, "b2[1]", span=1.0)
    assert list(np.nonzero(tied(L))[0]) == [len(T) - 1]
    text = h.alt.description(ls.slice_figure(params, x, y, "b2[1]", span=1.0))
    assert f"(at b2[1] = {T[-1]:+.2f}, on the plot's right edge)" in text


def test_the_words_for_a_bowl_keep_the_single_lowest_point():
    """A lowest point inside the map: named as before, no edge, and a near-tie is not a tie."""
    P, Q = np.meshgrid(np.linspace(-1, 1, 21), np.linspace(-1, 1, 21))
    L = 0.5 + (P - 0.2) ** 2 + (Q + 0.1) ** 2
    words = ls.landscape_words(P, Q, L, "p", "q")
    assert "the loss runs from 0.5 (lowest at p = +0.20, q = -0.10) to " in words
    L[3, 4] = L.min() * (1 + 1e-12)                        # a tie, up to rounding
    L[5, 17] = L.min() * (1 + 1e-6)                        # close, but higher
    words = ls.landscape_words(P, Q, L, "p", "q")
    assert "(lowest at 2 points, p from -0.60 to +0.20 and q from -0.70 to -0.10)" in words
    flat = ls.landscape_words(P, Q, np.full_like(P, 0.25), "p", "q")
    assert flat.endswith("the loss is 0.25 everywhere on the map.")


# ---------------------------------------------------------------- the downhill arrow's label

def arrow_and_label(ax):
    fig = ax.figure
    fig.canvas.draw()
    (label,) = [t for t in ax.texts if t.get_text().startswith("downhill")]
    (arrow,) = [t for t in ax.texts if t.arrow_patch is not None]
    patch = arrow.arrow_patch
    path = patch.get_transform().transform_path(patch.get_path())          # display pixels
    pieces = [Path(piece) for piece in path.to_polygons(closed_only=False)]  # the shaft, the head
    box = label.get_bbox_patch().get_window_extent(fig.canvas.get_renderer())
    # the arrow's outline is 4 pt wide: grow the box by the whole width (half of it, and its mitre)
    grow = patch.get_linewidth() * fig.dpi / 72.0
    return pieces, box.padded(grow), box


def crosses(pieces, box) -> bool:
    return any(piece.intersects_bbox(box, filled=True) for piece in pieces)


def test_the_label_clears_the_arrow_for_every_direction():
    for angle in np.arange(0, 360, 15):
        fig, ax = plt.subplots(figsize=(6, 6))
        ax.set_xlim(-1, 1)
        ax.set_ylim(-1, 1)
        ax.set_aspect("equal")
        g = -np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])   # downhill at `angle`
        ls.draw_downhill_arrow(ax, 0.0, 0.0, *g, length=0.4)
        pieces, grown, _ = arrow_and_label(ax)
        assert not crosses(pieces, grown), f"the label covers an arrow pointing {angle}°"
        plt.close(fig)


@pytest.mark.parametrize("p, q", [("W1[1,0]", "b2[1]"), ("W1[0,1]", "b2[1]")])
def test_the_label_clears_the_arrow_and_stays_on_the_map(setup, p, q):
    params, x, y = setup
    fig = ls.landscape_figure(params, x, y, p, q, span=1.0,
                              title="Moving W1[0,1] changes nothing:\nthe downhill arrow ignores it")
    ax = fig.axes[0]
    pieces, grown, box = arrow_and_label(ax)
    assert not crosses(pieces, grown)
    inside = ax.get_window_extent()
    assert (inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1), \
        f"the label {box} leaves the map {inside}"

"""helpers/landscape.py: the loss over one or two parameters, and its pictures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

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

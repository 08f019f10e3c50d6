"""The loss as a landscape: how the loss changes when one or two of the 31 numbers move.

The math functions (`loss_along`, `loss_slice`, `loss_surface`, `gradient_of`) evaluate the
network for a whole grid of parameter values in one batched forward pass and return arrays.
The drawing functions (`draw_landscape`, `mark_position`, `draw_downhill_arrow`, `draw_slice`,
`landscape_figure`, `slice_figure`) take those numbers and draw them in the course style.

Parameters are named by labels such as "W1[1,0]" or "b2[3]" (see `helpers.param_labels`).
"""

from __future__ import annotations

import numbers

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .alt import describe, number
from .gradients import backprop
from .network import flatten, param_labels, parse_label
from .plots import PALETTE, styled
from .validate import PARAM_NAMES, check_example, check_params

#: Colour map of the landscape: dark valleys, light hilltops.
LANDSCAPE_CMAP = "cividis"
#: Grid points whose loss is within this fraction of the lowest loss count as lowest too (a tie).
TIE_RTOL = 1e-9
#: How far past the downhill arrow's tip its label starts, in points (clear of the head's outline).
LABEL_GAP = 10.0


# --------------------------------------------------------------------------- the math

def _check_count(value, name: str, smallest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < smallest:
        raise ValueError(f"{name} must be a whole number >= {smallest}; got {value!r}")
    return int(value)


def _check_positive(value, name: str) -> float:
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value)
            or value <= 0):
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    return float(value)


def _flat_index(params, label: str) -> int:
    """Position of `label` in `flatten(params)` (raises a helpful ValueError for a bad label)."""
    parse_label(label, params)
    return param_labels(params).index(label)


def _batched_losses(params: dict, x: np.ndarray, y: np.ndarray, thetas: np.ndarray) -> np.ndarray:
    """MSE for each row of thetas (m, 31): m networks evaluated at once. Returns (m,)."""
    shapes = [params[k].shape for k in PARAM_NAMES]
    sizes = [params[k].size for k in PARAM_NAMES]
    bounds = np.cumsum([0] + sizes)
    m = thetas.shape[0]
    W1, b1, W2, b2 = (thetas[:, a:b].reshape((m,) + s)
                      for a, b, s in zip(bounds[:-1], bounds[1:], shapes))
    X = np.atleast_2d(x)                                     # (k, 4)
    Y = np.atleast_2d(y)
    z = np.einsum("mhi,ki->mkh", W1, X) + b1[:, None, :]    # (m, k, n_hidden)
    h = np.maximum(z, 0.0)
    y_hat = np.einsum("moh,mkh->mko", W2, h) + b2[:, None, :]
    e = y_hat - Y
    return np.einsum("mko,mko->m", e, e) / Y.size


def loss_along(params, x, y, labels, values) -> np.ndarray:
    """The loss with the parameters named in `labels` set to `values`, all others as in params.

    labels: a list of k labels, e.g. ["W1[1,0]", "b2[1]"]. values: shape (m, k), one row per
    setting (or (m,) when k == 1). Returns the m losses, shape (m,), from one batched pass.
    """
    params, x, y = check_example(params, x, y)
    if isinstance(labels, str):
        labels = [labels]
    index = [_flat_index(params, label) for label in labels]
    if len(set(index)) != len(index):
        raise ValueError(f"each parameter may appear only once; got {list(labels)}")
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1 and len(index) == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[1] != len(index):
        raise ValueError(f"values must have shape (m, {len(index)}), one column per label; got {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite; they contain NaN or infinity")
    thetas = np.repeat(flatten(params)[None, :], values.shape[0], axis=0)
    thetas[:, index] = values
    return _batched_losses(params, x, y, thetas)


def _center_of(params, labels, center):
    theta = flatten(params)
    current = [float(theta[_flat_index(params, label)]) for label in labels]
    if center is None:
        return current
    center = np.atleast_1d(np.asarray(center, dtype=np.float64))
    if center.shape != (len(labels),) or not np.all(np.isfinite(center)):
        raise ValueError(f"center must be {len(labels)} finite number(s), one per parameter; got {center!r}")
    return [float(c) for c in center]


def loss_slice(params, x, y, p: str, span: float = 1.0, n: int = 201, center=None):
    """The loss along one parameter: p moves, the other 30 numbers stay put.

    p: a label such as "W1[1,0]". The values run over [c − span, c + span] where c is p's current
    value (or `center`). Returns (T, L): the n parameter values and the n losses, each (n,).
    """
    params, x, y = check_example(params, x, y)
    span = _check_positive(span, "span")
    n = _check_count(n, "n", 2)
    (c,) = _center_of(params, [p], None if center is None else [center])
    T = np.linspace(c - span, c + span, n)
    return T, loss_along(params, x, y, [p], T[:, None])


def loss_surface(params, x, y, p: str, q: str, span: float = 1.0, n: int = 61, center=None):
    """The loss over a grid of two parameters, p and q; the other 29 numbers stay put.

    p, q: labels such as "W1[1,0]" and "b2[1]". Each runs over [c − span, c + span] around its
    current value (or around center = (p0, q0)). Returns (P, Q, L), each (n, n): P changes along
    columns, Q along rows (ready for `ax.contourf(P, Q, L)`), L the loss at each point.
    """
    params, x, y = check_example(params, x, y)
    if p == q:
        raise ValueError(f"p and q must be two different parameters; got {p!r} twice")
    span = _check_positive(span, "span")
    n = _check_count(n, "n", 2)
    cp, cq = _center_of(params, [p, q], center)
    P, Q = np.meshgrid(np.linspace(cp - span, cp + span, n), np.linspace(cq - span, cq + span, n))
    L = loss_along(params, x, y, [p, q], np.column_stack([P.ravel(), Q.ravel()]))
    return P, Q, L.reshape(n, n)


def value_of(params, label: str) -> float:
    """The current value of the one number named by `label`."""
    key, index = parse_label(label, params)
    return float(check_params(params)[key][index])


def gradient_of(params, x, y, labels) -> np.ndarray:
    """Backprop's ∂L/∂w for each label (a str or a list of k labels). Returns shape (k,)."""
    if isinstance(labels, str):
        labels = [labels]
    grads = backprop(params, x, y)
    out = []
    for label in labels:
        key, index = parse_label(label, params)
        out.append(float(grads[key][index]) + 0.0)   # + 0.0 turns -0.0 into 0.0
    return np.array(out)


def tangent(T, t0: float, loss0: float, slope: float) -> np.ndarray:
    """The straight line through (t0, loss0) with the given slope, at the points T."""
    return loss0 + slope * (np.asarray(T, dtype=np.float64) - t0)


# --------------------------------------------------------------------------- the pictures

def draw_landscape(ax, P, Q, L, p_label: str, q_label: str, levels: int = 18, colorbar: bool = True):
    """Filled contours of the loss L over (P, Q), with thin contour lines; returns the contour set.

    P, Q, L: (n, n) grids from `loss_surface`. Dark means low loss (a valley), light means high.
    """
    P, Q, L = (np.asarray(a, dtype=np.float64) for a in (P, Q, L))
    if not (P.shape == Q.shape == L.shape) or L.ndim != 2:
        raise ValueError(f"P, Q and L must be 2-D grids of one shape; got {P.shape}, {Q.shape}, {L.shape}")
    if L.max() > L.min():
        lv = mpl.ticker.MaxNLocator(nbins=levels).tick_values(L.min(), L.max())
    else:
        lv = levels
    filled = ax.contourf(P, Q, L, levels=lv, cmap=LANDSCAPE_CMAP)
    describe(ax, landscape_words(P, Q, L, p_label, q_label))
    ax.contour(P, Q, L, levels=filled.levels, colors="white", linewidths=0.6, alpha=0.6)
    ax.set_xlabel(f"{p_label}  (parameter value)")
    ax.set_ylabel(f"{q_label}  (parameter value)")
    ax.grid(False)
    ax.set_aspect("equal", adjustable="box")
    if colorbar:
        bar = ax.figure.colorbar(filled, ax=ax, shrink=0.9)
        bar.set_label("loss (MSE)")
        bar.ax.tick_params(labelsize=11)
    return filled


def mark_position(ax, p_value: float, q_value: float, text: str = "you are here"):
    """A marker and a label at the current parameter values. Returns (marker, label) artists."""
    (marker,) = ax.plot([p_value], [q_value], marker="o", markersize=12, color=PALETTE["vermillion"],
                        markeredgecolor="white", markeredgewidth=2, linestyle="none", zorder=5)
    label = ax.annotate(text, (p_value, q_value), xytext=(10, 10), textcoords="offset points",
                        fontsize=13, fontweight="bold", color="white", zorder=6,
                        bbox=dict(boxstyle="round,pad=0.2", fc="0.1", alpha=0.9, lw=0))
    return marker, label


def draw_downhill_arrow(ax, p_value: float, q_value: float, grad_p: float, grad_q: float,
                        length: float | None = None, text: str = "downhill\n(minus the gradient)"):
    """An arrow from (p_value, q_value) along −(grad_p, grad_q): the steepest way down.

    length: the arrow's length in parameter units (default: a third of the visible x range).
    Returns the annotation artist, or None when the gradient is zero (no way is down).
    """
    g = np.array([grad_p, grad_q], dtype=np.float64)
    size = float(np.hypot(*g))
    if size == 0.0:
        return None
    if length is None:
        x0, x1 = ax.get_xlim()
        length = abs(x1 - x0) / 3.0
    end = np.array([p_value, q_value]) - length * g / size
    arrow = ax.annotate("", xy=tuple(end), xytext=(p_value, q_value), zorder=7,
                        arrowprops=dict(arrowstyle="-|>,head_width=0.5,head_length=0.9",
                                        color=PALETTE["orange"], lw=4, shrinkA=6, shrinkB=0))
    if text:
        # Beyond the tip, in the arrow's direction on screen, so the label never covers the arrow:
        # the box starts just past the head (straight ahead for a steep arrow, to the side for a
        # flat one), whichever way the arrow points.
        tip = ax.transData.transform(end)
        back = ax.transData.transform(end + 1e-3 * length * g / size)
        way = (tip - back) / max(float(np.hypot(*(tip - back))), 1e-12)
        if abs(way[1]) >= abs(way[0]):
            ha, va = "center", ("bottom" if way[1] > 0 else "top")
        else:
            ha, va = ("left" if way[0] > 0 else "right"), "center"
        # the palette's orange, on a near-black box (not see-through: 8:1 whatever the contours)
        ax.annotate(text, tuple(end), xytext=tuple(LABEL_GAP * way), textcoords="offset points",
                    ha=ha, va=va, fontsize=12, fontweight="bold", color=PALETTE["orange"], zorder=7,
                    bbox=dict(boxstyle="round,pad=0.2", fc="0.1", alpha=0.9, lw=0))
    return arrow


def draw_slice(ax, T, L, p_label: str, t0: float, loss0: float, slope: float,
               tangent_half_width: float | None = None) -> dict:
    """The loss along one parameter (curve), its tangent at t0 with the given slope, and the point.

    T, L: (n,) from `loss_slice`. Returns {"curve", "tangent", "point"} Line2D artists, so a
    widget can move them with set_data instead of drawing a new figure.
    """
    T = np.asarray(T, dtype=np.float64)
    L = np.asarray(L, dtype=np.float64)
    if tangent_half_width is None:
        tangent_half_width = (T[-1] - T[0]) / 4.0
    Tt = np.array([t0 - tangent_half_width, t0 + tangent_half_width])
    (curve,) = ax.plot(T, L, color=PALETTE["blue"], label="loss along this parameter")
    (tan,) = ax.plot(Tt, tangent(Tt, t0, loss0, slope), color=PALETTE["vermillion"], linestyle="--",
                     label=f"tangent, slope = backprop gradient = {slope:+.3f}")
    (point,) = ax.plot([t0], [loss0], marker="o", markersize=11, color=PALETTE["vermillion"],
                       markeredgecolor="white", markeredgewidth=1.5, linestyle="none", zorder=5,
                       label="you are here")
    ax.set_xlabel(f"value of {p_label}")
    ax.set_ylabel("loss (MSE)")
    return {"curve": curve, "tangent": tan, "point": point}


@styled
def landscape_figure(params, x, y, p: str, q: str, span: float = 1.0, n: int = 61,
                     title: str | None = None) -> plt.Figure:
    """The foggy hillside: loss contours over p and q, "you are here", and the downhill arrow."""
    P, Q, L = loss_surface(params, x, y, p, q, span=span, n=n)
    p0, q0 = value_of(params, p), value_of(params, q)
    gp, gq = gradient_of(params, x, y, [p, q])
    fig, ax = plt.subplots(figsize=(8.0, 6.5))
    draw_landscape(ax, P, Q, L, p, q)
    mark_position(ax, p0, q0)
    draw_downhill_arrow(ax, p0, q0, gp, gq)
    ax.set_title(title or "Downhill is minus the gradient:\nthe arrow crosses the contour lines at right angles")
    loss0 = float(loss_along(params, x, y, [p, q], [[p0, q0]])[0])
    describe(fig, f"{ax.get_title()}. " + landscape_words(P, Q, L, p, q)
             + f" You are here: {p} = {p0:+.2f}, {q} = {q0:+.2f}, loss {number(loss0)}. The gradient "
             f"there is ({gp:+.3f}, {gq:+.3f}), so the downhill arrow points along "
             f"({-gp + 0.0:+.3f}, {-gq + 0.0:+.3f}): " + _direction(-gp, -gq) + ".")
    return fig


def landscape_words(P, Q, L, p_label: str, q_label: str) -> str:
    """A contour map of the loss in words: its ranges and where its lowest point is."""
    P, Q, L = (np.asarray(a, dtype=np.float64) for a in (P, Q, L))
    ranges = (f"Contour map of the loss over {p_label} ({P.min():+.2f} to {P.max():+.2f}) and {q_label} "
              f"({Q.min():+.2f} to {Q.max():+.2f}), dark low, light high: ")
    if lowest_points(L).all():
        return ranges + f"the loss is {number(L.min())} everywhere on the map."
    where = where_lowest(L, [(P, p_label, ("left", "right")), (Q, q_label, ("bottom", "top"))], "map")
    return ranges + f"the loss runs from {number(L.min())} (lowest {where}) to {number(L.max())}."


def lowest_points(L) -> np.ndarray:
    """True where the loss L is the lowest, up to a tiny relative tolerance (TIE_RTOL): ties count."""
    L = np.asarray(L, dtype=np.float64)
    low = L.min()
    return L <= low + TIE_RTOL * abs(low)


def where_lowest(L, axes, place: str) -> str:
    """Where L is lowest, in words: "at p = -0.52, q = +0.91", "for every p shown, at q = +1.04, on
    the map's top edge", "for p from -0.52 to -0.02, reaching the plot's left edge".

    L: the losses, any shape. axes: one (values, label, (low edge, high edge)) per parameter, values
    of L's shape (P and Q from `loss_surface`, or T from `loss_slice`), the edges named as on the
    picture ("left", "right"). place: what the picture is called ("map", "plot"). A lowest point on
    an edge of the window is said to be there: beyond it, the loss may fall further.
    """
    low = lowest_points(L)
    phrases, singles, edges, block, gaps = [], [], [], 1, False
    for values, label, (low_edge, high_edge) in axes:
        shown = np.unique(values)                                        # the grid's values, sorted
        at = np.searchsorted(shown, np.unique(np.asarray(values)[low]))  # which of them are lowest
        first, last = shown[at[0]], shown[at[-1]]
        block *= at.size
        gaps |= bool(at[-1] - at[0] + 1 != at.size)
        singles.append(f"{label} = {first:+.2f}" if at.size == 1 else None)
        if at.size == shown.size:                                        # flat this way: no edge to name
            phrases.append(f"for every {label} shown")
            continue
        phrases.append(f"at {singles[-1]}" if singles[-1] else f"for {label} from {first:+.2f} to {last:+.2f}")
        touches = "on" if at.size == 1 else "reaching"      # all on that edge, or a stretch up to it
        edges += [(touches, low_edge)] if at[0] == 0 else []
        edges += [(touches, high_edge)] if at[-1] == shown.size - 1 else []
    if gaps or int(low.sum()) != block:                                  # scattered lowest points
        words = f"at {int(low.sum())} points, " + " and ".join(
            f"{label} from {np.asarray(v)[low].min():+.2f} to {np.asarray(v)[low].max():+.2f}"
            for v, label, _ in axes)
    elif all(singles):                                                   # one point: "at p = …, q = …"
        words = "at " + ", ".join(singles)
    else:
        words = ", ".join(phrases)
    for touches in ("on", "reaching"):
        names = [name for how, name in edges if how == touches]
        if names:
            words += f", {touches} the {place}'s {' and '.join(names)} edge" + ("s" if len(names) > 1 else "")
    return words


def _direction(dp: float, dq: float) -> str:
    """"left and up", "straight up", …: which way (dp, dq) points on the map."""
    size = np.hypot(dp, dq)
    if size == 0:
        return "nowhere"
    horizontal = "right" if dp > 0.05 * size else "left" if dp < -0.05 * size else ""
    vertical = "up" if dq > 0.05 * size else "down" if dq < -0.05 * size else ""
    if horizontal and vertical:
        return f"{horizontal} and {vertical}"
    return f"straight {horizontal or vertical}"


@styled
def slice_figure(params, x, y, p: str, span: float = 1.0, n: int = 201,
                 title: str | None = None) -> plt.Figure:
    """The loss along one parameter with the tangent line whose slope is backprop's gradient."""
    T, L = loss_slice(params, x, y, p, span=span, n=n)
    t0 = value_of(params, p)
    (g,) = gradient_of(params, x, y, [p])
    loss0 = float(loss_along(params, x, y, [p], [[t0]])[0])
    fig, ax = plt.subplots(figsize=(8.0, 4.8))
    draw_slice(ax, T, L, p, t0, loss0, g)
    ax.legend(loc="best")
    ax.set_title(title or f"Along {p}, the tangent's slope is\nthe backprop gradient, {g:+.2f}")
    if lowest_points(L).all():
        runs = f"it is {number(L.min())} all along"
    else:
        where = where_lowest(L, [(T, p, ("left", "right"))], "plot")
        runs = f"it runs from {number(L.min())} ({where}) to {number(L.max())}"
    describe(fig, f"{ax.get_title()}. The loss along {p} from {T[0]:+.2f} to {T[-1]:+.2f}, the other "
             f"numbers held: {runs}. "
             f"You are here at {p} = {t0:+.2f}, loss {number(loss0)}; the dashed tangent there has "
             f"slope {g:+.3f}, the backprop gradient.")
    return fig


__all__ = [
    "LABEL_GAP", "LANDSCAPE_CMAP", "TIE_RTOL", "draw_downhill_arrow", "draw_landscape", "draw_slice",
    "gradient_of", "landscape_figure", "landscape_words", "loss_along", "loss_slice", "loss_surface",
    "lowest_points", "mark_position", "slice_figure", "tangent", "value_of", "where_lowest",
]

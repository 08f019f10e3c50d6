"""A picture of the whole network: every node, every weight as a coloured edge, every bias.

    fig = network_figure(h.load_params(), x=[1, 0, 1, 1])

Edges are coloured by their weight with `plots.SIGNED_CMAP` (blue negative, white zero, orange
positive; a colour bar shows the scale) and are thicker the larger the weight. An edge whose number
is exactly 0 is a thin dotted grey line instead, so it cannot be mistaken for a small number. Each weight's value
is written on its edge, each bias under its node, so all 31 numbers of the chapter's network are
on the page. Given an input x, the nodes show the values flowing through: the pixels, the hidden
units h (a unit switched off by the ReLU is greyed out) and the prediction ŷ.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .alt import describe, numbers
from .network import _forward, param_labels
from .plots import PALETTE, SIGNED_CMAP, styled
from .validate import check_params, check_x

NODE_RADIUS = 0.27
#: Horizontal distance between layers (vertical distance between nodes is 1).
LAYER_GAP = 3.0
PIXEL_NAMES = ("a", "b", "c", "d")
#: Where along an edge its weight is written (fraction of the way from the layer with more nodes).
LABEL_AT = 0.24
#: The colour of an edge whose number is exactly 0 (drawn dotted): 4.6:1 on white, like its label's box.
ZERO_EDGE = "0.45"


def _column(n: int, x: float) -> np.ndarray:
    """n node centres stacked in a column at horizontal position x, centred on y = 0."""
    return np.column_stack([np.full(n, x), (n - 1) / 2.0 - np.arange(n)])


def layout(params) -> dict:
    """Node centres {"x": (n_in, 2), "h": (n_hidden, 2), "y": (n_out, 2)} in data coordinates."""
    params = check_params(params)
    n_hidden, n_in = params["W1"].shape
    n_out = params["W2"].shape[0]
    return {"x": _column(n_in, 0.0), "h": _column(n_hidden, LAYER_GAP), "y": _column(n_out, 2 * LAYER_GAP)}


def _fmt(value: float) -> str:
    value = round(float(value), 2) + 0.0          # no "-0.00"
    return "0.00" if value == 0 else f"{value:+.2f}".replace("-", "−")


def draw_network(ax, params, x=None, show_weights: bool = True, vmax: float | None = None) -> dict:
    """Draw the network on `ax`. Returns {"edges": [...], "weight_texts": [...], "norm": Normalize}.

    params: the parameter dict (W1 (n_hidden, 4), b1, W2 (4, n_hidden), b2). x: optional input (4,);
    when given, every node shows its value. vmax: the weight magnitude at the ends of the colour scale
    (default: the largest |weight|).
    """
    params = check_params(params)
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    pos = layout(params)
    values = None
    if x is not None:
        x = check_x(x, W1.shape[1])
        if x.ndim != 1:
            raise ValueError(f"x must be one image of shape ({W1.shape[1]},); got {x.shape}")
        z, h_act, y_hat = _forward(params, x)
        values = {"x": x, "z": z, "h": h_act, "y": y_hat}
    if vmax is None:
        vmax = float(max(np.abs(W1).max(), np.abs(W2).max(), 1e-12))
    norm = mpl.colors.Normalize(vmin=-vmax, vmax=vmax)

    edges, weight_texts = [], []
    for W, src, dst, label_from_dst in ((W1, pos["x"], pos["h"], False), (W2, pos["h"], pos["y"], True)):
        for (j, i), w in np.ndenumerate(W):                 # W[j, i]: from source i to target j
            (x0, y0), (x1, y1) = src[i], dst[j]
            # gid: the edge carries its own label (a figure audit does not count that as an overlap)
            if w == 0:
                # exactly zero: dotted grey, so it cannot be taken for a small number drawn pale
                colour = ZERO_EDGE
                (line,) = ax.plot([x0, x1], [y0, y1], color=colour, linestyle=(0, (1.5, 2.5)), zorder=1,
                                  linewidth=1.8, gid="labelled-edge")
            else:
                colour = SIGNED_CMAP(norm(w))
                width = 1.0 + 6.0 * abs(w) / vmax
                (line,) = ax.plot([x0, x1], [y0, y1], color=colour, solid_capstyle="butt", zorder=1,
                                  linewidth=width, gid="labelled-edge")
                # a thin grey rim, so that pale (near-zero) edges stay visible on white
                ax.plot([x0, x1], [y0, y1], color="0.7", linewidth=width + 1.2, solid_capstyle="butt",
                        zorder=0.9, gid="labelled-edge rim")
            edges.append(line)
            if show_weights:
                t = 1.0 - LABEL_AT if label_from_dst else LABEL_AT
                tx, ty = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                weight_texts.append(ax.text(tx, ty, _fmt(w), ha="center", va="center", fontsize=10,
                                            zorder=3, bbox=dict(boxstyle="round,pad=0.12", fc="white",
                                                                ec=colour, lw=1.2)))

    def node(center, text, face="white", text_colour="black", edge="black"):
        ax.add_patch(mpl.patches.Circle(center, NODE_RADIUS, facecolor=face, edgecolor=edge,
                                        linewidth=2, zorder=4))
        if text:
            ax.text(*center, text, ha="center", va="center", fontsize=12, fontweight="bold",
                    color=text_colour, zorder=5)

    for i, c in enumerate(pos["x"]):
        if values is None:
            node(c, "")
        else:
            v = float(values["x"][i])
            shade = float(np.clip(v, 0, 1))
            node(c, f"{v:g}", face=str(shade), text_colour="black" if shade > 0.5 else "white")
        name = PIXEL_NAMES[i] if len(pos["x"]) == len(PIXEL_NAMES) else str(i)
        ax.text(c[0] - NODE_RADIUS - 0.1, c[1], f"x[{i}] ({name})", ha="right", va="center", fontsize=12)
    for j, c in enumerate(pos["h"]):
        if values is None:
            node(c, "")
        else:
            dead = values["z"][j] <= 0
            node(c, f"{values['h'][j] + 0.0:.2f}", face="0.85" if dead else "white",
                 edge="0.5" if dead else "black", text_colour="0.35" if dead else "black")
            ax.text(c[0], c[1] + NODE_RADIUS + 0.05, f"z = {_fmt(values['z'][j])}" + ("  off" if dead else ""),
                    ha="center", va="bottom", fontsize=10, color="0.3", zorder=5)
        ax.text(c[0], c[1] - NODE_RADIUS - 0.05, f"b1[{j}] = {_fmt(b1[j])}", ha="center", va="top",
                fontsize=10.5, fontweight="bold", color=PALETTE["black"], zorder=5,
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))
    for k, c in enumerate(pos["y"]):
        node(c, "" if values is None else f"{values['y'][k]:.2f}".replace("-", "−"))
        ax.text(c[0] + NODE_RADIUS + 0.1, c[1] + 0.04, f"ŷ[{k}]", ha="left", va="bottom", fontsize=12)
        ax.text(c[0] + NODE_RADIUS + 0.1, c[1] - 0.04, f"b2[{k}] = {_fmt(b2[k])}", ha="left", va="top",
                fontsize=10.5, fontweight="bold", zorder=5)

    top = max(p[:, 1].max() for p in pos.values()) + 0.8
    for key, text in (("x", "input x"), ("h", "hidden h = relu(W1·x + b1)"), ("y", "output ŷ = W2·h + b2")):
        ax.text(pos[key][0, 0], top, text, ha="center", va="bottom", fontsize=13, fontweight="bold")
    for text, where in (("weights W1", 0.5), ("weights W2", 1.5)):
        ax.text(where * LAYER_GAP, top - 0.05, text, ha="center", va="top", fontsize=12, style="italic",
                color="0.3")
    ax.set_xlim(-1.55, 2 * LAYER_GAP + 1.75)
    ax.set_ylim(-top + 0.3, top + 0.45)
    ax.set_aspect("equal")
    ax.axis("off")
    describe(ax, _words(params, values))
    return {"edges": edges, "weight_texts": weight_texts, "norm": norm}


def _words(params, values, quantity: str = "weight") -> str:
    """The network drawing in words: its shape, the range of each weight matrix, the biases and,
    given an input, the values flowing through."""
    n_hidden, n_in = params["W1"].shape
    n_out = params["W2"].shape[0]
    parts = [f"The network, {n_in} inputs → {n_hidden} hidden units → {n_out} outputs, every line "
             f"a {quantity} and every node after the inputs a bias"]
    for key in ("W1", "W2"):
        W = params[key]
        parts.append(f"{quantity}s {key} from {W.min() + 0.0:+.2f} to {W.max() + 0.0:+.2f}")
    parts.append(f"b1 = {numbers(params['b1'])}, b2 = {numbers(params['b2'])}")
    text = "; ".join(parts) + "."
    if values is not None:
        off = [str(j) for j, z in enumerate(values["z"]) if z <= 0]
        text += (f" For the input x = {numbers(values['x'], 0)}: z = {numbers(values['z'])}, "
                 f"h = {numbers(values['h'])}"
                 + (f" (hidden unit{'s' * (len(off) > 1)} {', '.join(off)} switched off)" if off else "")
                 + f", prediction ŷ = {numbers(values['y'])}.")
    return text


@styled
def network_figure(params, x=None, title: str | None = None, show_weights: bool = True,
                   quantity: str = "weight") -> plt.Figure:
    """The whole network in one figure, with a colour bar for the weights. Returns the Figure.

    params: the parameter dict, or any dict of the same shapes, e.g. the gradients from
    `h.backprop` (then pass quantity="gradient" so the colour bar says so).
    """
    params = check_params(params)
    fig, ax = plt.subplots(figsize=(13.0, 7.0))
    drawn = draw_network(ax, params, x=x, show_weights=show_weights)
    bar = fig.colorbar(mpl.cm.ScalarMappable(norm=drawn["norm"], cmap=SIGNED_CMAP), ax=ax,
                       shrink=0.7, pad=0.0, aspect=25)
    bar.set_label(f"{quantity} (blue −, orange +)")
    n = sum(v.size for v in params.values())
    ax.set_title(title or f"All {n} numbers: {params['W1'].size + params['W2'].size} weights on the edges, "
                 f"{params['b1'].size + params['b2'].size} biases on the nodes")
    values = None
    if x is not None:
        z, h_act, y_hat = _forward(params, check_x(x, params["W1"].shape[1]))
        values = {"x": check_x(x, params["W1"].shape[1]), "z": z, "h": h_act, "y": y_hat}
    flat = np.concatenate([np.ravel(params[k]) for k in ("W1", "b1", "W2", "b2")])
    labels = param_labels(params)
    biggest = int(np.argmax(np.abs(flat)))
    zeros = int(np.sum(flat == 0))
    zero_edges = int(np.sum(params["W1"] == 0) + np.sum(params["W2"] == 0))
    dotted = f" ({zero_edges} of them on edges, drawn dotted)" if zero_edges else ""
    describe(fig, f"{ax.get_title()}. {_words(params, values, quantity)} "
             f"{zeros} of the {n} numbers are exactly 0{dotted}; the largest in size is {labels[biggest]} = "
             f"{flat[biggest] + 0.0:+.3f}.")
    return fig


__all__ = ["draw_network", "layout", "network_figure"]

"""Find what makes a figure hard to read: text on text, text struck through or hiding a data line,
text cut off at the figure's edge, and text whose colour is too faint for its background.

    problems = audit(fig)        # [] when the figure is fine; else one sentence per problem

Everything is measured on the figure as drawn: the text artists and lines that a draw actually
renders (tick labels outside the view are not drawn), their extents in pixels, and for contrast
the pixels behind each text, rendered with the text made transparent (a text's own box stays).
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib as mpl
import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: WCAG 2.1 AA for text (the brief asks it of all text drawn in a figure, large or small).
MIN_CONTRAST = 4.5
#: A line whose gid starts with this is the thing its own labels sit on (the network's edges).
LABELLED = "labelled-edge"


def luminance(rgb) -> np.ndarray:
    """WCAG relative luminance of sRGB colours in [0, 1], shape (..., 3) → (...)."""
    c = np.asarray(rgb, dtype=float)
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return c @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a, b) -> np.ndarray:
    la, lb = luminance(a), luminance(b)
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


@contextmanager
def _everything_drawn(fig):
    """Draw animated artists too (a LiveFigure's moving parts are animated)."""
    animated = [a for a in fig.findobj() if a.get_animated()]
    for a in animated:
        a.set_animated(False)
    try:
        yield
    finally:
        for a in animated:
            a.set_animated(True)


def _agg(fig):
    """A closed pyplot figure loses its Agg canvas: give it one back (to draw it in memory)."""
    if not hasattr(fig.canvas, "buffer_rgba"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        FigureCanvasAgg(fig)


def _pin_layout(fig) -> None:
    """Lay the figure out as it is saved, then pin it: every later draw puts each text in one place."""
    if fig.get_layout_engine() is not None and not getattr(fig, "_audit_pinned", False):
        fig.canvas.draw()
        fig.set_layout_engine("none")
    fig._audit_pinned = True


def drawn_texts(fig):
    """[(text, glyph extent, box extent or None)] for every non-empty text the figure draws.

    The figure's layout is pinned first (a constrained layout moves things a little on each draw).
    """
    _agg(fig)
    _pin_layout(fig)
    seen = []
    original = Text.draw

    def recording(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip() and self not in [s for s, *_ in seen]:
            extent = self.get_window_extent(renderer)
            patch = self.get_bbox_patch()
            box = patch.get_window_extent(renderer) if patch is not None and patch.get_visible() else None
            seen.append((self, extent, box))

    Text.draw = recording
    try:
        with _everything_drawn(fig):
            fig.canvas.draw()
    finally:
        Text.draw = original
    return seen


def _name(text) -> str:
    return repr(" ".join(text.get_text().split())[:40])


def _overlap(a: Bbox, b: Bbox, margin: float) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > -margin) and (min(a.y1, b.y1) - max(a.y0, b.y0) > -margin)


def _data_lines(fig):
    for ax in fig.axes:
        for line in ax.lines:
            if line.get_visible() and not str(line.get_gid() or "").startswith(LABELLED):
                yield ax, line


def _inside(box: Bbox, points) -> np.ndarray:
    return ((points[:, 0] >= box.x0) & (points[:, 0] <= box.x1)
            & (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1))


def _line_hits(line, ax, box: Bbox) -> bool:
    """Does the line (its segments or its markers), clipped to its Axes, pass through box?"""
    clip = ax.bbox if line.get_clip_on() else line.figure.bbox
    inside = Bbox.intersection(box, clip)
    if inside is None or inside.width <= 0 or inside.height <= 0:
        return False
    path = line.get_transform().transform_path(line.get_path())
    vertices = path.vertices[np.all(np.isfinite(path.vertices), axis=1)]
    if vertices.size == 0:
        return False
    style = line.get_linestyle()
    if style not in ("None", "none", "", " ") and len(vertices) > 1:
        if mpl.path.Path(vertices).intersects_bbox(inside, filled=False):
            return True
        # a segment wholly inside the box does not cross its edges
        if np.any(_inside(inside, vertices)):
            return True
    if line.get_marker() not in (None, "None", "none", "", " "):
        r = line.get_markersize() * fig_dpi(line) / 72.0 / 2.0
        grown = Bbox.from_extents(inside.x0 - r, inside.y0 - r, inside.x1 + r, inside.y1 + r)
        if np.any(_inside(grown, vertices)):
            return True
    return False


def fig_dpi(artist) -> float:
    return artist.figure.dpi


def overlap_problems(fig, texts=None, margin: float = 3.0) -> list[str]:
    """Texts that touch each other (closer than `margin` px) or a data line, or leave the figure."""
    texts = drawn_texts(fig) if texts is None else texts
    problems = []
    outer = fig.bbox
    for i, (a, ea, ba) in enumerate(texts):
        area_a = ba or ea
        if (area_a.x0 < outer.x0 - 1 or area_a.y0 < outer.y0 - 1 or area_a.x1 > outer.x1 + 1
                or area_a.y1 > outer.y1 + 1):
            problems.append(f"text {_name(a)} is cut off at the figure's edge")
        for b, eb, bb in texts[i + 1:]:
            if _overlap(area_a, bb or eb, margin):
                problems.append(f"text {_name(a)} touches text {_name(b)}")
        for ax, line in _data_lines(fig):
            if _line_hits(line, ax, ea):
                problems.append(f"line {line.get_label()!r} runs through text {_name(a)}")
            elif ba is not None and _line_hits(line, ax, ba):
                problems.append(f"the box of text {_name(a)} hides line {line.get_label()!r}")
    return problems


def _pixels_behind_texts(fig) -> np.ndarray:
    """The figure rendered without the glyphs of any text (a text's own box is still drawn)."""
    original = Text.draw

    def box_only(self, renderer):
        if self.get_visible() and self.get_text() != "" and self.get_bbox_patch() is not None:
            self.update_bbox_position_size(renderer)
            self.get_bbox_patch().draw(renderer)

    Text.draw = box_only
    try:
        with _everything_drawn(fig):
            fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[:, :, :3] / 255.0
    finally:
        Text.draw = original
        with _everything_drawn(fig):
            fig.canvas.draw()


def contrast_problems(fig, texts=None, minimum: float = MIN_CONTRAST) -> list[str]:
    """Texts whose colour has less than `minimum`:1 contrast with the pixels behind them."""
    texts = drawn_texts(fig) if texts is None else texts
    inks = [to_rgba(t.get_color(), t.get_alpha()) for t, _, _ in texts]
    pixels = _pixels_behind_texts(fig)
    height = pixels.shape[0]
    problems = []
    for (t, extent, _), rgba in zip(texts, inks):
        x0, x1 = int(max(0, np.floor(extent.x0))), int(min(pixels.shape[1], np.ceil(extent.x1)))
        y0, y1 = int(max(0, height - np.ceil(extent.y1))), int(min(height, height - np.floor(extent.y0)))
        if x1 <= x0 or y1 <= y0:
            continue
        behind = pixels[y0:y1, x0:x1].reshape(-1, 3)
        typical = np.median(behind, axis=0)
        ink = np.array(rgba[:3]) * rgba[3] + typical * (1 - rgba[3])
        worst = float(np.percentile(contrast(ink, behind), 10))   # a stray grid line may cross a few pixels
        if worst < minimum:
            problems.append(f"text {_name(t)} in {mpl.colors.to_hex(ink)} has contrast {worst:.2f}:1 "
                            f"on {mpl.colors.to_hex(typical)} (needs {minimum}:1)")
    return problems


def audit(fig) -> list[str]:
    """Every overlap and contrast problem of a figure, one sentence each ([] when it is fine)."""
    texts = drawn_texts(fig)
    return overlap_problems(fig, texts) + contrast_problems(fig, texts)


# ----------------------------------------------------------------------------------------------
# The figures a notebook draws
# ----------------------------------------------------------------------------------------------

def notebook_figures(path, replace=None):
    """Run a notebook's code cells in this process, from its folder; returns [(cell index, figure,
    how it was shown)] for every figure it draws. how: "show" (through helpers' show, with its
    Picture) or "pyplot" (left open for Jupyter's inline backend to draw, without a text alternative).

    replace: {cell index: new source}, e.g. to answer an exercise wrongly.
    """
    import os
    from pathlib import Path

    import IPython.display
    import matplotlib.pyplot as plt
    import nbformat

    import helpers
    try:
        from helpers import alt
    except ImportError:                     # helpers without text alternatives (an older version)
        alt = None

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    found = []
    current = [0]
    def recording_show(fig=None, alt_text=None, **kwargs):
        fig = plt.gcf() if fig is None else fig
        shown = alt.picture(fig, kwargs.get("alt", alt_text))
        found.append((current[0], fig, shown))
        plt.close(fig)

    def collect_open():
        for number in plt.get_fignums():
            fig = plt.figure(number)
            found.append((current[0], fig, "pyplot"))
        plt.close("all")

    namespace = {"__name__": "__main__"}
    saved = (helpers.show if hasattr(helpers, "show") else None, alt.show if alt else None, plt.show,
             IPython.display.display, os.getcwd())
    try:
        if alt is not None:
            alt.show = recording_show
        if saved[0] is not None:
            helpers.show = recording_show
        plt.show = lambda *a, **k: None
        IPython.display.display = lambda *a, **k: None
        os.chdir(path.parent)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            current[0] = index
            source = (replace or {}).get(index, cell.source)
            try:
                exec(compile(source, f"{path.name}[{index}]", "exec"), namespace)
            except Exception as error:                         # an exercise stub, or a failed check
                if "raises-exception" not in cell.metadata.get("tags", []):
                    raise
                namespace["_last_error"] = error
            collect_open()
    finally:
        if saved[0] is not None:
            helpers.show = saved[0]
        if alt is not None:
            alt.show = saved[1]
        plt.show, IPython.display.display = saved[2], saved[3]
        os.chdir(saved[4])
    return found


# ----------------------------------------------------------------------------------------------
# The explorers' figures at the values where their pictures change most
# ----------------------------------------------------------------------------------------------

#: η at and around the regime boundaries (too slow | steady | unstable | diverged), and the ends.
EDGE_LRS = (0.001, 0.0035, 0.01, 0.1, 0.5, 1.0, 1.9, 2.0, 2.1, 3.0, 3.88, 3.886, 3.89, 3.9, 3.98,
            4.0, 4.5, 5.0, 7.0, 10.0)
#: Steps of the trainer: the start, one step, a press of ×10, the old 1e-16 floor (~117), far on.
TRAINER_STEPS = (0, 1, 2, 10, 20, 50, 117, 120, 200, 400)


def explorer_figures():
    """[(name, figure)] of every explorer at its edge values (each figure drawn as a student sees it).

    The figures are the explorers' own, so each is audited right after it is set (a generator).
    """
    import helpers as h
    from helpers.envcheck import EnvCheck
    from helpers.lr_explorer import LearningRateExplorer
    from helpers.trainer import TrainerExplorer
    from helpers.wiggle import NUDGES, WiggleExplorer

    explorer = LearningRateExplorer()
    for lr in EDGE_LRS:
        explorer.slider.value = lr
        if abs(explorer.slider.value - lr) > 1e-9:        # the slider snaps to its steps
            explorer.slider.value = lr
        yield f"LearningRateExplorer η={explorer.slider.value:g}", explorer.fig
    for lr in (0.1, 1.0, 3.9, 10.0):
        trainer = TrainerExplorer(lr=lr)
        done = 0
        for steps in TRAINER_STEPS:
            trainer.step(steps - done)
            done = steps
            yield f"TrainerExplorer η={lr:g} step {trainer.steps}", trainer.fig
            if trainer.diverged:
                break
    wiggle = WiggleExplorer()
    for label in ("W1[1,0]", "b2[1]", "W1[0,1]", "W1[2,0]", "b2[3]", "W2[1,0]"):
        wiggle.param.value = label
        for nudge in (min(NUDGES), 0.3, max(NUDGES)):
            wiggle.nudge.value = float(nudge)
            yield f"WiggleExplorer {label} nudge {nudge:g}", wiggle.fig
    check = EnvCheck()
    for position in (-2.0, -1.5, 0.0, 2.0):
        check.slider.value = position
        yield f"EnvCheck at {position:g}", check.fig
    del h


#: Output widths (CSS px) of narrow notebooks: a phone-sized 400, JupyterLab at 900×700 with its
#: file browser open (~460), a split screen (600) and just under the explorers' stacking width.
NARROW_WIDTHS = (400, 460, 600, 780)
#: The wiggle parameters audited at every narrow width (all 31 are audited at 460 px): narrow
#: valleys that leave "you are here" little room, and b2[3] with the widest tick labels (−0.50).
WIGGLE_EDGE_LABELS = ("W2[2,1]", "b2[2]", "b2[3]")


def narrow_explorer_figures(widths=NARROW_WIDTHS):
    """[(name, figure)] of every explorer laid out for narrow outputs, at a compact set of edge
    states: η at the ends and at the edge of divergence, the trainer at steps 0, 10 and 100, every
    wiggle parameter at one nudge and every nudge at one parameter (at the JupyterLab width; at the
    others a few parameters whose labels and curves are the hardest to fit, at the end nudges).

    Each explorer is relaid out the way the browser makes it (its plot's reported width changes).
    """
    from helpers.envcheck import EnvCheck
    from helpers.lr_explorer import LearningRateExplorer
    from helpers.trainer import TrainerExplorer
    from helpers.wiggle import WiggleExplorer

    explorer, wiggle, check = LearningRateExplorer(), WiggleExplorer(), EnvCheck()
    trainers = {lr: TrainerExplorer(lr=lr) for lr in (0.1, 3.9)}
    for width in widths:
        explorer.plot.width = width
        for lr in (0.001, 3.9, 10.0):
            explorer.slider.value = lr
            yield f"{width} px: LearningRateExplorer η={explorer.slider.value:g}", explorer.fig
        for lr, trainer in trainers.items():
            trainer.reset()
            trainer.plot.width = width
            for steps in (0, 10, 100) if lr > 1 else (100,):
                trainer.step(steps - trainer.steps)
                yield f"{width} px: TrainerExplorer η={lr:g} step {trainer.steps}", trainer.fig
        wiggle.plot.width = width
        wiggle.nudge.value = 0.3
        labels = wiggle.param.options if width == 460 else WIGGLE_EDGE_LABELS
        for label in labels:
            wiggle.param.value = label
            yield f"{width} px: WiggleExplorer {label} nudge 0.3", wiggle.fig
        for nudge in wiggle.nudges if width == 460 else (max(wiggle.nudges), min(wiggle.nudges)):
            wiggle.nudge.value = float(nudge)
            yield f"{width} px: WiggleExplorer {wiggle.param.value} nudge {nudge:g}", wiggle.fig
        check.plot.width = width
        for position in (-2.0, 2.0):
            check.slider.value = position
            yield f"{width} px: EnvCheck at {position:g}", check.fig

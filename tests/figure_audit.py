"""Find what makes a figure hard to read: text on text, text struck through or hiding a data mark
(a line; a line collection such as vlines, hlines or contour lines; the edge of a bar), text cut
off at the figure's edge, and text whose colour is too faint for its background.

    problems = audit(fig)        # [] when the figure is fine; else one sentence per problem

Everything is measured on the figure as drawn: the text artists and data marks that a draw actually
renders (tick labels outside the view are not drawn), their extents in pixels, and for contrast
the pixels behind each text, rendered with the text made transparent (a text's own box stays).
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.collections
import matplotlib.container
import matplotlib.contour
import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: WCAG 2.1 AA for text (the brief asks it of all text drawn in a figure, large or small).
MIN_CONTRAST = 4.5
#: A line whose gid starts with this is the thing its own labels sit on (the network's edges).
LABELLED = "labelled-edge"
#: A text box at least this opaque, drawn above a mark, covers it: the mark does not strike the text.
OPAQUE = 0.85


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


class _Drawn:
    """A data mark as the audit sees it: polylines in display pixels, and markers of radius r px.

    name: how a problem names it. clip: the pixels it is drawn within (its Axes, or the figure).
    """

    def __init__(self, artist, name, clip, polylines=(), points=None, radius=0.0, is_map=False):
        self.artist, self.name, self.clip, self.polylines = artist, name, clip, list(polylines)
        self.points = np.empty((0, 2)) if points is None else points
        self.radius = radius
        #: contour lines: the map itself, which a label on the map must sit on somewhere
        self.is_map = is_map


def _finite(vertices) -> np.ndarray:
    return vertices[np.all(np.isfinite(vertices), axis=1)]


def _polylines(path, transform) -> list[np.ndarray]:
    """A path's pieces (each moveto starts one; a closed piece ends at its start), in pixels."""
    pieces = [_finite(transform.transform(piece))
              for piece in path.to_polygons(closed_only=False, width=0, height=0)]
    return [piece for piece in pieces if len(piece)]


def _is_drawn(style) -> bool:
    return style not in (None, "None", "none", "", " ")


def _labelled(artist) -> bool:
    return str(artist.get_gid() or "").startswith(LABELLED)


def _named(kind: str, artist, polylines) -> str:
    """"lines 'label'", or for matplotlib's own labels ("_child3") where the mark is, in pixels."""
    label = str(artist.get_label() or "")
    if label and not label.startswith("_"):
        return f"{kind} {label!r}"
    points = np.concatenate(polylines) if polylines else np.empty((0, 2))
    if not len(points):
        return kind
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return f"{kind} at x {x0:.0f}–{x1:.0f} px, y {y0:.0f}–{y1:.0f} px"


def _data_marks(fig):
    """[(ax, _Drawn)] for every line, line collection (vlines, hlines, contour lines) and bar."""
    marks = []
    for ax in fig.axes:
        for line in ax.lines:
            if not line.get_visible() or _labelled(line):
                continue
            clip = ax.bbox if line.get_clip_on() else fig.bbox
            path = line.get_transform().transform_path(line.get_path())
            vertices = _finite(path.vertices)
            drawn = _Drawn(line, f"line {line.get_label()!r}", clip)
            if _is_drawn(line.get_linestyle()) and len(vertices) > 1:
                drawn.polylines = [vertices]
            if _is_drawn(line.get_marker()):
                drawn.points, drawn.radius = vertices, line.get_markersize() * fig.dpi / 72.0 / 2.0
            marks.append((ax, drawn))
        for collection in ax.collections:
            # lines only: vlines/hlines and LineCollections, and the lines of a contour (not its fills)
            lines = isinstance(collection, mpl.collections.LineCollection) or (
                isinstance(collection, mpl.contour.ContourSet) and not collection.filled)
            if not lines or not collection.get_visible() or _labelled(collection):
                continue
            if not any(w > 0 for w in np.atleast_1d(collection.get_linewidth())):
                continue
            clip = ax.bbox if collection.get_clip_on() else fig.bbox
            transform = collection.get_transform()
            pieces = [piece for path in collection.get_paths() for piece in _polylines(path, transform)]
            pieces = [piece for piece in pieces if len(piece) > 1]
            contour = isinstance(collection, mpl.contour.ContourSet)
            kind = "contour lines" if contour else "lines"
            marks.append((ax, _Drawn(collection, _named(kind, collection, pieces), clip, pieces, is_map=contour)))
        for container in ax.containers:
            if not isinstance(container, mpl.container.BarContainer):
                continue
            for bar in container.patches:
                if not bar.get_visible() or bar.get_width() == 0 or bar.get_height() == 0:
                    continue
                clip = ax.bbox if bar.get_clip_on() else fig.bbox
                outline = bar.get_transform().transform(bar.get_path().vertices)
                outline = [_finite(outline)]
                marks.append((ax, _Drawn(bar, _named("the bar", container, outline), clip, outline)))
    return marks


def _inside(box: Bbox, points) -> np.ndarray:
    return ((points[:, 0] >= box.x0) & (points[:, 0] <= box.x1)
            & (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1))


def _hits(mark: _Drawn, box: Bbox) -> bool:
    """Does the mark (its lines or its markers), clipped to where it is drawn, pass through box?
    (A bar's outline passes through a text that crosses its edge, not one drawn wholly inside it.)"""
    inside = Bbox.intersection(box, mark.clip)
    if inside is None or inside.width <= 0 or inside.height <= 0:
        return False
    for vertices in mark.polylines:
        if mpl.path.Path(vertices).intersects_bbox(inside, filled=False):
            return True
        # a segment wholly inside the box does not cross its edges
        if np.any(_inside(inside, vertices)):
            return True
    if len(mark.points):
        r = mark.radius
        grown = Bbox.from_extents(inside.x0 - r, inside.y0 - r, inside.x1 + r, inside.y1 + r)
        if np.any(_inside(grown, mark.points)):
            return True
    return False


def _covers(text, mark: _Drawn) -> bool:
    """Is the text on an opaque box (see OPAQUE) drawn above the mark? Then the mark cannot strike
    through the text, though the box hides that piece of it."""
    box = text.get_bbox_patch()
    if box is None or not box.get_visible() or not box.get_fill():
        return False
    return box.get_facecolor()[3] >= OPAQUE and text.get_zorder() > mark.artist.get_zorder()


def overlap_problems(fig, texts=None, margin: float = 3.0) -> list[str]:
    """Texts that touch each other (closer than `margin` px) or a data mark (a line, a line
    collection such as vlines, hlines or contour lines, a bar's edge), or leave the figure.

    A text on an opaque box above a mark is not struck through by it, but its box hides that piece
    of the mark: a problem for every mark except contour lines, which are the map a landscape's
    labels ("you are here") must sit on somewhere. Without such a box, contour lines through a
    text are a problem like any other line.
    """
    texts = drawn_texts(fig) if texts is None else texts
    problems = []
    outer = fig.bbox
    marks = _data_marks(fig)
    for i, (a, ea, ba) in enumerate(texts):
        area_a = ba or ea
        if (area_a.x0 < outer.x0 - 1 or area_a.y0 < outer.y0 - 1 or area_a.x1 > outer.x1 + 1
                or area_a.y1 > outer.y1 + 1):
            problems.append(f"text {_name(a)} is cut off at the figure's edge")
        for b, eb, bb in texts[i + 1:]:
            if _overlap(area_a, bb or eb, margin):
                problems.append(f"text {_name(a)} touches text {_name(b)}")
        for _, mark in marks:
            covered = _covers(a, mark)
            if covered and mark.is_map:
                continue        # a label on a contour map, on its own opaque box: the text reads, the map goes on
            if not covered and _hits(mark, ea):
                problems.append(f"{mark.name} runs through text {_name(a)}")
            elif ba is not None and _hits(mark, ba):
                problems.append(f"the box of text {_name(a)} hides {mark.name}")
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
NARROW_WIDTHS = (400, 460, 600, 770, 830)    # 770, 830: the side-by-side layouts at their narrowest
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

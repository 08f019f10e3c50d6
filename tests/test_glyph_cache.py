"""helpers/glyphs.py: text from the glyph cache is byte for byte what matplotlib's Agg draws."""

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import glyphs

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not glyphs.AVAILABLE, reason="this matplotlib has no FT2Font._layout: "
                                                               "live figures use the plain Agg canvas")


def test_the_live_figures_draw_with_the_caching_canvas():
    from helpers.widgets import new_figure

    assert isinstance(new_figure().canvas, glyphs.GlyphCachingCanvas)


# FreeType keeps state between glyphs, and matplotlib's own text pixels can differ by a shade once a
# process has drawn other figures (stock against stock included). So both renderers are compared in
# a fresh interpreter, each on the same figure, from the same clean start.
TEXTS = r"""
import sys
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from helpers import glyphs

def pixels(canvas_class):
    fig = Figure(figsize=(6, 4), dpi=int(sys.argv[1]))
    ax = fig.add_subplot()
    ax.set_title("η = 0.316: steady", fontweight="bold")
    ax.set_ylabel("loss (MSE, log scale)")
    ax.set_yscale("log")
    ax.set_ylim(1e-16, 1e10)
    for i, x in enumerate(np.linspace(0.03, 0.91, 17)):
        ax.text(x, 0.1 + 0.04 * i, f"{x:+.4f} ŷ ▼", transform=ax.transAxes, fontsize=8 + i % 9,
                rotation=[0, 90, 30, -45][i % 4], style=["normal", "italic"][i % 2],
                weight=["normal", "bold"][i % 3 == 0], antialiased=i % 5 != 0)
    ax.text(0.5, 0.9, "1.00", transform=ax.transAxes)
    ax.text(0.5 + 1 / 7 / fig.dpi, 0.8, "1.00", transform=ax.transAxes)   # the same glyphs, shifted
    ax.text(0.2, 0.5, r"$\eta \cdot \partial L / \partial w$", transform=ax.transAxes)
    canvas_class(fig)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()

plain = pixels(FigureCanvasAgg)
first, again = pixels(glyphs.GlyphCachingCanvas), pixels(glyphs.GlyphCachingCanvas)   # again: from the cache
print(np.array_equal(first, plain), np.array_equal(again, plain))
"""


@pytest.mark.parametrize("dpi", [90, 180, 237])
def test_every_kind_of_text_comes_out_identical(dpi):
    # Sizes, weights, styles, angles, sub-pixel positions, non-Latin glyphs, text drawn without
    # antialiasing, repeated strings (cache hits) and mathtext (which the cache leaves alone).
    result = subprocess.run([sys.executable, "-c", TEXTS, str(dpi)], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"], "the cached text differs from matplotlib's"


EXPLORERS = r"""
from matplotlib.backends.backend_agg import FigureCanvasAgg
from helpers import glyphs
from helpers.lr_explorer import LearningRateExplorer
from helpers.trainer import TrainerExplorer
from helpers.wiggle import WiggleExplorer

def frame(explorer, canvas_class):
    canvas_class(explorer.fig)
    explorer.live.invalidate()
    frame = explorer.live.png()
    glyphs.GlyphCachingCanvas(explorer.fig)
    explorer.live.invalidate()
    return frame

lr, trainer, wiggle = LearningRateExplorer(), TrainerExplorer(), WiggleExplorer()
states = [(lr, lambda eta=eta: setattr(lr.slider, "value", eta)) for eta in (0.001, 0.355, 3.98, 10.0)]
states += [(trainer, trainer.step_button.click)] * 3 + [(trainer, trainer.step10_button.click)]
states += [(wiggle, lambda: setattr(wiggle.nudge, "value", wiggle.nudge.options[-1]))]
for explorer, change in states:
    change()
    print(frame(explorer, glyphs.GlyphCachingCanvas) == frame(explorer, FigureCanvasAgg))
"""


def test_the_explorers_frames_are_identical_to_plain_agg():
    # Each explorer's picture after a few changes, drawn through the cache and by plain Agg.
    result = subprocess.run([sys.executable, "-c", EXPLORERS], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 9, result.stdout


def test_the_caches_forget_everything_past_their_limit(monkeypatch):
    monkeypatch.setattr(glyphs, "LIMIT", 5)
    cache = {i: i for i in range(5)}
    glyphs._remember(cache, "new", 1)
    assert cache == {"new": 1}

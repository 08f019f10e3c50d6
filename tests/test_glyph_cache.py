"""helpers/glyphs.py: text from the glyph cache is byte for byte what matplotlib's Agg draws."""

import random
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


def _corpus(seed: int, count: int) -> list[str]:
    """Strings like the course's (numbers, Latin words and symbols), random ones, and others."""
    rng = random.Random(seed)
    latin = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZŷáéüßøÅÆœ"
    common = "".join(sorted(glyphs.COMMON))
    strings = ["Loss fell: 0.896 → 0.679", "ŷ at step 15", "+0.0625", "-0.0439", "10⁻³", "2×10⁻¹",
               "after 100 steps: loss 7.3e-30", "▼ below 1e-16 from step 55; lowest 7.3e-30",
               "W1[1,2]", "office fluff", "AVATAR Ty. To", "η = 0.355: steady", "Δloss ≈ 0.01"]
    for _ in range(count):
        pool = rng.choice([common, latin + common, latin + common + "ηΔ∂Ж"])
        strings.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 30))))
        number = format(rng.uniform(-100, 100), f".{rng.randint(0, 6)}{rng.choice('fe')}")
        strings.append(rng.choice(["", "loss ", "ŷ = ", "+"]) + number)
    return strings


@pytest.mark.parametrize("dpi", [90, 180, 237])
def test_layouts_and_sizes_put_together_from_pairs_are_freetypes(dpi):
    # The renderer lays out a string of Latin letters and Common characters from its pairs of
    # neighbours, and measures it from that layout. Every glyph's font, index and position, and
    # the (width, height, descent) must be what FreeType and matplotlib's own measure give.
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
    from matplotlib.font_manager import FontProperties

    ours, stock = glyphs.GlyphCachingRenderer(10, 10, dpi), RendererAgg(10, 10, dpi)
    rng = random.Random(dpi)
    composed = 0
    strings = _corpus(dpi, 300)
    for s in strings:
        prop = FontProperties(family=rng.choice(["DejaVu Sans", "DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"]),
                              size=rng.choice([8, 10, 11, 12, 14, 15, 20.5]),
                              weight=rng.choice(["normal", "bold"]), style=rng.choice(["normal", "italic"]))
        font = stock._prepare_font(prop)
        expected = [(item.ft_object.fname, item.glyph_index, item.x, item.y)
                    for item in font._layout(s, flags=get_hinting_flag())]
        if glyphs._composed(font, s, (object(), prop.get_size_in_points(), dpi, get_hinting_flag())):
            composed += 1
        layout = ours._glyphs(s, prop)
        assert [(f.fname, glyph, x, y) for f, glyph, x, y, _ in layout] == expected, s
        assert ours.get_text_width_height_descent(s, prop, False) == \
            stock.get_text_width_height_descent(s, prop, False), s
    # Most strings took the composed path (others: Greek, Cyrillic, ligatures like "fi").
    assert composed > 0.8 * len(strings)


def test_strings_the_pairs_cannot_build_are_left_to_freetype():
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
    from matplotlib.font_manager import FontProperties

    font = RendererAgg(10, 10, 90)._prepare_font(FontProperties(size=12))
    key = (object(), 12.0, 90, get_hinting_flag())
    assert glyphs._composed(font, "0.25 loss", key)
    assert glyphs._composed(font, "η = 0.25", key) is None        # Greek: shaped as its own script
    assert glyphs._composed(font, "office", key) is None          # "ffi" is one glyph (a ligature)


def test_texts_are_placed_where_matplotlib_places_them():
    # Text._get_layout takes the font's ascent, descent and line gap from the renderer's cached
    # _get_font_height_metrics; every text's box must come out as with plain Agg.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def boxes(canvas_class):
        fig = Figure(figsize=(5, 3), dpi=137)
        texts = [fig.text(0.1, 0.1 + 0.1 * i, s, fontsize=8 + 2 * i, rotation=15 * i, linespacing=[None, 1.6, "normal"][i % 3],
                          va=["baseline", "top", "center"][i % 3], family=["DejaVu Sans", "DejaVu Serif"][i % 2])
                 for i, s in enumerate(["loss 0.25", "two\nlines", "ŷ ≈ 0.97", "η = 0.1", "", "x\n\ny"])]
        canvas_class(fig)
        renderer = fig.canvas.get_renderer()
        return [t.get_window_extent(renderer).bounds for t in texts]

    assert boxes(glyphs.GlyphCachingCanvas) == boxes(FigureCanvasAgg)

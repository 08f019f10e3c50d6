"""helpers/glyphs.py: text from the glyph cache is byte for byte what matplotlib's Agg draws for
the same text at a whole-pixel origin, and its layouts and sizes are FreeType's."""

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


# The reference: matplotlib's own Agg text, drawn at the whole-pixel origin the cache rounds to.
WHOLE_PIXEL_AGG = r"""
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

class WholePixelRenderer(RendererAgg):
    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if not ismath:
            x, y = round(x), round(y)
        return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)

class WholePixelAgg(FigureCanvasAgg):
    def get_renderer(self):
        key = (*self.get_width_height(physical=True), self.figure.dpi)
        if self._lastKey != key:
            self.renderer = WholePixelRenderer(*key)
            self._lastKey = key
        return self.renderer
"""

# FreeType keeps state between glyphs, and matplotlib's own text pixels can differ by a shade once a
# process has drawn other figures (stock against stock included). So both renderers are compared in
# a fresh interpreter, each on the same figure, from the same clean start.
TEXTS = WHOLE_PIXEL_AGG + r"""
import sys
import numpy as np
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

plain = pixels(WholePixelAgg)
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


EXPLORERS = WHOLE_PIXEL_AGG + r"""
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
    print(frame(explorer, glyphs.GlyphCachingCanvas) == frame(explorer, WholePixelAgg))
"""


def test_the_explorers_frames_are_identical_to_plain_agg():
    # Each explorer's picture after a few changes, drawn through the cache and by plain Agg.
    result = subprocess.run([sys.executable, "-c", EXPLORERS], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 9, result.stdout


def test_a_text_is_drawn_at_the_whole_pixel_nearest_its_origin():
    from matplotlib.figure import Figure
    import numpy as np

    def pixels(x_px, y_px):
        fig = Figure(figsize=(2, 1), dpi=100)
        fig.text(x_px / 200, y_px / 100, "0.25 ŷ", fontsize=14)
        glyphs.GlyphCachingCanvas(fig)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., 0].copy()

    at_40 = pixels(40, 40)
    assert np.array_equal(pixels(40.3, 39.7), at_40)                   # rounded to (40, 40)
    assert np.array_equal(pixels(41, 40)[:, 1:], at_40[:, :-1])        # one pixel right
    assert not np.array_equal(pixels(40.6, 40), at_40)                  # rounded to 41


def test_the_caches_forget_everything_past_their_limit(monkeypatch):
    monkeypatch.setattr(glyphs, "LIMIT", 5)
    cache = {i: i for i in range(5)}
    glyphs._remember(cache, "new", 1)
    assert cache == {"new": 1}


def _corpus(seed: int, count: int) -> list[str]:
    """Strings like the course's (numbers, titles with numbers), random ones, and others."""
    rng = random.Random(seed)
    latin = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZŷáéüßøÅÆœ"
    common = "".join(sorted(glyphs.COMMON))
    words = ["loss", "fell", "rose", "step", "after", "steps", "lowest", "below", "from", "Loss", "ŷ", "at",
             "W1[1,2]", "b2[3]", "office", "fluff", "AVATAR", "Ty.", "To", "η", "Δloss", "≈", "→", "▼", ":", "·"]
    strings = []
    for _ in range(count):
        number = format(rng.uniform(-100, 100), f".{rng.randint(0, 6)}{rng.choice('fe')}")
        strings.append(rng.choice(["", "+", "-"]) + number.lstrip("-"))
        strings.append(" ".join(rng.choice(words + [number] * 4) for _ in range(rng.randint(1, 6))))
        pool = rng.choice([common, latin + common, latin + common + "ηΔ∂Ж"])
        strings.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 30))))
    return strings


@pytest.mark.parametrize("dpi", [90, 180, 237])
def test_layouts_and_sizes_put_together_from_pairs_are_freetypes(dpi, monkeypatch):
    # The renderer lays out a string of Latin letters and Common characters from the pairs of
    # neighbours FreeType placed in earlier strings, and measures it from that layout. Every
    # glyph's font, index and position, and the (width, height, descent), must be what FreeType
    # and matplotlib's own measure give.
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
    from matplotlib.font_manager import FontProperties

    composed = []
    original = glyphs._composed
    monkeypatch.setattr(glyphs, "_composed", lambda *args: composed.append(original(*args)) or composed[-1])
    ours, stock = glyphs.GlyphCachingRenderer(10, 10, dpi), RendererAgg(10, 10, dpi)
    rng = random.Random(dpi)
    props = [FontProperties(family=family, size=size, weight=weight, style=style)
             for family, size, weight, style in [("DejaVu Sans", 12, "normal", "normal"), ("DejaVu Sans", 15, "bold", "normal"),
                                                 ("DejaVu Serif", 10, "normal", "italic"), ("DejaVu Sans Mono", 20.5, "bold", "italic")]]
    strings = _corpus(dpi, 400)
    for s in strings:
        prop = rng.choice(props)
        expected = [(item.ft_object.fname, item.glyph_index, item.x, item.y)
                    for item in stock._prepare_font(prop)._layout(s, flags=get_hinting_flag())]
        layout = ours._glyphs(s, prop)
        assert [(f.fname, glyph, x, y) for f, glyph, x, y, _ in layout] == expected, s
        assert ours.get_text_width_height_descent(s, prop, False) == \
            stock.get_text_width_height_descent(s, prop, False), s
    # Hundreds were put together from known pairs (mostly the numbers; a random string's pairs are
    # rarely all known), not laid out by FreeType.
    assert sum(layout is not None for layout in composed) > len(strings) / 8


@pytest.fixture
def fresh_pairs(monkeypatch):
    """Empty pair caches (the corpus tests may have filled them to their limit)."""
    monkeypatch.setattr(glyphs, "_pieces", {})
    monkeypatch.setattr(glyphs, "_numbers_seen", {})


def test_what_freetype_lays_out_teaches_the_pairs_and_only_plain_ones(fresh_pairs):
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
    from matplotlib.font_manager import FontProperties

    renderer, prop = glyphs.GlyphCachingRenderer(10, 10, 91), FontProperties(size=11.5)
    font = RendererAgg(10, 10, 91)._prepare_font(prop)
    key = (object(), 11.5, 91, get_hinting_flag())
    assert glyphs._script("0.25 loss") is True and glyphs._script("0.25") is False
    assert glyphs._script("η = 0.25") is None                     # Greek: shaped as its own script
    assert glyphs._composed("0.25 loss", True, key) is None       # nothing learned yet
    glyphs._learn(glyphs._layout(font, "0.25 loss", get_hinting_flag()), "0.25 loss", True, key, font)
    assert glyphs._composed("0.25 loss", True, key) is not None
    assert glyphs._composed("loss 0.25", True, key) is None       # its pairs "s " and " 0" are new
    glyphs._learn(glyphs._layout(font, "office", get_hinting_flag()), "office", True, key, font)
    assert glyphs._composed("office", True, key) is None          # "ffi" is one glyph (a ligature)
    assert renderer._glyphs("office", prop) and renderer._glyphs("η = 0.25", prop)


def test_after_a_few_numbers_every_pair_of_digits_is_known(fresh_pairs):
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
    from matplotlib.font_manager import FontProperties

    font = RendererAgg(10, 10, 93)._prepare_font(FontProperties(size=13.5))
    key = (object(), 13.5, 93, get_hinting_flag())
    numbers = ["0.25", "1.5", "30", "4.75"][:glyphs.LEARN_DIGITS_AFTER]
    for number in numbers[:-1]:
        glyphs._learn(glyphs._layout(font, number, key[3]), number, False, key, font)
    assert glyphs._composed("98.06", False, key) is None          # "98", "8." ... not seen yet
    glyphs._learn(glyphs._layout(font, numbers[-1], key[3]), numbers[-1], False, key, font)
    for number in ["98.06", "7.7", "0.123456789"]:                # now every pair of digits is known
        assert [item[:3] for item in glyphs._composed(number, False, key)] == \
            [item[:3] for item in glyphs._layout(font, number, key[3])]
    assert glyphs._composed("98.06", True, key) is None           # inside Latin text: learned apart


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


def test_a_lone_glyphs_size_is_the_one_set_text_measures():
    # _glyph_box reads a glyph's advance and box from one FreeType load; set_text (matplotlib's own
    # measure) must agree for every character the fonts have, the invisible soft hyphen included.
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
    from matplotlib.font_manager import FontProperties

    for dpi, size, family in [(90, 8, "DejaVu Sans"), (137, 11.5, "DejaVu Serif"), (180, 20.5, "DejaVu Sans Mono")]:
        ours, stock = glyphs.GlyphCachingRenderer(10, 10, dpi), RendererAgg(10, 10, dpi)
        prop = FontProperties(family=family, size=size)
        font = stock._prepare_font(prop)
        for c in map(chr, [*range(33, 0x250), 0x2212, 0x00d7, 0x2192, 0x25bc, 0x0177, 0x03b7, 0x2070, 0x207b, 0x200d]):
            if font.get_char_index(ord(c)):
                assert ours.get_text_width_height_descent(c, prop, False) == \
                    stock.get_text_width_height_descent(c, prop, False), (c, dpi, size, family)

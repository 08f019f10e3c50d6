"""Text drawn from a glyph cache: matplotlib's Agg text, at whole pixels, in a fraction of the time.

A live figure redraws its changing texts on every slider move (titles, notes, the numbers on the
pixels). Matplotlib (3.11) lays out and measures each string with FreeType, and rasterises each
of its glyphs, every time; that was most of a redraw's cost. This renderer remembers:

* the layout of a string (which glyph of which font goes where), per string, font files, size
  and dpi. A string of Latin letters and Common characters (digits, punctuation) is put together
  from the pairs of neighbours FreeType placed in earlier strings (`_composed`), so a new number
  needs no FreeType at all;
* its size (width, height, descent), read off that layout as `FT2Font.set_text` measures it;
* the bitmap of a glyph, per font, size, dpi, angle and where the glyph's origin falls inside a
  pixel (in FreeType's 1/64 px steps). FreeType renders a glyph moved by whole pixels as the same
  bitmap moved by those pixels, so a cached bitmap placed at the whole-pixel part of the origin is
  exactly what FreeType would have drawn.

One thing differs from matplotlib's Agg: a text's origin is rounded to a whole pixel, as browsers
and most GUI toolkits place text (at most half a pixel away). Then where a glyph falls inside a
pixel depends only on its place in its string, not on where the string is, so a number that
moves with a bar, or a title centred over a changing width, is drawn from cached bitmaps.
tests/test_glyph_cache.py checks every explorer byte for byte against matplotlib's own Agg
drawing the same texts at those whole-pixel origins, and every layout and size against FreeType.

It follows `RendererAgg._draw_text_glyphs_and_boxes` step for step and needs the FT2Font methods
that matplotlib 3.11 added (`_layout`, `_set_transform`, `_render_glyph`). With an older
matplotlib (or mathtext) it simply draws as matplotlib does: `CANVAS` is then the plain Agg canvas.
"""

from __future__ import annotations

import math
import unicodedata

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib import ft2font, rcParams
from matplotlib.ft2font import FT2Font

#: The FT2Font methods the cache needs (matplotlib 3.11 and later).
AVAILABLE = all(hasattr(FT2Font, name) for name in ("_layout", "_set_transform", "_render_glyph")) \
    and hasattr(RendererAgg, "_draw_text_glyphs_and_boxes") and hasattr(ft2font, "RenderMode")

#: Forget everything when a cache grows past this many entries (a few MB at most).
LIMIT = 20_000

_layouts: dict = {}     # (string, font files, size, dpi, flags, features, language) -> [(font, glyph, dx, dy)]
_files: dict = {}       # (font properties, family lists) -> the font files that draw them (first, then fallbacks)
#: The rcParams a generic family ("sans-serif") is looked up in: part of the font files' key.
_FAMILY_LISTS = ("font.family", "font.sans-serif", "font.serif", "font.monospace", "font.cursive", "font.fantasy")
_bitmaps: dict = {}     # (font file, size, dpi, glyph, x % 64, y % 64, angle, antialiased, flags) -> (bitmap, left, top)


def _remember(cache: dict, key, value):
    if len(cache) >= LIMIT:
        cache.clear()
    cache[key] = value
    return value


_heights: dict = {}     # (font properties, dpi) -> (ascent, descent, line gap) of the font, in px
_glyph_boxes: dict = {}  # (font file, size, dpi, flags, glyph) -> (advance, y min, y max) in 1/64 px, or None


class _Layout(list):
    """A string's glyphs [(font, glyph, dx, dy, char)], and its (width, height, descent) once measured."""

    metrics = None


def _glyph_box(font, glyph: int, char: str, size: float, dpi: float, flags):
    """A glyph's advance on its own and the bottom and top of its control box, in 1/64 px.

    One FreeType load of the glyph gives all three: its hinted advance is the one libraqm gives a
    lone glyph, except for the invisible format characters (soft hyphen, joiners), which libraqm
    does not advance. None for those, and when the glyph is not the one the font maps `char` to
    (the shaper substituted it): set_text measures such strings.
    """
    key = (font.fname, size, dpi, flags, glyph)
    if key in _glyph_boxes:
        return _glyph_boxes[key]
    box = None
    font.set_size(size, dpi)
    if font.get_char_index(ord(char)) == glyph and unicodedata.category(char) != "Cf":
        loaded = font.load_glyph(glyph, flags)
        _, y_min, _, y_max = loaded.bbox
        box = (loaded.horiAdvance, y_min, y_max)
    return _remember(_glyph_boxes, key, box)


def _measure(layout: _Layout, s: str, size: float, dpi: float):
    """(width, height, descent) of a one-glyph-per-character layout, as FT2Font.set_text gives
    them: the pen's advance past the last glyph, and the extent of the glyphs' control boxes.
    None for anything else (ligatures, combining marks, missing glyphs): FreeType measures those."""
    if len(layout) != len(s):
        return None
    flags = get_hinting_flag()
    y_min, y_max = 32000, -32000
    for font, glyph, dx, dy, char in layout:
        box = glyph and len(char) == 1 and _glyph_box(font, glyph, char, size, dpi, flags)
        if not box:
            return None
        y = round(dy * 64)
        y_min, y_max = min(y_min, y + box[1]), max(y_max, y + box[2])
    width = round(layout[-1][2] * 64) + box[0]
    return width / 64, (y_max - y_min) / 64, -y_min / 64


def _font_heights(prop, dpi: float):
    """The font's ascent, descent and line gap at this size and dpi, as Text._get_layout reads them."""
    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap, ascent, descent in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                             ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is not None:
            scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
            return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    return None, None, None


def _layout(font, s: str, flags, features=None, language=None) -> _Layout:
    """FreeType's (and libraqm's) layout of `s` in `font`, the one matplotlib draws."""
    return _Layout((item.ft_object, item.glyph_index, item.x, item.y, item.char)
                   for item in font._layout(s, flags=flags, features=features, language=language))


#: Characters of no script of their own (Unicode's "Common"): digits, punctuation, symbols. They
#: are shaped as part of the script around them, or with the font's default rules when alone.
COMMON = frozenset("0123456789 .,:;!?+-−±×÷=<>≈≤≥%()[]{}/\\|'\"*&#@$^_~·…→←↑↓▲▼►◄●○■□"
                   "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")


def _latin(c: str) -> bool:
    return ("a" <= c <= "z" or "A" <= c <= "Z" or "\u00c0" <= c <= "\u024f") and c not in "×÷"


def _script(s: str) -> bool | None:
    """True if `s` has Latin letters and otherwise only Common characters, False if it has only
    Common characters, None for anything else (Greek, Cyrillic, combining marks, ...)."""
    latin = False
    for c in s:
        if _latin(c):
            latin = True
        elif c not in COMMON:
            return None
    return latin


_pieces: dict = {}      # (a + b, Latin?, font files, size, dpi, flags) -> (font, glyph of a, advance from a to b);
                        # (a, ...) -> (font, glyph of a, 0) for a string's last character


def _composed(s: str, latin: bool, key) -> _Layout | None:
    """The layout of `s` put together from what earlier layouts taught about its pairs, or None.

    For strings of Latin letters and Common characters in one font (`_script`). Shaping such a
    string only kerns pairs of neighbours (with the Latin kerning if any letter is Latin), so each
    glyph's position is the sum of the advances of the pairs before it, each pair as FreeType
    placed it in another string of the same script (`_learn`). None while any pair is unknown:
    FreeType lays out that string, and `_learn` takes its pairs. tests/test_glyph_cache.py
    compares the composed layouts with FreeType's.
    """
    glyphs = _Layout()
    x = 0
    for i, c in enumerate(s):
        piece = _pieces.get((s[i:i + 2], latin, *key))      # the last character: on its own
        if piece is None:
            return None
        font, glyph, advance = piece
        glyphs.append((font, glyph, x / 64, 0.0, c))
        x += advance
    return glyphs


def _learn(glyphs: _Layout, s: str, latin: bool, key, font) -> None:
    """Keep every pair of neighbours of FreeType's layout of `s`: each one's first glyph and the
    advance from it to the next. Only from a layout of one glyph per character, all in `font`
    itself and on the baseline: a ligature ("fi"), a fallback font or a mark teaches nothing.

    The fourth number FreeType lays out in a font, size and script (a figure whose numbers
    change, such as a live one) also teaches every pair of digits and the decimal point at once,
    from one layout of `EVERY_DIGIT_PAIR` (its new numbers then need no FreeType at all)."""
    if len(glyphs) != len(s) or not all(f is font and glyph and char == c and dy == 0
                                        for (f, glyph, _, dy, char), c in zip(glyphs, s)):
        return
    for i, (_, glyph, dx, _, _) in enumerate(glyphs):
        if i + 1 < len(s):
            _remember(_pieces, (s[i:i + 2], latin, *key), (font, glyph, round(glyphs[i + 1][2] * 64) - round(dx * 64)))
        _remember(_pieces, (s[i], latin, *key), (font, glyph, 0))    # as a string's last glyph
    seen = _numbers_seen.get((latin, *key), 0)
    if seen < LEARN_DIGITS_AFTER and any(c in DIGITS for c in s):
        _numbers_seen[(latin, *key)] = seen + 1
        if seen + 1 == LEARN_DIGITS_AFTER:
            pairs = ("x" if latin else "") + EVERY_DIGIT_PAIR       # a letter first: shaped as Latin
            _learn(_layout(font, pairs, key[3]), pairs, latin, key, font)


def _every_pair(alphabet: str) -> str:
    """A shortest string in which every ordered pair of `alphabet`'s characters stands side by
    side (a de Bruijn sequence of order 2): len(alphabet)² + 1 characters."""
    k, order, word, sequence = len(alphabet), 2, [0] * (2 * len(alphabet)), []

    def extend(t, p):
        if t > order:
            if order % p == 0:
                sequence.extend(word[1:p + 1])
        else:
            word[t] = word[t - p]
            extend(t + 1, p)
            for j in range(word[t - p] + 1, k):
                word[t] = j
                extend(t + 1, t)

    extend(1, 1)
    return "".join(alphabet[i] for i in sequence + sequence[:1])


DIGITS = "0123456789."
#: Every pair of digits (and the decimal point) side by side, 122 characters.
EVERY_DIGIT_PAIR = _every_pair(DIGITS)
#: After how many numbers FreeType laid out in one font, size and script all digit pairs are learned.
LEARN_DIGITS_AFTER = 4
_numbers_seen: dict = {}        # (Latin?, font files, size, dpi, flags) -> numbers FreeType laid out


class GlyphCachingRenderer(RendererAgg):
    """RendererAgg whose plain (non-math) text comes from the glyph cache; everything else is Agg's."""

    def _glyphs(self, s, prop, features=None, language=None):
        """The layout of `s`: [(font, glyph, dx, dy, char)], from the cache, put together from known
        pairs (`_composed`) or from FreeType (then kept, and its pairs learned)."""
        flags = get_hinting_flag()
        fkey = (prop, *(rcParams[name] and tuple(rcParams[name]) for name in _FAMILY_LISTS))
        files = _files.get(fkey)
        if files is None:
            files = _remember(_files, (prop.copy(), *fkey[1:]), tuple(fontManager._find_fonts_by_props(prop)))
        key = (s, files, prop.get_size_in_points(), self.dpi, flags,
               None if features is None else tuple(features), language)
        glyphs = _layouts.get(key)
        if glyphs is None:
            latin = _script(s) if features is None and language is None else None
            context = key[1:5]                                # font files, size, dpi, flags
            if latin is not None:
                glyphs = _composed(s, latin, context)
            if glyphs is None:
                font = self._prepare_font(prop)
                glyphs = _layout(font, s, flags, features, language)
                if latin is not None:
                    _learn(glyphs, s, latin, context, font)
            _remember(_layouts, key, glyphs)
        return glyphs

    def get_text_width_height_descent(self, s, prop, ismath):
        # Plain text is measured from its cached layout, as FT2Font.set_text measures it: the
        # width is the pen's advance after the last glyph, the height and descent come from the
        # glyphs' control boxes. Anything set_text would treat differently is measured by it.
        if ismath or not s:
            return super().get_text_width_height_descent(s, prop, ismath)
        layout = self._glyphs(s, prop)
        if layout.metrics is None:
            layout.metrics = _measure(layout, s, prop.get_size_in_points(), self.dpi) or \
                super().get_text_width_height_descent(s, prop, ismath)
        return layout.metrics

    def _get_font_height_metrics(self, prop):
        # Text._get_layout's hook for the font's ascent, descent and line gap, which it otherwise
        # reads from the font's tables for every text it lays out; the same numbers, cached.
        key = (prop, self.dpi)
        metrics = _heights.get(key)
        if metrics is None:
            metrics = _remember(_heights, (prop.copy(), self.dpi), _font_heights(prop, self.dpi))
        return metrics

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        flags = get_hinting_flag()
        size = prop.get_size_in_points()
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        glyphs = self._glyphs(s, prop, features, language)

        x, y = round(x), round(y)                             # the origin on a whole pixel
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        antialiased = gc.get_antialiased()
        height = self.height
        for font, glyph, dx, dy, _ in glyphs:                 # dy is upwards, as in matplotlib
            # The glyph's origin in FreeType's 26.6 fixed point (y upwards), as Agg computes it.
            gx = round(0x40 * (x + dx * cos - dy * sin))
            gy = round(0x40 * (height - y + dx * sin + dy * cos))
            bkey = (font.fname, size, self.dpi, glyph, gx & 63, gy & 63, angle, antialiased, flags)
            cached = _bitmaps.get(bkey)
            if cached is None:
                font.set_size(size, self.dpi)
                font._set_transform((0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int),
                                    [gx & 63, gy & 63])
                bitmap = font._render_glyph(glyph, flags,
                                            ft2font.RenderMode.NORMAL if antialiased else ft2font.RenderMode.MONO)
                buffer = np.array(bitmap.buffer)              # a copy: FreeType reuses its own
                if not antialiased:
                    buffer *= 0xff
                cached = _remember(_bitmaps, bkey, (buffer, bitmap.left, bitmap.top))
            buffer, left, top = cached
            left, top = left + (gx >> 6), top + (gy >> 6)     # the whole pixels of the origin
            self._renderer.draw_text_image(buffer, left, int(height) - top + buffer.shape[0], 0, gc)


class GlyphCachingCanvas(FigureCanvasAgg):
    """An Agg canvas that draws with `GlyphCachingRenderer`."""

    def get_renderer(self):
        width, height = self.get_width_height(physical=True)
        key = width, height, self.figure.dpi
        if self._lastKey != key:
            self.renderer = GlyphCachingRenderer(width, height, self.figure.dpi)
            self._lastKey = key
        return self.renderer


#: The canvas live figures use: the caching one where this matplotlib allows it.
CANVAS = GlyphCachingCanvas if AVAILABLE else FigureCanvasAgg

"""Text drawn from a glyph cache: the same pixels as matplotlib's Agg renderer, in a third of the time.

A live figure redraws its changing texts on every slider move (titles, notes, the numbers on the
pixels). Matplotlib (3.11) lays out each string and rasterises each of its glyphs with FreeType
every time, which was most of a redraw's cost. This renderer remembers both:

* the layout of a string (which glyph of which font goes where), per string, font files, size
  and dpi;
* the bitmap of a glyph, per font, size, dpi, angle and where the glyph's origin falls inside a
  pixel (in FreeType's 1/64 px steps). FreeType renders a glyph moved by whole pixels as the same
  bitmap moved by those pixels, so a cached bitmap placed at the whole-pixel part of the origin is
  exactly what matplotlib would have drawn (tests/test_glyph_cache.py compares every explorer
  byte for byte).

It follows `RendererAgg._draw_text_glyphs_and_boxes` step for step and needs the FT2Font methods
that matplotlib 3.11 added (`_layout`, `_set_transform`, `_render_glyph`). With an older
matplotlib (or mathtext) it simply draws as matplotlib does: `CANVAS` is then the plain Agg canvas.
"""

from __future__ import annotations

import math

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

    None when the glyph is not the one the font maps `char` to (the shaper substituted it), so
    its advance on its own may not be the one it has inside the string.
    """
    key = (font.fname, size, dpi, flags, glyph)
    if key in _glyph_boxes:
        return _glyph_boxes[key]
    box = None
    font.set_size(size, dpi)
    if font.get_char_index(ord(char)) == glyph:
        _, y_min, _, y_max = font.load_glyph(glyph, flags).bbox
        font.set_text(char, 0.0, flags=flags)
        box = (font.get_width_height()[0], y_min, y_max)
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


def _composed(font, s: str, key) -> _Layout | None:
    """The layout of `s` put together from cached layouts of its pairs of characters, or None.

    Only for strings of Latin letters and Common characters in one font without fallbacks.
    Shaping such a string only kerns pairs of neighbours (the font's pair-kerning lookups, the
    Latin ones if any letter is Latin), so each glyph's position is the sum of the pair advances
    before it. A pair that shapes into anything but its own two glyphs (a ligature such as "fi")
    leaves the string to FreeType. tests/test_glyph_cache.py compares the result with FreeType's.
    """
    latin = False
    for c in s:
        if _latin(c):
            latin = True
        elif c not in COMMON:
            return None
    flags = key[3]
    glyphs = _Layout()
    x = 0
    for i, c in enumerate(s):
        piece = _pair(font, c, s[i + 1] if i + 1 < len(s) else "", latin, key, flags)
        if piece is None:
            return None
        piece_font, glyph, advance = piece
        glyphs.append((piece_font, glyph, x / 64, 0.0, c))
        x += advance
    return glyphs


_pieces: dict = {}      # (a + b, Latin?, font files, size, dpi, flags) -> (font, glyph of a, advance from a to b)


def _pair(font, a: str, b: str, latin: bool, key, flags):
    """(font, glyph, advance) of `a` followed by `b` (kerning included), from FreeType once."""
    pkey = (a + b, latin, *key)
    if pkey in _pieces:
        return _pieces[pkey]
    # Two Common characters inside a Latin string are shaped as Latin: a Latin letter in front
    # makes FreeType shape them so (the letter's own kerning changes only the letter's advance).
    lead = "x" if latin and not (_latin(a) or _latin(b)) else ""
    items = font._layout(lead + a + b, flags=flags)
    piece = None
    if len(items) == len(lead + a + b) and all(item.glyph_index and item.ft_object is font for item in items) \
            and all(item.char == c for item, c in zip(items, lead + a + b)) \
            and all(item.y == 0 for item in items):
        first = items[len(lead)]
        if b:
            advance = round(items[len(lead) + 1].x * 64) - round(first.x * 64)
        else:                            # the last character: its advance is not needed
            advance = 0
        piece = (font, first.glyph_index, advance)
    return _remember(_pieces, pkey, piece)


class GlyphCachingRenderer(RendererAgg):
    """RendererAgg whose plain (non-math) text comes from the glyph cache; everything else is Agg's."""

    def _glyphs(self, s, prop, features=None, language=None):
        """The layout of `s`: [(font, glyph, dx, dy)], from the cache or from FreeType (then kept)."""
        flags = get_hinting_flag()
        fkey = (prop, *(rcParams[name] and tuple(rcParams[name]) for name in _FAMILY_LISTS))
        files = _files.get(fkey)
        if files is None:
            files = _remember(_files, (prop.copy(), *fkey[1:]), tuple(fontManager._find_fonts_by_props(prop)))
        key = (s, files, prop.get_size_in_points(), self.dpi, flags,
               None if features is None else tuple(features), language)
        glyphs = _layouts.get(key)
        if glyphs is None:
            font = self._prepare_font(prop)
            glyphs = features is None and language is None and _composed(font, s, key[1:5])
            if not glyphs:
                glyphs = _layout(font, s, flags, features, language)
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

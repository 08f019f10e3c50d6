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
from matplotlib.font_manager import fontManager
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


class GlyphCachingRenderer(RendererAgg):
    """RendererAgg whose plain (non-math) text comes from the glyph cache; everything else is Agg's."""

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        flags = get_hinting_flag()
        size = prop.get_size_in_points()
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        fkey = (prop, *(rcParams[name] and tuple(rcParams[name]) for name in _FAMILY_LISTS))
        files = _files.get(fkey)
        if files is None:
            files = _remember(_files, (prop.copy(), *fkey[1:]), tuple(fontManager._find_fonts_by_props(prop)))
        key = (s, files, size, self.dpi, flags, None if features is None else tuple(features), language)
        glyphs = _layouts.get(key)
        if glyphs is None:
            font = self._prepare_font(prop)
            glyphs = _remember(_layouts, key, [
                (item.ft_object, item.glyph_index, item.x, item.y)
                for item in font._layout(s, flags=flags, features=features, language=language)])

        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        antialiased = gc.get_antialiased()
        height = self.height
        for font, glyph, dx, dy in glyphs:                    # dy is upwards, as in matplotlib
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

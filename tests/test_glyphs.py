"""Every character the course prints or shows can be drawn with the fonts of a plain Linux box.

JupyterLab's text falls back to the system's sans-serif and monospace fonts, which on a Debian or
Ubuntu machine without extra fonts are DejaVu Sans and DejaVu Sans Mono. An emoji such as ✅ has no
glyph there and Chromium draws an empty box. matplotlib ships the same DejaVu fonts, so this test
needs no system fonts: each non-ASCII character in helpers/ and in every notebook must have a
glyph in both.
"""

import unicodedata
from pathlib import Path

import pytest
from matplotlib import ft2font, get_data_path

ROOT = Path(__file__).resolve().parents[1]
FONTS = [Path(get_data_path()) / "fonts" / "ttf" / name for name in ("DejaVuSans.ttf", "DejaVuSansMono.ttf")]
SOURCES = sorted([*ROOT.glob("helpers/*.py"), *ROOT.glob("notebooks/**/*.ipynb"),
                  *ROOT.glob("instructor/source/**/*.ipynb")])


def _missing(font_path: Path, text: str) -> list[str]:
    font = ft2font.FT2Font(str(font_path))
    return sorted({f"{ch} U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in text
                   if ord(ch) > 127 and not ch.isspace() and font.get_char_index(ord(ch)) == 0})


def test_an_emoji_is_missing_and_a_plain_symbol_is_there():
    for font in FONTS:
        assert _missing(font, "✅❌") and not _missing(font, "✔✘η→×−")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_character_has_a_glyph_in_dejavu(path):
    text = path.read_text(encoding="utf-8")
    for font in FONTS:
        assert _missing(font, text) == [], f"{path.name}: no glyph in {font.name}; use a plain symbol"

"""Text drawn in colour meets WCAG's 4.5:1 contrast (1.4.3): the colours helpers keeps for text, the
colours written into HTML by helpers and the notebooks, and the static copy's code and prompt colours.

The contrast ratio is WCAG 2.x's: (L1 + 0.05) / (L2 + 0.05) of the relative luminances. It is
computed here from its definition and checked against published values first, so a wrong formula
cannot pass every colour.
"""

from __future__ import annotations

import colorsys
import importlib
import json
import pkgutil
import re
import sys
from pathlib import Path

import matplotlib.colors as mc
import pytest

import helpers
from helpers import plots

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import build_html  # noqa: E402

WHITE = "#ffffff"
#: JupyterLab's dark theme paints outputs on --jp-layout-color0 = #111111.
DARK = "#111111"
AA_TEXT = 4.5


def luminance(colour) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = mc.to_rgb(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b) -> float:
    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("fg, bg, expected", [
    ("#000000", "#ffffff", 21.0),        # the maximum
    ("#ffffff", "#ffffff", 1.0),
    ("#767676", "#ffffff", 4.54),        # the lightest grey that passes on white (WebAIM)
    ("#777777", "#ffffff", 4.48),        # ... and the first that fails
    ("#0000ff", "#ffffff", 8.59),
    ("#ff0000", "#ffffff", 4.00),
])
def test_contrast_formula_matches_published_values(fg, bg, expected):
    assert contrast(fg, bg) == pytest.approx(expected, abs=0.01)
    assert contrast(bg, fg) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("name", sorted(plots.TEXT_ON_WHITE))
def test_text_on_white_meets_aa_and_keeps_the_palette_hue(name):
    colour = plots.TEXT_ON_WHITE[name]
    assert contrast(colour, WHITE) >= AA_TEXT, f"TEXT_ON_WHITE[{name!r}] = {colour}: {contrast(colour, WHITE):.2f}:1"
    hue = colorsys.rgb_to_hsv(*mc.to_rgb(colour))[0]
    original = colorsys.rgb_to_hsv(*mc.to_rgb(plots.PALETTE[name]))[0]
    if name != "black":
        assert min(abs(hue - original), 1 - abs(hue - original)) < 0.04, f"{name}: hue moved"


def test_palette_reads_on_the_dark_theme_except_blue_as_plots_says():
    """plots.py promises that on a dark background PALETTE passes for every hue but blue (use sky)."""
    fails = {name for name, colour in plots.PALETTE.items() if name != "black" and contrast(colour, DARK) < AA_TEXT}
    assert fails == {"blue"}, {n: round(contrast(c, DARK), 2) for n, c in plots.PALETTE.items()}


def _colour_tables():
    """Every module-level text colour in helpers: mappings named *COLOR(S)/*COLOUR(S) or *_TEXT
    (text colours by name; a value may be a (light theme, dark theme) pair), except PALETTE and
    COLORS, which are for lines and fills. Each entry: (name, colour, the background it is read on)."""
    found = []
    for info in pkgutil.iter_modules(helpers.__path__):
        module = importlib.import_module(f"helpers.{info.name}")
        for attr, value in vars(module).items():
            if not re.search(r"(COLOU?RS?|TEXT)$", attr) or attr in {"COLORS", "PALETTE"}:
                continue
            if isinstance(value, str) and mc.is_color_like(value):
                found.append((f"helpers.{info.name}.{attr}", value, WHITE))
            elif isinstance(value, dict) and value:
                for key, colour in value.items():
                    name = f"helpers.{info.name}.{attr}[{key!r}]"
                    if isinstance(colour, str) and mc.is_color_like(colour):
                        found.append((name, colour, WHITE))
                    elif (isinstance(colour, tuple) and len(colour) == 2
                          and all(isinstance(c, str) and mc.is_color_like(c) for c in colour)):
                        found += [(name + " light", colour[0], WHITE), (name + " dark", colour[1], DARK)]
    return found


def test_the_colour_tables_are_found():
    names = [name for name, _, _ in _colour_tables()]
    assert any("VERDICT_FIGURE_TEXT" in n for n in names) and any(n.endswith(" dark") for n in names), (
        f"the text colour tables were not all found in helpers (the scan below would miss them): {names}")


@pytest.mark.parametrize("name, colour, background", _colour_tables(),
                         ids=lambda v: v if isinstance(v, str) and "helpers." in v else None)
def test_text_colour_tables_in_helpers_meet_aa(name, colour, background):
    where = "on white" if background == WHITE else "on the dark theme"
    assert contrast(colour, background) >= AA_TEXT, f"{name} = {colour}: {contrast(colour, background):.2f}:1 {where}"


CSS_COLOUR = re.compile(r"(?<![-\w])color\s*:\s*(#[0-9a-fA-F]{3,8}\b|rgb\([^)]*\)|[a-z]+)", re.IGNORECASE)


def _html_colours():
    """Literal CSS text colours written in helpers' source and in the notebooks (Markdown and code)."""
    found = []
    for path in sorted((ROOT / "helpers").glob("*.py")):
        found += [(f"{path.name}: {m.group(0)}", m.group(1)) for m in CSS_COLOUR.finditer(path.read_text())]
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            found += [(f"{path.name}: {m.group(0)}", m.group(1)) for m in CSS_COLOUR.finditer(source)]
    return [(where, value) for where, value in found if value.lower() not in {"inherit", "currentcolor", "var"}]


def test_literal_html_text_colours_meet_aa_on_white():
    """A coloured <span style="color: ..."> in a Markdown cell or in HTML that helpers writes."""
    weak = [f"{where}: {contrast(colour, WHITE):.2f}:1" if mc.is_color_like(colour) else f"{where}: not a colour"
            for where, colour in _html_colours()
            if not mc.is_color_like(colour) or contrast(colour, WHITE) < AA_TEXT]
    assert not weak, "text colours under 4.5:1 on white:\n" + "\n".join(weak)


def test_the_html_scan_finds_a_colour_it_is_shown():
    assert CSS_COLOUR.search('<b style="color:#009E73">steady</b>').group(1) == "#009E73"
    assert CSS_COLOUR.search("background-color: #fff") is None


@pytest.mark.parametrize("name", sorted(build_html.CODE_COLOURS))
def test_static_copy_code_colours_meet_aa_on_the_code_background(name):
    colour = build_html.CODE_COLOURS[name]
    assert contrast(colour, build_html.CODE_BACKGROUND) >= AA_TEXT, f"{name}: {colour}"


def test_static_copy_prompt_link_and_note_colours_meet_aa():
    for name, colour in build_html.PROMPT_COLOURS.items():
        assert contrast(colour, WHITE) >= AA_TEXT, name
    assert contrast(build_html.LINK_COLOUR, WHITE) >= AA_TEXT
    assert contrast(build_html.LINK_COLOUR, build_html.NOTE_COLOURS["background"]) >= AA_TEXT
    notes = build_html.NOTE_COLOURS
    assert contrast(notes["text"], notes["background"]) >= AA_TEXT
    assert contrast(notes["border"], notes["background"]) >= 3.0        # a non-text part (1.4.11)

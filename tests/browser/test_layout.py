"""The explorers on a small screen and in the dark theme, in JupyterLab.

JupyterLab at 900×700 with the file browser open (its default) leaves a notebook output about
468 CSS px wide. Every explorer must fit it, controls included, and lay its figure out for it so
that no text in the plot is smaller than 10 CSS px. The verdict word and the focus ring must keep
their contrast in JupyterLab's dark theme.

This module has its own JupyterLab (the theme is a saved setting: switching it must not change
what the other browser tests see) and its own 900×700 tabs.
"""

from __future__ import annotations

import pytest

from .conftest import LESSONS, lb
from .test_controls import COLOURS_JS, assert_focus_ring, contrast

EXPLORERS = {
    # lesson: how the notebook builds its explorer (the lesson's own arguments are the defaults)
    "00": "helpers.envcheck:EnvCheck",
    "02": "helpers.wiggle:WiggleExplorer",
    "03": "helpers.trainer:TrainerExplorer",
    "04": "helpers.lr_explorer:LearningRateExplorer",
}


@pytest.fixture(scope="module")
def small_lab(course_copy):
    with lb.Server("lab", root=course_copy) as server:
        yield server


@pytest.fixture(scope="module")
def pages(browser, small_lab):
    """Lessons opened in tabs of 900×700 (the session's Chromium: one Playwright per process)."""
    opened = {}

    def open_lesson(prefix: str) -> lb.NotebookPage:
        if prefix not in opened:
            path = next(p for p in LESSONS if p.name.startswith(prefix))
            nb = lb.NotebookPage(browser, small_lab, f"notebooks/{path.name}")
            nb.page.set_viewport_size({"width": 900, "height": 700})
            nb.page.wait_for_timeout(500)           # JupyterLab lays itself out again on resize
            nb.run_all()
            opened[prefix] = nb
        return opened[prefix]

    yield open_lesson
    for nb in opened.values():
        nb.close()


def smallest_text_pt(prefix: str, width: int) -> tuple[float, int]:
    """The explorer, built here as the lesson builds it and laid out for `width` CSS px: the size
    (pt) of its smallest non-empty text, and the CSS width it lays its figure out for."""
    import importlib

    import matplotlib as mpl

    module, name = EXPLORERS[prefix].split(":")
    explorer = getattr(importlib.import_module(module), name)()
    explorer.plot.width = width
    sizes = [t.get_fontsize() for t in explorer.fig.findobj(mpl.text.Text) if t.get_text().strip()
             and t.get_visible()]
    return min(sizes), explorer.layout.css_width


@pytest.mark.parametrize("prefix", sorted(EXPLORERS))
def test_each_explorer_fits_a_900_by_700_jupyterlab_with_readable_plot_text(pages, prefix):
    nb = pages(prefix)
    page = nb.page
    assert page.locator("#filebrowser").is_visible(), "JupyterLab's file browser should be open"
    widget = page.locator(f".{lb.MAIN_WIDGET[prefix]}").first
    widget.scroll_into_view_if_needed()
    img = widget.locator("img.downhill-plot").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0 && parseInt(img.style.width) <= "
                           "img.closest('.jp-OutputArea-output').getBoundingClientRect().width",
                           arg=img.element_handle(), timeout=30_000)
    page.wait_for_timeout(300)
    box = widget.evaluate("""w => { const o = w.closest('.jp-OutputArea-output').getBoundingClientRect();
        const parts = Array.from(w.querySelectorAll('input, select, button, img, .downhill-status'))
            .map(e => { const r = e.getBoundingClientRect();
                        return {what: e.tagName + '.' + e.className, left: r.left, right: r.right, width: r.width}; });
        return {left: o.left, right: o.right, width: o.width, scroll: w.scrollWidth, client: w.clientWidth, parts}; }""")
    assert box["width"] <= 480, f"the output is {box['width']} px: not the small-screen case"
    assert box["scroll"] <= box["client"] + 1, f"the explorer overflows its output: {box}"
    for part in box["parts"]:
        assert box["left"] - 1 <= part["left"] and part["right"] <= box["right"] + 1, \
            f"{part['what']} sticks out of the {box['width']:.0f}-px output: {part}"
        assert part["width"] > 0, f"{part['what']} is squeezed to nothing"

    # Text size on screen: the figure's smallest text in pt, at 90 CSS px per inch, scaled by how
    # much the page shrinks the picture (its CSS width over the width it is shown at).
    shown = img.evaluate("img => ({shown: img.getBoundingClientRect().width, css: parseInt(img.style.width), "
                         "natural: img.naturalWidth})")
    smallest_pt, css_width = smallest_text_pt(prefix, int(box["width"]))
    assert shown["css"] == css_width, "the page shows the figure at another width than the kernel laid out"
    scale = shown["shown"] / shown["css"]
    smallest_px = smallest_pt / 72 * 90 * scale
    assert smallest_px >= 10, f"plot text {smallest_px:.1f} CSS px at {box['width']:.0f} px"
    assert not nb.problems()


def verdict_words_contrast(page, explorer, dark: bool) -> None:
    for typed in ("0.001", "0.1", "1", "10"):              # every verdict word
        lb.type_into_readout(explorer.locator(".downhill-lr-slider"), typed)
        page.wait_for_function("([e, s]) => e.textContent.includes(s)",
                               arg=[explorer.locator(".downhill-verdict").element_handle(),
                                    f"η = {float(typed):.3g},"], timeout=30_000)
        word = explorer.locator(".downhill-word").first
        c = word.evaluate(COLOURS_JS, "color")
        theme = "dark" if dark else "light"
        assert contrast(c["fg"], c["bg"]) >= 4.5, f"{word.text_content()} in the {theme} theme: {c}"
        assert (sum(c["bg"][:3]) < 150) == dark, f"not the {theme} theme's background: {c['bg']}"


def test_colours_keep_their_contrast_in_the_light_and_the_dark_theme(pages):
    nb = pages("04")
    page = nb.page
    explorer = page.locator(".downhill-lr-explorer").first
    explorer.scroll_into_view_if_needed()
    verdict_words_contrast(page, explorer, dark=False)
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    try:
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
        page.wait_for_timeout(500)
        explorer.scroll_into_view_if_needed()
        verdict_words_contrast(page, explorer, dark=True)
        message = explorer.locator(".downhill-message")
        lb.type_into_readout(explorer.locator(".downhill-lr-slider"), "abc")
        message.wait_for(state="visible")
        c = message.evaluate(COLOURS_JS, "color")
        assert contrast(c["fg"], c["bg"]) >= 4.5, f"the error message on dark: {c}"
        explorer.locator("input[type=range]").focus()
        page.keyboard.press("ArrowRight")
        assert_focus_ring(explorer.locator("input[type=range]"), "the η slider in the dark theme")
        page.screenshot(path=str(lb.ROOT / "build" / "dark-theme-04.png"))
    finally:
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})")

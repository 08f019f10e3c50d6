"""WCAG 2.1 AA for the course's own content, checked with axe-core in Chromium (issue 9).

* JupyterLab: every lesson and exercise copy after Run ▸ Run All Cells, limited to the cells'
  outputs and rendered Markdown (JupyterLab's own interface is not ours to test).
* The static copy (tools/build_html.py): every page, whole.
* The projector (Voilà, tools/projector.py): its page, whole.

Each page gets one axe run with the WCAG 2.0/2.1 A and AA rules and must show zero violations.
axe judges colour contrast only for text it sees on screen. JupyterLab's <html> and <body> have
zero height (its shell is positioned absolutely), so axe takes every cell for clipped and skips
its colour rule without a word; and a notebook scrolls inside its own panel. So, for the run only,
html and body get the window's height (what the browser paints does not change), the window is
made as tall as the whole notebook, and the notebook is scrolled to its top. Then every output
and every Markdown cell that shows text must have had its colours checked, or the test fails.

Every <img> in an output also needs a text alternative that is not nbconvert's placeholder and
carries at least one of the numbers the figure shows.

On failure the message lists axe's results grouped by rule, then node, so the fix is findable.
"""

from __future__ import annotations

import os
import re

import pytest

from . import axe
from .conftest import EXERCISES, LESSONS, lb, rel, require_browser

NOTEBOOK_REGIONS = (".jp-Notebook .jp-Cell .jp-OutputArea-output, "
                    ".jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown")
PAGE_REGIONS = ".jp-OutputArea-output, .jp-RenderedMarkdown, main"
PLACEHOLDER_ALT = "No description has been provided for this image"
NUMBER = re.compile(r"[-+−]?\d+(?:[.,]\d+)?(?:e[-+−]?\d+)?", re.IGNORECASE)


@pytest.fixture(scope="session")
def axe_ready():
    require_browser()
    reason = axe.unavailable()
    if reason:
        if os.environ.get("DOWNHILL_REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


# --- seeing the whole page as axe needs to ----------------------------------------------------

_GIVE_HEIGHT = """() => {
  const saved = [document.documentElement.style.height, document.body.style.height];
  document.documentElement.style.height = '100%';
  document.body.style.height = '100%';
  return saved;
}"""
_RESTORE_HEIGHT = """([html, body]) => {
  document.documentElement.style.height = html; document.body.style.height = body; }"""
_NOTEBOOK_HEIGHT = """() => {
  const inner = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-inner')
             || document.querySelector('.jp-WindowedPanel-inner');
  const outer = inner && inner.parentElement;
  if (outer) { outer.scrollTop = 0; }
  return inner ? Math.ceil(inner.getBoundingClientRect().height) : 0;
}"""
_UNCHECKED = """([regions, targets]) => {
  const shown = Array.from(document.querySelectorAll(regions)).filter(r =>
      r.innerText && r.innerText.trim().length > 0 && r.getClientRects().length > 0
      && !Array.from(document.querySelectorAll(regions)).some(o => o !== r && o.contains(r)));
  const checked = new Set();
  for (const target of targets) {
    let el = null;
    try { el = document.querySelector(target); } catch (e) { continue; }
    const region = el && shown.find(r => r.contains(el));
    if (region) { checked.add(region); }
  }
  return shown.filter(r => !checked.has(r)).map(r => r.innerText.trim().replace(/\\s+/g, ' ').slice(0, 100));
}"""


def contrast_targets(results: dict) -> list[str]:
    return [node["target"][0] for kind in ("passes", "violations", "incomplete")
            for rule in results.get(kind, []) if rule["id"] in axe.CONTRAST_RULES
            for node in rule["nodes"] if node.get("target") and isinstance(node["target"][0], str)]


def unchecked_text(page, results: dict, regions: str) -> list[str]:
    """The regions (outputs, Markdown cells) that show text but had no colour contrast checked."""
    return page.evaluate(_UNCHECKED, [regions, contrast_targets(results)])


def axe_notebook(nb: lb.NotebookPage) -> tuple[dict, list[str]]:
    """One axe run over a JupyterLab notebook's outputs and rendered Markdown, with every cell on
    screen; returns axe's results and the text regions whose colours it did not check."""
    page = nb.page
    size = page.viewport_size
    saved = page.evaluate(_GIVE_HEIGHT)
    try:
        height = 0
        for _ in range(6):                       # cells get their real height once on screen
            new = page.evaluate(_NOTEBOOK_HEIGHT)
            if new == height:
                break
            height = new
            page.set_viewport_size({"width": size["width"], "height": min(height + 300, 32000)})
            page.wait_for_timeout(400)
        page.evaluate(_NOTEBOOK_HEIGHT)
        results = axe.run(page, include=[NOTEBOOK_REGIONS])
        return results, unchecked_text(page, results, NOTEBOOK_REGIONS)
    finally:
        page.set_viewport_size(size)
        page.evaluate(_RESTORE_HEIGHT, saved)


_OVERFLOW = """() => {
  // How much taller the window must be to show everything: the page's own overflow, or that of
  // the panel it scrolls in (Voilà scrolls in #rendered_cells). Scrolls everything to the top.
  let extra = document.documentElement.scrollHeight - window.innerHeight;
  window.scrollTo(0, 0);
  for (const e of document.querySelectorAll('body *')) {
    const y = getComputedStyle(e).overflowY;
    if ((y === 'auto' || y === 'scroll') && e.scrollHeight > e.clientHeight + 1 && e.clientHeight > 100) {
      extra = Math.max(extra, e.scrollHeight - e.clientHeight);
      e.scrollTop = 0;
    }
  }
  return Math.max(0, Math.ceil(extra));
}"""


def axe_page(page, regions: str = PAGE_REGIONS) -> tuple[dict, list[str]]:
    """One axe run over a whole ordinary page (static copy, Voilà), with all of it on screen."""
    size = page.viewport_size
    try:
        height = size["height"]
        for _ in range(6):
            extra = page.evaluate(_OVERFLOW)
            if extra == 0:
                break
            height = min(height + extra + 20, 32000)
            page.set_viewport_size({"width": size["width"], "height": height})
            page.wait_for_timeout(300)
        page.evaluate(_OVERFLOW)
        results = axe.run(page)
        return results, unchecked_text(page, results, regions)
    finally:
        page.set_viewport_size(size)


def assert_clean(where: str, results: dict, unchecked: list[str]) -> None:
    checked = axe.contrast_checked(results)
    problems = []
    if results["violations"]:
        problems.append(axe.report([(where, results)]))
    if checked == 0:
        problems.append(f"{where}: axe checked the colour contrast of no text at all (it saw nothing on screen)")
    if unchecked:
        problems.append(f"{where}: axe did not check the colours of {len(unchecked)} text region(s): "
                        + "; ".join(repr(t) for t in unchecked[:8]))
    print(f"{where}: {checked} text nodes colour-checked; violations by rule: "
          f"{axe.violations_by_rule([(where, results)]) or 'none'}")
    assert not problems, "\n".join(problems)


# --- images ------------------------------------------------------------------------------------

_IMAGES = """(scope) => Array.from(document.querySelectorAll(scope + ' img')).map(img => ({
  alt: img.getAttribute('alt'), classes: img.className,
  label: img.getAttribute('aria-label'), hidden: img.getAttribute('aria-hidden') === 'true' || img.getAttribute('role') === 'presentation',
  where: (img.closest('.jp-Cell') && img.closest('.jp-Cell').dataset.windowedListIndex) || ''}))"""


def alt_problems(page, scope: str) -> tuple[int, list[str]]:
    """How many images are in `scope`, and what is wrong with their text alternatives."""
    images = page.evaluate(_IMAGES, scope)
    found = []
    for i, img in enumerate(images):
        text = (img["alt"] if img["alt"] is not None else img["label"]) or ""
        name = f"image {i + 1} ({img['classes'] or 'figure'}{', cell ' + img['where'] if img['where'] else ''})"
        if img["hidden"]:
            found.append(f"{name}: hidden from assistive technology, but it is a figure")
        elif not text.strip():
            found.append(f"{name}: no alt text")
        elif PLACEHOLDER_ALT.lower() in text.lower():
            found.append(f"{name}: nbconvert's placeholder {text!r}")
        elif not NUMBER.search(text):
            found.append(f"{name}: alt text names no number the figure shows: {text[:120]!r}")
    return len(images), found


# --- JupyterLab -------------------------------------------------------------------------------

NOTEBOOKS = LESSONS + EXERCISES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_outputs_and_markdown_pass_axe_in_jupyterlab(axe_ready, run_in_browser, path):
    nb = run_in_browser(path, ui="lab")
    results, unchecked = axe_notebook(nb)
    assert_clean(f"{rel(path)} in JupyterLab", results, unchecked)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_output_image_has_alt_text_with_its_numbers_in_jupyterlab(axe_ready, run_in_browser, path):
    nb = run_in_browser(path, ui="lab")
    count, problems = alt_problems(nb.page, ".jp-Notebook .jp-OutputArea-output")
    print(f"{rel(path)}: {count} images in outputs, {len(problems)} without a usable text alternative")
    assert not problems, f"{rel(path)} in JupyterLab:\n" + "\n".join(problems)


def test_the_alt_checks_catch_what_they_should(axe_ready, browser):
    """The image check refuses a missing alt, the placeholder and words without a number."""
    page = browser.new_page()
    try:
        page.set_content(f"""<div class="o"><img src="data:,">
            <img alt="{PLACEHOLDER_ALT}" src="data:,"><img alt="a plot" src="data:,">
            <img alt="Loss falls from 0.896 to 2.3e-14" src="data:,"></div>""")
        count, problems = alt_problems(page, ".o")
        assert count == 4 and len(problems) == 3, problems
        assert "no alt" in problems[0] and "placeholder" in problems[1] and "no number" in problems[2]
    finally:
        page.close()


def test_the_notebook_run_sees_colours_that_axe_would_skip(axe_ready, run_in_browser):
    """Without the height fix axe checks no colour in JupyterLab at all: the fix is what makes the
    contrast check real (if JupyterLab changes so that this fails, the workaround can go)."""
    nb = run_in_browser(LESSONS[1], ui="lab")
    page = nb.page
    bare = axe.run(page, include=[NOTEBOOK_REGIONS])
    results, _ = axe_notebook(nb)
    assert axe.contrast_checked(bare) < axe.contrast_checked(results) / 2, (
        axe.contrast_checked(bare), axe.contrast_checked(results))


# --- the static copy ----------------------------------------------------------------------------

def static_pages(site) -> list:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


@pytest.fixture(scope="module")
def static_tab(browser):
    page = browser.new_page()
    console = lb.watch_console(page)
    yield page, console
    page.close()


def open_static(page, path) -> None:
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    if page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count():
        page.wait_for_function("() => document.querySelectorAll('.jupyter-widgets img, .widget-image').length > 0"
                               " && !document.body.textContent.includes('Loading widget...')", timeout=60_000)
    if page.locator(".MathJax_Preview, script[type^='math/tex']").count():
        page.wait_for_function("() => !window.MathJax || !window.MathJax.Hub || "
                               "window.MathJax.Hub.queue.pending === 0", timeout=30_000)


def test_every_static_page_passes_axe(axe_ready, site, static_tab):
    page, _ = static_tab
    pages = static_pages(site)
    assert len(pages) == len(LESSONS) + len(EXERCISES) + 1, [p.name for p in pages]
    runs, failures = [], []
    for path in pages:
        open_static(page, path)
        results, unchecked = axe_page(page)
        where = path.relative_to(site).as_posix()
        runs.append((where, results))
        try:
            assert_clean(where, results, unchecked)
        except AssertionError as error:
            failures.append(str(error))
    print(axe.report(runs, title="static copy"))
    assert not failures, "\n\n".join(failures)


def test_every_static_figure_has_alt_text_with_its_numbers(axe_ready, site, static_tab):
    page, _ = static_tab
    failures, total = [], 0
    for path in static_pages(site):
        open_static(page, path)
        count, problems = alt_problems(page, ".jp-OutputArea-output")
        total += count
        failures += [f"{path.name}: {p}" for p in problems]
    assert total > 10, f"only {total} images in the static copy: the figures are missing"
    assert not failures, "\n".join(failures)


# --- the projector ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def projector_page(axe_ready, browser, course_copy):
    with lb.Server("voila", root=course_copy, notebook="notebooks/projector.ipynb") as server:
        page = browser.new_page()
        console = lb.watch_console(page)
        page.goto(server.url(""), timeout=120_000)
        for css in ("downhill-lr-explorer", "downhill-trainer", "downhill-wiggle"):
            page.locator(f".{css}").first.wait_for(state="visible", timeout=120_000)
        page.wait_for_function("() => Array.from(document.querySelectorAll('img.downhill-plot'))"
                               ".every(i => i.complete && i.naturalWidth > 0)", timeout=60_000)
        yield page, console
        page.close()


def test_projector_passes_axe(projector_page):
    page, console = projector_page
    results, unchecked = axe_page(page, ".jp-OutputArea-output, .jp-RenderedMarkdown")
    assert_clean("projector (Voilà)", results, unchecked)


def test_projector_images_have_alt_text_with_their_numbers(projector_page):
    page, _ = projector_page
    count, problems = alt_problems(page, ".jp-OutputArea-output")
    assert count >= 3, f"{count} images on the projector page"
    assert not problems, "\n".join(problems)

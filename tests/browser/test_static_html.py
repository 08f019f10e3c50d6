"""The static copy (tools/build_html.py): a page that someone without Python opens from disk shows
the lesson's figures, and its explorers as frozen pictures with their alt text, with no network."""

from __future__ import annotations

import base64
import os
import shutil

import pytest

import helpers as h

from .conftest import LESSONS, lb, require_browser



@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_browser()
    import build_html

    if shutil.which("npm") is None and not build_html.fetch_web_assets_cached():
        message = ("the static pages need the widget renderer from the npm registry and `npm` is not "
                   "installed: install Node.js's npm (`apt-get install npm`)")
        if os.environ.get("DOWNHILL_REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("site")
    lesson = next(p for p in LESSONS if p.name.startswith("04"))
    build_html.build([lesson], out)
    assert (out / "_static" / "html-manager" / "embed-amd.js").is_file(), "the renderer was not copied"
    return out, out / f"{lesson.stem}.html"


@pytest.fixture
def offline_page(browser):
    """A tab that may read files but reaches no server: every http(s) request is refused."""
    page = browser.new_page()
    requested = []

    def refuse_network(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort()

    page.route("**/*", refuse_network)
    console = lb.watch_console(page)
    yield page, console, requested
    page.close()


def test_static_page_renders_widgets_from_embedded_state_offline(site, offline_page):
    out, lesson_page = site
    page, console, requested = offline_page
    page.goto(lesson_page.as_uri())
    explorer = page.locator(".downhill-lr-explorer-frozen").first
    explorer.wait_for(state="visible", timeout=60_000)
    explorer.scroll_into_view_if_needed()

    # The explorer frozen at η = 0.1: its verdict line and its plot, with the plot's alt text.
    assert explorer.locator(".downhill-verdict").text_content().strip().startswith("steady")
    plot = explorer.locator("img").first
    plot.wait_for(state="visible")
    assert "η = 0.1 (steady)" in plot.get_attribute("alt")
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=plot.element_handle())

    # The plot is the very picture the explorer drew in the kernel.
    from helpers.lr_explorer import LearningRateExplorer

    x, y = h.example()
    expected = LearningRateExplorer(h.load_params(), x, y, lr=0.1, steps=100).live.png()
    shown = base64.b64decode(plot.get_attribute("src").split(",", 1)[1])
    assert lb.image_difference(shown, expected) < 0.002

    # Ordinary figures and the formulas are there too.
    assert page.locator(".jp-OutputArea-output img").count() > 1
    page.wait_for_function("() => window.MathJax && window.MathJax.Hub && "
                           "document.querySelectorAll('.MathJax_CHTML, .MathJax').length > 0", timeout=30_000)

    assert requested == [], f"the page tried to reach the network: {requested}"
    assert not lb.page_problems(page, console)
    errors = [line for line in console if line.startswith(("console.error", "uncaught"))]
    assert not errors, errors


def test_static_index_links_every_page(site, offline_page):
    out, lesson_page = site
    page, console, requested = offline_page
    page.goto((out / "index.html").as_uri())
    links = page.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert lesson_page.name in links
    assert all((out / link).is_file() for link in links)
    assert requested == []

"""The static copy (tools/build_html.py): a page that someone without Python opens from disk shows
the lesson's figures, and its explorers as frozen pictures with their alt text, with no network."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import urllib.parse

import pytest

import helpers as h

from .conftest import EXERCISES, LESSONS, lb


@pytest.fixture(scope="module")
def site(site):
    """The session's static copy (conftest.py) and its lesson-04 page."""
    return site, site / "04_learning_rate.html"


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


def first_heading(notebook) -> str:
    """The notebook's first Markdown heading, as plain text (read here from the JSON, not by the builder)."""
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            match = re.search(r"^#\s+(.+)$", "".join(cell["source"]), re.MULTILINE)
            if match:
                return re.sub(r"[*_`]", "", match.group(1)).strip()
    raise AssertionError(f"{notebook.name} has no title heading")


def every_page(out):
    pages = {out / f"{p.stem}.html": p for p in LESSONS}
    pages.update({out / "exercises" / f"{p.stem}.html": p for p in EXERCISES})
    return pages


def test_every_static_page_has_its_lessons_title_and_language(site, offline_page):
    out, _ = site
    page, console, requested = offline_page
    for html_page, notebook in every_page(out).items():
        assert html_page.is_file(), f"no page for {notebook.name}"
        page.goto(html_page.as_uri())
        title = page.title()
        assert title != "Notebook" and title.startswith(first_heading(notebook)), (html_page.name, title)
        assert page.evaluate("() => document.documentElement.lang") == "en", html_page.name
    page.goto((out / "index.html").as_uri())
    assert page.evaluate("() => document.documentElement.lang") == "en"


def test_no_static_page_links_to_a_missing_page_or_anchor(site, offline_page):
    """Every relative link (lesson to lesson, lesson to exercise, exercise back) leads somewhere."""
    out, _ = site
    page, console, requested = offline_page
    dead, checked = [], 0
    for html_page in [out / "index.html", *every_page(out)]:
        page.goto(html_page.as_uri())
        for href in page.locator("a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))"):
            parts = urllib.parse.urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue                                 # an outside address: not ours to host
            target = (html_page.parent / urllib.parse.unquote(parts.path)).resolve() if parts.path else html_page
            checked += 1
            # A browser finds a fragment's element by the fragment as written or decoded
            # (nbconvert writes heading ids percent-encoded, as their links are).
            fragment = parts.fragment
            if not target.is_file():
                dead.append(f"{html_page.relative_to(out)}: {href} (no {target.relative_to(out.resolve()) if target.is_relative_to(out.resolve()) else target})")
            elif fragment and not parts.path:
                if not page.evaluate("f => !!(document.getElementById(f) || document.getElementById(decodeURIComponent(f)))",
                                     fragment):
                    dead.append(f"{html_page.relative_to(out)}: {href} (no such anchor on the page)")
            elif fragment and target.suffix == ".html":
                ids = {html.unescape(i) for i in re.findall(r'\bid="([^"]+)"', target.read_text(encoding="utf-8"))}
                if not {fragment, urllib.parse.unquote(fragment)} & ids:
                    dead.append(f"{html_page.relative_to(out)}: {href} (no #{fragment} there)")
    assert checked > 20, f"only {checked} links checked"
    assert not dead, "dead links:\n" + "\n".join(dead)


def test_static_links_are_underlined(site, offline_page):
    out, _ = site
    page, console, requested = offline_page
    for html_page in [out / "index.html", out / "00_start_here.html", out / "02_what_is_a_gradient.html"]:
        page.goto(html_page.as_uri())
        plain = page.locator("main a[href]").evaluate_all(
            "as => as.filter(a => !getComputedStyle(a).textDecorationLine.includes('underline'))"
            ".map(a => a.textContent.trim())")
        assert not plain, f"{html_page.name}: links without an underline: {plain[:5]}"


def widget_pages(out):
    """The lesson pages whose notebook shows a widget: an embedded widget view, or an explorer
    frozen into its picture (a div of class downhill-frozen and e.g. downhill-lr-explorer-frozen)."""
    explorer = re.compile(r'class="downhill-frozen(?: [\w-]+)* [\w-]+-frozen\b')
    return [p for p in every_page(out)
            if 'application/vnd.jupyter.widget-view+json' in (text := p.read_text(encoding="utf-8"))
            or explorer.search(text)]


def test_pages_with_frozen_widgets_say_so_and_link_to_running_live(site, offline_page):
    out, _ = site
    page, console, requested = offline_page
    with_widgets = widget_pages(out)
    assert {p.name for p in with_widgets} >= {"00_start_here.html", "02_what_is_a_gradient.html",
                                              "03_gradient_descent.html", "04_learning_rate.html"}
    for html_page in with_widgets:
        page.goto(html_page.as_uri())
        page.locator("main").first.wait_for(state="attached", timeout=60_000)
        top = page.locator("main > [role=note]").first
        assert top.count() == 1, f"{html_page.name}: no note at the top of the page"
        assert "frozen" in top.text_content().lower()
        # widgets still embedded as views, and explorers frozen into their pictures
        views = (page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
                 + page.locator(".jp-OutputArea-output div.downhill-frozen:not([role=note])").count())
        assert views > 0, f"{html_page.name}: no widget found on the page"
        notes = page.locator(".jp-OutputArea-output [role=note]")
        assert notes.count() == views, f"{html_page.name}: {views} widgets but {notes.count()} notes beside them"
        for link in [top.locator("a").first, notes.first.locator("a").first]:
            href = link.get_attribute("href")
            target, _, fragment = href.partition("#")
            assert (html_page.parent / target).is_file() and fragment
            assert f'id="{fragment}"' in (html_page.parent / target).read_text()
    # The page it links to says how to run the course live.
    page.goto((out / "index.html").as_uri() + "#run-live")
    section = page.locator("#run-live")
    assert "make lab" in page.locator("main").text_content()
    assert section.is_visible()
    # A lesson without widgets has no such note.
    page.goto((out / "01_forward_pass_recap.html").as_uri())
    assert page.locator("[role=note]").count() == 0

"""Projector mode: Voilà serves the explorers as an app without code, and they work in the browser."""

from __future__ import annotations

import pytest

from .conftest import lb, require_browser

PAGES = {
    # notebook: the widgets it must show
    "notebooks/projector.ipynb": ["downhill-lr-explorer", "downhill-trainer", "downhill-wiggle"],
    "notebooks/04_learning_rate.ipynb": ["downhill-lr-explorer"],
}


@pytest.fixture(scope="module", params=list(PAGES), ids=lambda p: p.split("/")[-1].removesuffix(".ipynb"))
def voila_page(request, browser, course_copy):
    require_browser()
    with lb.Server("voila", root=course_copy, notebook=request.param) as server:
        page = browser.new_page()
        console = lb.watch_console(page)
        page.goto(server.url(""), timeout=120_000)
        for css in PAGES[request.param]:
            page.locator(f".{css}").first.wait_for(state="visible", timeout=120_000)
        yield request.param, page, console
        page.close()


def test_voila_shows_live_widgets_and_no_code(voila_page):
    notebook, page, console = voila_page
    for css in PAGES[notebook]:
        widget = page.locator(f".{css}").first
        widget.scroll_into_view_if_needed()
        assert widget.is_visible()
        assert widget.locator("img.downhill-plot").evaluate("img => img.complete && img.naturalWidth > 100")
    # --strip_sources: no code cell, no source text.
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .jp-CodeMirrorEditor, .cm-editor").count() == 0
    body = page.locator("body").text_content()
    assert "import " not in body and "Explorer(" not in body
    problems = lb.page_problems(page, console)
    assert not problems, f"{notebook} in Voilà:\n" + "\n".join(problems)


def test_voila_learning_rate_explorer_answers(voila_page):
    notebook, page, console = voila_page
    explorer = page.locator(".downhill-lr-explorer").first
    explorer.scroll_into_view_if_needed()
    slider = explorer.locator(".downhill-lr-slider")
    verdict = explorer.locator(".downhill-verdict")
    for typed, word in [("10", "diverged"), ("1.0", "unstable"), ("0.001", "too slow")]:
        before = lb.plot_src(explorer)
        lb.type_into_readout(slider, typed)
        lb.wait_for_new_plot(explorer, before)
        page.wait_for_function("([el, w]) => el.textContent.trim().startsWith(w)",
                               arg=[verdict.element_handle(), word], timeout=30_000)
    assert not lb.page_problems(page, console)


@pytest.mark.parametrize("voila_page", ["notebooks/projector.ipynb"], indirect=True, ids=["projector"])
def test_voila_trainer_steps(voila_page):
    notebook, page, console = voila_page
    trainer = page.locator(".downhill-trainer").first
    trainer.scroll_into_view_if_needed()
    readout = trainer.locator(".downhill-loss")
    before = lb.plot_src(trainer)
    trainer.locator(".downhill-step10 button").click()
    page.wait_for_function("([el]) => el.textContent.includes('step 10 ·')", arg=[readout.element_handle()],
                           timeout=30_000)
    lb.wait_for_new_plot(trainer, before)
    assert "loss = 0.8962" not in readout.text_content()
    assert not lb.page_problems(page, console)

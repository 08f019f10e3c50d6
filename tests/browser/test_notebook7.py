"""The same course in Notebook 7 (the classic-looking notebook app): every lesson and exercise copy
runs with live widgets, and a widget answers a student's input."""

from __future__ import annotations

import pytest

from .conftest import EXERCISES, LESSONS, lb, rel


@pytest.mark.parametrize("path", LESSONS + EXERCISES, ids=lambda p: p.stem)
def test_notebook_runs_with_live_widgets_in_notebook7(run_in_browser, path):
    nb = run_in_browser(path, ui="notebook")
    keep = path.name.startswith("04")          # the next test types into its explorer
    try:
        assert "/notebooks/" in nb.page.url and nb.page.locator("#main-panel, .jp-NotebookPanel").count()
        problems = nb.problems(allowed_errors=nb.allowed_errors)
        assert not problems, f"{rel(path)} in Notebook 7:\n" + "\n".join(problems)
        main = lb.MAIN_WIDGET.get(path.name[:2]) if path in LESSONS else None
        if main:
            widget = nb.page.locator(f".{main}").first
            widget.scroll_into_view_if_needed()
            assert widget.is_visible(), f"{rel(path)}: no live `.{main}` widget in Notebook 7"
    finally:
        if not keep:
            run_in_browser.close(path, ui="notebook")


def test_learning_rate_explorer_answers_in_notebook7(run_in_browser):
    path = next(p for p in LESSONS if p.name.startswith("04"))
    nb = run_in_browser(path, ui="notebook")
    explorer = nb.page.locator(".downhill-lr-explorer").first
    explorer.scroll_into_view_if_needed()
    slider = explorer.locator(".downhill-lr-slider")
    for typed, word in [("10", "diverged"), ("0.001", "too slow")]:
        before = lb.plot_src(explorer)
        lb.type_into_readout(slider, typed)
        lb.wait_for_new_plot(explorer, before)
        nb.page.wait_for_function("([el, w]) => el.textContent.trim().startsWith(w)",
                                  arg=[explorer.locator(".downhill-verdict").element_handle(), word],
                                  timeout=30_000)
    assert not nb.problems()
    run_in_browser.close(path, ui="notebook")

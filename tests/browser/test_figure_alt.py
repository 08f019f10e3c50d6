"""Every figure reaches the page as an <img> with its data-made alt text: JupyterLab, Notebook 7
and Voilà (the static copy: tests/test_figures.py::test_the_static_html_copy_keeps_every_alt)."""

from __future__ import annotations

import re

import pytest

from .conftest import lb, require_browser

LESSON = "notebooks/01_forward_pass_recap.ipynb"       # two figures, no widget: quick to run
#: Output images that are not widgets' (the explorers' live images are the widget layer's part).
FIGURES_JS = """() => [...document.querySelectorAll('.jp-OutputArea-output img')]
    .filter(img => !img.closest('.jupyter-widgets, .widget-image, .jp-LinkedOutputView'))
    .map(img => ({alt: img.getAttribute('alt'), width: img.naturalWidth}))"""


def _check(figures):
    assert len(figures) == 2, figures
    for figure in figures:
        alt = figure["alt"] or ""
        assert figure["width"] > 300
        assert "No description" not in alt and len(alt) > 40
        assert re.search(r"\d\.\d\d", alt), alt               # the numbers the figure shows
    assert any("[0.10, -0.10, -0.05, -0.25]" in f["alt"] for f in figures)   # the prediction ŷ


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_figures_carry_alt_text_in_jupyterlab_and_notebook_7(ui, browser, lab):
    nb = lb.NotebookPage(browser, lab, LESSON, ui=ui)
    try:
        nb.run_all()
        nb.page.wait_for_function(FIGURES_JS.replace("() =>", "() => (") + ").length >= 2",
                                  timeout=60_000)
        _check(nb.page.evaluate(FIGURES_JS))
    finally:
        nb.page.close()


def test_figures_carry_alt_text_in_voila(browser, course_copy):
    require_browser()
    with lb.Server("voila", root=course_copy, notebook=LESSON) as server:
        page = browser.new_page()
        try:
            page.goto(server.url(""), timeout=120_000)
            page.wait_for_function(FIGURES_JS.replace("() =>", "() => (") + ").length >= 2",
                                   timeout=120_000)
            _check(page.evaluate(FIGURES_JS))
        finally:
            page.close()

"""The browser checks themselves: they must notice what a student would notice.

A notebook that shows every failure the checks look for, opened in a JupyterLab whose widget
manager is switched off (what a missing or mismatched jupyterlab_widgets looks like).
"""

from __future__ import annotations

import nbformat

from .conftest import lb

CELLS = [
    # A live widget in a working Lab; here the widget manager is off.
    "from helpers.envcheck import EnvCheck\nEnvCheck()",
    # A widget printed instead of displayed.
    "import ipywidgets as widgets\nprint(repr(widgets.FloatLogSlider(value=0.1, description='η')))",
    "widgets.HBox([widgets.Button(description='Step')])",
    # A bug.
    "1 / 0",
    # A stub, allowed only where asked for.
    "raise NotImplementedError('write this function')",
]


def test_the_checks_notice_broken_widgets_text_reprs_and_tracebacks(browser, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(nb, tmp_path / "broken.ipynb")

    with lb.Server("lab", root=tmp_path,
                   disabled_extensions=("@jupyter-widgets/jupyterlab-manager",)) as lab:
        page = lb.NotebookPage(browser, lab, "broken.ipynb")
        try:
            page.run_all(continue_after=("ZeroDivisionError",))
            problems = page.problems()
            text = "\n".join(problems)
            assert "cell 0" in text and "no live view" in text, text
            assert page.page.locator(".downhill-envcheck").count() == 0
            assert any("cell 1" in p and "printed as text" in p and "FloatLogSlider(" in p for p in problems), text
            assert any("cell 2" in p and ("printed as text" in p or "no live view" in p) for p in problems), text
            assert any("cell 3" in p and "ZeroDivisionError" in p for p in problems), text
            assert any("cell 4" in p and "NotImplementedError" in p for p in problems), text
            allowed = "\n".join(page.problems(allowed_errors=("NotImplementedError",)))
            assert "cell 4" not in allowed and "cell 3" in allowed
        finally:
            page.close()

"""Every lesson and every exercise copy, run in JupyterLab in a real browser: widgets render live.

Headless execution (nbclient) passes even when a student would see 'Error displaying widget', a
slider printed as `FloatLogSlider(value=0.1, ...)` or a static PNG instead of a live widget (a
missing or mismatched widget extension). These tests look at the page the student looks at.
"""

from __future__ import annotations

import pytest

from .conftest import EXERCISES, LESSONS, lb, rel


def test_the_course_has_lessons_and_exercises_to_check():
    names = [p.name[:2] for p in LESSONS]
    assert names[:6] == ["00", "01", "02", "03", "04", "05"], f"lessons found: {[p.name for p in LESSONS]}"
    assert EXERCISES, "no exercise copies in notebooks/exercises/"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_with_live_widgets_in_jupyterlab(run_in_browser, path):
    nb = run_in_browser(path, ui="lab")
    problems = nb.problems()
    assert not problems, f"{rel(path)} in JupyterLab:\n" + "\n".join(problems)
    main = lb.MAIN_WIDGET.get(path.name[:2])
    if main:
        widget = nb.page.locator(f".{main}")
        assert widget.count() >= 1, f"{rel(path)}: no live `.{main}` widget on the page"
        widget.first.scroll_into_view_if_needed()
        assert widget.first.is_visible()
        plot = widget.first.locator("img.downhill-plot")
        assert plot.count() == 1, f"{rel(path)}: `.{main}` has no plot image"
        assert plot.evaluate("img => img.complete && img.naturalWidth > 100"), "the plot image did not load"


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_copy_runs_with_live_widgets_in_jupyterlab(run_in_browser, path):
    nb = run_in_browser(path, ui="lab")
    try:
        problems = nb.problems(allowed_errors=("NotImplementedError",))
        assert not problems, f"{rel(path)} in JupyterLab:\n" + "\n".join(problems)
        # Every code cell ran, including those after a stub's NotImplementedError.
        unrun = [c["index"] for c in nb.cells() if c["type"] == "code" and c["source"].strip() and c["count"] is None]
        assert not unrun, f"{rel(path)}: cells {unrun} never ran"
    finally:
        run_in_browser.close(path)

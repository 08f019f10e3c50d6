"""Fixtures for the browser tests: one JupyterLab server and one Chromium per session.

The notebooks are run as a student runs them: opened in JupyterLab (or Notebook 7, or Voilà) in
Debian's Chromium, Run ▸ Run All Cells, then clicked and typed at. The machinery lives in
tools/lab_browser.py (shared with tools/screenshots.py and bench/browser_latency.py).

Without /usr/bin/chromium the tests skip, saying how to enable them; with
DOWNHILL_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead.

This folder is a package (it has __init__.py) so that this conftest does not shadow
tests/conftest.py, which other tests import as `conftest`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import lab_browser as lb  # noqa: E402

LESSONS = sorted(lb.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((lb.NOTEBOOKS / "exercises").glob("*.ipynb"))
FAILURES = ROOT / "build" / "browser-failures"


def rel(path: Path) -> str:
    """The notebook's path relative to the repository, with forward slashes (a URL path)."""
    return Path(path).resolve().relative_to(ROOT).as_posix()


def require_browser() -> None:
    """Skip (or, with DOWNHILL_REQUIRE_BROWSER=1, fail) when Chromium or playwright is missing."""
    reason = lb.browser_unavailable()
    if reason is None:
        return
    if os.environ.get("DOWNHILL_REQUIRE_BROWSER") == "1":
        pytest.fail(f"DOWNHILL_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def course_copy(tmp_path_factory) -> Path:
    """A copy of notebooks/ that the servers work on (nothing in the repository is written)."""
    require_browser()
    return lb.copy_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="session")
def lab(course_copy):
    """JupyterLab 4 (also serving Notebook 7) on 127.0.0.1, started once, stopped at the end."""
    with lb.Server("lab", root=course_copy) as server:
        yield server


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The whole static copy (tools/build_html.py): every lesson run, every exercise page; built once."""
    require_browser()
    import build_html

    if shutil.which("npm") is None and not build_html.fetch_web_assets_cached():
        message = ("the static pages need the widget renderer from the npm registry and `npm` is not "
                   "installed: install Node.js's npm (`apt-get install npm`)")
        if os.environ.get("DOWNHILL_REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("site")
    build_html.build(build_html.lessons(), out, exercise_notebooks=build_html.exercises())
    assert (out / "_static" / "html-manager" / "embed-amd.js").is_file(), "the renderer was not copied"
    return out


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, one per session, with a fresh profile."""
    require_browser()
    with lb.chromium() as context:
        yield context


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def screenshot_on_failure(request):
    """After a failed test, keep a screenshot of every open tab in build/browser-failures/."""
    yield
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed or "browser" not in request.fixturenames:
        return
    context = request.getfixturevalue("browser")
    FAILURES.mkdir(parents=True, exist_ok=True)
    for i, page in enumerate(context.pages):
        target = FAILURES / f"{request.node.name}-{i}.png".replace("/", "_")
        try:
            page.screenshot(path=str(target))
            print(f"screenshot of a tab at the failure: {target} ({page.url.split('?')[0]})")
        except Exception as error:  # the tab may be gone; the test's own message matters more
            print(f"no screenshot: {error}")


class RunNotebooks:
    """Open-and-run notebooks, cached for the session: the render check and the interaction tests
    of one notebook share one run (a notebook costs several seconds to open and run)."""

    def __init__(self, browser, lab):
        self.browser, self.lab = browser, lab
        self.pages: dict[tuple[str, str], lb.NotebookPage] = {}

    def __call__(self, path: Path, ui: str = "lab") -> lb.NotebookPage:
        key = (rel(path), ui)
        if key not in self.pages:
            exercise = "exercises" in Path(path).parts
            page = lb.NotebookPage(self.browser, self.lab, key[0], ui=ui)
            page.allowed_errors = ("NotImplementedError",) if exercise else ()
            page.run_all(continue_after=page.allowed_errors)
            self.pages[key] = page
        page = self.pages[key]
        # The tab in front: Chromium throttles the timers and frames of a background tab, and a
        # drag on one took 36 s instead of 2 (every notebook run before it opened a tab of its own).
        page.page.bring_to_front()
        return page

    def close(self, path: Path, ui: str = "lab") -> None:
        page = self.pages.pop((rel(path), ui), None)
        if page is not None:
            page.close()

    def close_all(self) -> None:
        for page in self.pages.values():
            page.close()
        self.pages.clear()


@pytest.fixture(scope="session")
def run_in_browser(browser, lab):
    """run_in_browser(path, ui="lab"|"notebook") → a NotebookPage whose cells have all run."""
    runs = RunNotebooks(browser, lab)
    yield runs
    runs.close_all()

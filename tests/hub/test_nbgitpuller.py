"""The nbgitpuller link brings the course into a student's home, and later the instructor's changes.

The hub fixture has already "clicked" the link once for every student (cloned course.git, the
students' copy of this repository, into ~/downhill). Here the student edits and adds notebooks,
the instructor changes a lesson and pushes, and the second click must bring the change and keep
the student's own work.
"""

from __future__ import annotations

import json
import os

import pytest

from .conftest import ROOT, in_thread

STUDENT = "dh-s01"


def require_browser():
    """tools/lab_browser.py, when Chromium can run; skip (fail in CI) otherwise."""
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    import lab_browser as lb

    reason = lb.browser_unavailable()
    if reason:
        if os.environ.get("DOWNHILL_REQUIRE_BROWSER") == "1" or os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the browser is required here but cannot run: {reason}", pytrace=False)
        pytest.skip(reason)
    return lb


def _cells_text(hub, name: str, path: str) -> str:
    return json.dumps(hub.user_api(name, "GET", f"api/contents/{path}")["content"]["cells"])


def test_clicking_the_link_in_a_browser_logs_in_pulls_and_opens_the_lesson(hub):
    """A student in Chromium: the link sends them to the hub's login, then to their own server's
    git-pull page, which pulls and opens the notebook named in urlpath in JupyterLab."""
    lb = require_browser()
    assert in_thread(click_the_link, lb, hub, "dh-s02") > 0, "the lesson opened in JupyterLab"


def click_the_link(lb, hub, student: str) -> int:
    with lb.chromium() as browser:
        page = browser.new_page()
        page.goto(hub.pull_link(), timeout=120_000)
        page.wait_for_selector("#username_input", timeout=60_000)       # not logged in yet
        page.fill("#username_input", student)
        page.fill("#password_input", hub.password)
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{student}/lab/tree/downhill/notebooks/00_start_here.ipynb*", timeout=180_000)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        return page.locator(".jp-Notebook .jp-Cell").count()          # cells render lazily: count them


def test_a_second_click_brings_the_instructors_change_and_keeps_the_students_work(hub):
    lesson = "downhill/notebooks/01_forward_pass_recap.ipynb"
    mine = "downhill/notebooks/00_start_here.ipynb"
    # The student writes in one notebook and makes one of their own.
    model = hub.user_api(STUDENT, "GET", f"api/contents/{mine}")["content"]
    model["cells"].append({"cell_type": "markdown", "metadata": {}, "id": "student-note",
                           "source": "My own note: the loss is a hillside."})
    hub.user_api(STUDENT, "PUT", f"api/contents/{mine}", {"type": "notebook", "format": "json", "content": model})
    hub.user_api(STUDENT, "PUT", "api/contents/downhill/notebooks/my_scratch.ipynb",
                 {"type": "notebook", "format": "json", "content": {
                     "nbformat": 4, "nbformat_minor": 5, "metadata": {},
                     "cells": [{"cell_type": "code", "metadata": {}, "id": "c1", "outputs": [],
                                "execution_count": None, "source": "print('mine')"}]}})
    assert "Errata from your instructor" not in _cells_text(hub, STUDENT, lesson)

    def add_errata(text: str) -> str:
        nb = json.loads(text)
        nb["cells"].insert(1, {"cell_type": "markdown", "metadata": {}, "id": "errata",
                               "source": "**Errata from your instructor:** the quiz is on Friday."})
        return json.dumps(nb, indent=1) + "\n"

    hub.instructor_commits("notebooks/01_forward_pass_recap.ipynb", add_errata)
    events = hub.git_pull(STUDENT)                                   # the second click

    assert events[-1]["phase"] == "finished"
    assert "Errata from your instructor" in _cells_text(hub, STUDENT, lesson), "the change arrived"
    assert "My own note: the loss is a hillside." in _cells_text(hub, STUDENT, mine), "the edit was kept"
    assert "print('mine')" in _cells_text(hub, STUDENT, "downhill/notebooks/my_scratch.ipynb")

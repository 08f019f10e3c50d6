"""The nbgitpuller link brings the course into a student's home, and later the instructor's changes.

The hub fixture has already "clicked" the link once for every student (cloned course.git, the
students' copy of this repository, into ~/downhill). Here the student edits and adds notebooks,
the instructor changes a lesson and pushes, and the second click must bring the change and keep
the student's own work.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

STUDENT = "dh-s01"


def _cells_text(hub, name: str, path: str) -> str:
    return json.dumps(hub.user_api(name, "GET", f"api/contents/{path}")["content"]["cells"])


def test_the_link_goes_through_the_hub_to_the_students_own_server(hub):
    link = hub.pull_link()
    assert link.startswith(f"{hub.url}/hub/user-redirect/git-pull?")
    request = urllib.request.Request(link, headers={"Authorization": f"token {hub.token(STUDENT)}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        landed = urllib.parse.urlparse(response.geturl())
        page = response.read().decode()
    assert landed.path == f"/user/{STUDENT}/git-pull"
    assert urllib.parse.parse_qs(landed.query)["repo"] == [str(hub.course_repo)]
    assert "git-pull" in page


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

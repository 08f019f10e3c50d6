"""Fixtures for the class-hub tests: one real JupyterHub per session (tools/class_hub.py).

The hub runs on 127.0.0.1 with configurable-http-proxy, five students as Unix accounts
(dh-s01 … dh-s05, made with useradd and deleted again at the end) plus the instructor's account
(dh-teacher), nbgrader's exchange, and the course pulled into each home by the nbgitpuller link.
Unix accounts need root. Without root (or git, node, npm) the tests skip and say why; in CI
(CI=true) or with DOWNHILL_REQUIRE_HUB=1 they fail instead.

The first run builds the single-user environment (/opt/downhill-hub/env as root: the course,
JupyterLab, JupyterHub, nbgitpuller and nbgrader), which takes a few minutes; later runs reuse it.

This folder is a package (it has __init__.py) so that this conftest does not shadow tests/conftest.py.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import class_hub as hubtools  # noqa: E402

STUDENTS = 5


def require_hub() -> None:
    """Skip (or, in CI or with DOWNHILL_REQUIRE_HUB=1, fail) when the hub cannot run here."""
    reason = hubtools.hub_unavailable(unix_users=True)
    if reason is None:
        return
    if os.environ.get("DOWNHILL_REQUIRE_HUB") == "1" or os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the hub tests are required here (CI=true or DOWNHILL_REQUIRE_HUB=1) but cannot run: {reason}",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def hub():
    """The class hub, its students' servers started and the course pulled into every home."""
    require_hub()
    with hubtools.Hub(STUDENTS, log=lambda line: print(f"[hub] {line}")) as class_hub:
        class_hub.start_servers(class_hub.students)
        for name in class_hub.students:
            class_hub.git_pull(name)
        yield class_hub


# --- nbgrader's exchange, end to end (shared by test_exchange.py and test_security.py) ----------

ASSIGNMENT = "ex02_gradients"
#: How long the grader lets one cell run here (the course's own limit is c.Execute.timeout = 120 s).
GRADER_TIMEOUT = 10


def source_notebook() -> dict:
    import json

    return json.loads((ROOT / "instructor" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())


def grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def solution_code(grade: str) -> str:
    """The instructor's solution of answer cell `grade`, without the solution markers."""
    cell = next(c for c in source_notebook()["cells"] if grade_id(c) == grade)
    source = "".join(cell["source"])
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


def points(grade: str) -> float:
    cell = next(c for c in source_notebook()["cells"] if grade_id(c) == grade)
    return float(cell["metadata"]["nbgrader"]["points"])


def code_points() -> float:
    return sum(float(c["metadata"]["nbgrader"].get("points", 0)) for c in source_notebook()["cells"]
               if c["cell_type"] == "code" and c.get("metadata", {}).get("nbgrader", {}).get("grade"))


def _set_source(nb: dict, grade: str, source: str) -> None:
    cell = next(c for c in nb["cells"] if grade_id(c) == grade)
    cell["source"] = source


def _solve(nb: dict, *grades: str) -> None:
    for grade in grades:
        _set_source(nb, grade, solution_code(grade))


ANSWERS = ["ex02-nudge-gradient", "ex02-which-way", "ex02-zero-gradient-labels"]


def edit_full(nb):           # every answer is the instructor's solution
    _solve(nb, *ANSWERS)


def edit_untouched(nb):      # hands the copy back as fetched
    pass


def edit_syntax_error(nb):   # one answer does not even parse
    _solve(nb, "ex02-nudge-gradient", "ex02-zero-gradient-labels")
    _set_source(nb, "ex02-which-way", 'def which_way(grad)\n    return "leave"\n')


def edit_never_returns(nb):  # one answer loops for ever: only the grader's timeout stops it
    _solve(nb, "ex02-nudge-gradient", "ex02-zero-gradient-labels")
    _set_source(nb, "ex02-which-way", "def which_way(grad):\n    while True:\n        pass\n")


def edit_tampered(nb):       # leaves an answer unwritten but edits its check to "pass"; deletes another check
    _solve(nb, "ex02-which-way", "ex02-zero-gradient-labels")
    _set_source(nb, "ex02-nudge-gradient-check", 'print("✔ nudge_gradient is right")\n')
    nb["cells"] = [c for c in nb["cells"] if grade_id(c) != "ex02-which-way-check"]


#: student → how they edit the fetched notebook, in the order of the hub's accounts.
EDITS = {"dh-s01": edit_full, "dh-s02": edit_untouched, "dh-s03": edit_syntax_error,
         "dh-s04": edit_never_returns, "dh-s05": edit_tampered}

GRADEBOOK_REPORT = r"""
import json
from nbgrader.api import Gradebook
report = {}
with Gradebook("sqlite:///gradebook.db", course_id="downhill") as gb:
    for student in gb.students:
        sub = gb.find_submission(ASSIGNMENT, student.id)
        report[student.id] = {"score": sub.score, "code_score": sub.code_score,
                              "max_code_score": sub.max_code_score,
                              "cells": {g.name: g.score for nb in sub.notebooks for g in nb.grades}}
print(json.dumps(report))
"""


@pytest.fixture(scope="session")
def graded_class(hub):
    """The whole round trip; returns what each step left behind for the tests to read."""
    import json

    teacher = hub.instructor
    hub.nbgrader(teacher, "generate_assignment", ASSIGNMENT)
    hub.nbgrader(teacher, "release_assignment", ASSIGNMENT)
    path = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"

    def student_works(name: str) -> None:
        hub.nbgrader(name, "fetch_assignment", ASSIGNMENT)
        model = hub.user_api(name, "GET", f"api/contents/{path}")      # the student's edit, via their server
        nb = model["content"]
        EDITS[name](nb)
        hub.user_api(name, "PUT", f"api/contents/{path}", {"type": "notebook", "format": "json", "content": nb})
        hub.nbgrader(name, "submit", ASSIGNMENT)

    with ThreadPoolExecutor(max_workers=3) as students:                 # a class works at once
        list(students.map(student_works, EDITS))
    # A student hands in their untouched copy in another student's name (nbgrader submit takes
    # --student): the instructor's collect must not grade it as the other student's work.
    forger, victim = "dh-s02", "dh-s01"
    forged = hub.nbgrader(forger, "submit", ASSIGNMENT, f"--CourseDirectory.student_id={victim}", check=False)

    collect = hub.nbgrader(teacher, "collect", ASSIGNMENT)
    autograde = hub.nbgrader(teacher, "autograde", ASSIGNMENT, f"--Execute.timeout={GRADER_TIMEOUT}")
    hub.nbgrader(teacher, "generate_feedback", ASSIGNMENT)
    hub.nbgrader(teacher, "release_feedback", ASSIGNMENT)
    with ThreadPoolExecutor(max_workers=3) as students:
        list(students.map(lambda name: hub.nbgrader(name, "fetch_feedback", ASSIGNMENT), EDITS))
    hub.nbgrader(teacher, "export")
    report = hub.run_as(teacher, [hubtools.ENV / "bin" / "python", "-c",
                                  f"ASSIGNMENT = {ASSIGNMENT!r}\n" + GRADEBOOK_REPORT], cwd=hub.course_dir)
    return {"scores": json.loads(report.stdout), "collect": collect, "autograde": autograde,
            "forged": forged, "forger": forger, "victim": victim}


def in_thread(function, *args):
    """Run function(*args) in a thread of its own and return its result (or raise its error).

    The browser tests' Playwright keeps an event loop running in this thread for the whole
    session, so asyncio.run() and another sync Playwright must run elsewhere."""
    import threading

    outcome = {}

    def target():
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # handed back to the test
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def run_async(coroutine_function):
    """asyncio.run(coroutine_function()) in a thread of its own (see in_thread)."""
    import asyncio

    return in_thread(lambda: asyncio.run(coroutine_function()))

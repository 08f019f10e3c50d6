"""nbgrader's exchange on the class hub, end to end, with five students and real accounts.

The instructor (account dh-teacher, course directory in their private home) runs
generate_assignment and release_assignment; each student fetches the exercise with nbgrader as
their own account, edits it through their own Jupyter server on the hub (the Contents API, as
JupyterLab saves), and submits; the instructor collects, autogrades, generates and releases
feedback; every student fetches their feedback; `nbgrader export` writes the grade table.

The five hand-ins: the full solutions, the untouched copy, an answer with a SyntaxError, an
answer that never returns (the grader's per-cell timeout must stop it), and a check cell edited
to print ✔ plus another check cell deleted. Expected scores come from the points in the
instructor's source, not typed here.
"""

from __future__ import annotations

import csv

from .conftest import ASSIGNMENT, EDITS, GRADER_TIMEOUT, code_points, points


def _autograded(hub, student: str) -> str:
    return (hub.course_dir / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()


def test_every_student_is_graded_and_grading_never_stopped(graded_class):
    scores = graded_class["scores"]
    assert sorted(scores) == sorted(EDITS), "every student who submitted is in the gradebook"
    for student, result in scores.items():
        assert result["max_code_score"] == code_points() > 0, student
        assert result["score"] is not None, f"{student} has no grade"
    # autograde exited 0 (hub.nbgrader checks it); its only errors are the endless answer's timeout.
    errors = [line for line in graded_class["autograde"].stderr.splitlines() if "| ERROR]" in line]
    assert errors and all("Timeout waiting for execute reply" in line or "Interrupting kernel" in line
                          for line in errors), errors


def test_full_solutions_earn_every_autograded_point(graded_class):
    assert graded_class["scores"]["dh-s01"]["code_score"] == code_points()


def test_the_untouched_copy_scores_zero(graded_class):
    assert graded_class["scores"]["dh-s02"]["code_score"] == 0


def test_a_syntax_error_costs_only_its_own_check(graded_class, hub):
    result = graded_class["scores"]["dh-s03"]
    assert result["cells"]["ex02-which-way-check"] == 0
    assert result["code_score"] == code_points() - points("ex02-which-way-check")
    assert "SyntaxError" in _autograded(hub, "dh-s03")


def test_an_answer_that_never_returns_is_stopped_by_the_timeout_and_grading_goes_on(graded_class, hub):
    result = graded_class["scores"]["dh-s04"]
    assert result["cells"]["ex02-which-way-check"] == 0
    # The check after the endless one still ran and passed.
    assert result["cells"]["ex02-zero-gradient-labels-check"] == points("ex02-zero-gradient-labels-check")
    assert result["code_score"] == code_points() - points("ex02-which-way-check")
    graded = _autograded(hub, "dh-s04")
    assert "CellTimeoutError" in graded or "KeyboardInterrupt" in graded, (
        f"the {GRADER_TIMEOUT} s timeout should have interrupted which_way")


def test_an_edited_check_is_caught_by_its_checksum_and_a_deleted_one_is_put_back(graded_class, hub):
    result = graded_class["scores"]["dh-s05"]
    # The edited check was replaced by the original (checksum mismatch), which fails on the stub;
    # zero_gradient_labels uses the unwritten nudge_gradient, so it fails too.
    assert result["cells"]["ex02-nudge-gradient-check"] == 0
    assert result["cells"]["ex02-zero-gradient-labels-check"] == 0
    log = graded_class["autograde"].stdout + graded_class["autograde"].stderr
    assert "checksum" in log and "ex02-nudge-gradient-check" in log, log[-3000:]
    # The deleted check was added back (instructor/nbgrader_config.py: add_missing_cells) and ran.
    assert result["cells"]["ex02-which-way-check"] == points("ex02-which-way-check")
    assert "was missing from the submission" in _autograded(hub, "dh-s05")
    assert result["code_score"] == points("ex02-which-way-check")


def test_every_student_fetched_a_feedback_file_with_their_score(graded_class, hub):
    for student, result in graded_class["scores"].items():
        found = list((hub.home(student) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(found) == 1, f"{student}: {found}"
        html = found[0].read_text()
        assert f"Score: {result['score']:g}" in html.replace(".0 / ", " / ") or f"{result['score']:g}" in html, student


def test_nbgrader_export_writes_the_grade_table(graded_class, hub):
    rows = list(csv.DictReader((hub.course_dir / "grades.csv").open()))
    by_student = {row["student_id"]: row for row in rows if row["assignment"] == ASSIGNMENT}
    assert sorted(by_student) == sorted(EDITS)
    for student, result in graded_class["scores"].items():
        assert float(by_student[student]["score"]) == result["score"], student

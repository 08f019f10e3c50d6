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
import re

from .conftest import ASSIGNMENT, EDITS, GRADER_TIMEOUT, code_points, grade_id, points, source_notebook


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


#: How nbgrader's feedback template (formgrader/templates/feedback/index.html.j2) writes the scores:
#: `<h4>ex02_gradients (Score: 5.0 / 7.0)</h4>` for the notebook, then one line per graded cell,
#: `<li><a href="#ex02-which-way-check">Test cell</a> (Score: 1.0 / 1.0)</li>`. Numbers are rounded to 2 places.
NOTEBOOK_SCORE = re.compile(rf"<h4>{ASSIGNMENT} \(Score: ([\d.]+) / ([\d.]+)\)</h4>")
CELL_SCORE = re.compile(r'<li><a href="#([^"]+)">[^<]+</a> \(Score: ([\d.]+) / ([\d.]+)\)</li>')


def test_every_student_fetched_a_feedback_file_with_their_score(graded_class, hub):
    graded = {grade_id(c): float(c["metadata"]["nbgrader"]["points"]) for c in source_notebook()["cells"]
              if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    headings = {}
    for student, result in graded_class["scores"].items():
        found = list((hub.home(student) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(found) == 1, f"{student}: {found}"
        html = found[0].read_text()
        heading = NOTEBOOK_SCORE.findall(html)
        assert len(heading) == 1, f"{student}: no single score heading in the feedback file"
        score, out_of = map(float, heading[0])
        assert (score, out_of) == (round(result["score"], 2), sum(graded.values())), (student, heading, result)
        cells = {name: (float(got), float(most)) for name, got, most in CELL_SCORE.findall(html)}
        assert cells == {name: (round(result["cells"][name] or 0, 2), most) for name, most in graded.items()}, (
            student, cells, result["cells"])
        headings[student] = heading[0]
    # The five hand-ins earn different scores, so each file is that student's own feedback.
    assert headings["dh-s01"] != headings["dh-s02"], headings


def test_nbgrader_export_writes_the_grade_table(graded_class, hub):
    rows = list(csv.DictReader((hub.course_dir / "grades.csv").open()))
    by_student = {row["student_id"]: row for row in rows if row["assignment"] == ASSIGNMENT}
    assert sorted(by_student) == sorted(EDITS)
    for student, result in graded_class["scores"].items():
        assert float(by_student[student]["score"]) == result["score"], student

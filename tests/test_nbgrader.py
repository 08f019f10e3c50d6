"""Optional: the real nbgrader generates and autogrades the exercises.

    DOWNHILL_GRADING=1 python -m pytest tests/test_nbgrader.py     # runs by itself when CI=true

On first use it makes a separate virtual environment, .venv-grading/ in the repository root, with
nbgrader and this course (`pip install nbgrader -e .`, with uv when the test tools have it:
tools/envs.py); later runs reuse it. nbgrader stays out of
the course's own environment: students never need it.

In a copy of instructor/ it runs `nbgrader generate_assignment` and checks that nbgrader's student
version is exactly the committed copy in notebooks/exercises/. Then it autogrades two students:
"solutions" hands in the instructor's sources, "untouched" hands in the student copies as given.
The solutions earn every autograded point, hidden tests included, and full marks once the written
answers (the model answers) are graded by hand; the untouched copies score zero.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import envs  # noqa: E402  (uv when the test tools have it, else venv and pip)

VENV = ROOT / ".venv-grading"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
ASSIGNMENTS = ["ex02_gradients", "ex03_gradient_descent", "ex04_learning_rate", "ex05_backprop_cost"]
NBGRADER = "nbgrader>=0.9"

ENABLED = os.environ.get("DOWNHILL_GRADING") == "1" or os.environ.get("CI", "").lower() == "true"
pytestmark = pytest.mark.skipif(
    not ENABLED,
    reason="optional nbgrader round trip: run it with DOWNHILL_GRADING=1 (it always runs when CI=true); "
           "the first run builds .venv-grading/ with nbgrader (seconds with uv, about a minute with pip)")


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                             f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def _ready() -> bool:
    """True if .venv-grading has nbgrader, and `helpers` there is this repository's."""
    if not PYTHON.exists():
        return False
    probe = subprocess.run([str(PYTHON), "-c", "import nbgrader, helpers; print(helpers.__file__)"],
                           capture_output=True, text=True)
    return probe.returncode == 0 and Path(probe.stdout.strip()).resolve().is_relative_to(ROOT)


@pytest.fixture(scope="module")
def grading_python() -> Path:
    """The Python of .venv-grading (created, or repaired, on first use)."""
    if not _ready():
        if not PYTHON.exists():
            envs.make_venv(sys.executable, VENV)
        envs.install(VENV, NBGRADER, editable=ROOT)
    assert _ready()
    return PYTHON


GRADEBOOK_REPORT = r"""
import json
from nbgrader.api import Gradebook

def scores(sub):
    return {k: getattr(sub, k) for k in ("score", "max_score", "code_score", "max_code_score",
                                         "written_score", "max_written_score", "needs_manual_grade")}

report = {}
with Gradebook("sqlite:///gradebook.db", course_id="downhill") as gb:
    for assignment in gb.assignments:
        for student in ("solutions", "untouched"):
            report[f"{assignment.name}/{student}"] = scores(gb.find_submission(assignment.name, student))
        # An instructor reads the model answers and gives them full marks.
        for notebook in gb.find_submission(assignment.name, "solutions").notebooks:
            for grade in notebook.grades:
                if grade.needs_manual_grade:
                    grade.manual_score = grade.max_score
        gb.db.commit()
        report[f"{assignment.name}/solutions, graded by hand"] = scores(gb.find_submission(assignment.name, "solutions"))
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def course(grading_python, tmp_path_factory) -> dict:
    """A copy of the course, generated and autograded by nbgrader; returns the gradebook's scores."""
    root = tmp_path_factory.mktemp("grading")
    course = root / "course"
    shutil.copytree(ROOT / "instructor", course, ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "solution", "gradebook.db", ".nbgrader.log",
        ".ipynb_checkpoints"))
    # Only this test's settings: no user config, and a python3 kernel that is the grading Python.
    kernel = root / "jupyter-data" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [str(grading_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (grading)", "language": "python"}))
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PATH=str(BIN) + os.pathsep + env.get("PATH", ""),   # nbgrader runs its `alembic`
               JUPYTER_PATH=str(root / "jupyter-data"), JUPYTER_CONFIG_DIR=str(root / "jupyter-config"),
               JUPYTER_DATA_DIR=str(root / "jupyter-data"), PYTHONNOUSERSITE="1")
    nbgrader = [BIN / "nbgrader"]
    _run(nbgrader + ["generate_assignment", "*"], cwd=course, env=env)      # every assignment
    for assignment in ASSIGNMENTS:
        for student, source in [("solutions", course / "source" / assignment / f"{assignment}.ipynb"),
                                ("untouched", ROOT / "notebooks" / "exercises" / f"{assignment}.ipynb")]:
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            shutil.copy(source, folder / f"{assignment}.ipynb")
    _run(nbgrader + ["autograde", "*"], cwd=course, env=env)               # every student, every assignment
    report = _run([grading_python, "-c", GRADEBOOK_REPORT], cwd=course, env=env)
    return {"path": course, "scores": json.loads(report.stdout)}


def _points(assignment: str, kind: str) -> float:
    """Points of the source's check cells ("code") or written answers ("markdown")."""
    nb = json.loads((ROOT / "instructor" / "source" / assignment / f"{assignment}.ipynb").read_text())
    return float(sum(c["metadata"]["nbgrader"].get("points", 0) for c in nb["cells"]
                     if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == kind))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_makes_exactly_the_committed_student_copy(assignment, course):
    released = course["path"] / "release" / assignment / f"{assignment}.ipynb"
    committed = ROOT / "notebooks" / "exercises" / f"{assignment}.ipynb"
    assert json.loads(released.read_text()) == json.loads(committed.read_text()), (
        "tools/make_student_copies.py no longer matches nbgrader: compare the two and mend the tool")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_instructors_solutions_score_full_marks(assignment, course):
    auto = course["scores"][f"{assignment}/solutions"]
    assert auto["max_code_score"] == _points(assignment, "code") > 0
    assert auto["code_score"] == auto["max_code_score"], "every check and hidden test passes"
    assert auto["max_written_score"] == _points(assignment, "markdown") > 0
    assert auto["needs_manual_grade"], "written answers wait for a person"
    graded = course["scores"][f"{assignment}/solutions, graded by hand"]
    assert graded["score"] == graded["max_score"] == auto["max_code_score"] + auto["max_written_score"]
    autograded = (course["path"] / "autograded" / "solutions" / assignment / f"{assignment}.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" in autograded, "the hidden tests ran"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_an_untouched_student_copy_scores_zero(assignment, course):
    scores = course["scores"][f"{assignment}/untouched"]
    assert scores["max_score"] == _points(assignment, "code") + _points(assignment, "markdown")
    assert scores["score"] == 0 and not scores["needs_manual_grade"]

"""Every notebook is committed clean, starts with the same setup cell, and every lesson runs
top to bottom headless with no error and no warning."""

import json
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

from conftest import LESSONS, NOTEBOOKS, ROOT

ALL_NOTEBOOKS = sorted(p for folder in ("notebooks", "instructor") for p in (ROOT / folder).rglob("*.ipynb")
                       if ".ipynb_checkpoints" not in p.parts)
SETUP_MARK = "# Setup: find the course's `helpers` package"


def first_code_cell(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return next("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def test_the_six_lessons_are_there_in_reading_order():
    assert [p.stem for p in LESSONS] == [
        "00_start_here", "01_forward_pass_recap", "02_what_is_a_gradient",
        "03_gradient_descent", "04_learning_rate", "05_why_backprop"]


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_notebook_is_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert set(nb["metadata"]) <= {"kernelspec", "language_info"}, "notebook metadata (widgets state?)"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in nb["cells"]:
        assert set(cell.get("metadata", {})) <= {"nbgrader", "tags", "deletable", "editable"}
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_notebook_starts_with_the_setup_cell(path):
    assert first_code_cell(path) == first_code_cell(LESSONS[0])
    assert first_code_cell(path).startswith(SETUP_MARK)


def run_setup_cell(cwd: Path) -> subprocess.CompletedProcess:
    """The setup cell in a Python that has numpy & co. but not the installed helpers (-S skips
    the site hooks, so the editable install's finder is not there)."""
    site = str(Path(numpy.__file__).parents[1])
    code = f"import sys; sys.path.append({site!r})\n{first_code_cell(LESSONS[0])}\nprint(h.__file__)"
    return subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=cwd, capture_output=True, text=True)


def test_setup_cell_finds_helpers_in_the_repository_folder():
    for cwd in (NOTEBOOKS, NOTEBOOKS / "exercises", ROOT):
        done = run_setup_cell(cwd)
        assert done.returncode == 0, done.stderr
        assert Path(done.stdout.strip()) == ROOT / "helpers" / "__init__.py"


def test_setup_cell_says_how_to_install_when_helpers_is_nowhere(tmp_path):
    done = run_setup_cell(tmp_path)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert "needs the course's `helpers` package" in last and "pip install -e" in last


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_headless_without_errors_or_warnings(path, run_notebook):
    nb = run_notebook(path)
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"cell {index}: {out.get('ename')}: {out.get('evalue')}"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), \
                f"cell {index} wrote to stderr: {out['text'][:500]}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_shows_figures_headless(path, run_notebook):
    nb = run_notebook(path)
    images = sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
    assert images >= 1

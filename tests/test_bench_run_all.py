"""bench/run_all.py's yardsticks: the floor notebook and a lesson's plain twin show what they claim."""

import sys
from pathlib import Path

import nbformat
import pytest

from conftest import execute_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import run_all  # noqa: E402


def _pictures(nb) -> int:
    return sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))


def _sliders(nb) -> int:
    return sum("application/vnd.jupyter.widget-view+json" in out.get("data", {})
               for cell in nb.cells for out in cell.get("outputs", []))


@pytest.mark.parametrize("n", [0, 3])
def test_the_plain_twin_is_the_floor_with_n_plain_figures_before_its_slider(tmp_path, n):
    twin = run_all.plain_twin(n)
    assert twin.cells[0].source == run_all.FLOOR.cells[0].source          # the floor's imports first
    assert twin.cells[-1].source == run_all.FLOOR.cells[-1].source        # its one slider last
    assert [c.source for c in twin.cells[1:-1]] == [run_all.PLAIN_FIGURE] * n
    path = tmp_path / f"twin{n}.ipynb"
    nbformat.write(twin, path)
    ran = execute_notebook(path)
    assert _pictures(ran) == n                     # one picture per figure cell, nothing else drawn
    assert _sliders(ran) == 1


def test_the_floor_shows_one_slider_and_no_picture(tmp_path):
    path = tmp_path / "floor.ipynb"
    nbformat.write(run_all.FLOOR, path)
    ran = execute_notebook(path)
    assert (_pictures(ran), _sliders(ran)) == (0, 1)


def test_a_plain_twin_of_fewer_than_no_figures_is_refused():
    with pytest.raises(ValueError, match="n_figures must be 0 or more; got -1"):
        run_all.plain_twin(-1)


def _printed(nb) -> list[str]:
    """What each code cell printed (one string per cell: a picture shown between two prints splits
    them into two outputs, and without it they are one)."""
    return ["".join(out.text for out in cell.get("outputs", []) if out.output_type == "stream")
            for cell in nb.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("name", run_all.LESSONS)
def test_a_lesson_without_pictures_draws_nothing_and_prints_what_the_lesson_prints(tmp_path, name):
    lesson = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    before = nbformat.writes(lesson)
    bare = run_all.without_pictures(lesson)
    assert nbformat.writes(lesson) == before                          # the lesson passed in is unchanged
    assert len(bare.cells) == len(lesson.cells) + 1
    nbformat.write(bare, tmp_path / f"{name}.ipynb")
    ran_lesson = execute_notebook(ROOT / "notebooks" / f"{name}.ipynb")
    ran_bare = execute_notebook(tmp_path / f"{name}.ipynb")
    assert _pictures(ran_lesson) > 0
    assert _pictures(ran_bare) == 0 and _sliders(ran_bare) == 0       # no figure, no explorer
    printed = _printed(ran_bare)
    assert printed.pop(1 + 1) == ""                                   # the added cell (after setup and imports)
    assert printed == _printed(ran_lesson)                            # everything computed is still printed

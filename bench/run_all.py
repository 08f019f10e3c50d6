"""Run All in JupyterLab, lesson by lesson, against a floor notebook (not a test).

    python bench/run_all.py               # every lesson, 3 rounds
    python bench/run_all.py --rounds 5 04_learning_rate
    python bench/run_all.py --rounds 1 00_start_here      # a quick check that it runs

In Debian's Chromium, each notebook is opened in JupyterLab with a fresh kernel, then Run ▸ Run All
Cells is pressed. The time counted is from that click (the button's release on the menu item,
which is when JupyterLab runs the command) to the last change to any cell's output (the last
figure or widget appearing), measured inside the page; opening the menu is not counted, for the
lesson and the floor alike. The floor is the least a widget lesson can cost: a notebook that
imports numpy, matplotlib and ipywidgets and shows one slider. Floor and lesson alternate, and
the fastest of the rounds of each is kept (the least disturbed by the rest of the machine).
Prints each lesson's time next to the floor's, and their ratio (goal ≤ 1.5).

Beside each lesson runs its plain twin: the floor with as many figures as the lesson shows (its
pictures counted on the page after its Run All), each the plainest matplotlib figure there is,
one line shown with `plt.show()`. The twin's ratio is what that many figures cost with no course
code at all: where it is above the goal, no matplotlib figure, however plain, brings the lesson
under it without showing fewer pictures. The lesson's time against its twin's ("vs twin") is
what the course's figures, explorers and training add on top.

Last runs the lesson without its pictures: the same notebook with one cell added after its
imports that turns every figure function, explorer, pyplot figure and `h.show` of the course into
a no-op (`without_pictures`), so it computes and prints everything it does and draws nothing. Its
ratio ("bare ratio") is the least any way of drawing the lesson's pictures could reach: where it is
above the goal, the lesson's own computations (its training runs, its timings) exceed the goal
before a single picture is drawn. The twin and the bare lesson are two floors under the lesson's
time: what its pictures cost at their plainest, with no course code, and what its course code
costs with no picture.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import envs  # noqa: E402
import lab_browser as lb  # noqa: E402

GOAL = 1.5
LESSONS = sorted(p.stem for p in lb.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
FLOOR = nbformat.v4.new_notebook(cells=[
    nbformat.v4.new_code_cell("import numpy as np\nimport matplotlib.pyplot as plt\nimport ipywidgets as widgets\n"
                              "%matplotlib inline"),
    nbformat.v4.new_code_cell('widgets.FloatSlider(value=0.1, min=0.001, max=10, description="η")'),
], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})

#: One figure of the plain twin: the least a matplotlib picture in a notebook can be.
PLAIN_FIGURE = "fig, ax = plt.subplots()\nax.plot([0, 1], [0, 1])\nplt.show()"

#: The cell `without_pictures` adds after a lesson's imports. It replaces, in every module of
#: `helpers` imported so far and among the notebook's own public names, each explorer class and
#: each function that makes a figure (its name ends in "_figure", or it is one of the picture
#: helpers, or it draws on an Axes it is given) with `_nothing`, which accepts any use and draws
#: nothing; `h.show` shows nothing, and pyplot's figures are `_nothing` too. What the lesson
#: computes and prints stays.
NO_PICTURES = """\
# bench/run_all.py: this lesson without its pictures (its computations and printed results stay)
import inspect as _inspect
import sys as _sys
import matplotlib.pyplot as _plt
import helpers as _h
import helpers.alt as _alt
from helpers.widgets import Explorer as _Explorer

class _Nothing:
    def __getattr__(self, name): return self
    def __call__(self, *args, **kwargs): return self
    def __getitem__(self, key): return self
    def __iter__(self): return iter((self, self))
    def _ipython_display_(self): pass

_nothing = _Nothing()

def _draws(value, explorer=_Explorer):
    if isinstance(value, type):
        return issubclass(value, explorer)
    if not _inspect.isfunction(value) or not (value.__module__ or "").startswith("helpers."):
        return False
    first = list(_inspect.signature(value).parameters)[:1]
    return (value.__name__.endswith("_figure") or first == ["ax"]
            or value.__name__ in {"show_task", "flip_grid", "loop_diagram"})

for _names in [vars(m) for n, m in list(_sys.modules.items()) if n.startswith("helpers.")] + [globals()]:
    for _name, _value in list(_names.items()):
        if not _name.startswith("_") and _draws(_value):
            _names[_name] = _nothing
_h.show = _alt.show = lambda *args, **kwargs: None
_plt.figure = _nothing
_plt.subplots = lambda *args, **kwargs: (_nothing, _nothing)
"""

RUN_ALL = "runmenu:run-all"

#: The pictures a notebook's outputs show: figures shown as images and explorers' pictures alike.
COUNT_PICTURES = "() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea img').length"

# The clock starts when the Run All menu item is clicked: Lumino's menu runs its command on the
# `pointerup` of the button (Menu._evtPointerUp → triggerActiveItem), and this listener (capturing,
# on the document) hears that event before the menu does. From then on, the time of every change
# inside the notebook's output areas is kept.
WATCH = """command => {
  const run = window.__downhillRun = {start: null, last: null};
  document.addEventListener('pointerup', e => {
    if (run.start === null && e.button === 0 && e.target.closest
        && e.target.closest(`.lm-Menu-item[data-command='${command}']`)) {
      run.start = run.last = performance.now();
    }
  }, true);
  const notebook = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook')
                   || document.querySelector('.jp-Notebook');
  new MutationObserver(records => {
    if (run.start !== null && records.some(r => r.target.closest && r.target.closest('.jp-OutputArea'))) {
      run.last = performance.now();
    }
  }).observe(notebook, {childList: true, subtree: true, attributes: true, characterData: true});
}"""


def plain_twin(n_figures: int):
    """The floor notebook with `n_figures` plain figures (`PLAIN_FIGURE`) before its slider."""
    if n_figures < 0:
        raise ValueError(f"n_figures must be 0 or more; got {n_figures}")
    imports, slider = FLOOR.cells
    figures = [nbformat.v4.new_code_cell(PLAIN_FIGURE) for _ in range(n_figures)]
    return nbformat.v4.new_notebook(cells=[imports, *figures, slider], metadata=FLOOR.metadata)


def without_pictures(lesson):
    """The lesson notebook with `NO_PICTURES` added after its imports (its second code cell, after
    the setup cell that finds `helpers`). The notebook passed in is not changed."""
    nb = copy.deepcopy(lesson)
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    if len(code) < 2:
        raise ValueError(f"a lesson starts with a setup cell and an imports cell; this one has {len(code)} code cells")
    nb.cells.insert(code[1] + 1, nbformat.v4.new_code_cell(NO_PICTURES))
    return nb


def run_all(browser, server, path: str, strict: bool = False) -> tuple[float, int]:
    """Open `path` with a fresh kernel, press Run All: (seconds to its last output, pictures shown).

    strict: raise if the page shows a problem (an error stops Run All early, and so makes a
    notebook look fast).
    """
    nb = lb.NotebookPage(browser, server, path)
    try:
        nb.page.evaluate(WATCH, RUN_ALL)
        nb.run_all(continue_after=("NotImplementedError",))
        run = nb.page.evaluate("() => window.__downhillRun")
        if run["start"] is None:
            raise RuntimeError(f"{path}: the click on the Run All menu item ({RUN_ALL}) was not seen")
        problems = nb.problems() if strict else []
        if problems:
            raise RuntimeError(f"{path}: Run All went wrong:\n  " + "\n  ".join(problems))
        return (run["last"] - run["start"]) / 1000.0, nb.page.evaluate(COUNT_PICTURES)
    finally:
        nb.close()


def run_all_seconds(browser, server, path: str) -> float:
    """Open `path` with a fresh kernel, press Run All, and return the seconds to its last output."""
    return run_all(browser, server, path)[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson names (default: every lesson)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    reason = lb.browser_unavailable()
    if reason:
        print(f"run-all benchmark: skipped. {reason}")
        return 0
    lessons = LESSONS
    if args.lessons:
        unknown = sorted(set(args.lessons) - set(lessons))
        if unknown:
            parser.error(f"no such lesson: {', '.join(unknown)} (choose from {', '.join(lessons)})")
        lessons = args.lessons

    with tempfile.TemporaryDirectory(prefix="downhill-runall-") as tmp, lb.chromium() as browser:
        root = lb.copy_course(Path(tmp))
        nbformat.write(FLOOR, root / "notebooks" / "floor.ipynb")
        with lb.Server("lab", root=root) as server:
            run_all_seconds(browser, server, "notebooks/floor.ipynb")          # warm the caches
            print("Run All → last output in JupyterLab (Chromium), fastest of "
                  f"{args.rounds} rounds, against the floor notebook (numpy, matplotlib, ipywidgets, one slider)")
            print("twin: the floor plus as many plain matplotlib figures (one line, plt.show()) as the lesson shows")
            print("bare: the lesson without its pictures, everything it computes and prints kept")
            print(envs.bytecode_line())
            print(f"{'lesson':<26}{'pictures':>9}{'lesson s':>10}{'floor s':>9}{'ratio':>7}{'twin s':>8}"
                  f"{'twin ratio':>12}{'vs twin':>9}{'bare s':>8}{'bare ratio':>12}  goal ≤ {GOAL}")
            worst = 0.0
            for name in lessons:
                path = f"notebooks/{name}.ipynb"
                n_pictures = run_all(browser, server, path, strict=True)[1]     # a first run counts its pictures
                twin = f"notebooks/{name}_plain_twin.ipynb"
                nbformat.write(plain_twin(n_pictures), root / twin)
                bare = f"notebooks/{name}_without_pictures.ipynb"
                nbformat.write(without_pictures(nbformat.read(root / path, as_version=4)), root / bare)
                left = run_all(browser, server, bare, strict=True)[1]     # and checks the bare one
                if left:
                    raise RuntimeError(f"{bare} still shows {left} picture(s): NO_PICTURES misses a way "
                                       "this lesson draws")
                t_floor = t_lesson = t_twin = t_bare = float("inf")
                for _ in range(args.rounds):
                    t_floor = min(t_floor, run_all_seconds(browser, server, "notebooks/floor.ipynb"))
                    t_lesson = min(t_lesson, run_all_seconds(browser, server, path))
                    t_twin = min(t_twin, run_all_seconds(browser, server, twin))
                    t_bare = min(t_bare, run_all_seconds(browser, server, bare))
                ratio = t_lesson / t_floor
                worst = max(worst, ratio)
                why = ("  (without any picture too)" if t_bare / t_floor > GOAL
                       else "  (its plain twin misses too)" if t_twin / t_floor > GOAL else "")
                print(f"{name:<26}{n_pictures:>9}{t_lesson:>10.2f}{t_floor:>9.2f}{ratio:>7.2f}{t_twin:>8.2f}"
                      f"{t_twin / t_floor:>12.2f}{t_lesson / t_twin:>9.2f}{t_bare:>8.2f}{t_bare / t_floor:>12.2f}"
                      f"  {'met' if ratio <= GOAL else 'MISSED'}" + (why if ratio > GOAL else ""))
            print(f"worst ratio {worst:.2f} (goal ≤ {GOAL}: {'met' if worst <= GOAL else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

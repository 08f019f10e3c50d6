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
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import envs  # noqa: E402
import lab_browser as lb  # noqa: E402

GOAL = 1.5
FLOOR = nbformat.v4.new_notebook(cells=[
    nbformat.v4.new_code_cell("import numpy as np\nimport matplotlib.pyplot as plt\nimport ipywidgets as widgets\n"
                              "%matplotlib inline"),
    nbformat.v4.new_code_cell('widgets.FloatSlider(value=0.1, min=0.001, max=10, description="η")'),
], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})

#: One figure of the plain twin: the least a matplotlib picture in a notebook can be.
PLAIN_FIGURE = "fig, ax = plt.subplots()\nax.plot([0, 1], [0, 1])\nplt.show()"

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


def run_all(browser, server, path: str) -> tuple[float, int]:
    """Open `path` with a fresh kernel, press Run All: (seconds to its last output, pictures shown)."""
    nb = lb.NotebookPage(browser, server, path)
    try:
        nb.page.evaluate(WATCH, RUN_ALL)
        nb.run_all(continue_after=("NotImplementedError",))
        run = nb.page.evaluate("() => window.__downhillRun")
        if run["start"] is None:
            raise RuntimeError(f"{path}: the click on the Run All menu item ({RUN_ALL}) was not seen")
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
    lessons = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
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
            print(envs.bytecode_line())
            print(f"{'lesson':<26}{'pictures':>9}{'lesson s':>10}{'floor s':>9}{'ratio':>7}{'twin s':>8}"
                  f"{'twin ratio':>12}{'vs twin':>9}  goal ≤ {GOAL}")
            worst = 0.0
            for name in lessons:
                path = f"notebooks/{name}.ipynb"
                n_pictures = run_all(browser, server, path)[1]       # a first run counts its pictures
                twin = f"notebooks/{name}_plain_twin.ipynb"
                nbformat.write(plain_twin(n_pictures), root / twin)
                t_floor = t_lesson = t_twin = float("inf")
                for _ in range(args.rounds):
                    t_floor = min(t_floor, run_all_seconds(browser, server, "notebooks/floor.ipynb"))
                    t_lesson = min(t_lesson, run_all_seconds(browser, server, path))
                    t_twin = min(t_twin, run_all_seconds(browser, server, twin))
                ratio = t_lesson / t_floor
                worst = max(worst, ratio)
                print(f"{name:<26}{n_pictures:>9}{t_lesson:>10.2f}{t_floor:>9.2f}{ratio:>7.2f}{t_twin:>8.2f}"
                      f"{t_twin / t_floor:>12.2f}{t_lesson / t_twin:>9.2f}  {'met' if ratio <= GOAL else 'MISSED'}"
                      + ("  (its plain twin misses too)" if ratio > GOAL and t_twin / t_floor > GOAL else ""))
            print(f"worst ratio {worst:.2f} (goal ≤ {GOAL}: {'met' if worst <= GOAL else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

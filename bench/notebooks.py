"""The whole lesson series, run headless, against bare kernels (not a test).

    python bench/notebooks.py

For each lesson: a fresh kernel runs the notebook top to bottom (nbclient), and, side by side, a
fresh kernel runs one cell that only imports numpy, matplotlib and ipywidgets. Each pair runs
ROUNDS times, alternating, and the fastest of each is kept (the least disturbed by the rest of
the machine). Prints each time and the ratio of the totals (goal: at most 1.5).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import envs  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BARE = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    "import numpy, matplotlib.pyplot, ipywidgets\n%matplotlib inline")])
ROUNDS = 3


def run(nb, cwd: Path) -> float:
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}).execute(stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    if not LESSONS:
        print("no lessons found in notebooks/")
        return 1
    print(envs.bytecode_line())
    print(f"{'lesson':<28}{'lesson s':>10}{'bare s':>9}")
    total_lesson = total_bare = 0.0
    for path in LESSONS:
        t_bare = t_lesson = float("inf")
        for _ in range(ROUNDS):
            t_bare = min(t_bare, run(nbformat.from_dict(BARE), path.parent))
            t_lesson = min(t_lesson, run(nbformat.read(path, as_version=4), path.parent))
        total_lesson += t_lesson
        total_bare += t_bare
        print(f"{path.stem:<28}{t_lesson:>10.2f}{t_bare:>9.2f}")
    ratio = total_lesson / total_bare
    print(f"{'series':<28}{total_lesson:>10.2f}{total_bare:>9.2f}")
    print(f"series / bare kernels = {ratio:.2f}   (goal ≤ 1.5: {'met' if ratio <= 1.5 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

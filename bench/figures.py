"""Kernel-side redraw time of the course's interactive figures (not a test).

    python bench/figures.py

For each explorer: the time from a widget change (slider value set, button clicked) to the new PNG
being in the image widget: the maths, the artist updates and the PNG encoding. It is the median
over about 20 changes, next to the goal of 16 ms (one 60 Hz frame). The browser adds its own time on top.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_MS = 16.0       # one 60 Hz frame (issue 10)
CHANGES = 20


def timed(actions) -> list[float]:
    """Milliseconds for each action (a callable) in turn."""
    times = []
    for action in actions:
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def lr_explorer() -> list[float]:
    from helpers.lr_explorer import LearningRateExplorer

    explorer = LearningRateExplorer()
    # Sweep the slider across its range and back, as a student dragging it would.
    exponents = [-3 + 4 * i / (CHANGES - 1) for i in range(CHANGES)]

    def setter(value):
        return lambda: setattr(explorer.slider, "value", value)

    timed([setter(0.5), setter(0.1)])                         # warm-up
    return timed([setter(10.0 ** e) for e in exponents])


def trainer() -> list[float]:
    from helpers.trainer import TrainerExplorer

    explorer = TrainerExplorer()
    explorer.step_button.click()                             # warm-up
    explorer.reset_button.click()
    actions = [explorer.step_button.click] * 14 + [explorer.step10_button.click] * 4
    actions += [explorer.reset_button.click, explorer.step_button.click]
    return timed(actions[:CHANGES])


def wiggle_explorer() -> list[float]:
    from helpers.wiggle import WiggleExplorer

    explorer = WiggleExplorer()
    labels = list(explorer.param.options)
    nudges = list(explorer.nudge.options)
    actions = []
    for i in range(CHANGES):
        if i % 2:
            actions.append(lambda v=nudges[i % len(nudges)]: setattr(explorer.nudge, "value", v))
        else:
            actions.append(lambda v=labels[(3 * i + 1) % len(labels)]: setattr(explorer.param, "value", v))
    timed(actions[:2])                                        # warm-up
    return timed(actions)


def main() -> int:
    benches = [("learning-rate explorer (slider)", lr_explorer),
               ("step-through trainer (buttons)", trainer)]
    if importlib.util.find_spec("helpers.wiggle") is not None:
        benches.append(("wiggle explorer (dropdown, slider)", wiggle_explorer))
    print(f"kernel-side redraw per widget change, median of {CHANGES} changes (goal: at most {GOAL_MS:.0f} ms)")
    print(f"{'explorer':<38}{'median ms':>10}{'max ms':>9}  goal")
    for name, bench in benches:
        times = bench()
        median = statistics.median(times)
        status = "ok" if median <= GOAL_MS else "OVER"
        print(f"{name:<38}{median:>10.1f}{max(times):>9.1f}  {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Dragging a slider in JupyterLab: does the picture follow the hand? (not a test)

    python bench/drag.py                     # the learning-rate and wiggle explorers, 3 drags each
    python bench/drag.py --drags 5 --seconds 2

In Debian's Chromium, lessons 04 (η) and 02 (the nudge) are run in JupyterLab; then the mouse
drags the slider's handle from the left end across its range in `--seconds` seconds, one pointer
move every 16 ms, as a hand does. Inside the page every value the slider takes (its `input`
events, with aria-valuetext) and every new picture (the plot's `src` changing, with the value its
alt text names) is time-stamped. Printed per explorer, worst of the drags:

  frames/s      distinct pictures shown per second during the drag        goal ≥ 15
  max lag       longest time the picture showed a value the pointer had
                already left: from the pointer reaching that value to the
                next picture (or the release)                             goal ≤ 200 ms
  release       from the mouse button's release to the picture of the
                released value                                            goal ≤ 150 ms
  order         whether the pictures' values ever went back               must be "forward"

The wiggle explorer's nudge has only a few positions, so its frame rate is capped by how many
values the hand passes; that cap is printed beside it.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import lab_browser as lb  # noqa: E402

GOALS = {"fps": 15.0, "lag_ms": 200.0, "release_ms": 150.0}
EXPLORERS = {
    # lesson: (explorer class, slider class, the value in the alt text, the value in aria-valuetext)
    "04_learning_rate": ("downhill-lr-explorer", "downhill-lr-slider", r"η = ([0-9.e+-]+) \(", r"= ([0-9.e+-]+)"),
    "02_what_is_a_gradient": ("downhill-wiggle", "downhill-nudge", r"nudged by ([0-9.e+-]+) ", r"= ([0-9.e+-]+)"),
}

RECORD_JS = """([img, range]) => {
  window.__drag = {frames: [], inputs: [], down: null, up: null};
  new MutationObserver(() => window.__drag.frames.push({t: performance.now(), alt: img.alt}))
    .observe(img, {attributes: true, attributeFilter: ['src']});
  range.addEventListener('input', () => window.__drag.inputs.push(
    {t: performance.now(), text: range.getAttribute('aria-valuetext') || ''}));
  range.addEventListener('pointerdown', () => { window.__drag.down = performance.now(); });
  document.addEventListener('pointerup', () => { window.__drag.up = performance.now(); }, true);
}"""


def value(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    return float(match.group(1).replace("−", "-")) if match else None


def same(a: float, b: float) -> bool:
    """Equal as three significant digits write them (the alt text and aria-valuetext both do)."""
    return abs(a - b) <= 0.006 * max(abs(a), abs(b)) + 1e-12


def analyse(record: dict, alt_pattern: str, text_pattern: str) -> dict:
    down, up = record["down"], record["up"]
    inputs = [(i["t"], value(text_pattern, i["text"])) for i in record["inputs"]]
    frames = [(f["t"], value(alt_pattern, f["alt"])) for f in record["frames"]]
    frames = [(t, v) for t, v in frames if v is not None and t >= down]
    released = inputs[-1][1]
    during = [(t, v) for t, v in frames if t <= up]
    passed = len({round(v, 12) for t, v in inputs})
    fps = len(during) / ((up - down) / 1000.0)
    # The pointer reached value v at the first input event that gave v.
    reached = {}
    for t, v in inputs:
        reached.setdefault(round(v, 12), t)
    lags = []
    shown = during + [(up, None)]
    for (t, v), (t_next, _) in zip(shown, shown[1:]):
        start = reached.get(round(v, 12))
        if start is not None:
            lags.append(t_next - start)
    final = next((t for t, v in frames if t >= up and same(v, released)), None)
    if final is None:     # the last picture during the drag may already be the released value
        final = next((t for t, v in reversed(during) if same(v, released)), None)
    values = [v for t, v in frames]
    return {"fps": fps, "lag_ms": max(lags) if lags else float("nan"),
            "release_ms": max(0.0, final - up) if final is not None else float("inf"),
            "forward": values == sorted(values), "frames": len(during), "values_passed": passed,
            "cap_fps": passed / ((up - down) / 1000.0), "ends_on_release": final is not None,
            "seconds": (up - down) / 1000.0}


def drag(page, explorer, slider_class: str, alt_pattern: str, text_pattern: str, seconds: float) -> dict:
    control = explorer.locator(f".{slider_class}")
    range_input = control.locator("input[type=range]").first
    img = explorer.locator("img.downhill-plot").first
    lb.press_slider_key(control, "Home")
    low = lb.slider_value(control)
    page.wait_for_function(
        "([img, p, v]) => { const m = img.alt.match(new RegExp(p)); return m && Math.abs(parseFloat(m[1]) - v) <= 0.006 * Math.abs(v) + 1e-12; }",
        arg=[img.element_handle(), alt_pattern, low], timeout=30_000)
    page.wait_for_timeout(300)
    page.evaluate(RECORD_JS, [img.element_handle(), range_input.element_handle()])
    box = range_input.bounding_box()
    y = box["y"] + box["height"] / 2
    left, right = box["x"] + 2, box["x"] + box["width"] - 2
    moves = max(2, round(seconds * 1000 / 16))
    page.mouse.move(left, y)
    page.mouse.down()
    for i in range(1, moves + 1):
        page.mouse.move(left + (right - left) * i / moves, y)
        page.wait_for_timeout(16)
    page.mouse.up()
    page.wait_for_timeout(1500)                          # everything the kernel still sends arrives
    return analyse(page.evaluate("() => window.__drag"), alt_pattern, text_pattern)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drags", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args(argv)
    reason = lb.browser_unavailable()
    if reason:
        print(f"drag benchmark: skipped. {reason}")
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="downhill-drag-") as tmp, lb.chromium() as browser:
        root = lb.copy_course(Path(tmp))
        with lb.Server("lab", root=root) as server:
            for lesson, (widget, slider, alt_pattern, text_pattern) in EXPLORERS.items():
                nb = lb.NotebookPage(browser, server, f"notebooks/{lesson}.ipynb")
                nb.run_all()
                explorer = nb.page.locator(f".{widget}").first
                explorer.scroll_into_view_if_needed()
                runs = [drag(nb.page, explorer, slider, alt_pattern, text_pattern, args.seconds)
                        for _ in range(args.drags)]
                nb.close()
                rows.append((lesson, runs))
    print(f"Dragging the slider across its range in {args.seconds:g} s (a pointer move every 16 ms), "
          f"JupyterLab in Chromium; worst of {args.drags} drags")
    print(f"{'explorer':<24}{'frames/s':>9}{'(cap)':>7}{'max lag ms':>12}{'release ms':>12}  order     goals")
    for lesson, runs in rows:
        fps = min(r["fps"] for r in runs)
        cap = min(r["cap_fps"] for r in runs)
        lag = max(r["lag_ms"] for r in runs)
        release = max(r["release_ms"] for r in runs)
        forward = all(r["forward"] for r in runs) and all(r["ends_on_release"] for r in runs)
        met = [fps >= min(GOALS["fps"], cap), lag <= GOALS["lag_ms"], release <= GOALS["release_ms"], forward]
        took = max(r["seconds"] for r in runs)
        passed = min(r["values_passed"] for r in runs)
        print(f"{lesson:<24}{fps:>9.1f}{cap:>7.0f}{lag:>12.0f}{release:>12.0f}  "
              f"{'forward' if forward else 'WENT BACK':<9} {'met' if all(met) else 'MISSED'}"
              f"   ({passed} values under the pointer, drag took up to {took:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

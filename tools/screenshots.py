"""Screenshots of each lesson's main widget (or main figure), taken in JupyterLab in Chromium.

    python tools/screenshots.py                     # -> docs/screenshots/*.png
    python tools/screenshots.py --out /tmp/shots

For every lesson it opens the notebook in JupyterLab, runs all cells, puts the widget in a state
worth seeing (the trainer after ten steps, the learning-rate explorer at an unstable η) and saves
a picture of just that widget: docs/screenshots/<lesson>.png. Lessons without a widget get their
largest figure. Two more show the setting: jupyterlab.png (a lesson in JupyterLab) and
projector.png (the projector app in Voilà). The README shows them.

Needs Debian's Chromium (/usr/bin/chromium) and the test extra (playwright, voila).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import lab_browser as lb  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def prepare(prefix: str, widget) -> None:
    """Put a lesson's widget in the state the screenshot shows."""
    page = widget.page
    if prefix == "03":                                   # the trainer after 10 steps
        before = lb.plot_src(widget)
        widget.locator(".downhill-step10 button").click()
        lb.wait_for_new_plot(widget, before)
    elif prefix == "04":                                 # η = 1: it overshoots, then settles
        before = lb.plot_src(widget)
        lb.type_into_readout(widget.locator(".downhill-lr-slider"), "1")
        lb.wait_for_new_plot(widget, before)
    elif prefix == "00":                                 # the ball moved once
        before = lb.plot_src(widget)
        lb.press_slider_key(widget.locator(".downhill-envcheck-slider"), "ArrowRight", 4)
        lb.wait_for_new_plot(widget, before)
    page.mouse.move(0, 0)                                # no hover highlight in the picture
    page.locator("body").evaluate("() => document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(400)


def largest_figure(page):
    """The output holding the notebook's biggest image."""
    index = page.evaluate("""() => {
        const outs = Array.from(document.querySelectorAll('.jp-OutputArea-output'));
        let best = -1, area = 0;
        outs.forEach((o, i) => { for (const img of o.querySelectorAll('img')) {
            const a = img.naturalWidth * img.naturalHeight; if (a > area) { area = a; best = i; } } });
        return best; }""")
    return page.locator(".jp-OutputArea-output").nth(index) if index >= 0 else None


def shoot(element, target: Path) -> None:
    element.scroll_into_view_if_needed()
    element.screenshot(path=str(target), animations="disabled")
    print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    reason = lb.browser_unavailable()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    lessons = sorted(lb.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))

    with tempfile.TemporaryDirectory(prefix="downhill-shots-") as tmp, \
            lb.chromium(width=1400, height=1000) as browser:
        root = lb.copy_course(Path(tmp))
        with lb.Server("lab", root=root) as lab:
            for path in lessons:
                prefix = path.name[:2]
                nb = lb.NotebookPage(browser, lab, f"notebooks/{path.name}")
                nb.run_all()
                problems = nb.problems()
                if problems:
                    print(f"warning: {path.name}:\n  " + "\n  ".join(problems), file=sys.stderr)
                css = lb.MAIN_WIDGET.get(prefix)
                if css:
                    widget = nb.page.locator(f".{css}").first
                    widget.scroll_into_view_if_needed()
                    prepare(prefix, widget)
                    shoot(widget, out / f"{path.stem}.png")
                else:
                    figure = largest_figure(nb.page)
                    if figure is not None:
                        shoot(figure, out / f"{path.stem}.png")
                if prefix == "04":                       # the lesson in its setting
                    # the cell that makes the explorer at the top: code, then the live widget
                    nb.page.locator(f".{css}").first.evaluate(
                        "e => e.closest('.jp-Cell').scrollIntoView({block: 'start'})")
                    nb.page.wait_for_timeout(400)
                    nb.page.screenshot(path=str(out / "jupyterlab.png"), animations="disabled")
                    print(f"wrote {(out / 'jupyterlab.png')}")
                nb.close()
        with lb.Server("voila", root=root, notebook="notebooks/projector.ipynb") as voila:
            page = browser.new_page()
            page.goto(voila.url(""), timeout=120_000)
            for css in ("downhill-lr-explorer", "downhill-trainer", "downhill-wiggle"):
                page.locator(f".{css}").first.wait_for(state="visible", timeout=120_000)
            page.wait_for_timeout(500)
            # the learning-rate explorer with its heading, as the class sees it
            page.locator("h2").first.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(300)
            page.screenshot(path=str(out / "projector.png"), animations="disabled")
            print(f"wrote {out / 'projector.png'}")
            page.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

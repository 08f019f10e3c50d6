"""A failing exercise check, as a student sees it in JupyterLab: the tutor's message only, readable.

The check's error must still be an error (so the cell fails and nbgrader scores it zero), but the
box under the cell shows the message's lines, with no traceback of the check's own code and no
ANSI colours, and its text has a contrast of at least 4.5:1 against the box's background.
"""

from __future__ import annotations

import re

from .conftest import EXERCISES, rel

BOXES_JS = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
  .filter(e => e.textContent.includes('not written yet'))
  .map(e => {
    const pre = e.querySelector('pre') || e;
    const spans = Array.from(pre.querySelectorAll('span'));
    const opaque = el => {
      for (; el; el = el.parentElement) {
        const bg = getComputedStyle(el).backgroundColor;
        if (bg !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(bg)) return bg;
      }
      return 'rgb(255, 255, 255)';
    };
    return {mime: e.getAttribute('data-mime-type'), text: pre.textContent,
            colors: [pre, ...spans].map(s => getComputedStyle(s).color),
            background: opaque(pre),
            ansi: pre.querySelectorAll('[class*="ansi"]').length};
  })"""


def _rgba(css: str) -> tuple:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return tuple(values[:3]) + ((values[3],) if len(values) > 3 else (1.0,))


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(text_css: str, background_css: str) -> float:
    """WCAG contrast ratio of text (its alpha blended over the background) against the background."""
    *text, alpha = _rgba(text_css)
    background = _rgba(background_css)[:3]
    blended = [alpha * t + (1 - alpha) * b for t, b in zip(text, background)]
    lighter, darker = sorted([_luminance(blended), _luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_the_wcag_ratio():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert contrast("rgb(119, 119, 119)", "rgb(255, 255, 255)") < 4.5 < contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)")


def test_a_failing_check_reads_as_a_message_in_jupyterlab(run_in_browser):
    path = next(p for p in EXERCISES if p.stem.startswith("ex03"))
    nb = run_in_browser(path, ui="lab")
    try:
        boxes = nb.page.evaluate(BOXES_JS)
        assert boxes, f"{rel(path)}: no check said 'not written yet'"
        for box in boxes:
            assert box["mime"] == "application/vnd.jupyter.stderr", "the check's error is still an error"
            assert box["ansi"] == 0, "no ANSI colours in the message"
            for frame_text in ("Traceback", "File ", "helpers", "checks.py", "---->"):
                assert frame_text not in box["text"], f"a traceback frame in the message: {box['text'][:400]}"
            worst = min(contrast(color, box["background"]) for color in box["colors"])
            assert worst >= 4.5, f"contrast {worst:.2f}:1 on {box['background']}: {box['colors']}"
    finally:
        run_in_browser.close(path)

"""The projector (Voilà, tools/projector.py) on real classroom screens (issue 8, item 5).

A 1920×1080 projector, a 1366×768 one, and a 1366×768 laptop at pixel ratio 2:
* each plot is drawn with at least as many pixels as the screen shows it with (no blurry upscaling);
* the controls grow with the plot (the same scale on every screen, never tiny next to a big plot);
* each explorer's controls and its plot fit on one screen together;
* the page reaches nothing but its own server (Font Awesome included), logs no console error, and
  Voilà starts without a DeprecationWarning.
"""

from __future__ import annotations

import pytest

from .conftest import lb, require_browser

EXPLORERS = ("downhill-lr-explorer", "downhill-trainer", "downhill-wiggle")
SCREENS = {"1920x1080": (1920, 1080, 1), "1366x768": (1366, 768, 1), "1366x768@2x": (1366, 768, 2)}

_MEASURE = """(css) => {
  const box = document.querySelector('.' + css);
  const plot = box.querySelector('img.downhill-plot, img');
  const r = plot.getBoundingClientRect();
  const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const controls = Array.from(box.querySelectorAll('input, select, button, [role=slider], label'))
                        .filter(visible);
  const tops = controls.map(e => e.getBoundingClientRect().top);
  const fonts = controls.filter(e => e.textContent.trim() || e.value).map(e => parseFloat(getComputedStyle(e).fontSize));
  const track = box.querySelector('[role=slider], input[type=range]');
  return {natural: plot.naturalWidth, shown: r.width, plotTop: r.top, plotBottom: r.bottom,
          controlsTop: Math.min(...tops), controlsBottom: Math.max(...controls.map(e => e.getBoundingClientRect().bottom)),
          font: Math.min(...fonts), controls: controls.length,
          slider: track ? track.getBoundingClientRect().width : null};
}"""


@pytest.fixture(scope="module")
def projector(course_copy):
    require_browser()
    with lb.Server("voila", root=course_copy, notebook="notebooks/projector.ipynb") as server:
        yield server


@pytest.fixture(scope="module")
def screens(projector, browser):
    """Each screen's measurements of the three explorers, plus what the page asked the network for.

    One tab per screen; its size and pixel ratio are Chromium's device emulation (DevTools
    protocol), so window.devicePixelRatio is what a HiDPI laptop reports."""
    seen = {}
    for name, (width, height, scale) in SCREENS.items():
        page = browser.new_page()
        try:
            cdp = browser.new_cdp_session(page)
            cdp.send("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False})
            page.set_viewport_size({"width": width, "height": height})
            console = lb.watch_console(page)
            outside = []
            page.on("request", lambda r: outside.append(r.url)
                    if not r.url.startswith((projector.base_url, "data:", "blob:")) else None)
            page.goto(projector.url(""), timeout=120_000)
            for css in EXPLORERS:
                page.locator(f".{css}").first.wait_for(state="visible", timeout=120_000)
            page.wait_for_function("() => Array.from(document.querySelectorAll('img.downhill-plot'))"
                                   ".every(i => i.complete && i.naturalWidth > 0)", timeout=60_000)
            page.wait_for_timeout(500)
            assert page.evaluate("() => window.devicePixelRatio") == scale
            seen[name] = {"explorers": {css: page.evaluate(_MEASURE, css) for css in EXPLORERS},
                          "outside": outside, "console": list(console), "dpr": scale, "height": height}
            (lb.ROOT / "build").mkdir(exist_ok=True)
            page.screenshot(path=str(lb.ROOT / "build" / f"projector-{name}.png"))
        finally:
            page.close()
    return seen


@pytest.mark.parametrize("screen", list(SCREENS))
def test_projector_plots_are_drawn_for_the_screens_pixels(screens, screen):
    seen = screens[screen]
    for css, m in seen["explorers"].items():
        needed = m["shown"] * seen["dpr"]
        assert m["natural"] >= 0.97 * needed, (
            f"{screen}: {css}'s plot is {m['natural']} px wide but shown on {needed:.0f} device px: upscaled, blurry")


@pytest.mark.parametrize("screen", list(SCREENS))
def test_projector_controls_and_plot_fit_one_screen(screens, screen):
    seen = screens[screen]
    for css, m in seen["explorers"].items():
        span = max(m["plotBottom"], m["controlsBottom"]) - min(m["plotTop"], m["controlsTop"])
        assert m["controls"] > 0, f"{css}: no controls found"
        assert span <= seen["height"], f"{screen}: {css}'s controls and plot take {span:.0f} px of {seen['height']}"


def test_projector_controls_grow_with_the_plots(screens):
    big, small = screens["1920x1080"]["explorers"], screens["1366x768"]["explorers"]
    for css in EXPLORERS:
        for name, m in (("1920x1080", big[css]), ("1366x768", small[css])):
            assert m["font"] >= 16, f"{name}: {css}'s controls are {m['font']} px: too small for a room"
            # The text of the plot scales with its width; the controls' text must keep the proportion.
            assert m["font"] / m["shown"] >= 0.011, f"{name}: {css}: {m['font']} px controls by a {m['shown']:.0f} px plot"
        plot_growth = big[css]["shown"] / small[css]["shown"]
        font_growth = big[css]["font"] / small[css]["font"]
        assert font_growth == pytest.approx(plot_growth, rel=0.25), (
            f"{css}: from 1366 to 1920 px the plot grows ×{plot_growth:.2f} but the controls ×{font_growth:.2f}")
        if big[css]["slider"] and small[css]["slider"]:
            assert big[css]["slider"] / big[css]["shown"] >= 0.3, f"{css}: the slider is short beside the plot"


def test_projector_needs_no_network_and_starts_clean(screens, projector):
    for name, seen in screens.items():
        assert seen["outside"] == [], f"{name}: the page fetched from outside its server: {seen['outside']}"
        assert seen["console"] == [], f"{name}: console errors: {seen['console']}"
    log = projector.log(tail=200_000)
    assert "DeprecationWarning" not in log, log[-3000:]

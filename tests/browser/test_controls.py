"""The explorers' controls as a keyboard user and a screen-reader user meet them, in JupyterLab.

* Tab reaches every control of every explorer, in order, and each shows a focus ring (≥ 3 px,
  ≥ 3:1 against the page); keys operate them, and none of them reaches the notebook (no cell moves,
  none is inserted).
* Chromium's own accessibility tree (read over the DevTools protocol, what a screen reader gets)
  gives each control its name and the value a student sees ("η = 0.1", not an exponent).
* After a change, the plot's alt text and the polite status line say the new η and verdict.
* Typed η outside 0.001–10 or not a number gets a visible, announced message naming the range,
  and changes nothing.
* Dragging a slider with the mouse redraws during the drag, frames never go back to an older
  value, and the final picture and text belong to the released value.

Expected numbers come from the helpers run in this process, never from the page.
"""

from __future__ import annotations

import re

import pytest

import helpers as h

from .conftest import LESSONS, lb
from .test_interactions import expected_verdict, lr_explorer_png, shown_width


def explorer_in(run_in_browser, prefix: str):
    path = next(p for p in LESSONS if p.name.startswith(prefix))
    nb = run_in_browser(path)
    widget = nb.page.locator(f".{lb.MAIN_WIDGET[prefix]}").first
    widget.scroll_into_view_if_needed()
    return nb, widget


# --- what a screen reader gets: Chromium's accessibility tree over CDP ---------------------------

def ax_node(locator) -> dict:  # noqa: C901
    """{role, name, value} of the element: role and name from Chromium's accessibility tree; value
    is what a screen reader says for it: its aria-valuetext where it has one (the platform APIs
    carry it; Chromium's DevTools view of the tree lists only the number), else the tree's value."""
    page = locator.page
    valuetext = locator.get_attribute("aria-valuetext")
    locator.scroll_into_view_if_needed()      # JupyterLab leaves cells out of view out of the tree
    locator.evaluate("e => e.setAttribute('data-ax-probe', '1')")
    cdp = page.context.new_cdp_session(page)
    try:
        # Chromium updates its tree after layout: a node just scrolled into view can still read as
        # "ignored" (role none, no name) for a moment. Ask again for up to 5 s; a node that stays
        # ignored is reported as it is, and the caller's assertion fails.
        for _ in range(20):
            root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-ax-probe='1']"})["nodeId"]
            (ax, *_) = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"]
            if not ax.get("ignored"):
                break
            page.wait_for_timeout(250)
    finally:
        cdp.detach()
        locator.evaluate("e => e.removeAttribute('data-ax-probe')")
    pick = lambda key: str((ax.get(key) or {}).get("value", ""))      # noqa: E731
    properties = {p["name"]: str(p["value"].get("value", "")) for p in ax.get("properties", [])}
    return {"role": pick("role"), "name": pick("name"),
            "value": valuetext if valuetext is not None else pick("value"), "properties": properties}


# --- colour ------------------------------------------------------------------------------------

def _luminance(rgb) -> float:
    channels = [c / 255 for c in rgb[:3]]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b) -> float:
    hi, lo = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


COLOURS_JS = """(e, which) => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  let bg = null;
  for (let n = e; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    const v = rgb(c);
    if (v.length < 4 || v[3] > 0) { bg = v; break; }
  }
  const style = getComputedStyle(e);
  return {fg: rgb(which === 'outline' ? style.outlineColor : style.color), bg: bg || [255, 255, 255],
          outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth)};
}"""


def assert_focus_ring(locator, what: str) -> None:
    """The focused control draws a solid ring ≥ 3 px wide in a colour ≥ 3:1 against the page."""
    c = locator.evaluate(COLOURS_JS, "outline")
    assert c["outlineStyle"] not in ("none", "") and c["outlineWidth"] >= 3, f"{what}: focus ring {c}"
    assert contrast(c["fg"], c["bg"]) >= 3, f"{what}: focus ring contrast {contrast(c['fg'], c['bg']):.2f}"


# --- the notebook must not see our keys -------------------------------------------------------------

def notebook_state(nb) -> tuple:
    return nb.page.evaluate("() => {" + lb._PANEL_JS + """
      const p = downhillPanel(); return [p.content.model.cells.length, p.content.activeCellIndex]; }""")


def tab_through(nb, widget) -> list[dict]:
    """Put the focus just before the explorer, press Tab until it leaves; returns what got focus."""
    widget.evaluate("""w => { const b = document.createElement('button'); b.id = 'downhill-before';
        b.textContent = 'before'; w.parentElement.insertBefore(b, w); b.focus(); }""")
    seen = []
    try:
        for _ in range(12):
            nb.page.keyboard.press("Tab")
            inside = widget.evaluate("""w => { const a = document.activeElement; if (!w.contains(a)) return null;
                a.setAttribute('data-tabbed', String(Date.now())); return {tag: a.tagName.toLowerCase(),
                type: a.type || '', cls: a.className}; }""")
            if inside is None:
                break
            focused = nb.page.locator("[data-tabbed]").last
            assert_focus_ring(focused, f"{inside['tag']}.{inside['cls']}")
            focused.evaluate("e => e.removeAttribute('data-tabbed')")
            seen.append(inside)
    finally:
        nb.page.evaluate("() => document.getElementById('downhill-before').remove()")
    return seen


def focus(locator) -> None:
    locator.focus()
    assert locator.evaluate("e => e === document.activeElement")


def wait_for_text(locator, text: str, timeout: float = 30) -> None:
    locator.page.wait_for_function("([e, s]) => e.textContent.includes(s)", arg=[locator.element_handle(), text],
                                   timeout=timeout * 1000)


def alt_of(widget) -> str:
    return widget.locator("img.downhill-plot").first.get_attribute("alt") or ""


# --- 04: the learning-rate explorer --------------------------------------------------------------

def test_keyboard_only_the_learning_rate_explorer(run_in_browser):
    nb, explorer = explorer_in(run_in_browser, "04")
    page = nb.page
    order = tab_through(nb, explorer)
    assert [(c["tag"], c["type"]) for c in order] == [("input", "range"), ("input", "text")], order

    slider = explorer.locator(".downhill-lr-slider input[type=range]")
    box = explorer.locator(".downhill-lr-slider input.downhill-typed")
    status = explorer.locator(".downhill-verdict [role=status]")
    lb.type_into_readout(explorer.locator(".downhill-lr-slider"), "0.1")
    wait_for_text(status, "η = 0.1,")
    focus(slider)
    cells = notebook_state(nb)          # focus in an output makes its cell the active one; keys must not

    node = ax_node(slider)
    assert (node["role"], node["name"], node["value"]) == ("slider", "learning rate η", "η = 0.1")
    assert ax_node(box)["name"].startswith("learning rate η")
    assert page.get_by_role("slider", name="learning rate η").count() >= 1
    assert ax_node(status)["role"] == "status"
    assert status.get_attribute("aria-live") == "polite"

    # Arrow keys, Up/Down included (JupyterLab would move to another cell), then End and Home.
    for key, times in [("ArrowRight", 4), ("ArrowUp", 4), ("ArrowDown", 2), ("End", 1), ("Home", 1)]:
        old_alt = alt_of(explorer)
        focus(slider)
        for _ in range(times):
            page.keyboard.press(key)
        lr = lb.slider_value(explorer.locator(".downhill-lr-slider"))
        word = expected_verdict(lr)
        wait_for_text(status, f"η = {lr:.3g},")
        page.wait_for_function("([img, s]) => img.alt.includes(s)",
                               arg=[explorer.locator("img.downhill-plot").element_handle(), f"η = {lr:.3g} ({word})"],
                               timeout=30_000)
        assert alt_of(explorer) != old_alt
        assert status.text_content().split("·")[0].strip() == word
        assert ax_node(slider)["value"] == f"η = {lr:.3g}"
        assert slider.evaluate("e => e === document.activeElement"), f"{key} moved the focus away"
        assert notebook_state(nb) == cells, f"{key} reached the notebook"
    assert lb.slider_value(explorer.locator(".downhill-lr-slider")) == pytest.approx(0.001)

    # Typing, keyboard only: Tab into the box, type, Enter.
    focus(slider)
    page.keyboard.press("Tab")
    assert box.evaluate("e => e === document.activeElement")
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    wait_for_text(status, "η = 1,")
    assert status.text_content().startswith(expected_verdict(1.0))
    page.wait_for_function("([img, s]) => img.alt.includes(s)",
                           arg=[explorer.locator("img.downhill-plot").element_handle(),
                                f"η = 1 ({expected_verdict(1.0)})"], timeout=30_000)
    assert notebook_state(nb) == cells
    assert not nb.problems()


@pytest.mark.parametrize("typed", ["abc", "-1", "1e-5", "0", "100", ""])
def test_typed_learning_rates_outside_the_range_get_a_message_naming_it(run_in_browser, typed):
    nb, explorer = explorer_in(run_in_browser, "04")
    control = explorer.locator(".downhill-lr-slider")
    status = explorer.locator(".downhill-verdict [role=status]")
    message = control.locator(".downhill-message")
    box = control.locator("input.downhill-typed")
    lb.type_into_readout(control, "0.2")
    wait_for_text(status, "η = 0.2,")
    explorer.page.wait_for_function("img => img.alt.includes('η = 0.2 (')",
                                    arg=explorer.locator("img.downhill-plot").element_handle(), timeout=30_000)
    assert not message.is_visible()
    before_src, before_status = lb.plot_src(explorer), status.text_content()

    if typed:
        lb.type_into_readout(control, typed)
    else:                                                              # the box emptied
        box.click()
        box.press("Control+A")
        box.press("Backspace")
        box.press("Enter")
    message.wait_for(state="visible", timeout=5_000)
    text = message.text_content()
    assert "0.001" in text and "10" in text, text                     # the valid range, named
    assert message.get_attribute("role") == "alert"                    # announced when it appears
    assert box.get_attribute("aria-invalid") == "true"
    assert message.get_attribute("id") in (box.get_attribute("aria-describedby") or "")
    nb.page.wait_for_timeout(700)                                      # give a wrong update time to come
    assert lb.slider_value(control) == pytest.approx(0.2)              # nothing changed: not clamped
    assert lb.plot_src(explorer) == before_src and status.text_content() == before_status

    lb.type_into_readout(control, "0.5")                               # a good value clears it
    wait_for_text(status, "η = 0.5,")
    assert not message.is_visible() and box.get_attribute("aria-invalid") is None
    assert not nb.problems()


# --- 02: the wiggle explorer -----------------------------------------------------------------------

def test_keyboard_only_the_wiggle_explorer(run_in_browser):
    nb, wiggle = explorer_in(run_in_browser, "02")
    page = nb.page
    order = tab_through(nb, wiggle)
    assert [(c["tag"], c["type"]) for c in order] == [("select", "select-one"), ("input", "range")], order

    menu = wiggle.locator(".downhill-param select")
    nudge = wiggle.locator(".downhill-nudge input[type=range]")
    readout = wiggle.locator(".downhill-readout [role=status]")
    labels = h.param_labels(h.load_params())
    focus(menu)
    cells = notebook_state(nb)

    node = ax_node(menu)
    assert node["role"] == "combobox" and node["name"] == "parameter to wiggle"
    node = ax_node(nudge)
    assert (node["role"], node["name"], node["value"]) == ("slider", "nudge size", "nudge = 0.3")

    # The menu with arrow keys and a letter: the parameter changes, the notebook does not.
    focus(menu)
    start = menu.input_value()
    page.keyboard.press("ArrowDown")
    after = labels[labels.index(start) + 1]
    wait_for_text(readout, f"Wiggling {after}")
    page.keyboard.press("ArrowUp")
    wait_for_text(readout, f"Wiggling {start}")
    page.keyboard.press("b")                                  # type-ahead: the first b… label
    first_b = next(label for label in labels if label.startswith("b"))
    wait_for_text(readout, f"Wiggling {first_b}")
    page.wait_for_function("([img, s]) => img.alt.includes(s)",
                           arg=[wiggle.locator("img.downhill-plot").element_handle(), f"as {first_b} moves"],
                           timeout=30_000)
    assert menu.evaluate("e => e === document.activeElement")
    assert notebook_state(nb) == cells, "a key in the menu reached the notebook"

    # The nudge slider: End is the biggest nudge, each ArrowLeft a smaller one.
    focus(nudge)
    page.keyboard.press("End")
    wait_for_text(readout, "nudge1")
    for expected in (0.3, 0.1, 0.03):
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("([img, s]) => img.alt.includes(s)",
                               arg=[wiggle.locator("img.downhill-plot").element_handle(), f"nudged by {expected:g} "],
                               timeout=30_000)
        assert ax_node(nudge)["value"] == f"nudge = {expected:g}"
    assert notebook_state(nb) == cells
    assert not nb.problems()


# --- 03: the trainer -------------------------------------------------------------------------------

def test_keyboard_only_the_trainer(run_in_browser):
    nb, trainer = explorer_in(run_in_browser, "03")
    page = nb.page
    order = tab_through(nb, trainer)
    assert [c["tag"] for c in order] == ["button", "button", "button"], order
    names = [ax_node(trainer.locator(f".{css} button")) for css in ("downhill-step", "downhill-step10",
                                                                    "downhill-reset")]
    assert [(n["role"], n["name"]) for n in names] == [("button", "Step"), ("button", "Step ×10"),
                                                       ("button", "Reset")]
    status = trainer.locator(".downhill-loss [role=status]")
    focus(trainer.locator(".downhill-reset button"))
    cells = notebook_state(nb)
    page.keyboard.press("Enter")
    wait_for_text(status, "step 0 ·")
    focus(trainer.locator(".downhill-step button"))
    page.keyboard.press("Enter")
    wait_for_text(status, "step 1 ·")
    page.keyboard.press("Space")
    wait_for_text(status, "step 2 ·")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")                              # Step ×10
    wait_for_text(status, "step 12 ·")
    page.wait_for_function("img => img.alt.startsWith('After 12 steps')",
                           arg=trainer.locator("img.downhill-plot").element_handle(), timeout=30_000)
    losses = h.train(h.load_params(), *h.example(), 0.1, 12).losses
    from helpers.trainer import short_number
    assert short_number(losses[-1]) in alt_of(trainer)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")                              # Reset
    wait_for_text(status, "step 0 ·")
    assert notebook_state(nb) == cells
    assert not nb.problems()


# --- 00: the environment check -----------------------------------------------------------------------

def test_keyboard_only_the_environment_check(run_in_browser):
    nb, check = explorer_in(run_in_browser, "00")
    page = nb.page
    order = tab_through(nb, check)
    assert [(c["tag"], c["type"]) for c in order] == [("input", "range"), ("input", "text")], order
    slider = check.locator(".downhill-envcheck-slider input[type=range]")
    lb.type_into_readout(check.locator(".downhill-envcheck-slider"), "-1.5")
    status = check.locator(".downhill-envcheck-status [role=status]")
    wait_for_text(status, "position -1.50")
    focus(slider)
    cells = notebook_state(nb)
    node = ax_node(slider)
    assert node["role"] == "slider" and "move me" in node["name"] and node["value"] == "position = -1.5"
    focus(slider)
    page.keyboard.press("ArrowUp")
    wait_for_text(status, "position -1.25")
    assert ax_node(slider)["value"] == "position = -1.25"
    assert "position −1.25" in alt_of(check)
    assert notebook_state(nb) == cells
    assert not nb.problems()


# --- dragging with the mouse ------------------------------------------------------------------------

FRAMES_JS = """img => {
  window.__frames = [];
  const seen = () => window.__frames.push({t: performance.now(), alt: img.alt, dragging: !!window.__dragging});
  new MutationObserver(seen).observe(img, {attributes: true, attributeFilter: ['src']});
}"""

DRAGS = {
    # prefix: (slider's CSS class, the value in the alt text, its pattern)
    "04": ("downhill-lr-slider", r"η = ([0-9.e+-]+) \("),
    "02": ("downhill-nudge", r"nudged by ([0-9.e+-]+) "),
    "00": ("downhill-envcheck-slider", r"position ([−0-9.]+),"),
}


def wait_for_alt_value(img, pattern: str, value: float) -> None:
    """Wait until the alt text names `value` (written with 3 significant digits: within 0.6 %)."""
    img.page.wait_for_function(
        """([img, pattern, v]) => { const m = img.alt.match(new RegExp(pattern));
           return m && Math.abs(parseFloat(m[1].replace('−', '-')) - v) <= 0.006 * Math.abs(v) + 1e-9; }""",
        arg=[img.element_handle(), pattern, value], timeout=30_000)


def value_in(pattern: str, alt: str) -> float:
    match = re.search(pattern, alt)
    assert match, f"no value /{pattern}/ in the alt text {alt!r}"
    return float(match.group(1).replace("−", "-"))


@pytest.mark.parametrize("prefix", sorted(DRAGS))
def test_dragging_a_slider_redraws_during_the_drag_in_order_and_ends_on_the_release(run_in_browser, prefix):
    css, pattern = DRAGS[prefix]
    nb, explorer = explorer_in(run_in_browser, prefix)
    page = nb.page
    control = explorer.locator(f".{css}")
    slider = control.locator("input[type=range]")
    img = explorer.locator("img.downhill-plot").first
    lb.press_slider_key(control, "Home")                       # start at the left end
    low = lb.slider_value(control)
    try:
        wait_for_alt_value(img, pattern, low)
    except Exception:
        raise AssertionError(f"alt {img.get_attribute('alt')!r} never said {low}")
    img.evaluate(FRAMES_JS)

    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 6, y)
    page.evaluate("() => { window.__dragging = true; }")
    page.mouse.down()
    steps = 40
    for i in range(1, steps + 1):                              # left to right in about 1.3 s
        page.mouse.move(box["x"] + 6 + (box["width"] * 0.85 - 6) * i / steps, y)
        page.wait_for_timeout(16)
    page.mouse.up()
    page.evaluate("() => { window.__dragging = false; }")
    released = lb.slider_value(control)
    assert released > low

    # The picture settles on the released value, and the text beside it says the same.
    wait_for_alt_value(img, pattern, released)
    page.wait_for_timeout(500)                                 # nothing older may arrive after it
    frames = page.evaluate("() => window.__frames")
    values = [value_in(pattern, f["alt"]) for f in frames]
    during = [f for f in frames if f["dragging"]]
    assert len({f["alt"] for f in during}) >= 2, f"the plot changed {len(during)} times during the drag"
    assert values == sorted(values), f"frames went back to an older value: {values}"
    assert values[-1] == pytest.approx(released, rel=0.006, abs=1e-9)
    if prefix == "04":
        status = explorer.locator(".downhill-verdict [role=status]")
        wait_for_text(status, f"η = {released:.3g},")
        assert status.text_content().startswith(expected_verdict(released))
        expected = lr_explorer_png(released, shown_width(explorer))
        assert lb.image_difference(lb.plot_png(explorer), expected) < 0.002
    assert not nb.problems()

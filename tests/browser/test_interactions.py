"""Use the widgets as a student does, in JupyterLab: keys, typing and clicks, and check the answers.

Expected numbers come from the chapter (η = 0.001 too slow, 0.1 steady, 1.0 unstable, 10 diverged;
loss 0.896; ∂L/∂W1[1,0] = +0.439, ∂L/∂b2[1] = −0.55) and from the helpers run in this process,
never from the page: the page must agree with them.
"""

from __future__ import annotations

import re
import time

import pytest

import helpers as h

from .conftest import LESSONS, lb


def lesson(prefix: str):
    matches = [p for p in LESSONS if p.name.startswith(prefix)]
    if not matches:
        pytest.fail(f"no lesson notebook notebooks/{prefix}_*.ipynb")
    return matches[0]


def widget_in(run_in_browser, prefix: str, css: str):
    nb = run_in_browser(lesson(prefix))
    widget = nb.page.locator(f".{css}").first
    widget.scroll_into_view_if_needed()
    return nb, widget


# --- 04: the learning-rate explorer ----------------------------------------------------------------

def lr_explorer_png(lr: float, css_width: int = 0) -> bytes:
    """What the explorer in 04 should show at η = lr, drawn here (the notebook's arguments), laid
    out for the width the page shows it at."""
    from helpers.lr_explorer import LearningRateExplorer

    x, y = h.example()
    explorer = LearningRateExplorer(h.load_params(), x, y, lr=lr, steps=100)
    explorer.plot.width = css_width
    return explorer.live.png()


def shown_width(explorer) -> int:
    """The CSS width the kernel laid the plot out for (the img's style width)."""
    return int(explorer.locator("img.downhill-plot").first.evaluate("img => parseInt(img.style.width) || 0"))


def expected_verdict(lr: float) -> str:
    x, y = h.example()
    result = h.train(h.load_params(), x, y, lr, 100)
    return h.verdict(result.losses, result.diverged)


def assert_plot_matches(explorer, lr: float, previous_png: bytes, timeout: float = 20) -> None:
    """The plot shows (within `timeout` s: the image follows the verdict) what the explorer draws
    for η = lr, pixel for pixel."""
    expected = lr_explorer_png(lr, shown_width(explorer))
    deadline = time.monotonic() + timeout
    while True:
        shown = lb.plot_png(explorer)
        difference = lb.image_difference(shown, expected)
        if difference < 0.002 or time.monotonic() > deadline:
            break
        explorer.page.wait_for_timeout(100)
    assert difference < 0.002, f"the plot at η = {lr:g} differs from the explorer's own picture ({difference:.4f})"
    assert shown != previous_png, "the plot did not change"


@pytest.mark.parametrize("typed, word", [("0.001", "too slow"), ("1.0", "unstable"), ("10", "diverged"),
                                         ("0.1", "steady")])
def test_typing_a_learning_rate_updates_the_verdict_and_the_plot(run_in_browser, typed, word):
    nb, explorer = widget_in(run_in_browser, "04", "downhill-lr-explorer")
    slider = explorer.locator(".downhill-lr-slider")
    verdict = explorer.locator(".downhill-verdict")
    if float(typed) == pytest.approx(lb.slider_value(slider)):   # already there: move first
        before = lb.plot_src(explorer)
        lb.type_into_readout(slider, "0.5")
        lb.wait_for_new_plot(explorer, before)
    before, before_png = lb.plot_src(explorer), lb.plot_png(explorer)

    lb.type_into_readout(slider, typed)
    lb.wait_for_new_plot(explorer, before)

    assert lb.slider_value(slider) == pytest.approx(float(typed), rel=1e-6)
    text = verdict.text_content()
    assert text.split("·")[0].strip() == word, f"η = {typed}: verdict reads {text!r}, the chapter says {word!r}"
    assert f"η = {float(typed):.3g}" in text
    assert_plot_matches(explorer, float(typed), before_png)
    assert not nb.problems()


def test_arrow_keys_move_the_learning_rate_and_the_verdict_follows(run_in_browser):
    nb, explorer = widget_in(run_in_browser, "04", "downhill-lr-explorer")
    slider = explorer.locator(".downhill-lr-slider")
    verdict = explorer.locator(".downhill-verdict")
    before = lb.plot_src(explorer)
    lb.type_into_readout(slider, "0.2")
    lb.wait_for_new_plot(explorer, before)

    seen = set()
    # From η = 0.2 (10^-0.7) in steps of 10^0.05: 0.79 unstable, 5.0 diverged, 0.16 steady, 0.001 too slow.
    for key, times in [("ArrowRight", 12), ("ArrowRight", 16), ("ArrowLeft", 30), ("ArrowLeft", 44)]:
        old = lb.slider_value(slider)
        before, before_png = lb.plot_src(explorer), lb.plot_png(explorer)
        lb.press_slider_key(slider, key, times)
        lr = lb.slider_value(slider)
        assert (lr > old) == (key == "ArrowRight")
        explorer.page.wait_for_function(
            "([el, text]) => el.textContent.includes(text)",
            arg=[verdict.element_handle(), f"η = {lr:.3g},"], timeout=30_000)
        lb.wait_for_new_plot(explorer, before)
        word = expected_verdict(lr)
        assert verdict.text_content().split("·")[0].strip() == word, f"η = {lr:.3g}"
        assert_plot_matches(explorer, lr, before_png)
        seen.add(word)
    assert seen == {"too slow", "steady", "unstable", "diverged"}, f"the keys visited only {seen}"
    assert not nb.problems()


# --- 03: the step-through trainer ------------------------------------------------------------------

def readout_numbers(text: str) -> tuple[int, float]:
    match = re.search(r"step (\d+) · loss = ([0-9.]+(?:e[-+]?\d+)?)", text)
    assert match, f"the trainer's readout {text!r} has no 'step k · loss = …'"
    return int(match.group(1)), float(match.group(2))


def test_pressing_step_step10_and_reset_trains_and_the_loss_goes_down(run_in_browser):
    nb, trainer = widget_in(run_in_browser, "03", "downhill-trainer")
    readout = trainer.locator(".downhill-loss")
    x, y = h.example()
    expected = h.train(h.load_params(), x, y, 0.1, 12).losses       # losses after 0..12 steps

    def press(css: str, step: int) -> float:
        before = lb.plot_src(trainer)
        trainer.locator(f"button.{css}, .{css} button").first.click()
        nb.page.wait_for_function("([el, s]) => el.textContent.includes(s)",
                                  arg=[readout.element_handle(), f"step {step} ·"], timeout=30_000)
        lb.wait_for_new_plot(trainer, before)
        k, shown = readout_numbers(readout.text_content())
        assert k == step
        assert shown == pytest.approx(expected[k], abs=1e-4), f"loss after {k} steps"
        return shown

    trainer.locator("button.downhill-reset, .downhill-reset button").first.click()
    nb.page.wait_for_function("([el]) => el.textContent.includes('step 0 ·')", arg=[readout.element_handle()])
    k, start = readout_numbers(readout.text_content())
    assert (k, round(start, 3)) == (0, 0.896)                        # the chapter's starting loss

    one = press("downhill-step", 1)
    assert one < start
    two = press("downhill-step", 2)
    assert two < one
    twelve = press("downhill-step10", 12)                            # 2 + 10 steps
    assert twelve < two
    again = press("downhill-reset", 0)
    assert again == pytest.approx(start)
    assert not nb.problems()


# --- 02: the wiggle explorer -------------------------------------------------------------------------

def readout_row(text: str, name: str) -> float:
    match = re.search(re.escape(name) + r"\s*([+−-]?[0-9.]+)", text)
    assert match, f"no {name!r} in the wiggle readout {text!r}"
    return float(match.group(1).replace("−", "-"))


def test_wiggling_a_parameter_reads_out_its_gradient_and_smaller_nudges_close_in(run_in_browser):
    nb, wiggle = widget_in(run_in_browser, "02", "downhill-wiggle")
    readout = wiggle.locator(".downhill-readout")
    dropdown = wiggle.locator(".downhill-param select")
    nudge = wiggle.locator(".downhill-nudge")

    for label, gradient in [("b2[1]", -0.55), ("W1[1,0]", 0.439)]:       # the chapter's numbers
        before = lb.plot_src(wiggle)
        dropdown.select_option(label)
        nb.page.wait_for_function("([el, s]) => el.textContent.includes(s)",
                                  arg=[readout.element_handle(), f"Wiggling {label}"], timeout=30_000)
        lb.wait_for_new_plot(wiggle, before)
        assert readout_row(readout.text_content(), "backprop gradient") == pytest.approx(gradient, abs=5e-4)

    # Shrink the nudge with the arrow keys: the slope estimate closes in on the gradient.
    lb.press_slider_key(nudge, "End")           # the biggest nudge
    nb.page.wait_for_function("([el]) => /nudge\\s*1(?![0-9.])/.test(el.textContent)",
                              arg=[readout.element_handle()], timeout=30_000)
    gaps, nudges = [], []
    for _ in range(4):
        text = readout.text_content()
        nudges.append(readout_row(text, "nudge"))
        gaps.append(abs(readout_row(text, "Δloss / nudge") - readout_row(text, "backprop gradient")))
        before = lb.plot_src(wiggle)
        old = text
        lb.press_slider_key(nudge, "ArrowLeft")
        nb.page.wait_for_function("([el, s]) => el.textContent !== s", arg=[readout.element_handle(), old],
                                  timeout=30_000)
        lb.wait_for_new_plot(wiggle, before)
    assert nudges == sorted(nudges, reverse=True) and len(set(nudges)) == 4, nudges
    assert all(a > b for a, b in zip(gaps, gaps[1:])), f"|estimate − gradient| for nudges {nudges}: {gaps}"
    assert not nb.problems()


# --- 00: the environment check ---------------------------------------------------------------------

def test_the_environment_check_slider_moves_the_ball(run_in_browser):
    nb, check = widget_in(run_in_browser, "00", "downhill-envcheck")
    slider = check.locator(".downhill-envcheck-slider")
    start = lb.slider_value(slider)
    before, before_png = lb.plot_src(check), lb.plot_png(check)
    lb.press_slider_key(slider, "ArrowRight", 2)
    lb.wait_for_new_plot(check, before)
    assert lb.slider_value(slider) > start
    assert lb.plot_png(check) != before_png
    before = lb.plot_src(check)
    lb.type_into_readout(slider, "0")
    lb.wait_for_new_plot(check, before)
    assert lb.slider_value(slider) == 0
    assert not nb.problems()

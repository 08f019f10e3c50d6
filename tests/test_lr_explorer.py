"""The learning-rate explorer, driven from Python: move the slider, read the verdict and the picture."""

import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers as h
from helpers.lr_explorer import LearningRateExplorer

#: The chapter's table: what each learning rate does to the example in 100 steps.
CHAPTER = {0.001: "too slow", 0.1: "steady", 1.0: "unstable", 10.0: "diverged"}


@pytest.fixture(scope="module")
def explorer():
    return LearningRateExplorer()


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_widgets_carry_the_class_names_the_browser_tests_use(explorer):
    assert "downhill-lr-explorer" in explorer.widget._dom_classes
    assert "downhill-lr-slider" in explorer.slider._dom_classes
    assert "downhill-verdict" in explorer.verdict_html._dom_classes
    assert "downhill-plot" in explorer.live.image._dom_classes


def test_slider_runs_from_a_thousandth_to_ten_on_a_log_scale(explorer):
    s = explorer.slider
    assert s.log and (s.min, s.max) == (-3, 1) and s.bounds == (0.001, 10.0)
    assert s.label == "η" and s.name == "learning rate η"
    # what a screen reader hears is the η a student sees, not the exponent
    for lr, text in [(0.1, "η = 0.1"), (0.001, "η = 0.001"), (10.0, "η = 10"), (0.00112, "η = 0.00112")]:
        assert s.value_text(lr) == text


@pytest.mark.parametrize("bad", [0.0, 100.0, -1.0, 1e-5, float("nan")])
def test_the_slider_refuses_an_eta_outside_its_range_naming_the_range(bad):
    fresh = LearningRateExplorer()
    with pytest.raises(Exception, match=r"learning rate η must be between 0.001 and 10"):
        fresh.slider.value = bad
    assert fresh.slider.value == pytest.approx(0.1)


def test_starts_at_a_tenth_and_calls_it_steady():
    fresh = LearningRateExplorer()
    assert fresh.slider.value == pytest.approx(0.1)
    assert plain(fresh.verdict_html.value).startswith("steady")


@pytest.mark.parametrize("lr", sorted(CHAPTER))
def test_verdict_follows_the_slider_as_the_chapter_says(explorer, lr):
    explorer.slider.value = lr
    result = h.train(h.load_params(), *h.example(), lr, 100)      # the same run, done here
    expected = h.verdict(result.losses, result.diverged)
    assert expected == CHAPTER[lr]
    text = plain(explorer.verdict_html.value)
    assert text.startswith(expected)
    assert f"η = {lr:g}" in text
    # the final loss is stated: 4 decimals in the usual range, otherwise a power of ten
    final = result.final_loss
    assert (f"{final:.4f}" in text) if 1e-3 <= final < 1e4 else (f"{final:.1e}".split("e")[0] in text)
    assert explorer.ax_loss.get_title().endswith(expected)


def test_a_diverged_run_stops_with_a_cross_and_a_note(explorer):
    explorer.slider.value = 10.0
    result = h.train(h.load_params(), *h.example(), 10.0, 100)
    k = result.losses.size - 1
    assert k < 100
    xs, _ = explorer.line.get_data()
    assert len(xs) == k + 1                          # the curve stops where training stopped
    assert explorer.end_marker.get_marker() == "X"
    assert f"step {k}" in explorer.note.get_text()
    assert "stopped" in plain(explorer.verdict_html.value) or "exploded" in plain(explorer.verdict_html.value)
    explorer.slider.value = 0.1
    assert explorer.end_marker.get_marker() == "o"
    assert len(explorer.line.get_data()[0]) == 101


def test_a_bounded_run_that_ends_above_its_start_is_called_diverged(explorer):
    """η = 10^0.6 ≈ 3.98, a slider position: the loss climbs to about 100 and ends many times where
    it started without ever exploding. The explorer must not call that "unstable"."""
    explorer.slider.value = 10 ** 0.6
    result = h.train(h.load_params(), *h.example(), 10 ** 0.6, 100)
    assert not result.diverged and result.final_loss > result.losses[0] and result.losses.max() > 50
    assert plain(explorer.verdict_html.value).startswith("diverged")
    assert explorer.ax_loss.get_title().endswith("diverged")


def test_prediction_image_shows_the_trained_network(explorer):
    explorer.slider.value = 0.1
    x, y = h.example()
    y_hat = h.forward(h.train(h.load_params(), x, y, 0.1, 100).params, x)
    np.testing.assert_allclose(y_hat, y, atol=0.01)               # η = 0.1 flips the image
    assert [t.get_text() for t in explorer.pred_texts] == [f"{abs(v):.2f}" if abs(v) < 0.005 else f"{v:.2f}"
                                                           for v in y_hat]


def test_the_picture_changes_and_comes_back(explorer):
    explorer.slider.value = 0.1
    at_tenth = explorer.live.image.value
    assert at_tenth[:8] == b"\x89PNG\r\n\x1a\n"
    explorer.slider.value = 1.0
    assert explorer.live.image.value != at_tenth
    explorer.slider.value = 0.1
    assert explorer.live.image.value == at_tenth


def test_every_position_of_the_slider_gives_one_of_the_four_verdicts(explorer):
    before = plt.get_fignums()
    n_artists = len(explorer.fig.findobj())
    for exponent in np.arange(-3, 1.001, 0.25):
        explorer.slider.value = float(10 ** exponent)
        assert plain(explorer.verdict_html.value).split(" ")[0] in {"too", "steady", "unstable", "diverged"}
    assert plt.get_fignums() == before                 # no new figures
    assert len(explorer.fig.findobj()) == n_artists    # artists updated, not added


def test_other_starting_points_and_step_counts():
    params = h.init_params(4, seed=2)
    x = np.array([1.0, 1.0, 0.0, 0.0])
    e = LearningRateExplorer(params, x, h.flip(x), lr=0.05, steps=30)
    result = h.train(params, x, h.flip(x), 0.05, 30)
    assert plain(e.verdict_html.value).startswith(h.verdict(result.losses, result.diverged))
    assert len(e.line.get_data()[0]) == result.losses.size


def test_arguments_are_checked_with_helpful_messages():
    with pytest.raises(ValueError, match="between 0.001 and 10"):
        LearningRateExplorer(lr=50)
    with pytest.raises(ValueError, match="both x and y"):
        LearningRateExplorer(y=[1, 1, 0, 1])
    with pytest.raises(ValueError, match="at least 1"):
        LearningRateExplorer(steps=0)


def test_displays_as_a_widget_with_a_png_fallback(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"


def test_the_picture_alt_text_follows_every_change_with_its_numbers():
    fresh = LearningRateExplorer()
    x, y = h.example()
    for lr in (0.1, 1.0, 10.0, 0.001):
        fresh.slider.value = lr
        result = h.train(h.load_params(), x, y, lr, 100)
        word = h.verdict(result.losses, result.diverged)
        alt = fresh.plot.alt
        assert f"η = {lr:g} ({word})" in alt
        assert f"{h.loss(h.load_params(), x, y):.3f}" in alt          # where the loss starts
        if not result.diverged:
            y_hat = h.forward(result.params, x)
            assert "[" + ", ".join(f"{v:.2f}" for v in np.round(y_hat, 2) + 0.0) + "]" in alt
        else:
            assert f"step {result.losses.size - 1}" in alt
        assert fresh.describe() == alt



def rises_counted(losses) -> int:
    """How many steps the loss rose on, counted here in plain Python: by more than 1e-12 (rounding noise)."""
    return sum(later - earlier > 1e-12 for earlier, later in zip(losses, losses[1:]))


def alt_rises(alt: str) -> int:
    """How many rising steps an alt text claims: 0 for "on every step", N for "rose/rising on N of"."""
    every = "on every step" in alt
    counted = re.findall(r"(?:rose|rising) on (\d+) of the \d+ steps", alt)
    assert every != bool(counted), f"the alt must make exactly one claim about rises: {alt}"
    return 0 if every else int(counted[0])


def test_the_alt_text_counts_rises_by_the_verdicts_own_rule_at_every_slider_position(explorer):
    """At η = 0.355 the status said "steady: went down on every step" while the alt said "though it
    rose on 1 of the 100 steps": the alt counted rounding noise as a rise, the verdict did not."""
    from helpers.lr_explorer import LOG_MAX, LOG_MIN
    x, y = h.example()
    positions = round((LOG_MAX - LOG_MIN) / 0.05)
    assert explorer.slider.step == pytest.approx(0.05)
    checked = 0
    for i in range(positions + 1):
        lr = 10.0 ** (LOG_MIN + 0.05 * i)
        explorer.slider.value = lr
        run = h.train(h.load_params(), x, y, lr, 100)
        word = h.verdict(run.losses, run.diverged)
        if run.diverged:
            continue                                   # its alt says where it stopped, not how it got there
        rose = rises_counted([float(v) for v in run.losses])
        claimed = alt_rises(explorer.plot.alt)
        assert claimed == rose, f"η = {lr:.3g}: the alt claims {claimed} rises, the run has {rose}"
        # "went down on every step" is exactly the verdict's "never rose"
        assert (claimed == 0) == (word in ("too slow", "steady")), f"η = {lr:.3g} ({word}): {explorer.plot.alt}"
        checked += 1
    assert checked > 60

def test_each_drawn_value_is_confirmed_to_the_browser_after_its_picture():
    """The browser sends the next dragged η when the kernel has started on the last one, and retires
    a value when it is drawn: "started" must come before the new picture and "drawn" after it (and
    for every value), or dragging would stall or show stale frames."""
    fresh = LearningRateExplorer()
    events = []
    fresh.plot.observe(lambda c: events.append(("picture", fresh.slider.value)), names="value")
    fresh.verdict_html.observe(lambda c: events.append(("words", fresh.slider.value)), names="html")
    fresh.slider.send = lambda content, buffers=None: events.append((content["event"], content["value"]))
    for lr in (0.2, 0.5, 0.2):
        fresh.slider.value = lr
    # the words never run ahead of the picture they describe
    assert events == [(what, lr) for lr in (0.2, 0.5, 0.2)
                      for what in ("started", "picture", "words", "drawn")]


def test_a_narrow_output_gets_a_stacked_figure_with_readable_text():
    fresh = LearningRateExplorer()
    assert not fresh.layout.narrow and fresh.layout.css_width == 846       # 9.4 in × 90 CSS px
    fresh.slider.value = 1.0
    fresh.plot.width, fresh.plot.pixel_ratio = 468, 2.0        # what the browser reports
    layout = fresh.layout
    assert layout.narrow and layout.css_width <= 468 and layout.dpi == 180
    assert fresh.plot.css_width == layout.css_width
    png = fresh.plot.value
    width = int.from_bytes(png[16:20], "big")
    assert width == pytest.approx(2 * layout.css_width, abs=2)           # sharp at the pixel ratio
    # stacked: the loss curve above the prediction, each as wide as it can be
    assert fresh.ax_loss.get_position().y0 > fresh.ax_pred.get_position().y1
    smallest = min(t.get_fontsize() for t in fresh.fig.findobj(mpl.text.Text) if t.get_text())
    assert smallest * 90 / 72 >= 10                                       # CSS px
    assert "η = 1 (" in fresh.plot.alt                                    # the state survived
    assert plain(fresh.verdict_html.value).startswith("unstable")


def test_without_a_widget_front_end_the_picture_comes_as_html_with_alt_text(explorer):
    bundle = explorer._repr_mimebundle_()
    page = bundle["text/html"]
    assert page.startswith('<div class="downhill-frozen downhill-lr-explorer-frozen"')
    assert '<img src="data:image/png;base64,' in page
    assert f'alt="{explorer.plot.alt}"' in page.replace("&#x27;", "'")
    assert explorer.verdict_html.value in page                 # the sentence a student reads, too


@pytest.mark.parametrize("word", sorted(CHAPTER.values()))
def test_the_verdict_word_meets_4_5_to_1_in_the_light_and_the_dark_theme(word):
    from helpers.lr_explorer import VERDICT_STATUS_TEXT

    def luminance(color):
        r, g, b = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    def contrast(a, b):
        hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    on_light, on_dark = VERDICT_STATUS_TEXT[word]
    assert contrast(on_light, "#ffffff") >= 4.5
    assert contrast(on_dark, "#111111") >= 4.5            # JupyterLab dark: --jp-layout-color0


def claimed_falls(text: str, k: int):
    """Up to which step a text says the loss went down on every step: N for "on every step until
    ... step N", k for a plain "on every step", None when it makes no such claim."""
    until = re.search(r"on every step until (?:it reached exactly 0 at |it stopped changing at )?step (\d+)", text)
    return int(until.group(1)) if until else (k if "on every step" in text else None)


def test_every_step_claims_are_true_of_the_losses_at_every_slider_position(explorer):
    """At η = 0.447 the status said "the loss went down on every step", while from step 41 on the
    loss sat flat at 7.7e-34: a fall claimed on 59 steps where the loss did not fall."""
    x, y = h.example()
    flat = None
    for i in range(-60, 21):
        lr = 10.0 ** (i / 20)
        explorer.slider.value = lr
        losses = h.train(h.load_params(), x, y, lr, 100).losses
        k = losses.size - 1
        fell = np.diff(losses) < 0                                  # step i+1 fell, counted here
        for text in (plain(explorer.verdict_html.value), explorer.plot.alt):
            n = claimed_falls(text, k)
            if n is None:
                continue
            assert fell[:n].all(), f"η = {lr:.3g}: a fall is claimed on a step that did not fall: {text}"
            if n < k:
                assert not fell[n], f"η = {lr:.3g}: step {n + 1} fell too, so 'until step {n}' is wrong: {text}"
        if i == -7:
            flat = (k, int(np.argmin(fell)), plain(explorer.verdict_html.value))
    k, n, text = flat                                               # η = 10^-0.35 ≈ 0.447
    assert n < k and f"until it stopped changing at step {n}" in text, text

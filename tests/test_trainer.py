"""The step-through trainer, driven from Python the way a student drives it with the mouse."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers as h
from helpers.plots import loop_diagram
from helpers.trainer import TrainerExplorer, loss_text, short_number


def readout_loss(trainer) -> float:
    match = re.search(r"loss = (-?\d+\.\d{4,})", trainer.readout.value)
    assert match, f"no 'loss = 0.xxxx' in the readout: {trainer.readout.value!r}"
    return float(match.group(1))


def readout_step(trainer) -> int:
    match = re.search(r"step (\d+)", trainer.readout.value)
    assert match, trainer.readout.value
    return int(match.group(1))


@pytest.fixture
def trainer():
    return TrainerExplorer()


def test_widgets_carry_the_class_names_the_browser_tests_use(trainer):
    assert "downhill-trainer" in trainer.widget._dom_classes
    assert "downhill-step" in trainer.step_button._dom_classes
    assert "downhill-step10" in trainer.step10_button._dom_classes
    assert "downhill-reset" in trainer.reset_button._dom_classes
    assert "downhill-loss" in trainer.readout._dom_classes
    assert "downhill-plot" in trainer.live.image._dom_classes
    assert [trainer.step_button.description, trainer.step10_button.description,
            trainer.reset_button.description] == ["Step", "Step ×10", "Reset"]


def test_starts_at_the_chapter_loss_with_four_decimals(trainer):
    params = h.load_params()
    x, y = h.example()
    expected = np.mean((h.forward(params, x) - y) ** 2)          # the MSE written out
    assert readout_step(trainer) == 0
    assert readout_loss(trainer) == pytest.approx(expected, abs=1e-4)
    assert "loss = 0.8962" in trainer.readout.value or "loss = 0.8963" in trainer.readout.value


def test_one_step_is_one_update_w_minus_lr_times_gradient(trainer):
    params = h.load_params()
    x, y = h.example()
    grads = h.numerical_gradient(params, x, y)                    # an independent gradient
    expected = {k: params[k] - 0.1 * grads[k] for k in h.PARAM_NAMES}
    trainer.step_button.click()
    assert readout_step(trainer) == 1
    for k in h.PARAM_NAMES:
        np.testing.assert_allclose(trainer.params[k], expected[k], atol=1e-8)
    assert readout_loss(trainer) == pytest.approx(h.loss(expected, x, y), abs=1e-4)


def test_loss_readout_goes_down_with_every_step(trainer):
    seen = [readout_loss(trainer)]
    for _ in range(5):
        trainer.step_button.click()
        seen.append(readout_loss(trainer))
    assert all(b < a for a, b in zip(seen, seen[1:])), seen


def test_step_times_ten_matches_ten_single_steps():
    ten = TrainerExplorer()
    ten.step10_button.click()
    one = TrainerExplorer()
    for _ in range(10):
        one.step_button.click()
    assert ten.steps == one.steps == 10
    for k in h.PARAM_NAMES:
        np.testing.assert_allclose(ten.params[k], one.params[k], rtol=1e-10, atol=1e-12)
    assert ten.readout.value == one.readout.value


def test_the_picture_changes_with_a_step_and_reset_restores_it(trainer):
    first = trainer.live.image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    trainer.step_button.click()
    after_step = trainer.live.image.value
    assert after_step != first
    trainer.step10_button.click()
    assert trainer.live.image.value != after_step
    trainer.reset_button.click()
    assert readout_step(trainer) == 0
    assert trainer.steps == 0
    start = h.load_params()
    for k in h.PARAM_NAMES:
        np.testing.assert_array_equal(trainer.params[k], start[k])
    assert trainer.live.image.value == first


def test_bar_chart_names_the_weights_that_moved_most(trainer):
    params = h.load_params()
    x, y = h.example()
    moved = 0.1 * np.abs(h.flatten(h.numerical_gradient(params, x, y)))   # |change| after one step
    trainer.step_button.click()
    labels = [t.get_text() for t in trainer.bar_names]
    names = h.param_labels(params)
    assert len(labels) == 6 and all(label in names for label in labels)
    shown = sorted((moved[names.index(label)] for label in labels), reverse=True)
    np.testing.assert_allclose(shown, np.sort(moved)[::-1][:6], atol=1e-7)
    assert labels[0] == "b2[3]"                 # |∂L/∂b2[3]| = 0.625 is the largest gradient


def test_pixel_numbers_stay_readable_once_a_pixel_turns_white(trainer):
    for _ in range(3):
        trainer.step10_button.click()
    y_hat = h.forward(trainer.params, h.example()[0])
    for text, value in zip(trainer.pred_texts, y_hat):
        assert text.get_text() == f"{value:.2f}".replace("-0.00", "0.00")
        assert text.get_color() == ("black" if value > 0.5 else "white")


def test_a_huge_learning_rate_stops_and_says_diverged():
    trainer = TrainerExplorer(lr=10.0)
    trainer.step10_button.click()
    expected = h.train(h.load_params(), *h.example(), 10.0, 10)
    assert expected.diverged
    assert trainer.diverged and "diverged" in trainer.readout.value
    assert trainer.steps == expected.losses.size - 1
    assert trainer.step_button.disabled and trainer.step10_button.disabled
    trainer.step_button.click()                               # ignored while diverged
    assert trainer.steps == expected.losses.size - 1
    trainer.reset_button.click()
    assert not trainer.diverged and not trainer.step_button.disabled


def test_single_steps_also_notice_divergence():
    trainer = TrainerExplorer(lr=10.0)
    for _ in range(8):
        trainer.step_button.click()
    assert trainer.diverged
    assert trainer.steps == h.train(h.load_params(), *h.example(), 10.0, 8).losses.size - 1


def test_a_step_that_overshoots_without_exploding_keeps_the_buttons():
    """Only an explosion stops the trainer: a loss that went up may still come down on later presses."""
    trainer = TrainerExplorer(lr=2.0)
    trainer.step_button.click()
    first, after = trainer.losses
    assert after > first and not h.train(h.load_params(), *h.example(), 2.0, 1).diverged
    assert not trainer.diverged and not trainer.step_button.disabled and "diverged" not in trainer.readout.value


def test_other_networks_and_examples_work():
    params = h.init_params(5, seed=1)
    x = np.array([0.0, 1.0, 1.0, 0.0])
    trainer = TrainerExplorer(params, x, h.flip(x), lr=0.05)
    trainer.step_button.click()
    assert readout_loss(trainer) == pytest.approx(h.train(params, x, h.flip(x), 0.05, 1).final_loss, abs=1e-4)
    assert len(trainer.labels) == h.count_params(params)


def test_arguments_are_checked_with_helpful_messages():
    with pytest.raises(ValueError, match="both x and y"):
        TrainerExplorer(x=[1, 0, 1, 1])
    with pytest.raises(ValueError, match="one 2×2 image"):
        TrainerExplorer(x=np.eye(4), y=np.eye(4))
    with pytest.raises(ValueError, match="learning rate"):
        TrainerExplorer(lr=-1)


def test_displays_as_a_widget_with_a_png_fallback(trainer):
    bundle = trainer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"


def test_one_figure_no_pyplot_figures_no_growing_artists(trainer):
    before = plt.get_fignums()
    n_artists = len(trainer.fig.findobj())
    for _ in range(12):
        trainer.step_button.click()
    trainer.reset_button.click()
    assert plt.get_fignums() == before
    assert len(trainer.fig.findobj()) == n_artists


def test_number_formats():
    assert loss_text(0.39291767) == "0.3929"
    assert loss_text(2.3e-14).startswith("0.0000") and "2.3e-14" in loss_text(2.3e-14)
    assert short_number(-42280.0) == "-4.2e4" and short_number(0.0439, signed=True) == "+0.0439"


def test_loop_diagram_shows_the_numbers_it_is_given():
    fig = loop_diagram([0.1, -0.1, -0.05, -0.25], 0.89625, ("W1[1,0]", 0.439), 0.1)
    texts = " ".join(t.get_text() for t in fig.findobj(plt.Text))
    assert "0.896" in texts and "+0.439" in texts and "η = 0.1" in texts and "-0.25" in texts
    plt.close(fig)


def test_the_alt_text_follows_every_press():
    trainer = TrainerExplorer()
    x, y = h.example()
    assert "Before any step" in trainer.plot.alt and "0.896" in trainer.plot.alt
    trainer.step_button.click()
    trainer.step10_button.click()
    losses = h.train(h.load_params(), x, y, 0.1, 11).losses
    assert "After 11 steps" in trainer.plot.alt
    assert short_number(losses[-1]) in trainer.plot.alt
    trainer.reset_button.click()
    assert "Before any step" in trainer.plot.alt



def test_after_400_steps_the_alt_text_counts_rises_by_the_verdicts_own_rule():
    """At η = 0.1 the alt said "rising on 7 of the 400 steps" of a run whose every rise is rounding
    noise (below 1e-12): the verdict calls it steady, and so must the words."""
    trainer = TrainerExplorer()
    trainer.step(400)
    losses = h.train(h.load_params(), *h.example(), 0.1, 400).losses
    rose = sum(later - earlier > 1e-12 for earlier, later in zip(losses, losses[1:]))   # counted here
    word = h.verdict(losses)
    alt = trainer.plot.alt
    counted = re.findall(r"rising on (\d+) of the 400 steps", alt)
    if rose == 0:
        assert word in ("too slow", "steady")
        assert "on every step" in alt and not counted, alt
    else:
        assert word in ("unstable", "diverged")
        assert counted == [str(rose)], alt

def test_a_diverged_trainer_keeps_its_step_buttons_focusable_but_disabled():
    trainer = TrainerExplorer(lr=10.0)
    for _ in range(5):
        trainer.step10_button.click()
    assert trainer.diverged and trainer.step_button.disabled
    steps = trainer.steps
    trainer.step_button.click()                          # a press while disabled does nothing
    assert trainer.steps == steps
    assert "exploded" in trainer.plot.alt


def test_a_narrow_output_stacks_the_panels():
    trainer = TrainerExplorer()
    trainer.step(3)
    trainer.plot.width = 468
    assert trainer.layout.narrow and trainer.plot.css_width <= 468
    assert trainer.ax_loss.get_position().y0 > trainer.ax_pred.get_position().y1 > trainer.ax_bars.get_position().y1
    assert "After 3 steps" in trainer.plot.alt


@pytest.mark.parametrize("lr", [10 ** 0.65, 5.0])
def test_step_times_ten_stops_at_the_first_step_past_the_whole_runs_limit(lr):
    """At η = 4.47 pressing Step ×10 said "Loss exploded at step 30": each press measured the
    explosion against the loss where that press started, not against the loss at step 0."""
    x, y = h.example()
    run = h.train(h.load_params(), x, y, lr, 200)
    with np.errstate(invalid="ignore"):
        first = int(np.flatnonzero(~(run.losses <= h.training.EXPLODED * run.losses[0]))[0])  # also NaN
    for presses in ([10] * 20, [1] + [10] * 20, [1] * 3 + [10] * 20):
        trainer = TrainerExplorer(lr=lr)
        for n in presses:
            (trainer.step_button if n == 1 else trainer.step10_button).click()
        assert trainer.diverged and trainer.steps == first, (presses[:3], trainer.steps, first)
        assert trainer.loss_title.get_text() == f"Loss exploded at step {first}"
        assert f"exploded at step {first}" in trainer.plot.alt
        assert len(trainer.loss_line.get_xdata()) == first + 1          # nothing drawn past it
        np.testing.assert_allclose(trainer.losses, run.losses[:first + 1], rtol=1e-12)
        for key in h.PARAM_NAMES:
            np.testing.assert_allclose(trainer.params[key], run.trajectory[key][first], rtol=1e-12)


def test_the_alt_text_never_claims_a_fall_on_a_step_where_the_loss_stayed_flat():
    """At η = 0.447 the loss reaches 7.7e-34 at step 41 and stays there: "falling on every step" was false."""
    trainer = TrainerExplorer(lr=10 ** -0.35)
    trainer.step(100)
    losses = h.train(h.load_params(), *h.example(), 10 ** -0.35, 100).losses
    fell = np.diff(losses) < 0
    n = int(np.argmin(fell))                       # the last step of the run of falls, counted here
    assert not fell.all() and fell[:n].all()
    assert f"falling on every step until it stopped changing at step {n}" in trainer.plot.alt


def test_how_it_fell_names_the_last_step_that_fell():
    from helpers.training import how_it_fell
    assert how_it_fell([0.9, 0.5, 0.1]) == "on every step"
    assert how_it_fell([0.9, 0.5, 0.0, 0.0]) == "on every step until it reached exactly 0 at step 2, then stayed at 0"
    assert how_it_fell([0.9, 0.5, 0.5, 0.4]).startswith("on 2 of the 3 steps")

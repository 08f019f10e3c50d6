"""Text alternatives: descriptions attached to figures, the <img alt> tag, and h.show's display."""

import base64
import html
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers as h
from helpers import alt, plots

matplotlib.use("Agg")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def test_img_html_carries_the_png_and_an_escaped_alt():
    tag = alt.img_html(PNG, 'Loss "falls" <fast> & far\n  on every step')
    src = re.search(r'src="data:image/png;base64,([^"]+)"', tag).group(1)
    assert base64.b64decode(src) == PNG
    assert html.unescape(re.search(r'alt="([^"]*)"', tag).group(1)) == 'Loss "falls" <fast> & far on every step'
    assert tag.startswith("<img ") and "<fast>" not in tag


@pytest.mark.parametrize("png, text, problem", [(b"GIF89a", "a picture", "bytes of a PNG"),
                                                ("not bytes", "a picture", "bytes of a PNG"),
                                                (PNG, "   ", "non-empty description"),
                                                (PNG, None, "non-empty description")])
def test_img_html_refuses_what_is_not_a_png_with_a_description(png, text, problem):
    with pytest.raises(ValueError, match=problem):
        alt.img_html(png, text)


def test_picture_shows_as_html_img_alt_and_as_a_png_with_alt_metadata():
    data, metadata = alt.Picture(PNG, "three numbers: 0.896, 0.1, 2.3e-14")._repr_mimebundle_()
    assert 'alt="three numbers: 0.896, 0.1, 2.3e-14"' in data["text/html"]
    assert base64.b64decode(data["image/png"]) == PNG
    assert metadata == {"image/png": {"alt": "three numbers: 0.896, 0.1, 2.3e-14"}}
    assert "0.896" in data["text/plain"]


def test_show_displays_one_picture_and_closes_the_figure(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objects: shown.extend(objects))
    fig, ax = plt.subplots()
    plots.plot_losses(ax, [0.896, 0.5, 0.25], label="η = 0.1")
    assert h.show(fig) is None                       # nothing for the cell to display twice
    assert not plt.fignum_exists(fig.number)
    (picture,) = shown
    assert isinstance(picture, alt.Picture) and picture.png.startswith(b"\x89PNG")
    assert "η = 0.1: the loss falls from 0.896 to 0.25 over 2 steps, on every step" in picture.alt


def test_show_takes_an_alt_of_its_own(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objects: shown.extend(objects))
    fig, _ = plt.subplots()
    h.show(fig, alt="my own words, 42")
    assert shown[0].alt == "my own words, 42"


def test_a_figure_without_helpers_is_described_from_what_it_draws():
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [10, 30, 20], label="speed")
    ax.set_title("Speed by day")
    ax.set_xlabel("day")
    ax.set_ylabel("km/h")
    ax.text(2, 30, "fastest")
    text = alt.description(fig)
    assert text.startswith("Speed by day. km/h against day.")
    assert "speed: 10 at 1, 20 at 3, lowest 10, highest 30." in text and "Marked: fastest." in text
    plt.close(fig)


def test_describe_wins_and_an_empty_description_says_nothing():
    fig, ax = plt.subplots()
    line, = ax.plot([0, 1], [5, 6], label="helper line")
    alt.describe(line, "")
    ax.set_title("T")
    assert "helper line" not in alt.description(fig)
    alt.describe(fig, "All of it, in 3 words")
    assert alt.description(fig) == "All of it, in 3 words"
    with pytest.raises(ValueError):
        alt.describe(fig, "   ")
    plt.close(fig)


@pytest.mark.parametrize("value, text", [(0.896245, "0.896"), (2.3153e-14, "2.3e-14"), (0.0, "0"),
                                         (-0.1, "-0.1"), (123456.0, "1.2e5"), (np.inf, "infinite")])
def test_number(value, text):
    assert alt.number(value) == text


def test_numbers_never_say_minus_zero():
    assert alt.numbers([1, -0.004, 0.5, -0.25]) == "[1.00, 0.00, 0.50, -0.25]"


def test_an_explorers_figure_says_what_its_live_image_says():
    """One description per explorer: alt.description(explorer.fig) is its describe(), which its
    live <img alt> shows; both follow every change and every relayout."""
    from helpers.lr_explorer import LearningRateExplorer
    from helpers.trainer import TrainerExplorer

    explorer = LearningRateExplorer()
    explorer.slider.value = 1.0
    run = h.train(h.load_params(), *h.example(), 1.0, 100)
    text = alt.description(explorer.fig)
    assert text == explorer.describe() == explorer.plot.alt
    rises = int(np.sum(np.diff(run.losses) > 0))
    assert rises > 0 and run.losses[-1] < run.losses[0] / 2              # η = 1: unstable
    assert "over 100 steps at η = 1 (unstable)" in text
    assert f"from {run.losses[0]:.3f} to {alt.number(run.losses[-1])}," in text
    assert f"rose on {rises} of the 100 steps" in text
    y_hat = h.forward(run.params, h.example()[0])
    assert f"prediction {alt.numbers(y_hat)}" in text

    explorer.plot.width = 500                                 # a narrow output: a new figure
    assert explorer.layout.narrow and alt.description(explorer.fig) == explorer.plot.alt == text

    trainer = TrainerExplorer()
    trainer.step(3)
    losses = h.train(h.load_params(), *h.example(), 0.1, 3).losses
    assert np.all(np.diff(losses) < 0)
    text = alt.description(trainer.fig)
    assert text == trainer.describe() == trainer.plot.alt
    assert text.startswith("After 3 steps at η = 0.1:") and "falling on every step" in text
    assert f"loss from {losses[0]:.3f} to {alt.number(losses[-1])} on a log scale" in text
    y_hat = h.forward(h.train(h.load_params(), *h.example(), 0.1, 3).params, h.example()[0])
    assert f"prediction {alt.numbers(y_hat)}" in text
    trainer.reset()
    assert alt.description(trainer.fig).startswith("Before any step") and \
        alt.description(trainer.fig) == trainer.plot.alt


def test_one_img_tag_for_figures_and_explorers():
    from helpers import widgets

    assert widgets.img_html is alt.img_html
    tag = alt.img_html(PNG, "a picture", width=630)
    assert 'style="max-width:100%;height:auto;width:630px"' in tag
    for width in (0, -5, 6.5, True):
        with pytest.raises(ValueError, match="width must be"):
            alt.img_html(PNG, "a picture", width=width)

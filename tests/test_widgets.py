"""The widget plumbing: the PNG encoder and LiveFigure's layered redraws."""

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from helpers import png as png_module
from helpers.lr_explorer import LearningRateExplorer
from helpers.widgets import encode_png


@pytest.fixture(params=["isal", "zlib"], autouse=False)
def deflate(request, monkeypatch):
    """Run an encoder test with ISA-L's deflate (installed with the course) and with zlib's
    (what a clone run with nothing installed uses)."""
    if request.param == "isal":
        if png_module.isal_zlib is None:
            pytest.skip("isal is not installed here (it is one of the course's dependencies)")
    else:
        monkeypatch.setattr(png_module, "isal_zlib", None)
    return request.param


def decoded(png: bytes) -> np.ndarray:
    """The pixels of a PNG as Pillow (an independent decoder) reads them, RGBA."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_encode_png_is_lossless_for_random_pixels(deflate):
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    assert np.array_equal(decoded(encode_png(rgba)), rgba)


def test_encode_png_joins_its_two_bands_into_one_valid_stream(deflate):
    # Large enough for two bands when zlib compresses (the top and bottom halves on two threads),
    # with an odd number of rows and a band boundary inside a flat area and inside noise.
    rng = np.random.default_rng(1)
    rgba = np.full((301, 700, 4), 255, dtype=np.uint8)
    rgba[140:160] = rng.integers(0, 256, size=(20, 700, 4), dtype=np.uint8)
    rgba[:, 300:310] = [0, 114, 178, 255]
    png = encode_png(rgba)
    assert np.array_equal(decoded(png), rgba)
    # zlib itself accepts the stream, checksum included (Pillow may not verify Adler-32).
    length = int.from_bytes(png[33:37], "big")
    assert png[37:41] == b"IDAT"
    rows = zlib.decompress(png[41:41 + length])
    assert len(rows) == 301 * (1 + 4 * 700)


def test_encode_png_reads_a_canvas_buffer_without_copying_the_callers_array(deflate):
    rgba = np.zeros((2, 3, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[0, 1] = [255, 0, 0, 255]
    before = rgba.copy()
    assert np.array_equal(decoded(encode_png(rgba)), before)
    assert np.array_equal(rgba, before)


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4, 4), np.float64),
                                 np.zeros((16, 4), np.uint8)])
def test_encode_png_names_what_it_needs(bad):
    with pytest.raises(ValueError, match=r"rgba must be a \(height, width, 4\) uint8 array"):
        encode_png(bad)


def full_redraw(live) -> np.ndarray:
    """The figure drawn from scratch, every layer at once (no cached pictures)."""
    live.invalidate()
    return decoded(live.png())


@pytest.mark.parametrize("path", [[0.1, 0.5, 3.0, 0.002], [10.0, 0.1, 4.0, 1.0]])
def test_layered_redraws_match_drawing_from_scratch(path):
    # Each slider move redraws only the layers that changed, over cached pictures of the rest;
    # what the student sees must be exactly what a fresh draw of the same state gives.
    explorer = LearningRateExplorer()
    for lr in path:
        explorer.slider.value = lr
        shown = decoded(explorer.live.image.value)
        assert np.array_equal(shown, full_redraw(explorer.live)), f"stale pixels after η = {lr}"


def test_the_trainers_layered_redraws_match_drawing_from_scratch():
    # The loss axis is a layer of its own, redrawn only when its limits jump; the names beside the
    # bars are redrawn with every press: each press must show exactly a fresh draw, including
    # presses that move the axis and presses that reorder the names.
    from helpers.trainer import TrainerExplorer

    explorer = TrainerExplorer()
    presses = [explorer.step_button, explorer.step_button, explorer.step10_button, explorer.step10_button,
               explorer.reset_button, explorer.step_button]
    names = []
    for button in presses:
        button.click()
        names.append([name.get_text() for name in explorer.bar_names])
        shown = decoded(explorer.live.image.value)
        assert np.array_equal(shown, full_redraw(explorer.live)), f"stale pixels after {button.description!r}"
    assert len({tuple(n) for n in names}) >= 3, "the presses never changed the names beside the bars"


def test_the_wiggle_explorers_layered_redraws_match_drawing_from_scratch():
    from helpers.wiggle import WiggleExplorer

    explorer = WiggleExplorer()
    labels, nudges = list(explorer.param.options), list(explorer.nudge.options)
    for change in [("nudge", nudges[0]), ("param", labels[5]), ("nudge", nudges[-1]), ("param", labels[-1])]:
        setattr(getattr(explorer, change[0]), "value", change[1])
        shown = decoded(explorer.live.image.value)
        assert np.array_equal(shown, full_redraw(explorer.live)), f"stale pixels after {change}"


def png_width(png: bytes) -> int:
    return int.from_bytes(bytes(png)[16:20], "big")


def test_a_zoomed_explorer_is_shown_larger_with_the_same_layout_and_sharp():
    explorer = LearningRateExplorer()
    natural = explorer.layout
    explorer.zoom = 1.5
    width_in, height_in = explorer.SIZE
    layout = explorer.layout
    # the same figure (its inches, so its layout and text proportions), 1.5 times the CSS px
    assert (layout.width, layout.height, layout.narrow) == (natural.width, natural.height, False)
    assert tuple(explorer.fig.get_size_inches()) == pytest.approx((width_in, height_in))
    assert layout.css_width == round(width_in * 90 * 1.5) == explorer.plot.css_width
    assert png_width(explorer.plot.value) == pytest.approx(width_in * 90 * 1.5, abs=2)
    assert explorer.plot.zoom == 1.5                    # the browser scales the controls by it
    explorer.plot.pixel_ratio = 2.0                     # a HiDPI screen: twice the pixels again
    assert png_width(explorer.plot.value) == pytest.approx(width_in * 90 * 1.5 * 2, abs=2)


def test_a_zoom_set_before_the_plot_exists_is_used_from_the_first_picture():
    class Big(LearningRateExplorer):
        _zoom = 2.0
    explorer = Big()
    assert explorer.plot.zoom == 2.0
    assert png_width(explorer.plot.value) == pytest.approx(explorer.SIZE[0] * 90 * 2, abs=2)


def test_a_zoomed_explorer_still_fits_a_narrower_output():
    explorer = LearningRateExplorer()
    explorer.zoom = 1.5
    explorer.plot.width = 1200                          # less than 846 × 1.5 CSS px, more than its stacking width (760 × 1.5)
    assert not explorer.layout.narrow and explorer.plot.css_width <= 1200
    assert png_width(explorer.plot.value) <= 1200
    explorer.plot.width = 1000                          # 667 px at zoom 1: below the 760 px it stacks under
    assert explorer.layout.narrow and explorer.plot.css_width <= 1000
    explorer.zoom = 1.0                                  # back to natural size in the same output
    assert not explorer.layout.narrow and explorer.plot.css_width == round(explorer.SIZE[0] * 90)


@pytest.mark.parametrize("bad", [0, -1, 0.4, 4.5, float("nan"), float("inf"), "big", None])
def test_zoom_names_what_it_needs(bad):
    explorer = LearningRateExplorer()
    with pytest.raises(ValueError, match=r"zoom must be a number from 0.5 to 4 \(1 is the natural size\); got"):
        explorer.zoom = bad
    assert explorer.zoom == 1.0 and explorer.plot.zoom == 1.0


@pytest.mark.parametrize("module, name", [("helpers.lr_explorer", "LearningRateExplorer"),
                                          ("helpers.trainer", "TrainerExplorer"),
                                          ("helpers.wiggle", "WiggleExplorer")])
def test_the_first_picture_is_the_one_a_1280_px_jupyterlab_keeps(module, name):
    # JupyterLab 1280 px wide, file browser open, gives an output 848 CSS px (measured in Chromium):
    # the picture drawn before the browser reports that width must already fit it, or it is laid
    # out and drawn again at the end of Run All.
    import importlib

    explorer = getattr(importlib.import_module(module), name)()
    fig, first = explorer.fig, explorer.plot.value
    explorer.plot.width, explorer.plot.pixel_ratio = 848, 1.0
    assert explorer.fig is fig and explorer.plot.value == first
    assert explorer.layout.css_width <= 848 and not explorer.layout.narrow

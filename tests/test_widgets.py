"""The widget plumbing: the PNG encoder and LiveFigure's layered redraws."""

import io

import numpy as np
import pytest
from PIL import Image

from helpers.lr_explorer import LearningRateExplorer
from helpers.widgets import encode_png


def decoded(png: bytes) -> np.ndarray:
    """The pixels of a PNG as Pillow (an independent decoder) reads them, RGBA."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_encode_png_is_lossless_for_random_pixels():
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    assert np.array_equal(decoded(encode_png(rgba)), rgba)


def test_encode_png_reads_a_canvas_buffer_without_copying_the_callers_array():
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

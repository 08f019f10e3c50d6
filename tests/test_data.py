"""The task, the 16 patterns, and the shipped Chapter-7 weights."""

import json
from pathlib import Path

import numpy as np

import helpers as h

ROOT = Path(__file__).resolve().parents[1]


def transpose_2x2(pixels):
    """The diagonal flip done the long way: as a 2×2 matrix, transposed."""
    return np.asarray(pixels, dtype=float).reshape(2, 2).T.ravel()


def test_example_is_the_chapter_example():
    x, y = h.example()
    assert x.tolist() == [1, 0, 1, 1]
    assert y.tolist() == [1, 1, 0, 1]
    assert np.array_equal(y, transpose_2x2(x))


def test_dataset_holds_all_16_images_and_their_flips():
    X, Y = h.dataset()
    assert X.shape == Y.shape == (16, 4)
    assert {tuple(row) for row in X} == {(a, b, c, d) for a in (0, 1) for b in (0, 1)
                                         for c in (0, 1) for d in (0, 1)}
    for x, y in zip(X, Y):
        assert np.array_equal(y, transpose_2x2(x))


def test_flip_twice_is_identity_and_keeps_the_diagonal():
    X, _ = h.dataset()
    assert np.array_equal(h.flip(h.flip(X)), X)
    assert np.array_equal(h.flip(X)[:, [0, 3]], X[:, [0, 3]])


def test_load_params_reads_the_json_in_data():
    raw = json.loads((ROOT / "data" / "chapter7_params.json").read_text())
    params = h.load_params()
    assert set(params) == {"W1", "b1", "W2", "b2"}
    for key in params:
        assert params[key].dtype == np.float64
        assert np.array_equal(params[key], np.array(raw[key]))
    assert params["W1"].shape == (3, 4) and params["b1"].shape == (3,)
    assert params["W2"].shape == (4, 3) and params["b2"].shape == (4,)


def test_chapter_weights_look_like_a_small_two_decimal_initialisation():
    for value in h.flatten(h.load_params()):
        assert abs(value) <= 0.5
        assert abs(value * 100 - round(value * 100)) < 1e-9


def test_load_params_returns_new_arrays_every_call():
    first = h.load_params()
    first["W1"][0, 0] = 99.0
    assert h.load_params()["W1"][0, 0] != 99.0
    assert not np.shares_memory(h.load_params()["b2"], h.load_params()["b2"])

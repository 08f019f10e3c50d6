"""The task and the Chapter-7 network: one 2×2 image, all sixteen of them, and the shipped weights.

Pixels are in reading order [a, b, c, d] for the image

    a b
    c d

and the target is its flip along the main diagonal (a transpose): [a, c, b, d].
"""

from __future__ import annotations

import itertools
import json
from importlib import resources
from pathlib import Path

import numpy as np

from .validate import PARAM_NAMES, check_params

PARAMS_FILE = "chapter7_params.json"


def flip(x) -> np.ndarray:
    """The diagonal flip of images x: (4,) or (n, 4) → the same shape, pixels [a, c, b, d]."""
    x = np.asarray(x, dtype=np.float64)
    if x.shape[-1:] != (4,) or x.ndim > 2:
        raise ValueError(f"x must have shape (4,) or (n, 4); got {x.shape}")
    return x[..., [0, 2, 1, 3]]


def example() -> tuple[np.ndarray, np.ndarray]:
    """The chapter's example: x = [1, 0, 1, 1] (pixel b dark) and its flip y = [1, 1, 0, 1]. Both (4,)."""
    x = np.array([1.0, 0.0, 1.0, 1.0])
    return x, flip(x)


def dataset() -> tuple[np.ndarray, np.ndarray]:
    """All 16 black-and-white 2×2 images X and their flips Y, each of shape (16, 4).

    Row i is the binary number i written with pixel a as the highest bit.
    """
    X = np.array(list(itertools.product([0.0, 1.0], repeat=4)))
    return X, flip(X)


def _params_file():
    """Where the weights are: inside the installed package (a wheel or `pip install -e`, where
    pyproject.toml maps data/ to `helpers.datafiles`), else in data/ next to this helpers/ folder
    (the package imported straight from the repository, with nothing installed)."""
    try:
        return resources.files("helpers.datafiles").joinpath(PARAMS_FILE)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "data" / PARAMS_FILE


def load_params() -> dict:
    """The Chapter-7 network (31 numbers) from data/chapter7_params.json, as new arrays each call.

    Returns {"W1": (3, 4), "b1": (3,), "W2": (4, 3), "b2": (4,)}.
    """
    raw = json.loads(_params_file().read_text(encoding="utf-8"))
    return check_params({key: raw[key] for key in PARAM_NAMES})

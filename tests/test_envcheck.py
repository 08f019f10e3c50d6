"""helpers/envcheck.py: the version table and the "does a slider move a plot?" check."""

from __future__ import annotations

import platform

import matplotlib

matplotlib.use("Agg")

import numpy as np

from helpers import envcheck


def test_versions_are_read_live():
    rows = {name: (found, floor, ok) for name, found, floor, ok in envcheck.versions()}
    assert set(rows) == {"python", "numpy", "matplotlib", "ipywidgets", "anywidget", "jupyterlab"}
    assert rows["python"][0] == platform.python_version()
    assert rows["numpy"][0] == np.__version__
    assert rows["matplotlib"][0] == matplotlib.__version__
    assert all(ok for name, (found, floor, ok) in rows.items() if name != "jupyterlab")


def test_old_and_missing_packages_are_flagged():
    rows = envcheck.versions({"numpy": "999.0", "surely-not-installed-pkg": "1.0"})
    assert rows[0][3] is False
    assert rows[1][1] is None and rows[1][3] is False
    table = envcheck.version_table(rows)
    assert table.count("✘") == 2 and "| numpy |" in table


def test_version_comparison_uses_numbers_not_text():
    assert envcheck._as_tuple("3.10.1") > envcheck._as_tuple("3.9")
    assert envcheck._as_tuple("8.1.0rc1") == (8, 1, 0)
    assert envcheck._as_tuple("2.4.6") >= envcheck._as_tuple("1.23")


def test_the_slider_moves_the_plot():
    check = envcheck.EnvCheck()
    assert "downhill-envcheck" in check.widget._dom_classes
    assert "downhill-envcheck-slider" in check.slider._dom_classes
    assert check.slider.name == "move me: the ball's position" and check.slider.value_text() == "position = -1.5"
    png = check.live.image.value
    check.slider.value = 1.0
    assert check.live.image.value != png
    assert np.allclose(check.ball.get_xydata(), [[1.0, 1.0]])
    bundle = check._repr_mimebundle_()
    assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle
    assert "position 1.00" in check.plot.alt and "position 1.00" in check.status.value

"""helpers/controls.py: the accessible controls, from Python (the browser side: tests/browser/test_controls.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import controls

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("low, high", [(-2.0, 2.0), (0.0, 1.0), (-3.0, -1.0)])
def test_a_slider_takes_both_ends_of_its_range_and_nothing_beyond(low, high):
    slider = controls.Slider((low + high) / 2, low=low, high=high, step=0.25, label="x", name="x value")
    for value in (low, high):
        slider.value = value
        assert slider.value == value
    for value in (low - 0.01, high + 0.01, float("nan"), float("inf")):
        with pytest.raises(Exception, match=r"x value must be between"):
            slider.value = value


def test_a_log_slider_reads_out_the_value_not_its_exponent():
    slider = controls.Slider(0.1, low=-3, high=1, step=0.05, log=True, label="η", name="learning rate η")
    assert slider.bounds == (0.001, 10.0)
    assert [slider.value_text(v) for v in (0.001, 0.1, 0.11220184543, 10)] == [
        "η = 0.001", "η = 0.1", "η = 0.112", "η = 10"]
    slider.value = 0.001                               # 10 ** -3 is the bottom end
    slider.value = 10.0


def test_an_option_slider_takes_only_its_options():
    slider = controls.Slider(0.3, options=[1.0, 0.3, 0.1], label="nudge", name="nudge size")
    assert slider.options == [0.1, 0.3, 1.0] and not slider.typed
    assert slider.value_text() == "nudge = 0.3"
    with pytest.raises(Exception, match="nudge size must be one of"):
        slider.value = 0.2


def test_on_change_announces_each_value_before_and_confirms_it_after_the_callback_even_when_it_fails():
    slider = controls.Slider(0.5, label="x", name="x value")
    sent, seen = [], []
    slider.send = lambda content, buffers=None: sent.append(content)

    def callback(value):
        seen.append(value)
        if value > 0.8:
            raise RuntimeError("boom")

    slider.on_change(callback)
    slider.value = 0.6
    with pytest.raises(RuntimeError):
        slider.value = 0.9
    assert seen == [0.6, 0.9]
    assert sent == [{"event": "started", "value": 0.6}, {"event": "drawn", "value": 0.6},
                    {"event": "started", "value": 0.9}, {"event": "drawn", "value": 0.9}]


def test_a_menu_refuses_what_it_does_not_offer():
    menu = controls.Select(["a", "b"], "a", label="letter")
    assert menu.name == "letter"
    with pytest.raises(Exception, match="letter must be one of"):
        menu.value = "c"


def test_a_button_click_from_the_browser_calls_back_unless_disabled():
    button = controls.Button("Step")
    presses = []
    button.on_click(presses.append)
    button._message(button, {"event": "click"})
    button.disabled = True
    button._message(button, {"event": "click"})
    assert presses == [button]


def test_the_front_end_files_are_read_from_the_package():
    if not controls.LIVE:
        pytest.skip("anywidget is not installed")
    assert "export default { render }" in controls.Slider._esm
    assert ".downhill-control" in controls.Slider._css
    for name in ("controls.js", "controls.css"):
        assert (ROOT / "helpers" / "static" / name).is_file()


BLOCK_ANYWIDGET = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "anywidget" or name.startswith("anywidget."):
            raise ImportError("No module named 'anywidget' (blocked by the test)")
sys.meta_path.insert(0, Block())
"""


def test_without_anywidget_the_explorers_show_their_picture_and_say_how_to_get_the_control():
    """A student who opened a clone without installing anything: nothing fails, each explorer
    shows its picture with alt text and one sentence on how to get the live control."""
    code = BLOCK_ANYWIDGET + """
import json
import helpers
from helpers import controls
from helpers.envcheck import EnvCheck
from helpers.lr_explorer import LearningRateExplorer
from helpers.trainer import TrainerExplorer
from helpers.wiggle import WiggleExplorer
out = {"live": controls.LIVE}
for cls in (EnvCheck, LearningRateExplorer, TrainerExplorer, WiggleExplorer):
    e = cls()
    bundle = e._repr_mimebundle_()
    out[cls.__name__] = {"mimes": sorted(bundle), "html": bundle["text/html"][-1500:],
                         "png": bundle["image/png"][:8].hex(), "alt": e.plot.alt}
t = TrainerExplorer(); t.step_button.click(); out["steps"] = t.steps
lr = LearningRateExplorer(); lr.slider.value = 10.0; out["lr_alt"] = lr.plot.alt
print(json.dumps(out))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["live"] is False
    for name in ("EnvCheck", "LearningRateExplorer", "TrainerExplorer", "WiggleExplorer"):
        shown = out[name]
        assert "application/vnd.jupyter.widget-view+json" not in shown["mimes"]
        assert {"image/png", "text/html", "text/plain"} <= set(shown["mimes"])
        assert shown["png"] == b"\x89PNG\r\n\x1a\n".hex()
        assert "pip install anywidget" in shown["html"]
        assert shown["alt"] and f'alt="{shown["alt"][:20]}' in shown["html"].replace("&#x27;", "'")
    assert out["steps"] == 1
    assert "η = 10 (diverged)" in out["lr_alt"]

"""Lessons 00–02 run headless from top to bottom and show the chapter's numbers.

The expected numbers are worked out here by plain arithmetic from data/chapter7_params.json,
not copied from the notebooks' output.
"""

from __future__ import annotations

import json
import platform
import re

import pytest

from conftest import NOTEBOOKS, ROOT, cell_text

LESSONS = {
    "00": NOTEBOOKS / "00_start_here.ipynb",
    "01": NOTEBOOKS / "01_forward_pass_recap.ipynb",
    "02": NOTEBOOKS / "02_what_is_a_gradient.ipynb",
}
SETUP_FIRST_LINE = "# Setup: find the course's `helpers` package (installed, or in this repository's folder)."


# ---------------------------------------------------------------- the chapter, by hand

def chapter():
    """The forward pass and a few gradients of the chapter's example, in plain Python."""
    raw = json.loads((ROOT / "data" / "chapter7_params.json").read_text())
    W1, b1, W2, b2 = raw["W1"], raw["b1"], raw["W2"], raw["b2"]
    x = [1.0, 0.0, 1.0, 1.0]
    y = [x[0], x[2], x[1], x[3]]                                   # the diagonal flip
    z = [sum(W1[j][i] * x[i] for i in range(4)) + b1[j] for j in range(len(b1))]
    hid = [max(v, 0.0) for v in z]
    y_hat = [sum(W2[k][j] * hid[j] for j in range(len(hid))) + b2[k] for k in range(4)]
    loss = sum((a - b) ** 2 for a, b in zip(y_hat, y)) / 4
    dy = [(a - b) / 2 for a, b in zip(y_hat, y)]                  # ∂L/∂ŷ = (2/4)(ŷ − y)
    dz = [sum(dy[k] * W2[k][j] for k in range(4)) * (1.0 if z[j] > 0 else 0.0) for j in range(len(z))]
    n_params = sum(len(r) for r in W1) + len(b1) + sum(len(r) for r in W2) + len(b2)
    return dict(x=x, y=y, z=z, y_hat=y_hat, loss=loss, n_params=n_params,
                g_W1_10=dz[1] * x[0], g_b2_1=dy[1], g_W1_01=dz[0] * x[1])


def widget_classes(nb) -> set:
    """The CSS classes of every widget the executed notebook created (from its saved widget state)."""
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return {cls for model in state.get("state", {}).values()
            for cls in model.get("state", {}).get("_dom_classes", [])}


def normalise(text: str) -> str:
    return text.replace("−", "-")


@pytest.fixture(scope="module")
def ran(run_notebook):
    return {key: run_notebook(path) for key, path in LESSONS.items()}


# ---------------------------------------------------------------- every lesson

@pytest.mark.parametrize("key", sorted(LESSONS))
def test_lesson_runs_clean(ran, key):
    nb = ran[key]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{key}: error {out.get('ename')}: {out.get('evalue')}"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), \
                f"{key}: stderr output (a warning?): {out['text'][:300]}"


@pytest.mark.parametrize("key", sorted(LESSONS))
def test_lesson_follows_the_house_layout(ran, key):
    nb = ran[key]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source.startswith(SETUP_FIRST_LINE)
    assert "import helpers as h" in code[0].source
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for part in ("In this", "Where you", "## Self-check", "<details>", "## Summary"):
        assert part in markdown, f"{key}: missing {part!r}"
    # every widget is followed by "What do you notice?" questions
    for i, cell in enumerate(nb.cells):
        if any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.get("outputs", [])):
            assert "What do you notice?" in nb.cells[i + 1].source
    # every figure that is shown has a picture (also the widgets, as a PNG fallback)
    assert any("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", []))


def test_widgets_have_png_fallbacks(ran):
    for key, nb in ran.items():
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "application/vnd.jupyter.widget-view+json" in data:
                    assert "image/png" in data, f"{key}: a widget without a PNG fallback"


def test_relative_links_to_lessons_exist(ran):
    for key, nb in ran.items():
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", cell.source):
                if target.startswith("exercises/"):
                    continue                          # written by the exercises' author
                assert (NOTEBOOKS / target).is_file(), f"{key} links to missing {target}"


# ---------------------------------------------------------------- lesson by lesson

def test_00_checks_the_environment(ran):
    nb = ran["00"]
    text = cell_text(nb)
    assert f"| python | {platform.python_version()} |" in text
    assert {"downhill-envcheck", "downhill-envcheck-slider"} <= widget_classes(nb)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for exercise in ("ex02_gradients", "ex03_gradient_descent", "ex04_learning_rate", "ex05_backprop_cost"):
        assert f"exercises/{exercise}.ipynb" in markdown
    assert f"{chapter()['n_params']} parameters" in text


def test_01_shows_the_chapter_table(ran):
    ch = chapter()
    text = normalise(cell_text(ran["01"]))
    prediction = "[" + ", ".join(f"{round(v, 2) + 0.0:g}" for v in ch["y_hat"]) + "]"
    assert prediction == "[0.1, -0.1, -0.05, -0.25]"       # the chapter's numbers, by hand
    assert f"| Prediction ŷ | {prediction} |" in text
    assert f"| Loss (MSE) | {ch['loss']:.3f} |" in text and f"{ch['loss']:.3f}" == "0.896"
    assert "| Input x | [1, 0, 1, 1] |" in text and "| Target y (the diagonal flip) | [1, 1, 0, 1] |" in text
    assert f"total: {ch['n_params']} parameters" in text and ch["n_params"] == 31
    z = "[" + ", ".join(f"{round(v, 2) + 0.0:g}" for v in ch["z"]) + "]"
    assert f"z  = {z}" in text                              # [0.4, 0.5, -0.2]
    assert "same as h.forward: True" in text
    worst = max(range(4), key=lambda k: abs(ch["y_hat"][k] - ch["y"][k]))
    assert f"The worst output is number {worst}" in text


def test_00_says_the_sliders_follow_the_drag(ran):
    """The explorers redraw while a slider is dragged (tests/browser/test_interactions.py drags
    them); lesson 00 must not tell students the plot waits for the release."""
    markdown = "\n".join(c.source for c in ran["00"].cells if c.cell_type == "markdown")
    assert "redraw the picture while you drag." in markdown
    assert "updates on release" not in markdown and "update when you **let go**" not in markdown
    assert "arrow\nkeys" in markdown or "arrow keys" in markdown      # and without a mouse


def test_01_random_draws_against_the_lazy_rival(ran):
    """The summary says most fresh random draws do worse than always answering 0: the count it
    rests on is printed, and is a majority."""
    import helpers as h
    ch = chapter()
    text = cell_text(ran["01"])
    lazy = sum(t ** 2 for t in ch["y"]) / 4                       # always answering 0
    worse = sum(h.loss(h.init_params(seed=s), ch["x"], ch["y"]) > lazy for s in range(5))
    assert f"worse than always answering 0: {worse} of 5" in text
    assert worse > 5 / 2 and ch["loss"] > lazy
    summary = ran["01"].cells[-1].source
    assert "most fresh random draws, do worse than always answering 0" in summary


def test_02_shows_the_wiggle_explorer(ran):
    assert {"downhill-wiggle", "downhill-param", "downhill-nudge", "downhill-readout",
            "downhill-plot"} <= widget_classes(ran["02"])


def test_02_shows_the_three_gradients(ran):
    ch = chapter()
    text = normalise(cell_text(ran["02"]))
    assert f"{ch['g_W1_10']:+.2f}" == "+0.44" and f"{ch['g_b2_1']:+.2f}" == "-0.55" and ch["g_W1_01"] == 0
    assert f"| W1[1,0] | {ch['g_W1_10']:+.2f} | a small increase raises the loss | make it smaller |" in text
    assert f"| b2[1] | {ch['g_b2_1']:+.2f} | a small increase lowers the loss | make it bigger |" in text
    assert "| W1[0,1] | 0.0 | a small change leaves the loss as it is | leave it as it is |" in text
    assert f"loss = {ch['loss']:.3f}, from {ch['n_params']} parameters" in text


def test_02_shrinking_nudges_converge(ran):
    ch = chapter()
    text = normalise(cell_text(ran["02"]))
    # W1[1,0] only feeds hidden unit 1, which stays on (z = 0.5 + nudge): the outputs move by
    # nudge · W2[:,1], so the loss after a nudge can be written out by hand
    raw = json.loads((ROOT / "data" / "chapter7_params.json").read_text())
    for nudge in (0.1, 0.001):
        y_hat = [v + nudge * raw["W2"][k][1] for k, v in enumerate(ch["y_hat"])]
        after = sum((a - b) ** 2 for a, b in zip(y_hat, ch["y"])) / 4
        row = f"| {nudge:g} | {after:.6f} | {after - ch['loss']:+.6f} | {(after - ch['loss']) / nudge:+.4f} |"
        assert row in text
    assert f"| {ch['g_W1_10']:+.4f} |" in text


def test_02_explains_the_zero_gradients(ran):
    ch = chapter()
    text = cell_text(ran["02"])
    # zero: the 3 weights from the dark pixel, plus all 4 + 1 + 4 numbers of the dead unit 2
    dead = [j for j, v in enumerate(ch["z"]) if v <= 0]
    assert dead == [2]
    assert "11 of 31 gradients are exactly zero: 10 on edges (dotted), 1 on biases" in text   # b1[2]
    assert ("W1[0,1], W1[1,1], W1[2,0], W1[2,1], W1[2,2], W1[2,3], b1[2], "
            "W2[0,2], W2[1,2], W2[2,2], W2[3,2]") in text
    # central differences: each parameter nudged up and down, two forward passes each
    assert f"wiggling every parameter: {2 * ch['n_params']} forward passes (2 for each of the {ch['n_params']} parameters)" in text
    assert "same gradients: True" in text

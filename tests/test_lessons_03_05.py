"""Lessons 03–05 run headless and show the chapter's facts, computed by their own code."""

import re
import shutil

import nbformat
import pytest

from conftest import NOTEBOOKS, cell_text, execute_notebook

L03 = NOTEBOOKS / "03_gradient_descent.ipynb"
L04 = NOTEBOOKS / "04_learning_rate.ipynb"
L05 = NOTEBOOKS / "05_why_backprop.ipynb"
LESSONS = [L03, L04, L05]

#: The chapter's table of learning rates, 100 steps on its example.
REGIMES = {"0.001": "too slow", "0.1": "steady", "1.0": "unstable", "10.0": "diverged"}


def sources(path, kind):
    nb = nbformat.read(path, as_version=4)
    return [cell.source for cell in nb.cells if cell.cell_type == kind]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_has_the_parts_of_a_lesson(path):
    text = "\n".join(sources(path, "markdown"))
    assert text.lstrip().startswith("# 0"), "a title first"
    for part in ("In this lesson you will", "Where lesson", "Self-check", "<details>", "## Summary"):
        assert part in text, f"missing: {part}"


@pytest.mark.parametrize("path", [L03, L04], ids=lambda p: p.stem)
def test_every_widget_is_followed_by_what_do_you_notice(path):
    nb = nbformat.read(path, as_version=4)
    widget_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "Explorer(" in c.source
                    and "import" not in c.source]
    assert widget_cells
    for i in widget_cells:
        following = nb.cells[i + 1]
        assert following.cell_type == "markdown" and "What do you notice?" in following.source


@pytest.mark.parametrize("path", [L03, L04], ids=lambda p: p.stem)
def test_widgets_show_a_png_where_no_widget_manager_runs(path, run_notebook):
    nb = run_notebook(path)
    shown = [out for cell in nb.cells if cell.cell_type == "code" and "Explorer(" in cell.source
             for out in cell.outputs if "application/vnd.jupyter.widget-view+json" in out.get("data", {})]
    assert shown and all("image/png" in out["data"] for out in shown)


def test_03_steps_downhill_with_the_chapter_numbers(run_notebook):
    text = cell_text(run_notebook(L03))
    assert "η = 0.1" in text
    assert "loss L         = 0.896" in text
    assert "= +0.439" in text                                   # ∂L/∂W1[1,0]
    assert re.search(r"0\.4800 − 0\.1 × 0\.4390 = 0\.4361", text)  # the step by hand
    assert "W1[1,0] after h.gd_step: 0.4361" in text
    plus = float(re.search(r"after one step, plus sign\s*: ([\d.]+)", text).group(1))
    minus = float(re.search(r"after one step, minus sign\s*: ([\d.]+)", text).group(1))
    assert minus < 0.896 < plus                                 # the minus sign goes downhill
    assert re.search(r"within 0\.1 of its target from step \d+ on: True", text)


def test_03_three_hidden_units_plateau_six_learn_every_flip(run_notebook):
    text = cell_text(run_notebook(L03))
    assert "right after 3000 steps: 6 of 16" in text
    assert "plateau reached: 0.1250" in text
    assert "lowest loss for outputs on a 3-D sheet: 0.0625" in text
    assert "right after 3000 steps: 16 of 16" in text
    last_code = [c for c in run_notebook(L03).cells if c.cell_type == "code"][-1]
    assert sum("image/png" in out.get("data", {}) for out in last_code.outputs) == 2   # the two grids



def _units(text: str) -> list[int]:
    """A printed list of hidden units, "[0, 2]", or "none"."""
    return [] if text == "none" else [int(v) for v in re.findall(r"\d+", text)]


def test_03_computes_which_unit_is_off_and_whether_the_plateau_is_that_sheets_floor(run_notebook):
    """The prose used to say "training switched hidden unit 2 off … the plateau is exactly the 2-D
    floor" as typed text. The cell must print those facts, and they must be true of the run."""
    import numpy as np

    import helpers as h
    nb = run_notebook(L03)
    text = cell_text(nb)
    X, Y = h.dataset()
    run = h.train(h.load_params(), X, Y, 0.1, 3000)                 # lesson 03's run, done here
    p = run.params
    hidden = np.maximum(X @ p["W1"].T + p["b1"], 0.0)                 # the ReLU layer, written out
    off = [unit for unit in range(hidden.shape[1]) if np.all(hidden[:, unit] == 0)]
    outputs = hidden @ p["W2"].T + p["b2"]
    dimension = int(np.linalg.matrix_rank(outputs - outputs.mean(axis=0), tol=1e-6))
    # the 16 targets are every 4-pixel black-and-white image: each pixel a fair coin, variance 1/4,
    # so each of the 4 directions a flat sheet leaves out costs 1/4 spread over 4 pixels = 1/16
    floor = (4 - dimension) / 16

    printed = re.search(r"hidden units switched off on every image: (\[[\d, ]*\]|none)", text)
    assert printed and _units(printed.group(1)) == off, text[-600:]
    assert f"dimension of the trained network's 16 outputs: {dimension}" in text
    verdict = re.search(r"is the plateau the lowest loss on a (\d)-D sheet, ([\d.]+)\? (True|False)", text)
    assert verdict, text[-600:]
    assert int(verdict.group(1)) == dimension and float(verdict.group(2)) == pytest.approx(floor, abs=5e-5)
    assert verdict.group(3) == str(abs(run.final_loss - floor) < 1e-5)

    # and the prose after it states none of them
    cells = nb.cells
    (code,) = [i for i, c in enumerate(cells) if "is the plateau the lowest loss" in c.source]
    prose = cells[code + 1].source
    assert cells[code + 1].cell_type == "markdown"
    assert not re.search(r"unit \d|2-D", prose), prose


def test_04_challenge_answer_computes_what_the_large_eta_did_to_the_hidden_units(run_notebook):
    """The answer used to say "all switched off … through its output biases b2 alone" as typed text
    next to a computed list: each fact must be printed by the code, and true of the run."""
    import numpy as np

    import helpers as h
    nb = run_notebook(L04)
    (page,) = [out["data"]["text/html"] for cell in nb.cells for out in cell.get("outputs", [])
               if "Answer" in out.get("data", {}).get("text/html", "")]
    lr = float(re.search(r"converges is <b>([\d.]+)</b>", page).group(1))
    params, (x, y) = h.load_params(), h.example()
    X, _ = h.dataset()

    def relu_layer(p, images):
        return np.maximum(images @ p["W1"].T + p["b1"], 0.0)

    def off_everywhere(p):
        hidden = relu_layer(p, X)
        return [unit for unit in range(hidden.shape[1]) if np.all(hidden[:, unit] == 0)]

    best = h.train(params, x, y, lr, 100).params
    on_x = [unit for unit, value in enumerate(relu_layer(best, x)) if value > 0]
    y_hat = relu_layer(best, x) @ best["W2"].T + best["b2"]
    alone = not on_x and bool(np.allclose(y_hat, best["b2"]))
    tenth = h.train(params, x, y, 0.1, 100).params

    on = re.search(r"hidden units switched on: (\[[\d, ]*\]|none)", page)
    assert on and _units(on.group(1)) == on_x, page
    assert re.search(r"ŷ is b2 alone: (True|False)", page).group(1) == str(alone)
    assert re.search(r"every pixel rounds to the target: (True|False)", page).group(1) == \
        str(bool(np.all(np.round(y_hat) == y)))
    off = re.search(r"switched off on all 16 images: (\[[\d, ]*\]|none)\s*\(after η = 0\.1: (\[[\d, ]*\]|none)\)", page)
    assert off, page
    assert _units(off.group(1)) == off_everywhere(best) and _units(off.group(2)) == off_everywhere(tenth)

def test_04_shows_the_four_regimes_as_the_chapter_says(run_notebook):
    text = cell_text(run_notebook(L04))
    assert "η = 0.1" in text
    for lr, word in REGIMES.items():
        assert re.search(rf"η = {re.escape(lr)} → {word}", text), f"η = {lr} should be {word}"
        assert re.search(rf"\| {re.escape(lr)} \|.*\*\*{word}\*\*", text)
    assert "change / gradient = -0.10" in text                  # η = 0.1: a tenth of the gradient
    assert "— (stopped)" in text                                # η = 10 stops early


def test_04_reads_each_verdict_off_the_two_questions_it_states(run_notebook):
    """The rule table: for each run, whether the loss went up and whether it ended at half of its
    start or lower, computed here, decide the verdict the lesson prints; the extra row near η = 4
    is the bounded run that ends above its start, and the lesson calls it diverged."""
    import numpy as np

    import helpers as h
    text = cell_text(run_notebook(L04))
    rows = re.findall(r"η = (\S+) +went up on +(\d+) of +(\d+) steps;.*\(half of the start or lower\? (yes|no) *\) → (.+)", text)
    assert [r[0] for r in rows] == ["0.001", "0.1", "1", "3.98", "10"]
    for lr, word in zip([0.001, 0.1, 1.0, 10 ** 0.6, 10.0], [r[4].strip() for r in rows]):
        run = h.train(h.load_params(), *h.example(), lr, 100)
        rose = bool(np.any(np.diff(run.losses) > 1e-12))
        low = run.final_loss <= 0.5 * run.losses[0]
        blew_up = run.losses.max() > 1e6 * run.losses[0]
        expected = ("diverged" if blew_up or (rose and not low) else "unstable" if rose
                    else "steady" if low else "too slow")
        assert word == expected, lr
    near_4 = h.train(h.load_params(), *h.example(), 10 ** 0.6, 100)
    assert not near_4.diverged and near_4.final_loss > near_4.losses[0]   # what the prose says of it
    # ... and that after its peak it fell on every step: the line under the rule table says so
    peak = int(np.argmax(near_4.losses))
    assert np.all(np.diff(near_4.losses[peak:]) < 0)
    assert (f"η = 3.98: highest loss {near_4.losses.max():.3g} at step {peak};"
            f" falling on each of the {near_4.losses.size - 1 - peak} steps after it? yes; last loss {near_4.final_loss:.3g},"
            f" higher than the start ({near_4.losses[0]:.3g})? yes") in text


def test_04_challenge_answer_is_computed_and_folded(run_notebook):
    nb = run_notebook(L04)
    html = [out["data"]["text/html"] for cell in nb.cells for out in cell.get("outputs", [])
            if "text/html" in out.get("data", {}) and "Answer" in out["data"]["text/html"]]
    assert len(html) == 1 and html[0].lstrip().startswith("<details>")
    largest = float(re.search(r"converges is <b>([\d.]+)</b>", html[0]).group(1))
    assert 0.1 < largest < 10.0


def test_05_counts_forward_passes(run_notebook):
    text = cell_text(run_notebook(L05))
    assert "wiggle_gradient:      62 forward passes" in text
    assert "h.numerical_gradient: 62 forward passes" in text
    assert "h.backprop:           1 forward pass" in text
    assert re.search(r"\s2704\s+5408\s+1\n", text)              # 300 hidden units: 2·P vs 1
    assert "2,000,000" in text                                  # a million weights
    assert "backprop says ∂L/∂W2[1,0] = -0.2200" in text
    assert "∂L/∂ŷ1 · h0 = -0.5500 × 0.400 = -0.2200" in text
    relative = float(re.search(r"relative error: ([\d.e+-]+)", text).group(1))
    assert relative < 1e-6


def test_a_stream_the_kernel_sent_in_pieces_reads_as_one_text():
    # ipykernel flushes stdout every 0.2 s while a cell runs, so one print sequence can arrive as
    # several stream outputs; the comparison below must not see where the pieces were cut.
    def notebook(*pieces):
        outputs = [nbformat.v4.new_output("stream", name="stdout", text=piece) for piece in pieces]
        outputs.append(nbformat.v4.new_output("display_data", data={"text/plain": "[figure]"}))
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=outputs)])

    whole = cell_text(notebook("a = 1\nb = 2\n"))
    assert cell_text(notebook("a = 1\n", "b = 2\n")) == whole == "a = 1\nb = 2\n\n[figure]"


def test_05_text_output_is_the_same_on_every_run(run_notebook, tmp_path):
    """Measured times are only plotted, never printed: the text output does not change between runs."""
    copy = tmp_path / L05.name
    shutil.copy(L05, copy)
    again = execute_notebook(copy)
    assert cell_text(again) == cell_text(run_notebook(L05))

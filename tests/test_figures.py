"""Every course figure, as a student sees it: no overlapping text, readable colours, true pictures,
and a text alternative made from the numbers it shows.

The figures come from running the lessons and the exercises (their code cells, in this process,
so each Figure can be inspected) and from the explorers at the values where their pictures change
most (figure_audit.explorer_figures). figure_audit measures overlaps and contrast on the drawn
figure; the numbers a test expects are computed here with helpers' maths, not read off the plot code.
"""

from __future__ import annotations

import html
import re

import matplotlib
import numpy as np
import pytest

import figure_audit as audit
import helpers as h
from helpers import plots
from conftest import LESSONS, ROOT

matplotlib.use("Agg")

EXERCISE_SOURCES = sorted((ROOT / "instructor" / "source").glob("*/*.ipynb"))
PLACEHOLDERS = ("No description has been provided", "A figure.", "image", "figure")


def _figures(path, replace=None, cache={}):
    key = (path, tuple(sorted((replace or {}).items())))
    if key not in cache:
        cache[key] = audit.notebook_figures(path, replace)
    return cache[key]


def _alt(picture) -> str:
    return picture.alt


# ----------------------------------------------------------------------------------------------
# No overlapping text, readable colours: every lesson and exercise figure, every explorer state
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [*LESSONS, *EXERCISE_SOURCES], ids=lambda p: p.stem)
def test_every_figure_of_the_notebook_is_readable(path):
    figures = _figures(path)
    problems = [f"cell {cell}: {problem}" for cell, fig, _ in figures for problem in audit.audit(fig)]
    assert problems == []


def test_every_explorer_figure_is_readable_at_its_edge_values():
    problems, seen = [], 0
    for name, fig in audit.explorer_figures():
        seen += 1
        problems += [f"{name}: {problem}" for problem in audit.audit(fig)]
    assert seen >= 60
    assert problems == []


def test_every_explorer_figure_is_readable_at_narrow_widths():
    """The stacked layouts a narrow output gets (JupyterLab with its file browser open: ~460 px),
    relaid out as the browser makes them, at the edge states where tick labels and titles are widest."""
    problems, seen, widths = [], 0, set()
    for name, fig in audit.narrow_explorer_figures():
        seen += 1
        widths.add(round(fig.get_figwidth() * fig.dpi))
        problems += [f"{name}: {problem}" for problem in audit.audit(fig)]
    assert seen >= 80 and len(widths) >= 4            # really laid out again for each width
    assert problems == []


def test_the_audit_finds_overlaps_and_faint_text():
    """The audit itself: it must see a line through a label, two touching labels, a label off the
    figure and orange text on white (2.2:1); and lines that are not Line2D: a dashed marker drawn
    with ax.vlines (lesson 03's), ax.hlines, contour lines and the edge of a bar."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([0, 10], [0, 10], label="data")
    ax.text(5, 5, "struck through", ha="center", va="center")
    ax.text(1, 9, "first", fontsize=14)
    ax.text(1.4, 9, "second", fontsize=14)
    fig.text(0.9, 0.5, "runs off the right-hand edge of the figure")
    ax.text(7, 3, "faint orange", color="#E69F00")
    ax.vlines(8.5, 0, 10, linestyles="--", colors="0.3")
    ax.text(8.5, 8, "step 8:", ha="center", va="center")
    ax.hlines(6, 0, 3, colors="0.3")
    ax.text(1.5, 6, "on the hline", ha="center", va="center", bbox={"facecolor": "white"})
    problems = audit.audit(fig)
    text = "\n".join(problems)
    assert "runs through text 'struck through'" in text
    assert "text 'first' touches text 'second'" in text
    assert "cut off" in text
    assert re.search(r"'faint orange' in #e69f00 has contrast 2\.\d+:1", text)
    assert any("'step 8:'" in p and "through" in p for p in problems), problems
    assert any("'on the hline'" in p for p in problems), problems
    # a text well away from every mark is never blamed
    assert not any("'first'" in p and ("through" in p or "hides" in p) for p in problems), problems
    plt.close(fig)

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 4))
    grid = np.linspace(-1, 1, 41)
    left.contour(grid, grid, np.add.outer(grid ** 2, grid ** 2), levels=[0.25, 0.5])
    left.text(-0.5, 0, "on a contour", ha="center", va="center")      # on the circle of radius 0.5
    left.text(0, 0, "middle", ha="center", va="center", fontsize=8)   # inside every contour
    # a label on the map on its own opaque box is fine; a see-through box does not cover the lines
    left.text(0, 0.5, "boxed", ha="center", va="center", zorder=5, color="white",
              bbox={"facecolor": "0.1", "alpha": 0.9})
    left.text(0, -0.5, "see-through", ha="center", va="center", zorder=5,
              bbox={"facecolor": "white", "alpha": 0.3})
    right.bar([0, 1], [1.0, 3.0], width=0.6)
    right.text(0, 1.0, "across the top", ha="center", va="center")    # crosses the first bar's edge
    right.text(1, 1.5, "inside", ha="center", va="center", color="white")   # wholly inside the bar
    right.set_ylim(0, 4)
    problems = audit.overlap_problems(fig)
    assert any("'on a contour'" in p for p in problems), problems
    assert any("'across the top'" in p for p in problems), problems
    assert any("'see-through'" in p and "through" in p for p in problems), problems
    assert not any("'middle'" in p or "'inside'" in p or "'boxed'" in p for p in problems), problems
    plt.close(fig)


# ----------------------------------------------------------------------------------------------
# Every figure reaches the page as <img alt="...">, with numbers the figure shows
# ----------------------------------------------------------------------------------------------

def _numbers_in(text: str) -> set[str]:
    """Numbers as written, with "−" as "-" and no "+", outside labels such as W1[1,0]."""
    text = text.replace("−", "-").replace("$\\mathdefault{", "").replace("}$", "")
    text = re.sub(r"\w+\[[\d,]+\]", " ", text)          # parameter names are not numbers
    return {m.lstrip("+") for m in re.findall(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:e-?\d+)?", text)}


def _figure_numbers(fig) -> set[str]:
    """The numbers written in a figure's texts (titles, notes, pixel values; not tick labels)."""
    ticks = {id(t) for ax in fig.axes for t in (*ax.get_xticklabels(), *ax.get_yticklabels())}
    found = set()
    for text, _, _ in audit.drawn_texts(fig):
        if id(text) not in ticks:
            found |= _numbers_in(text.get_text())
    for ax in fig.axes:                                     # the points of a short line or a marker
        for line in ax.lines:
            x, y = (np.asarray(a, dtype=float) for a in line.get_data())
            if x.size <= 10:
                found |= {text for v in np.concatenate([x, y]) if np.isfinite(v)
                          for text in (f"{v:.2f}", f"{v:g}")}
    return found - {"0", "1", "2", "3", "4"}               # too common to prove anything


@pytest.mark.parametrize("path", [*LESSONS, *EXERCISE_SOURCES], ids=lambda p: p.stem)
def test_every_figure_has_a_description_with_the_numbers_it_shows(path):
    figures = _figures(path)
    assert all(how != "pyplot" for _, _, how in figures), \
        "a figure was left for the inline backend (no text alternative): show it with h.show(fig)"
    for cell, fig, picture in figures:
        alt = _alt(picture)
        assert len(alt) > 40 and not any(alt.strip() == p for p in PLACEHOLDERS), (cell, alt)
        shown = _figure_numbers(fig)
        said = _numbers_in(alt)
        assert shown & said, f"cell {cell}: none of the figure's numbers {sorted(shown)[:8]} is in {alt!r}"


def test_the_lessons_show_seventeen_figures_each_with_html_img_alt_and_a_png(run_notebook):
    total = 0
    for path in LESSONS:
        nb = run_notebook(path)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "image/png" not in data or "application/vnd.jupyter.widget-view+json" in data:
                    continue                                   # explorers: the widget helpers' part
                total += 1
                page = data.get("text/html", "")
                match = re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"', page)
                assert match, f"{path.name}: a figure without <img alt> in its text/html: {page[:80]!r}"
                alt = html.unescape(match.group(1))
                assert out["metadata"]["image/png"]["alt"] == alt
                assert "No description" not in alt and re.search(r"\d", alt)
    assert total == 17


def test_the_static_html_copy_keeps_every_alt(run_notebook):
    from nbconvert import HTMLExporter

    nb = run_notebook(LESSONS[3])                              # lesson 03: six figures
    page, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    images = re.findall(r"<img [^>]*>", page)
    assert len(images) >= 6
    assert "No description has been provided" not in page
    for tag in images:
        alt = re.search(r'alt="([^"]*)"', tag)
        assert alt and len(alt.group(1)) > 40, tag[:120]


def test_lesson_03_loss_figure_says_what_the_run_did():
    params, (x, y) = h.load_params(), h.example()
    losses = h.train(params, x, y, 0.1, 100).losses           # the lesson's run, done here
    assert np.all(np.diff(losses) < 0)
    figures = _figures(LESSONS[3])
    alt = next(_alt(p) for _, f, p in figures if "loss reaches zero" in (f.axes[0].get_title()))
    assert f"{losses[0]:.3f}" in alt and f"{losses[-1]:.1e}".replace("e-", "e-") in alt
    assert "on every step" in alt and "100 steps" in alt


# ----------------------------------------------------------------------------------------------
# Issue 8, item 4: plots that tell the truth
# ----------------------------------------------------------------------------------------------

def _drawn(line):
    x, y = (np.asarray(a, dtype=float) for a in line.get_data())
    return x, y


def test_the_trainer_draws_every_loss_at_its_true_value():
    """No floor at 1e-16: after 400 steps at η = 0.1 the losses reach about 4e-32 and are drawn there."""
    from helpers.trainer import TrainerExplorer

    params, (x, y) = h.load_params(), h.example()
    expected = h.train(params, x, y, 0.1, 400).losses
    assert expected.min() < 1e-30
    trainer = TrainerExplorer(lr=0.1)
    trainer.step(400)
    steps, drawn = _drawn(trainer.loss_line)
    np.testing.assert_allclose(drawn, expected, rtol=1e-9)
    low, high = trainer.ax_loss.get_ylim()
    assert low <= drawn.min() and drawn.max() <= high         # inside the axis, not clipped
    assert trainer.loss_title.get_text().endswith(f"{expected[-1]:.1e}")       # "… → 4.3e-32"


def test_the_trainer_marks_a_loss_of_exactly_zero_on_the_axis_floor():
    from helpers.trainer import TrainerExplorer

    params, (x, y) = h.load_params(), h.example()
    expected = h.train(params, x, y, 2.0, 20).losses
    zero = np.flatnonzero(expected == 0)
    assert zero.size > 0                                       # η = 2 lands on exactly 0
    trainer = TrainerExplorer(lr=2.0)
    trainer.step(20)
    _, drawn = _drawn(trainer.loss_line)
    floor = trainer.ax_loss.get_ylim()[0]
    assert np.all(drawn[zero] == floor) and np.all(drawn[expected > 0] == expected[expected > 0])
    marked, at = _drawn(trainer.zero_marks)
    assert marked.tolist() == zero.tolist() and np.all(at == floor)


@pytest.mark.parametrize("lr", [0.3, 0.5, 1.5, 2.0, 3.0])
def test_the_learning_rate_explorer_never_draws_a_fake_plateau(lr):
    """Every step is drawn at its true loss, or, below the fixed axis, marked on the floor and said."""
    from helpers.lr_explorer import LearningRateExplorer

    params, (x, y) = h.load_params(), h.example()
    expected = h.train(params, x, y, lr, 100).losses
    explorer = LearningRateExplorer(lr=lr)
    explorer.slider.value = lr
    _, drawn = _drawn(explorer.line)
    low, high = explorer.ax_loss.get_ylim()
    visible = np.isfinite(drawn)
    np.testing.assert_allclose(drawn[visible], expected[visible], rtol=1e-9)
    assert np.all(expected[visible] >= low)
    below = ~visible
    assert np.all(expected[below] < low), "a step left out although its loss is on the axis"
    marked, at = _drawn(explorer.below)
    assert marked.tolist() == np.flatnonzero(below).tolist() and np.all(at == low)
    if below.any():
        note = explorer.below_note.get_text()
        lowest = expected[below].min()
        assert ("exactly 0" in note) if lowest == 0 else (f"{lowest:.1e}" in note)


def test_ex04_plot_keeps_a_run_that_reaches_zero_on_the_axis():
    """A student may pick η = 2 as "too large" (an unstable run): it reaches exactly 0 by step 3,
    as all three ReLUs die and one step puts b2 on y. Its curve must be drawn (at the floor,
    marked) and lowest, so "which gets down fastest?" is read off correctly."""
    import nbformat
    source = next(p for p in EXERCISE_SOURCES if p.stem.startswith("ex04"))
    cells = nbformat.read(source, as_version=4).cells
    (answer,) = [i for i, c in enumerate(cells) if c.source.startswith("def pick_learning_rates")]
    picks = 'def pick_learning_rates():\n    return {"too small": 0.002, "good": 0.3, "too large": 2.0}\n'
    figures = _figures(source, {answer: picks})
    (cell, fig, _), = [f for f in figures if "fastest" in f[1].axes[0].get_title()]
    ax = fig.axes[0]
    params, (x, y) = h.load_params(), h.example()
    low, high = ax.get_ylim()
    runs = {}
    for line in ax.lines:
        match = re.search(r"η = ([\d.e+-]+)$", line.get_label())
        if match:
            lr = float(match.group(1))
            runs[lr] = (h.train(params, x, y, lr, 100).losses, _drawn(line)[1])
    assert len(runs) == 3 and any(np.any(losses == 0) for losses, _ in runs.values())
    for lr, (losses, drawn) in runs.items():
        assert drawn.size == losses.size and np.all(np.isfinite(drawn)) and np.all(drawn > 0)
        assert np.all((drawn >= low) & (drawn <= high)), f"η = {lr}: part of the curve is off the axis"
    fastest = min(runs, key=lambda lr: (runs[lr][0].min(), lr))
    assert all(runs[fastest][1].min() <= drawn.min() for _, drawn in runs.values())
    assert any("exactly 0" in text.get_text() for text in ax.get_legend().get_texts())


def _descend(params, x, y, lr, steps):
    """Gradient descent written out here (the exercise's loop, without its stop at divergence)."""
    losses = [h.loss(params, x, y)]
    for _ in range(steps):
        grads = h.backprop(params, x, y)
        params = {k: params[k] - lr * grads[k] for k in h.PARAM_NAMES}
        losses.append(h.loss(params, x, y))
    return params, losses


EX03 = next(p for p in EXERCISE_SOURCES if p.stem.startswith("ex03"))
WRONG_TRAIN = {
    "too large: explodes": "def train_chapter7():\n    x, y = h.example()\n    return descend(h.load_params(), x, y, 10.0, 8)",
    "too few steps": "def train_chapter7():\n    x, y = h.example()\n    return descend(h.load_params(), x, y, 0.01, 5)",
    "overshoots": "def train_chapter7():\n    x, y = h.example()\n    return descend(h.load_params(), x, y, 1.0, 30)",
    "right": None,
}


@pytest.mark.parametrize("case", sorted(WRONG_TRAIN))
def test_ex03_plot_titles_say_what_the_students_run_did(case):
    import nbformat

    nb = nbformat.read(EX03, as_version=4)
    answer = next(i for i, c in enumerate(nb.cells) if c.source.startswith("def train_chapter7"))
    replace = {answer: WRONG_TRAIN[case]} if WRONG_TRAIN[case] else None
    figures = [f for f in _figures(EX03, replace) if f[0] > answer]
    assert len(figures) == 2
    loss_fig, task_fig = figures[0][1], figures[1][1]
    ns = {"h": h, "np": np, "descend": _descend}
    exec((WRONG_TRAIN[case] or "def train_chapter7():\n    x, y = h.example()\n"
          "    r = h.train(h.load_params(), x, y, 0.1, 100)\n    return r.params, r.losses"), ns)
    params, losses = ns["train_chapter7"]()
    losses = np.asarray(losses, dtype=float)
    x, y = h.example()
    y_hat = h.forward(params, x)

    title = loss_fig.axes[0].get_title()
    falls_every_step = bool(np.all(np.diff(losses) < 0))
    assert ("falls on every step" in title) == falls_every_step, title
    if losses[-1] >= losses[0]:
        assert "rose" in title
    task_title = task_fig._suptitle.get_text()
    flipped = bool(np.all(np.round(y_hat) == y))
    assert ("every pixel rounds to its target" in task_title) == flipped, task_title
    if not flipped:
        right = int(np.sum(np.round(y_hat) == y))
        assert f"{right} of 4 pixels" in task_title


def test_lesson_04_challenge_answer_converges_at_two_decimals(run_notebook):
    nb = run_notebook(LESSONS[4])
    page = next(out["data"]["text/html"] for cell in nb.cells for out in cell.get("outputs", [])
                if "Answer" in out.get("data", {}).get("text/html", ""))
    answer = re.search(r"converges is <b>(\d+\.\d\d)</b>", page)
    assert answer, page[:300]
    lr = float(answer.group(1))
    params, (x, y) = h.load_params(), h.example()
    run = h.train(params, x, y, lr, 100)                        # converges, by the lesson's rule
    assert not run.diverged and run.final_loss < 1e-3
    above = h.train(params, x, y, round(lr + 0.01, 2), 100)
    assert above.diverged or above.final_loss >= 1e-3          # and it is the largest such
    assert f"is {not (above.diverged or above.final_loss >= 1e-3)}" in page


@pytest.mark.parametrize("width", [400, 600])
def test_the_explorers_narrow_layouts_keep_their_panels(width):
    """The markers for losses under the axis start with no data and clip_on=False; the layout
    must not count them (at (0, 0)), or a stacked layout collapses its loss panel."""
    from helpers.lr_explorer import LearningRateExplorer
    from helpers.trainer import TrainerExplorer

    explorer = LearningRateExplorer()
    explorer.plot.width = width
    assert explorer.layout.narrow
    for lr in (0.1, 2.0, 10.0):
        explorer.slider.value = lr
        assert audit.audit(explorer.fig) == [], (lr, audit.audit(explorer.fig))
    trainer = TrainerExplorer(lr=2.0)
    trainer.plot.width = width
    trainer.step(20)
    for fig, panels in ((explorer.fig, explorer.fig.axes), (trainer.fig, trainer.fig.axes)):
        heights = [ax.get_position().height for ax in panels]
        assert min(heights) > 0.15, heights                   # collapsed panels were 0.07 high

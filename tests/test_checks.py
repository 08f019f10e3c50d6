"""helpers/checks.py: every check passes the instructor's solution, and explains every kind of wrong
answer with a CheckFailed (an AssertionError, so nbgrader scores it zero) instead of crashing.

The right answers are the solutions in the instructor's source notebooks, and the untouched answers
are the stubs in the committed student copies, so these tests use exactly what students get.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
import warnings
from pathlib import Path

import matplotlib as mpl
import nbformat
import numpy as np
import pytest
from conftest import IPCKernelManager

import helpers as h
from helpers import checks

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("make_student_copies", ROOT / "tools" / "make_student_copies.py")
copies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(copies)

#: exercise function → its check, in the order of the notebooks.
CHECKS = {
    "nudge_gradient": checks.check_nudge_gradient,
    "which_way": checks.check_which_way,
    "zero_gradient_labels": checks.check_zero_gradient_labels,
    "gd_step": checks.check_gd_step,
    "descend": checks.check_descend,
    "train_chapter7": checks.check_train_chapter7,
    "classify_run": checks.check_classify_run,
    "pick_learning_rates": checks.check_pick_learning_rates,
    "largest_steady_lr": checks.check_largest_steady_lr,
    "count_params_for": checks.check_count_params_for,
    "measure_passes": checks.check_measure_passes,
    "gradient_cost": checks.check_gradient_cost,
}


# ----------------------------------------------------------------------------------------------
# The answers from the notebooks
# ----------------------------------------------------------------------------------------------

def _answers(notebook: Path) -> tuple[dict, dict]:
    """Run a notebook's setup, imports and answer cells; return (namespace, {grade_id: cell source})."""
    nb = nbformat.read(notebook, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    namespace: dict = {}
    with mpl.rc_context(), warnings.catch_warnings():   # the imports cell sets the course style
        warnings.simplefilter("ignore")
        for cell in code_cells[:2]:
            exec(cell.source, namespace)
    grade_cells = {}
    for cell in code_cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            exec(cell.source, namespace)
        if meta.get("grade"):
            grade_cells[meta["grade_id"]] = cell.source
    return namespace, grade_cells


@pytest.fixture(scope="module")
def solutions() -> dict:
    """Every exercise function as the instructor wrote it, with its notebook's namespace."""
    found = {}
    for source in copies.sources():
        namespace, grade_cells = _answers(source)
        for name in CHECKS:
            if name in namespace:
                found[name] = (namespace[name], namespace, grade_cells)
    assert set(found) == set(CHECKS), "every checked function has a solution in the sources"
    return found


@pytest.fixture(scope="module")
def stubs() -> dict:
    """Every exercise function as a student first sees it (the committed copies)."""
    found = {}
    for copy in sorted((ROOT / "notebooks" / "exercises").glob("ex*.ipynb")):
        namespace, _ = _answers(copy)
        found.update({name: namespace[name] for name in CHECKS if name in namespace})
    assert set(found) == set(CHECKS)
    return found


def _fails(check, answer) -> str:
    """Run a check that must fail; return its message."""
    with pytest.raises(checks.CheckFailed) as info:
        check(answer)
    assert isinstance(info.value, AssertionError)
    message = str(info.value)
    assert message.strip(), "a failing check explains itself"
    return message


# ----------------------------------------------------------------------------------------------
# Right answers pass, untouched stubs get told to start
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CHECKS)
def test_the_instructors_solution_passes_with_a_tick(name, solutions, capsys):
    assert CHECKS[name](solutions[name][0]) is None
    out, err = capsys.readouterr()
    assert out.startswith("✔ ") and out.count("\n") == 1 and err == ""


@pytest.mark.parametrize("name", CHECKS)
def test_the_untouched_stub_is_told_to_write_the_function(name, stubs):
    message = _fails(CHECKS[name], stubs[name])
    assert f"{name} is not written yet" in message and "NotImplementedError" in message


def test_pass_messages_state_the_chapters_numbers(solutions, capsys):
    for name in ("nudge_gradient", "zero_gradient_labels", "count_params_for", "measure_passes"):
        CHECKS[name](solutions[name][0])
    out = capsys.readouterr().out
    assert "slope of W1[1,0] is +0.439" in out          # the chapter's ∂L/∂W1[1,0] ≈ +0.44
    assert "found the 11 weights" in out               # W1[:,1] (3) + dead unit 2 (4 + 1 + 4) − W1[2,1]
    assert "count_params_for(4, 3, 4) = 31" in out
    assert "62 forward passes" in out and "1 for backprop" in out


# ----------------------------------------------------------------------------------------------
# Whatever a student writes, the check explains it
# ----------------------------------------------------------------------------------------------

def _raises_zero_division(*args):
    return 1 / 0


def _exits(*args):
    raise SystemExit(1)


class _Awkward:
    """A return value that fails at everything: comparing, converting, iterating, printing."""

    def _no(self, *args):
        raise RuntimeError("awkward")

    __eq__ = __ne__ = __lt__ = __gt__ = __float__ = __int__ = __index__ = __len__ = __iter__ = _no
    __getitem__ = __bool__ = __array__ = __repr__ = __str__ = __hash__ = _no


ODD_ANSWERS = {
    "returns None": (lambda *args: None, ["None"]),
    "raises ZeroDivisionError": (_raises_zero_division, ["ZeroDivisionError", "your code, at the line",
                                                         "return 1 / 0"]),
    "calls sys.exit": (_exits, ["SystemExit"]),
    "returns an awkward object": (lambda *args: _Awkward(), []),
    "returns a string": (lambda *args: "oops", []),
    "returns a generator": (lambda *args: (i for i in range(3)), []),
    "is not a function": (0.44, ["should be a function"]),
}


@pytest.mark.parametrize("kind", ODD_ANSWERS)
@pytest.mark.parametrize("name", CHECKS)
def test_any_odd_answer_gets_an_explanation_not_a_crash(name, kind):
    answer, fragments = ODD_ANSWERS[kind]
    message = _fails(CHECKS[name], answer)
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("name", CHECKS)
def test_the_wrong_number_of_arguments_is_named(name):
    message = _fails(CHECKS[name], lambda a, b, c, d, e, f, g: None)
    assert f"{name} should take" in message and "Keep the first line" in message


@pytest.mark.parametrize("name", ["nudge_gradient", "gd_step", "gradient_cost", "pick_learning_rates",
                                  "count_params_for", "descend"])
def test_numpy_warnings_in_student_code_never_reach_the_output(name, solutions, capsys):
    def noisy(*args):
        np.float64(1.0) / np.float64(0.0)             # a RuntimeWarning, silenced by the check
        np.exp(np.float64(1000.0))
        warnings.warn("a student's own warning")
        return solutions[name][0](*args) if name == "pick_learning_rates" else np.nan
    state = (np.geterr(), list(warnings.filters))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.suppress(checks.CheckFailed):
            CHECKS[name](noisy)
    assert caught == []
    assert capsys.readouterr().err == ""
    assert (np.geterr(), list(warnings.filters)) == state, "a check leaves the numpy and warning settings alone"


# ----------------------------------------------------------------------------------------------
# The likely mistakes, named (wrong sign, shape, NaN, in-place changes, off-by-one, ...)
# ----------------------------------------------------------------------------------------------

def _nudge(variant):
    def answer(params, label, x, y, eps):
        up, down = h.loss(h.nudged(params, label, eps), x, y), h.loss(h.nudged(params, label, -eps), x, y)
        return variant(up, down, h.loss(params, x, y), eps)
    return answer


def _other_weight(shift):
    """nudge_gradient that nudges the wrong weight: indices swapped (W1, W2) or shifted (b1, b2)."""
    def answer(params, label, x, y, eps):
        key, index = h.parse_label(label, params)
        if shift and key.startswith("b"):
            label = f"{key}[{index[0] - 1}]"
        elif not shift and key.startswith("W") and f"{key}[{index[1]},{index[0]}]" in h.param_labels(params):
            label = f"{key}[{index[1]},{index[0]}]"
        return (h.loss(h.nudged(params, label, eps), x, y) - h.loss(h.nudged(params, label, -eps), x, y)) / (2 * eps)
    return answer


def _descend(*, first=True, last=True, sign=-1.0, keep_start=False, grads_once=False):
    def answer(params, x, y, lr, steps):
        start, losses = params, ([h.loss(params, x, y)] if first else [])
        grads = h.backprop(params, x, y)
        for i in range(steps):
            if not grads_once:
                grads = h.backprop(params, x, y)
            params = {k: params[k] + sign * lr * grads[k] for k in params}
            if last or i < steps - 1:
                losses.append(h.loss(params, x, y))
        return (start if keep_start else params), losses
    return answer


def _chapter7_loop(lr, steps):
    """train_chapter7 as a student writes it: their own loop, which never stops early."""
    def answer():
        x, y = h.example()
        params = h.load_params()
        losses = [h.loss(params, x, y)]
        with np.errstate(all="ignore"):
            for _ in range(steps):
                params = h.gd_step(params, h.backprop(params, x, y), lr)
                losses.append(h.loss(params, x, y))
        return params, losses
    return answer


def _descend_fixed_lr(fixed):
    def answer(params, x, y, lr, steps):
        losses = [h.loss(params, x, y)]
        for _ in range(steps):
            params = h.gd_step(params, h.backprop(params, x, y), fixed)
            losses.append(h.loss(params, x, y))
        return params, losses
    return answer


def _chapter7_run(start, lr, steps):
    def answer():
        x, y = h.example()
        run = h.train(start(), x, y, lr, steps)
        return run.params, list(run.losses)
    return answer


def _classify_unsafe(losses):
    if np.any(np.diff(losses) > 1e-12):
        return "unstable"
    if np.any(losses > 1000 * losses[0]) or not np.all(np.isfinite(losses)):
        return "diverged"
    return "too slow" if losses[-1] > 0.5 * losses[0] else "steady"


def _classify_strict(losses):
    if not np.all(np.isfinite(losses)) or np.any(losses > 1000 * losses[0]):
        return "diverged"
    if np.any(np.diff(losses) > 0):
        return "unstable"
    return "too slow" if losses[-1] > 0.5 * losses[0] else "steady"


def _classify_old_rule(losses):
    """The rule before issue 8: any rise is "unstable", however high the run ends."""
    if not np.all(np.isfinite(losses)) or np.any(losses > 1e6 * losses[0]):
        return "diverged"
    if np.any(np.diff(losses) > 1e-12):
        return "unstable"
    return "too slow" if losses[-1] > 0.5 * losses[0] else "steady"


def _classify_rise_always_diverged(losses):
    if not np.all(np.isfinite(losses)) or np.any(losses > 1e6 * losses[0]) or np.any(np.diff(losses) > 1e-12):
        return "diverged"
    return "too slow" if losses[-1] > 0.5 * losses[0] else "steady"


def _runs_verdict(lr):
    x, y = h.example()
    return checks.classify_reference(h.train(h.load_params(), x, y, lr, 100).losses)


def _steady(candidates):
    return [lr for lr in candidates if _runs_verdict(lr) == "steady"]


def _sorts_in_place(candidates):
    candidates.sort()
    steady = _steady(candidates)
    return steady[-1] if steady else None


def _passes(count_both=False, objects=False, swap=False):
    def answer(params, x, y):
        with h.count_forward_passes() as numerical:
            h.numerical_gradient(params, x, y)
            if count_both:
                h.backprop(params, x, y)
        with h.count_forward_passes() as backward:
            h.backprop(params, x, y)
        if objects:
            return {"numerical": numerical, "backprop": backward}
        counts = {"numerical": numerical.n, "backprop": backward.n}
        return {"numerical": counts["backprop"], "backprop": counts["numerical"]} if swap else counts
    return answer


def _mutating_step(params, grads, lr):
    for key in params:
        params[key] -= lr * grads[key]
    return params


# name → [(what is wrong, the answer, fragments its message must contain)]
MISTAKES = {
    "nudge_gradient": [
        ("sign flipped", _nudge(lambda up, down, base, eps: (down - up) / (2 * eps)), ["sign is flipped"]),
        ("rounded to 3 decimals", _nudge(lambda up, down, base, eps: round((up - down) / (2 * eps), 3)),
         ["rounded to 3 decimals", "unrounded"]),
        ("rounded to 5 decimals", _nudge(lambda up, down, base, eps: round((up - down) / (2 * eps), 5)),
         ["rounded to 5 decimals"]),
        ("/ eps * 2", _nudge(lambda up, down, base, eps: (up - down) / eps * 2), ["exactly 4 × the slope", "2·eps"]),
        ("a fixed eps in the division", _nudge(lambda up, down, base, eps: (up - down) / (2 * 1e-3)),
         ["exactly 0.1 × the slope", "argument `eps`"]),
        ("/ 2 * eps", _nudge(lambda up, down, base, eps: (up - down) / 2 * eps), ["eps²", "(up - down) / (2 * eps)"]),
        ("up - down / (2 * eps)", _nudge(lambda up, down, base, eps: up - down / (2 * eps)),
         ["bracket", "(up - down) / (2 * eps)"]),
        ("one-sided, the other way", _nudge(lambda up, down, base, eps: (base - down) / eps),
         ["one-sided", "(loss(w + eps) − loss(w − eps)) / (2·eps)"]),
        ("divided by eps", _nudge(lambda up, down, base, eps: (up - down) / eps), ["twice the slope", "2·eps"]),
        ("not divided", _nudge(lambda up, down, base, eps: up - down), ["not yet divided"]),
        ("one-sided", _nudge(lambda up, down, base, eps: (up - base) / eps),
         ["one-sided", "central", "(loss(w + eps) − loss(w − eps)) / (2·eps)"]),
        ("the loss itself", _nudge(lambda up, down, base, eps: base), ["is a loss, not a slope"]),
        ("NaN", _nudge(lambda up, down, base, eps: float("nan")), ["nan"]),
        ("an array", _nudge(lambda up, down, base, eps: np.array([up, down])), ["shape (2,)", "one number"]),
        ("a bool", _nudge(lambda up, down, base, eps: up > down), ["yes/no"]),
        ("a 0-d array is fine, wrong value", _nudge(lambda up, down, base, eps: np.array(0.5)), ["returned +0.5"]),
        ("indices swapped", _other_weight(shift=False), ["returned 0", "You got zero"]),
        ("index shifted", _other_weight(shift=True), ["slope of b2[0], a different weight"]),
    ],
    "which_way": [
        ("reversed", lambda g: "increase" if g > 0 else "decrease" if g < 0 else "leave", ['"decrease"', "bigger"]),
        ("zero not handled", lambda g: "decrease" if g > 0 else "increase", ["exactly 0", "before you test"]),
        ("a number", lambda g: -np.sign(g), ["one of the words"]),
        ("an unknown word", lambda g: "down", ['returned "down"', "one of the words"]),
    ],
    "zero_gradient_labels": [
        ("tuples, not labels", lambda p, x, y: [h.parse_label(lab, p) for lab in ("W1[0,1]",)], ["as text"]),
        ("a single string", lambda p, x, y: "W1[0,1]", ["list of labels"]),
        ("unknown label", lambda p, x, y: ["W1[9,9]"], ["not a parameter label"]),
        ("dead unit missed", lambda p, x, y: [lab for lab in h.param_labels(p) if lab.endswith(",1]")][:3],
         ["misses", "switched off"]),
        ("live weight included", lambda p, x, y: ["W1[1,0]"], ["W1[1,0]", "not 0"]),
        ("duplicates", lambda p, x, y: ["W1[0,1]", "W1[0,1]"], ["more than once"]),
    ],
    "gd_step": [
        ("plus sign", lambda p, g, lr: {k: p[k] + lr * g[k] for k in p}, ["went UP", "sign of the update"]),
        ("no learning rate", lambda p, g, lr: {k: p[k] - g[k] for k in p}, ["learning rate"]),
        ("a fixed 0.1", lambda p, g, lr: {k: p[k] - 0.1 * g[k] for k in p},
         ["gd_step(params, grads, lr=0.5)", "another network", "0.1 × its gradient", "argument `lr`"]),
        ("lr twice", lambda p, g, lr: {k: p[k] - lr * lr * g[k] for k in p}, ["0.01 × its gradient", "once"]),
        ("plus sign at a fixed 0.1", lambda p, g, lr: {k: p[k] + 0.1 * g[k] for k in p}, ["went UP"]),
        ("changes params in place", _mutating_step, ["changed its input `params` in place"]),
        ("nothing moves", lambda p, g, lr: {k: p[k].copy() for k in p}, ["nothing moved"]),
        ("only W1 updated", lambda p, g, lr: {**p, "W1": p["W1"] - lr * g["W1"]}, ["W1 is right", "b1, W2, b2 are not"]),
        ("W1 transposed", lambda p, g, lr: {k: (p[k] - lr * g[k]).T for k in p}, ["shape", "transposed"]),
        ("NaN inside", lambda p, g, lr: {k: p[k] * np.nan for k in p}, ["nan"]),
        ("a key missing", lambda p, g, lr: {k: p[k] - lr * g[k] for k in ("W1", "b1", "W2")}, ["missing b2"]),
        ("a list", lambda p, g, lr: [p[k] - lr * g[k] for k in p], ["should return a dict"]),
    ],
    "descend": [
        ("no loss before the first step", _descend(first=False), ["before the first step is missing"]),
        ("no loss after the last step", _descend(last=False), ["after the last step is missing"]),
        ("plus sign", _descend(sign=+1.0), ["went up at step 1", "sign of the update"]),
        ("the starting params", _descend(keep_start=True), ["params it started from"]),
        ("gradient computed once", _descend(grads_once=True), ["recompute it inside the loop"]),
        ("never updates params", lambda p, x, y, lr, s: (p, [h.loss(p, x, y)] * (s + 1)),
         ["never changed", "params = gd_step(params, grads, lr)"]),
        ("ignores lr: a fixed 0.1", _descend_fixed_lr(0.1), ["lr=0.2", "lr = 0.1, not 0.2", "argument `lr`"]),
        ("ignores lr: a fixed 1", _descend_fixed_lr(1.0), ["lr=0.1", "lr = 1, not 0.1", "argument `lr`"]),
        ("only the params", lambda p, x, y, lr, s: p, ["only the params"]),
        ("the wrong order", lambda p, x, y, lr, s: tuple(reversed(_descend()(p, x, y, lr, s))), ["order"]),
        ("NaN losses", lambda p, x, y, lr, s: (p, [np.nan] * (s + 1)), ["nan"]),
        ("three things", lambda p, x, y, lr, s: (p, [], 0), ["two things"]),
    ],
    "train_chapter7": [
        ("too few steps", _chapter7_run(h.load_params, 0.1, 5), ["not below 0.001", "more steps"]),
        ("another start", _chapter7_run(lambda: h.init_params(seed=0), 0.1, 300), ["Start from h.load_params()"]),
        ("overshooting", _chapter7_run(h.load_params, 1.0, 100), ["went UP", "smaller learning rate"]),
        ("η = 10 in their own loop", _chapter7_loop(10.0, 100), ["not below 0.001", "went UP at step 1", "SMALLER"]),
        ("η = 3.98", _chapter7_loop(3.98, 100), ["went UP", "lands higher", "SMALLER"]),
        ("η = 1.5, 3 steps", _chapter7_loop(1.5, 3), ["went UP", "SMALLER"]),
        ("η = 0", _chapter7_loop(0.0, 10), ["did not change at all"]),
        ("params and losses of different runs",
         lambda: (_chapter7_run(h.load_params, 0.1, 100)()[0], _chapter7_run(h.load_params, 0.1, 50)()[1]),
         ["same run"]),
    ],
    "classify_run": [
        ("always steady", lambda losses: "steady", ['returned "steady"']),
        ("nan slips through", _classify_unsafe, ["blow-up first", "np.isfinite"]),
        ("any rise counts", _classify_strict, ["rounding noise", "1e-12"]),
        ("a number", lambda losses: 3, ["one of the words"]),
        ("any rise is unstable", _classify_old_rule, ['returned "unstable", but it is "diverged"',
                                                      "higher than where it started", "0.5 * losses[0]"]),
        ("any rise is diverged", _classify_rise_always_diverged, ['returned "diverged", but it is "unstable"',
                                                                  "no more than half", "0.5 * losses[0]"]),
    ],
    "pick_learning_rates": [
        ("a list", lambda: [0.001, 0.1, 2.0], ["should return a dict"]),
        ("a key missing", lambda: {"small": 0.001, "good": 0.1, "too large": 2.0}, ['no "too small" key']),
        ("negative", lambda: {"too small": -0.1, "good": 0.1, "too large": 2.0}, ["positive"]),
        ("too small is fine", lambda: {"too small": 0.05, "good": 0.1, "too large": 2.0}, ["Try a smaller one"]),
        ("too large is fine", lambda: {"too small": 0.001, "good": 0.1, "too large": 0.5}, ["Try a larger one"]),
        ("good overshoots", lambda: {"too small": 0.001, "good": 1.0, "too large": 2.0},
         ["went UP", "gives an unstable run"]),
        ("too small diverges", lambda: {"too small": 10.0, "good": 0.1, "too large": 2.0},
         ["gives a diverged run", "blew up", "Try a smaller one"]),
        ("NaN", lambda: {"too small": 0.001, "good": float("nan"), "too large": 2.0}, ["nan"]),
        ("text", lambda: {"too small": "0.001", "good": 0.1, "too large": 2.0}, ["one number"]),
    ],
    "largest_steady_lr": [
        ("the smallest steady one", lambda c: min(_steady(c), default=None), ["steady too and larger"]),
        ("the largest of all", lambda c: max(c), ["that run is diverged"]),
        ("sorts the list in place", _sorts_in_place, ["in place"]),
        ("the position", lambda c: c.index(max(_steady(c))) if _steady(c) else None, ["position"]),
        ("a verdict", lambda c: "steady", ["learning rate itself"]),
        ("not a candidate", lambda c: 0.123, ["not one of the candidates"]),
        ("never None", lambda c: max(_steady(c), default=min(c)), ["answer is None"]),
    ],
    "count_params_for": [
        ("weights only", lambda i, n, o: i * n + n * o, ["weights only"]),
        ("no output biases", lambda i, n, o: i * n + n * o + n, ["output layer"]),
        ("no hidden biases", lambda i, n, o: i * n + n * o + o, ["hidden layer"]),
        ("units", lambda i, n, o: i + n + o, ["units"]),
        ("half a parameter", lambda i, n, o: 31.5, ["whole number"]),
        ("text", lambda i, n, o: "31", ["the text '31'", "a whole number"]),
    ],
    "measure_passes": [
        ("the counters themselves", _passes(objects=True), ["passes.n"]),
        ("one block for both", _passes(count_both=True), ["includes the backprop pass"]),
        ("swapped", _passes(swap=True), ["swapped"]),
        ("the parameter count", lambda p, x, y: {"numerical": h.count_params(p), "backprop": 1},
         ["number of parameters"]),
        ("a list", lambda p, x, y: [62, 1], ["should return a dict"]),
    ],
    "gradient_cost": [
        ("one pass per weight", lambda n, t: (n * t, 2 * t), ["two forward passes per weight"]),
        ("backward pass only", lambda n, t: (2 * n * t, t), ["backward pass only"]),
        ("swapped", lambda n, t: (2 * t, 2 * n * t), ["swapped"]),
        ("one number", lambda n, t: 2 * n * t, ["two things"]),
        ("NaN", lambda n, t: (float("nan"), 2 * t), ["nan"]),
    ],
}


@pytest.mark.parametrize("name, what, answer, fragments",
                         [(name, *case) for name, cases in MISTAKES.items() for case in cases],
                         ids=[f"{name}: {case[0]}" for name, cases in MISTAKES.items() for case in cases])
def test_the_likely_mistake_is_named(name, what, answer, fragments):
    message = _fails(CHECKS[name], answer)
    for fragment in fragments:
        assert fragment in message, f"{what}: expected {fragment!r} in:\n{message}"


ADVICE_OF_SIZE = {"η = 10 in their own loop": "smaller", "η = 3.98": "smaller", "η = 1.5, 3 steps": "smaller",
                  "too few steps": "larger"}


@pytest.mark.parametrize("what", ADVICE_OF_SIZE)
def test_train_chapter7_advises_the_right_direction_for_the_learning_rate(what):
    """A run that went up is told to use a smaller η and never a larger one; a slow one, the other way."""
    (answer,) = [a for w, a, _ in MISTAKES["train_chapter7"] if w == what]
    message = _fails(checks.check_train_chapter7, answer).lower()
    wrong = {"smaller": "larger", "larger": "smaller"}[ADVICE_OF_SIZE[what]]
    assert ADVICE_OF_SIZE[what] in message and wrong not in message, message


def test_a_one_sided_difference_shows_two_different_numbers():
    message = _fails(checks.check_nudge_gradient, _nudge(lambda up, down, base, eps: (up - base) / eps))
    first = message.splitlines()[0]
    got, expected = re.search(r"returned (\S+), but the slope there is (\S+)\.", first).groups()
    assert got != expected and float(got) != float(expected), first


def test_ex02s_visible_check_cannot_be_passed_by_rounding():
    for digits in range(1, 6):
        answer = _nudge(lambda up, down, base, eps: round((up - down) / (2 * eps), digits))
        _fails(checks.check_nudge_gradient, answer)


def test_every_check_has_its_mistakes_tested():
    assert set(MISTAKES) == set(CHECKS)
    assert set(CHECKS.values()) == {getattr(checks, n) for n in checks.__all__ if n.startswith("check_")}


def test_case_and_spaces_in_words_are_forgiven(solutions, capsys):
    checks.check_which_way(lambda g: f"  {solutions['which_way'][0](g).upper()} ")
    # (not classify_run's words: largest_steady_lr and the hidden tests compare them with ==, so its
    # check asks for the exact lowercase words; tests/test_checks_ex04_ex05.py)
    assert capsys.readouterr().out.count("✔") == 1


def test_numbers_of_any_numeric_type_are_accepted(capsys):
    checks.check_count_params_for(lambda i, n, o: np.int64(n * i + n + o * n + o))
    checks.check_count_params_for(lambda i, n, o: float(n * i + n + o * n + o))
    checks.check_gradient_cost(lambda n, t: [np.float64(2 * n * t), 2 * t])   # float32 is too coarse
    assert capsys.readouterr().out.count("✔") == 3


# ----------------------------------------------------------------------------------------------
# Hidden tests catch answers hard-coded for the visible check
# ----------------------------------------------------------------------------------------------

def _key(value):
    """A hashable fingerprint of call arguments (arrays by their bytes)."""
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.tobytes())
    if isinstance(value, dict):
        return tuple(sorted((k, _key(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_key(v) for v in value)
    return repr(value)


def _memorised(right):
    """(recorder, cheat): run the visible check with `recorder`, then `cheat` knows every answer it
    asked for, and answers anything else with the first answer it saw: a hard-coded solution."""
    table = {}

    def recorder(*args):
        answer = right(*args)
        table.setdefault(_key(args), answer)
        return answer

    def cheat(*args):
        return table.get(_key(args), next(iter(table.values())))

    return recorder, cheat


def _hidden_block(source: str) -> str:
    lines = source.split("\n")
    begin = next(i for i, line in enumerate(lines) if "BEGIN HIDDEN TESTS" in line)
    end = next(i for i, line in enumerate(lines) if "END HIDDEN TESTS" in line)
    return "\n".join(lines[begin + 1:end])


WITH_ARGUMENTS = [name for name in CHECKS if name not in ("train_chapter7", "pick_learning_rates")]


@pytest.mark.parametrize("name", WITH_ARGUMENTS)
def test_a_hard_coded_answer_passes_the_visible_check_but_not_the_hidden_tests(name, solutions, capsys):
    right, namespace, grade_cells = solutions[name]
    (source,) = [s for s in grade_cells.values() if s.startswith(f"checks.check_{name}({name})")]
    hidden = _hidden_block(source)
    recorder, cheat = _memorised(right)
    CHECKS[name](recorder)
    CHECKS[name](cheat)                                   # the visible check cannot tell
    assert capsys.readouterr().out.count("✔") == 2
    exec(hidden, {**namespace, name: right})              # the real answer passes the hidden tests
    with pytest.raises(Exception):
        exec(hidden, {**namespace, name: cheat})          # the hard-coded one does not


def test_exercise_rules_match_the_course_verdicts():
    """classify_run's rules (exercise 04) agree with h.verdict, which the lesson's explorer shows."""
    x, y = h.example()
    for lr in [0.0005, 0.001, 0.003, 0.01, 0.1, 0.3, 0.5, 0.6, 0.65, 0.7, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0]:
        run = h.train(h.load_params(), x, y, lr, checks.LR_STEPS)
        assert checks.classify_reference(run.losses) == h.verdict(run.losses, run.diverged), lr
    assert [_runs_verdict(lr) for lr in (0.001, 0.1, 1.0, 10.0)] == ["too slow", "steady", "unstable", "diverged"]


def test_a_surprise_inside_a_check_still_ends_in_a_friendly_check_failed():
    reads_a_key = checks._check(lambda answer: answer["W1"].shape)   # as if an answer tripped the check
    message = _fails(reads_a_key, {})
    assert "could not read what your function gave back" in message and "KeyError" in message


# ----------------------------------------------------------------------------------------------
# In a real kernel: what a student sees under a failing check, and an answer cell that failed
# ----------------------------------------------------------------------------------------------

STUB = '''def gd_step(params, grads, lr):
    """A new parameter dict: every array moved by -lr times its gradient."""
    # YOUR CODE HERE
    raise NotImplementedError()'''
RIGHT = '''def gd_step(params, grads, lr):
    return {key: params[key] - lr * grads[key] for key in params}'''
WRONG = '''def gd_step(params, grads, lr):
    return {key: params[key] + lr * grads[key] for key in params}'''
SYNTAX_ERROR = '''def gd_step(params, grads, lr):
    return {key: params[key] - lr * grads[key] for key in params'''
ERROR_ABOVE_THE_DEF = '''learning_rate = lr_i_never_defined
def gd_step(params, grads, lr):
    return {key: params[key] - lr * grads[key] for key in params}'''
CHECK = "checks.check_gd_step(gd_step)"

#: What a student does, in order, in one kernel: (a step's name, the answer cell run then, what
#: the check run right after it must say; None: it passes).
STEPS = [
    ("the stub, run", STUB, "not written"),
    ("a SyntaxError after the stub", SYNTAX_ERROR, "did not finish"),
    ("fixed after the error", RIGHT, None),
    ("an error above the def", ERROR_ABOVE_THE_DEF, "did not finish"),
    ("back to the stub", STUB, "not written"),
    ("a wrong answer", WRONG, "went UP"),
    ("a SyntaxError after a wrong answer", SYNTAX_ERROR, "did not finish"),
]

ANSI = re.compile(r"\x1b\[")


@pytest.fixture(scope="module")
def kernel_runs() -> dict:
    """Every step executed by a real ipykernel through nbclient, as JupyterLab would run it:
    {step name: the outputs of the check cell right after that step's answer cell}."""
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    cells = ["import helpers as h\nfrom helpers import checks"]
    for _, answer, _ in STEPS:
        cells += [answer, CHECK]
    nb.cells = [nbformat.v4.new_code_cell(source, metadata={"tags": ["raises-exception"]}) for source in cells]
    NotebookClient(nb, timeout=120, kernel_name="python3", kernel_manager_class=IPCKernelManager,
                   resources={"metadata": {"path": str(ROOT / "notebooks" / "exercises")}}).execute()
    return {name: nb.cells[2 + 2 * i].outputs for i, (name, _, _) in enumerate(STEPS)}


@pytest.mark.parametrize("step", [name for name, _, _ in STEPS])
def test_the_check_knows_whether_the_answer_cell_really_ran(step, kernel_runs):
    outputs = kernel_runs[step]
    (expected,) = [said for name, _, said in STEPS if name == step]
    errors = [o for o in outputs if o.output_type == "error"]
    if expected is None:
        assert errors == [] and "✔" in "".join(o.get("text", "") for o in outputs)
        return
    (error,) = errors
    assert error.ename == "CheckFailed"
    assert expected in error.evalue, error.evalue
    if expected == "did not finish":
        assert "not written yet" not in error.evalue and "went UP" not in error.evalue
        assert "def gd_step(" in error.evalue and "fix" in error.evalue


@pytest.mark.parametrize("step", ["the stub, run", "a wrong answer", "a SyntaxError after the stub"])
def test_a_failing_check_shows_the_tutors_message_only(step, kernel_runs):
    """What JupyterLab draws under the cell is the error's `traceback` lines: they must be the
    message itself, in plain text (no ANSI colours), with no frame of helpers or of the check cell."""
    (error,) = [o for o in kernel_runs[step] if o.output_type == "error"]
    shown = "\n".join(error.traceback)
    assert shown.split() == error.evalue.split()                  # the message, wrapped at words
    assert max(map(len, error.traceback)) <= checks.MESSAGE_WIDTH
    assert not ANSI.search(shown)
    for frame_text in ("Traceback", "File ", "helpers", "checks.py", CHECK, "---->", "raise CheckFailed", "_NotYet"):
        assert frame_text not in shown, frame_text



@pytest.fixture(scope="module")
def first_runs() -> list:
    """A fresh kernel where the answer cell's very first run is a SyntaxError, so gd_step was never
    defined: [the outputs of each cell]. The last cell (a check of an answer never written, with no
    raises-exception tag) must stop the run, as it stops nbgrader's."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    allowed = {"tags": ["raises-exception"]}
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import helpers as h\nfrom helpers import checks"),
        nbformat.v4.new_code_cell(CHECK, metadata=allowed),                # the answer cell never run
        nbformat.v4.new_code_cell(SYNTAX_ERROR, metadata=allowed),         # its first run fails
        nbformat.v4.new_code_cell(CHECK, metadata=allowed),
        nbformat.v4.new_code_cell("print(a_name_no_exercise_has)", metadata=allowed),
        nbformat.v4.new_code_cell(RIGHT),
        nbformat.v4.new_code_cell(CHECK),
        nbformat.v4.new_code_cell("checks.check_descend(descend)"),
    ])
    with pytest.raises(CellExecutionError):
        NotebookClient(nb, timeout=120, kernel_name="python3", kernel_manager_class=IPCKernelManager,
                       resources={"metadata": {"path": str(ROOT / "notebooks" / "exercises")}}).execute()
    return [cell.outputs for cell in nb.cells]


def _error(outputs):
    (error,) = [o for o in outputs if o.output_type == "error"]
    return error


@pytest.mark.parametrize("cell", [1, 3, 7], ids=["never run", "first run a SyntaxError", "no tag: it fails"])
def test_a_check_of_an_answer_that_was_never_defined_gets_the_tutors_message(first_runs, cell):
    """`checks.check_gd_step(gd_step)` raises NameError before the check is called: the student must
    still get a tutor's message (which cell to run and fix), not a raw NameError traceback."""
    error = _error(first_runs[cell])
    name = "descend" if cell == 7 else "gd_step"
    assert error.ename == "CheckFailed", error.ename
    assert f"def {name}(" in error.evalue, error.evalue          # which cell to go back to
    shown = "\n".join(error.traceback)
    assert shown.split() == error.evalue.split()                # the message only, wrapped at words
    assert max(map(len, error.traceback)) <= checks.MESSAGE_WIDTH
    assert not ANSI.search(shown)
    for frame_text in ("Traceback", "File ", "checks.py", CHECK, "---->", "is not defined\n"):
        assert frame_text not in shown, frame_text


def test_the_message_tells_a_cell_that_failed_from_one_never_run(first_runs):
    never, failed = _error(first_runs[1]).evalue, _error(first_runs[3]).evalue
    assert never != failed
    assert "SyntaxError" in failed and "SyntaxError" not in never


def test_other_name_errors_keep_their_traceback_and_a_fixed_answer_passes(first_runs):
    other = _error(first_runs[4])
    assert other.ename == "NameError" and "a_name_no_exercise_has" in other.evalue
    assert any("a_name_no_exercise_has" in line for line in other.traceback)
    assert [o for o in first_runs[6] if o.output_type == "error"] == []
    assert "✔" in "".join(o.get("text", "") for o in first_runs[6])

def test_an_unfinished_stub_shows_its_traceback_without_ansi_colours():
    # IPython colours tracebacks red/cyan/green; on JupyterLab's pink error background that text
    # falls below 4.5:1. Importing the checks (as every exercise does) switches the colours off.
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("raise NotImplementedError('before')"),
               nbformat.v4.new_code_cell("from helpers import checks"),
               nbformat.v4.new_code_cell("raise NotImplementedError('after')")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    NotebookClient(nb, allow_errors=True, kernel_name="python3",
                   kernel_manager_class=IPCKernelManager).execute()
    before, after = (nb.cells[i].outputs[0]["traceback"] for i in (0, 2))
    assert any("\x1b[" in line for line in before), "the kernel gave no colours to remove: the test proves nothing"
    assert not any("\x1b[" in line for line in after), after
    assert any("NotImplementedError" in line for line in after)

"""helpers/checks.py, exercises 04 and 05: what a review of student answers found.

- an answer that hands the work to the course's own `h.verdict` is told to write the rules;
- an answer the visible check ticks also passes the hidden tests (the check cell runs both, so a
  tick followed by zero points would mislead): exact words, the run's first loss, the x and y
  given, and 9 significant digits;
- wrong rules that both used to pass (a blow-up that came back down, a run ending at exactly half)
  are caught by both;
- the advice on a learning rate points the right way, and a float32 learning rate is named.

Expected verdicts are worked out by hand from the exercise's rules, in the comments beside them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib as mpl
import nbformat
import numpy as np
import pytest

import helpers
import helpers.data
import helpers.training
from helpers import checks

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "instructor" / "source"
VERDICT = helpers.training.verdict
X, Y = helpers.example()

CHECKS = {"classify_run": checks.check_classify_run, "largest_steady_lr": checks.check_largest_steady_lr,
          "measure_passes": checks.check_measure_passes, "gradient_cost": checks.check_gradient_cost}
NOTEBOOK = {"classify_run": "ex04_learning_rate", "largest_steady_lr": "ex04_learning_rate",
            "measure_passes": "ex05_backprop_cost", "gradient_cost": "ex05_backprop_cost"}


# ----------------------------------------------------------------------------------------------
# The instructor's notebooks: namespace with the solutions, and each function's hidden tests
# ----------------------------------------------------------------------------------------------

def _cells(stem: str) -> list:
    nb = nbformat.read(SOURCE / stem / f"{stem}.ipynb", as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def _namespace(stem: str) -> dict:
    """A fresh notebook namespace: the setup and import cells, then every solution cell."""
    namespace: dict = {}
    cells = _cells(stem)
    with mpl.rc_context(), warnings.catch_warnings():   # the imports cell sets the course style
        warnings.simplefilter("ignore")
        for cell in cells[:2]:
            exec(cell.source, namespace)
    for cell in cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            exec(cell.source, namespace)
    return namespace


def _hidden(name: str) -> str:
    (source,) = [c.source for c in _cells(NOTEBOOK[name]) if c.source.startswith(f"checks.check_{name}(")]
    lines = source.split("\n")
    begin = next(i for i, line in enumerate(lines) if "BEGIN HIDDEN TESTS" in line)
    end = next(i for i, line in enumerate(lines) if "END HIDDEN TESTS" in line)
    return "\n".join(lines[begin + 1:end])


def _visible(name: str, answer) -> str | None:
    """None if the visible check ticks `answer`, else its message."""
    try:
        CHECKS[name](answer)
    except checks.CheckFailed as failed:
        return str(failed)
    return None


def _hidden_passes(name: str, namespace: dict) -> bool:
    try:
        exec(_hidden(name), namespace)
    except AssertionError:
        return False
    except Exception:  # noqa: BLE001 - an error in a hidden test fails it too (nbgrader: zero)
        return False
    return True


def _fails(name: str, answer) -> str:
    message = _visible(name, answer)
    assert message is not None, f"the visible check ticked a wrong {name}"
    return message


# ----------------------------------------------------------------------------------------------
# Answers from the review
# ----------------------------------------------------------------------------------------------

def _rules(*, blow_up="any", rise_first=False, half="<=", against="first", words=str):
    """classify_run as a student might write it; the defaults are the exercise's rules."""
    def classify_run(losses):
        start = losses.max() if against == "max" else losses[0]
        if blow_up == "last":
            exploded = not np.isfinite(losses[-1]) or losses[-1] > 1e6 * losses[0]
        else:
            exploded = not np.all(np.isfinite(losses)) or np.any(losses > 1e6 * losses[0])
        well_below = losses[-1] <= 0.5 * start
        rose = np.any(np.diff(losses) > 1e-12)
        if rise_first and rose:
            return words("unstable" if well_below else "diverged")
        if exploded:
            return words("diverged")
        if rose:
            return words("unstable" if well_below else "diverged")
        if half == "<":     # "too slow" when losses[-1] >= 0.5 * losses[0]
            well_below = losses[-1] < 0.5 * start
        return words("steady" if well_below else "too slow")
    return classify_run


def _from_example(params, x, y):
    """measure_passes that counts the passes on the chapter's example, not on the x, y given."""
    ex, ey = helpers.example()
    with helpers.count_forward_passes() as numerical:
        helpers.numerical_gradient(params, ex, ey)
    with helpers.count_forward_passes() as backward:
        helpers.backprop(params, ex, ey)
    return {"numerical": numerical.n, "backprop": backward.n}


# (function, what the student did, {name: replacement in the notebook}, must the hidden tests fail?)
ANSWERS = [
    ("classify_run", "capitalised words", {"classify_run": _rules(words=str.capitalize)}, True),
    ("classify_run", "half of the highest loss", {"classify_run": _rules(against="max")}, True),
    ("classify_run", "blow-up checked on the last loss only", {"classify_run": _rules(blow_up="last")}, True),
    ("classify_run", "rise checked before the blow-up", {"classify_run": _rules(rise_first=True)}, True),
    ("classify_run", "exactly half counted as too slow", {"classify_run": _rules(half="<")}, True),
    ("classify_run", "h.verdict", {"classify_run": lambda losses: helpers.verdict(losses)}, False),
    ("largest_steady_lr", "capitalised classify_run", {"classify_run": _rules(words=str.capitalize)}, True),
    ("measure_passes", "h.example() instead of x, y", {"measure_passes": _from_example}, True),
    ("gradient_cost", "np.float32", {"gradient_cost": lambda n, t: (np.float32(2 * n * t), np.float32(2 * t))},
     True),
    ("gradient_cost", "8 significant digits", {"gradient_cost": lambda n, t: (2 * n * t * (1 + 1e-8),
                                                                              2 * t * (1 + 1e-8))}, True),
]


@pytest.mark.parametrize("name, what, replaced, hidden_fails", ANSWERS, ids=[f"{a[0]}: {a[1]}" for a in ANSWERS])
def test_no_tick_for_an_answer_that_loses_its_points(name, what, replaced, hidden_fails):
    """The check cell runs the visible check and then the hidden tests: a ✔ must mean the points."""
    namespace = _namespace(NOTEBOOK[name])
    namespace.update(replaced)
    assert _visible(name, namespace[name]) is not None, f"{what}: the visible check ticks it"
    assert _hidden_passes(name, namespace) is not hidden_fails, f"{what}: the hidden tests disagree"


@pytest.mark.parametrize("name", CHECKS)
def test_the_instructors_solution_passes_both(name, capsys):
    namespace = _namespace(NOTEBOOK[name])
    assert _visible(name, namespace[name]) is None
    assert _hidden_passes(name, namespace)
    assert "\n✔ " in "\n" + capsys.readouterr().out


# ----------------------------------------------------------------------------------------------
# 1. classify_run may not hand the work to h.verdict
# ----------------------------------------------------------------------------------------------

def _bound_to_verdict():
    namespace = {"np": np}
    exec("from helpers import verdict as read\n"
         "def classify_run(losses):\n"
         "    return read(losses)\n", namespace)
    return namespace


LEANS_ON_VERDICT = {
    "h.verdict(losses)": lambda losses: helpers.verdict(losses),
    "helpers.training.verdict(losses)": lambda losses: helpers.training.verdict(losses),
    "checks.classify_reference(losses)": lambda losses: checks.classify_reference(losses),
    "classify_run = h.verdict": helpers.verdict,
    "a name bound to verdict in its globals": _bound_to_verdict()["classify_run"],
}


@pytest.mark.parametrize("what", LEANS_ON_VERDICT)
def test_classify_run_that_calls_verdict_is_told_to_write_the_rules(what):
    message = _fails("classify_run", LEANS_ON_VERDICT[what])
    assert "write the rules yourself" in message and "h.verdict" in message, message


def test_the_stand_in_for_verdict_is_gone_after_the_check(capsys):
    namespace = _bound_to_verdict()
    _fails("classify_run", namespace["classify_run"])
    assert helpers.verdict is VERDICT and helpers.training.verdict is VERDICT
    assert checks.classify_reference is VERDICT and checks.verdict is VERDICT and namespace["read"] is VERDICT
    assert _visible("classify_run", _rules()) is None            # the check's own reference is the real one
    assert "on all 17 runs" in capsys.readouterr().out


# ----------------------------------------------------------------------------------------------
# 2 and 3. The cases that tell the wrong rules apart, worked out by hand
# ----------------------------------------------------------------------------------------------

# losses → the verdict by the exercise's rules, in order (1: blow-up, 2: rise, 3-4: half or lower)
BY_HAND = {
    (1.0, 2e6, 0.1): "diverged",    # rule 1: 2e6 > 1e6 × 1, though it ended low
    (1.0, 0.75, 0.5): "steady",     # never rose; 0.5 ≤ 0.5 × 1: half counts as well below
    (1.0, 3.0, 0.9): "diverged",    # rose; 0.9 > 0.5 × 1 (though ≤ 0.5 × its highest, 3)
}
HIDDEN_BY_HAND = {
    (2.0, 3e6, 0.2): "diverged",    # rule 1: 3e6 > 1e6 × 2
    (2.0, 1.5, 1.0): "steady",      # never rose; 1.0 ≤ 0.5 × 2
    (2.0, 5.0, 1.8): "diverged",    # rose; 1.8 > 0.5 × 2 (though ≤ 0.5 × 5)
}


def test_the_new_cases_are_in_the_visible_and_hidden_checks_with_the_verdicts_worked_by_hand():
    visible = [tuple(c.tolist()) for c in checks._classify_cases()]
    for losses, verdict in BY_HAND.items():
        assert losses in visible
        assert checks.classify_reference(np.array(losses)) == verdict
    seen = []
    namespace = _namespace("ex04_learning_rate")
    namespace["classify_run"] = lambda losses: seen.append(tuple(losses.tolist())) or VERDICT(losses)
    assert _hidden_passes("classify_run", namespace)
    for losses, verdict in HIDDEN_BY_HAND.items():
        assert losses in seen
        assert checks.classify_reference(np.array(losses)) == verdict


@pytest.mark.parametrize("rule, case, fragments", [
    (dict(blow_up="last"), "[1, 2e+06, 0.1]", ["every loss, not only the last", "np.any(losses > 1e6 * losses[0])"]),
    (dict(rise_first=True), "[1, 2e+06, 0.1]", ["blow-up first", "as this one did"]),
    (dict(half="<"), "[1, 0.75, 0.5]", ["exactly 0.5 ×", "<= 0.5 * losses[0]"]),
    (dict(against="max"), "[1, 3, 0.9]", ["0.5 * losses[0]"]),
], ids=["blow-up on the last loss only", "rise before blow-up", "exactly half", "half of the highest loss"])
def test_each_wrong_rule_is_caught_by_its_case_and_named(rule, case, fragments):
    message = _fails("classify_run", _rules(**rule))
    assert message.startswith(f"classify_run({case})"), message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize("words", [str.capitalize, str.upper, lambda w: f" {w}"], ids=["Steady", "STEADY", "' steady'"])
def test_classify_run_must_return_the_exact_lowercase_words(words):
    message = _fails("classify_run", _rules(words=words))
    assert "lowercase" in message and '"too slow", "steady", "unstable", "diverged"' in message, message


def test_largest_steady_lr_blames_capitalised_classify_run_words_not_a_missing_return():
    namespace = _namespace("ex04_learning_rate")
    namespace["classify_run"] = _rules(words=str.capitalize)
    message = _fails("largest_steady_lr", namespace["largest_steady_lr"])
    assert 'returns "Steady"' in message and 'not exactly "steady"' in message, message
    assert "return` line" not in message, message


def test_measure_passes_is_told_to_use_the_x_and_y_it_is_given():
    message = _fails("measure_passes", _from_example)
    assert "h.example()" in message and "x and y you are given" in message, message
    assert helpers.example is helpers.data.example and checks.example is helpers.data.example


def test_measure_passes_is_tried_on_a_4_2_3_network_with_its_own_example():
    shapes = [(p["W1"].shape, p["W2"].shape, x.shape, y.shape) for p, x, y in checks._passes_cases()]
    assert ((2, 4), (3, 2), (4,), (3,)) in shapes


@pytest.mark.parametrize("answer, fragments", [
    (lambda n, t: (np.float32(2 * n * t), np.float32(2 * t)), ["numpy float32", "not precise enough"]),
    (lambda n, t: (float(np.float32(2 * n * t)), 2 * t), ["precision of np.float32", "not precise enough"]),
], ids=["np.float32", "float of a float32"])
def test_gradient_cost_in_float32_is_not_precise_enough(answer, fragments):
    message = _fails("gradient_cost", answer)
    for fragment in fragments:
        assert fragment in message, message


def test_gradient_costs_visible_and_hidden_tolerance_are_the_same():
    assert checks.COST_RTOL == 1e-9 and "rtol=checks.COST_RTOL" in _hidden("gradient_cost")


# ----------------------------------------------------------------------------------------------
# 4. pick_learning_rates: which way to move a "good" rate
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("good, advice, wrong", [(1.5, "Try a smaller one", "larger"),
                                                 (5.0, "Try a smaller one", "larger"),
                                                 (0.002, "Try a larger one", "smaller")],
                         ids=["unstable", "diverged", "too slow"])
def test_a_good_rate_that_is_not_steady_is_moved_the_right_way(good, advice, wrong):
    try:
        checks.check_pick_learning_rates(lambda: {"too small": 0.001, "good": good, "too large": 10.0})
    except checks.CheckFailed as failed:
        message = str(failed)
    else:
        pytest.fail(f"good η = {good} was ticked")
    assert f'"good" η = {good:g}' in message and advice in message, message
    assert "between" not in message and wrong not in message.lower(), message


# ----------------------------------------------------------------------------------------------
# 5. largest_steady_lr: a float32 learning rate is named as such
# ----------------------------------------------------------------------------------------------

def _steady(candidates):
    return [lr for lr in candidates if VERDICT(helpers.train(helpers.load_params(), X, Y, lr, 100).losses) == "steady"]


@pytest.mark.parametrize("answer, fragment", [
    (lambda c: np.float32(max(_steady(c))) if _steady(c) else None, "numpy float32"),
    (lambda c: float(np.float32(max(_steady(c)))) if _steady(c) else None, "np.float32 loses them"),
], ids=["np.float32", "float of a float32"])
def test_a_float32_learning_rate_is_named_not_called_a_stranger(answer, fragment):
    message = _fails("largest_steady_lr", answer)
    assert "close to the candidate 0.1" in message and fragment in message, message
    assert "not one of the candidates" not in message, message

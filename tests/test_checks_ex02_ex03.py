"""helpers/checks.py, exercises 02 and 03: answers a review of student work found passing (or told the
wrong thing) are now failed with a message that names what to change.

Each test builds the student's answer the way a student would write it. Expected numbers come from
this file's own small network code (`_my_loss`), not from the helpers the checks use.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import helpers as h
import helpers.gradients
import helpers.training
from helpers import checks

ROOT = Path(__file__).resolve().parents[1]


def _fails(check, answer) -> str:
    with pytest.raises(checks.CheckFailed) as info:
        check(answer)
    return str(info.value)


def _define(source: str, **names):
    """The functions `source` defines, in a namespace like an exercise notebook's (h, np, helpers)."""
    namespace = {"h": h, "np": np, "helpers": h, **names}
    exec(source, namespace)
    return namespace


def _my_loss(p, x, y) -> float:
    """The chapter's network and loss, written out here: mean((W2 · relu(W1 · x + b1) + b2 − y)²)."""
    z = np.atleast_2d(x) @ np.asarray(p["W1"]).T + p["b1"]
    y_hat = np.maximum(z, 0.0) @ np.asarray(p["W2"]).T + p["b2"]
    return float(np.mean((y_hat - np.atleast_2d(y)) ** 2))


def _my_nudged(p, label, delta):
    key, rest = label.split("[")
    index = tuple(int(i) for i in rest.rstrip("]").split(","))
    out = {k: np.array(v, dtype=float) for k, v in p.items()}
    out[key][index] += delta
    return out


def _my_nudge_gradient(params, label, x, y, eps):
    up = _my_loss(_my_nudged(params, label, eps), x, y)
    down = _my_loss(_my_nudged(params, label, -eps), x, y)
    return (up - down) / (2 * eps)


def _my_step(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}


def _my_descend(params, x, y, lr, steps):
    losses = [_my_loss(params, x, y)]
    for _ in range(steps):
        params = _my_step(params, h.backprop(params, x, y), lr)
        losses.append(_my_loss(params, x, y))
    return params, losses


def _grade_cell(notebook: str, grade_id: str) -> str:
    path = ROOT / "instructor" / "source" / notebook / f"{notebook}.ipynb"
    (source,) = [c.source for c in nbformat.read(path, as_version=4).cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return source


# ----------------------------------------------------------------------------------------------
# 1. Calling the course's own helper is not an answer
# ----------------------------------------------------------------------------------------------

GD_STEP_CHEATS = {
    "h.gd_step": "def gd_step(params, grads, lr):\n    return h.gd_step(params, grads, lr)\n",
    "helpers.training.gd_step": "import helpers.training\n"
                                "def gd_step(params, grads, lr):\n"
                                "    return helpers.training.gd_step(params, grads, lr)\n",
    "a name imported before": "from helpers import gd_step as step\n"
                              "def gd_step(params, grads, lr):\n    return step(params, grads, lr)\n",
}


@pytest.mark.parametrize("how", GD_STEP_CHEATS)
def test_gd_step_that_calls_the_courses_gd_step_is_told_to_write_it_itself(how):
    namespace = _define(GD_STEP_CHEATS[how])
    message = _fails(checks.check_gd_step, namespace["gd_step"])
    assert "h.gd_step" in message and "yourself" in message, message
    # everything is put back: the helpers, and the student's own names
    assert h.gd_step is helpers.training.gd_step
    assert all(getattr(m, "gd_step", helpers.training.gd_step) is helpers.training.gd_step
               for m in (h, helpers.training))
    if how == "a name imported before":
        assert namespace["step"] is helpers.training.gd_step


NUDGE_CHEATS = {
    "h.backprop": "def nudge_gradient(params, label, x, y, eps):\n"
                  "    key, index = h.parse_label(label, params)\n"
                  "    return h.backprop(params, x, y)[key][index]\n",
    "h.numerical_gradient": "def nudge_gradient(params, label, x, y, eps):\n"
                            "    key, index = h.parse_label(label, params)\n"
                            "    return h.numerical_gradient(params, x, y, eps)[key][index]\n",
    "a name imported before": "from helpers.gradients import backprop\n"
                              "def nudge_gradient(params, label, x, y, eps):\n"
                              "    key, index = h.parse_label(label, params)\n"
                              "    return backprop(params, x, y)[key][index]\n",
}


@pytest.mark.parametrize("how", NUDGE_CHEATS)
def test_nudge_gradient_that_calls_the_courses_gradient_is_told_to_nudge(how):
    namespace = _define(NUDGE_CHEATS[how])
    message = _fails(checks.check_nudge_gradient, namespace["nudge_gradient"])
    helper = "h.numerical_gradient" if how == "h.numerical_gradient" else "h.backprop"
    assert helper in message and "yourself" in message, message
    assert h.backprop is helpers.gradients.backprop
    if how == "a name imported before":
        assert namespace["backprop"] is helpers.gradients.backprop


@pytest.mark.parametrize("notebook, grade_id, name, source", [
    ("ex03_gradient_descent", "ex03-gd-step-check", "gd_step", GD_STEP_CHEATS["h.gd_step"]),
    ("ex02_gradients", "ex02-nudge-gradient-check", "nudge_gradient", NUDGE_CHEATS["h.backprop"]),
])
def test_the_graded_cell_with_its_hidden_tests_fails_such_an_answer(notebook, grade_id, name, source):
    namespace = _define(source, checks=checks)
    with pytest.raises(checks.CheckFailed):
        exec(_grade_cell(notebook, grade_id), namespace)


def test_the_checks_own_numbers_still_come_from_the_real_helpers(capsys):
    """A right answer written out by hand passes, before and after a cheat was caught."""
    _fails(checks.check_gd_step, _define(GD_STEP_CHEATS["h.gd_step"])["gd_step"])
    checks.check_gd_step(_my_step)
    checks.check_nudge_gradient(_my_nudge_gradient)
    assert capsys.readouterr().out.count("✔") == 2


# ----------------------------------------------------------------------------------------------
# 2. which_way: the visible check asks what the hidden tests ask
# ----------------------------------------------------------------------------------------------

WHICH_WAY = {
    "a tolerance of 1e-6": ("def which_way(grad):\n    if abs(grad) < 1e-6:\n        return 'leave'\n"
                            "    return 'decrease' if grad > 0 else 'increase'\n", "which_way(1e-07)"),
    "math.copysign": ("import math\ndef which_way(grad):\n    if math.copysign(1, grad) < 0:\n"
                      "        return 'increase'\n    if grad == 0:\n        return 'leave'\n"
                      "    return 'decrease'\n", "which_way(-0.0)"),
    "small negatives read as 0": ("def which_way(grad):\n    if -0.01 < grad <= 0:\n        return 'leave'\n"
                                  "    return 'decrease' if grad > 0 else 'increase'\n", "which_way(-0.001)"),
}


@pytest.mark.parametrize("how", WHICH_WAY)
def test_which_way_is_asked_about_a_tiny_gradient_and_minus_zero(how):
    source, shown = WHICH_WAY[how]
    message = _fails(checks.check_which_way, _define(source)["which_way"])
    assert message.startswith(shown), message


def test_which_way_expects_the_direction_of_every_nonzero_gradient(capsys):
    def which_way(grad):
        return "leave" if grad == 0 else "decrease" if grad > 0 else "increase"
    checks.check_which_way(which_way)
    assert which_way(-0.0) == "leave" and which_way(1e-7) == "decrease"   # what the check asked
    assert capsys.readouterr().out.startswith("✔")


# ----------------------------------------------------------------------------------------------
# 3. nudge_gradient must use its eps
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fixed", [1e-4, 1e-2])
def test_nudge_gradient_that_ignores_eps_fails(fixed):
    def nudge_gradient(params, label, x, y, eps):
        return _my_nudge_gradient(params, label, x, y, fixed)
    message = _fails(checks.check_nudge_gradient, nudge_gradient)
    assert "eps" in message and "argument" in message, message


def test_a_large_eps_crosses_a_relu_kink_and_the_check_wants_the_difference_at_that_eps(capsys):
    """b1[0] of the chapter's network: z0 = 0.4, so a nudge of −0.5 switches unit 0 off."""
    params, (x, y) = h.load_params(), h.example()
    at_half = _my_nudge_gradient(params, "b1[0]", x, y, 0.5)
    tiny = _my_nudge_gradient(params, "b1[0]", x, y, 1e-6)
    assert abs(at_half - tiny) > 0.01        # the case tells eps = 0.5 from a fixed small eps
    checks.check_nudge_gradient(_my_nudge_gradient)   # an answer written here, using eps, passes
    assert capsys.readouterr().out.startswith("✔")


# ----------------------------------------------------------------------------------------------
# 4. "X is not written yet" names the function that really is unfinished
# ----------------------------------------------------------------------------------------------

STUB = '    """..."""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n'


def test_zero_gradient_labels_over_an_unfinished_nudge_gradient():
    namespace = _define("def nudge_gradient(params, label, x, y, eps):\n" + STUB +
                        "def zero_gradient_labels(params, x, y):\n"
                        "    return [l for l in h.param_labels(params)\n"
                        "            if abs(nudge_gradient(params, l, x, y, 1e-4)) < 1e-9]\n")
    message = _fails(checks.check_zero_gradient_labels, namespace["zero_gradient_labels"])
    assert "zero_gradient_labels calls nudge_gradient, which is not written yet" in message, message
    assert "finish nudge_gradient first" in message
    assert "zero_gradient_labels is not written yet" not in message


def test_descend_over_an_unfinished_gd_step():
    namespace = _define("def gd_step(params, grads, lr):\n" + STUB +
                        "def descend(params, x, y, lr, steps):\n"
                        "    losses = [h.loss(params, x, y)]\n"
                        "    for _ in range(steps):\n"
                        "        params = gd_step(params, h.backprop(params, x, y), lr)\n"
                        "        losses.append(h.loss(params, x, y))\n"
                        "    return params, losses\n")
    message = _fails(checks.check_descend, namespace["descend"])
    assert "descend calls gd_step, which is not written yet" in message, message
    assert "finish gd_step first" in message


def test_train_chapter7_over_an_unfinished_descend():
    namespace = _define("def descend(params, x, y, lr, steps):\n" + STUB +
                        "def train_chapter7():\n    x, y = h.example()\n"
                        "    return descend(h.load_params(), x, y, 0.1, 100)\n")
    message = _fails(checks.check_train_chapter7, namespace["train_chapter7"])
    assert "train_chapter7 calls descend, which is not written yet" in message, message
    assert "finish descend first" in message


# ----------------------------------------------------------------------------------------------
# 5. Ignoring x and y, or summing the loss, is named as such
# ----------------------------------------------------------------------------------------------

def test_descend_on_the_chapters_example_instead_of_x_y():
    def descend(params, x, y, lr, steps):
        return _my_descend(params, *h.example(), lr, steps)
    message = _fails(checks.check_descend, descend)
    assert "use the arguments x and y" in message, message
    assert "params you started from" not in message


def test_descend_whose_gradient_ignores_x_y():
    def descend(params, x, y, lr, steps):
        ex, ey = h.example()
        losses = [_my_loss(params, x, y)]
        for _ in range(steps):
            params = _my_step(params, h.backprop(params, ex, ey), lr)
            losses.append(_my_loss(params, x, y))
        return params, losses
    message = _fails(checks.check_descend, descend)
    assert "use the arguments x and y" in message, message


def test_descend_with_a_summed_loss():
    def descend(params, x, y, lr, steps):
        params, losses = _my_descend(params, x, y, lr, steps)
        return params, [loss * np.size(y) for loss in losses]     # sum of squared errors
    message = _fails(checks.check_descend, descend)
    assert "the mean" in message and "not the sum" in message, message
    assert "params you started from" not in message
    first = _my_loss(h.load_params(), *h.example())
    assert f"{first:.4g}" in message and f"{4 * first:.4g}" in message


def test_nudge_gradient_on_the_chapters_example_instead_of_x_y():
    def nudge_gradient(params, label, x, y, eps):
        return _my_nudge_gradient(params, label, *h.example(), eps)
    message = _fails(checks.check_nudge_gradient, nudge_gradient)
    assert "use the arguments x and y" in message, message
    assert "Did you nudge the weight" not in message


def test_nudge_gradient_with_a_summed_loss():
    def nudge_gradient(params, label, x, y, eps):
        return np.size(y) * _my_nudge_gradient(params, label, x, y, eps)
    message = _fails(checks.check_nudge_gradient, nudge_gradient)
    assert "not the sum" in message, message


def test_zero_gradient_labels_on_the_chapters_example_instead_of_x_y():
    def zero_gradient_labels(params, x, y):
        ex, ey = h.example()
        return [lab for lab in h.param_labels(params) if abs(_my_nudge_gradient(params, lab, ex, ey, 1e-4)) < 1e-9]
    message = _fails(checks.check_zero_gradient_labels, zero_gradient_labels)
    assert "use the arguments x and y" in message, message
    assert "misses" not in message


# ----------------------------------------------------------------------------------------------
# 6. A negative learning rate is named
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lr, steps", [(-0.001, 5), (-0.01, 50)])
def test_train_chapter7_with_a_negative_learning_rate(lr, steps):
    def train_chapter7():
        return _my_descend(h.load_params(), *h.example(), lr, steps)
    message = _fails(checks.check_train_chapter7, train_chapter7)
    assert "positive" in message and "negative" in message, message
    assert "SMALLER" not in message and "smaller" not in message


# ----------------------------------------------------------------------------------------------
# 7. gd_step: nearly lr is not called "lr"
# ----------------------------------------------------------------------------------------------

def test_gd_step_a_hair_off_lr_shows_two_different_numbers():
    def gd_step(params, grads, lr):
        return {k: params[k] - lr * grads[k] * (1 + 1e-5) for k in params}
    message = _fails(checks.check_gd_step, gd_step)
    number = r"([0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?)"
    said = re.search(rf"moved by {number} × its gradient.*?lr = {number}", message, re.S)
    assert said, message
    used, lr = said.groups()
    assert used != lr and float(used) != float(lr), message
    assert math.isclose(float(used), float(lr) * (1 + 1e-5), rel_tol=1e-9)


# ----------------------------------------------------------------------------------------------
# 8. Arguments in another order
# ----------------------------------------------------------------------------------------------

def test_nudge_gradient_with_its_arguments_reordered():
    def nudge_gradient(params, x, y, label, eps):
        return _my_nudge_gradient(params, label, x, y, eps)
    message = _fails(checks.check_nudge_gradient, nudge_gradient)
    assert "def nudge_gradient(params, label, x, y, eps)" in message and "Keep the first line" in message
    assert "ambiguous" not in message


def test_parse_label_names_a_label_that_is_not_text():
    with pytest.raises(ValueError, match=r"label must be a name in quotes.*ndarray"):
        h.parse_label(np.array([1.0, 0.0, 1.0, 1.0]), h.load_params())


# ----------------------------------------------------------------------------------------------
# 9. train_chapter7: one loss per step
# ----------------------------------------------------------------------------------------------

def test_train_chapter7_returning_only_the_first_and_last_loss():
    def train_chapter7():
        params, losses = _my_descend(h.load_params(), *h.example(), 0.1, 100)
        return params, [losses[0], losses[-1]]
    message = _fails(checks.check_train_chapter7, train_chapter7)
    assert "100 steps" in message and "101" in message and "one loss" in message, message


def test_train_chapter7_speaks_of_1_step_not_1_steps(monkeypatch, capsys):
    monkeypatch.setattr(checks, "TARGET_LOSS", 1.0)   # so that one step is enough to pass
    checks.check_train_chapter7(lambda: _my_descend(h.load_params(), *h.example(), 0.1, 1))
    out = capsys.readouterr().out
    assert "in 1 step," in out and "1 steps" not in out, out


def test_train_chapter7_may_take_a_gradient_twice_or_at_the_end(capsys):
    """A right answer that takes the gradient twice at each point, or once more at the end (to look
    at it), took the same steps: it is not told it returned too few losses."""
    def train_chapter7():
        params, (x, y) = h.load_params(), h.example()
        losses = [_my_loss(params, x, y)]
        for _ in range(40):
            h.backprop(params, x, y)                        # a look first
            grads = h.backprop(params, x, y)
            params = {k: params[k] - 0.1 * grads[k] for k in h.PARAM_NAMES}
            losses.append(_my_loss(params, x, y))
        h.backprop(params, x, y)                            # and a look at the end
        return params, losses
    checks.check_train_chapter7(train_chapter7)
    assert "in 40 steps, never up: it went down on every step." in capsys.readouterr().out


@pytest.mark.parametrize("lr, steps", [(0.4, 100), (0.2, 150), (0.3, 200), (0.5, 200)])
def test_train_chapter7_whose_weights_stop_changing_still_passes(lr, steps, capsys):
    """Once the loss reaches the rounding floor the weights stop moving, so later gradients are
    taken at one point again and again: those are still steps, and the answer is right."""
    params, losses = _my_descend(h.load_params(), *h.example(), lr, steps)
    assert len(losses) == steps + 1 and np.all(np.diff(losses) <= 1e-12)      # a right answer
    checks.check_train_chapter7(lambda: _my_descend(h.load_params(), *h.example(), lr, steps))
    out = capsys.readouterr().out
    assert f"in {steps} steps, never up" in out, out


def test_train_chapter7_says_when_the_loss_stopped_falling(capsys):
    """The ✔ line says 'on every step' only when every step fell (at η = 0.3 the loss reaches the
    rounding floor and stays there)."""
    lr, steps = 0.3, 100
    _, losses = _my_descend(h.load_params(), *h.example(), lr, steps)
    flat = int(np.sum(np.diff(losses) >= 0))
    assert flat > 0
    checks.check_train_chapter7(lambda: _my_descend(h.load_params(), *h.example(), lr, steps))
    out = capsys.readouterr().out
    assert "on every step until" in out and "downhill every time" not in out, out


def test_train_chapter7_returning_every_loss_twice():
    def train_chapter7():
        params, losses = _my_descend(h.load_params(), *h.example(), 0.1, 50)
        return params, [losses[0]] + [v for v in losses[1:] for _ in range(2)]
    message = _fails(checks.check_train_chapter7, train_chapter7)
    assert "took at most 50 steps" in message and "only 50 times" in message, message

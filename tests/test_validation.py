"""Bad input gets a clear error at the edge; nothing the caller passed in is changed."""

import hashlib
from pathlib import Path

import numpy as np
import pytest

import helpers as h

X1, Y1 = h.example()


def good():
    return h.load_params()


def with_(key, value):
    params = good()
    params[key] = value
    return params


def without(key):
    params = good()
    del params[key]
    return params


BAD_PARAMS = [
    (None, TypeError, "params must be a dict"),
    ([1, 2, 3], TypeError, "params must be a dict"),
    (without("W1"), KeyError, 'missing "W1"'),
    (without("b2"), KeyError, 'missing "b2"'),
    ({**good(), "W3": np.zeros(2)}, ValueError, "unexpected keys"),
    (with_("W1", np.zeros((4, 3))), ValueError, r"b1 must have shape \(4,\)"),
    (with_("W1", np.zeros(12)), ValueError, "W1 must be a 2-D matrix"),
    (with_("b1", np.zeros(4)), ValueError, r"b1 must have shape \(3,\)"),
    (with_("W2", np.zeros((4, 2))), ValueError, r"W2 must have shape \(4, 3\)"),
    (with_("b2", np.zeros(3)), ValueError, r"b2 must have shape \(4,\)"),
    (with_("W1", [["a"] * 4] * 3), TypeError, "W1 must contain real numbers"),
    (with_("b1", "0.1"), TypeError, "b1 must be an array of numbers"),
    (with_("b1", None), TypeError, "b1 must be an array of numbers"),
    (with_("b1", [0.1, [0.2], 0.3]), ValueError, "b1 must be a rectangular array"),
    (with_("b1", np.array([0.1, np.nan, 0.3])), ValueError, "b1 must be finite"),
    (with_("W2", np.full((4, 3), np.inf)), ValueError, "W2 must be finite"),
    (with_("b2", np.array([1j, 0, 0, 0])), TypeError, "b2 must contain real numbers"),
]


@pytest.mark.parametrize("params, error, message", BAD_PARAMS)
@pytest.mark.parametrize("call", [
    lambda p: h.forward(p, X1),
    lambda p: h.loss(p, X1, Y1),
    lambda p: h.backprop(p, X1, Y1),
    lambda p: h.numerical_gradient(p, X1, Y1),
    lambda p: h.train(p, X1, Y1, 0.1, 3),
    lambda p: h.gd_step(p, h.backprop(good(), X1, Y1), 0.1),
    lambda p: h.gd_step(good(), p, 0.1),
    lambda p: h.count_params(p),
], ids=["forward", "loss", "backprop", "numerical_gradient", "train", "gd_step", "gd_step-grads",
        "count_params"])
def test_bad_params_are_named(call, params, error, message):
    with pytest.raises(error, match=message):
        call(params)


@pytest.mark.parametrize("x, error, message", [
    (np.zeros(3), ValueError, r"x must have shape \(4,\) or \(n, 4\); got \(3,\)"),
    (np.zeros((2, 5)), ValueError, r"got \(2, 5\)"),
    (np.zeros((0, 4)), ValueError, r"got \(0, 4\)"),
    (np.zeros((2, 2, 4)), ValueError, r"got \(2, 2, 4\)"),
    (5.0, ValueError, r"got \(\)"),
    ("1011", TypeError, "x must be an array of numbers"),
    ([1, None, 1, 1], TypeError, "x must contain real numbers"),
    ([1, np.nan, 1, 1], ValueError, "x must be finite"),
])
def test_bad_x_is_named(x, error, message):
    with pytest.raises(error, match=message):
        h.forward(good(), x)
    with pytest.raises(error, match=message):
        h.backprop(good(), x, Y1)


@pytest.mark.parametrize("y, message", [
    (np.zeros(3), r"y must have shape \(4,\) to match the prediction; got \(3,\)"),
    (np.zeros((1, 4)), r"got \(1, 4\)"),
    ([1, 1, np.inf, 1], "y must be finite"),
])
def test_bad_y_is_named(y, message):
    for call in (h.loss, h.backprop, h.numerical_gradient):
        with pytest.raises(ValueError, match=message):
            call(good(), X1, y)
    with pytest.raises(ValueError, match=message):
        h.train(good(), X1, y, 0.1, 1)


def test_batch_targets_must_match_the_batch():
    X, Y = h.dataset()
    with pytest.raises(ValueError, match=r"y must have shape \(16, 4\)"):
        h.loss(good(), X, Y[:3])


@pytest.mark.parametrize("lr, error, message", [
    (-0.1, ValueError, "must be >= 0"),
    (float("nan"), ValueError, "finite number"),
    (float("inf"), ValueError, "finite number"),
    ("0.1", TypeError, "must be a number"),
    (None, TypeError, "must be a number"),
    (True, TypeError, "must be a number"),
    (np.array([0.1, 0.2]), TypeError, "must be a number"),
])
def test_bad_learning_rates_are_named(lr, error, message):
    grads = h.backprop(good(), X1, Y1)
    with pytest.raises(error, match=message):
        h.gd_step(good(), grads, lr)
    with pytest.raises(error, match=message):
        h.train(good(), X1, Y1, lr, 10)


@pytest.mark.parametrize("steps, error", [
    (-1, ValueError), (2.5, TypeError), ("10", TypeError), (None, TypeError), (True, TypeError),
])
def test_bad_step_counts_are_named(steps, error):
    with pytest.raises(error, match="steps must be a whole number >= 0"):
        h.train(good(), X1, Y1, 0.1, steps)


def test_whole_number_floats_and_numpy_integers_are_fine_step_counts():
    assert len(h.train(good(), X1, Y1, 0.1, 3.0).losses) == 4
    assert len(h.train(good(), X1, Y1, np.float32(0.1), np.int64(3)).losses) == 4


@pytest.mark.parametrize("eps, error", [(0.0, ValueError), (-1e-6, ValueError),
                                        (float("nan"), ValueError), ("1e-6", TypeError)])
def test_bad_eps_is_named(eps, error):
    with pytest.raises(error, match="eps"):
        h.numerical_gradient(good(), X1, Y1, eps=eps)


def test_plain_lists_and_integers_are_accepted():
    params = {k: v.tolist() for k, v in good().items()}
    assert h.forward(params, [1, 0, 1, 1]).tolist() == h.forward(good(), X1).tolist()


@pytest.mark.parametrize("bad", [{"n_hidden": 0}, {"n_hidden": 2.5}, {"n_hidden": "3"}, {"seed": -1}])
def test_init_params_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="must be a whole number"):
        h.init_params(**bad)


def test_bad_labels_say_what_a_label_looks_like():
    with pytest.raises(ValueError, match=r'"W1\[3,0\]" is not a parameter: use a name like'):
        h.nudged(good(), "W1[3,0]", 0.1)


def test_mse_checks_shapes():
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        h.mse(np.zeros(4), np.zeros(3))


def snapshot(*arrays_or_dicts):
    out = []
    for item in arrays_or_dicts:
        if isinstance(item, dict):
            out.append({k: np.array(v, copy=True) for k, v in item.items()})
        else:
            out.append(np.array(item, copy=True))
    return out


def assert_same(before, after):
    for a, b in zip(before, after):
        if isinstance(a, dict):
            assert a.keys() == b.keys()
            for key in a:
                assert np.array_equal(a[key], b[key]), key
        else:
            assert np.array_equal(a, b)


def test_no_function_changes_its_inputs():
    params = good()
    X, Y = h.dataset()
    grads = h.backprop(params, X, Y)
    inputs = (params, grads, X, Y, X1, Y1)
    before = snapshot(*inputs)
    h.forward(params, X)
    h.hidden(params, X1)
    h.loss(params, X, Y)
    h.mse(h.forward(params, X), Y)
    h.backprop(params, X1, Y1)
    h.numerical_gradient(params, X, Y)
    h.gd_step(params, grads, 0.1)
    result = h.train(params, X, Y, 0.1, 30)
    h.train(params, X1, Y1, 10.0, 30)
    h.nudged(params, "W1[0,0]", 1.0)
    h.flatten(params)
    h.copy_params(params)
    assert_same(before, snapshot(*inputs))
    # Results are not views of the inputs either: changing them leaves the inputs alone.
    result.params["W1"][:] = 0
    h.gd_step(params, grads, 0.0)["W1"][:] = 0
    assert_same(before, snapshot(*inputs))


def test_the_api_never_writes_to_data():
    folder = Path(__file__).resolve().parents[1] / "data"

    def digest():
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
                if p.is_file()}

    before = digest()
    params = h.load_params()
    params["W1"][:] = 1.0
    h.train(h.load_params(), X1, Y1, 0.1, 10)
    assert digest() == before

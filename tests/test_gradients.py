"""Backpropagation against central differences, and the chapter's three gradient examples."""

import numpy as np
import pytest

import helpers as h


def assert_close_grads(a, b, rtol=1e-6, atol=1e-8):
    assert set(a) == set(b) == set(h.PARAM_NAMES)
    for key in h.PARAM_NAMES:
        assert a[key].shape == b[key].shape, key
        np.testing.assert_allclose(a[key], b[key], rtol=rtol, atol=atol, err_msg=key)


def away_from_kinks(params, x, margin=1e-3):
    """True when no hidden pre-activation sits within `margin` of ReLU's kink (where
    finite differences straddle two slopes and cannot be compared with the derivative)."""
    z, _ = h.hidden(params, x)
    return np.all(np.abs(z) > margin)


def test_backprop_matches_numerical_gradient_on_all_31_chapter_parameters():
    params = h.load_params()
    x, y = h.example()
    assert_close_grads(h.backprop(params, x, y), h.numerical_gradient(params, x, y))


@pytest.mark.parametrize("n_hidden", [1, 2, 3, 8, 25])
@pytest.mark.parametrize("batch", [False, True])
def test_backprop_matches_numerical_gradient_on_random_networks(n_hidden, batch):
    rng = np.random.default_rng(n_hidden)
    params = h.init_params(n_hidden, seed=n_hidden)
    params["b1"] = rng.normal(0, 0.3, size=n_hidden)
    params["b2"] = rng.normal(0, 0.3, size=4)
    x = rng.normal(size=(6, 4) if batch else 4)
    y = rng.normal(size=x.shape)
    assert away_from_kinks(params, x)
    assert_close_grads(h.backprop(params, x, y), h.numerical_gradient(params, x, y))


def test_output_bias_gradient_is_the_chain_rule_by_hand():
    # ∂L/∂b2_i = ∂/∂ŷ_i of mean((ŷ - y)²) = 2 (ŷ_i - y_i) / 4, with the chapter's ŷ.
    grads = h.backprop(h.load_params(), *h.example())
    expected = [2 * (0.1 - 1) / 4, 2 * (-0.1 - 1) / 4, 2 * (-0.05 - 0) / 4, 2 * (-0.25 - 1) / 4]
    np.testing.assert_allclose(grads["b2"], expected, atol=1e-12)


def test_the_chapters_three_gradient_examples():
    params = h.load_params()
    x, y = h.example()
    grads = h.backprop(params, x, y)
    labels = h.param_labels(params)
    flat = h.flatten(grads)
    # Positive (+0.44): some parameter of this network has exactly that gradient to two decimals.
    assert "W1[1,0]" in [label for label, g in zip(labels, flat) if round(g, 2) == 0.44]
    # Negative (−0.55): the bias of output pixel 1.
    assert round(grads["b2"][1], 2) == -0.55
    # Zero: every weight leaving the dark pixel b (x[1] = 0) ...
    assert x[1] == 0 and np.all(grads["W1"][:, 1] == 0.0)
    # ... and everything attached to the dead hidden unit (z < 0).
    z, _ = h.hidden(params, x)
    dead = z < 0
    assert dead.any()
    assert np.all(grads["W1"][dead] == 0.0) and np.all(grads["b1"][dead] == 0.0)
    assert np.all(grads["W2"][:, dead] == 0.0)


def test_numerical_gradient_costs_exactly_two_forward_passes_per_parameter():
    for params in (h.load_params(), h.init_params(10, seed=2)):
        x, y = h.example()
        with h.count_forward_passes() as passes:
            h.numerical_gradient(params, x, y)
        assert passes.n == 2 * h.count_params(params)
    with h.count_forward_passes() as passes:
        h.backprop(h.load_params(), x, y)
    assert passes.n == 1


def test_numerical_gradient_of_a_quadratic_is_exact_for_any_eps():
    # The loss is quadratic in b2, so central differences are exact whatever eps is.
    params = h.load_params()
    x, y = h.example()
    for eps in (1e-3, 0.1, 1.0):
        np.testing.assert_allclose(h.numerical_gradient(params, x, y, eps=eps)["b2"],
                                   h.backprop(params, x, y)["b2"], atol=1e-9)

"""Forward pass, loss and parameter bookkeeping, checked against the chapter and against
a forward pass written out with plain Python loops."""

import numpy as np
import pytest

import helpers as h


def forward_by_hand(params, x):
    """The forward pass with scalar loops only: z_j = Σ_k W1[j,k] x_k + b1_j, h = max(z, 0), ..."""
    W1, b1, W2, b2 = (params[k].tolist() for k in h.PARAM_NAMES)
    z = [sum(W1[j][k] * x[k] for k in range(len(x))) + b1[j] for j in range(len(b1))]
    hid = [max(v, 0.0) for v in z]
    return [sum(W2[i][j] * hid[j] for j in range(len(hid))) + b2[i] for i in range(len(b2))]


def test_forward_gives_the_chapter_prediction():
    params = h.load_params()
    x, _ = h.example()
    # Chapter 7's table, as printed in the chapter text.
    assert np.allclose(h.forward(params, x), [0.1, -0.1, -0.05, -0.25], rtol=0, atol=1e-12)


def test_forward_matches_scalar_loops_on_random_networks():
    rng = np.random.default_rng(1)
    for n_hidden in (1, 3, 8):
        params = h.init_params(n_hidden, seed=n_hidden)
        x = rng.normal(size=4)
        assert np.allclose(h.forward(params, x), forward_by_hand(params, x.tolist()), atol=1e-12)


def test_batch_forward_equals_one_example_at_a_time():
    params = h.init_params(5, seed=3)
    X, _ = h.dataset()
    batch = h.forward(params, X)
    assert batch.shape == (16, 4)
    for x, row in zip(X, batch):
        assert np.allclose(row, h.forward(params, x), atol=1e-14)


def test_chapter_loss_prints_as_0_896():
    params = h.load_params()
    x, y = h.example()
    # MSE by hand from the chapter's prediction: ((0.1-1)² + (-0.1-1)² + (-0.05)² + (-0.25-1)²) / 4
    by_hand = (0.81 + 1.21 + 0.0025 + 1.5625) / 4
    assert h.loss(params, x, y) == pytest.approx(by_hand, abs=1e-12)
    assert f"{h.loss(params, x, y):.3f}" == "0.896"


def test_mse_is_the_mean_over_every_entry():
    y_hat = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]])
    y = np.zeros((2, 4))
    assert h.mse(y_hat, y) == pytest.approx((1 + 4 + 9 + 16) / 8)
    assert h.mse([3.0], [1.0]) == 4.0


def test_batch_loss_is_the_mean_of_per_example_losses():
    params = h.init_params(4, seed=7)
    X, Y = h.dataset()
    assert h.loss(params, X, Y) == pytest.approx(np.mean([h.loss(params, x, y) for x, y in zip(X, Y)]))


def test_chapter_network_has_31_parameters():
    params = h.load_params()
    assert h.count_params(params) == 3 * 4 + 3 + 4 * 3 + 4 == 31
    assert h.count_params(h.init_params(300)) == 300 * 4 + 300 + 4 * 300 + 4


def test_hidden_layer_of_the_chapter_network_has_one_dead_unit():
    z, hid = h.hidden(h.load_params(), h.example()[0])
    assert np.array_equal(hid, np.maximum(z, 0))
    assert (z > 0).sum() == 2 and hid[z <= 0].tolist() == [0.0]


def test_init_params_is_reproducible_and_seed_dependent():
    a, b, c = h.init_params(3, seed=0), h.init_params(3, seed=0), h.init_params(3, seed=1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])
    assert {k: v.shape for k, v in h.init_params(7).items()} == {
        "W1": (7, 4), "b1": (7,), "W2": (4, 7), "b2": (4,)}


def test_labels_flatten_and_nudge_agree():
    params = h.load_params()
    labels = h.param_labels(params)
    assert len(labels) == 31 and labels[0] == "W1[0,0]" and labels[-1] == "b2[3]"
    theta = h.flatten(params)
    assert theta[labels.index("W1[1,0]")] == params["W1"][1, 0]
    assert theta[labels.index("b2[1]")] == params["b2"][1]
    back = h.unflatten(theta, params)
    assert all(np.array_equal(back[k], params[k]) for k in params)
    moved = h.nudged(params, "W2[3,1]", 0.25)
    diff = h.flatten(moved) - theta
    assert np.count_nonzero(diff) == 1 and diff[labels.index("W2[3,1]")] == pytest.approx(0.25)
    assert h.parse_label("W2[3,1]", params) == ("W2", (3, 1))


def test_count_forward_passes_counts_only_inside_the_block():
    params = h.load_params()
    x, _ = h.example()
    with h.count_forward_passes() as passes:
        for _ in range(5):
            h.forward(params, x)
    h.forward(params, x)
    assert passes.n == 5

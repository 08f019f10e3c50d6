"""The update rule, the training loop, divergence and the learning-rate verdicts."""

import math
import warnings

import numpy as np
import pytest

import helpers as h


def test_gd_step_is_w_minus_lr_times_gradient():
    params = h.load_params()
    grads = h.backprop(params, *h.example())
    new = h.gd_step(params, grads, 0.1)
    for key in h.PARAM_NAMES:
        np.testing.assert_allclose(new[key], params[key] - 0.1 * grads[key], atol=0)
    # By hand for one weight: W1[1,0] = 0.48 and its gradient is 0.439.
    assert new["W1"][1, 0] == pytest.approx(0.48 - 0.1 * 0.439, abs=1e-12)


def test_one_step_at_eta_0_1_lowers_the_loss_and_a_plus_sign_raises_it():
    params = h.load_params()
    x, y = h.example()
    grads = h.backprop(params, x, y)
    before = h.loss(params, x, y)
    assert h.loss(h.gd_step(params, grads, 0.1), x, y) < before
    uphill = {k: params[k] + 0.1 * grads[k] for k in params}
    assert h.loss(uphill, x, y) > before


@pytest.mark.parametrize("batch", [False, True])
def test_train_equals_the_loop_written_with_backprop_and_gd_step(batch):
    params = h.load_params()
    x, y = h.dataset() if batch else h.example()
    result = h.train(params, x, y, 0.1, 20)
    current, losses = params, []
    for _ in range(20):
        losses.append(h.loss(current, x, y))
        current = h.gd_step(current, h.backprop(current, x, y), 0.1)
    losses.append(h.loss(current, x, y))
    np.testing.assert_allclose(result.losses, losses, rtol=1e-12)
    for key in h.PARAM_NAMES:
        np.testing.assert_allclose(result.params[key], current[key], rtol=1e-12, atol=1e-15)
    assert not result.diverged and result.losses.shape == (21,)



@pytest.mark.parametrize("steps", [0, 1, 7, 100])
def test_train_runs_the_packages_own_forward_pass_once_per_loss(steps):
    """The loop is the chapter's: one forward pass per step (backprop reuses it), plus the one that
    measures the loss after the last step: k + 1 in all, counted by the package's own counter."""
    params = h.load_params()
    x, y = h.example()
    with h.count_forward_passes() as passes:
        result = h.train(params, x, y, 0.1, steps=steps)
    assert passes.n == steps + 1 == result.losses.size


def test_a_run_that_explodes_stops_its_forward_passes_there():
    with h.count_forward_passes() as passes:
        result = h.train(h.load_params(), *h.example(), 10.0, steps=100)
    assert result.diverged and passes.n == result.losses.size < 101

def test_trajectory_records_parameters_before_each_step():
    params = h.load_params()
    x, y = h.example()
    result = h.train(params, x, y, 0.1, 7)
    assert result.trajectory["W1"].shape == (8, 3, 4) and result.trajectory["b2"].shape == (8, 4)
    for key in h.PARAM_NAMES:
        assert np.array_equal(result.trajectory[key][0], params[key])
        assert np.array_equal(result.trajectory[key][-1], result.params[key])
    for k in (0, 3, 7):
        at_k = {key: result.trajectory[key][k] for key in h.PARAM_NAMES}
        assert result.losses[k] == pytest.approx(h.loss(at_k, x, y), rel=1e-12)


def test_zero_steps_and_zero_rate():
    params = h.load_params()
    x, y = h.example()
    assert h.train(params, x, y, 0.1, 0).losses.tolist() == [h.loss(params, x, y)]
    flat = h.train(params, x, y, 0.0, 5)
    assert np.all(flat.losses == flat.losses[0])


@pytest.mark.parametrize("lr", [10.0, 1e6])
def test_huge_rates_diverge_quietly(lr):
    x, y = h.example()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = h.train(h.load_params(), x, y, lr, 1000)
    assert result.diverged
    assert len(result.losses) < 1001                      # it stopped there
    assert result.losses[-1] > 1e6 * result.losses[0] or not np.isfinite(result.losses[-1])
    assert h.verdict(result.losses, result.diverged) == "diverged"


def test_a_run_to_nan_is_diverged_not_a_crash():
    params = h.init_params(50, seed=0)
    x, y = h.example()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = h.train(params, x * 1e100, y, 1e100, 50)
    assert result.diverged


def test_the_chapters_four_learning_rates():
    params = h.load_params()
    x, y = h.example()
    runs = {lr: h.train(params, x, y, lr, 100) for lr in (0.001, 0.1, 1.0, 10.0)}
    slow, good, big, huge = runs.values()
    # 0.001: still going down after 100 steps, but has not even halved the loss.
    assert np.all(np.diff(slow.losses) < 0) and slow.losses[-1] > 0.5 * slow.losses[0]
    # 0.1: steady descent to (almost) zero loss, and the image comes out flipped.
    assert np.all(np.diff(good.losses) < 0) and good.final_loss < 1e-6
    assert np.array_equal(np.round(h.forward(good.params, x)), y)
    # 1.0: overshoots (the loss goes up on some step) but does not blow up.
    assert np.any(np.diff(big.losses) > 0) and not big.diverged
    # 10.0: explodes.
    assert huge.diverged
    assert [h.verdict(r.losses, r.diverged) for r in runs.values()] == [
        "too slow", "steady", "unstable", "diverged"]


def test_verdict_reads_the_numbers():
    assert h.verdict([1.0, 0.9, 0.8]) == "too slow"
    assert h.verdict([1.0, 0.5, 0.1]) == "steady"
    assert h.verdict([1.0, 0.2, 0.3, 0.01]) == "unstable"
    assert h.verdict([1.0, np.inf]) == "diverged"
    assert h.verdict([1.0, 2.0], diverged=True) == "diverged"
    # rose and bounded, but not well below the start: a failed run, not "unstable"
    assert h.verdict([1.0, 100.0, 20.0]) == "diverged"
    assert h.verdict([1.0, 0.2, 0.3, 1.0]) == "diverged"
    assert h.verdict([1.0, 0.2, 0.3, 0.8]) == "diverged"
    assert h.verdict([1.0, 0.2, 0.3, 0.5]) == "unstable"



def test_the_steps_that_rose_are_the_one_rule_the_verdict_uses():
    from helpers.training import RISE, steps_that_rose
    losses = [1.0, 0.5, 0.5 + RISE / 10, 0.7, 0.6, 0.6, 0.9, 0.1]
    # worked out by hand: step 2 rises by rounding noise only; steps 3 and 6 really go up
    assert steps_that_rose(losses).tolist() == [3, 6]
    assert steps_that_rose([1.0, 0.5, 0.5 + RISE / 10, 0.1]).size == 0
    assert h.verdict([1.0, 0.5, 0.5 + RISE / 10, 0.1]) == "steady"
    assert steps_that_rose([1.0]).size == 0

def _never_rose(losses) -> bool:
    return all(later - earlier <= 1e-12 for earlier, later in zip(losses, losses[1:]))


def test_every_verdict_over_400_learning_rates_is_true_of_its_run():
    """The chapter's four regimes, read off the losses of 100 steps from the Chapter-7 weights on the
    example, at 400 log-spaced η from 0.001 to 10: each label is checked against its definition,
    computed here from the losses alone (plain Python, not the helpers' code)."""
    params = h.load_params()
    x, y = h.example()
    seen = set()
    for lr in np.logspace(-3, 1, 400):
        run = h.train(params, x, y, float(lr), 100)
        losses = [float(v) for v in run.losses]
        first, last = losses[0], losses[-1]
        blew_up = any(not math.isfinite(v) or v > 1e6 * first for v in losses)
        rose = not _never_rose(losses)
        well_below = last <= 0.5 * first               # "ended well below where it started"
        word = h.verdict(run.losses, run.diverged)
        seen.add(word)
        where = f"η = {lr:.4g}: {word}, losses {losses[0]:.3g} → max {max(losses):.3g} → {last:.3g}"
        if word in ("too slow", "steady"):
            assert not rose and not blew_up, where
            assert well_below == (word == "steady"), where
        elif word == "unstable":
            assert rose and well_below and not blew_up, where
        else:
            assert word == "diverged", where
            assert blew_up or (rose and not well_below), where
        if rose and not blew_up:
            # no run that went up ends anywhere near its start: the bar of "well below" is not a knife-edge
            assert last < 1e-3 * first or last > first, where
        # the label promises the run is usable exactly when the run ended low
        assert (word in ("steady", "unstable")) == (not blew_up and well_below), where
    assert seen == {"too slow", "steady", "unstable", "diverged"}


def test_near_eta_4_a_bounded_run_that_ends_above_its_start_is_diverged():
    """The mislabel that was: the loss climbs to ~100 and ends many times its start, yet never
    reaches the explosion bar, so training never stops."""
    x, y = h.example()
    run = h.train(h.load_params(), x, y, 3.98, 100)
    assert not run.diverged and run.final_loss > run.losses[0]
    assert h.verdict(run.losses, run.diverged) == "diverged"
    with pytest.raises(ValueError, match="losses"):
        h.verdict([])

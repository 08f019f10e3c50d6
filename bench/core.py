"""Speed ratios of the helpers' maths, measured side by side in one run (not a test).

    python bench/core.py

Prints, with the goal each ratio is held to:
  1. backprop / forward on the chapter network           goal: at most 3
  2. numerical gradient / backprop, n_hidden 3 → 300       goal: at least 15 at 31 parameters
  3. torch autograd loop / h.train, 1000 steps            goal: at least 8 (only if torch imports)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import helpers as h  # noqa: E402


def per_call(function, min_seconds: float = 0.05) -> float:
    """Seconds per call: the median of 7 batches, each batch long enough to time reliably."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            function()
        if time.perf_counter() - start > min_seconds / 7:
            break
        n *= 2
    samples = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(n):
            function()
        samples.append((time.perf_counter() - start) / n)
    return statistics.median(samples)


def side_by_side(a, b) -> tuple[float, float]:
    """Time a and b alternately (three rounds each) so drift on the machine hits both alike."""
    ta, tb = [], []
    for _ in range(3):
        ta.append(per_call(a))
        tb.append(per_call(b))
    return min(ta), min(tb)


def torch_train(params, x, y, lr, steps):
    """The same training loop written with PyTorch autograd (the reference for ratio 3)."""
    import torch
    W1, b1, W2, b2 = (torch.tensor(params[k], requires_grad=True) for k in h.PARAM_NAMES)
    xt, yt = torch.tensor(x), torch.tensor(y)
    losses = []
    for _ in range(steps):
        y_hat = W2 @ torch.relu(W1 @ xt + b1) + b2
        loss = ((y_hat - yt) ** 2).mean()
        losses.append(loss.item())
        for p in (W1, b1, W2, b2):
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in (W1, b1, W2, b2):
                p -= lr * p.grad
    return losses


def main() -> None:
    params = h.load_params()
    x, y = h.example()
    print("Downhill core benchmark (chapter network: 31 parameters, one example)\n")

    t_forward, t_backprop = side_by_side(lambda: h.forward(params, x), lambda: h.backprop(params, x, y))
    ratio = t_backprop / t_forward
    print(f"1. backprop / forward: {t_backprop * 1e6:.1f} µs / {t_forward * 1e6:.1f} µs = "
          f"{ratio:.2f}   (goal ≤ 3: {'met' if ratio <= 3 else 'MISSED'})")

    print("\n2. numerical gradient / backprop, as the network grows")
    print(f"   {'n_hidden':>8} {'params':>7} {'fwd passes':>10} {'numerical':>11} {'backprop':>10} {'ratio':>8}")
    for n_hidden in (3, 10, 30, 100, 300):
        p = params if n_hidden == 3 else h.init_params(n_hidden, seed=0)
        t_num, t_bp = side_by_side(lambda: h.numerical_gradient(p, x, y), lambda: h.backprop(p, x, y))
        with h.count_forward_passes() as passes:
            h.numerical_gradient(p, x, y)
        note = ""
        if n_hidden == 3:
            note = f"   (goal ≥ 15 at 31 parameters: {'met' if t_num / t_bp >= 15 else 'MISSED'})"
        print(f"   {n_hidden:>8} {h.count_params(p):>7} {passes.n:>10} {t_num * 1e3:>9.2f}ms "
              f"{t_bp * 1e6:>8.1f}µs {t_num / t_bp:>8.0f}{note}")

    print("\n3. 1000 training steps at η = 0.1: PyTorch autograd / h.train")
    try:
        import torch
    except ImportError:
        print("   skipped: torch is not importable (it is not a dependency; `pip install torch` to compare)")
        return
    torch.set_num_threads(1)
    t_ours, t_torch = side_by_side(lambda: h.train(params, x, y, 0.1, 1000),
                                   lambda: torch_train(params, x, y, 0.1, 1000))
    ours = h.train(params, x, y, 0.1, 1000).losses[:-1]
    theirs = torch_train(params, x, y, 0.1, 1000)
    agree = max(abs(a - b) for a, b in zip(ours, theirs))
    print(f"   torch {torch.__version__}: {t_torch * 1e3:.1f} ms, ours: {t_ours * 1e3:.1f} ms, "
          f"ratio {t_torch / t_ours:.1f}   (goal ≥ 8: {'met' if t_torch / t_ours >= 8 else 'MISSED'})")
    print(f"   the two loss curves agree to {agree:.1e}")


if __name__ == "__main__":
    main()

"""Downhill's helpers: the chapter's tiny network, its gradients, and gradient descent.

    import helpers as h
    params = h.load_params()          # the Chapter-7 network, 31 numbers
    x, y = h.example()                # [1, 0, 1, 1] and its diagonal flip [1, 1, 0, 1]
    h.loss(params, x, y)              # 0.896...
"""

from .alt import show
from .data import dataset, example, flip, load_params
from .gradients import backprop, numerical_gradient
from .network import (count_forward_passes, count_params, copy_params, flatten, forward, hidden,
                      init_params, loss, mse, nudged, param_labels, parse_label, unflatten)
from .training import TrainResult, gd_step, train, verdict
from .validate import PARAM_NAMES

__all__ = [
    "PARAM_NAMES", "TrainResult", "backprop", "copy_params", "count_forward_passes",
    "count_params", "dataset", "example", "flatten", "flip", "forward", "gd_step", "hidden",
    "init_params", "load_params", "loss", "mse", "nudged", "numerical_gradient", "param_labels",
    "parse_label", "show", "train", "unflatten", "verdict",
]

"""Learning-rate schedules: what a torch scheduler gives, epoch by epoch, and warm-up + cosine.

:func:`learning_rates` runs a real ``torch.optim.lr_scheduler`` object on a
throwaway optimizer and records the learning rate before each
``scheduler.step()``, so a page can print or plot the schedule without
training anything (and without re-implementing its formula).
:func:`warmup_cosine` chains torch's ``LinearLR`` and ``CosineAnnealingLR``
with ``SequentialLR``: a linear ramp up to the base rate, then a half cosine
down towards ``eta_min``.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, LRScheduler, ReduceLROnPlateau, SequentialLR


def _check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_number(value, name: str, *, positive: bool) -> float:
    what = "a positive number" if positive else "a number >= 0"
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return float(value)


def learning_rates(make_scheduler, epochs: int, lr: float = 0.1) -> list[float]:
    """The learning rate of each of the first ``epochs`` epochs under a real scheduler.

    ``make_scheduler`` takes an optimizer and returns a scheduler for it, e.g.
    ``lambda opt: StepLR(opt, step_size=3, gamma=0.5)``. It is applied to an
    SGD optimizer (base rate ``lr``, momentum 0.9 so that schedulers which
    cycle the momentum work too) holding one dummy parameter. Entry ``e`` of
    the result is the rate used during epoch ``e`` (from 0), read before the
    ``e``-th ``scheduler.step()``, which is where :func:`dlnotes.fit` steps it.

    >>> from torch.optim.lr_scheduler import StepLR
    >>> learning_rates(lambda opt: StepLR(opt, step_size=2, gamma=0.5), epochs=5)
    [0.1, 0.1, 0.05, 0.05, 0.025]

    :param make_scheduler: callable ``optimizer -> LRScheduler``
    :param epochs: how many values to return (positive integer)
    :param lr: the optimizer's base learning rate (positive)
    :return: list of ``epochs`` floats
    """
    if not callable(make_scheduler):
        raise TypeError("make_scheduler must be a callable optimizer -> scheduler, e.g. "
                        f"lambda opt: StepLR(opt, step_size=10), got {make_scheduler!r}")
    epochs = _check_positive_int(epochs, "epochs")
    lr = _check_number(lr, "lr", positive=True)
    dummy = torch.zeros(1, requires_grad=True)  # never gets a gradient: optimizer.step() leaves it alone
    optimizer = torch.optim.SGD([dummy], lr=lr, momentum=0.9)
    scheduler = make_scheduler(optimizer)
    if isinstance(scheduler, ReduceLROnPlateau):
        raise TypeError("make_scheduler returned ReduceLROnPlateau, whose rate depends on the validation "
                        "loss it is given, not on the epoch alone; step it with a loss instead")
    if not isinstance(scheduler, LRScheduler):
        raise TypeError("make_scheduler must return a torch.optim.lr_scheduler scheduler, "
                        f"got {type(scheduler).__name__}")
    if scheduler.optimizer is not optimizer:
        raise ValueError("make_scheduler must build the scheduler on the optimizer it is given")
    rates = []
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()  # before scheduler.step(), the order torch expects (and checks)
        scheduler.step()
    return rates


def warmup_cosine(optimizer: torch.optim.Optimizer, warmup_epochs: int, total_epochs: int,
                  eta_min: float = 0.0) -> SequentialLR:
    """Linear warm-up for ``warmup_epochs``, then cosine annealing to ``eta_min`` by ``total_epochs``.

    With base rate ``lr``, W = ``warmup_epochs`` and T = ``total_epochs``,
    epoch e (from 0) trains at

    * ``lr * (e + 1) / (W + 1)`` for e < W (``LinearLR`` from the factor 1 / (W + 1));
    * ``eta_min + (lr - eta_min) * (1 + cos(pi * (e - W) / (T - W))) / 2`` for e >= W
      (``CosineAnnealingLR`` with ``T_max = T - W``).

    The warm-up's first epoch already trains (at lr / (W + 1), not 0), and
    the cosine reaches ``eta_min`` just after the last epoch, so no epoch is
    wasted at a rate of zero. Step it once per epoch, after ``optimizer.step()``.

    :param optimizer: the optimizer whose learning rate to schedule
    :param warmup_epochs: epochs of linear ramp (positive integer)
    :param total_epochs: all epochs, warm-up included (integer > ``warmup_epochs``)
    :param eta_min: the rate the cosine decays towards (number >= 0)
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    warmup_epochs = _check_positive_int(warmup_epochs, "warmup_epochs")
    total_epochs = _check_positive_int(total_epochs, "total_epochs")
    if total_epochs <= warmup_epochs:
        raise ValueError(f"total_epochs must be greater than warmup_epochs={warmup_epochs} "
                         f"(the cosine needs at least one epoch), got {total_epochs}")
    eta_min = _check_number(eta_min, "eta_min", positive=False)
    warmup = LinearLR(optimizer, start_factor=1 / (warmup_epochs + 1), end_factor=1.0, total_iters=warmup_epochs)
    cosine = CosineAnnealingLR(optimizer, T_max=total_epochs - warmup_epochs, eta_min=eta_min)
    return SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[warmup_epochs])

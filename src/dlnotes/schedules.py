"""Learning-rate schedules: what a torch scheduler gives, epoch by epoch, and warm-up + cosine.

:func:`learning_rates` runs a real ``torch.optim.lr_scheduler`` object on a
throwaway optimizer and records the learning rate before each
``scheduler.step()``, so a page can print or plot the schedule without
training anything (and without re-implementing its formula).
:func:`warmup_cosine` chains torch's ``LinearLR`` and ``CosineAnnealingLR``
with ``SequentialLR``: a linear ramp up to the base rate, then a half cosine
down towards ``eta_min``.

Bad arguments raise ``TypeError`` (wrong kind of thing) or ``ValueError``
(value not accepted) naming the argument and what it accepts; what a
learner's ``make_scheduler`` raises reaches them unchanged.
"""
from __future__ import annotations

import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, LRScheduler, ReduceLROnPlateau, SequentialLR

from dlnotes import _checks

MAX_EPOCHS = 100_000  # learning_rates steps the scheduler this many times at most


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

    :param make_scheduler: callable ``optimizer -> LRScheduler`` (a scheduler class whose other
        arguments have defaults, such as ``ConstantLR``, also works)
    :param epochs: how many values to return (integer in [1, :data:`MAX_EPOCHS`])
    :param lr: the optimizer's base learning rate (finite number > 0)
    :return: list of ``epochs`` floats
    """
    not_a_factory = (isinstance(make_scheduler, torch.nn.Module)  # a callable, but of tensors
                     or isinstance(make_scheduler, type) and not issubclass(make_scheduler, LRScheduler))
    if not callable(make_scheduler) or not_a_factory:
        raise TypeError("make_scheduler must be a callable optimizer -> scheduler, e.g. "
                        f"lambda opt: StepLR(opt, step_size=10), got {_checks.show(make_scheduler)}")
    epochs = _checks.integer(epochs, "epochs", minimum=1, maximum=MAX_EPOCHS)
    lr = _checks.number(lr, "lr", above=0)
    dummy = torch.zeros(1, requires_grad=True)  # never gets a gradient: optimizer.step() leaves it alone
    optimizer = torch.optim.SGD([dummy], lr=lr, momentum=0.9)
    scheduler = make_scheduler(optimizer)
    if isinstance(scheduler, ReduceLROnPlateau):
        raise TypeError("make_scheduler returned ReduceLROnPlateau, whose rate depends on the validation "
                        "loss it is given, not on the epoch alone; step it with a loss instead")
    if not isinstance(scheduler, LRScheduler):
        raise TypeError("make_scheduler must return a torch.optim.lr_scheduler scheduler, "
                        f"got {_checks.show(scheduler)}")
    if scheduler.optimizer is not optimizer:
        raise ValueError("make_scheduler must build the scheduler on the optimizer it is given")
    total = getattr(scheduler, "total_steps", None)  # OneCycleLR refuses to step past it
    if total is not None and total < epochs:
        raise ValueError(f"epochs must be at most the total_steps={total} of make_scheduler's "
                         f"{type(scheduler).__name__}, got {epochs}")
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

    :param optimizer: the optimizer whose learning rate to schedule (a ``torch.optim.Optimizer`` instance)
    :param warmup_epochs: epochs of linear ramp (integer >= 1)
    :param total_epochs: all epochs, warm-up included (integer > ``warmup_epochs``)
    :param eta_min: the rate the cosine decays towards (finite number >= 0, at most the optimizer's ``lr``)
    """
    _checks.instance(optimizer, "optimizer", torch.optim.Optimizer,
                     "a torch.optim.Optimizer, e.g. torch.optim.SGD(model.parameters(), lr=0.1)")
    warmup_epochs = _checks.integer(warmup_epochs, "warmup_epochs", minimum=1)
    total_epochs = _checks.integer(total_epochs, "total_epochs", minimum=1)
    if total_epochs <= warmup_epochs:
        raise ValueError(f"total_epochs must be greater than warmup_epochs={warmup_epochs} "
                         f"(the cosine needs at least one epoch), got {total_epochs}")
    eta_min = _checks.number(eta_min, "eta_min", minimum=0)
    lowest = min(float(group["lr"]) for group in optimizer.param_groups)
    if eta_min > lowest:
        raise ValueError(f"eta_min must be at most the optimizer's learning rate {lowest} (the cosine decays "
                         f"from lr down to eta_min), got {eta_min}")
    warmup = LinearLR(optimizer, start_factor=1 / (warmup_epochs + 1), end_factor=1.0, total_iters=warmup_epochs)
    cosine = CosineAnnealingLR(optimizer, T_max=total_epochs - warmup_epochs, eta_min=eta_min)
    return SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[warmup_epochs])

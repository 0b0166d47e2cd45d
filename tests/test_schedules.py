import math

import pytest
import torch
from torch.optim.lr_scheduler import (CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, ReduceLROnPlateau,
                                      SequentialLR, StepLR)

from dlnotes.schedules import learning_rates, warmup_cosine


def sgd(lr=0.1):
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)


def test_step_lr_is_gamma_to_the_floor_of_epoch_over_step():
    rates = learning_rates(lambda opt: StepLR(opt, step_size=3, gamma=0.5), epochs=10, lr=0.2)
    assert rates == pytest.approx([0.2 * 0.5 ** (e // 3) for e in range(10)])


def test_multistep_lr_counts_the_milestones_passed():
    milestones = [2, 5, 6]
    rates = learning_rates(lambda opt: MultiStepLR(opt, milestones=milestones, gamma=0.1), epochs=9)
    assert rates == pytest.approx([0.1 * 0.1 ** sum(e >= m for m in milestones) for e in range(9)])


def test_exponential_lr_is_gamma_to_the_epoch():
    rates = learning_rates(lambda opt: ExponentialLR(opt, gamma=0.9), epochs=30, lr=0.1)
    assert rates == pytest.approx([0.1 * 0.9 ** e for e in range(30)])


def test_cosine_annealing_is_a_half_cosine():
    rates = learning_rates(lambda opt: CosineAnnealingLR(opt, T_max=8, eta_min=0.01), epochs=9, lr=0.1)
    assert rates == pytest.approx([0.01 + 0.09 * (1 + math.cos(math.pi * e / 8)) / 2 for e in range(9)])
    assert rates[0] == pytest.approx(0.1) and rates[8] == pytest.approx(0.01)


def test_first_value_is_the_base_rate_and_the_optimizer_is_a_fresh_one():
    seen = []

    def make(opt):
        seen.append(opt)
        return LambdaLR(opt, lambda epoch: 1.0)

    assert learning_rates(make, epochs=3, lr=0.5) == [0.5, 0.5, 0.5]
    assert learning_rates(make, epochs=1, lr=0.5) == [0.5]
    assert seen[0] is not seen[1]


def test_warmup_cosine_closed_form():
    warmup, total, lr = 3, 10, 0.1
    rates = learning_rates(lambda opt: warmup_cosine(opt, warmup, total), epochs=total, lr=lr)
    expected = [lr * (e + 1) / (warmup + 1) if e < warmup
                else lr * (1 + math.cos(math.pi * (e - warmup) / (total - warmup))) / 2 for e in range(total)]
    assert rates == pytest.approx(expected)
    assert max(rates) == pytest.approx(lr) and rates.index(max(rates)) == warmup


def test_warmup_cosine_eta_min_and_type():
    optimizer = sgd()
    scheduler = warmup_cosine(optimizer, warmup_epochs=1, total_epochs=3, eta_min=0.02)
    assert isinstance(scheduler, SequentialLR) and scheduler.optimizer is optimizer
    rates = learning_rates(lambda opt: warmup_cosine(opt, 1, 3, eta_min=0.02), epochs=4)
    assert rates == pytest.approx([0.05, 0.1, 0.02 + 0.08 * (1 + math.cos(math.pi / 2)) / 2, 0.02])


@pytest.mark.parametrize("kwargs, match", [
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"epochs": 2.0}, "epochs must be a positive integer"),
    ({"epochs": True}, "epochs must be a positive integer"),
    ({"epochs": 3, "lr": 0}, "lr must be a positive number"),
    ({"epochs": 3, "lr": -0.1}, "lr must be a positive number"),
    ({"epochs": 3, "lr": float("nan")}, "lr must be a positive number"),
    ({"epochs": 3, "lr": "0.1"}, "lr must be a positive number"),
])
def test_learning_rates_rejects_bad_numbers(kwargs, match):
    with pytest.raises(ValueError, match=match):
        learning_rates(lambda opt: StepLR(opt, step_size=1), **kwargs)


def test_learning_rates_rejects_what_is_not_a_scheduler_factory():
    with pytest.raises(TypeError, match="make_scheduler must be a callable"):
        learning_rates(StepLR(sgd(), step_size=1), epochs=3)
    with pytest.raises(TypeError, match="must return a torch.optim.lr_scheduler"):
        learning_rates(lambda opt: opt, epochs=3)
    with pytest.raises(TypeError, match="ReduceLROnPlateau"):
        learning_rates(lambda opt: ReduceLROnPlateau(opt), epochs=3)
    with pytest.raises(ValueError, match="on the optimizer it is given"):
        learning_rates(lambda opt: StepLR(sgd(), step_size=1), epochs=3)


@pytest.mark.parametrize("args, error, match", [
    (("not an optimizer", 1, 5), TypeError, "optimizer must be a torch.optim.Optimizer"),
    ((None, 0, 5), ValueError, "warmup_epochs must be a positive integer"),
    ((None, 2, 2.5), ValueError, "total_epochs must be a positive integer"),
    ((None, 5, 5), ValueError, "total_epochs must be greater than warmup_epochs=5"),
])
def test_warmup_cosine_rejects_bad_arguments(args, error, match):
    optimizer, warmup, total = args
    with pytest.raises(error, match=match):
        warmup_cosine(sgd() if optimizer is None else optimizer, warmup, total)


def test_warmup_cosine_rejects_negative_eta_min():
    with pytest.raises(ValueError, match="eta_min must be a number >= 0"):
        warmup_cosine(sgd(), 1, 5, eta_min=-0.1)

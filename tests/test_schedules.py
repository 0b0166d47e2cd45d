import math

import pytest
import torch
from torch.optim.lr_scheduler import (ConstantLR, CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, OneCycleLR,
                                      ReduceLROnPlateau, SequentialLR, StepLR)

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


@pytest.mark.parametrize("kwargs, error, match", [
    ({"epochs": 0}, ValueError, r"epochs must be an integer in \[1, 100000\], got 0"),
    ({"epochs": 2.0}, TypeError, "epochs must be an integer"),
    ({"epochs": True}, TypeError, "epochs must be an integer"),
    ({"epochs": 3, "lr": 0}, ValueError, "lr must be a number > 0"),
    ({"epochs": 3, "lr": -0.1}, ValueError, "lr must be a number > 0"),
    ({"epochs": 3, "lr": float("nan")}, ValueError, "lr must be a finite number"),
    ({"epochs": 3, "lr": "0.1"}, TypeError, "lr must be a real number"),
])
def test_learning_rates_rejects_bad_numbers(kwargs, error, match):
    with pytest.raises(error, match=match):
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
    ((None, 0, 5), ValueError, "warmup_epochs must be an integer >= 1"),
    ((None, 2, 2.5), TypeError, "total_epochs must be an integer"),
    ((None, 5, 5), ValueError, "total_epochs must be greater than warmup_epochs=5"),
])
def test_warmup_cosine_rejects_bad_arguments(args, error, match):
    optimizer, warmup, total = args
    with pytest.raises(error, match=match):
        warmup_cosine(sgd() if optimizer is None else optimizer, warmup, total)


def test_warmup_cosine_rejects_negative_eta_min():
    with pytest.raises(ValueError, match="eta_min must be a number >= 0"):
        warmup_cosine(sgd(), 1, 5, eta_min=-0.1)


# ---------- bad input found by test_bad_input_modules.py (each failed before the checks went through _checks)


def test_learning_rates_refuses_epochs_it_would_step_for_ever():
    with pytest.raises(ValueError, match=r"epochs must be an integer in \[1, 100000\]"):
        learning_rates(lambda opt: StepLR(opt, step_size=1), epochs=2**64)  # looped for ever


def test_learning_rates_epochs_beyond_a_one_cycle_schedule():
    make = lambda opt: OneCycleLR(opt, max_lr=0.1, total_steps=3)  # noqa: E731
    assert len(learning_rates(make, epochs=3)) == 3
    with pytest.raises(ValueError, match="epochs must be at most the total_steps=3 of make_scheduler's OneCycleLR"):
        learning_rates(make, epochs=5)  # was torch's "Tried to step 4 times", naming no argument


def test_learning_rates_takes_a_scheduler_class_with_defaults():
    assert learning_rates(ConstantLR, epochs=6) == pytest.approx([0.1 / 3] * 5 + [0.1])


def test_learning_rates_lets_make_scheduler_s_own_error_through():
    with pytest.raises(TypeError, match="step_size"):
        learning_rates(StepLR, epochs=3)  # StepLR needs step_size: the learner sees torch's own message


def test_warmup_cosine_eta_min_above_the_learning_rate():
    with pytest.raises(ValueError, match="eta_min must be at most the optimizer's learning rate 0.1"):
        warmup_cosine(sgd(lr=0.1), 1, 4, eta_min=1.0)  # silently climbed to 1.0 after the warm-up


def test_warmup_cosine_optimizer_given_as_a_class():
    with pytest.raises(TypeError, match="optimizer must be a torch.optim.Optimizer.*create an instance"):
        warmup_cosine(torch.optim.SGD, 1, 4)


@pytest.mark.parametrize("make_scheduler", [int, str, torch.nn.Module])
def test_learning_rates_refuses_a_class_that_is_not_a_scheduler(make_scheduler):
    with pytest.raises(TypeError, match="make_scheduler must be a callable optimizer -> scheduler"):
        learning_rates(make_scheduler, epochs=3)  # int(optimizer) was int's own TypeError, naming no argument


def test_learning_rates_refuses_a_module():
    with pytest.raises(TypeError, match="make_scheduler must be a callable optimizer -> scheduler"):
        learning_rates(torch.nn.Linear(2, 2), epochs=3)  # was linear()'s TypeError about an SGD input

"""The from-scratch optimizers follow torch.optim's trajectories step for step."""
import re

import pytest
import torch
from torch import nn

from dlnotes.scratch import optimizers as scratch
from dlnotes.scratch.optimizers import trajectory

# Measured in float64 (torch 2.14, x86-64 CPU), over every comparison below: the largest difference between
# a scratch optimizer and torch.optim is 8.9e-16 absolute (a few ulps of values up to 5; SGD Nesterov on the
# quadratic), against 1e-6 allowed before. 1e-12 keeps a margin of ~1000x for other CPUs' rounding and
# still catches any real change to an update rule, which moves the first step already by far more.
TOL = dict(rtol=1e-12, atol=1e-12)

# (scratch class, torch class, keyword arguments both accept)
PAIRS = {
    "SGD": (scratch.SGD, torch.optim.SGD, dict(lr=0.1)),
    "SGD momentum": (scratch.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    "SGD momentum dampening": (scratch.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.5)),
    "SGD Nesterov": (scratch.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    "Adagrad": (scratch.Adagrad, torch.optim.Adagrad, dict(lr=0.4)),
    "Adagrad decay": (scratch.Adagrad, torch.optim.Adagrad,
                      dict(lr=0.4, lr_decay=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    "RMSprop": (scratch.RMSprop, torch.optim.RMSprop, dict(lr=0.05)),
    "RMSprop alpha eps": (scratch.RMSprop, torch.optim.RMSprop, dict(lr=0.05, alpha=0.9, eps=1e-3)),
    "RMSprop momentum centered": (scratch.RMSprop, torch.optim.RMSprop,
                                  dict(lr=0.01, momentum=0.5, centered=True)),
    "Adam": (scratch.Adam, torch.optim.Adam, dict(lr=0.1)),
    "Adam betas": (scratch.Adam, torch.optim.Adam, dict(lr=0.05, betas=(0.5, 0.9), eps=1e-4)),
    # weight decay: L2 in the gradient (coupled) for all four, decoupled for AdamW
    "SGD weight decay": (scratch.SGD, torch.optim.SGD, dict(lr=0.1, weight_decay=0.3)),
    "SGD momentum weight decay": (scratch.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.3)),
    "Adagrad weight decay": (scratch.Adagrad, torch.optim.Adagrad, dict(lr=0.4, weight_decay=0.2)),
    "RMSprop weight decay": (scratch.RMSprop, torch.optim.RMSprop, dict(lr=0.05, weight_decay=0.2, centered=True)),
    "Adam weight decay": (scratch.Adam, torch.optim.Adam, dict(lr=0.1, weight_decay=0.5)),
    "AdamW": (scratch.AdamW, torch.optim.AdamW, dict(lr=0.1)),
    "AdamW weight decay": (scratch.AdamW, torch.optim.AdamW, dict(lr=0.1, weight_decay=0.5, betas=(0.8, 0.99))),
}
DEFAULTS = {  # torch's defaults, which the scratch classes must share (SGD needs no lr since torch 2.x)
    "SGD": (scratch.SGD, torch.optim.SGD),
    "Adagrad": (scratch.Adagrad, torch.optim.Adagrad),
    "RMSprop": (scratch.RMSprop, torch.optim.RMSprop),
    "Adam": (scratch.Adam, torch.optim.Adam),
    "AdamW": (scratch.AdamW, torch.optim.AdamW),
}


def ill_conditioned(x):
    return 0.1 * x[0] ** 2 + 2 * x[1] ** 2


@pytest.mark.parametrize("name", PAIRS)
def test_trajectory_on_a_quadratic_matches_torch(name):
    ours, theirs, kwargs = PAIRS[name]
    x0 = torch.tensor([-5.0, -2.0], dtype=torch.float64)
    path = trajectory(ill_conditioned, x0, lambda p: ours(p, **kwargs), steps=30)
    reference = trajectory(ill_conditioned, x0, lambda p: theirs(p, **kwargs), steps=30)
    assert path.shape == (31, 2)
    torch.testing.assert_close(path, reference, **TOL)
    assert not torch.equal(path[-1], path[0])


@pytest.mark.parametrize("name", DEFAULTS)
def test_defaults_match_torch(name):
    ours, theirs = DEFAULTS[name]
    x0 = torch.tensor([3.0, -1.0, 0.5], dtype=torch.float64)
    f = lambda x: (x ** 4).sum() + x[0] * x[1]  # noqa: E731  a non-quadratic with coupled coordinates
    torch.testing.assert_close(trajectory(f, x0, ours, steps=25), trajectory(f, x0, theirs, steps=25), **TOL)


def mlp_regression():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(32, 3, generator=gen, dtype=torch.float64)                  # (32, 3)
    y = (x @ torch.tensor([[1.0], [-2.0], [0.5]], dtype=torch.float64)).sin()  # (32, 1)
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    return model, x, y


def train(model, x, y, optimizer, steps=8, batch=8):
    """Mini-batch steps in a fixed order; returns the loss of every step."""
    losses = []
    for step in range(steps):
        rows = slice(batch * (step % 4), batch * (step % 4 + 1))
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x[rows]), y[rows])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("name", PAIRS)
def test_training_a_small_mlp_matches_torch(name):
    ours, theirs, kwargs = PAIRS[name]
    model, x, y = mlp_regression()
    twin = mlp_regression()[0]
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), twin.parameters()))
    kwargs = {**kwargs, "lr": kwargs["lr"] / 5}
    our_losses = train(model, x, y, ours(model.parameters(), **kwargs))
    their_losses = train(twin, x, y, theirs(twin.parameters(), **kwargs))
    torch.testing.assert_close(torch.tensor(our_losses), torch.tensor(their_losses), **TOL)
    for a, b in zip(model.parameters(), twin.parameters()):
        torch.testing.assert_close(a, b, **TOL)
    assert our_losses[-1] != our_losses[0]


def test_a_parameter_without_gradient_is_left_alone():
    used = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    unused = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
    optimizer = scratch.Adam([used, unused], lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        (used ** 2).sum().backward()
        optimizer.step()
    assert unused.item() == 3.0 and optimizer.state[1]["step"] == 0 and optimizer.state[0]["step"] == 3


def test_zero_grad_clears_gradients_and_step_returns_the_closure_loss():
    x = torch.tensor([2.0], requires_grad=True)
    optimizer = scratch.SGD([x], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (x ** 2).sum()
        loss.backward()
        return loss

    assert optimizer.step(closure).item() == 4.0
    assert x.item() == 1.0  # 2 - 0.25 * 4
    optimizer.zero_grad()
    assert x.grad is None
    assert optimizer.step() is None and x.item() == 1.0  # no gradient: nothing moves


def test_trajectory_runs_lbfgs_through_the_closure():
    rosenbrock = lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2  # noqa: E731
    make = lambda p: torch.optim.LBFGS(p, max_iter=100, line_search_fn="strong_wolfe",  # noqa: E731
                                       tolerance_grad=1e-12, tolerance_change=1e-14)
    path = trajectory(rosenbrock, [-1.2, 1.0], make, steps=3)
    assert path.dtype == torch.float64 and path.shape == (4, 2)
    torch.testing.assert_close(path[-1], torch.tensor([1.0, 1.0], dtype=torch.float64), rtol=0, atol=1e-6)


@pytest.mark.parametrize("make, error, words", [
    (lambda p: scratch.SGD(p, lr=0), ValueError, "lr must be a number > 0, got 0.0"),
    (lambda p: scratch.SGD(p, lr=-0.1), ValueError, "lr must be a number > 0"),
    (lambda p: scratch.SGD(p, lr="0.1"), TypeError, "lr must be a real number, got '0.1'"),
    (lambda p: scratch.SGD(p, lr=float("nan")), ValueError, "lr must be a finite number, got nan"),
    (lambda p: scratch.SGD(p, lr=float("inf")), ValueError, "lr must be a finite number, got inf"),
    (lambda p: scratch.SGD(p, lr=0.1, momentum=1.0), ValueError, "momentum must be a number >= 0 and < 1"),
    (lambda p: scratch.SGD(p, lr=0.1, momentum=-0.5), ValueError, "momentum must be a number >= 0 and < 1"),
    (lambda p: scratch.SGD(p, lr=0.1, momentum=0.9, dampening=2), ValueError,
     "dampening must be a number >= 0 and <= 1"),
    (lambda p: scratch.SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov=True needs momentum > 0"),
    (lambda p: scratch.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "dampening = 0"),
    (lambda p: scratch.SGD(p, lr=0.1, momentum=0.9, nesterov=1), TypeError, "nesterov must be True or False"),
    (lambda p: scratch.Adagrad(p, lr_decay=-1), ValueError, "lr_decay must be a number >= 0"),
    (lambda p: scratch.Adagrad(p, initial_accumulator_value=-1), ValueError, "initial_accumulator_value"),
    (lambda p: scratch.Adagrad(p, eps=-1e-10), ValueError, "eps must be a number > 0"),
    (lambda p: scratch.Adagrad(p, eps=0), ValueError, "eps must be a number > 0"),
    (lambda p: scratch.RMSprop(p, alpha=1.0), ValueError, "alpha must be a number >= 0 and < 1"),
    (lambda p: scratch.RMSprop(p, momentum=1.5), ValueError, "momentum must be a number >= 0 and < 1"),
    (lambda p: scratch.RMSprop(p, centered="yes"), TypeError, "centered must be True or False"),
    (lambda p: scratch.Adam(p, betas=(0.9, 1.0)), ValueError, "betas[1] must be a number >= 0 and < 1"),
    (lambda p: scratch.Adam(p, betas=(-0.1, 0.999)), ValueError, "betas[0] must be a number >= 0 and < 1"),
    (lambda p: scratch.Adam(p, betas=0.9), TypeError, "betas must be a pair"),
    (lambda p: scratch.Adam(p, betas={0.9, 0.999}), TypeError, "betas must be a pair"),  # a set has no order
    (lambda p: scratch.Adam(p, betas=(0.9, 0.99, 0.999)), ValueError, "betas must be a pair"),
    (lambda p: scratch.Adam(p, betas=("0.9", 0.999)), TypeError, "betas[0] must be a real number"),
    (lambda p: scratch.Adam(p, eps=True), TypeError, "eps must be a real number, got True"),
])
def test_arguments_are_checked(make, error, words):
    x = torch.zeros(2, requires_grad=True)
    with pytest.raises(error, match=re.escape(words)):
        make([x])


@pytest.mark.parametrize("params, error, words", [
    (torch.zeros(2), TypeError, "wrap it: [x]"),
    ([], ValueError, "params must contain at least one tensor"),
    (3, TypeError, "params must be a list of tensors, got 3"),
    (None, TypeError, "params must be a list of tensors, got None"),
    ([[1.0, 2.0]], TypeError, "params[0] must be a torch.Tensor of floats, got [1.0, 2.0]"),
    ([torch.zeros(2), torch.zeros(2, dtype=torch.long)], TypeError,
     "params[1] must be a floating-point tensor (e.g. params[1].float()), got a torch.int64 tensor"),
    ([torch.zeros(2, dtype=torch.complex64)], TypeError, "params[0] must be a floating-point tensor"),
    ([torch.zeros(2, requires_grad=True) * 2], ValueError, "params[0] must be a leaf tensor"),
    ([{"params": [torch.zeros(2)]}], TypeError, "params[0] must be a torch.Tensor"),  # no parameter groups
])
def test_params_are_checked(params, error, words):
    with pytest.raises(error, match=re.escape(words)):
        scratch.SGD(params, lr=0.1)


def test_step_checks_its_closure():
    optimizer = scratch.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError, match="closure must be a callable"):
        optimizer.step(closure=0.5)


def test_model_parameters_generator_is_accepted():
    model = nn.Linear(2, 1)
    assert len(scratch.Adam(model.parameters()).params) == 2


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(f=3), TypeError, "f must be a callable vector (d,) -> scalar tensor, got 3"),
    (dict(make_optimizer=None), TypeError, "make_optimizer must be a callable"),
    (dict(make_optimizer=lambda p: p), TypeError, "make_optimizer must return an optimizer"),
    (dict(steps=-1), ValueError, "steps must be an integer >= 0, got -1"),
    (dict(steps=2.0), TypeError, "steps must be an integer, got 2.0"),
    (dict(x0=torch.zeros(2, 2)), ValueError, "x0 must have 1 dimensions, got a torch.float32 tensor of shape (2, 2)"),
    (dict(x0=torch.zeros(2, dtype=torch.long)), TypeError, "x0 must be a floating-point tensor"),
    (dict(x0=[]), ValueError, "x0 must not be empty"),
    (dict(x0=[1.0, float("nan")]), ValueError, "x0 must be finite, got [1.0, nan]"),
    (dict(x0="ab"), TypeError, "x0 must be a vector: a list of numbers or a 1-d tensor, got 'ab'"),
    (dict(x0=[1.0, None]), TypeError, "x0 must be a vector"),
    (dict(x0=[1j, 2.0]), TypeError, "x0 must hold real numbers"),
    (dict(x0=[True, False]), TypeError, "x0 must hold real numbers"),
    (dict(f=lambda x: x ** 2), ValueError, "f must return a scalar tensor of floats (one element), got a "
                                           "torch.float64 tensor of shape (2,)"),
    (dict(f=lambda x: 2.0), ValueError, "f must return a scalar tensor of floats"),
    (dict(f=lambda x: torch.tensor(2.0)), ValueError, "f must return a tensor computed from its argument"),
])
def test_trajectory_arguments_are_checked(kwargs, error, words):
    arguments = dict(f=lambda x: (x ** 2).sum(), x0=[1.0, 2.0], make_optimizer=scratch.SGD, steps=3) | kwargs
    with pytest.raises(error, match=re.escape(words)):
        trajectory(**arguments)


def test_trajectory_keeps_a_tensors_dtype_and_leaves_it_unchanged():
    x0 = torch.tensor([1.0, -1.0])
    path = trajectory(lambda x: (x ** 2).sum(), x0, lambda p: scratch.SGD(p, lr=0.25), steps=2)
    assert path.dtype == torch.float32 and torch.equal(x0, torch.tensor([1.0, -1.0]))
    torch.testing.assert_close(path, torch.tensor([[1.0, -1.0], [0.5, -0.5], [0.25, -0.25]]))


@pytest.mark.parametrize("make", [scratch.SGD, scratch.Adagrad, scratch.RMSprop, scratch.Adam,
                                  lambda p: scratch.SGD(p, lr=0.1, momentum=0.9)])
def test_the_same_tensor_twice_in_params_is_refused(make):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0], requires_grad=True)
    with pytest.raises(ValueError, match="params must not hold the same tensor twice"):
        make([x, y, x])  # used to step x twice per step()


def test_adamw_decay_differs_from_adams_l2_and_equals_it_for_sgd():
    """For SGD an L2 penalty and weight decay are one update; for Adam, L2 and AdamW's decay are not."""
    x0 = torch.tensor([3.0, -0.01], dtype=torch.float64)  # one big and one tiny coordinate
    f = lambda x: 10 * x[1] ** 2  # noqa: E731  only the second coordinate has a gradient of its own
    l2 = trajectory(f, x0, lambda p: scratch.Adam(p, lr=0.01, weight_decay=0.1), steps=20)
    decoupled = trajectory(f, x0, lambda p: scratch.AdamW(p, lr=0.01, weight_decay=0.1), steps=20)
    # Adam divides the L2 pull on x[0] (its only gradient, 0.1 * x[0]) by its own scale: steps of about lr.
    # AdamW shrinks x[0] by the factor (1 - lr * wd) per step.
    torch.testing.assert_close(decoupled[-1, 0], torch.tensor(3.0, dtype=torch.float64) * (1 - 0.01 * 0.1) ** 20)
    assert abs((3.0 - l2[-1, 0]) - 20 * 0.01) < 2e-3  # about lr per step, whatever the size of x[0]
    penalised = lambda x: f(x) + 0.05 * (x ** 2).sum()  # noqa: E731  (wd / 2) ||x||^2 with wd = 0.1
    torch.testing.assert_close(trajectory(f, x0, lambda p: scratch.SGD(p, lr=0.01, weight_decay=0.1), steps=20),
                               trajectory(penalised, x0, lambda p: scratch.SGD(p, lr=0.01), steps=20), **TOL)

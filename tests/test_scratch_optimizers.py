"""The from-scratch optimizers follow torch.optim's trajectories step for step."""
import pytest
import torch
from torch import nn

from dlnotes.scratch import optimizers as scratch
from dlnotes.scratch.optimizers import trajectory

TOL = dict(rtol=1e-6, atol=1e-6)

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
}
DEFAULTS = {  # torch's defaults, which the scratch classes must share (SGD needs no lr since torch 2.x)
    "SGD": (scratch.SGD, torch.optim.SGD),
    "Adagrad": (scratch.Adagrad, torch.optim.Adagrad),
    "RMSprop": (scratch.RMSprop, torch.optim.RMSprop),
    "Adam": (scratch.Adam, torch.optim.Adam),
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
    (lambda p: scratch.SGD(p, lr=0), ValueError, "lr must be > 0"),
    (lambda p: scratch.SGD(p, lr=-0.1), ValueError, "lr must be > 0"),
    (lambda p: scratch.SGD(p, lr="0.1"), TypeError, "lr must be a finite real number"),
    (lambda p: scratch.SGD(p, lr=float("nan")), TypeError, "lr must be a finite real number"),
    (lambda p: scratch.SGD(p, lr=0.1, momentum=1.0), ValueError, "momentum must be in [0, 1)"),
    (lambda p: scratch.SGD(p, lr=0.1, momentum=-0.5), ValueError, "momentum must be in [0, 1)"),
    (lambda p: scratch.SGD(p, lr=0.1, momentum=0.9, dampening=2), ValueError, "dampening must be in [0, 1]"),
    (lambda p: scratch.SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov=True needs momentum > 0"),
    (lambda p: scratch.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "dampening = 0"),
    (lambda p: scratch.SGD(p, lr=0.1, momentum=0.9, nesterov=1), TypeError, "nesterov must be True or False"),
    (lambda p: scratch.Adagrad(p, lr_decay=-1), ValueError, "lr_decay must be >= 0"),
    (lambda p: scratch.Adagrad(p, initial_accumulator_value=-1), ValueError, "initial_accumulator_value"),
    (lambda p: scratch.Adagrad(p, eps=-1e-10), ValueError, "eps must be >= 0"),
    (lambda p: scratch.RMSprop(p, alpha=1.0), ValueError, "alpha must be in [0, 1)"),
    (lambda p: scratch.RMSprop(p, momentum=1.5), ValueError, "momentum must be in [0, 1)"),
    (lambda p: scratch.RMSprop(p, centered="yes"), TypeError, "centered must be True or False"),
    (lambda p: scratch.Adam(p, betas=(0.9, 1.0)), ValueError, "betas[1] must be in [0, 1)"),
    (lambda p: scratch.Adam(p, betas=(-0.1, 0.999)), ValueError, "betas[0] must be in [0, 1)"),
    (lambda p: scratch.Adam(p, betas=0.9), TypeError, "betas must be a pair"),
    (lambda p: scratch.Adam(p, eps=True), TypeError, "eps must be a finite real number"),
])
def test_arguments_are_checked(make, error, words):
    x = torch.zeros(2, requires_grad=True)
    with pytest.raises(error, match=words.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        make([x])


@pytest.mark.parametrize("params, error, words", [
    (torch.zeros(2), TypeError, "wrap it"),
    ([], ValueError, "at least one tensor"),
    (3, TypeError, "params must be a list of tensors"),
    ([[1.0, 2.0]], TypeError, "floating-point tensors, got list"),
    ([torch.zeros(2, dtype=torch.long)], TypeError, "floating-point tensors, got a torch.int64 tensor"),
])
def test_params_are_checked(params, error, words):
    with pytest.raises(error, match=words):
        scratch.SGD(params, lr=0.1)


def test_model_parameters_generator_is_accepted():
    model = nn.Linear(2, 1)
    assert len(scratch.Adam(model.parameters()).params) == 2


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(f=3), TypeError, "f must be a callable"),
    (dict(make_optimizer=None), TypeError, "make_optimizer must be a callable"),
    (dict(steps=-1), ValueError, "steps must be an integer >= 0"),
    (dict(steps=2.0), ValueError, "steps must be an integer >= 0"),
    (dict(x0=torch.zeros(2, 2)), ValueError, r"x0 must be a floating-point vector of shape \(d,\)"),
    (dict(x0=torch.zeros(2, dtype=torch.long)), ValueError, "x0 must be a floating-point vector"),
    (dict(f=lambda x: x ** 2), ValueError, "f must return a scalar tensor"),
])
def test_trajectory_arguments_are_checked(kwargs, error, words):
    arguments = dict(f=lambda x: (x ** 2).sum(), x0=[1.0, 2.0], make_optimizer=scratch.SGD, steps=3) | kwargs
    with pytest.raises(error, match=words):
        trajectory(**arguments)


def test_trajectory_keeps_a_tensors_dtype_and_leaves_it_unchanged():
    x0 = torch.tensor([1.0, -1.0])
    path = trajectory(lambda x: (x ** 2).sum(), x0, lambda p: scratch.SGD(p, lr=0.25), steps=2)
    assert path.dtype == torch.float32 and torch.equal(x0, torch.tensor([1.0, -1.0]))
    torch.testing.assert_close(path, torch.tensor([[1.0, -1.0], [0.5, -0.5], [0.25, -0.25]]))

"""Bad input to ``dlnotes.scratch``: every public function, class and method works or refuses by name.

One table row per callable: how to call it, good values for its arguments, and
the arguments to spoil. For each (row, argument) hypothesis fills that argument
with ``junk()`` (and tensor arguments also with ``tensors()`` and with the good
tensor in another dtype, with a nan or an inf, or requiring grad), the others
with good values, and ``check`` asserts that the call works or raises a
TypeError or ValueError whose message names the argument. A last test lists
every public callable of every scratch module, so a new one cannot escape.
"""
from __future__ import annotations

import inspect

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from badinput import _DTYPES, _SPECIAL, UserError, check, junk, tensors, users
from dlnotes.scratch import activations, batchnorm, conv, dropout, engine, graph, losses, numerical, optimizers, search
from dlnotes.scratch.engine import Value

matplotlib.use("Agg")  # before draw_graph(ax=None) imports pyplot: no window, headless
MODULES = (activations, batchnorm, conv, dropout, engine, graph, losses, numerical, optimizers, search)
AX = Figure().subplots()  # one axes for every draw_graph call, outside pyplot: no figure per example


def randn(*shape):
    return torch.randn(shape, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


def probabilities(*shape):
    return torch.softmax(randn(*shape), dim=-1)


# --- how each callable is called -------------------------------------------------------------

def stepped(cls):
    """Build the optimizer, then take two steps: values the constructor accepts must also work in step()."""
    def call(**kwargs):
        optimizer = cls(**kwargs)
        trainable = [p for p in optimizer.params if p.requires_grad]
        for _ in range(2 if trainable else 0):
            optimizer.zero_grad()
            sum((p.double() ** 2).sum() for p in trainable).backward()
            optimizer.step()
    return call


def params():
    return [torch.tensor([1.0, -2.0], requires_grad=True), torch.tensor([[0.5]], requires_grad=True)]


def graph_root():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = (a * b + a).tanh()
    out.backward()
    return out


def drawn(**kwargs):
    import matplotlib.pyplot as plt  # after matplotlib.use("Agg")

    try:
        graph.draw_graph(**kwargs)
    finally:
        AX.cla()
        plt.close("all")  # a new figure, when ax was None


def row(call, good, arguments):
    """A table entry: ``call(**good())`` works; each of ``arguments`` gets spoiled in turn."""
    return call, good, arguments


def same_shape(**extra):
    return lambda: dict(input=randn(2, 3), target=randn(2, 3), **extra)


def number_pair(**extra):
    return lambda: dict(data=0.5, other=2.0, **extra)


# What is tested -> (a callable taking keyword arguments, good keyword arguments, the arguments to spoil).
# The keys are the functions, classes and methods themselves: test_bad_input.py checks that every public
# callable of dlnotes is a key in some suite's TABLE.
TABLE = {
    # search
    search.grid_points: row(search.grid_points, lambda: dict(grid={"lr": [0.1, 0.01], "width": (8, 16)}), ["grid"]),
    search.random_points: row(search.random_points,
                              lambda: dict(distributions=[{"lr": [0.1, 0.01]}, {"width": range(3)}], n_iter=3, seed=0),
                              ["distributions", "n_iter", "seed"]),
    search.roulette_wheel: row(search.roulette_wheel,
                               lambda: dict(fitness=[1.0, 0.0, 2.0], size=4, rng=np.random.default_rng(0)),
                               ["fitness", "size", "rng"]),
    search.GeneticSearch: row(search.GeneticSearch,
                              lambda: dict(space={"a": [1, 2, 3], "b": ["x", "y"]}, population=4, survivors=2,
                                           generations=2, mutation=0.5, seed=0),
                              ["space", "population", "survivors", "generations", "mutation", "seed"]),
    search.GeneticSearch.fit: row(lambda fitness: search.GeneticSearch({"a": [1, 2, 3]}, population=3, survivors=1,
                                                                       generations=2).fit(fitness),
                                  lambda: dict(fitness=lambda p: float(p["a"])), ["fitness"]),
    # losses
    losses.l1_loss: row(losses.l1_loss, same_shape(reduction="mean"), ["input", "target", "reduction"]),
    losses.mse_loss: row(losses.mse_loss, same_shape(reduction="sum"), ["input", "target", "reduction"]),
    losses.smooth_l1_loss: row(losses.smooth_l1_loss, same_shape(reduction="none", beta=0.5),
                               ["input", "target", "reduction", "beta"]),
    losses.log_softmax: row(losses.log_softmax, lambda: dict(logits=randn(2, 3), dim=1), ["logits", "dim"]),
    losses.nll_loss: row(losses.nll_loss, lambda: dict(log_probs=torch.log_softmax(randn(2, 3), 1),
                                                       target=torch.tensor([0, 2]), reduction="mean"),
                         ["log_probs", "target", "reduction"]),
    losses.cross_entropy: row(losses.cross_entropy, lambda: dict(logits=randn(2, 3), target=torch.tensor([0, 2]),
                                                                 reduction="mean"),
                              ["logits", "target", "reduction"]),
    "cross_entropy with probabilities": row(losses.cross_entropy,
                                            lambda: dict(logits=randn(2, 3), target=probabilities(2, 3)),
                                            ["logits", "target"]),
    losses.binary_cross_entropy: row(losses.binary_cross_entropy,
                                     lambda: dict(input=torch.sigmoid(randn(4)), target=torch.rand(4).double(),
                                                  reduction="mean"),
                                     ["input", "target", "reduction"]),
    losses.binary_cross_entropy_with_logits: row(losses.binary_cross_entropy_with_logits,
                                                 lambda: dict(input=randn(4), target=torch.rand(4).double(),
                                                              reduction="sum"),
                                                 ["input", "target", "reduction"]),
    losses.entropy: row(losses.entropy, lambda: dict(p=probabilities(2, 3), reduction="mean"), ["p", "reduction"]),
    losses.kl_divergence: row(losses.kl_divergence,
                              lambda: dict(p=probabilities(2, 3), q=probabilities(2, 3).flip(1), reduction="none"),
                              ["p", "q", "reduction"]),
    # activations
    activations.sigmoid: row(activations.sigmoid, lambda: dict(x=randn(3)), ["x"]),
    activations.tanh: row(activations.tanh, lambda: dict(x=randn(3)), ["x"]),
    activations.relu: row(activations.relu, lambda: dict(x=randn(3)), ["x"]),
    activations.leaky_relu: row(activations.leaky_relu, lambda: dict(x=randn(3), negative_slope=0.1),
                                ["x", "negative_slope"]),
    activations.elu: row(activations.elu, lambda: dict(x=randn(3), alpha=0.5), ["x", "alpha"]),
    activations.selu: row(activations.selu, lambda: dict(x=randn(3)), ["x"]),
    activations.softmax: row(activations.softmax, lambda: dict(x=randn(2, 3), dim=-1), ["x", "dim"]),
    # numerical
    numerical.numerical_gradient: row(numerical.numerical_gradient,
                                      lambda: dict(f=lambda v: (v ** 2).sum(), x=randn(3), eps=1e-6,
                                                   method="central"),
                                      ["f", "x", "eps", "method"]),
    numerical.gradient_check: row(numerical.gradient_check,
                                  lambda: dict(f=lambda v: (v ** 2).sum(), x=randn(3), eps=1e-6, method="forward",
                                               floor=1e-8),
                                  ["f", "x", "eps", "method", "floor"]),
    # optimizers
    optimizers.Optimizer: row(optimizers.Optimizer, lambda: dict(params=params(), lr=0.1), ["params", "lr"]),
    optimizers.Optimizer.step: row(lambda closure: optimizers.SGD(params(), lr=0.1).step(closure),
                                   lambda: dict(closure=lambda: torch.tensor(1.0)), ["closure"]),
    optimizers.Optimizer.zero_grad: row(lambda: optimizers.SGD(params()).zero_grad(), dict, []),  # no argument
    optimizers.SGD: row(stepped(optimizers.SGD),
                        lambda: dict(params=params(), lr=0.1, momentum=0.9, dampening=0.0, nesterov=False,
                                     weight_decay=0.1),
                        ["params", "lr", "momentum", "dampening", "nesterov", "weight_decay"]),
    optimizers.Adagrad: row(stepped(optimizers.Adagrad),
                            lambda: dict(params=params(), lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1,
                                         eps=1e-10, weight_decay=0.1),
                            ["params", "lr", "lr_decay", "initial_accumulator_value", "eps", "weight_decay"]),
    optimizers.RMSprop: row(stepped(optimizers.RMSprop),
                            lambda: dict(params=params(), lr=0.01, alpha=0.9, eps=1e-8, momentum=0.5, centered=True,
                                         weight_decay=0.1),
                            ["params", "lr", "alpha", "eps", "momentum", "centered", "weight_decay"]),
    optimizers.Adam: row(stepped(optimizers.Adam), lambda: dict(params=params(), lr=0.01, betas=(0.9, 0.99), eps=1e-8,
                                                                weight_decay=0.1),
                         ["params", "lr", "betas", "eps", "weight_decay"]),
    optimizers.AdamW: row(stepped(optimizers.AdamW),
                          lambda: dict(params=params(), lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1),
                          ["params", "lr", "betas", "eps", "weight_decay"]),
    optimizers.trajectory: row(optimizers.trajectory,
                               lambda: dict(f=lambda x: (x ** 2).sum(), x0=[1.0, -2.0],
                                            make_optimizer=lambda p: optimizers.SGD(p, lr=0.1), steps=2),
                               ["f", "x0", "make_optimizer", "steps"]),
    # engine: the class, its operators (both sides) and methods
    Value: row(Value, lambda: dict(data=0.5, label="a"), ["data", "label"]),
    Value.__repr__: row(lambda data, label: repr(Value(data, label=label)), lambda: dict(data=0.5, label="a"),
                        ["data", "label"]),
    Value.__add__: row(lambda data, other: Value(data) + other, number_pair(), ["other"]),
    Value.__radd__: row(lambda data, other: other + Value(data), number_pair(), ["other"]),
    Value.__sub__: row(lambda data, other: Value(data) - other, number_pair(), ["other"]),
    Value.__rsub__: row(lambda data, other: other - Value(data), number_pair(), ["other"]),
    Value.__mul__: row(lambda data, other: Value(data) * other, number_pair(), ["other"]),
    Value.__rmul__: row(lambda data, other: other * Value(data), number_pair(), ["other"]),
    Value.__truediv__: row(lambda data, other: Value(data) / other, number_pair(), ["other"]),
    Value.__rtruediv__: row(lambda data, other: other / Value(data), number_pair(), ["data", "other"]),
    Value.__pow__: row(lambda data, exponent: (Value(data) ** exponent).backward(),
                       lambda: dict(data=1.5, exponent=2), ["data", "exponent"]),
    Value.__neg__: row(lambda data: -Value(data), lambda: dict(data=0.5), ["data"]),
    Value.max: row(lambda data, other: Value(data).max(other).backward(), number_pair(), ["data", "other"]),
    Value.exp: row(lambda data: Value(data).exp().backward(), lambda: dict(data=0.5), ["data"]),
    Value.log: row(lambda data: Value(data).log().backward(), lambda: dict(data=0.5), ["data"]),
    Value.tanh: row(lambda data: Value(data).tanh().backward(), lambda: dict(data=0.5), ["data"]),
    Value.sigmoid: row(lambda data: Value(data).sigmoid().backward(), lambda: dict(data=0.5), ["data"]),
    Value.relu: row(lambda data: Value(data).relu().backward(), lambda: dict(data=0.5), ["data"]),
    Value.backward: row(lambda data: ((Value(data) * 3).tanh() + 1).backward(), lambda: dict(data=0.5), ["data"]),
    Value.zero_grad: row(lambda data: ((Value(data) * 3).tanh() + 1).zero_grad(), lambda: dict(data=0.5), ["data"]),
    engine.topological_order: row(engine.topological_order, lambda: dict(root=graph_root()), ["root"]),
    # graph
    # batch norm
    batchnorm.batchnorm_forward: row(batchnorm.batchnorm_forward,
                                     lambda: dict(x=randn(4, 3), gamma=randn(3), beta=randn(3), eps=1e-5),
                                     ["x", "gamma", "beta", "eps"]),
    batchnorm.batchnorm_backward: row(batchnorm.batchnorm_backward,
                                      lambda: dict(dout=randn(4, 3),
                                                   cache=batchnorm.batchnorm_forward(randn(4, 3), randn(3), randn(3))[1]),
                                      ["dout", "cache"]),
    batchnorm.BatchNorm1d: row(lambda **kw: batchnorm.BatchNorm1d(**kw)(torch.randn(4, 3)),
                               lambda: dict(num_features=3, eps=1e-5, momentum=0.1),
                               ["num_features", "eps", "momentum"]),
    batchnorm.BatchNorm1d.forward: row(lambda x: batchnorm.BatchNorm1d(3).double()(x),
                                       lambda: dict(x=randn(4, 3)), ["x"]),
    batchnorm.BatchNorm1d.extra_repr: row(lambda: batchnorm.BatchNorm1d(3).extra_repr(), dict, []),
    # convolution and pooling
    conv.conv_output_size: row(conv.conv_output_size, lambda: dict(size=28, kernel_size=5, stride=2, padding=1),
                               ["size", "kernel_size", "stride", "padding"]),
    conv.receptive_field: row(conv.receptive_field, lambda: dict(layers=[(3, 1), (2, 2)]), ["layers"]),
    conv.conv2d: row(conv.conv2d, lambda: dict(x=randn(2, 3, 6, 6), weight=randn(4, 3, 3, 3), bias=randn(4), stride=2,
                                               padding=1), ["x", "weight", "bias", "stride", "padding"]),
    conv.max_pool2d: row(conv.max_pool2d, lambda: dict(x=randn(2, 3, 6, 6), kernel_size=2, stride=2, padding=1),
                         ["x", "kernel_size", "stride", "padding"]),
    conv.avg_pool2d: row(conv.avg_pool2d, lambda: dict(x=randn(2, 3, 6, 6), kernel_size=3, stride=1, padding=1),
                         ["x", "kernel_size", "stride", "padding"]),
    # dropout
    dropout.dropout: row(dropout.dropout, lambda: dict(x=randn(4, 3), p=0.3, training=True), ["x", "p", "training"]),
    dropout.Dropout: row(lambda **kw: dropout.Dropout(**kw)(torch.randn(4, 3)), lambda: dict(p=0.5), ["p"]),
    dropout.Dropout.forward: row(lambda x: dropout.Dropout(0.5)(x), lambda: dict(x=randn(4, 3)), ["x"]),
    dropout.Dropout.extra_repr: row(lambda: dropout.Dropout(0.5).extra_repr(), dict, []),
    graph.draw_graph: row(drawn, lambda: dict(root=graph_root(), ax=AX, fontsize=8.0), ["root", "ax", "fontsize"]),
}


def name(key) -> str:
    """The qualified name of a table key, e.g. dlnotes.scratch.engine.Value.__add__ (a string key as it is)."""
    return key if isinstance(key, str) else f"{key.__module__}.{key.__qualname__}"


# Not called with generated input, and why: the hook each optimizer writes and step() calls, with a
# parameter, its gradient and its state; not something to call by hand. step() runs it on every input
# the constructors accept (see stepped).
LEFT_OUT = {optimizers.Optimizer.update, optimizers.SGD.update, optimizers.Adagrad.update,
            optimizers.RMSprop.update, optimizers.Adam.update, optimizers.AdamW.update}

# Arguments that a user fills with a function: what that function raises itself is passed on unchanged.
CALLBACKS = {"f", "closure", "make_optimizer", "fitness"}


def tagged(value, argument):
    """``value``, but if it is a function for a callback argument, one whose own failures are UserErrors.

    Then ``check`` can tell them from the library's: nn.Linear(2, 2) as ``f`` fails on a (3,) input by
    itself, and that RuntimeError is the user's to see. Classes stay as they are (``f`` and ``closure``
    refuse them), except for ``make_optimizer``, where a class is the usual thing to pass (``SGD``) and
    ``int([x])`` failing is the user's own failure.
    """
    return users(value, classes=argument == "make_optimizer") if argument in CALLBACKS else value


def run(key, argument, value):
    fn, good, _ = TABLE[key]
    kwargs = good()
    kwargs[argument] = tagged(value, argument)
    try:
        check(lambda: fn(**kwargs), argument)
    except AssertionError as err:
        # The engine refuses a result that is not a finite float, naming the operation and its inputs
        # (Value(1.0) / 5e-324 overflows): the fault of no single argument.
        if name(key).startswith(engine.__name__) and "overflows a float" in str(err):
            return
        raise


CASES = [(key, argument) for key, (_, _, arguments) in TABLE.items() for argument in arguments]
TENSOR_CASES = [(key, argument) for key, argument in CASES if isinstance(TABLE[key][1]().get(argument), torch.Tensor)]


def ids(cases):
    return [f"{name(key).removeprefix('dlnotes.scratch.')}-{argument}" for key, argument in cases]


@st.composite
def spoiled(draw, good: torch.Tensor):
    """The good tensor, nearly: another dtype, one entry nan/inf/huge, transposed or requiring grad."""
    t = good.detach().clone()
    if t.numel() and draw(st.booleans()) and t.is_floating_point():  # in float64, before a cast: 1e300 -> inf
        t.view(-1)[draw(st.integers(0, t.numel() - 1))] = draw(st.sampled_from(_SPECIAL))
    if draw(st.booleans()):
        t = t.to(draw(st.sampled_from(_DTYPES)))
    if t.dim() >= 2 and draw(st.booleans()):
        t = t.transpose(-2, -1)  # not contiguous; t.t() refuses more than 2 dimensions
    if t.is_floating_point() and draw(st.booleans()):
        t.requires_grad_(True)
    return t


@pytest.mark.parametrize("key, argument", CASES, ids=ids(CASES))
@given(value=junk())
def test_junk_is_refused_by_name(key, argument, value):
    if argument in ("steps", "size", "population", "generations") and isinstance(value, int) and value > 100:
        return  # a long run, not bad input: trajectory(steps=2**64) would just take forever
    run(key, argument, value)


@pytest.mark.parametrize("key, argument", TENSOR_CASES, ids=ids(TENSOR_CASES))
@given(data=st.data())
def test_tensor_arguments_take_any_tensor(key, argument, data):
    good = TABLE[key][1]()[argument]
    run(key, argument, data.draw(st.one_of(tensors(), spoiled(good)), label=argument))


@pytest.mark.parametrize("key", [optimizers.SGD, optimizers.Adam], ids=name)
@given(value=st.lists(st.one_of(tensors(), tensors().map(lambda t: t.requires_grad_(t.is_floating_point()))),
                      max_size=3))
def test_params_take_any_list_of_tensors(key, value):
    run(key, "params", value)


def public(module):
    """The module's own public functions and classes, and the classes' methods and operators."""
    found = set()
    for attribute, obj in vars(module).items():
        if attribute.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        found.add(obj)
        if inspect.isclass(obj):
            found |= {method for method_name, method in vars(obj).items() if inspect.isfunction(method)
                      and method_name != "__init__" and (not method_name.startswith("_") or method_name.endswith("__"))}
    return {f for f in found if inspect.isfunction(f) or inspect.isclass(f)}


def test_every_scratch_module_is_listed():
    import pkgutil

    import dlnotes.scratch

    assert {m.name for m in pkgutil.iter_modules(dlnotes.scratch.__path__)} == {
        m.__name__.rsplit(".", 1)[1] for m in MODULES}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_public_callable_is_in_the_table(module):
    missing = public(module) - set(TABLE) - LEFT_OUT
    assert not missing, f"add these to TABLE in {__file__}: {sorted(map(name, missing))}"
    assert public(module), "found nothing: is the module empty?"

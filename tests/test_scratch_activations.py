"""The scratch activations agree with PyTorch's, in value and in autograd gradient; the plot helpers draw them."""
import math
import re

import matplotlib
import pytest
import torch
import torch.nn.functional as F

from dlnotes import plots
from dlnotes.scratch import activations as A

matplotlib.use("Agg")

SHAPES = [(), (7,), (3, 5), (2, 3, 4)]
# Points where branches meet or exponentials would overflow, beside random ones.
SPECIAL = torch.tensor([0.0, -0.0, 1e-12, -1e-12, 1.0, -1.0, 30.0, -30.0, 800.0, -800.0], dtype=torch.float64)

ELEMENTWISE = {
    "sigmoid": (A.sigmoid, torch.sigmoid),
    "tanh": (A.tanh, torch.tanh),
    "relu": (A.relu, torch.relu),
    "leaky_relu": (A.leaky_relu, F.leaky_relu),
    "leaky_relu_0.2": (lambda x: A.leaky_relu(x, negative_slope=0.2), lambda x: F.leaky_relu(x, 0.2)),
    "elu": (A.elu, F.elu),
    "elu_0.5": (lambda x: A.elu(x, alpha=0.5), lambda x: F.elu(x, alpha=0.5)),
    "selu": (A.selu, F.selu),
}


def value_and_grad(fn, x, weights):
    """fn(x) and the gradient of sum(weights * fn(x)): weights make every output count differently."""
    x = x.detach().clone().requires_grad_(True)
    y = fn(x)
    (grad,) = torch.autograd.grad((y * weights).sum(), x)
    return y.detach(), grad


def assert_same(ours, theirs):
    torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_elementwise_activation_matches_torch(name, shape):
    ours, theirs = ELEMENTWISE[name]
    g = torch.Generator().manual_seed(0)
    x = 4 * torch.randn(shape, generator=g, dtype=torch.float64)
    w = torch.randn(shape, generator=g, dtype=torch.float64)
    y, grad = value_and_grad(ours, x, w)
    y_ref, grad_ref = value_and_grad(theirs, x, w)
    assert y.dtype == torch.float64 and y.shape == x.shape
    assert_same(y, y_ref)
    assert_same(grad, grad_ref)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_activation_at_branch_points_and_extremes(name):
    ours, theirs = ELEMENTWISE[name]
    w = torch.ones_like(SPECIAL)
    y, grad = value_and_grad(ours, SPECIAL, w)
    y_ref, grad_ref = value_and_grad(theirs, SPECIAL, w)
    assert torch.isfinite(y).all() and torch.isfinite(grad).all(), "overflow in an unused branch?"
    assert_same(y, y_ref)
    assert_same(grad, grad_ref)  # includes the one-sided choice at x = 0


def test_float32_works_and_keeps_its_dtype():
    x = torch.linspace(-90, 90, 181)
    for name, (ours, theirs) in ELEMENTWISE.items():
        y, grad = value_and_grad(ours, x, torch.ones_like(x))
        y_ref, grad_ref = value_and_grad(theirs, x, torch.ones_like(x))
        assert y.dtype == torch.float32, name
        torch.testing.assert_close(y, y_ref, rtol=1e-5, atol=1e-6, msg=name)
        torch.testing.assert_close(grad, grad_ref, rtol=1e-5, atol=1e-6, msg=name)


def test_known_derivative_values():
    x = torch.tensor([0.0, 10.0], dtype=torch.float64)
    _, d_sigmoid = value_and_grad(A.sigmoid, x, torch.ones_like(x))
    _, d_tanh = value_and_grad(A.tanh, x, torch.ones_like(x))
    assert d_sigmoid[0].item() == pytest.approx(0.25, abs=1e-15)
    assert d_sigmoid[1].item() == pytest.approx(math.exp(-10) / (1 + math.exp(-10)) ** 2, rel=1e-12)
    assert d_tanh[0].item() == pytest.approx(1.0, abs=1e-15)


def test_selu_constants_match_the_papers_closed_forms_and_torch():
    r = math.erfc(1 / math.sqrt(2))
    alpha = -math.sqrt(2 / math.pi) / (r * math.exp(0.5) - 1)
    scale = (1 - r * math.sqrt(math.e)) * math.sqrt(2 * math.pi) * (
        2 * math.erfc(math.sqrt(2)) * math.e ** 2 + math.pi * r ** 2 * math.e
        - 2 * (2 + math.pi) * r * math.sqrt(math.e) + math.pi + 2) ** -0.5
    assert A.SELU_ALPHA == pytest.approx(alpha, rel=1e-14)
    assert A.SELU_SCALE == pytest.approx(scale, rel=1e-14)
    x = torch.tensor([-1e6, 1.0], dtype=torch.float64)  # saturation value and positive slope
    assert F.selu(x).tolist() == pytest.approx([-A.SELU_SCALE * A.SELU_ALPHA, A.SELU_SCALE], rel=1e-15)


@pytest.mark.parametrize("shape, dim", [((5,), 0), ((5,), -1), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 1),
                                        ((2, 3, 4), -1), ((), 0)], ids=str)
def test_softmax_matches_torch(shape, dim):
    g = torch.Generator().manual_seed(1)
    x = 3 * torch.randn(shape, generator=g, dtype=torch.float64)
    w = torch.randn(shape, generator=g, dtype=torch.float64)
    y, grad = value_and_grad(lambda t: A.softmax(t, dim), x, w)
    y_ref, grad_ref = value_and_grad(lambda t: torch.softmax(t, dim), x, w)
    assert_same(y, y_ref)
    assert_same(grad, grad_ref)
    torch.testing.assert_close(y.sum(dim), torch.ones_like(y.sum(dim)))


def test_softmax_is_stable_for_huge_scores():
    x = torch.tensor([[1000.0, 998.0, 994.0], [-1000.0, -1002.0, -1e5]], dtype=torch.float64)
    y, grad = value_and_grad(lambda t: A.softmax(t, 1), x, torch.tensor([[1.0, 2, 3], [3, 2, 1]]).double())
    y_ref, grad_ref = value_and_grad(lambda t: torch.softmax(t, 1), x, torch.tensor([[1.0, 2, 3], [3, 2, 1]]).double())
    assert torch.isfinite(y).all() and torch.isfinite(grad).all()
    assert_same(y, y_ref)
    assert_same(grad, grad_ref)


def test_sigmoid_is_the_two_class_softmax():
    x = torch.linspace(-6, 6, 13, dtype=torch.float64)
    pairs = torch.stack([x, torch.zeros_like(x)], dim=1)  # (13, 2) scores [x, 0]
    assert_same(A.softmax(pairs, dim=1)[:, 0], A.sigmoid(x))


@pytest.mark.parametrize("fn", [A.sigmoid, A.tanh, A.relu, A.leaky_relu, A.elu, A.selu,
                                lambda x: A.softmax(x, dim=0)])
@pytest.mark.parametrize("x, words", [
    ([1.0, 2.0], "x must be a torch.Tensor of floats, got [1.0, 2.0]"),
    ("ab", "x must be a torch.Tensor of floats, got 'ab'"),  # tanh used to see 2 * x = 'abab'
    (torch.tensor([1, 2]), "x must be a floating-point tensor (e.g. x.float()), got a torch.int64 tensor"),
    (torch.tensor([True]), "torch.bool"),
    (torch.tensor([1 + 1j]), "torch.complex64"),
])
def test_inputs_must_be_floating_tensors(fn, x, words):
    with pytest.raises(TypeError, match=re.escape(words)):
        fn(x)


@pytest.mark.parametrize("call, error, words", [
    (lambda x: A.leaky_relu(x, negative_slope="0.1"), TypeError, "negative_slope must be a real number, got '0.1'"),
    (lambda x: A.leaky_relu(x, negative_slope=float("inf")), ValueError, "negative_slope must be a finite number"),
    (lambda x: A.elu(x, alpha=float("nan")), ValueError, "alpha must be a finite number, got nan"),
    (lambda x: A.elu(x, alpha=None), TypeError, "alpha must be a real number, got None"),
    (lambda x: A.softmax(x, dim=1), ValueError, "dim must be in [-1, 0] for x of shape (3,), got 1"),
    (lambda x: A.softmax(x, dim=-2), ValueError, "dim must be in [-1, 0] for x of shape (3,), got -2"),
    (lambda x: A.softmax(x, dim=None), TypeError, "dim must be an integer, got None"),
    (lambda x: A.softmax(x, dim=0.0), TypeError, "dim must be an integer, got 0.0"),
    (lambda x: A.softmax(x, dim=True), TypeError, "dim must be an integer, got True"),
])
def test_argument_validation(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call(torch.zeros(3))


@pytest.mark.parametrize("shape, dim", [((0,), 0), ((3, 0), 1), ((0, 3), 1), ((2, 0, 3), -1)], ids=str)
def test_softmax_of_an_empty_tensor_is_empty_as_in_torch(shape, dim):
    x = torch.zeros(shape, dtype=torch.float64)
    assert torch.equal(A.softmax(x, dim), torch.softmax(x, dim))  # amax() of an empty dim used to raise


# ---------------------------------------------------------------- plots

def test_derivative_curve_is_autograds_derivative():
    x, y, dy = plots.derivative_curve(torch.sigmoid, (-4, 4), num=9)
    assert x.tolist() == pytest.approx(list(range(-4, 5)))
    s = torch.sigmoid(x)
    assert_same(y, s)
    assert_same(dy, s * (1 - s))


def test_plot_with_derivative_draws_function_and_derivative():
    import matplotlib.pyplot as plt
    ax = plots.plot_with_derivative(A.tanh, x_range=(-3, 3), label="tanh")
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["tanh", "tanh'"]
    fn_line, d_line = ax.get_lines()[:2]
    assert max(d_line.get_ydata()) == pytest.approx(1.0, abs=1e-4)  # tanh'(0) = 1
    assert fn_line.get_color() == d_line.get_color()
    plt.close("all")


def test_plot_curves_and_its_validation():
    import matplotlib.pyplot as plt
    ax = plots.plot_curves([1e-3, 1e-2, 1e-1], {"a": [1, 2, 3], "b": [3, 2, 1]}, logx=True, xlabel="h")
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "h" and len(ax.get_lines()) == 2
    with pytest.raises(TypeError, match="curves must be a non-empty dict"):
        plots.plot_curves([1, 2], [[1, 2]])
    plt.close("all")


def test_plot_helper_validation():
    with pytest.raises(ValueError, match="x_range must be"):
        plots.derivative_curve(torch.relu, (5, -5))
    with pytest.raises(TypeError, match="x_range must be a pair"):  # plots.py: TypeError since the checks
        plots.derivative_curve(torch.relu, 5)
    with pytest.raises(TypeError, match="fn must be a callable"):
        plots.derivative_curve("relu")
    with pytest.raises(ValueError, match="element-wise"):
        plots.derivative_curve(lambda x: x.sum())
    with pytest.raises(ValueError, match="num must be"):
        plots.derivative_curve(torch.relu, num=1)

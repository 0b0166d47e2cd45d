"""Finite differences agree with autograd, with the error orders the theory predicts."""
import math
import re

import pytest
import torch

from dlnotes.scratch.numerical import gradient_check, numerical_gradient

FUNCTIONS = {
    "sum of squares": lambda x: (x ** 2).sum(),
    "sin times exp": lambda x: (torch.sin(x) * torch.exp(0.3 * x)).sum(),
    "log-sum-exp": lambda x: torch.logsumexp(x.reshape(-1), dim=0),
    "quadratic form": lambda x: x.reshape(-1) @ torch.arange(1.0, 1 + x.numel(), dtype=x.dtype).diag()
    @ x.reshape(-1),
}


def autograd_gradient(f, x):
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x)
    return grad


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)], ids=str)
@pytest.mark.parametrize("method, tol", [("central", 1e-8), ("forward", 1e-4)])
def test_numerical_gradient_matches_autograd(name, shape, method, tol):
    f = FUNCTIONS[name]
    x = torch.randn(shape, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    numeric = numerical_gradient(f, x, eps=1e-6 if method == "central" else 1e-7, method=method)
    assert numeric.shape == x.shape and numeric.dtype == x.dtype
    torch.testing.assert_close(numeric, autograd_gradient(f, x), rtol=tol, atol=tol)


def test_numerical_gradient_of_a_small_network_loss_with_respect_to_weights():
    g = torch.Generator().manual_seed(3)
    inputs, targets = torch.randn(8, 4, generator=g, dtype=torch.float64), torch.randint(0, 3, (8,), generator=g)

    def loss(w):  # w: (3, 4) weights of a softmax regression
        return torch.nn.functional.cross_entropy(torch.tanh(inputs) @ w.T, targets)

    w = torch.randn(3, 4, generator=g, dtype=torch.float64)
    torch.testing.assert_close(numerical_gradient(loss, w), autograd_gradient(loss, w), rtol=1e-8, atol=1e-10)
    assert gradient_check(loss, w) < 1e-6


def test_x_is_left_untouched_and_python_numbers_are_accepted():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    before = x.clone()
    grad = numerical_gradient(lambda v: float((v ** 3).sum()), x)
    assert torch.equal(x, before)
    torch.testing.assert_close(grad, 3 * x ** 2)


def errors(method, steps):
    x = torch.tensor(1.0, dtype=torch.float64)
    return [abs(numerical_gradient(torch.sin, x, eps=h, method=method).item() - math.cos(1.0)) for h in steps]


def test_central_differences_are_second_order_and_forward_first_order():
    steps = [1e-1, 1e-2, 1e-3]  # large enough that truncation, not round-off, dominates
    for method, order in (("forward", 1), ("central", 2)):
        e = errors(method, steps)
        slopes = [math.log10(e[i] / e[i + 1]) for i in range(len(e) - 1)]  # error ~ h^order
        assert slopes == pytest.approx([order] * len(slopes), abs=0.05), method


def test_leading_error_terms():
    # forward: f''(x) h / 2 = -sin(1) h / 2; central: f'''(x) h^2 / 6 = -cos(1) h^2 / 6.
    h = 1e-3
    assert errors("forward", [h])[0] == pytest.approx(math.sin(1) * h / 2, rel=1e-2)
    assert errors("central", [h])[0] == pytest.approx(math.cos(1) * h ** 2 / 6, rel=1e-2)


def test_too_small_a_step_is_dominated_by_round_off():
    e_forward = errors("forward", [1e-8, 1e-13])
    assert e_forward[1] > 100 * e_forward[0]  # past the optimum the error grows again
    x32 = torch.tensor(1.0)
    assert numerical_gradient(torch.sin, x32, eps=1e-8, method="forward").item() == 0.0  # 1 + 1e-8 == 1 in float32


class WrongSquare(torch.autograd.Function):
    """x**2 with a backward that forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x


def test_gradient_check_passes_correct_and_catches_wrong_gradients():
    x = torch.randn(6, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    assert gradient_check(lambda v: (v ** 2).sum(), x) < 1e-7
    assert gradient_check(lambda v: WrongSquare.apply(v).sum(), x) == pytest.approx(0.5, abs=1e-6)
    assert gradient_check(lambda v: (v ** 2).sum(), x, method="forward", eps=1e-7) < 1e-5


def test_gradient_check_of_a_function_without_gradient_path():
    x = torch.ones(3, dtype=torch.float64)
    assert gradient_check(lambda v: torch.tensor(2.0, dtype=torch.float64), x) == 0.0


@pytest.mark.parametrize("eps, error, words", [
    (0, ValueError, "eps must be a number > 0, got 0.0"), (-1e-6, ValueError, "eps must be a number > 0"),
    (float("nan"), ValueError, "eps must be a finite number, got nan"),
    (float("inf"), ValueError, "eps must be a finite number, got inf"),
    ("1e-6", TypeError, "eps must be a real number, got '1e-6'"), (True, TypeError, "eps must be a real number"),
])
def test_eps_must_be_a_positive_finite_number(eps, error, words):
    with pytest.raises(error, match=re.escape(words)):
        numerical_gradient(torch.sum, torch.ones(2), eps=eps)
    with pytest.raises(error, match=re.escape(words)):
        gradient_check(torch.sum, torch.ones(2), eps=eps)


@pytest.mark.parametrize("call, error, words", [
    (lambda x: numerical_gradient(torch.sum, x, method="backward"), ValueError,
     "method must be one of 'central', 'forward', got 'backward'"),
    (lambda x: gradient_check(torch.sum, x, method=None), ValueError, "method must be one of"),
    (lambda x: numerical_gradient("sum", x), TypeError, "f must be a callable tensor -> scalar, got 'sum'"),
    (lambda x: numerical_gradient(torch.Tensor, x), TypeError, "f must be a callable"),
    (lambda x: numerical_gradient(torch.sum, torch.ones(2, dtype=torch.int64)), TypeError,
     "x must be a floating-point tensor (e.g. x.float()), got a torch.int64 tensor"),
    (lambda x: numerical_gradient(torch.sum, torch.ones(2, dtype=torch.complex64)), TypeError, "x must be a"),
    (lambda x: numerical_gradient(torch.sum, [1.0, 2.0]), TypeError, "x must be a torch.Tensor of floats"),
    (lambda x: numerical_gradient(lambda v: v * 2, x), ValueError,
     "f must return a scalar: a one-element real tensor or a number, got a torch.float64 tensor of shape (2,)"),
    (lambda x: numerical_gradient(lambda v: "no", x), ValueError, "f must return a scalar"),
    (lambda x: numerical_gradient(lambda v: v.sum() > 0, x), ValueError, "f must return a scalar"),
    (lambda x: numerical_gradient(lambda v: v.sum() * 1j, x), ValueError, "f must return a scalar"),
    (lambda x: gradient_check(lambda v: v.sum() * 1j, x), ValueError, "f must return a scalar"),
    (lambda x: gradient_check(lambda v: None, x), ValueError, "f must return a scalar"),
    (lambda x: gradient_check(torch.sum, x, floor=0), ValueError, "floor must be a number > 0, got 0.0"),
    (lambda x: gradient_check(torch.sum, x, floor="1"), TypeError, "floor must be a real number"),
    (lambda x: gradient_check(torch.sum, x[:0]), ValueError, "x must not be empty"),
])
def test_argument_validation(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call(torch.ones(2, dtype=torch.float64))


def test_an_empty_x_has_an_empty_gradient():
    x = torch.zeros(0, 3, dtype=torch.float64)
    assert numerical_gradient(torch.sum, x).shape == (0, 3)


@pytest.mark.parametrize("method", ["central", "forward"])
def test_a_non_contiguous_x_gives_autograds_gradient(method):
    x = torch.randn(3, 4, generator=torch.Generator().manual_seed(5), dtype=torch.float64).t()  # (4, 3), strided
    assert not x.is_contiguous()
    f = FUNCTIONS["quadratic form"]  # weights each entry by its position: a transposition error shows
    numeric = numerical_gradient(f, x, method=method, eps=1e-6 if method == "central" else 1e-7)
    assert numeric.shape == x.shape
    torch.testing.assert_close(numeric, autograd_gradient(f, x), rtol=1e-4, atol=1e-4)
    assert gradient_check(f, x, method=method, eps=1e-6 if method == "central" else 1e-7) < 1e-4

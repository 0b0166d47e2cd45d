"""Activation functions from plain tensor operations, each checked against PyTorch's own.

Autograd differentiates these as written, so the derivative a lesson plots is
the derivative of exactly this code. Two numerical habits recur: branches that
``torch.where`` does not select are still computed and still differentiated
(their gradient is multiplied by 0, and ``0 * inf`` is nan), so each branch is
fed only inputs on which it is finite; and exponentials only ever see
arguments <= 0, so they cannot overflow.
"""
from __future__ import annotations

import torch

from dlnotes._checks import dimension, number, tensor

# SELU's constants: the solution of the fixed-point equations in Klambauer, Unterthiner, Mayr and
# Hochreiter, "Self-Normalizing Neural Networks", NeurIPS 2017 (arXiv:1706.02515), for which
# mean 0 and variance 1 of a layer's inputs are carried to its outputs. The paper's closed forms
# (tests/test_scratch_activations.py checks that they give these digits):
#   alpha_01 = -sqrt(2/pi) / (erfc(1/sqrt 2) * exp(1/2) - 1)
#   lambda_01 = (1 - erfc(1/sqrt 2) sqrt(e)) sqrt(2 pi)
#               * (2 erfc(sqrt 2) e^2 + pi erfc(1/sqrt 2)^2 e - 2 (2 + pi) erfc(1/sqrt 2) sqrt(e) + pi + 2)^(-1/2)
SELU_ALPHA = 1.6732632423543772848170429916717  # the paper's alpha_01, also torch.nn.SELU's
SELU_SCALE = 1.0507009873554804934193349852946  # the paper's lambda_01 ("scale" in torch.nn.SELU)


def _split(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """x where x > 0 (else 0), and x where x <= 0 (else 0); the gradient reaches x through exactly one of them.

    Not x.clamp(min=0) and x.clamp(max=0): clamp passes no gradient at its boundary, so at x = 0
    neither side would carry the derivative.
    """
    positive = x > 0
    return torch.where(positive, x, 0.0), torch.where(positive, 0.0, x)


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """1 / (1 + exp(-x)), in (0, 1); its derivative sigmoid(x) * (1 - sigmoid(x)) peaks at 1/4."""
    tensor(x, "x", floating=True)
    # exp(-x) overflows for x << 0 (and its gradient turns into inf/inf = nan), so each side gets
    # the algebraically equal form whose exponential sees only arguments <= 0.
    x_pos, x_neg = _split(x)
    return torch.where(x > 0, 1 / (1 + torch.exp(-x_pos)), torch.exp(x_neg) / (1 + torch.exp(x_neg)))


def tanh(x: torch.Tensor) -> torch.Tensor:
    """(e^x - e^-x) / (e^x + e^-x), in (-1, 1): a sigmoid twice as tall and half as wide, centred on 0.

    So tanh'(0) = 1, four times sigmoid'(0) = 1/4.
    """
    tensor(x, "x", floating=True)  # before 2 * x, which would repeat a list or a string
    # tanh(x) = 2 sigmoid(2x) - 1 exactly, so the stable sigmoid makes a stable tanh. Near 0 the
    # subtraction leaves an absolute error of about 1e-16 (float64), not a relative one.
    return 2 * sigmoid(2 * x) - 1


def relu(x: torch.Tensor) -> torch.Tensor:
    """max(x, 0). At x = 0 the derivative is undefined; like PyTorch, this code's gradient there is 0."""
    tensor(x, "x", floating=True)
    return torch.where(x > 0, x, 0.0)  # gradient 1 where x > 0, else 0 (also at x = 0)


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """x for x > 0, negative_slope * x otherwise: negative inputs keep a small gradient."""
    tensor(x, "x", floating=True)
    negative_slope = number(negative_slope, "negative_slope")
    return torch.where(x > 0, x, negative_slope * x)


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """x for x > 0, alpha * (exp(x) - 1) otherwise: smooth, saturating at -alpha for x -> -inf."""
    tensor(x, "x", floating=True)
    alpha = number(alpha, "alpha")
    # Only x <= 0 reaches exp: the unused branch would overflow for large x, and its 0 * inf gradient is nan.
    _, x_neg = _split(x)
    return torch.where(x > 0, x, alpha * (torch.exp(x_neg) - 1))


def selu(x: torch.Tensor) -> torch.Tensor:
    """SELU_SCALE * elu(x, SELU_ALPHA): slope 1.0507 for x > 0, saturating at -1.7581 for x -> -inf."""
    return SELU_SCALE * elu(x, SELU_ALPHA)


def softmax(x: torch.Tensor, dim: int) -> torch.Tensor:
    """exp(x) / sum(exp(x)) along ``dim``: non-negative entries that sum to 1 along ``dim``."""
    tensor(x, "x", floating=True)
    dim = dimension(dim, "dim", x, "x")  # for a 0-d tensor: 0 or -1, as in torch
    if x.numel() == 0:
        return x.clone()  # nothing to normalise (and amax() refuses an empty dimension)
    # Subtracting the maximum changes nothing mathematically (it cancels between numerator and
    # denominator) but keeps every exponent <= 0, so exp cannot overflow. Because the result does not
    # depend on the shift, no gradient needs to flow through it: detach.
    shifted = x - x.amax(dim=dim, keepdim=True).detach()
    e = torch.exp(shifted)
    return e / e.sum(dim=dim, keepdim=True)

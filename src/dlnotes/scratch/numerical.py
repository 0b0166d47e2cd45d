"""Derivatives by finite differences, and a gradient check of autograd against them.

Nudge one input by ``eps``, evaluate the function again, divide the change by
``eps``: one or two extra evaluations per input, so n inputs cost n + 1
(forward differences) or 2n (central differences) evaluations, where autograd
needs one forward and one backward pass. Too slow to train with, but it needs
nothing but the function, which makes it the independent referee for
hand-written backward passes. Use float64: in float32 round-off alone gives
a correct gradient relative errors of 1e-3 to 1e-1, enough to hide a real bug.
"""
from __future__ import annotations

from numbers import Real

import numpy as np
import torch

from dlnotes._checks import function, number, one_of, show, tensor

METHODS = ("central", "forward")


def _scalar(value) -> float:
    """f's output as a Python float, refusing anything that is not a single real number."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or value.is_complex() or value.dtype == torch.bool:
            raise ValueError(f"f must return a scalar: a one-element real tensor or a number, got {show(value)}")
        return value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise ValueError(f"f must return a scalar: a one-element real tensor or a number, got {show(value)}")
    return float(value)


@torch.no_grad()
def numerical_gradient(f, x: torch.Tensor, eps: float = 1e-6, method: str = "central") -> torch.Tensor:
    """The gradient of the scalar function ``f`` at ``x`` by finite differences, shaped like ``x``.

    ``method="central"``: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), error O(eps^2).
    ``method="forward"``: (f(x + eps e_i) - f(x)) / eps, error O(eps), half the evaluations.
    ``x`` is not modified; ``f`` sees a copy with one entry changed at a time.
    """
    function(f, "f", "tensor -> scalar")
    tensor(x, "x", floating=True)
    eps = number(eps, "eps", above=0)
    one_of(method, "method", METHODS)
    x = x.detach().clone(memory_format=torch.contiguous_format)  # contiguous even if x is not (x.t())...
    flat = x.view(-1)  # (n,) ...so that this is a view: nudging flat[i] nudges x
    grad = torch.zeros_like(flat)
    f_x = _scalar(f(x)) if method == "forward" else None  # computed once, shared by every entry
    for i in range(flat.numel()):
        original = flat[i].item()
        flat[i] = original + eps
        f_plus = _scalar(f(x))
        if method == "central":
            flat[i] = original - eps
            f_minus = _scalar(f(x))
            grad[i] = (f_plus - f_minus) / (2 * eps)
        else:
            grad[i] = (f_plus - f_x) / eps
        flat[i] = original
    return grad.view_as(x)


def gradient_check(f, x: torch.Tensor, eps: float = 1e-6, method: str = "central", floor: float = 1e-8) -> float:
    """The largest relative error between autograd's gradient of ``f`` at ``x`` and finite differences.

    Entry by entry, |a - n| / max(|a|, |n|, floor), where ``floor`` keeps entries whose gradient is
    (nearly) zero from dividing round-off by round-off. In float64 a correct gradient usually gives
    below 1e-6 and a wrong one above 1e-2.
    """
    function(f, "f", "tensor -> scalar")
    tensor(x, "x", floating=True, nonempty=True)  # the largest error over no entries is not a number
    eps = number(eps, "eps", above=0)
    one_of(method, "method", METHODS)
    floor = number(floor, "floor", above=0)
    leaf = x.detach().clone().requires_grad_(True)
    out = f(leaf)
    _scalar(out)
    if isinstance(out, torch.Tensor) and out.requires_grad:
        (analytic,) = torch.autograd.grad(out.sum(), leaf, allow_unused=True)
    else:
        analytic = None  # f does not depend on x through autograd
    if analytic is None:
        analytic = torch.zeros_like(leaf)
    numeric = numerical_gradient(f, x, eps=eps, method=method)
    denominator = torch.maximum(analytic.abs(), numeric.abs()).clamp(min=floor)
    return ((analytic.detach() - numeric).abs() / denominator).max().item()

"""Plot helpers the lessons share: a function with its autograd derivative, and several curves on one axes.

matplotlib is imported inside the functions, so importing dlnotes stays cheap.
"""
from __future__ import annotations

import math
from numbers import Real

import torch


def _check_range(x_range) -> tuple[float, float]:
    try:
        low, high = x_range
    except (TypeError, ValueError):
        raise ValueError(f"x_range must be a pair (low, high), got {x_range!r}") from None
    if any(isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v) for v in (low, high)) \
            or not low < high:
        raise ValueError(f"x_range must be two finite numbers with low < high, got {x_range!r}")
    return float(low), float(high)


def derivative_curve(fn, x_range=(-5, 5), num: int = 501) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``x`` (num points in x_range), ``fn(x)`` and ``fn'(x)`` by autograd, all float64 on the CPU.

    ``fn`` must act element by element (as activations do): then the gradient of ``fn(x).sum()``
    with respect to x_i is fn'(x_i), so one backward pass gives the whole derivative curve.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a callable tensor -> tensor, got {type(fn).__name__}")
    low, high = _check_range(x_range)
    if isinstance(num, bool) or not isinstance(num, int) or num < 2:
        raise ValueError(f"num must be an integer >= 2, got {num!r}")
    x = torch.linspace(low, high, num, dtype=torch.float64, requires_grad=True)  # (num,)
    y = fn(x)
    if not isinstance(y, torch.Tensor) or y.shape != x.shape:
        got = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
        raise ValueError(f"fn must map a tensor of shape ({num},) to one of the same shape (element-wise), got {got}")
    (dy,) = torch.autograd.grad(y.sum(), x)  # d(sum_j y_j)/dx_i = y_i'(x_i) for an element-wise fn
    return x.detach(), y.detach(), dy


def plot_with_derivative(fn, x_range=(-5, 5), ax=None, label=None):
    """Draw ``fn`` (solid) and its autograd derivative (dashed, same colour) over ``x_range``; returns the axes."""
    import matplotlib.pyplot as plt  # lazily: only lessons that plot pay for it

    x, y, dy = derivative_curve(fn, x_range)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    if label is None:
        label = getattr(fn, "__name__", "f")
    (line,) = ax.plot(x.numpy(), y.numpy(), label=label)
    ax.plot(x.numpy(), dy.numpy(), ls="--", color=line.get_color(), label=f"{label}'")
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel("x")
    ax.legend(fontsize=8)
    return ax


def plot_curves(x, curves: dict, ax=None, xlabel=None, ylabel=None, title=None, logx=False, logy=False):
    """Draw each ``name -> y`` of ``curves`` against the shared ``x``, with a legend; returns the axes."""
    import matplotlib.pyplot as plt

    if not isinstance(curves, dict) or not curves:
        raise TypeError(f"curves must be a non-empty dict of label -> y values, got {type(curves).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    for name, y in curves.items():
        ax.plot(x, y, marker=".", label=str(name))
    ax.set_xscale("log" if logx else "linear")
    ax.set_yscale("log" if logy else "linear")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    return ax

"""Plot helpers the lessons share: a function with its autograd derivative, several curves on one axes,
and optimizer paths (a 1-D trace on its curve, 2-D paths over contour lines).

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


def _check_path(name, path, dim: int) -> torch.Tensor:
    """An optimizer path as a float64 (n, dim) tensor on the CPU."""
    path = torch.as_tensor(path, dtype=torch.float64).detach().cpu()
    if dim == 1 and path.dim() == 1:
        path = path[:, None]  # a 1-D trace may come as a plain list of x values
    if path.dim() != 2 or path.shape[1] != dim or len(path) == 0:
        raise ValueError(f"{name} must have shape (n, {dim}) with n >= 1, got {tuple(path.shape)}")
    return path


def plot_trace_1d(f, path, x_range=None, ax=None, label=None, num: int = 401):
    """Draw ``f`` over ``x_range`` and the points ``path`` visits on it, joined in order; returns the axes.

    ``f`` takes a tensor ``x`` of shape (1, ...) and works on ``x[0]`` element by element,
    as ``lambda x: x[0] ** 2`` does: the same function then serves ``trajectory`` (a
    vector of shape (1,)) and the curve here. ``path`` is a list of x values or a (n, 1)
    tensor, as ``trajectory`` returns it. Without ``x_range`` the plot spans the path
    symmetrically around 0 (at least [-1, 1]).
    """
    import matplotlib.pyplot as plt

    if not callable(f):
        raise TypeError(f"f must be a callable tensor -> tensor, got {type(f).__name__}")
    xs = _check_path("path", path, 1)[:, 0]  # (n,)
    if x_range is None:
        reach = max(1.0, xs.abs().max().item())
        if not math.isfinite(reach):
            raise ValueError("path contains inf or nan; pass x_range to plot the part that is finite")
        x_range = (-reach, reach)
    low, high = _check_range(x_range)
    grid = torch.linspace(low, high, num, dtype=torch.float64)  # (num,)
    curve, values = f(grid[None]), f(xs[None])  # (num,), (n,)
    if not isinstance(curve, torch.Tensor) or curve.shape != grid.shape:
        got = tuple(curve.shape) if isinstance(curve, torch.Tensor) else type(curve).__name__
        raise ValueError(f"f must map a (1, {num}) tensor to ({num},) values (work on x[0] element-wise), got {got}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3))
    ax.plot(grid.numpy(), curve.detach().numpy(), color="tab:blue", lw=1)
    ax.plot(xs.numpy(), values.detach().numpy(), "-o", color="tab:orange", ms=4, label=label)
    ax.set(xlabel="x", ylabel="f(x)")
    if label is not None:
        ax.legend(fontsize=8)
    return ax


def plot_contour_paths(f, paths: dict, x_range=(-5.5, 1.0), y_range=(-3.0, 1.0), ax=None,
                       levels=15, num: int = 201, styles: dict | None = None):
    """Contour lines of a function of two variables with optimizer paths on top; returns the axes.

    ``f`` takes a tensor ``x`` of shape (2, ...) and works on ``x[0]`` and ``x[1]``
    element by element, as ``lambda x: 0.1 * x[0] ** 2 + 2 * x[1] ** 2`` does; the same
    function then serves ``trajectory`` (a vector of shape (2,)) and the grid here.
    ``paths`` maps a label to a (n, 2) path; ``styles`` optionally maps a label to
    keyword arguments for its line (colour, marker, ...). The start is a black dot.
    """
    import matplotlib.pyplot as plt

    if not callable(f):
        raise TypeError(f"f must be a callable tensor -> tensor, got {type(f).__name__}")
    if not isinstance(paths, dict):
        raise TypeError(f"paths must be a dict of label -> (n, 2) path, got {type(paths).__name__}")
    paths = {name: _check_path(f"paths[{name!r}]", path, 2) for name, path in paths.items()}
    styles = styles or {}
    x_low, x_high = _check_range(x_range)
    try:
        y_low, y_high = _check_range(y_range)
    except ValueError as error:  # the shared check speaks of x_range
        raise ValueError(str(error).replace("x_range", "y_range")) from None
    x1, x2 = torch.meshgrid(torch.linspace(x_low, x_high, num, dtype=torch.float64),
                            torch.linspace(y_low, y_high, num, dtype=torch.float64), indexing="xy")  # (num, num)
    z = f(torch.stack([x1, x2]))  # (num, num)
    if not isinstance(z, torch.Tensor) or z.shape != x1.shape:
        got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
        raise ValueError(f"f must map a (2, {num}, {num}) grid to ({num}, {num}) values "
                         f"(work on x[0] and x[1] element-wise), got {got}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    ax.contour(x1.numpy(), x2.numpy(), z.detach().numpy(), levels=levels, colors="#9bb7d4", linewidths=0.8)
    for name, path in paths.items():
        ax.plot(path[:, 0].numpy(), path[:, 1].numpy(), **{"marker": "o", "ms": 3, "lw": 1, **styles.get(name, {})},
                label=str(name))
        ax.plot(path[0, 0].item(), path[0, 1].item(), "o", color="black", ms=4)
    ax.set(xlim=(x_low, x_high), ylim=(y_low, y_high), xlabel="x1", ylabel="x2")
    if paths:
        ax.legend(fontsize=8)
    return ax

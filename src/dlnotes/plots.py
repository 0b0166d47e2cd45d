"""Plot helpers the lessons share: a function with its autograd derivative, several curves on one axes,
and optimizer paths (a 1-D trace on its curve, 2-D paths over contour lines).

matplotlib is imported inside the functions, so importing dlnotes stays cheap.

What the arguments accept: functions (``fn``, ``f``) are callables on float64 tensors that work element
by element and return a real tensor of the shape asked for; torch's ``RuntimeError`` for a tensor such a
function cannot take (e.g. an ``nn.Linear`` with float32 weights) becomes a ``ValueError`` naming it, and
anything else it raises reaches the caller unchanged. Ranges are pairs ``(low, high)`` of finite numbers
with ``low < high``; ``num`` is a whole number of grid points; values and paths are lists, tuples, NumPy
arrays or tensors of real numbers; ``ax`` is ``None`` (a new figure) or a matplotlib ``Axes``; labels and
titles are ``None`` or strings. Anything else raises ``TypeError`` (wrong kind of thing) or ``ValueError``
(value not accepted) naming the argument.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from dlnotes._checks import flag, function, instance, integer, number, show

MAX_POINTS = 1_000_000  # num for a curve; a contour grid has num x num points, num <= MAX_GRID
MAX_GRID = 2_000


def _check_range(value, name: str = "x_range") -> tuple[float, float]:
    """A pair (low, high) of finite numbers with low < high and a finite width."""
    try:
        low, high = value
    except TypeError:
        raise TypeError(f"{name} must be a pair (low, high) of numbers, got {show(value)}") from None
    except ValueError:
        raise ValueError(f"{name} must be a pair (low, high) of numbers, got {show(value)}") from None
    low, high = number(low, f"{name} low"), number(high, f"{name} high")
    if not low < high or not math.isfinite(high - low):
        raise ValueError(f"{name} must be two finite numbers with low < high (and a finite width), got {show(value)}")
    return low, high


def _reals(value, name: str, what: str) -> np.ndarray:
    """``value`` (a list, tuple, NumPy array or tensor of real numbers) as a float64 array; ``what`` its shape."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        value = value.double() if value.is_floating_point() else value
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001: ragged lists, tensors that need grad inside a list, ...
        array = None
    if array is None or array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be {what} of real numbers (a list, NumPy array or tensor; a list of "
                        f"tensors: torch.stack(...).detach()), got {show(value)}")
    return array.astype(np.float64)


def _axes(ax):
    """``ax``: None (the caller makes a figure) or a matplotlib Axes."""
    from matplotlib.axes import Axes
    return ax if ax is None else instance(ax, "ax", Axes, "None or a matplotlib Axes, e.g. from plt.subplots()")


def _text(value, name: str):
    return value if value is None else instance(value, name, str, "None or a string")


def _apply(f, name: str, x: torch.Tensor):
    """``f(x)``; torch's RuntimeError (a shape or dtype ``f`` cannot take) names the argument."""
    try:
        return f(x)
    except RuntimeError as err:
        raise ValueError(f"{name} must work element-wise on float64 tensors, but on {show(x)} it raised "
                         f"RuntimeError: {err}") from err


def _values_of(out, shape: tuple, called_on: str, hint: str) -> np.ndarray:
    """What ``f`` returned: a real tensor of ``shape``, as a float64 array."""
    if not isinstance(out, torch.Tensor) or out.is_complex() or tuple(out.shape) != shape:
        raise ValueError(f"f must map {called_on} to a real tensor of shape {shape} ({hint}), got {show(out)}")
    return out.detach().cpu().double().numpy()


def derivative_curve(fn, x_range=(-5, 5), num: int = 501) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``x`` (num points in x_range), ``fn(x)`` and ``fn'(x)`` by autograd, all float64 on the CPU.

    ``fn`` must act element by element (as activations do): then the gradient of ``fn(x).sum()``
    with respect to x_i is fn'(x_i), so one backward pass gives the whole derivative curve.
    ``fn`` must compute its output from ``x`` with torch operations, so that autograd reaches ``x``;
    ``x_range`` is a pair of finite numbers, low < high; ``num`` an integer in [2, 1000000].
    """
    function(fn, "fn", "tensor -> tensor, applied element-wise (e.g. torch.tanh)")
    low, high = _check_range(x_range)
    num = integer(num, "num", minimum=2, maximum=MAX_POINTS)
    x = torch.linspace(low, high, num, dtype=torch.float64, requires_grad=True)  # (num,)
    y = _apply(fn, "fn", x)
    if not isinstance(y, torch.Tensor) or not y.is_floating_point() or y.shape != x.shape:
        raise ValueError(f"fn must map a tensor of shape ({num},) to a floating-point tensor of the same shape "
                         f"(element-wise), got {show(y)}")
    dy = torch.autograd.grad(y.sum(), x, allow_unused=True)[0] if y.requires_grad else None
    if dy is None:  # d(sum_j y_j)/dx_i = y_i'(x_i) for an element-wise fn
        raise ValueError("fn must compute its output from x with torch operations, so that autograd can "
                         "differentiate it; its output does not depend on x in autograd's graph "
                         "(made with .detach(), .item(), numpy or a comparison such as x > 0?)")
    return x.detach(), y.detach(), dy


def plot_with_derivative(fn, x_range=(-5, 5), ax=None, label=None):
    """Draw ``fn`` (solid) and its autograd derivative (dashed, same colour) over ``x_range``; returns the axes.

    ``fn`` and ``x_range`` as for :func:`derivative_curve`; ``ax`` None or a matplotlib Axes;
    ``label`` None (``fn``'s name) or a string.
    """
    import matplotlib.pyplot as plt  # lazily: only lessons that plot pay for it

    ax, label = _axes(ax), _text(label, "label")
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
    """Draw each ``name -> y`` of ``curves`` against the shared ``x``, with a legend; returns the axes.

    ``x``: a non-empty 1-D sequence of real numbers (list, NumPy array or tensor); ``curves``: a non-empty
    dict of string label -> 1-D real values as long as ``x`` (nan or inf leave a gap); ``ax``: None or a
    matplotlib Axes; ``xlabel``, ``ylabel``, ``title``: None or strings; ``logx``, ``logy``: True or False.
    """
    import matplotlib.pyplot as plt

    xs = _reals(x, "x", "a 1-D sequence")
    if xs.ndim != 1 or xs.size == 0:
        raise ValueError(f"x must be a non-empty 1-D sequence of numbers, got shape {xs.shape}")
    if not isinstance(curves, dict):
        raise TypeError(f"curves must be a non-empty dict of label -> y values, got {show(curves)}")
    if not curves:
        raise ValueError("curves must be a non-empty dict of label -> y values, got {}")
    ys = {}
    for name, y in curves.items():
        if not isinstance(name, str):
            raise TypeError(f"curves labels must be strings (the legend's labels), got {show(name)}")
        ys[name] = _reals(y, f"curves[{name!r}]", "a 1-D sequence")
        if ys[name].shape != xs.shape:
            raise ValueError(f"curves[{name!r}] must hold one value per x, shape {xs.shape}, got {ys[name].shape}")
    ax = _axes(ax)
    xlabel, ylabel, title = _text(xlabel, "xlabel"), _text(ylabel, "ylabel"), _text(title, "title")
    logx, logy = flag(logx, "logx"), flag(logy, "logy")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    for name, y in ys.items():
        ax.plot(xs, y, marker=".", label=name)
    ax.set_xscale("log" if logx else "linear")
    ax.set_yscale("log" if logy else "linear")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    return ax


def _check_path(name, path, dim: int) -> np.ndarray:
    """An optimizer path as a float64 (n, dim) array."""
    path = _reals(path, name, f"an (n, {dim}) path")
    if dim == 1 and path.ndim == 1:
        path = path[:, None]  # a 1-D trace may come as a plain list of x values
    if path.ndim != 2 or path.shape[1] != dim or len(path) == 0:
        raise ValueError(f"{name} must have shape (n, {dim}) with n >= 1, got {path.shape}")
    return path


def plot_trace_1d(f, path, x_range=None, ax=None, label=None, num: int = 401):
    """Draw ``f`` over ``x_range`` and the points ``path`` visits on it, joined in order; returns the axes.

    ``f`` takes a tensor ``x`` of shape (1, ...) and works on ``x[0]`` element by element,
    as ``lambda x: x[0] ** 2`` does: the same function then serves ``trajectory`` (a
    vector of shape (1,)) and the curve here. ``path`` is a list of x values or a (n, 1)
    tensor, as ``trajectory`` returns it. Without ``x_range`` the plot spans the path
    symmetrically around 0 (at least [-1, 1]); the path must then be finite.
    ``x_range``: None or a pair of finite numbers, low < high; ``ax``: None or a matplotlib
    Axes; ``label``: None or a string; ``num``: an integer in [2, 1000000].
    """
    import matplotlib.pyplot as plt

    function(f, "f", "tensor -> tensor working on x[0] element-wise")
    xs = _check_path("path", path, 1)[:, 0]  # (n,)
    if x_range is None:
        if not np.isfinite(xs).all():
            raise ValueError("path contains inf or nan; pass x_range to plot the part that is finite")
        reach = max(1.0, float(np.abs(xs).max()))
        x_range = (-reach, reach)
    low, high = _check_range(x_range)
    ax, label = _axes(ax), _text(label, "label")
    num = integer(num, "num", minimum=2, maximum=MAX_POINTS)
    grid = torch.linspace(low, high, num, dtype=torch.float64)  # (num,)
    hint = "work on x[0] element-wise"
    curve = _values_of(_apply(f, "f", grid[None]), (num,), f"a (1, {num}) tensor", hint)
    values = _values_of(_apply(f, "f", torch.from_numpy(xs)[None]), (len(xs),), f"the path's (1, {len(xs)}) tensor",
                        hint)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3))
    ax.plot(grid.numpy(), curve, color="tab:blue", lw=1)
    ax.plot(xs, values, "-o", color="tab:orange", ms=4, label=label)
    ax.set(xlabel="x", ylabel="f(x)")
    if label:  # "" would draw an empty legend
        ax.legend(fontsize=8)
    return ax


def _check_styles(styles, paths: dict) -> dict:
    """None, or a dict of path label -> dict of keyword arguments for that path's Line2D."""
    from matplotlib.lines import Line2D
    if styles is None:
        return {}
    if not isinstance(styles, dict):
        raise TypeError(f"styles must be None or a dict of path label -> dict of line keywords, "
                        f"got {show(styles)}")
    for name, style in styles.items():
        if name not in paths:
            raise ValueError(f"styles has the label {show(name)}, which is not a key of paths {list(paths)}")
        if not isinstance(style, dict) or not all(isinstance(k, str) for k in style) or "label" in style:
            raise TypeError(f"styles[{name!r}] must be a dict of Line2D keywords such as "
                            f"{{'color': 'red', 'marker': 'x'}} (no 'label'), got {show(style)}")
        try:
            Line2D([], [], **style)
        except (AttributeError, TypeError, ValueError) as err:
            raise ValueError(f"styles[{name!r}] must hold valid Line2D keywords and values, got {show(style)}: "
                             f"{err}") from None
    return styles


def _check_levels(levels):
    """A count of contour levels, or increasing finite level values."""
    if isinstance(levels, (int, np.integer)) and not isinstance(levels, (bool, np.bool_)):
        return integer(levels, "levels", minimum=1, maximum=1000)
    values = _reals(levels, "levels", "an integer or a 1-D increasing sequence")
    if values.ndim != 1 or values.size == 0 or not np.isfinite(values).all() or np.any(np.diff(values) <= 0):
        raise ValueError(f"levels must be an integer or a non-empty 1-D sequence of increasing finite numbers, "
                         f"got {show(levels)}")
    return values


def plot_contour_paths(f, paths: dict, x_range=(-5.5, 1.0), y_range=(-3.0, 1.0), ax=None,
                       levels=15, num: int = 201, styles: dict | None = None):
    """Contour lines of a function of two variables with optimizer paths on top; returns the axes.

    ``f`` takes a tensor ``x`` of shape (2, ...) and works on ``x[0]`` and ``x[1]``
    element by element, as ``lambda x: 0.1 * x[0] ** 2 + 2 * x[1] ** 2`` does; the same
    function then serves ``trajectory`` (a vector of shape (2,)) and the grid here.
    ``paths`` maps a string label to a (n, 2) path; ``styles`` optionally maps a label to
    keyword arguments for its line (colour, marker, ...). The start is a black dot.
    ``x_range``, ``y_range``: pairs of finite numbers, low < high; ``ax``: None or a matplotlib
    Axes; ``levels``: an integer in [1, 1000] or increasing finite numbers; ``num``: an integer
    in [2, 2000] (points per axis).
    """
    import matplotlib.pyplot as plt

    function(f, "f", "tensor -> tensor working on x[0] and x[1] element-wise")
    if not isinstance(paths, dict):
        raise TypeError(f"paths must be a dict of label -> (n, 2) path, got {show(paths)}")
    for name in paths:
        if not isinstance(name, str):
            raise TypeError(f"paths labels must be strings (the legend's labels), got {show(name)}")
    paths = {name: _check_path(f"paths[{name!r}]", path, 2) for name, path in paths.items()}
    styles = _check_styles(styles, paths)
    (x_low, x_high), (y_low, y_high) = _check_range(x_range), _check_range(y_range, "y_range")
    ax, levels = _axes(ax), _check_levels(levels)
    num = integer(num, "num", minimum=2, maximum=MAX_GRID)
    x1, x2 = torch.meshgrid(torch.linspace(x_low, x_high, num, dtype=torch.float64),
                            torch.linspace(y_low, y_high, num, dtype=torch.float64), indexing="xy")  # (num, num)
    z = _values_of(_apply(f, "f", torch.stack([x1, x2])), (num, num), f"a (2, {num}, {num}) grid",
                   "work on x[0] and x[1] element-wise")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    ax.contour(x1.numpy(), x2.numpy(), np.ma.masked_invalid(z), levels=levels, colors="#9bb7d4", linewidths=0.8)
    for name, path in paths.items():
        ax.plot(path[:, 0], path[:, 1], **{"marker": "o", "ms": 3, "lw": 1, **styles.get(name, {})}, label=name)
        ax.plot(path[0, 0], path[0, 1], "o", color="black", ms=4)
    ax.set(xlim=(x_low, x_high), ylim=(y_low, y_high), xlabel="x1", ylabel="x2")
    if paths:
        ax.legend(fontsize=8)
    return ax

"""The optimizer-path plots draw what they are given and refuse what they cannot draw."""
import math

import matplotlib
import pytest
import torch
from torch import nn

from dlnotes import plots

matplotlib.use("Agg")


def quadratic(x):
    return 0.1 * x[0] ** 2 + 2 * x[1] ** 2


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


def test_trace_1d_draws_the_curve_and_the_path():
    ax = plots.plot_trace_1d(lambda x: x[0] ** 2, [10.0, 6.0, 3.6], label="eta = 0.2")
    curve, path = ax.get_lines()
    assert curve.get_xdata()[0] == -10.0 and curve.get_xdata()[-1] == 10.0  # symmetric around 0
    assert path.get_xdata().tolist() == [10.0, 6.0, 3.6]
    assert path.get_ydata().tolist() == pytest.approx([100.0, 36.0, 12.96])
    assert ax.get_legend().get_texts()[0].get_text() == "eta = 0.2"


def test_trace_1d_takes_a_trajectory_column_and_a_range():
    path = torch.tensor([[0.5], [0.25]], dtype=torch.float64)  # (n, 1), as trajectory returns it
    ax = plots.plot_trace_1d(lambda x: x[0] ** 2, path, x_range=(-2, 3), num=11)
    curve = ax.get_lines()[0]
    assert len(curve.get_xdata()) == 11 and curve.get_xdata()[-1] == 3.0
    assert ax.get_legend() is None


def test_contour_paths_draws_every_path_with_its_start():
    a = torch.tensor([[-5.0, -2.0], [-4.0, 1.0], [-3.0, -0.5]])
    b = [[-5.0, -2.0], [-1.0, 0.0]]
    ax = plots.plot_contour_paths(quadratic, {"GD": a, "Adam": b}, styles={"Adam": {"color": "red"}}, num=21)
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["GD", "Adam"]
    adam = [line for line in ax.get_lines() if line.get_label() == "Adam"][0]
    assert adam.get_color() == "red" and adam.get_xdata().tolist() == [-5.0, -1.0]
    assert len(ax.get_lines()) == 4  # two paths, two start dots
    assert ax.collections, "no contour lines drawn"
    assert ax.get_xlim() == (-5.5, 1.0) and ax.get_ylim() == (-3.0, 1.0)


@pytest.mark.parametrize("call, error, words", [
    (lambda: plots.plot_trace_1d("x ** 2", [1.0]), TypeError, "f must be a callable"),
    (lambda: plots.plot_trace_1d(lambda x: x[0] ** 2, []), ValueError, r"path must have shape \(n, 1\)"),
    (lambda: plots.plot_trace_1d(lambda x: x[0] ** 2, [[1.0, 2.0]]), ValueError, r"shape \(n, 1\)"),
    (lambda: plots.plot_trace_1d(lambda x: x[0] ** 2, [1.0, float("inf")]), ValueError, "pass x_range"),
    (lambda: plots.plot_trace_1d(lambda x: x[0] ** 2, [1.0], x_range=(1, -1)), ValueError, "x_range must be"),
    (lambda: plots.plot_trace_1d(lambda x: (x ** 2).sum(), [1.0]), ValueError, "work on x\\[0\\] element-wise"),
    (lambda: plots.plot_contour_paths(quadratic, [[0.0, 0.0]]), TypeError, "paths must be a dict"),
    (lambda: plots.plot_contour_paths(quadratic, {"GD": [1.0, 2.0]}), ValueError,
     r"paths\['GD'\] must have shape \(n, 2\)"),
    (lambda: plots.plot_contour_paths(lambda x: x.sum(), {}), ValueError, "work on x\\[0\\] and x\\[1\\]"),
    (lambda: plots.plot_contour_paths(quadratic, {}, y_range=(0, 0)), ValueError, "y_range must be"),
    (lambda: plots.plot_contour_paths(None, {}), TypeError, "f must be a callable"),
])
def test_validation(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ---------- bad input found by test_bad_input_modules.py (each failed before the checks went through _checks)

PLOTTERS = {
    "plot_with_derivative": lambda **kw: plots.plot_with_derivative(torch.tanh, **kw),
    "plot_curves": lambda **kw: plots.plot_curves([1, 2], {"a": [1.0, 2.0]}, **kw),
    "plot_trace_1d": lambda **kw: plots.plot_trace_1d(lambda x: x[0] ** 2, [1.0], num=11, **kw),
    "plot_contour_paths": lambda **kw: plots.plot_contour_paths(quadratic, {}, num=11, **kw),
}


@pytest.mark.parametrize("plot", PLOTTERS)
@pytest.mark.parametrize("ax", [[], 1, "ax"])
def test_ax_must_be_matplotlib_axes(plot, ax):
    with pytest.raises(TypeError, match="ax must be None or a matplotlib Axes"):  # was an AttributeError
        PLOTTERS[plot](ax=ax)


def test_a_given_ax_is_drawn_on():
    import matplotlib.pyplot as plt
    _, ax = plt.subplots()
    assert all(PLOTTERS[plot](ax=ax) is ax for plot in PLOTTERS)


@pytest.mark.parametrize("x, error", [({"a": 1}, TypeError), (iter([1, 2]), TypeError), ([[1], [2, 3]], TypeError),
                                      (torch.tensor([1j, 2j]), TypeError), (None, TypeError), ([], ValueError)])
def test_plot_curves_x_must_be_a_sequence_of_real_numbers(x, error):
    with pytest.raises(error, match=r"\bx must"):
        plots.plot_curves(x, {"a": [1.0, 2.0]})


def test_plot_curves_values_must_match_x():
    with pytest.raises(ValueError, match=r"curves\['a'\] must hold one value per x"):
        plots.plot_curves([1, 2, 3], {"a": [1.0, 2.0]})


def test_plot_curves_takes_tensors_that_need_grad():
    w = torch.ones(3, requires_grad=True)
    ax = plots.plot_curves(torch.arange(3), {"w": w * 2})
    assert ax.get_lines()[0].get_ydata().tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("kwargs, name", [({"logx": "no"}, "logx"), ({"logy": 1}, "logy"), ({"title": 5}, "title"),
                                          ({"xlabel": ["x"]}, "xlabel")])
def test_plot_curves_flags_and_labels(kwargs, name):
    with pytest.raises(TypeError, match=name):  # logx="no" silently drew a log axis
        plots.plot_curves([1, 2], {"a": [1.0, 2.0]}, **kwargs)


@pytest.mark.parametrize("call, error, words", [
    (lambda: plots.plot_trace_1d(lambda x: x[0] ** 2, [1.0], num=None), TypeError, "num must be an integer"),
    (lambda: plots.plot_contour_paths(quadratic, {}, num=None), TypeError, "num must be an integer"),
    (lambda: plots.plot_contour_paths(quadratic, {}, num=10**6), ValueError, r"num must be an integer in \[2, 2000\]"),
    (lambda: plots.derivative_curve(torch.tanh, num=2**64), ValueError, r"num must be an integer in \[2, 1000000\]"),
])
def test_num_is_a_bounded_integer(call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize("styles, error, words", [
    (({}, {}), TypeError, "styles must be None or a dict"),
    ({"GD": {"colour": "red"}}, ValueError, r"styles\['GD'\] must hold valid Line2D keywords"),  # a typo
    ({"GD": {"lw": "thick"}}, ValueError, r"styles\['GD'\]"),
    ({"GD": "red"}, TypeError, r"styles\['GD'\] must be a dict"),
    ({"Adam": {"color": "red"}}, ValueError, "not a key of paths"),
])
def test_contour_styles_are_checked(styles, error, words):
    with pytest.raises(error, match=words):
        plots.plot_contour_paths(quadratic, {"GD": [[0.0, 0.0]]}, styles=styles, num=11)


@pytest.mark.parametrize("levels, error", [("", TypeError), ({}, TypeError), (0, ValueError), (2**64, ValueError),
                                           ([3.0, 1.0], ValueError), (torch.tensor(1.5), ValueError)])
def test_contour_levels_are_a_count_or_increasing_values(levels, error):
    with pytest.raises(error, match="levels must be"):
        plots.plot_contour_paths(quadratic, {}, levels=levels, num=11)


def test_contour_levels_as_values():
    ax = plots.plot_contour_paths(quadratic, {}, levels=[0.5, 1.0, 2.0], num=11)
    assert list(ax.collections[0].levels) == [0.5, 1.0, 2.0]


def test_path_of_the_wrong_kind_names_path():
    with pytest.raises(TypeError, match="path must be"):
        plots.plot_trace_1d(lambda x: x[0] ** 2, None)
    with pytest.raises(TypeError, match=r"paths\['GD'\] must be"):
        plots.plot_contour_paths(quadratic, {"GD": "abc"})
    with pytest.raises(TypeError, match="paths labels must be strings"):
        plots.plot_contour_paths(quadratic, {0: [[0.0, 0.0]]})


def test_trace_1d_path_with_nan_asks_for_x_range():
    with pytest.raises(ValueError, match="pass x_range"):  # nan hid from max(): silently plotted [-1, 1]
        plots.plot_trace_1d(lambda x: x[0] ** 2, [5.0, float("nan")])


def test_derivative_curve_of_a_function_autograd_cannot_follow():
    with pytest.raises(ValueError, match="fn must compute its output from x with torch operations"):
        plots.derivative_curve(lambda x: (x > 0).double())  # was torch's RuntimeError from autograd.grad


def test_derivative_curve_of_a_constant_part_is_zero():
    x, y, dy = plots.derivative_curve(lambda x: torch.where(x > 0, x, torch.zeros_like(x)), num=5)
    assert dy.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_range_too_wide_for_float64_is_refused():
    with pytest.raises(ValueError, match="x_range must be two finite numbers"):  # silently gave inf and nan x
        plots.derivative_curve(torch.tanh, x_range=(-1e308, 1e308))


def test_a_user_function_s_error_passes_unchanged():
    def broken(x):
        raise KeyError("mine")

    with pytest.raises(KeyError, match="mine"):
        plots.plot_trace_1d(broken, [1.0])


@pytest.mark.parametrize("call", [lambda: plots.derivative_curve(nn.Linear(2, 2)),
                                  lambda: plots.plot_trace_1d(nn.Linear(2, 2), [1.0]),
                                  lambda: plots.plot_contour_paths(nn.Linear(2, 2), {}, num=5)])
def test_a_module_that_cannot_take_the_grid_names_the_function(call):
    with pytest.raises(ValueError, match="must work element-wise on float64 tensors.*RuntimeError"):
        call()  # was torch's RuntimeError: mat1 and mat2 must have the same dtype


def test_an_activation_module_works_as_fn():
    x, y, dy = plots.derivative_curve(nn.Tanh(), num=3)
    assert dy.tolist() == pytest.approx([1 - math.tanh(5) ** 2, 1.0, 1 - math.tanh(5) ** 2])

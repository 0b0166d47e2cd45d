"""The optimizer-path plots draw what they are given and refuse what they cannot draw."""
import matplotlib
import pytest
import torch

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

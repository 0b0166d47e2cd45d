"""The scalar autograd engine against torch's autograd (float64), operation by operation."""
import math
import os
import re

os.environ.setdefault("MPLBACKEND", "Agg")  # draw_graph must run headless

import matplotlib
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlnotes.scratch.engine import Value, topological_order
from dlnotes.scratch.graph import draw_graph

matplotlib.use("Agg")
SETTINGS = settings(max_examples=60, deadline=None)
reals = st.floats(-4.0, 4.0, allow_nan=False)
positives = st.floats(0.05, 5.0)
away_from_zero = reals.filter(lambda v: abs(v) > 0.05)


def both(fn, *inputs):
    """Run ``fn`` on engine Values and on float64 tensors; return (values, grads) of each."""
    vals = [Value(v) for v in inputs]
    out = fn(*vals)
    out.backward()
    tens = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in inputs]
    t_out = fn(*tens)
    t_out.backward()
    return (out.data, [v.grad for v in vals]), (t_out.item(), [t.grad.item() for t in tens])


def assert_match(fn, *inputs):
    (data, grads), (t_data, t_grads) = both(fn, *inputs)
    assert data == pytest.approx(t_data, rel=1e-12, abs=1e-12)
    assert grads == pytest.approx(t_grads, rel=1e-9, abs=1e-12)


UNARY = {
    "neg": lambda a: -a,
    "exp": lambda a: a.exp(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "square": lambda a: a ** 2,
    "cube": lambda a: a ** 3,
    "pow_int_float": lambda a: a ** 2.0,
    "radd": lambda a: 2.5 + a,
    "rsub": lambda a: 2.5 - a,
    "rmul": lambda a: -1.5 * a,
    "add_number": lambda a: a + 2.5,
    "sub_number": lambda a: a - 2.5,
    "mul_number": lambda a: a * 0.5,
    "div_number": lambda a: a / 4.0,
}


@pytest.mark.parametrize("name", UNARY)
@SETTINGS
@given(a=reals)
def test_unary_operations_match_torch(name, a):
    assert_match(UNARY[name], a)


@pytest.mark.parametrize("fn", [lambda a: a.log(), lambda a: a ** 0.5, lambda a: a ** -1.5, lambda a: 3.0 / a],
                         ids=["log", "sqrt", "pow_neg_frac", "rtruediv"])
@SETTINGS
@given(a=positives)
def test_operations_on_positive_inputs_match_torch(fn, a):
    assert_match(fn, a)


@pytest.mark.parametrize("fn", [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b],
                         ids=["add", "sub", "mul"])
@SETTINGS
@given(a=reals, b=reals)
def test_binary_operations_match_torch(fn, a, b):
    assert_match(fn, a, b)


@SETTINGS
@given(a=reals, b=away_from_zero)
def test_division_matches_torch(a, b):
    assert_match(lambda x, y: x / y, a, b)


@SETTINGS
@given(a=reals, b=reals)
def test_max_matches_torch_maximum(a, b):
    (data, grads), (t_data, t_grads) = both(lambda x, y: x.max(y) if isinstance(x, Value) else torch.maximum(x, y), a, b)
    assert data == t_data
    assert grads == t_grads  # on a tie (a == b) both are [0.5, 0.5]


def test_max_routes_the_gradient_to_the_larger_input_and_splits_ties():
    a, b = Value(2.0), Value(-1.0)
    (3 * a.max(b)).backward()
    assert (a.grad, b.grad) == (3.0, 0.0)
    a, b = Value(2.0), Value(2.0)
    (3 * a.max(b)).backward()
    assert (a.grad, b.grad) == (1.5, 1.5)  # half each, never the full 3 to both
    a = Value(1.0)
    a.max(4).backward()  # a number is allowed; it loses, so a gets nothing
    assert a.grad == 0.0


def test_relu_slope_at_zero_is_zero_as_in_torch():
    assert_match(lambda a: a.relu(), 0.0)


def test_sigmoid_is_finite_for_large_inputs():
    for v in (-800.0, 800.0):
        s = Value(v).sigmoid()
        s.backward()
        assert s.data in (0.0, 1.0) and s.grad == 1.0


def test_a_value_used_twice_accumulates_its_gradient():
    a = Value(3.0)
    (a * a + a).backward()  # d/da (a^2 + a) = 2a + 1
    assert a.grad == 7.0
    assert_match(lambda x: x * x + x, 3.0)
    assert_match(lambda x: (x * x).max(x) + x.tanh() * x, -0.7)


@SETTINGS
@given(a=reals, b=reals, c=positives)
def test_a_composite_expression_matches_torch(a, b, c):
    def f(x, y, z):  # micrograd's sanity check, plus the other operations of the engine
        p = x * y + y ** 3 - x / z
        q = (p * 0.1).tanh() + (x - y).sigmoid() * z.log() + (p.relu() if isinstance(p, Value) else p.relu())
        r = q.max(x) if isinstance(q, Value) else torch.maximum(q, x)
        return r * r + (-q).exp() / 2
    assert_match(f, a, b, c)


def test_the_j_example_and_the_sigmoid_neuron():
    a, b, c = Value(5.0), Value(3.0), Value(2.0)
    J = 3 * (a + b * c)
    J.backward()
    assert (J.data, a.grad, b.grad, c.grad) == (33.0, 3.0, 6.0, 9.0)
    w0, x0, w1, x1, w2 = (Value(v) for v in (2.0, -1.0, -3.0, -2.0, -3.0))
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    f.backward()
    s = 1 / (1 + math.exp(-1.0))
    assert f.data == pytest.approx(s)
    ds = s * (1 - s)
    assert [w0.grad, w1.grad, w2.grad] == pytest.approx([-ds, -2 * ds, ds])
    assert [x0.grad, x1.grad] == pytest.approx([2 * ds, -3 * ds])


def test_backward_twice_doubles_the_leaf_gradients_as_torch_does():
    a, b = Value(2.0), Value(-3.0)
    out = (a * b).tanh() + a
    out.backward()
    first = (a.grad, b.grad)
    out.backward()
    assert (a.grad, b.grad) == pytest.approx((2 * first[0], 2 * first[1]))
    ta, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, -3.0))
    t_out = (ta * tb).tanh() + ta
    t_out.backward(retain_graph=True)
    t_out.backward()
    assert (a.grad, b.grad) == pytest.approx((ta.grad.item(), tb.grad.item()))
    assert out.grad == 1.0  # the output is re-seeded, not accumulated


def test_zero_grad_clears_the_whole_graph():
    a, b = Value(2.0), Value(-3.0)
    out = a * b + a
    out.backward()
    out.zero_grad()
    assert all(node.grad == 0.0 for node in topological_order(out))


def test_topological_order_puts_inputs_first_and_survives_long_chains():
    x = Value(1.0)
    y = x
    for _ in range(5000):  # deeper than Python's default recursion limit
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    a = Value(1.0)
    out = a * 2 + a
    order = topological_order(out)
    assert order[-1] is out and order.index(a) < order.index(out._prev[0])


@pytest.mark.parametrize("call, error, words", [
    (lambda: Value(2.0) ** Value(3.0), TypeError, "exponent must be a number (a constant"),
    (lambda: Value(2.0) ** "2", TypeError, "exponent must be a number"),
    (lambda: Value(2.0) ** float("nan"), ValueError, "exponent must be a finite number, got nan"),
    (lambda: Value(-2.0) ** 0.5, ValueError, "exponent must be an integer for a negative base (data=-2.0)"),
    (lambda: Value(0.0) ** -1, ValueError, "exponent must be >= 1 at data=0 (0 ** exponent, or its slope"),
    (lambda: Value(0.0) ** 0.5, ValueError, "exponent must be >= 1 at data=0"),  # its slope is 0.5 / 0
    (lambda: Value(1e300) ** 2, ValueError, "**2 overflows a float: input 1e+300"),
    (lambda: Value(-1.5).log(), ValueError, "log needs data > 0, got -1.5"),
    (lambda: Value(0.0).log(), ValueError, "log needs data > 0, got 0.0"),
    (lambda: Value(1000.0).exp(), ValueError, "exp overflows a float: data must be <= 709.78, got 1000.0"),
    (lambda: Value(1e200) * 1e200, ValueError, "* overflows a float: inputs 1e+200, 1e+200 give inf"),
    (lambda: Value(1.7e308) + Value(1.7e308), ValueError, "+ overflows a float"),
    (lambda: Value(1.0) / 0, ValueError, "other must not be 0: division by zero"),
    (lambda: 1.0 / Value(0.0), ValueError, "division by zero: the divisor's data is 0"),
    (lambda: Value("3"), TypeError, "data must be a real number, got '3'"),
    (lambda: Value(True), TypeError, "data must be a real number, got True"),
    (lambda: Value(float("nan")), ValueError, "data must be a finite number, got nan"),
    (lambda: Value(float("-inf")), ValueError, "data must be a finite number, got -inf"),
    (lambda: Value(1.0, label=3), TypeError, "label must be a string, got 3"),
    (lambda: Value(1.0).max("2"), TypeError, "other must be a Value or a real number, got '2'"),
    (lambda: Value(1.0).max(float("inf")), ValueError, "other must be a finite number, got inf"),
    (lambda: Value(1.0) + "2", TypeError, "other must be a Value or a real number, got '2'"),
    (lambda: "2" + Value(1.0), TypeError, "other must be a Value or a real number, got '2'"),
    (lambda: Value(1.0) - None, TypeError, "other must be a Value or a real number, got None"),
    (lambda: None - Value(1.0), TypeError, "other must be a Value or a real number, got None"),
    (lambda: Value(1.0) * torch.tensor(2.0), TypeError, "other must be a Value or a real number, got a torch"),
    (lambda: Value(1.0) / [2.0], TypeError, "other must be a Value or a real number, got [2.0]"),
    (lambda: Value(1.0) + True, TypeError, "other must be a real number, got True"),
    (lambda: topological_order(3.0), TypeError, "root must be a dlnotes.scratch.engine.Value, got 3.0"),
])
def test_arguments_are_validated(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_numbers_of_any_real_kind_are_welcome():
    import fractions

    import numpy as np
    v = Value(np.float32(0.5)) * fractions.Fraction(1, 4) + np.int64(2)
    v.backward()
    assert (v.data, v._prev[0]._prev[0].grad) == (2.125, 0.25)


def test_draw_graph_runs_headless_and_draws_one_box_per_value():
    a, b, c = Value(5.0, label="a"), Value(3.0, label="b"), Value(2.0, label="c")
    u = b * c
    J = 3 * (a + u)
    J.backward()
    ax = draw_graph(J)
    boxes = [t for t in ax.texts if t.get_gid() == "value"]
    ops = [t for t in ax.texts if t.get_gid() == "op"]
    assert len(boxes) == len(topological_order(J)) == 7  # a, b, c, 3, u, a+u, J
    assert len(ops) == 3
    assert all(t.get_bbox_patch() is not None for t in boxes)
    assert any("a\ndata 5\ngrad 3" == t.get_text() for t in boxes)
    ax.figure.canvas.draw()  # the arrows are clipped at the boxes on drawing: it must not fail
    matplotlib.pyplot.close(ax.figure)


def test_draw_graph_into_given_axes_and_with_a_reused_node():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    a = Value(3.0, label="a")
    out = a * a + a
    out.backward()
    assert draw_graph(out, ax) is ax
    assert len([t for t in ax.texts if t.get_gid() == "value"]) == 3
    fig.canvas.draw()
    plt.close(fig)
    with pytest.raises(TypeError, match="root must be"):
        draw_graph(3.0)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(root=3.0), TypeError, "root must be a dlnotes.scratch.engine.Value, got 3.0"),
    (dict(ax="left"), TypeError, "ax must be None or a matplotlib Axes, got 'left'"),
    (dict(fontsize="8"), TypeError, "fontsize must be a real number, got '8'"),
    (dict(fontsize=1), ValueError, "fontsize must be a number >= 2, got 1.0"),
    (dict(fontsize=float("nan")), ValueError, "fontsize must be a finite number"),
])
def test_draw_graph_arguments_are_checked(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        draw_graph(**{"root": Value(1.0) * 2, **kwargs})
    matplotlib.pyplot.close("all")

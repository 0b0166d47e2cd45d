"""A scalar automatic-differentiation engine, in the spirit of Karpathy's micrograd.

Every arithmetic operation on a :class:`Value` returns a new ``Value`` that
remembers its inputs (``_prev``), the operation (``_op``) and a ``_backward``
closure: given the gradient of the final output with respect to this result
(``out.grad``), it adds the chain-rule contribution to each input's ``.grad``.
``backward()`` visits the graph in reverse topological order, so each node's
gradient is complete before it is passed on.

>>> a, b, c = Value(5.0, label="a"), Value(3.0, label="b"), Value(2.0, label="c")
>>> J = 3 * (a + b * c)
>>> J.backward()
>>> J.data, a.grad, b.grad, c.grad
(33.0, 3.0, 6.0, 9.0)

A ``Value`` holds a finite float: ``Value(nan)`` and ``Value(inf)`` are refused, and
so is an operation whose result would not be finite (``exp(1000)``, ``1e200 * 1e200``,
``x / 0``), with a ``ValueError`` that says which. Gradients are not checked: like
torch's, they may overflow to inf.
"""
from __future__ import annotations

import math
import sys
from numbers import Real

from dlnotes._checks import instance, number

EXP_LIMIT = math.log(sys.float_info.max)  # 709.78: e to anything larger is not a float


def _as_value(other) -> Value:
    """``other`` as a Value: a Value as it is, a number as a constant leaf."""
    if isinstance(other, Value):
        return other
    instance(other, "other", Real, "a Value or a real number")
    return Value(number(other, "other"))


def topological_order(root: Value) -> list[Value]:
    """Every value ``root`` depends on, inputs before the values computed from them, ``root`` last."""
    instance(root, "root", Value, "a dlnotes.scratch.engine.Value")
    order, seen, stack = [], set(), [(root, False)]
    while stack:  # an explicit stack: a chain of 10,000 operations must not hit Python's recursion limit
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node._prev))
    return order


class Value:
    """One scalar of a computational graph: its value ``data``, its gradient ``grad``, and how it was made."""

    def __init__(self, data, _prev=(), _op="", label=""):
        if _op and not math.isfinite(data):  # an operation's result: name the operation, not "data"
            raise ValueError(f"{_op} overflows a float: inputs {', '.join(f'{v.data:g}' for v in _prev)} "
                             f"give {data}")
        self.data = number(data, "data")  # a finite real number, as a float
        self.grad = 0.0  # d(output)/d(self), filled in by output.backward()
        self._backward = lambda: None  # a leaf has no inputs to pass its gradient to
        self._prev = tuple(_prev)  # a tuple, not a set: keeps argument order (for drawing) and a*a has two edges
        self._op = _op
        self.label = instance(label, "label", str, "a string")

    def __repr__(self):
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ---- the primitive operations: a forward line and a _backward closure each ----

    def __add__(self, other):
        other = _as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():  # add distributes: d(x+y)/dx = d(x+y)/dy = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():  # mul swaps and scales: d(xy)/dx = y, d(xy)/dy = x
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, exponent):
        instance(exponent, "exponent", Real, "a number (a constant: a Value exponent is not supported)")
        exponent = number(exponent, "exponent")
        if self.data < 0 and not exponent.is_integer():  # (-8) ** (1/3) is a complex number
            raise ValueError(f"exponent must be an integer for a negative base (data={self.data}), got {exponent}")
        if self.data == 0 and exponent < 1:
            raise ValueError(f"exponent must be >= 1 at data=0 (0 ** exponent, or its slope "
                             f"exponent * 0 ** (exponent - 1), would divide by 0), got {exponent}")
        try:
            result = self.data ** exponent
        except OverflowError:  # float ** raises where float * gives inf
            raise ValueError(f"**{exponent:g} overflows a float: input {self.data:g}") from None
        out = Value(result, (self,), f"**{exponent:g}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        if self.data > EXP_LIMIT:
            raise ValueError(f"exp overflows a float: data must be <= {EXP_LIMIT:.2f}, got {self.data}")
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():  # d(e^x)/dx = e^x, which is out.data
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log needs data > 0, got {self.data}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1.0 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        x = self.data  # two forms, so that exp never overflows for large |x|
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        out = Value(s, (self,), "sigmoid")

        def _backward():  # the whole sigmoid as one gate: sigma' = sigma (1 - sigma)
            self.grad += out.data * (1.0 - out.data) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,), "relu")

        def _backward():  # the slope at exactly 0 is taken as 0, as in PyTorch
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    def max(self, other):
        """``max(self, other)``: the gradient goes to the larger input; on a tie each gets half (as torch.maximum)."""
        other = _as_value(other)
        out = Value(max(self.data, other.data), (self, other), "max")

        def _backward():  # max routes: the larger input takes the whole upstream gradient
            share = 1.0 if self.data > other.data else 0.0 if self.data < other.data else 0.5
            self.grad += share * out.grad
            other.grad += (1.0 - share) * out.grad
        out._backward = _backward
        return out

    # ---- everything else is built from the primitives ----

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-_as_value(other))

    def __truediv__(self, other):
        other = _as_value(other)
        if other.data == 0:
            raise ValueError("other must not be 0: division by zero")
        return self * other ** -1

    def __radd__(self, other):  # 3 + v
        return self + other

    def __rmul__(self, other):  # 3 * v
        return self * other

    def __rsub__(self, other):  # 3 - v
        return _as_value(other) + (-self)

    def __rtruediv__(self, other):  # 3 / v
        if self.data == 0:
            raise ValueError("division by zero: the divisor's data is 0")
        return _as_value(other) * self ** -1

    # ---- backpropagation ----

    def backward(self):
        """Fill in ``.grad`` of every value this one depends on with d(self)/d(value).

        Inputs (leaves) accumulate: a second ``backward()`` adds the same gradient again,
        as PyTorch does. Intermediate values are reset first, so they hold one pass's gradient.
        """
        order = topological_order(self)
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad += 1.0  # d(self)/d(self)
        for node in reversed(order):
            node._backward()

    def zero_grad(self):
        """Set ``.grad`` to 0 on this value and on every value it was computed from."""
        for node in topological_order(self):
            node.grad = 0.0

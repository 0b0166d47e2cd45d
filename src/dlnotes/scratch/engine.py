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
"""
from __future__ import annotations

import math
from numbers import Real


def _is_number(x) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


def topological_order(root: Value) -> list[Value]:
    """Every value ``root`` depends on, inputs before the values computed from them, ``root`` last."""
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
        if not _is_number(data):
            raise TypeError(f"data must be a real number (int or float), got {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0  # d(output)/d(self), filled in by output.backward()
        self._backward = lambda: None  # a leaf has no inputs to pass its gradient to
        self._prev = tuple(_prev)  # a tuple, not a set: keeps argument order (for drawing) and a*a has two edges
        self._op = _op
        self.label = label

    def __repr__(self):
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ---- the primitive operations: a forward line and a _backward closure each ----

    def __add__(self, other):
        if not isinstance(other, Value):
            if not _is_number(other):
                return NotImplemented
            other = Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():  # add distributes: d(x+y)/dx = d(x+y)/dy = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        if not isinstance(other, Value):
            if not _is_number(other):
                return NotImplemented
            other = Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():  # mul swaps and scales: d(xy)/dx = y, d(xy)/dy = x
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, exponent):
        if not _is_number(exponent):
            raise TypeError(f"exponent must be an int or float (a constant), got {type(exponent).__name__}")
        if self.data < 0 and not float(exponent).is_integer():
            raise ValueError(f"a negative base ({self.data}) needs an integer exponent, got {exponent}")
        out = Value(self.data ** exponent, (self,), f"**{exponent}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():  # d(e^x)/dx = e^x, which is out.data
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log needs a positive value, got {self.data}")
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
        if not isinstance(other, Value):
            if not _is_number(other):
                raise TypeError(f"other must be a Value, int or float, got {type(other).__name__}")
            other = Value(other)
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
        return self + (-other)

    def __truediv__(self, other):
        return self * other ** -1

    def __radd__(self, other):  # 3 + v
        return self + other

    def __rmul__(self, other):  # 3 * v
        return self * other

    def __rsub__(self, other):  # 3 - v
        return other + (-self)

    def __rtruediv__(self, other):  # 3 / v
        return other * self ** -1

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

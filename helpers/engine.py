"""The scalar autograd engine built in the "Autograd from scratch" notebook, saved for reuse.

Notebook "Autograd from scratch" writes ``Value`` one operation per cell and attaches each function
to the class as it goes (``Value.__add__ = add``). This module holds the same engine in one place, so
that a later notebook can ``from helpers.engine import Value`` instead of copying it (the "#@save"
habit of the d2l book): the class with ``+``, ``*``, ``**`` by a number, ``exp``, ``-``, the
topological sort and ``backward()``, plus the two operations that notebook leaves as exercises,
``tanh`` and ``/``, written as their reference solutions write them.

Every method body here is the notebook's code, character for character up to formatting; only the
signatures carry type annotations. ``tests/test_engine.py`` compares the two, so a change to the
lesson that is not copied here (or the other way round) fails the test suite, and it checks the
engine against ``torch.autograd`` in float64.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


class Value:
    """A scalar that records the operation and the inputs that produced it."""

    def __init__(self, data: float, children: Iterable[Value] = (), op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(children)
        self._op = op
        self._backward = lambda: None

    def __repr__(self) -> str:
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"

    def __add__(self, other: Value | float) -> Value:
        other = as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._backward = _backward
        return out

    __radd__ = __add__  # for 2 + v: Python asks v once the int has given up

    def __mul__(self, other: Value | float) -> Value:
        other = as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    __rmul__ = __mul__

    def __pow__(self, k: float) -> Value:
        if not isinstance(k, int | float):
            raise TypeError(f"Value ** k needs a plain number k, not a {type(k).__name__}.")
        out = Value(self.data**k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data**2) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | float) -> Value:
        return self + (-as_value(other))

    def __rsub__(self, other: Value | float) -> Value:
        return as_value(other) + (-self)

    def __truediv__(self, other: Value | float) -> Value:
        return self * as_value(other) ** -1

    def backward(self) -> None:
        """Fill .grad of every node in the graph with d(self)/d(node)."""
        self.grad = 1.0
        for node in reversed(topological_order(self)):
            node._backward()


def as_value(x: Value | float) -> Value:
    """Wrap a plain number, so that `v + 2` and `2 * v` work."""
    return x if isinstance(x, Value) else Value(x)


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from root, each listed after the nodes it was made from."""
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for child in node._prev:
                visit(child)
            order.append(node)

    visit(root)
    return order

# Generated from the cells marked #@save in notebooks/09_autograd_from_scratch.ipynb by `make generated`
# (python scripts/generate.py). Do not edit: change the notebook, then regenerate.
# The notebook attaches methods to the class one cell at a time (Value.__add__ = add), which a type
# checker cannot follow, so mypy skips this file; tests/test_engine.py checks it against torch instead.
# mypy: ignore-errors
"""The scalar autograd engine built in notebook "Autograd from scratch", saved for reuse.

A later notebook can ``from helpers.engine import Value`` instead of copying the engine: the class with
``+``, ``*``, ``**`` by a number, ``exp``, ``-``, the topological sort and ``backward()``, plus ``tanh`` and
``/`` as the reference solutions of that notebook's exercises write them.
"""

import math


class Value:
    """A scalar that records the operation and the inputs that produced it."""

    def __init__(self, data, children=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(children)
        self._op = op
        self._backward = lambda: None

    def __repr__(self):
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"


def as_value(x):
    """Wrap a plain number, so that `v + 2` and `2 * v` work."""
    return x if isinstance(x, Value) else Value(x)


def add(self, other):
    other = as_value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += 1.0 * out.grad
        other.grad += 1.0 * out.grad

    out._backward = _backward
    return out


Value.__add__ = add
Value.__radd__ = add  # for 2 + v: Python asks v once the int has given up


def mul(self, other):
    other = as_value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


Value.__mul__ = mul
Value.__rmul__ = mul


def power(self, k):
    if not isinstance(k, int | float):
        raise TypeError(f"Value ** k needs a plain number k, not a {type(k).__name__}.")
    out = Value(self.data**k, (self,), f"**{k}")

    def _backward():
        self.grad += k * self.data ** (k - 1) * out.grad

    out._backward = _backward
    return out


Value.__pow__ = power


def exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


Value.exp = exp


Value.__neg__ = lambda self: self * -1
Value.__sub__ = lambda self, other: self + (-as_value(other))
Value.__rsub__ = lambda self, other: as_value(other) + (-self)


def topological_order(root):
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


def backward(self):
    """Fill .grad of every node in the graph with d(self)/d(node)."""
    self.grad = 1.0
    for node in reversed(topological_order(self)):
        node._backward()


Value.backward = backward


def solution_tanh(self):
    out = Value(math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1 - out.data**2) * out.grad

    out._backward = _backward
    return out


Value.tanh = solution_tanh


def solution_truediv(self, other):
    return self * as_value(other) ** -1


Value.__truediv__ = solution_truediv

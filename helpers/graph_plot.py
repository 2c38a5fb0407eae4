"""Pictures of computation graphs, drawn with plain matplotlib (no graphviz or other system binary).

``draw_graph`` draws any directed acyclic graph given its output node and two functions: one that
lists a node's inputs and one that names it. ``draw_torch_graph`` applies it to the graph that
torch.autograd records behind a tensor (``grad_fn`` and ``next_functions``); notebook 09 applies it
to its hand-written ``Value`` class.

The output sits at the top and the inputs below it. Arrows point the way data flows in the forward
pass, from inputs up to the output. A node used by several others is drawn once, and an input used
twice by the same node gets one arrow marked "×2". Leaves (the inputs) are square boxes tinted sky blue and
the other nodes round boxes tinted orange (:mod:`helpers.palette`), so shape tells them apart as well as colour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers import palette

NODE_GID = "graph-node"
EDGE_GID = "graph-edge"
X_SPACING = 2.4
Y_SPACING = 1.4


def draw_graph(
    root: Any,
    children: Callable[[Any], Iterable[Any]],
    label: Callable[[Any], str],
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the graph reachable from ``root`` as labelled boxes in layers, and return the Figure.

    ``children(node)`` gives the nodes that ``node`` was computed from and ``label(node)`` the text
    of its box. Nodes are told apart by identity, so the same object reached twice is one box.
    The layout depends only on the graph and the labels, so the same graph gives the same picture.
    """
    nodes, edges = _walk(root, children)
    depth = _layers(nodes, edges)
    labels = {key: label(node) for key, node in nodes.items()}
    positions = _positions(nodes, edges, depth, labels)
    if ax is None:
        widest = max(sum(1 for d in depth.values() if d == layer) for layer in set(depth.values()))
        height = max(depth.values()) + 1
        _, ax = plt.subplots(figsize=(max(4.0, 2.3 * widest), max(2.0, 1.2 * height)))
    boxes = {}
    for key in nodes:
        leaf = not any(parent == key for parent, _ in edges)
        boxes[key] = ax.text(
            *positions[key],
            labels[key],
            ha="center",
            va="center",
            fontsize=9,
            gid=NODE_GID,
            bbox={
                "boxstyle": f"{palette.LEAF_BOX if leaf else palette.OPERATION_BOX},pad=0.4",
                "facecolor": palette.LEAF_FILL if leaf else palette.OPERATION_FILL,
                "edgecolor": "0.3",
            },
        )
    for (parent, child), count in edges.items():
        # A skipped layer would run the arrow through the boxes in between, so bend it around them.
        bend = 0.0 if depth[child] - depth[parent] == 1 else 0.35
        ax.annotate(
            "",
            xy=(0.5, 0.0),
            xycoords=boxes[parent],
            xytext=(0.5, 1.0),
            textcoords=boxes[child],
            gid=EDGE_GID,
            arrowprops={
                "arrowstyle": "-|>",
                "color": "0.25",
                "shrinkA": 5,
                "shrinkB": 5,
                "connectionstyle": f"arc3,rad={bend}",
            },
        )
        if count > 1:
            (x0, y0), (x1, y1) = positions[child], positions[parent]
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, f"×{count}", fontsize=8, ha="left", va="center", color="0.25")
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    ax.set_xlim(min(xs) - X_SPACING / 2, max(xs) + X_SPACING / 2)
    ax.set_ylim(min(ys) - Y_SPACING / 2, max(ys) + Y_SPACING / 2)
    ax.axis("off")
    if title is not None:
        ax.set_title(title)
    return ax.figure.get_figure(root=True)


def draw_torch_graph(
    output: torch.Tensor,
    names: dict[str, torch.Tensor] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the autograd graph behind ``output``: one box per backward function, from ``output.grad_fn`` down.

    Each box shows the function's class name (such as ``MeanBackward0``). The leaves are
    ``AccumulateGrad`` boxes, which also show the leaf tensor's name, looked up by identity in
    ``names`` (for example ``{"x": x}``), and its shape.
    """
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"draw_torch_graph needs a torch.Tensor, got a {type(output).__name__}.")
    if output.grad_fn is None:
        raise ValueError(
            "This tensor has no grad_fn, so there is no graph to draw: it is a leaf, or it was computed "
            "from tensors that do not require grad, or under torch.no_grad(). Pass the result of a "
            "computation on a tensor created with requires_grad=True."
        )
    names = names or {}

    def leaf_name(tensor: torch.Tensor) -> str:
        return next((name for name, candidate in names.items() if candidate is tensor), "(unnamed)")

    def label(node: Any) -> str:
        text = type(node).__name__
        if hasattr(node, "variable"):
            text += f"\n{leaf_name(node.variable)} {tuple(node.variable.shape)}"
        return text

    def children(node: Any) -> list[Any]:
        return [function for function, _ in node.next_functions if function is not None]

    return draw_graph(output.grad_fn, children, label, ax=ax, title=title)


def _walk(root: Any, children: Callable[[Any], Iterable[Any]]) -> tuple[dict[int, Any], dict[tuple[int, int], int]]:
    """Collect the nodes (keyed by id, in the order first met) and the edges (parent, child) -> how many times."""
    nodes: dict[int, Any] = {id(root): root}
    edges: dict[tuple[int, int], int] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for child in children(node):
            edge = (id(node), id(child))
            edges[edge] = edges.get(edge, 0) + 1
            if id(child) not in nodes:
                nodes[id(child)] = child
                stack.append(child)
    return nodes, edges


def _layers(nodes: dict[int, Any], edges: dict[tuple[int, int], int]) -> dict[int, int]:
    """Give each node its layer: the length of the longest path from the root, so every arrow points upwards."""
    parents: dict[int, list[int]] = {key: [] for key in nodes}
    for parent, child in edges:
        parents[child].append(parent)
    depth: dict[int, int] = {}
    remaining = list(nodes)
    while remaining:
        ready = [key for key in remaining if all(parent in depth for parent in parents[key])]
        if not ready:
            raise ValueError("The graph has a cycle; draw_graph can only draw acyclic graphs.")
        for key in ready:
            depth[key] = max((depth[parent] + 1 for parent in parents[key]), default=0)
        remaining = [key for key in remaining if key not in depth]
    return depth


def _positions(
    nodes: dict[int, Any], edges: dict[tuple[int, int], int], depth: dict[int, int], labels: dict[int, str]
) -> dict[int, tuple[float, float]]:
    """Place layers top to bottom; within a layer, order nodes under their parents (ties by label, then first met)."""
    order = {key: index for index, key in enumerate(nodes)}
    positions: dict[int, tuple[float, float]] = {}

    def under_parents(key: int) -> float:
        xs = [positions[parent][0] for parent, child in edges if child == key]
        return sum(xs) / len(xs) if xs else 0.0

    for layer in range(max(depth.values()) + 1):
        members = [key for key in nodes if depth[key] == layer]
        members.sort(key=lambda key: (under_parents(key), labels[key], order[key]))
        for index, key in enumerate(members):
            positions[key] = ((index - (len(members) - 1) / 2) * X_SPACING, -layer * Y_SPACING)
    return positions

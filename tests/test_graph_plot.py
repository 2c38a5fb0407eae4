"""Tests for helpers.graph_plot: what the drawn graph contains, read back from the Axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.text import Annotation

from helpers.graph_plot import EDGE_GID, NODE_GID, draw_graph, draw_torch_graph

pytestmark = pytest.mark.usefixtures("close_figures")


def node_labels(fig) -> list[str]:
    return [text.get_text() for text in fig.axes[0].texts if text.get_gid() == NODE_GID]


def edges(fig) -> list[Annotation]:
    return [text for text in fig.axes[0].texts if isinstance(text, Annotation) and text.get_gid() == EDGE_GID]


class Node:
    """A minimal graph node, like the engine notebook's Value: a name and the nodes it was made from."""

    def __init__(self, name: str, *inputs: Node) -> None:
        self.name = name
        self.inputs = list(inputs)


def draw(root: Node, **kwargs):
    return draw_graph(root, lambda node: node.inputs, lambda node: node.name, **kwargs)


def test_draw_graph_draws_a_shared_node_once_and_marks_a_repeated_input():
    a = Node("a")
    fig = draw(Node("d", Node("b", a), Node("square", a, a)))  # a diamond, one side using a twice
    assert sorted(node_labels(fig)) == ["a", "b", "d", "square"]
    assert len(edges(fig)) == 4
    assert [text.get_text() for text in fig.axes[0].texts].count("×2") == 1


def test_draw_graph_puts_output_above_inputs_with_arrows_from_input_to_output():
    a = Node("a")
    out = Node("out", Node("mid", a))
    fig = draw(out)
    heights = {text.get_text(): text.get_position()[1] for text in fig.axes[0].texts if text.get_gid() == NODE_GID}
    assert heights["out"] > heights["mid"] > heights["a"]
    for arrow in edges(fig):
        # The arrow's head (xy) is on the consumer, its tail (xytext) on the input.
        assert arrow.xycoords.get_position()[1] > arrow.anncoords.get_position()[1]


def test_draw_graph_layout_is_deterministic():
    def picture():
        a, b = Node("a"), Node("b")
        fig = draw(Node("out", Node("p", a, b), Node("q", b)))
        return sorted((t.get_text(), t.get_position()) for t in fig.axes[0].texts if t.get_gid() == NODE_GID)

    assert picture() == picture()


def test_draw_graph_uses_the_given_axes_and_title():
    fig, ax = plt.subplots()
    assert draw(Node("out", Node("a")), ax=ax, title="my graph") is fig
    assert ax.get_title() == "my graph"


def test_draw_torch_graph_of_seed_example_2():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 5
    h = (2 * y * y).mean()
    fig = draw_torch_graph(h, names={"x": x})
    labels = node_labels(fig)
    # Mean <- Mul(2y * y) <- Mul(2 * y) and Add; Mul(2 * y) <- Add; Add <- AccumulateGrad(x).
    assert sorted(labels) == sorted(["MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0", "AccumulateGrad\nx (2, 2)"])
    assert len(edges(fig)) == 5


def test_draw_torch_graph_names_each_leaf_shares_a_reused_one_and_skips_inputs_that_need_no_gradient():
    a = torch.ones(3, requires_grad=True)
    b = torch.tensor(2.0, requires_grad=True)
    constant = torch.ones(3)
    labels = node_labels(draw_torch_graph((a * b * constant).sum() + a.sum(), names={"a": a}))
    leaves = ["AccumulateGrad\n(unnamed) ()", "AccumulateGrad\na (3,)"]
    assert sorted(labels) == [*leaves, "AddBackward0", "MulBackward0", "MulBackward0", "SumBackward0", "SumBackward0"]


@pytest.mark.parametrize(
    "tensor",
    [torch.ones(3, requires_grad=True), torch.ones(3) * 2],
    ids=["leaf", "no-grad"],
)
def test_draw_torch_graph_explains_a_tensor_without_graph(tensor):
    with pytest.raises(ValueError, match="no grad_fn.*requires_grad=True"):
        draw_torch_graph(tensor)


def test_draw_torch_graph_rejects_a_non_tensor():
    with pytest.raises(TypeError, match="needs a torch.Tensor"):
        draw_torch_graph([1.0, 2.0])


def test_leaves_and_operations_differ_in_box_shape_as_well_as_colour():
    x, w = Node("x"), Node("w")
    figure = draw(Node("mul", x, w))
    boxes = {text.get_text(): text.get_bbox_patch() for text in figure.axes[0].texts if text.get_gid() == NODE_GID}
    leaf, operation = boxes["x"], boxes["mul"]
    assert type(leaf.get_boxstyle()) is not type(operation.get_boxstyle())
    assert leaf.get_facecolor() != operation.get_facecolor()
    assert type(boxes["w"].get_boxstyle()) is type(leaf.get_boxstyle())

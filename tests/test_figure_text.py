"""Unit tests for helpers.figure_text: the description changes whenever what the plot shows changes."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from matplotlib.figure import Figure

from helpers.figure_text import describe_figure, number, use_in_ipython


def fit_figure(w: float, b: float) -> Figure:
    figure = Figure(figsize=(4, 3), dpi=100)
    ax = figure.subplots()
    ax.scatter([1.0, 2.0, 3.0], [2.0, 2.5, 4.0], label="data")
    ax.plot([1.0, 3.0], [w * 1.0 + b, w * 3.0 + b], label="fit")
    ax.set(title="Fit", xlabel="x", ylabel="y")
    return figure


def test_describes_size_axes_lines_and_scatter():
    text = describe_figure(fit_figure(1.0, 0.5))
    assert text.splitlines()[0] == "<Figure 400x300 px with 1 axes>"
    assert "axes 1 'Fit': x 'x' [" in text
    assert "line 'fit': 2 points, (1, 1.5) to (3, 3.5), y 1.5..3.5" in text
    assert "scatter 'data': 3 points, x 1..3, y 2..4" in text


def test_contours_texts_and_patches_are_described():
    figure = Figure()
    ax = figure.subplots()
    grid = np.add.outer(np.linspace(0, 1, 5), np.linspace(0, 2, 5))
    ax.contour(grid, levels=[0.5, 1.0, 2.0])
    ax.text(0.5, 0.5, "node")
    ax.add_patch(matplotlib.patches.Rectangle((0, 0), 1, 1))
    ax.quiver([1.0], [0.5], [2.0], [-1.0], label="gradient")
    text = describe_figure(figure)
    assert "contour (unlabelled): 3 levels, 0.5..2" in text
    assert "text 'node'" in text
    assert "1 patches" in text
    assert "arrows 'gradient': (1, 0.5) along (2, -1)" in text


@pytest.mark.parametrize(("value", "shown"), [(1234.5678, "1.23e+03"), (0.251635, "0.252"), (-3e-18, "0"), (np.inf, "inf")])
def test_numbers_are_rounded_to_what_a_reader_sees(value, shown):
    assert number(value) == shown


def test_ipython_shows_the_description_as_the_figures_text_and_as_its_pngs_alt_text():
    shell = InteractiveShell.instance()
    png = shell.display_formatter.formatters["image/png"]
    png.for_type(Figure, lambda figure: b"\x89PNG stand-in")  # the inline backend registers the real printer
    try:
        use_in_ipython()
        use_in_ipython()  # a second import-time call must not wrap the printer twice
        figure = fit_figure(1.0, 0.5)
        data, metadata = shell.display_formatter.format(figure, include=["text/plain", "image/png"])
    finally:
        png.pop(Figure)
    assert data == {"text/plain": describe_figure(figure), "image/png": b"\x89PNG stand-in"}
    assert metadata == {"image/png": {"alt": describe_figure(figure)}}

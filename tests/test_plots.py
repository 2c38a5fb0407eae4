"""Unit tests for helpers.plots: each figure shows the data it was given, on the axes it was given."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from helpers import palette, plots
from helpers.line_fit import start_path_end

X = torch.tensor([[1.0], [2.0], [4.0]])
Y = torch.tensor([2.0, 3.5, 6.0])


pytestmark = pytest.mark.usefixtures("close_figures")


def test_plot_data_scatters_the_points_as_given():
    figure = plots.plot_data(X, Y, title="T")
    ax = figure.axes[0]
    np.testing.assert_allclose(ax.collections[0].get_offsets(), [[1, 2], [2, 3.5], [4, 6]])
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("x", "y", "T")


def test_plot_fit_draws_each_line_across_the_data_range():
    figure = plots.plot_fit(X, Y, {"guess": (2.0, 0.5), "other": (-1.0, 3.0)})
    ax = figure.axes[0]
    guess, other = ax.get_lines()
    np.testing.assert_allclose(guess.get_xydata(), [[1, 2.5], [4, 8.5]])
    np.testing.assert_allclose(other.get_xydata(), [[1, 2], [4, -1]])
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["data", "guess", "other"]


def test_plot_loss_curve_plots_losses_against_iterations_on_a_log_scale():
    figure = plots.plot_loss_curve(torch.tensor([100.0, 10.0, 1.0]))
    ax = figure.axes[0]
    np.testing.assert_allclose(ax.get_lines()[0].get_xydata(), [[0, 100], [1, 10], [2, 1]])
    assert ax.get_yscale() == "log"
    assert ax.get_legend() is None


def test_a_plot_in_a_subfigure_returns_the_whole_figure():
    figure = Figure()
    ax = figure.subfigures(1, 2)[1].subplots()
    assert plots.plot_data(X, Y, ax=ax) is figure
    assert plots.plot_loss_curve([3.0, 2.0], ax=ax) is figure


def grid():
    w_grid = torch.linspace(0.0, 2.0, 5)
    b_grid = torch.linspace(-1.0, 1.0, 3)
    b_mesh, w_mesh = torch.meshgrid(b_grid, w_grid, indexing="ij")
    return w_grid, b_grid, (w_mesh - 1) ** 2 + (b_mesh - 0.5) ** 2 + 2


def test_plot_loss_landscape_draws_contours_paths_and_optimum_within_the_grid():
    w_grid, b_grid, losses = grid()
    paths = {"raw": ([0.0, 0.5], [-1.0, 0.0]), "standardised": ([0.2, 0.9], [-0.5, 0.4])}
    ax = plots.plot_loss_landscape(w_grid, b_grid, losses, paths=paths, optimum=(1.0, 0.5)).axes[0]
    levels = ax.collections[0].levels  # the contour set's, from just above the lowest loss to the highest
    assert min(levels) >= 2.0 and max(levels) == pytest.approx(losses.max().item())
    raw, standardised, star = ax.get_lines()
    np.testing.assert_allclose(raw.get_xydata(), [[0, -1], [0.5, 0]])
    np.testing.assert_allclose(star.get_xydata(), [[1, 0.5]])
    assert ax.get_xlim() == (0.0, 2.0) and ax.get_ylim() == (-1.0, 1.0)
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["raw", "standardised", "least squares"]
    # Paths differ in marker as well as colour; the optimum is a star.
    assert raw.get_marker() != standardised.get_marker() and raw.get_color() != standardised.get_color()
    assert star.get_marker() == palette.OPTIMUM_MARKER


def test_plot_loss_landscape_rejects_a_transposed_grid_with_a_clear_message():
    w_grid, b_grid, losses = grid()
    with pytest.raises(ValueError, match=r"shape \(5, 3\) but must be .* \(3, 5\)"):
        plots.plot_loss_landscape(w_grid, b_grid, losses.T)


def test_runs_compared_on_one_axes_are_named_and_differ_in_dash_pattern_as_well_as_colour():
    figure = plots.plot_fit(X, Y, {"guess": (2.0, 0.5), "other": (-1.0, 3.0)})
    ax = plots.plot_loss_curve([3.0, 2.0], label="raw x").axes[0]
    plots.plot_loss_curve([3.0, 1.0], ax=ax, label="standardised x")
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["raw x", "standardised x"]
    for lines in (figure.axes[0].get_lines(), ax.get_lines()):
        assert len({line.get_linestyle() for line in lines}) == len(lines)
        assert len({line.get_color() for line in lines}) == len(lines)
        assert {line.get_color() for line in lines} <= set(palette.CYCLE)


def test_start_and_end_of_a_path_differ_in_shape_and_legend_label_not_only_colour():
    ax = Figure().subplots()
    path, end = start_path_end(ax, 1.0, 2.0)
    start = next(line for line in ax.get_lines() if line.get_label() == "start")
    np.testing.assert_allclose(start.get_xydata(), [[1.0, 2.0]])
    assert start.get_marker() != end.get_marker()
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["start", "path", "end"]
    assert path.get_xydata().size == 0 and end.get_xydata().size == 0  # the explorer fills them on each update


def test_importing_helpers_makes_lines_differ_in_dash_pattern_and_take_the_palette_colours() -> None:
    import matplotlib.pyplot as plt

    import helpers  # noqa: F401
    from helpers import palette

    figure, ax = plt.subplots()
    first, second = ax.plot([0, 1], [0, 1]), ax.plot([0, 1], [1, 0])
    styles = [(line[0].get_color(), line[0].get_linestyle()) for line in (first, second)]
    plt.close(figure)
    assert styles == [(palette.CYCLE[0], "-"), (palette.CYCLE[1], "--")]

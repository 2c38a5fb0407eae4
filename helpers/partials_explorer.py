"""The point explorer of notebook 01: sliders for a point (x1, x2) and its partial derivatives, live.

The explorer computes no derivative itself. The notebook passes in ``f`` (numpy) and its own ways of
computing the partial derivatives, e.g. ``{"by hand": ..., "finite differences": ..., "autograd": ...}``,
each a function ``(x1, x2) -> (∂f/∂x1, ∂f/∂x2)``. Each slider change moves the point on the contour
plot, the level curve through it, the two slices with their tangent lines and the gradient arrow, and a
table (CSS class ``explorer-status``) shows the partial derivatives from every method.

The picture is :func:`helpers.plots.plot_partial_slices`, drawn once; an update only repaints the
artists that depend on the point (see :class:`helpers.live_figure.LiveFigure`), with the slopes and
the gradient taken from the first method.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import numpy as np
from contourpy import LineType, contour_generator
from matplotlib.figure import Figure
from matplotlib.path import Path

from helpers import plots
from helpers.live_figure import ExplorerPanel, LiveFigure

PartialsFunction = Callable[[float, float], object]

STATUS_CLASS = "explorer-status"
FIGURE_CLASS = "explorer-figure"
PANEL_CLASS = "partials-explorer"
X1_LABEL = "x1"
X2_LABEL = "x2"
GRID_POINTS = 161
SLICE_POINTS = 200


class PointExplorer:
    """Sliders ``x1`` and ``x2``, the live figure and a table of the partial derivatives at the point.

    ``f`` must work on numpy arrays (the contour and the slices evaluate it on whole grids); each of
    ``methods`` maps a name to a function ``(x1, x2) -> (df/dx1, df/dx2)``, and the first one gives the
    tangent slopes and the gradient arrow. The sliders span ``x1_range`` and ``x2_range`` in steps of
    ``step`` and begin at ``start``; the arrow is drawn ``arrow_scale`` times the gradient's length.

    Show ``explorer.panel``. Move the point from code (and tests) with :meth:`set_point`, which returns
    the status text. ``partials`` holds the last values computed, by method name, and ``last_timings``
    the seconds the last update spent computing them and drawing.
    """

    def __init__(
        self,
        f: Callable[[np.ndarray, np.ndarray], np.ndarray],
        methods: Mapping[str, PartialsFunction],
        *,
        x1_range: tuple[float, float] = (-2.0, 2.0),
        x2_range: tuple[float, float] = (-2.0, 2.0),
        start: tuple[float, float] = (1.0, 0.5),
        step: float = 0.05,
        arrow_scale: float = 0.25,
    ) -> None:
        if not callable(f):
            raise TypeError(f"f must be a function f(x1, x2) that works on numpy arrays; got {type(f).__name__}.")
        if not methods or not all(callable(method) for method in methods.values()):
            raise TypeError(
                "methods must be a non-empty dict {name: function(x1, x2) -> (df/dx1, df/dx2)}, "
                'e.g. {"by hand": hand_partials}.'
            )
        _check_range(x1_range, "x1_range")
        _check_range(x2_range, "x2_range")
        if not step > 0:
            raise ValueError(f"step must be a positive number such as 0.05; got {step!r}.")
        self._f = f
        self._methods = dict(methods)
        self._ranges = (tuple(map(float, x1_range)), tuple(map(float, x2_range)))
        _check_inside(start, self._ranges)
        self.point = (float(start[0]), float(start[1]))
        self.partials = self._compute(*self.point)  # raises here, with a clear message, if a method is broken
        self.status_text = ""
        self.last_timings: dict[str, float] = {}
        self._syncing = False

        figure = Figure(figsize=(11.0, 3.6), dpi=80, layout="constrained")
        plots.plot_partial_slices(
            f, self.point, self.partials[self._first], x1_range=self._ranges[0], x2_range=self._ranges[1],
            arrow_scale=arrow_scale, figure=figure,
        )
        self._artists = {artist.get_gid(): artist for artist in figure.findobj(lambda a: a.get_gid() is not None)}
        self._steps = [np.linspace(*span, SLICE_POINTS) for span in self._ranges]
        grid1, grid2 = np.meshgrid(*(np.linspace(*span, GRID_POINTS) for span in self._ranges))
        self._level_lines = contour_generator(
            grid1, grid2, np.asarray(f(grid1, grid2), dtype=np.float64), line_type=LineType.ChunkCombinedCode
        )
        self.live = LiveFigure(figure, list(self._artists.values()))
        self.live.widget.add_class(FIGURE_CLASS)

        self.x1_slider, self.x2_slider = (
            widgets.FloatSlider(
                value=value, min=span[0], max=span[1], step=step, description=label, readout_format=".2f",
                continuous_update=True,
            )
            for value, span, label in zip(self.point, self._ranges, (X1_LABEL, X2_LABEL), strict=True)
        )
        self.status = widgets.HTML()
        self.status.add_class(STATUS_CLASS)
        self.panel = ExplorerPanel([widgets.HBox([self.x1_slider, self.x2_slider]), self.live.widget, self.status])
        self.panel.add_class(PANEL_CLASS)
        for slider in (self.x1_slider, self.x2_slider):
            slider.observe(self._slider_moved, names="value")
        self._show()

    @property
    def _first(self) -> str:
        """The name of the method whose partials draw the tangents and the arrow."""
        return next(iter(self._methods))

    def set_point(self, x1: float, x2: float) -> str:
        """Move the point to (x1, x2), redraw, and return the status text; a point off the plot is refused in words."""
        try:
            _check_inside((x1, x2), self._ranges)
        except ValueError as problem:
            return self._say(str(problem))
        self.point = (float(x1), float(x2))
        self._syncing = True
        try:
            self.x1_slider.value, self.x2_slider.value = self.point
        finally:
            self._syncing = False
        return self._show()

    def _slider_moved(self, change: dict) -> None:
        if not self._syncing:
            self.set_point(self.x1_slider.value, self.x2_slider.value)

    def _compute(self, x1: float, x2: float) -> dict[str, tuple[float, float]]:
        return {name: _pair(name, method(x1, x2), x1, x2) for name, method in self._methods.items()}

    def _show(self) -> str:
        began = time.perf_counter()
        x1, x2 = self.point
        try:
            self.partials = self._compute(x1, x2)
            f0 = float(self._f(x1, x2))
        except Exception as error:  # a student's edited function must not put a traceback in the explorer
            return self._say(f"At (x1, x2) = ({x1:.2f}, {x2:.2f}): {error}")
        computed = time.perf_counter()
        self._move_artists(x1, x2, f0, self.partials[self._first])
        self.live.update()
        self.last_timings = {"partials": computed - began, "draw": time.perf_counter() - computed}
        markup, text = self._table(x1, x2, f0)
        return self._say(text, markup)

    def _move_artists(self, x1: float, x2: float, f0: float, slopes: tuple[float, float]) -> None:
        art = self._artists
        (x1_low, x1_high), (x2_low, x2_high) = self._ranges
        steps1, steps2 = self._steps
        art["point"].set_data([x1], [x2])
        art["x1-slice-line"].set_data([x1_low, x1_high], [x2, x2])
        art["x2-slice-line"].set_data([x1, x1], [x2_low, x2_high])
        art["gradient"].set_offsets([[x1, x2]])
        art["gradient"].set_UVC([slopes[0]], [slopes[1]])
        points, codes = self._level_lines.lines(f0)
        paths = [Path(p, c) for p, c in zip(points, codes, strict=True) if p is not None]
        art["level-curve"].set_paths(paths)
        for name, steps, along, start, slope in (
            ("x1", steps1, self._f(steps1, x2), x1, slopes[0]),
            ("x2", steps2, self._f(x1, steps2), x2, slopes[1]),
        ):
            ends = steps[[0, -1]]
            art[f"{name}-slice"].set_data(steps, np.broadcast_to(along, steps.shape))
            art[f"{name}-tangent"].set_data(ends, f0 + slope * (ends - start))
            art[f"{name}-point"].set_data([start], [f0])

    def _table(self, x1: float, x2: float, f0: float) -> tuple[str, str]:
        """The readout as HTML for the widget and as plain text for set_point's return value."""
        heading = f"At (x1, x2) = ({x1:.2f}, {x2:.2f}): f = {f0:.4f}"
        rows = [(name, f"{d1:.6f}", f"{d2:.6f}") for name, (d1, d2) in self.partials.items()]
        cells = "".join(f"<tr><td>{html.escape(name)}</td><td>{d1}</td><td>{d2}</td></tr>" for name, d1, d2 in rows)
        table = '<table style="border-spacing: 16px 2px; margin-left: -16px">'
        markup = f"<p>{heading}</p>{table}<tr><th>method</th><th>∂f/∂x1</th><th>∂f/∂x2</th></tr>{cells}</table>"
        text = "\n".join([heading, *(f"{name}: ∂f/∂x1 = {d1}, ∂f/∂x2 = {d2}" for name, d1, d2 in rows)])
        return markup, text

    def _say(self, text: str, markup: str | None = None) -> str:
        self.status.value = markup if markup is not None else html.escape(text)
        self.status_text = text
        return text


def point_explorer(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray], methods: Mapping[str, PartialsFunction], **options: object
) -> PointExplorer:
    """Build the explorer for ``f`` and the notebook's ways to compute its partials; show ``.panel``.

    Options (``x1_range``, ``x2_range``, ``start``, ``step``, ``arrow_scale``): see :class:`PointExplorer`.
    """
    return PointExplorer(f, methods, **options)  # type: ignore[arg-type]


def _pair(name: str, value: object, x1: float, x2: float) -> tuple[float, float]:
    """The two partial derivatives a method returned, as floats, or a ValueError that says what was wrong."""
    try:
        first, second = (float(v) for v in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name!r} returned {value!r} at (x1, x2) = ({x1:g}, {x2:g}); it must return two numbers, "
            f"(df/dx1, df/dx2). ({error})"
        ) from None
    if not (math.isfinite(first) and math.isfinite(second)):
        raise ValueError(f"{name!r} returned ({first}, {second}) at (x1, x2) = ({x1:g}, {x2:g}): not finite numbers.")
    return first, second


def _check_range(span: object, name: str) -> None:
    try:
        low, high = (float(v) for v in span)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be two numbers (low, high), e.g. (-2, 2); got {span!r}.") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"{name} must be finite with low < high, e.g. (-2, 2); got {span!r}.")


def _check_inside(point: object, ranges: tuple[tuple[float, float], ...]) -> None:
    try:
        coordinates = [float(v) for v in point]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise ValueError(f"The point must be two numbers (x1, x2); got {point!r}.") from None
    if len(coordinates) != 2:
        raise ValueError(f"The point must be two numbers (x1, x2); got {point!r}.")
    for value, (low, high), label in zip(coordinates, ranges, (X1_LABEL, X2_LABEL), strict=True):
        if not low <= value <= high:
            raise ValueError(f"{label} = {value:g} is off the plot: choose {label} between {low:g} and {high:g}.")


"""The partial-derivatives explorer of notebook 01: sliders for a point (x1, x2) and its partial derivatives, live.

The explorer computes no derivative itself. The notebook passes in ``f`` (numpy) and its own ways of
computing the partial derivatives, e.g. ``{"by hand": ..., "finite differences": ..., "autograd": ...}``,
each a function ``(x1, x2) -> (∂f/∂x1, ∂f/∂x2)``::

    explorer = PartialsExplorer(f, methods, start=point)
    explorer.panel

Each slider change moves the point on the contour plot, the level curve through it, the two slices with
their tangent lines and the gradient arrow, and a table in the status line shows the partial derivatives
from every method. The picture is :func:`helpers.plots.plot_partial_slices`, drawn once; an update moves the
artists it returned as it placed them (:meth:`helpers.plots.PartialSlices.move`), with the slopes and the
gradient taken from the first method, and repaints only those (see :class:`helpers.live_figure.LiveFigure`).
The panel, status line and wiring are :class:`helpers.explorer.Explorer`'s.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping

import ipywidgets as widgets
import numpy as np
from contourpy import LineType, contour_generator
from matplotlib.figure import Figure
from matplotlib.path import Path

from helpers import plots
from helpers.explorer import Explorer
from helpers.inputs import as_numbers, checked_point, checked_span
from helpers.live_figure import LiveFigure

PartialsFunction = Callable[[float, float], object]

PANEL_CLASS = "partials-explorer"
SLIDER_WIDTH = "400px"
STEP = 0.05  # of each slider
ARROW_SCALE = 0.25  # the gradient arrow's length, as a multiple of the gradient's
FIGURE_SUMMARY = (
    "Three panels: the level curves of f over (x1, x2) with the point, the level curve through it and the gradient "
    "arrow; f along x1 and along x2 through the point, each with its tangent line."
)


class PartialsExplorer(Explorer):
    """Sliders ``x1`` and ``x2``, the live figure and a table of the partial derivatives at the point.

    ``f`` must work on numpy arrays (the contour and the slices evaluate it on whole grids); each of
    ``methods`` maps a name to a function ``(x1, x2) -> (df/dx1, df/dx2)``, and the first one gives the
    tangent slopes and the gradient arrow. The sliders span ``x1_range`` and ``x2_range`` in steps of
    0.05 and begin at ``start``; the arrow is drawn a quarter of the gradient's length.
    A value that cannot be used raises an error that says what to pass instead.

    Show ``explorer.panel``. Move the point from code (and tests) with :meth:`set_point`, which returns
    the status text. ``partials`` holds the last values computed, by method name.
    """

    def __init__(
        self,
        f: plots.Surface,
        methods: Mapping[str, PartialsFunction],
        *,
        x1_range: tuple[float, float] = (-2.0, 2.0),
        x2_range: tuple[float, float] = (-2.0, 2.0),
        start: tuple[float, float] = (1.0, 0.5),
    ) -> None:
        if not callable(f):
            raise TypeError(f"f must be a function f(x1, x2) that works on numpy arrays; got {type(f).__name__}.")
        if not methods or not all(callable(method) for method in methods.values()):
            raise TypeError(
                "methods must be a non-empty dict {name: function(x1, x2) -> (df/dx1, df/dx2)}, "
                'e.g. {"by hand": hand_partials}.'
            )
        self._ranges = (checked_span(x1_range, "x1_range"), checked_span(x2_range, "x2_range"))
        super().__init__(PANEL_CLASS)
        self._f = f
        self._methods = dict(methods)
        self._first = next(iter(methods))  # the method whose partials draw the tangents and the arrow
        x1, x2 = checked_point(start, self._ranges, plots.VARIABLES)
        self.point = (x1, x2)
        self.partials = self._compute(x1, x2)  # raises here, with a clear message, if a method is broken

        figure = Figure(figsize=(11.0, 3.6), dpi=80, layout="constrained")
        self._artists = plots.plot_partial_slices(
            f, self.point, self.partials[self._first], x1_range=self._ranges[0], x2_range=self._ranges[1],
            arrow_scale=ARROW_SCALE, figure=figure,
        )
        grid1, grid2 = np.meshgrid(*(np.linspace(*span, plots.GRID_POINTS) for span in self._ranges))
        self._level_lines = contour_generator(
            grid1, grid2, np.asarray(f(grid1, grid2), dtype=np.float64), line_type=LineType.ChunkCombinedCode
        )
        self.live = LiveFigure(figure, self._artists.moving)

        # 400 px give the track about 90 px per unit of the default span, 4 to 5 px per step: aimable with a
        # mouse; the arrow keys move one step, and the box beside each slider takes any value typed.
        self.x1_slider, self.x2_slider = (
            widgets.FloatSlider(
                value=value, min=span[0], max=span[1], step=STEP, description=label, continuous_update=True,
                layout=widgets.Layout(width=SLIDER_WIDTH),
            )
            for value, span, label in zip(self.point, self._ranges, plots.VARIABLES, strict=True)
        )
        coordinate = "{:.4g}".format  # up to four significant digits, as typed (0.03, -1.25)
        controls = [
            self._typed_control(self.x1_slider, lambda x1: self.set_point(x1, self.point[1]), "x1", coordinate,
                                lambda: self.point[0]),
            self._typed_control(self.x2_slider, lambda x2: self.set_point(self.point[0], x2), "x2", coordinate,
                                lambda: self.point[1]),
        ]
        self._lay_out(controls, self._figure_widget(self.live, FIGURE_SUMMARY), self.status)
        self._show()

    def set_point(self, x1: float, x2: float) -> str:
        """Move the point to (x1, x2), redraw, and return the status text; a point off the plot is refused in words."""
        try:
            new_x1, new_x2 = checked_point((x1, x2), self._ranges, plots.VARIABLES)
        except ValueError as problem:
            return self._say(str(problem))
        self.point = (new_x1, new_x2)
        self._move_controls((self.x1_slider, new_x1), (self.x2_slider, new_x2))
        return self._show()

    def _compute(self, x1: float, x2: float) -> dict[str, tuple[float, float]]:
        return {name: _pair(name, method(x1, x2), x1, x2) for name, method in self._methods.items()}

    def _show(self) -> str:
        x1, x2 = self.point
        try:
            self.partials = self._compute(x1, x2)
            f0 = float(np.asarray(self._f(x1, x2)))
        except Exception as error:  # a student's edited function must not put a traceback in the explorer
            return self._say(f"At (x1, x2) = ({x1:.2f}, {x2:.2f}): {error}")
        self._artists.move(self._f, (x1, x2), self.partials[self._first])
        lines = self._level_lines.lines(f0)
        assert isinstance(lines, tuple) and len(lines) == 2  # LineType.ChunkCombinedCode: (points, codes) per chunk
        points, codes = lines
        self._artists.level_curve.set_paths([Path(p, c) for p, c in zip(points, codes, strict=True) if p is not None])
        self.live.update()
        markup, text = self._table(x1, x2, f0)
        return self._say(text, markup)

    def _table(self, x1: float, x2: float, f0: float) -> tuple[str, str]:
        """The readout, HTML and plain text: the point, f and the first method's partials, then the other methods'."""
        heading = f"At (x1, x2) = ({x1:.2f}, {x2:.2f}): f = {f0:.4f}."
        readings = [f"{name}: ∂f/∂x1 = {d1:.6f}, ∂f/∂x2 = {d2:.6f}" for name, (d1, d2) in self.partials.items()]
        lines = [f"{heading} {readings[0]}", "; ".join(readings[1:])]
        text = "\n".join(line for line in lines if line)
        markup = "".join(f'<div>{html.escape(line)}</div>' for line in lines if line)
        return markup, text


def _pair(name: str, value: object, x1: float, x2: float) -> tuple[float, float]:
    """The two partial derivatives a method returned, as floats, or a ValueError that says what was wrong."""
    numbers = as_numbers(value)
    if numbers is None or len(numbers) != 2:
        raise ValueError(
            f"{name!r} returned {value!r} at (x1, x2) = ({x1:g}, {x2:g}); it must return two numbers, (df/dx1, df/dx2)."
        )
    first, second = numbers[0], numbers[1]
    if not (math.isfinite(first) and math.isfinite(second)):
        raise ValueError(f"{name!r} returned ({first}, {second}) at (x1, x2) = ({x1:g}, {x2:g}): not finite numbers.")
    return first, second

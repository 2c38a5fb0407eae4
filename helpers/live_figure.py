"""Fast-updating figures for the notebooks' slider explorers.

A slider explorer must redraw in a few milliseconds, but a full matplotlib redraw of a
contour plot takes tens. :class:`LiveFigure` draws the still parts of a figure (data,
contours, axes, labels) once, caches the pixels, and on each update paints only the
artists that move before encoding a PNG for an ``ipywidgets.Image``.

Its text is drawn at least :data:`MIN_TEXT_PX` pixels high, the size of the code font in JupyterLab's
presentation mode (16 px; 13 px otherwise), so the figure stays as readable as the code around it on a
projector: JupyterLab enlarges its own text in presentation mode but shows a PNG at its pixel size.

It only draws: the panel, controls and status line around it are :mod:`helpers.explorer`'s.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image
from traitlets import Unicode

# JupyterLab's --jp-code-presentation-font-size (its --jp-code-font-size is 13 px outside presentation mode).
MIN_TEXT_PX = 16.0
POINTS_PER_INCH = 72.0


class DescribedImage(widgets.Image):
    """An ipywidgets Image that can carry a tooltip, which JupyterLab renders as the ``<img>``'s ``title``.

    ipywidgets 8.1's front end reads the model's ``description`` whenever a tooltip is set, and Image has none,
    so a tooltip on a plain Image breaks its view ("Cannot read properties of undefined"). An empty description
    is enough.
    """

    description = Unicode("").tag(sync=True)


class LiveFigure:
    """Show ``figure`` in ``self.widget`` and repaint only the ``moving`` artists on :meth:`update`.

    Call :meth:`redraw_all` instead after changing anything still, such as axis limits or scales.
    """

    def __init__(self, figure: Figure, moving: Sequence[Artist]) -> None:
        enlarge_text(figure, MIN_TEXT_PX)
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.moving = list(moving)
        for artist in self.moving:
            artist.set_animated(True)
        self.widget = DescribedImage(format="png")
        self.redraw_all()

    def redraw_all(self) -> None:
        """Redraw and cache the still background, then paint the moving artists on it."""
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.update()

    def update(self) -> None:
        """Paint the moving artists over the cached background and publish the new PNG."""
        self.canvas.restore_region(self._background)
        for artist in self.moving:
            if artist.get_visible():
                artist.draw(self.canvas.get_renderer())
        pixels = np.asarray(self.canvas.buffer_rgba())[..., :3]
        buffer = io.BytesIO()
        # Encoded fast, with low compression: these images never leave the machine.
        Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
        self.widget.value = buffer.getvalue()


def enlarge_text(figure: Figure, pixels: float) -> None:
    """Make every text of ``figure`` (titles, labels, tick labels, legends) at least ``pixels`` high at its dpi."""
    points = pixels * POINTS_PER_INCH / figure.dpi
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            # Tick labels are made anew whenever the ticks change, with the size tick_params sets.
            now = float(axis.get_major_ticks()[0].label1.get_fontsize())
            axis.set_tick_params(which="both", labelsize=max(points, now))
    for text in figure.findobj(Text):
        if float(text.get_fontsize()) < points:
            text.set_fontsize(points)

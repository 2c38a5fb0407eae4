"""A plain-text description of a matplotlib figure: what it shows, in words and rounded numbers.

Importing ``helpers`` makes IPython print this description as a figure's text form, in place
of ``<Figure size 640x480 with 1 Axes>``. Two readers need it: nbval, which compares text
outputs but not images, so a plot that draws the wrong thing now fails the regression check;
and anyone who cannot see the image (a screen reader, a terminal, a diff of the notebook).

The same description is the PNG's alternative text: it goes into the display metadata
``{"image/png": {"alt": ...}}``, which nbconvert (and so the HTML site) writes as the image's ``alt``.
JupyterLab 4.6 does not read that key (its image renderer sets no ``alt``); there the nearest
equivalent is the text/plain form next to the image in the notebook file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.quiver import Quiver

INLINE_BACKENDS = ("inline", "module://matplotlib_inline.backend_inline")
ZERO = 1e-12  # values this small are rounding noise around 0 (they would print as 1e-17 or -3e-18)


def number(value: float) -> str:
    """Format a value to 3 significant digits, the precision a reader can see on a plot."""
    if not np.isfinite(value):
        return str(value)
    return "0" if abs(value) < ZERO else f"{value:.3g}"


def span(values: np.ndarray) -> str:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return "none finite"
    return f"{number(finite.min())}..{number(finite.max())}"


def describe_figure(figure: Figure) -> str:
    """Describe every axes of ``figure``: title, labels, limits, and each line, collection, patch and text."""
    width, height = (figure.get_size_inches() * figure.dpi).round().astype(int)
    lines = [f"<Figure {width}x{height} px with {len(figure.axes)} axes>"]
    for index, ax in enumerate(figure.axes, start=1):
        lines += describe_axes(index, ax)
    return "\n".join(lines)


def describe_axes(index: int, ax: Axes) -> list[str]:
    label = str(ax.get_label())
    title = ax.get_title() or (label if not label.startswith("<") else "")
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    out = [
        f"axes {index} {title!r}: x {ax.get_xlabel()!r} [{number(x0)}, {number(x1)}] {ax.get_xscale()}, "
        f"y {ax.get_ylabel()!r} [{number(y0)}, {number(y1)}] {ax.get_yscale()}"
    ]
    for line in ax.get_lines():
        xs, ys = (np.asarray(v, dtype=float).ravel() for v in line.get_data())
        ends = f"({number(xs[0])}, {number(ys[0])}) to ({number(xs[-1])}, {number(ys[-1])})" if xs.size else "empty"
        out.append(f"  line {_name(line)}: {xs.size} points, {ends}, y {span(ys)}")
    for collection in ax.collections:
        out.append(f"  {describe_collection(collection)}")
    if ax.patches:
        out.append(f"  {len(ax.patches)} patches (boxes, arrows)")
    for text in ax.texts:
        if text.get_text().strip():
            out.append(f"  text {text.get_text()!r}")
    for image in ax.images:
        array = image.get_array()
        out.append(f"  image {'x'.join(map(str, np.shape(array))) if array is not None else 'empty'}")
    return out


def describe_collection(collection: Collection) -> str:
    kind = type(collection).__name__
    offsets = np.asarray(collection.get_offsets(), dtype=float).reshape(-1, 2)
    if kind == "PathCollection" and len(offsets):
        return f"scatter {_name(collection)}: {len(offsets)} points, x {span(offsets[:, 0])}, y {span(offsets[:, 1])}"
    if isinstance(collection, Quiver):
        arrows = [
            f"({number(x)}, {number(y)}) along ({number(u)}, {number(v)})"
            for (x, y), u, v in zip(offsets, np.ravel(collection.U), np.ravel(collection.V), strict=True)
        ]
        return f"arrows {_name(collection)}: " + "; ".join(arrows)
    levels = getattr(collection, "levels", None)
    if levels is not None:
        return f"contour {_name(collection)}: {len(levels)} levels, {span(np.asarray(levels, dtype=float))}"
    return f"{kind} {_name(collection)}: {len(collection.get_paths())} paths"


def _name(artist: Any) -> str:
    label = artist.get_label()
    return repr(label) if label and not label.startswith("_") else "(unlabelled)"


def use_in_ipython() -> None:
    """Make IPython show ``describe_figure`` as every figure's text form; does nothing outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    if matplotlib.get_backend(auto_select=False) in INLINE_BACKENDS:
        # The inline backend clears every formatter registered for Figure when it is first loaded
        # (at the first plot); loading it now makes that happen before ours is registered.
        import matplotlib_inline.backend_inline  # noqa: F401
    formatters = shell.display_formatter.formatters
    formatters["text/plain"].for_type(Figure, lambda figure, printer, cycle: printer.text(describe_figure(figure)))
    png = formatters["image/png"]
    draw_png = png.lookup_by_type(Figure) if Figure in png else None
    if draw_png is not None and not getattr(draw_png, "adds_alt", False):
        png.for_type(Figure, with_alt(draw_png))


def with_alt(draw_png: Callable[[Figure], Any]) -> Callable[[Figure], Any]:
    """Wrap IPython's PNG printer of figures so that it also returns the metadata ``{"alt": description}``.

    An IPython formatter may return (data, metadata); IPython files the metadata under the format's MIME
    type, which is where nbconvert looks for ``alt``.
    """

    def png_with_alt(figure: Figure) -> Any:
        data = draw_png(figure)
        return None if data is None else (data, {"alt": describe_figure(figure)})

    png_with_alt.adds_alt = True  # type: ignore[attr-defined]  # so a second use_in_ipython() does not wrap twice
    return png_with_alt

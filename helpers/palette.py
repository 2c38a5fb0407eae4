"""One colour-blind-safe palette for every figure of the series, with a marker shape for each role.

The colours are Okabe and Ito's eight, which stay distinct under the common colour-vision
deficiencies. Colour is never the only carrier of meaning: each point that matters also has
its own marker shape and a legend label (start: circle, end: square, least squares: star).
"""

from __future__ import annotations

from typing import Any

ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#7F7F7F"

DATA = BLUE
FIT = VERMILLION
RUN = VERMILLION
COMPARISON = GREY
START = BLUISH_GREEN
END = BLACK
OPTIMUM = BLACK

START_MARKER = "o"
END_MARKER = "s"
OPTIMUM_MARKER = "*"

# The order in which several lines on one axes take colours; yellow comes last, being the hardest to see on white.
CYCLE = (BLUE, VERMILLION, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW)
# Several lines on one axes also differ in dash pattern (or, for paths of points, in marker), so that a
# reader who cannot tell the colours apart can still match each line with its legend entry.
LINE_STYLES = ("-", "--", "-.", ":")
PATH_MARKERS = (".", "^", "v", "D", "x", "+")

# Graph pictures: light tints of sky blue (leaves, the inputs) and orange (operations), so that black
# text on them keeps a contrast above 7:1; the box shape tells them apart too (leaves square, operations round).
LEAF_FILL = "#D4ECFA"
OPERATION_FILL = "#FBE7BD"
LEAF_BOX = "square"
OPERATION_BOX = "round"


def series_style(index: int) -> dict[str, Any]:
    """Colour and dash pattern of the ``index``-th line on an axes (0 first): both differ from one line to the next."""
    return {"color": CYCLE[index % len(CYCLE)], "linestyle": LINE_STYLES[index % len(LINE_STYLES)]}


def path_style(index: int) -> dict[str, Any]:
    """Colour and marker of the ``index``-th path of points (such as gradient-descent steps) on an axes."""
    return {"color": CYCLE[index % len(CYCLE)], "marker": PATH_MARKERS[index % len(PATH_MARKERS)]}


def use_as_default() -> None:
    """Make the palette matplotlib's default for lines the notebooks draw themselves, each with its own dash pattern."""
    from cycler import cycler
    from matplotlib import rcParams

    dashes = [LINE_STYLES[index % len(LINE_STYLES)] for index in range(len(CYCLE))]
    rcParams["axes.prop_cycle"] = cycler(color=list(CYCLE)) + cycler(linestyle=dashes)

"""One colour-blind-safe palette for every figure of the series, with a marker shape for each role.

The colours are Okabe and Ito's eight, which stay distinct under the common colour-vision
deficiencies. Colour is never the only carrier of meaning: each point that matters also has
its own marker shape and a legend label (start: circle, end: square, least squares: star).
"""

from __future__ import annotations

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

CYCLE = (BLUE, VERMILLION, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE, YELLOW, BLACK)

"""Unit tests for helpers.live_figure: updates repaint moving artists only, and text is large enough for a projector."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from helpers.live_figure import MIN_TEXT_PX, LiveFigure


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def make_live_figure() -> tuple[LiveFigure, object]:
    figure = Figure(figsize=(3, 2), dpi=50)
    ax = figure.subplots()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.plot([0, 1], [0.5, 0.5], color="black")
    (moving_line,) = ax.plot([0, 1], [0, 0], color="red", linewidth=4)
    return LiveFigure(figure, [moving_line]), moving_line


def test_update_repaints_the_moving_artist_and_keeps_the_background():
    live, line = make_live_figure()
    before = pixels(live.widget.value)
    assert bytes(live.widget.value).startswith(b"\x89PNG") and before.shape == (100, 150, 3)  # the figure's size
    line.set_data([0, 1], [1, 1])
    live.update()
    after = pixels(live.widget.value)
    assert not np.array_equal(before, after)
    line.set_data([0, 1], [0, 0])
    live.update()
    assert np.array_equal(pixels(live.widget.value), before)


def test_hidden_moving_artist_is_not_painted():
    live, line = make_live_figure()
    shown = pixels(live.widget.value)
    line.set_visible(False)
    live.update()
    hidden = pixels(live.widget.value)
    red = np.array([255, 0, 0])
    assert (np.abs(shown.astype(int) - red).sum(axis=-1) < 60).any()
    assert not (np.abs(hidden.astype(int) - red).sum(axis=-1) < 60).any()


def test_redraw_all_picks_up_changed_limits():
    live, line = make_live_figure()
    before = pixels(live.widget.value)
    line.axes.set_ylim(-1, 2)
    live.redraw_all()
    assert not np.array_equal(before, pixels(live.widget.value))


def test_every_text_is_drawn_at_least_as_large_as_the_presentation_code_font():
    figure = Figure(figsize=(4, 3), dpi=80)
    ax = figure.subplots()
    ax.plot([0, 1], [1, 10], label="loss")
    ax.set(title="T", xlabel="x", ylabel="y", yscale="log")
    ax.legend(fontsize="small")
    ax.text(0.5, 2, "note", fontsize=30)
    LiveFigure(figure, [])  # enlarges the figure's text in place
    smallest_points = MIN_TEXT_PX * 72 / figure.dpi
    # LiveFigure has drawn the figure, so the tick labels are the ones made at draw time (log minor ticks too).
    tick_labels = [label for axis in (ax.xaxis, ax.yaxis) for label in axis.get_ticklabels(which="both") if label.get_text()]
    texts = [text for text in figure.findobj(Text) if text.get_text()] + tick_labels
    assert len(tick_labels) > 4 and {"T", "x", "y", "loss"} <= {text.get_text() for text in texts}
    assert min(text.get_fontsize() for text in texts) == pytest.approx(smallest_points)
    assert ax.texts[0].get_fontsize() == 30, "a text already larger keeps its size"

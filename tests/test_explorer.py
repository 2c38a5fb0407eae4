"""Unit tests for helpers.explorer: the skeleton every slider explorer shares."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import ipywidgets as widgets
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from helpers.explorer import (
    FIGURE_CLASS,
    RUN_ABOVE,
    RUN_HINT,
    STATUS_CLASS,
    STATUS_MARKUP,
    VALUE_BOX_CLASS,
    CellsNotRun,
    Explorer,
    TrainExplorer,
    log_position,
    log_value,
    on_log_grid,
    rate_text,
    require,
)
from helpers.line_fit import LineFit, ResultError, drawn
from helpers.live_figure import LiveFigure

SUMMARY = "A line from (0, 0) to (1, 1)."


class Counter(Explorer):
    """The smallest explorer: one slider with a value box whose setter refuses odd whole numbers and counts its calls."""

    def __init__(self) -> None:
        super().__init__("counter-explorer")
        self.calls: list[object] = []
        self.n = 0
        self.slider = widgets.IntSlider(value=0, min=0, max=10, description="n")
        figure = Figure(figsize=(1, 1), dpi=20)
        (line,) = figure.subplots().plot([0, 1], [0, 1])
        self.live = LiveFigure(figure, [line])
        self.control = self._typed_control(self.slider, self.set_n, "count", lambda value: f"{value:g}", lambda: self.n)
        self._lay_out([self.control], self._figure_widget(self.live, SUMMARY), self.status)

    def set_n(self, value: object) -> str:
        self.calls.append(value)
        if not isinstance(value, int | float) or (value == int(value) and int(value) % 2):
            return self._say(f"n must be even; got {value!r} <odd>.")
        self.n = value
        self._move_controls((self.slider, value))
        return self._say(f"n = {value}", markup=f"<b>n = {value}</b>")

    @property
    def box(self) -> widgets.Text:
        return self.control.children[1]


def test_the_panel_holds_the_controls_then_the_rows_in_order():
    counter = Counter()
    controls, figure, status = counter.panel.children
    assert controls.children == (counter.control,)
    assert counter.control.children[0] is counter.slider and VALUE_BOX_CLASS in counter.box._dom_classes
    assert counter.slider.readout is False  # the box is the readout: the kernel reads what is typed
    assert figure is counter.live.widget and FIGURE_CLASS in figure._dom_classes
    assert status is counter.status and STATUS_CLASS in status._dom_classes
    assert "counter-explorer" in counter.panel._dom_classes
    assert repr(counter.panel) == RUN_HINT
    assert len(RUN_HINT) <= 110  # ipywidgets truncates longer plain-text fallbacks


def test_a_control_calls_its_setter_once_and_a_value_set_from_code_moves_it_without_a_second_call():
    counter = Counter()
    counter.slider.value = 4
    assert counter.calls == [4] and counter.status_text == "n = 4" and counter.box.value == "4"
    assert counter.set_n(20) == "n = 20"
    assert counter.calls == [4, 20] and counter.slider.value == 10  # clamped by the slider, setter not run again
    assert counter.box.value == "20"  # the box shows the value in use, not the clamped one


def test_a_typed_value_goes_to_the_setter_as_typed_and_beyond_the_slider_is_said_in_words():
    counter = Counter()
    counter.box.value = " 6 "
    assert counter.calls == [6.0] and counter.status_text == "n = 6.0"
    counter.box.value = "40"
    assert counter.n == 40 and counter.slider.value == 10
    assert counter.status_text == "40 was run as typed (the slider's largest is 10). n = 40.0"
    counter.box.value = "\u22122"  # a typographic minus, as some keyboards and pasted text give
    assert counter.status_text.startswith("-2 was run as typed (the slider's smallest is 0).")


def test_the_browser_snapping_a_typed_value_to_the_slider_runs_nothing():
    counter = Counter()
    counter.box.value = "4.2"  # between positions 4 and 5 of the slider
    counter.slider.value = 4  # what the browser sends back after snapping the handle
    assert counter.calls == [4.2] and counter.n == 4.2
    counter.slider.value = 6  # a real move
    assert counter.calls == [4.2, 6] and counter.n == 6


def test_a_refused_typed_value_is_answered_by_the_setter_and_the_box_shows_the_value_in_use():
    counter = Counter()
    counter.box.value = "3"
    assert counter.status_text == "n must be even; got 3.0 <odd>."
    assert counter.n == 0 and counter.box.value == "0"
    counter.box.value = "ten"
    assert counter.status_text == "'ten' is not a number: type the count in digits, such as 0.5 or 1e-4. Nothing was run."
    assert counter.calls == [3.0] and counter.box.value == "0"


def test_say_escapes_text_unless_markup_is_given_and_the_figure_description_follows_the_status_line():
    counter = Counter()
    assert counter.live.widget.tooltip == SUMMARY
    assert counter.set_n(3) == "n must be even; got 3 <odd>."
    assert counter.status.value == STATUS_MARKUP.format("n must be even; got 3 &lt;odd&gt;.")
    assert counter.live.widget.tooltip == f"{SUMMARY} n must be even; got 3 <odd>."
    counter.set_n(2)
    assert (counter.status_text, counter.status.value) == ("n = 2", STATUS_MARKUP.format("<b>n = 2</b>"))
    assert counter.live.widget.tooltip == f"{SUMMARY} n = 2"


def test_idle_work_runs_on_the_event_loop_once_the_caller_has_returned():
    counter = Counter()
    done: list[str] = []

    async def main() -> None:
        counter._when_idle(lambda: done.append("a"))
        counter._when_idle(lambda: done.append("b"))  # replaces "a", which never runs
        assert done == []
        await asyncio.sleep(0.2)

    # On a thread of its own: the browser tests' Playwright keeps an event loop running on this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, main()).result()
    assert done == ["b"]


def test_require_names_what_is_missing_and_what_to_run_in_one_line():
    require({"train": 1}, ["train"])
    with pytest.raises(CellsNotRun) as raised:
        require({"train": 1}, ["train", "lr_limit", "raw"])
    message = str(raised.value)
    assert message.startswith("This explorer needs lr_limit, raw from the cells above") and RUN_ABOVE in message
    with pytest.raises(CellsNotRun, match=r"^This explorer needs a, b, c and 2 more from the cells above"):
        require({}, ["a", "b", "c", "d", "e"])
    assert "\n" not in message and raised.value._render_traceback_() == [message]
    assert isinstance(raised.value, NameError)


@st.composite
def log_sliders(draw) -> widgets.FloatLogSlider:
    """A log slider as an explorer builds one: a base, a whole-power start and up to 8 powers in whole steps."""
    base = draw(st.sampled_from([2.0, 10.0]))
    low = draw(st.integers(min_value=-8, max_value=0))
    step = draw(st.sampled_from([0.01, 0.05, 0.1, 0.25, 1.0]))
    positions = draw(st.integers(min_value=1, max_value=round(8 / step)))
    high = low + positions * step
    return widgets.FloatLogSlider(value=base**low, base=base, min=low, max=high, step=step)


def last_position(slider: widgets.FloatLogSlider) -> int:
    return round((slider.max - slider.min) / slider.step)


@settings(max_examples=60)
@given(slider=log_sliders(), data=st.data())
def test_every_log_slider_position_round_trips_even_with_javascripts_last_bit(slider, data):
    position = data.draw(st.integers(min_value=0, max_value=last_position(slider)))
    value = log_value(slider, position)
    assert log_position(slider, value) == position
    sent = value * (1 + data.draw(st.sampled_from([-4e-16, -2e-16, 0.0, 2e-16, 4e-16])))  # a few ulps either way
    assert on_log_grid(slider, sent) == value


@settings(max_examples=60)
@given(slider=log_sliders(), values=st.lists(st.floats(min_value=1e-300, max_value=1e300), min_size=2, max_size=2))
def test_a_log_slider_position_is_clamped_in_order_and_on_the_grid_stays_put(slider, values):
    smaller, larger = sorted(values)
    positions = log_position(slider, smaller), log_position(slider, larger)
    assert 0 <= positions[0] <= positions[1] <= last_position(slider)
    snapped = on_log_grid(slider, larger)
    assert on_log_grid(slider, snapped) == snapped
    assert snapped == log_value(slider, positions[1])


@pytest.mark.parametrize(("value", "text"), [(1e-4, "1.00e-4"), (0.03, "3.00e-2"), (1.3025e-3, "1.30e-3"), (12.5, "1.25e1")])
def test_rate_text_gives_three_significant_digits(value, text):
    assert rate_text(value) == text


FIT = LineFit(torch.tensor([[0.0], [1.0], [2.0]]), torch.tensor([1.0, 3.0, 5.0]), 2.0, 1.0, 0.2)


class LineFigure:
    """The smallest explorer figure: the path of w, shown as one line."""

    def __init__(self) -> None:
        figure = Figure(figsize=(1, 1), dpi=20)
        (self.line,) = figure.subplots().plot([], [])
        self.live = LiveFigure(figure, [self.line])

    def show(self, run) -> None:
        self.line.set_data(range(len(run.ws)), run.ws)
        self.live.update()


class Walk(TrainExplorer):
    """The smallest explorer of a notebook's train: a learning-rate slider, and the last loss said."""

    rate_hint = "a value such as 0.1"

    def __init__(self, walk) -> None:
        super().__init__("walk-explorer", walk, "walk(x, y, learning_rate)", fit=FIT)
        self.learning_rate = 0.1
        self._start([self._rate_control((-3.0, 0.0), "300px")])

    def _runs(self):
        return (drawn(self._train(FIT.x, FIT.y, self.learning_rate), self.train_call),)

    def _figure_for(self, run):
        return self.figure or LineFigure()

    def _describe(self, run) -> str:
        return f"rate {self.learning_rate:g}: loss {run.losses[-1]:g}"


def walk(x, y, learning_rate):
    return [0.0, learning_rate], [0.0, 0.0], [4.0, 1.0], None


def test_a_train_explorer_runs_draws_and_says_and_a_rate_set_from_code_moves_its_controls():
    explorer = Walk(walk)
    assert explorer.status_text == "rate 0.1: loss 1"
    controls, status, box = explorer.panel.children
    assert status is explorer.status and box.children == (explorer.figure.live.widget,)
    assert explorer.set_learning_rate(0.5) == "rate 0.5: loss 1"
    assert list(explorer.figure.line.get_ydata()) == [0.0, 0.5]
    assert explorer._boxes[id(explorer.learning_rate_slider)][0].value == "5.00e-1"
    assert explorer.figure.live.widget.tooltip.endswith("rate 0.5: loss 1")


def test_a_value_from_the_slider_is_not_sent_back_to_it_but_a_typed_one_moves_it():
    explorer = Walk(walk)
    seen: list[float] = []
    explorer.learning_rate_slider.observe(lambda change: seen.append(change["new"]), names="value")
    sent = 10 ** (-1 + 0.05) * (1 + 2e-16)  # one position up, as JavaScript computes it
    explorer.learning_rate_slider.value = sent
    assert explorer.learning_rate == log_value(explorer.learning_rate_slider, 41) and seen == [sent]  # the grid's value
    box = explorer._boxes[id(explorer.learning_rate_slider)][0]
    assert box.value == "1.12e-1"
    box.value = "3e-3"
    assert explorer.learning_rate == 3e-3 and seen == [sent, 3e-3]


def test_the_timings_charge_train_and_drawing_each_their_own_seconds(fake_clock):
    def one_second_walk(x, y, learning_rate):
        fake_clock.advance(1.0)
        return walk(x, y, learning_rate)

    explorer = Walk(one_second_walk)
    show = explorer.figure.show

    def half_second_show(run):
        fake_clock.advance(0.5)
        show(run)

    explorer.figure.show = half_second_show
    explorer.set_learning_rate(0.2)
    assert explorer.last_timings == {"train": 1.0, "draw": 0.5}


def test_a_refused_rate_is_said_with_the_hint_and_changes_nothing():
    explorer = Walk(walk)
    text = explorer.set_learning_rate(-1)
    assert text == "The learning rate must be positive; got -1. Nothing was run. Try a value such as 0.1."
    assert explorer.learning_rate == 0.1 and explorer.learning_rate_slider.value == pytest.approx(0.1)
    assert list(explorer.figure.line.get_ydata()) == [0.0, 0.1] and explorer.status_text == text


@pytest.mark.parametrize(
    ("returned", "said"),
    [
        (RuntimeError("a typo"), "walk(...) raised RuntimeError: a typo. Fix walk and run its cell again."),
        (ResultError("walk(...) is wrong."), "walk(...) is wrong. Fix walk and run its cell again."),
        (None, "walk(...) should return (ws, bs, losses, diverged_at); it returned NoneType. Fix walk and run its cell again."),
        (([], [], [], None), "walk(...) returned no losses, so there is nothing to draw. It should record one per step."),
        (([0.0, "w"], [0.0], [1.0], None), "What walk(...) returned cannot be drawn: could not convert string to float"),
    ],
)
def test_a_train_that_raises_or_returns_what_cannot_be_drawn_is_answered_in_words(returned, said):
    def broken(x, y, learning_rate):
        if isinstance(returned, Exception):
            raise returned
        return returned

    explorer = Walk(walk)
    explorer._train = broken
    assert explorer.set_learning_rate(0.2).startswith(said)
    assert list(explorer.figure.line.get_ydata()) == [0.0, 0.1]  # the last run drawn stays


def test_a_train_explorer_needs_the_notebooks_function_and_a_line_fit():
    with pytest.raises(TypeError, match=r"^train must be the notebook's function walk\(x, y, learning_rate\); got None\.$"):
        Walk(None)
    with pytest.raises(TypeError, match=r"^bowl must be a LineFit\(x, y, w_star, b_star, stability_limit\); got \(1, 2\)\.$"):
        TrainExplorer("walk-explorer", walk, "walk()", bowl=(1, 2))

"""Unit tests for helpers.explorer: the skeleton every slider explorer shares."""

import ipywidgets as widgets
from matplotlib.figure import Figure

from helpers.explorer import FIGURE_CLASS, RUN_HINT, STATUS_CLASS, Explorer, ExplorerPanel, Stopwatch
from helpers.live_figure import LiveFigure


class Counter(Explorer):
    """The smallest explorer: one slider whose setter refuses odd numbers and counts its calls."""

    def __init__(self) -> None:
        super().__init__("counter-explorer")
        self.calls: list[object] = []
        self.slider = widgets.IntSlider(value=0, min=0, max=10, description="n")
        figure = Figure(figsize=(1, 1), dpi=20)
        (line,) = figure.subplots().plot([0, 1], [0, 1])
        self.live = LiveFigure(figure, [line])
        self._connect(self.slider, self.set_n)
        self._lay_out([self.slider], self._figure_widget(self.live), self.status)

    def set_n(self, value: object) -> str:
        self.calls.append(value)
        if not isinstance(value, int) or value % 2:
            return self._say(f"n must be even; got {value!r} <odd>.")
        self._move_controls((self.slider, value))
        return self._say(f"n = {value}", markup=f"<b>n = {value}</b>")


def test_panel_text_form_is_the_run_hint_and_fits_the_fallback():
    panel = ExplorerPanel([widgets.Label("x")])
    assert panel._repr_mimebundle_()["text/plain"] == RUN_HINT
    assert len(RUN_HINT) <= 110  # ipywidgets truncates longer plain-text fallbacks


def test_the_panel_holds_the_controls_then_the_rows_in_order():
    counter = Counter()
    controls, figure, status = counter.panel.children
    assert controls.children == (counter.slider,)
    assert figure is counter.live.widget and FIGURE_CLASS in figure._dom_classes
    assert status is counter.status and STATUS_CLASS in status._dom_classes
    assert "counter-explorer" in counter.panel._dom_classes
    assert repr(counter.panel) == RUN_HINT


def test_a_control_calls_its_setter_once_and_a_value_set_from_code_moves_it_without_a_second_call():
    counter = Counter()
    counter.slider.value = 4
    assert counter.calls == [4] and counter.status_text == "n = 4"
    assert counter.set_n(20) == "n = 20"
    assert counter.calls == [4, 20] and counter.slider.value == 10  # clamped by the slider, setter not run again


def test_say_escapes_text_unless_markup_is_given():
    counter = Counter()
    assert counter.set_n(3) == "n must be even; got 3 <odd>."
    assert counter.status.value == "n must be even; got 3 &lt;odd&gt;."
    counter.set_n(2)
    assert (counter.status_text, counter.status.value) == ("n = 2", "<b>n = 2</b>")


def test_stopwatch_times_each_part_from_the_end_of_the_previous_one():
    stopwatch = Stopwatch()
    stopwatch.lap("first")
    stopwatch.lap("second")
    assert list(stopwatch.laps) == ["first", "second"]
    assert all(seconds >= 0 for seconds in stopwatch.laps.values())

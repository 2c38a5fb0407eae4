"""The skeleton every slider explorer builds on: controls, a live figure and a status line in one panel.

A notebook shows ``explorer.panel``. Moving a control calls one of the explorer's setters, which redraws
the figure and says in the status line (CSS class ``explorer-status``) what happened, in words, never
with a traceback. Code and tests call the same setters and get that text back. The shared parts are
:class:`ExplorerPanel`, :class:`Explorer` (typed values, the described figure, idle work), :class:`TrainExplorer`
(an explorer that re-runs the notebook's ``train``) and :func:`require`; the figure is a
:class:`helpers.live_figure.LiveFigure`, which only draws fast.
"""

from __future__ import annotations

import asyncio
import html
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from helpers.front_end import run_above
from helpers.inputs import read_number, read_typed
from helpers.line_fit import LineFit, ResultError
from helpers.live_figure import LiveFigure

RUN_HINT = "Interactive explorer: run this cell (Shift+Enter) after the cells above; it needs a running kernel."
STATUS_CLASS = "explorer-status"
FIGURE_CLASS = "explorer-figure"
VALUE_BOX_CLASS = "explorer-value"
NOTE_CLASS = "explorer-note"
RUN_ABOVE = "Run › Run All Above Selected Cell"
LEARNING_RATE_LABEL = "learning rate"
LOG10_STEP = 0.05  # a learning-rate slider's step, in powers of ten: a factor of about 1.12 per key press
WIDE_LABEL = {"description_width": "initial"}  # a slider's label as wide as its words
# Seconds the kernel waits before idle work, so that a message already on its way (the next key press) goes first.
IDLE_DELAY = 0.01
MISSING_SHOWN = 3  # names a missing-cells message lists before "and N more"
# Single spacing: the HTML widget's own line height is a control's height (28 px), which double-spaces prose.
STATUS_MARKUP = '<div style="line-height: 1.35; margin: 2px 0">{}</div>'


class CellsNotRun(NameError):
    """An explorer cell ran before the cells that define what it needs; shown as one line, without a traceback."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of a traceback: the learner sees only what to do.
        return [str(self)]


def require(namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Raise :class:`CellsNotRun`, one line saying which names are missing and what to run, unless all are defined.

    An explorer cell calls ``require(globals(), ["train", ...])`` first, so that running it alone after a kernel
    restart says what to do instead of failing with a NameError on some later line.
    """
    missing = [name for name in names if name not in namespace]
    if missing:
        more = len(missing) - MISSING_SHOWN
        named = ", ".join(missing[:MISSING_SHOWN]) + (f" and {more} more" if more > 0 else "")
        raise CellsNotRun(
            f"This explorer needs {named} from the cells above, which this kernel has not run (a restarted kernel "
            f"starts empty): click this cell, choose {run_above(RUN_ABOVE)}, then run this cell."
        )


class ExplorerPanel(widgets.VBox):
    """A VBox whose text form asks the student to run the cell, shown when the notebook is opened unexecuted."""

    def __repr__(self) -> str:
        return RUN_HINT


def slider_position(slider: Any, value: float) -> int:
    """The index of the position of ``slider`` (a log slider too) nearest to ``value``, 0 at its smallest, clamped to it."""
    if isinstance(slider, widgets.FloatLogSlider):
        return log_position(slider, value)
    low, high, step = float(slider.min), float(slider.max), float(slider.step)
    return round((min(max(value, low), high) - low) / step)


def slider_span(slider: Any) -> tuple[float, float]:
    """The smallest and largest values ``slider`` can show."""
    low, high = float(slider.min), float(slider.max)
    if isinstance(slider, widgets.FloatLogSlider):
        return float(slider.base) ** low, float(slider.base) ** high
    return low, high


def log_position(slider: widgets.FloatLogSlider, value: float) -> int:
    """The index of the position of ``slider`` nearest to ``value`` (0 at its smallest), clamped to the slider."""
    base, low, high, step = float(slider.base), float(slider.min), float(slider.max), float(slider.step)
    inside = min(max(math.log(value, base), low), high)
    return round((inside - low) / step)


def log_value(slider: widgets.FloatLogSlider, position: int) -> float:
    """The value of ``slider`` at position ``position`` (0 at its smallest), computed as Python computes it."""
    return float(float(slider.base) ** (float(slider.min) + position * float(slider.step)))


def on_log_grid(slider: widgets.FloatLogSlider, value: float) -> float:
    """The position of ``slider`` that ``value`` (sent by the slider) stands for, computed as Python computes it.

    The browser computes base ** (min + n step) in JavaScript, which may differ from Python's in the last bit;
    mapping it back to the same float lets an explorer recognise a position it has already run.
    """
    return log_value(slider, log_position(slider, value))


def rate_text(value: float) -> str:
    """A learning rate in the value box: three significant digits, e.g. 1.00e-4, 0.0300 as 3.00e-2."""
    if not math.isfinite(value):
        return str(value)
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa}e{int(exponent)}"


class Explorer:
    """What every explorer has: ``panel`` to show, and ``status`` with its ``status_text``.

    A subclass builds its controls and figure, fills the panel with :meth:`_lay_out`, connects each control
    to its setter with :meth:`_connect` and reports with :meth:`_say`. When a setter has accepted a value
    given from code or typed, :meth:`_move_controls` shows it on the controls without running the setter again; a value
    that came from a slider is not sent back to that slider.
    """

    def __init__(self, panel_class: str) -> None:
        self.status = widgets.HTML()
        self.status.add_class(STATUS_CLASS)
        self.status_text = ""
        self.panel = ExplorerPanel()
        self.panel.add_class(panel_class)
        self._syncing = False
        self._moved: Any = None  # the control whose own change is being answered: nothing is sent back to it
        self._boxes: dict[int, tuple[widgets.Text, Callable[[float], str]]] = {}  # by slider: its box, how it writes
        self._described: list[tuple[widgets.Image, str]] = []
        self._idle_work: Callable[[], object] | None = None
        self._idle_handle: asyncio.TimerHandle | None = None

    def _lay_out(self, controls: Sequence[Any], *rows: Any) -> None:
        """Fill the panel: the controls side by side on top (wrapping into a compact block), then ``rows`` in order."""
        self.panel.children = (widgets.HBox(list(controls), layout=widgets.Layout(flex_flow="row wrap")), *rows)

    def _typed_control(
        self, slider: Any, setter: Callable[[Any], object], name: str, written: Callable[[float], str],
        current: Callable[[], float], *extras: Any,
    ) -> widgets.HBox:
        """``slider`` (its readout hidden) with a box for typing a value, and ``extras`` (a note) beside it.

        Moving the slider calls ``setter`` with the slider's value (a log slider's: see :func:`on_log_grid`).
        A value typed into the box (Enter, or leaving the box) is read here and handed to ``setter`` as it was
        typed, never clamped or snapped by the browser, so the explorer's own checks answer it; a value beyond
        the slider's span that the setter accepts is run as typed, and the status line says so. ``current()``
        is the value the explorer is using, shown in the box.
        """
        slider.readout = False
        box = widgets.Text(value=written(current()), continuous_update=False, layout=widgets.Layout(width="88px"))
        box.add_class(VALUE_BOX_CLASS)
        self._boxes[id(slider)] = (box, written)

        def slid(value: float) -> object:
            if slider_position(slider, value) == slider_position(slider, current()):
                # The handle stands where the value in use is shown (a typed 0.03 at its nearest position, which the
                # browser may send back after snapping to it): nothing moved, so nothing is run.
                return None
            # A log slider's value is taken as the position it stands for, so a position run before is recognised.
            return setter(on_log_grid(slider, value) if isinstance(slider, widgets.FloatLogSlider) else value)

        def typed_in(change: dict[str, Any]) -> None:
            if self._syncing:
                return
            number, problem = read_typed(change["new"], name)
            if problem:
                self._say(f"{problem} Nothing was run.")
            else:
                said = setter(number)
                low, high = slider_span(slider)
                if current() == number and not low <= number <= high:
                    edge = f"smallest is {written(low)}" if number < low else f"largest is {written(high)}"
                    self._say(f"{written(number)} was run as typed (the slider's {edge}). {said}")
            # The box shows the value in use: the typed one if it was taken, the previous one if it was refused.
            self._move_controls((box, written(current())))

        self._connect(slider, slid)
        box.observe(typed_in, names="value")
        return widgets.HBox([slider, box, *extras], layout=widgets.Layout(align_items="center", margin="0 12px 0 0"))

    def _connect(self, control: Any, setter: Callable[[Any], object]) -> None:
        """Call ``setter(new value)`` whenever the student changes ``control``."""

        def changed(change: dict[str, Any]) -> None:
            if not self._syncing:
                self._moved = control
                try:
                    setter(change["new"])
                finally:
                    self._moved = None

        control.observe(changed, names="value")

    def _move_controls(self, *settings: tuple[Any, object]) -> None:
        """Set each ``(control, value)`` from code (a slider clamps the value to its range), without calling setters.

        A slider with a typed-value box shows ``value`` in its box too, unclamped. The control whose change is being
        answered keeps the value it sent: writing it back would send the browser its own value again.
        """
        self._syncing = True
        try:
            for control, value in settings:
                if control is not self._moved:
                    control.value = value
                if id(control) in self._boxes and isinstance(value, int | float):
                    box, written = self._boxes[id(control)]
                    box.value = written(value)
        finally:
            self._syncing = False

    def _say(self, text: str, markup: str | None = None) -> str:
        """Show ``text`` in the status line (or ``markup``, its HTML form, when given) and return ``text``.

        Each figure's accessible description (its tooltip) becomes its summary followed by ``text``.
        """
        self.status_text = text
        self.status.value = STATUS_MARKUP.format(markup if markup is not None else html.escape(text))
        for image, summary in self._described:
            image.tooltip = f"{summary} {text}"
        return text

    def _figure_widget(self, live: LiveFigure, summary: str) -> Any:
        """The widget that shows ``live``, with the CSS class ``explorer-figure`` and an accessible description.

        ``summary`` says what the figure shows; the description is it followed by the status line, and is kept up
        to date by :meth:`_say`. ipywidgets' Image has no alt text; its ``tooltip`` becomes the image's ``title``,
        which is what screen readers read for an image without alt (and a mouse shows on hover); see
        :class:`helpers.live_figure.DescribedImage`.
        """
        live.widget.add_class(FIGURE_CLASS)
        if all(image is not live.widget for image, _ in self._described):
            self._described.append((live.widget, summary))
            live.widget.tooltip = f"{summary} {self.status_text}".strip()
        return live.widget

    def _when_idle(self, work: Callable[[], object] | None) -> None:
        """Do ``work`` once the kernel has nothing else to do, instead of any work still waiting (None: nothing).

        In a kernel it runs on the event loop after the messages already on their way (the next key press). Outside
        a running event loop (a script, a test) it waits for :meth:`run_idle_work`.
        """
        if self._idle_handle is not None:
            self._idle_handle.cancel()
        self._idle_work, self._idle_handle = work, None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop runs here: run_idle_work() does the work when asked
            return
        if work is not None:
            self._idle_handle = loop.call_later(IDLE_DELAY, self.run_idle_work)

    def run_idle_work(self) -> bool:
        """Do the idle work waiting now (what the kernel does between messages); return whether there was any."""
        work, self._idle_work, self._idle_handle = self._idle_work, None, None
        if work is not None:
            work()
        return work is not None


class TrainExplorer(Explorer):
    """An explorer that re-runs the notebook's ``train`` on a :class:`helpers.line_fit.LineFit` when a setting changes.

    A subclass names its settings' controls with :meth:`_setting` (the learning rate's with :meth:`_rate_control`),
    then calls :meth:`_start`. A setter hands what it read to :meth:`_rerun_with`; :meth:`_refresh` then asks the
    subclass for the runs (``_runs``), the figure to show them (``_figure_for``) and their description
    (``_describe``), draws, moves every setting's control to the value in use, and says what happened. A ``train``
    that raises, or returns what cannot be drawn (:class:`helpers.line_fit.ResultError`), is answered in words.
    Each setter returns the status text and never raises; ``last_timings`` holds the seconds the last update
    spent getting its runs from ``train`` (next to none when they were remembered) and drawing them.
    """

    learning_rate: float
    figure_summary = ""  # what the figure shows, for its accessible description
    rate_hint = ""  # a learning rate to try, said after a refused one

    def __init__(self, panel_class: str, train: object, call: str, **fits: object) -> None:
        """Raise a TypeError unless ``train`` is the notebook's function, called as ``call``, and each of ``fits`` a LineFit."""
        if not callable(train):
            raise TypeError(f"train must be the notebook's function {call}; got {train!r}.")
        for name, fit in fits.items():
            if not isinstance(fit, LineFit):
                raise TypeError(f"{name} must be a LineFit(x, y, w_star, b_star, stability_limit); got {fit!r}.")
        super().__init__(panel_class)
        self._train: Callable[..., Any] = train
        self.train_call = call.split("(")[0]
        self._settings: list[tuple[Any, str]] = []  # (control, attribute): moved to the value in use after each run
        self._figure_box = widgets.Box()
        self.figure: Any = None  # the figure shown now
        self.last_timings: dict[str, float] = {}

    def _setting(self, name: str, slider: Any, label: str, written: Callable[[float], str], *extras: Any) -> widgets.HBox:
        """The typed control (see :meth:`_typed_control`) of the attribute ``name``, set by the method ``set_<name>``."""
        self._settings.append((slider, name))
        return self._typed_control(slider, getattr(self, f"set_{name}"), label, written, lambda: getattr(self, name), *extras)

    def _whole_setting(self, name: str, highest: int, label: str, box_name: str) -> tuple[widgets.IntSlider, widgets.HBox]:
        """A slider over the whole numbers from 1 to ``highest`` for the attribute ``name``, and its typed control."""
        slider = widgets.IntSlider(
            value=getattr(self, name), min=1, max=highest, description=label, style=WIDE_LABEL,
            layout=widgets.Layout(width="300px"),
        )
        return slider, self._setting(name, slider, box_name, "{:.0f}".format)

    def _rate_control(self, log10_span: tuple[float, float], width: str, *extras: Any) -> widgets.HBox:
        """The learning-rate slider, over powers of ten in steps of ``LOG10_STEP``, with its box and ``extras``."""
        self.learning_rate_slider = widgets.FloatLogSlider(
            value=self.learning_rate, base=10, min=log10_span[0], max=log10_span[1], step=LOG10_STEP,
            description=LEARNING_RATE_LABEL, style=WIDE_LABEL, layout=widgets.Layout(width=width),
        )
        return self._setting("learning_rate", self.learning_rate_slider, LEARNING_RATE_LABEL, rate_text, *extras)

    def _start(self, controls: Sequence[Any]) -> None:
        """Lay out ``controls``, the status line and the figure, and run the first settings."""
        self._lay_out(controls, self.status, self._figure_box)
        self._refresh()

    def set_learning_rate(self, value: object) -> str:
        """Re-run at learning rate ``value``; a non-positive or non-numeric value is answered in words."""
        return self._rerun_with("learning_rate", read_number(value, LEARNING_RATE_LABEL), self.rate_hint)

    def _rerun_with(self, name: str, reading: tuple[object, str | None], hint: str) -> str:
        """Store the setting ``name`` and re-run, or say "<problem> Nothing was run. Try <hint>." and change nothing.

        ``reading`` is what a ``read_*`` function of :mod:`helpers.inputs` returned: (value, problem or None).
        """
        value, problem = reading
        if problem:
            return self._say(f"{problem} Nothing was run. Try {hint}.")
        setattr(self, name, value)
        return self._refresh()

    def _refresh(self) -> str:
        """Run (or recall) ``train`` for the current settings, redraw, move the controls to match, and say what happened."""
        call = self.train_call
        start = time.perf_counter()
        try:
            runs = self._runs()
        except ResultError as error:
            return self._say(f"{error} Fix {call} and run its cell again.")
        except Exception as error:  # a student's edited train() must not put a traceback in the explorer
            return self._say(f"{call}(...) raised {type(error).__name__}: {error}. Fix {call} and run its cell again.")
        trained = time.perf_counter()
        self.figure = self._figure_for(*runs)
        if self._figure_box.children != (self.figure.live.widget,):
            self._figure_box.children = (self._figure_widget(self.figure.live, self.figure_summary),)
        self.figure.show(*runs)
        self.last_timings = {"train": trained - start, "draw": time.perf_counter() - trained}
        # A value set from code moves its control too (a slider clamps it to its range), without a second run.
        self._move_controls(*((control, getattr(self, name)) for control, name in self._settings))
        return self._say(self._describe(*runs))

    def _runs(self) -> tuple[Any, ...]:
        """The runs to draw for the current settings; raises what ``train`` raised, or a ResultError."""
        raise NotImplementedError

    def _figure_for(self, *runs: Any) -> Any:
        """The figure that shows ``runs`` (made on first use): it has ``live``, a LiveFigure, and ``show(*runs)``."""
        raise NotImplementedError

    def _describe(self, *runs: Any) -> str:
        """The status line for ``runs``: what they did, in words."""
        raise NotImplementedError

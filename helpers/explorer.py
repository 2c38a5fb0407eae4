"""The skeleton every slider explorer builds on: controls, a live figure and a status line in one panel.

A notebook shows ``explorer.panel``. Moving a control calls one of the explorer's setters, which redraws
the figure and says in the status line (CSS class ``explorer-status``) what happened, in words, never
with a traceback. Code and tests call the same setters and get that text back. This module holds what
every explorer shares:

* :class:`ExplorerPanel`: the box shown; its plain-text form is the hint to run the cell, which is what a
  notebook opened but not run shows;
* :class:`Explorer`: the base class, with the status line and its text, ``last_timings``, the wiring
  from controls to setters, moving a control from code without running its setter twice, typed values
  (:meth:`Explorer._typed_control`: a slider without its own readout beside a box the kernel reads, so a
  typed value is answered by the explorer's own checks, in words), the figure's accessible description
  (its ``tooltip``, which JupyterLab renders as the image's ``title``: the status line, kept up to date),
  and work done while the kernel is idle (:meth:`Explorer._when_idle`);
* :class:`Stopwatch`: the seconds each part of an update took;
* :func:`check_train`: the TypeError for an explorer given something other than the notebook's ``train``;
* :func:`require`: the one-line answer, instead of a NameError, when an explorer cell runs before the cells
  that define what it needs (after a kernel restart).

The figure itself is a :class:`helpers.live_figure.LiveFigure`, which only draws fast.
"""

from __future__ import annotations

import asyncio
import html
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from helpers.front_end import run_above
from helpers.inputs import read_typed
from helpers.live_figure import LiveFigure

RUN_HINT = "Interactive explorer: run this cell (Shift+Enter) after the cells above; it needs a running kernel."
STATUS_CLASS = "explorer-status"
FIGURE_CLASS = "explorer-figure"
VALUE_BOX_CLASS = "explorer-value"
NOTE_CLASS = "explorer-note"
RUN_ABOVE = "Run › Run All Above Selected Cell"
MISSING_SHOWN = 3  # names a missing-cells message lists before "and N more"
# Single spacing: the HTML widget's own line height is a control's height (28 px), which double-spaces prose.
STATUS_MARKUP = '<div style="line-height: 1.35; margin: 2px 0">{}</div>'
# Seconds the kernel waits before idle work, so that a message already on its way (the next key press) goes first.
IDLE_DELAY = 0.01


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


class Stopwatch:
    """Seconds spent in each named part of one update, for an explorer's ``last_timings``."""

    def __init__(self) -> None:
        self._last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        """Record the time since the start or the previous lap as ``name``."""
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


def check_train(train: object, call: str) -> None:
    """Raise a TypeError unless ``train`` can be called: the notebook's function, called as ``call``."""
    if not callable(train):
        raise TypeError(f"train must be the notebook's function {call}; got {train!r}.")


@dataclass
class TypedValue:
    """A slider shown without its own readout, and the text box beside it that the kernel reads.

    ``name`` is what the value is called in messages ("learning rate"), ``written`` formats a value for the box,
    and ``current`` reads the value the explorer is using now.
    """

    slider: Any
    box: widgets.Text
    name: str
    written: Callable[[float], str]
    current: Callable[[], float]

    def position(self, value: float) -> int:
        """The index of the slider position nearest to ``value`` (0 at its smallest), clamped to the slider."""
        if isinstance(self.slider, widgets.FloatLogSlider):
            return log_position(self.slider, value)
        low, high, step = float(self.slider.min), float(self.slider.max), float(self.slider.step)
        return round((min(max(value, low), high) - low) / step)

    def slider_span(self) -> tuple[float, float]:
        """The smallest and largest values the slider can show."""
        low, high = float(self.slider.min), float(self.slider.max)
        if isinstance(self.slider, widgets.FloatLogSlider):
            return float(self.slider.base) ** low, float(self.slider.base) ** high
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
    """What every explorer has: ``panel`` to show, ``status`` and its ``status_text``, and ``last_timings``.

    A subclass builds its controls and figure, fills the panel with :meth:`_lay_out`, connects each control
    to its setter with :meth:`_connect` and reports with :meth:`_say`. A setter that re-runs on a new value
    hands what it read to :meth:`_rerun_with`, which calls the subclass's :meth:`_refresh`. When a setter has accepted a value
    given from code, :meth:`_move_controls` shows it on the controls without running the setter again.
    ``last_timings`` holds the seconds the last update spent in each part (see :class:`Stopwatch`).
    """

    def __init__(self, panel_class: str) -> None:
        self.status = widgets.HTML()
        self.status.add_class(STATUS_CLASS)
        self.status_text = ""
        self.last_timings: dict[str, float] = {}
        self.panel = ExplorerPanel()
        self.panel.add_class(panel_class)
        self._syncing = False
        self._typed: dict[int, TypedValue] = {}
        self._described: list[tuple[widgets.Image, str]] = []
        self._idle_work: list[Callable[[], object]] = []
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
        typed = self._typed[id(slider)] = TypedValue(slider, box, name, written, current)

        def slid(value: float) -> object:
            if typed.position(value) == typed.position(current()):
                # The browser snaps a value set from code (a typed 0.03) to the nearest position and sends that
                # back; the handle already shows the value in use, so nothing moved and nothing is run.
                return None
            # A log slider's value is taken as the position it stands for, so a position run ahead is recognised.
            return setter(on_log_grid(slider, value) if isinstance(slider, widgets.FloatLogSlider) else value)

        self._connect(slider, slid)

        def typed_in(change: dict[str, Any]) -> None:
            if not self._syncing:
                self._answer_typed(typed, setter, change["new"])

        box.observe(typed_in, names="value")
        return widgets.HBox([slider, box, *extras], layout=widgets.Layout(align_items="center", margin="0 12px 0 0"))

    def _answer_typed(self, typed: TypedValue, setter: Callable[[Any], object], text: str) -> str:
        """Read ``text`` typed into ``typed.box``, hand it to ``setter``, and say in words what became of it."""
        number, problem = read_typed(text, typed.name)
        if problem:
            said = self._say(f"{problem} Nothing was run.")
        else:
            said = str(setter(number))
            low, high = typed.slider_span()
            if typed.current() == number and not low <= number <= high:
                edge = f"smallest is {typed.written(low)}" if number < low else f"largest is {typed.written(high)}"
                said = self._say(f"{typed.written(number)} was run as typed (the slider's {edge}). {said}")
        # The box shows the value in use: the typed one if it was taken, the previous one if it was refused.
        self._move_controls((typed.box, typed.written(typed.current())))
        return said

    def _connect(self, control: Any, setter: Callable[[Any], object]) -> None:
        """Call ``setter(new value)`` whenever the student changes ``control``."""

        def changed(change: dict[str, Any]) -> None:
            if not self._syncing:
                setter(change["new"])

        control.observe(changed, names="value")

    def _move_controls(self, *settings: tuple[Any, object]) -> None:
        """Set each ``(control, value)`` from code (a slider clamps the value to its range), without calling setters.

        A slider with a typed-value box shows ``value`` in its box too, unclamped.
        """
        self._syncing = True
        try:
            for control, value in settings:
                control.value = value
                typed = self._typed.get(id(control))
                if typed is not None and isinstance(value, int | float):
                    typed.box.value = typed.written(value)
        finally:
            self._syncing = False

    def _refresh(self) -> str:
        """Redraw for the current settings and return the status text (each explorer that re-runs defines it)."""
        raise NotImplementedError(f"{type(self).__name__} does not re-run on a new setting.")

    def _rerun_with(self, name: str, reading: tuple[object, str | None], hint: str) -> str:
        """Store a setter's new value of the setting ``name`` and re-run, or say what is wrong with it and change nothing.

        ``reading`` is what a ``read_*`` function of :mod:`helpers.inputs` returned, (value, problem). With no
        problem the value becomes the attribute ``name`` and :meth:`_refresh` answers; otherwise the status line
        says the problem, then "Nothing was run. Try <hint>.".
        """
        value, problem = reading
        if problem:
            return self._say(f"{problem} Nothing was run. Try {hint}.")
        setattr(self, name, value)
        return self._refresh()

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

    def _when_idle(self, work: Iterable[Callable[[], object]]) -> None:
        """Do ``work``, one piece per turn, while the kernel has nothing else to do; replaces any work still queued.

        In a kernel, each piece runs on its event loop between messages, so a key press waits at most for the
        piece under way. Outside a running event loop (a script, a test) nothing runs until :meth:`run_idle_work`.
        """
        self._idle_work = list(work)
        if self._idle_handle is not None or not self._idle_work:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop runs here: run_idle_work() does the work when asked
            return
        self._idle_handle = loop.call_later(IDLE_DELAY, self._idle_turn, loop)

    def _idle_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        """Do one piece of idle work, and come back for the next one on a later turn of ``loop``."""
        self._idle_handle = None
        if self._idle_work:
            self._idle_work.pop(0)()
        if self._idle_work:
            self._idle_handle = loop.call_later(IDLE_DELAY, self._idle_turn, loop)

    def run_idle_work(self) -> int:
        """Do all the idle work queued now (what the kernel would do between messages); return how many pieces ran."""
        done = 0
        while self._idle_work:
            self._idle_work.pop(0)()
            done += 1
        return done

"""The skeleton every slider explorer builds on: controls, a live figure and a status line in one panel.

A notebook shows ``explorer.panel``. Moving a control calls one of the explorer's setters, which redraws
the figure and says in the status line (CSS class ``explorer-status``) what happened, in words, never
with a traceback. Code and tests call the same setters and get that text back. This module holds what
every explorer shares:

* :class:`ExplorerPanel`: the box shown; its plain-text form is the hint to run the cell, which is what a
  notebook opened but not run shows;
* :class:`Explorer`: the base class, with the status line and its text, ``last_timings``, the wiring
  from controls to setters, and moving a control from code without running its setter twice;
* :class:`Stopwatch`: the seconds each part of an update took;
* :func:`check_train`: the TypeError for an explorer given something other than the notebook's ``train``.

The figure itself is a :class:`helpers.live_figure.LiveFigure`, which only draws fast.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from helpers.live_figure import LiveFigure

RUN_HINT = "Interactive explorer: run this cell (Shift+Enter) to get its sliders; they need a running kernel."
STATUS_CLASS = "explorer-status"
FIGURE_CLASS = "explorer-figure"


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

    def _lay_out(self, controls: Sequence[Any], *rows: Any) -> None:
        """Fill the panel: the controls side by side on top, then ``rows`` (figure, status) in the order given."""
        self.panel.children = (widgets.HBox(list(controls)), *rows)

    def _connect(self, control: Any, setter: Callable[[Any], object]) -> None:
        """Call ``setter(new value)`` whenever the student changes ``control``."""

        def changed(change: dict[str, Any]) -> None:
            if not self._syncing:
                setter(change["new"])

        control.observe(changed, names="value")

    def _move_controls(self, *settings: tuple[Any, object]) -> None:
        """Set each ``(control, value)`` from code (a slider clamps the value to its range), without calling setters."""
        self._syncing = True
        try:
            for control, value in settings:
                control.value = value
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
        """Show ``text`` in the status line (or ``markup``, its HTML form, when given) and return ``text``."""
        self.status_text = text
        self.status.value = markup if markup is not None else html.escape(text)
        return text

    @staticmethod
    def _figure_widget(live: LiveFigure) -> Any:
        """The widget that shows ``live``, marked with the CSS class ``explorer-figure`` for the browser tests."""
        live.widget.add_class(FIGURE_CLASS)
        return live.widget

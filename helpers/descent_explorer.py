"""The gradient-descent explorer of notebook 06: learning-rate and iteration sliders driving three live pictures.

The explorer trains nothing and solves nothing itself. It calls the notebook's own
``train(x, y, learning_rate, iterations)``, which returns ``(ws, bs, losses, diverged_at)``: the path of
(w, b) (the start first), the loss at each step, and the step at which the loop gave up because the loss
blew up (``None`` if it did not). What the notebook computed about each input, the least-squares answer
and the stability limit 2/λ_max, comes in as a :class:`Bowl`::

    raw = Bowl(x, y, w_star, b_star, lr_limit)
    explorer = DescentExplorer(train, raw, standardised=Bowl(x_standardised, y, ...))
    explorer.panel

A new learning rate (or input) runs the loop once, from its seeded start, for the largest number of
iterations; since the first k steps do not depend on how many follow, that one run serves every iteration
count (:func:`helpers.descent_runs.first_steps`), so the iterations slider only redraws. Runs are remembered
by (input, learning rate), and while the kernel is idle the explorer runs the learning rates one and two
slider positions either side of the current one, so the next key press or short drag finds its run ready.
The figure (:class:`helpers.descent_figure.DescentFigure`, one per input, drawn once) is redrawn and the
status line says what happened in words (:func:`helpers.descent_runs.describe_run`), including divergence
and invalid input. The panel, status line, typed values and wiring are :class:`helpers.explorer.Explorer`'s.
"""

from __future__ import annotations

import math
import sys
from collections import OrderedDict
from functools import partial

import ipywidgets as widgets

from helpers.descent_figure import DescentFigure
from helpers.descent_runs import Bowl, TrainFunction, TrainResult, clean_run, describe_run, first_steps
from helpers.explorer import (
    NOTE_CLASS,
    Explorer,
    Stopwatch,
    check_train,
    log_position,
    log_value,
    rate_text,
)
from helpers.inputs import checked, read_number, read_whole_number

__all__ = ["Bowl", "DescentExplorer"]

PANEL_CLASS = "descent-explorer"
LEARNING_RATE_LABEL = "learning rate"
ITERATIONS_LABEL = "iterations"
STANDARDISED_LABEL = "standardised x"
DEFAULT_LEARNING_RATE = 1e-4
DEFAULT_ITERATIONS = 500
MAX_ITERATIONS = 500
# From far below raw x's stability limit (1.3e-3) to past standardised x's (0.059): 5 decades, so that a
# 440 px slider gives each decade about 70 px. Typed values outside the span still run.
LOG10_LEARNING_RATES = (-6.0, -1.0)
LOG10_STEP = 0.05
CACHE_SIZE = 256  # runs remembered, by (input, learning rate)
FIGURE_SUMMARY = (
    "Three panels: the data with the current line; the loss at each iteration (log scale) with the least-squares "
    "loss dashed; the path of (w, b) over the contours of the sum of squared errors, from the start to the end."
)


def _written(value: float) -> str:
    """A round number as a person writes it: 1e-4, 1e-8, 10."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{value:g}" if 0 <= int(exponent) <= 3 else f"{mantissa}e{int(exponent)}"


LEARNING_RATE_HINT = (
    f"a value such as {_written(DEFAULT_LEARNING_RATE)} (the slider spans "
    f"{_written(10 ** LOG10_LEARNING_RATES[0])} to {_written(10 ** LOG10_LEARNING_RATES[1])})"
)


class DescentExplorer(Explorer):
    """Sliders for the learning rate and iterations, a standardised-x toggle, a status line and the live figure.

    ``train`` is the notebook's loop; ``raw`` is the data with its least-squares answer and stability limit,
    and ``standardised``, if given, the same for standardised x (it adds the toggle). The sliders begin at
    ``learning_rate`` and ``iterations``; the iterations slider goes up to ``max_iterations``. A value that
    cannot be used raises a ValueError that says what to pass instead.

    Show ``explorer.panel``. Drive it from code (and tests) with :meth:`set_learning_rate`,
    :meth:`set_iterations` and :meth:`set_standardised`; each returns the status text and never raises.
    ``last_run`` is what ``train`` returns for the current settings (read off the longest run), and
    ``last_timings`` holds the seconds the last update spent in ``train`` (zero when remembered) and drawing.
    """

    def __init__(
        self,
        train: TrainFunction,
        raw: Bowl,
        *,
        standardised: Bowl | None = None,
        learning_rate: float = DEFAULT_LEARNING_RATE,
        iterations: int = DEFAULT_ITERATIONS,
        max_iterations: int = MAX_ITERATIONS,
    ) -> None:
        check_train(train, "train(x, y, learning_rate, iterations)")
        for name, bowl, optional in (("raw", raw, False), ("standardised", standardised, True)):
            if not (isinstance(bowl, Bowl) or (optional and bowl is None)):
                raise TypeError(f"{name} must be a Bowl(x, y, w_star, b_star, stability_limit); got {bowl!r}.")
        largest = read_whole_number(max_iterations, "largest number of iterations", sys.maxsize)
        self._max_iterations = checked(largest, str(MAX_ITERATIONS))
        self._iterations_hint = f"a whole number from 1 to {self._max_iterations}"
        self.learning_rate = checked(read_number(learning_rate, "learning rate"), LEARNING_RATE_HINT)
        given_iterations = read_whole_number(iterations, "number of iterations", self._max_iterations)
        self.iterations = checked(given_iterations, self._iterations_hint)
        self.standardised = False
        super().__init__(PANEL_CLASS)
        self._train = train
        self._bowls = {False: raw, True: standardised}
        self._figures: dict[bool, DescentFigure] = {}
        self._runs: OrderedDict[tuple[bool, float], TrainResult] = OrderedDict()
        self._position: int | None = None  # the learning-rate slider position of the last update
        self.last_run: TrainResult | None = None  # what train returns for the current settings, as shown

        wide = {"description_width": "initial"}
        low, high = LOG10_LEARNING_RATES
        self.learning_rate_slider = widgets.FloatLogSlider(
            value=self.learning_rate, base=10, min=low, max=high, step=LOG10_STEP, description=LEARNING_RATE_LABEL,
            style=wide, layout=widgets.Layout(width="440px"),
        )
        self.iterations_slider = widgets.IntSlider(
            value=self.iterations, min=1, max=self._max_iterations, description=ITERATIONS_LABEL, style=wide,
            layout=widgets.Layout(width="300px"),
        )
        self.limit_note = widgets.HTML()
        self.limit_note.add_class(NOTE_CLASS)
        controls = [
            self._typed_control(
                self.learning_rate_slider, self.set_learning_rate, LEARNING_RATE_LABEL, rate_text,
                lambda: self.learning_rate, self.limit_note,
            ),
            self._typed_control(
                self.iterations_slider, self.set_iterations, "number of iterations", lambda value: f"{value:.0f}",
                lambda: self.iterations,
            ),
        ]
        self.standardised_toggle: widgets.Checkbox | None = None
        if standardised is not None:
            self.standardised_toggle = widgets.Checkbox(value=False, description=STANDARDISED_LABEL, indent=False)
            self._connect(self.standardised_toggle, self.set_standardised)
            controls.append(self.standardised_toggle)
        self._figure_box = widgets.Box()
        self._lay_out(controls, self.status, self._figure_box)
        self._refresh()

    def set_learning_rate(self, value: object) -> str:
        """Re-run the loop at learning rate ``value``; a non-positive or non-numeric value is answered in words."""
        return self._rerun_with("learning_rate", read_number(value, "learning rate"), LEARNING_RATE_HINT)

    def set_iterations(self, value: object) -> str:
        """Re-run the loop for ``value`` iterations (a whole number from 1 to the slider's maximum)."""
        reading = read_whole_number(value, "number of iterations", self._max_iterations)
        return self._rerun_with("iterations", reading, self._iterations_hint)

    def set_standardised(self, on: object) -> str:
        """Switch between raw x and standardised x (only if the explorer was given ``standardised``)."""
        if on and self._bowls[True] is None:
            return self._say("This explorer has no standardised x: pass standardised=Bowl(...) to DescentExplorer.")
        self.standardised = bool(on)
        return self._refresh()

    def full_run(self, standardised: bool, learning_rate: float) -> TrainResult:
        """What ``train`` returns for the largest number of iterations on this input at this rate, run once."""
        key = (standardised, learning_rate)
        if key in self._runs:
            self._runs.move_to_end(key)
            return self._runs[key]
        bowl = self._bowls[standardised]
        assert bowl is not None  # set_standardised(True) is refused without a standardised bowl
        result = self._train(bowl.x, bowl.y, learning_rate, self._max_iterations)
        if not isinstance(result, tuple | list) or len(result) != 4:
            raise TypeError(f"train should return (ws, bs, losses, diverged_at); it returned {type(result).__name__}")
        ws, bs, losses, diverged_at = result
        self._runs[key] = (list(ws), list(bs), list(losses), diverged_at)
        if len(self._runs) > CACHE_SIZE:
            self._runs.popitem(last=False)
        return self._runs[key]

    def _prepare_ahead(self) -> None:
        """While idle, run the slider position the learning rate is heading for (after a jump, both neighbours).

        One position ahead, no more: on a classroom server every run ahead costs CPU that other students' updates
        wait for (benchmarks/classroom.py measures it).
        """
        slider = self.learning_rate_slider
        here, last = log_position(slider, self.learning_rate), log_position(slider, math.inf)
        previous, self._position = self._position, here
        # After one step the learner is heading on that way; after a jump (or typing) either way is as likely.
        heading = (here - previous,) if previous is not None and abs(here - previous) == 1 else (1, -1)
        work = [log_value(slider, here + step) for step in heading if 0 <= here + step <= last]
        key = self.standardised
        self._when_idle([partial(self._prepare, key, rate) for rate in work if (key, rate) not in self._runs])

    def _prepare(self, standardised: bool, learning_rate: float) -> None:
        """Run one rate ahead of time; a failure is left for the update that needs it, which says it in words."""
        try:
            self.full_run(standardised, learning_rate)
        except Exception:  # a student's broken train(): the status line reports it when that rate is chosen
            self._idle_work.clear()

    def _refresh(self) -> str:
        """Run (or recall) ``train`` for the current settings, redraw, move the controls to match, and say what happened."""
        bowl = self._bowls[self.standardised]
        assert bowl is not None  # set_standardised(True) is refused without a standardised bowl
        stopwatch = Stopwatch()
        try:
            result = self.full_run(self.standardised, self.learning_rate)
        except Exception as error:  # a student's edited train() must not put a traceback in the explorer
            return self._say(f"train(...) raised {type(error).__name__}: {error}. Fix train and run its cell again.")
        stopwatch.lap("train")
        try:
            self.last_run = first_steps(result, self.iterations)
            run = clean_run(self.last_run, self.learning_rate, self.iterations)
        except Exception as error:  # what a student's edited train() returned must not put a traceback here either
            return self._say(f"What train(...) returned cannot be drawn: {error} Fix train and run its cell again.")
        if not len(run.losses) or not len(run.ws):
            return self._say("train(...) returned no losses, so there is nothing to draw. It should record one per step.")
        figure = self._figures.get(self.standardised)
        if figure is None:
            label = STANDARDISED_LABEL if self.standardised else "x"
            figure = self._figures[self.standardised] = DescentFigure(bowl, run, label, self._max_iterations)
        if self._figure_box.children != (figure.live.widget,):
            self._figure_box.children = (self._figure_widget(figure.live, FIGURE_SUMMARY),)
        figure.show(run)
        stopwatch.lap("draw")
        self.last_timings = stopwatch.laps
        # A value set from code moves its control too (a slider clamps it to its range), without a second run.
        self._move_controls((self.learning_rate_slider, self.learning_rate), (self.iterations_slider, self.iterations))
        if self.standardised_toggle is not None:
            self._move_controls((self.standardised_toggle, self.standardised))
        self.limit_note.value = f"stability limit 2/λ<sub>max</sub> = {rate_text(bowl.stability_limit)}"
        self._prepare_ahead()
        return self._say(describe_run(run, bowl))


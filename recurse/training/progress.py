"""Training progress for people: a bar with ETA on a terminal, a short line every N seconds in a log, and
the closing summary (steps, time, held-out accuracy) with a warning when a recipe's documented result is
missed.

A bar redrawn with carriage returns is unreadable in a log file, and a run sent to a log would otherwise
show nothing for its whole length, so the output depends on whether stderr is a terminal.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import TextIO

from recurse.config import ExpectedResult


def format_duration(seconds: float) -> str:
    """``42s``, ``7m05s``, ``2h03m``: short enough for a progress line."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """Reports optimiser steps as they happen; ``advance`` once per step, ``note`` when metrics are known.

    On a terminal a tqdm bar shows steps, ETA and the latest metrics. Otherwise (output sent to a file or a
    pipe) one line is written every ``every_seconds``: step/total, loss, steps/s and ETA.
    """

    def __init__(
        self,
        *,
        total: int | None,
        initial: int = 0,
        enabled: bool = True,
        every_seconds: float = 30.0,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.step = initial
        self.enabled = enabled
        self.every_seconds = every_seconds
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.metrics: dict[str, float] = {}
        self._start_step = initial
        self._start = self._last_line = clock()
        self._bar = None
        if enabled and _is_terminal(self.stream):
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total, initial=initial, desc="training", unit="step", dynamic_ncols=True, file=self.stream
            )

    def note(self, **metrics: float) -> None:
        """Remember the latest training metrics (loss, exact accuracy, …) for the bar and the next line.

        A metric that is not a finite number yet (exact accuracy before any sample has halted) is left out
        rather than shown as ``nan``."""
        self.metrics.update({k: v for k, v in metrics.items() if math.isfinite(v)})
        if self._bar is not None:
            self._bar.set_postfix({k: f"{v:.4g}" for k, v in self.metrics.items()}, refresh=False)

    def advance(self, steps: int = 1) -> None:
        self.step += steps
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(steps)
            return
        now = self.clock()
        if now - self._last_line >= self.every_seconds:
            self._last_line = now
            self.stream.write(self.line(now) + "\n")
            self.stream.flush()

    def rate(self, now: float | None = None) -> float:
        """Steps per second since this object was made (evaluations included, as they are in the ETA)."""
        elapsed = (self.clock() if now is None else now) - self._start
        return (self.step - self._start_step) / elapsed if elapsed > 0 else 0.0

    def line(self, now: float | None = None) -> str:
        """``step 300/1321 (23%) · loss 0.412 · 2.21 steps/s · ETA 7m42s``."""
        rate = self.rate(now)
        parts = [
            f"step {self.step}/{self.total} ({100 * self.step / self.total:.0f}%)"
            if self.total
            else f"step {self.step}"
        ]
        if "loss" in self.metrics:
            parts.append(f"loss {self.metrics['loss']:.4g}")
        parts.append(f"{rate:.2f} steps/s")
        if self.total and rate > 0:
            parts.append(f"ETA {format_duration((self.total - self.step) / rate)}")
        return " · ".join(parts)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# How the headline metrics read in a sentence.
METRIC_NAMES = {"exact_accuracy": "exact accuracy", "valid_rate": "checker-valid"}


def summary_line(
    *, steps: int, seconds: float, metrics: dict[str, float], run_dir: str, headline: str = "exact_accuracy"
) -> str:
    """The one line a run ends with: what was trained, for how long, and how well it does on held-out data.
    ``headline`` is the metric the task is judged by (``valid_rate`` when a puzzle has several answers)."""
    value = metrics.get(headline)
    if value is None or "count" not in metrics:
        held_out = "no held-out evaluation"
    else:
        held_out = f"{METRIC_NAMES[headline]} {100 * value:.1f}%"
        if headline != "exact_accuracy" and "exact_accuracy" in metrics:
            held_out += f" (exact {100 * metrics['exact_accuracy']:.1f}%)"
        held_out += f" on {int(metrics['count'])} held-out puzzles"
    return f"trained {steps} steps in {format_duration(seconds)} · {held_out} · {run_dir}"


def shortfall_warning(
    expected: ExpectedResult | None, *, steps: int, metrics: dict[str, float], stopped_by_time: bool
) -> str | None:
    """A warning when the held-out figure the recipe documents (exact accuracy, or checker-valid for a task
    with several answers) ends far below it, else None."""
    if expected is None:
        return None
    value = metrics.get(expected.metric)
    if value is None or not expected.shortfall(value):
        return None
    name = METRIC_NAMES[expected.metric]
    documented = f"{100 * expected.figure:.1f}%"
    if expected.steps:
        documented += f" after {expected.steps} steps"
    reason = ""
    if expected.steps and steps < expected.steps:
        cause = "training.max_minutes ended it" if stopped_by_time else "it was shorter"
        reason = f"; this run made {steps} steps ({cause}), train for {expected.steps} to compare"
    return f"warning: {name} {100 * value:.1f}% is far below this recipe's documented {documented}{reason}"


def time_cap_warning(*, steps: int, max_steps: int | None, max_minutes: float | None, run_dir: str) -> str | None:
    """A warning when ``training.max_minutes`` ended a step-budgeted run before its ``max_steps``."""
    if max_steps is None or max_minutes is None or steps >= max_steps:
        return None
    return (
        f"warning: training.max_minutes={max_minutes:g} stopped the run at step {steps} of {max_steps}; "
        f"the result depends on this machine's speed (continue with: recurse train resume={run_dir} "
        f"training.max_minutes=null)"
    )

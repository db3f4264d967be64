"""A time limit for puzzle generators: a task whose constraints cannot be met, or are met too rarely to
be practical, fails within seconds with one line instead of searching for ever."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from recurse.errors import ConfigError

GENERATION_SECONDS = 10.0  # per puzzle; the built-in tasks at their usual sizes need well under a second


class GenerationGaveUp(ConfigError):
    """A generator could not make a puzzle that meets the task's parameters within its time limit."""


class Deadline:
    """``check()`` raises ``GenerationGaveUp`` (one line, with a hint) once ``seconds`` have passed."""

    def __init__(self, what: str, hint: str, seconds: float | None = None) -> None:
        self.what, self.hint = what, hint
        self.seconds = GENERATION_SECONDS if seconds is None else seconds
        self.end = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise GenerationGaveUp(f"gave up generating {self.what} after {self.seconds:g} s; {self.hint}")


STALL_SECONDS = 60.0  # a generator that returns no puzzle for this long is stopped (data.build.stall_seconds)


class GeneratorStalled(GenerationGaveUp):
    """A task's generator returned no puzzle within the stall limit (a plugin that loops or blocks for ever)."""


@contextmanager
def stall_limit(what: str, seconds: float | None = None) -> Iterator[None]:
    """Stop the code inside (a task's ``generate``) with ``GeneratorStalled`` after ``seconds`` without return.

    A plugin's generator is the user's code: it may loop for ever without ever checking a deadline, so the
    limit comes from outside, as a ``SIGALRM`` whose handler raises in the main thread (between two
    bytecodes, or out of a blocking sleep). Elsewhere than the main thread of a POSIX process the code runs
    without a limit.
    """
    seconds = STALL_SECONDS if seconds is None else seconds
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def stalled(signum, frame):
        raise GeneratorStalled(
            f"{what} returned no puzzle in {seconds:g} s and was stopped; fix its generate() (it may loop for "
            "ever), or raise data.build.stall_seconds if one puzzle really takes that long"
        )

    previous = signal.signal(signal.SIGALRM, stalled)
    remaining, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if remaining:  # an outer timer was running: give it back what it had left
            signal.setitimer(signal.ITIMER_REAL, remaining)

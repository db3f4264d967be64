"""A time limit for puzzle generators: a task whose constraints cannot be met, or are met too rarely to
be practical, fails within seconds with one line instead of searching for ever."""

from __future__ import annotations

import time

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

"""Stopping a training run cleanly on Ctrl-C or SIGTERM: finish the current step, save, say how to resume."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from recurse.errors import RecurseError


class TrainingInterrupted(RecurseError):
    """Training stopped on request after saving a checkpoint; the message says how to continue."""


class StopRequest:
    """Turns SIGINT and SIGTERM into a flag the training loop reads between steps.

    A second Ctrl-C stops at once (the default behaviour), for a user who does not want to wait for the
    step and the save. Handlers can only be installed from the main thread; elsewhere, and when
    ``enabled`` is false, signals keep their default behaviour and ``requested`` stays false.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, *, enabled: bool = True) -> None:
        self.requested = False
        self._previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}
        if enabled and threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                if signal.getsignal(signum) is signal.SIG_IGN:
                    continue  # ignored on purpose, e.g. SIGINT in a job a shell started in the background
                self._previous[signum] = signal.signal(signum, self._handle)

    def _handle(self, signum, frame) -> None:
        if self.requested:
            self.release()
            raise KeyboardInterrupt
        self.requested = True

    def release(self) -> None:
        """Restore the handlers that were there before."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

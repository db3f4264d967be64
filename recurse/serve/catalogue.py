"""The models a page offers: the bundled solvers, folders named on the command line, and any Hub repo id a
person types; each is loaded once and kept."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from recurse.errors import CheckpointError
from recurse.hub.zoo import bundled_models, bundled_names
from recurse.solver import Solver

PREFERRED_FIRST = "sudoku-6x6"  # the README's example model, shown first when nothing else is named


class Catalogue:
    """Model names for the picker, and their solvers, loaded on first use (a lock: page events run in threads)."""

    def __init__(self, extra: Sequence[str] = (), *, device: str = "auto") -> None:
        self.device = device
        bundled = bundled_names()
        self.names = [*dict.fromkeys([*extra, *bundled])]
        self.default = extra[0] if extra else (PREFERRED_FIRST if PREFERRED_FIRST in bundled else None)
        if self.default is None and self.names:
            self.default = self.names[0]
        self._solvers: dict[str, Solver] = {}
        self._lock = threading.Lock()

    def load(self, name: object) -> Solver:
        """The solver for ``name``; raises a one-line ``RecurseError`` for a model that cannot be loaded."""
        if not isinstance(name, str) or not name.strip():
            raise CheckpointError("choose a model: a bundled one, a run or checkpoint folder, or a Hub repo id")
        name = name.strip()
        with self._lock:
            if name not in self._solvers:
                self._solvers[name] = Solver.from_pretrained(name, device=self.device)
            return self._solvers[name]

    def describe(self, name: str, solver: Solver) -> str:
        """One line about a model: its task, and its measured accuracy when it is a bundled one."""
        line = f"{name}: {solver.task.describe()}, up to {solver.halting.max_steps} supervision steps"
        document = bundled_models().get(name) if name in bundled_names() else None
        info = document.bundled if document is not None else None
        if info is not None and info.accuracy is not None:
            line += f"; {info.accuracy:.1%} exact on {info.eval_set}"
        return line

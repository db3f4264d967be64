"""Which registered tasks a Python file defines, for ``pytest --task-file FILE``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from recurse.errors import RecurseError
from recurse.plugins import load_plugin_file
from recurse.tasks import TASKS


def _module_of(path: Path) -> str | None:
    """The name of the already-imported module loaded from ``path`` (a task shipped with recurse)."""
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if origin and Path(origin).resolve() == path:
            return name
    return None


def tasks_in_file(file: str | Path) -> list[str]:
    """Import ``file`` as a plugin (unless it is already imported) and return the names of the tasks its
    module registered; a file that registers none is an error, so a typo cannot pass as a green run."""
    path = Path(file).resolve()
    if _module_of(path) is None:
        load_plugin_file(path)
    module = _module_of(path)
    names = [name for name in TASKS.names() if TASKS.get(name).__module__ == module]
    if not names:
        raise RecurseError(f"{file} registers no task (decorate a Task subclass with @TASKS.register)")
    return names


def latin_square_plugin(kind: str, methods: str) -> str:
    """The source of a plugin file that registers a 3×3 Latin-square task ``kind`` with ``methods`` (the
    indented text of methods that override or complete it): a user's file for the contract tests to judge."""
    name = "".join(part.title() for part in kind.split("_"))
    return f'''
from typing import Literal
import numpy as np
from recurse.spec import Spec
from recurse.tasks import TASKS, GridSymmetry
from recurse.tasks.constraint import ConstraintGridTask


@TASKS.register("{kind}")
class {name}(ConstraintGridTask):
    class Spec(Spec):
        kind: Literal["{kind}"] = "{kind}"

        def build(self):
            return {name}()

    def __init__(self):
        self.n = self.rows = self.cols = 3
        self.alphabet = ".123"

    def groups(self):
        return [[r * 3 + c for c in range(3)] for r in range(3)] + [[r * 3 + c for r in range(3)] for c in range(3)]
{methods}'''


def run_contract_tests(*args: str) -> subprocess.CompletedProcess:
    """``pytest tests/unit/test_task_contracts.py ARGS`` in a fresh process, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/unit/test_task_contracts.py", *args],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        timeout=600,
    )

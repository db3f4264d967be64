"""The run lock across processes, against names swapped in between the check and the lock, and where the
operating system lacks what Linux offers (no ``O_NOFOLLOW``); and the package's portability: no module
needs a Unix-only one to import.

The behaviour in one process (refusal in one line, stale and corrupt records, links and FIFOs in place of
the file, another host) is in test_run_folder.py and test_nothing_overwritten.py.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from recurse.training import lock as lock_module
from recurse.training.lock import LOCK_NAME, RunFolderError, RunLock

ROOT = Path(__file__).parents[2]

HOLD = textwrap.dedent(
    """
    import sys, time
    from recurse.training.lock import RunLock
    RunLock(sys.argv[1], notice=print).acquire()
    print("held", flush=True)
    time.sleep(600)
    """
)


def _hold_in_child(run: Path) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(run)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def test_another_process_holding_the_lock_refuses_this_one_until_it_is_killed(tmp_path):
    child = _hold_in_child(tmp_path)
    try:
        with pytest.raises(RunFolderError, match="in use by another trainer") as error:
            RunLock(tmp_path).acquire()
        assert f"pid {child.pid}" in str(error.value) and "\n" not in str(error.value)
    finally:
        child.send_signal(signal.SIGKILL)  # as a crash would: no release, the record stays behind
        child.wait()
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == child.pid
    notices: list[str] = []
    lock = RunLock(tmp_path, notice=notices.append).acquire()
    assert len(notices) == 1 and f"pid {child.pid}" in notices[0] and "no longer running" in notices[0], notices
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()
    lock.release()
    assert not (tmp_path / LOCK_NAME).exists()


def _swap_after_the_check(monkeypatch, run: Path, swap) -> None:
    """Replace run.lock just after RunLock has read it, before the lock is taken."""
    read = lock_module.read_record

    def read_then_swap(path):
        record = read(path)
        if (run / LOCK_NAME).exists() or (run / LOCK_NAME).is_symlink():
            (run / LOCK_NAME).unlink()
        swap(run / LOCK_NAME)
        return record

    monkeypatch.setattr(lock_module, "read_record", read_then_swap)


def test_a_link_swapped_in_after_the_check_is_not_followed(tmp_path, monkeypatch):
    run, precious = tmp_path / "run", tmp_path / "precious.txt"
    run.mkdir()
    precious.write_text("keep me")
    _swap_after_the_check(monkeypatch, run, lambda path: path.symlink_to(precious))
    with pytest.raises(RunFolderError, match="symbolic link"):
        RunLock(run).acquire()
    assert precious.read_text() == "keep me"


def test_a_fifo_swapped_in_after_the_check_is_refused_without_blocking(tmp_path, monkeypatch):
    _swap_after_the_check(monkeypatch, tmp_path, os.mkfifo)
    with pytest.raises(RunFolderError, match="not a plain file|cannot lock"):
        RunLock(tmp_path).acquire()
    assert (tmp_path / LOCK_NAME).is_fifo()  # refused, not replaced


def test_where_an_open_cannot_refuse_links_a_link_is_refused_by_looking_first(tmp_path, monkeypatch):
    run, precious = tmp_path / "run", tmp_path / "precious.txt"
    run.mkdir()
    precious.write_text("keep me")
    (run / LOCK_NAME).symlink_to(precious)
    monkeypatch.delattr(os, "O_NOFOLLOW")  # as on Windows
    with pytest.raises(RunFolderError, match="symbolic link"):
        RunLock(run).acquire()
    assert precious.read_text() == "keep me"
    (run / LOCK_NAME).unlink()
    RunLock(run).acquire().release()  # and a plain folder locks as anywhere


# Modules that exist on one family of systems only, and os functions and flags missing on Windows: the
# package must import and run without them (read through getattr or after a platform check).
UNIX_ONLY_MODULES = {"fcntl", "resource", "pwd", "grp", "termios", "tty", "pty", "posix", "syslog"}
WINDOWS_ONLY_MODULES = {"msvcrt", "winreg", "_winapi", "winsound"}
UNIX_ONLY_OS_NAMES = {
    "pread",
    "pwrite",
    "O_NOFOLLOW",
    "O_NONBLOCK",
    "O_DIRECTORY",
    "getuid",
    "geteuid",
    "getgid",
    "fork",
    "killpg",
    "setsid",
    "mkfifo",
    "sched_getaffinity",
    "sysconf_names",
}


def _guarded_imports(tree: ast.AST) -> set[int]:
    """Line numbers of imports inside ``try: ... except ImportError`` (a fallback exists)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(handler.type, ast.Name) and handler.type.id in {"ImportError", "ModuleNotFoundError"}
            for handler in node.handlers
        ):
            lines |= {n.lineno for statement in node.body for n in ast.walk(statement) if hasattr(n, "lineno")}
    return lines


def test_no_module_needs_a_module_or_os_function_of_one_system_only():
    found = []
    for path in sorted([*ROOT.glob("recurse/**/*.py"), *ROOT.glob("cli/**/*.py"), *ROOT.glob("tasks/**/*.py")]):
        tree = ast.parse(path.read_text())
        guarded = _guarded_imports(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = {node.module.split(".")[0]}
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
                and node.attr in UNIX_ONLY_OS_NAMES
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} os.{node.attr}")
                continue
            else:
                continue
            bad = names & (UNIX_ONLY_MODULES | WINDOWS_ONLY_MODULES)
            if bad and node.lineno not in guarded:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} import {', '.join(sorted(bad))}")
    assert not found, f"used without a fallback for other systems: {found}"

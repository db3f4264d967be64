"""One trainer per run folder: a lock file (``run.lock``, JSON with the pid and host) held while training.

The file is locked with ``flock`` as long as its owner lives, so the kernel releases it when the owner
dies, even by ``kill -9``. A lock file left behind by a dead process on this host is taken over with a
notice; one that names a live process, or another host (whose processes cannot be checked from here),
makes the second trainer refuse with one line.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import stat
import time
from collections.abc import Callable
from pathlib import Path

from recurse.errors import RecurseError

LOCK_NAME = "run.lock"


class RunFolderError(RecurseError):
    """A run folder that cannot be used: taken by another trainer, not writable, or not a folder."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _describe(owner: dict) -> str:
    return f"pid {owner.get('pid')} on {owner.get('host')}"


class RunLock:
    """``acquire()`` or raise ``RunFolderError``; ``release()`` removes the file. Also a context manager."""

    def __init__(self, run_dir: Path, *, notice: Callable[[str], None] = print) -> None:
        self.run_dir = Path(run_dir)
        self.path = self.run_dir / LOCK_NAME
        self.notice = notice
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        fd = self._open_locked()
        previous = _read(fd)
        host = socket.gethostname()
        pid = _pid(previous)
        if previous and pid != os.getpid():
            if pid is not None and previous.get("host") not in (None, host):
                os.close(fd)
                raise RunFolderError(
                    f"{self.path} names a trainer on another host ({_describe(previous)}); if it "
                    "has finished, delete the file and start again"
                )
            if pid is None:
                state = "it names no valid process id"
            else:
                state = "still running but not holding the lock" if _alive(pid) else "no longer running"
            self.notice(f"taking over the stale lock of {_describe(previous)} ({state}) in {self.run_dir}")
        record = json.dumps(
            {
                "pid": os.getpid(),
                "host": host,
                "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
        )
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, (record + "\n").encode(), 0)
            os.fsync(fd)
        except OSError as error:
            os.close(fd)
            raise RunFolderError(f"cannot write {self.path}: {error.strerror or error}") from None
        self._fd = fd
        return self

    def _open_locked(self) -> int:
        """Open and flock the lock file; retry when its owner removed it between our open and our lock."""
        while True:
            try:
                self.run_dir.mkdir(parents=True, exist_ok=True)
                fd = open_run_file(self.path, os.O_RDWR | os.O_CREAT)
            except OSError as error:
                raise RunFolderError(f"cannot use run folder {self.run_dir}: {error.strerror or error}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                owner = _read(fd)
                os.close(fd)
                raise RunFolderError(
                    f"{self.run_dir} is in use by another trainer ({_describe(owner)}); wait for "
                    "it to finish, or train into another name= or out_dir="
                ) from None
            try:
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    return fd
            except FileNotFoundError:
                pass
            os.close(fd)

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)  # unlink first: nobody can then lock a file about to vanish
        except OSError:
            pass
        os.close(self._fd)  # closing drops the flock
        self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def open_run_file(path: Path, flags: int, mode: int = 0o644) -> int:
    """``os.open`` for a file of a run folder: a symbolic link is refused rather than followed (a ``run.lock``
    or ``metrics.jsonl`` that links elsewhere would have its target truncated or appended to, and a dangling
    one would create a file outside the folder), and so is anything but a plain file (a FIFO would block)."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK, mode)
    except OSError as error:
        if error.errno == errno.ELOOP or os.path.islink(path):
            raise RunFolderError(
                f"{path} is a symbolic link; a run folder's files must be plain files (remove the link and start again)"
            ) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise RunFolderError(f"{path} is not a plain file (a FIFO, device or folder); remove it and start again")
    os.set_blocking(fd, True)
    return fd


def _pid(owner: dict) -> int | None:
    """The owner's process id, or None when the record holds none that a process could have."""
    pid = owner.get("pid")
    return pid if isinstance(pid, int) and not isinstance(pid, bool) and 0 < pid < 2**31 else None


def _read(fd: int) -> dict:
    try:
        data = os.pread(fd, 4096, 0).decode()
        owner = json.loads(data) if data.strip() else {}
        return owner if isinstance(owner, dict) else {}
    except (OSError, ValueError):
        return {}

"""One trainer per run folder: a lock file (``run.lock``, JSON with the pid and host) held while training.

The lock itself is ``filelock``'s native lock (``flock`` on Unix, ``LockFileEx`` on Windows), which the
operating system drops when its owner dies, even by ``kill -9``. A lock file left behind by a dead process
on this host is taken over with a notice; one that names a live process, or another host (whose processes
cannot be checked from here), makes the second trainer refuse with one line.

The file is a run folder's file like ``metrics.jsonl``: a symbolic link or anything but a plain file in its
place is refused before the lock is tried, and again on the locked descriptor (a name swapped in between
the check and the lock is caught there), so a link can never redirect the record's write to a file of the
user's elsewhere.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock, Timeout

from recurse.errors import RecurseError

LOCK_NAME = "run.lock"
_RECORD_BYTES = 4096  # a record is one short JSON line; anything longer is not one of ours


class RunFolderError(RecurseError):
    """A run folder that cannot be used: taken by another trainer, not writable, or not a folder."""


def _alive(pid: int) -> bool | None:
    """Whether a process with this id exists here; None where that cannot be asked safely."""
    if sys.platform == "win32":
        return None  # os.kill there terminates the process instead of probing it
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
        self._lock: FileLock | None = None

    def acquire(self) -> RunLock:
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            # Read before locking: some filelock releases empty the file once they hold it, and the record of
            # the previous owner is what says whether taking over is safe.
            previous = read_record(self.path)
        except OSError as error:
            raise RunFolderError(f"cannot use run folder {self.run_dir}: {error.strerror or error}") from None
        self._refuse_another_host(previous)
        lock = FileLock(self.path, blocking=False, on_acquired=lambda fd: self._claim(fd, previous))
        try:
            lock.acquire()
        except Timeout:
            try:
                owner = read_record(self.path)
            except (OSError, RunFolderError):
                owner = {}  # Windows keeps a locked file's first byte from other readers
            holder = f" ({_describe(owner)})" if owner else ""
            raise RunFolderError(
                f"{self.run_dir} is in use by another trainer{holder}; wait for it to finish, or train into "
                "another name= or out_dir="
            ) from None
        except OSError as error:
            if error.errno == errno.ELOOP or os.path.islink(self.path):
                raise _linked(self.path) from None
            if error.errno == errno.ENOSYS:
                raise RunFolderError(
                    f"cannot lock {self.path}: its file system does not support file locks; train into a folder "
                    "on a local disk (out_dir=)"
                ) from None
            if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                # A folder the user cannot write (read-only, immutable, another owner's): say which and why.
                raise RunFolderError(
                    f"cannot use run folder {self.run_dir}: {error.strerror or error}; train into a folder you can "
                    "write (out_dir=)"
                ) from None
            raise RunFolderError(f"cannot lock {self.path}: {error.strerror or error}") from None
        self._lock = lock
        return self

    def _refuse_another_host(self, owner: dict) -> None:
        if _pid(owner) is not None and owner.get("host") not in (None, socket.gethostname()):
            raise RunFolderError(
                f"{self.path} names a trainer on another host ({_describe(owner)}); if it has finished, delete "
                "the file and start again"
            )

    def _claim(self, fd: int, previous: dict) -> None:
        """Runs holding the lock, on its descriptor: check what was locked, then write this trainer's record.
        Raising here makes filelock give the lock back."""
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise _not_plain(self.path)
        try:
            named = os.lstat(self.path)
        except FileNotFoundError:
            named = None
        if named is None or not os.path.samestat(opened, named):
            raise RunFolderError(f"{self.path} was replaced while it was being locked; start again")
        previous = _read_fd(fd) or previous  # the holder's own record when filelock kept it
        self._refuse_another_host(previous)
        pid = _pid(previous)
        if previous and pid != os.getpid():
            if pid is None:
                state = "it names no valid process id"
            else:
                alive = _alive(pid)
                if alive is None:
                    state = "not holding the lock"
                else:
                    state = "still running but not holding the lock" if alive else "no longer running"
            self.notice(f"taking over the stale lock of {_describe(previous)} ({state}) in {self.run_dir}")
        record = json.dumps(
            {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        )
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, (record + "\n").encode())
            os.fsync(fd)
        except OSError as error:
            raise RunFolderError(f"cannot write {self.path}: {error.strerror or error}") from None

    def release(self) -> None:
        if self._lock is None:
            return
        try:
            # Unlink first: a trainer waiting on this file finds it unlinked once it gets the lock, and filelock
            # then starts over on the path instead of holding a file about to vanish.
            self.path.unlink(missing_ok=True)
        except OSError:
            pass  # Windows cannot unlink a file open here; filelock removes it there once released
        self._lock.release()
        self._lock = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def open_run_file(path: Path, flags: int, mode: int = 0o644) -> int:
    """``os.open`` for a file of a run folder: a symbolic link is refused rather than followed (a ``run.lock``
    or ``metrics.jsonl`` that links elsewhere would have its target truncated or appended to, and a dangling
    one would create a file outside the folder), and so is anything but a plain file (a FIFO would block)."""
    no_follow = getattr(os, "O_NOFOLLOW", 0)
    no_block = getattr(os, "O_NONBLOCK", 0)
    if not no_follow and os.path.islink(path):
        raise _linked(path)  # where the open itself cannot refuse a link (Windows), look first
    try:
        fd = os.open(path, flags | no_follow | no_block | getattr(os, "O_BINARY", 0), mode)
    except OSError as error:
        if error.errno == errno.ELOOP or os.path.islink(path):
            raise _linked(path) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _not_plain(path)
    if no_block:
        os.set_blocking(fd, True)
    return fd


def read_record(path: Path) -> dict:
    """The owner record a lock file holds, ``{}`` when there is none or it is not one; the file is opened
    as a run folder's file (no link followed, nothing but a plain file read)."""
    try:
        fd = open_run_file(path, os.O_RDONLY)
    except FileNotFoundError:
        return {}
    try:
        return _read_fd(fd)
    finally:
        os.close(fd)


def _linked(path: Path) -> RunFolderError:
    return RunFolderError(
        f"{path} is a symbolic link; a run folder's files must be plain files (remove the link and start again)"
    )


def _not_plain(path: Path) -> RunFolderError:
    return RunFolderError(f"{path} is not a plain file (a FIFO, device or folder); remove it and start again")


def _pid(owner: dict) -> int | None:
    """The owner's process id, or None when the record holds none that a process could have."""
    pid = owner.get("pid")
    return pid if isinstance(pid, int) and not isinstance(pid, bool) and 0 < pid < 2**31 else None


def _read_fd(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = os.read(fd, _RECORD_BYTES).decode()
        owner = json.loads(data) if data.strip() else {}
        return owner if isinstance(owner, dict) else {}
    except (OSError, ValueError):
        return {}

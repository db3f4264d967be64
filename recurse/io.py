"""Atomic file writes: write to a temporary file beside the target, then rename over it."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``path`` in one rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; give it ordinary permissions
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def not_found(path: str | os.PathLike) -> str:
    """Why ``path`` cannot be read as a file: ``not found``, or, for a FIFO, device or folder in its place
    (which recurse never opens: a FIFO would block the read for ever), ``is not a regular file``."""
    return "is not a regular file (a FIFO, device or folder)" if os.path.lexists(path) else "not found"


def json_safe(value: Any) -> Any:
    """``value`` with every NaN or infinite number replaced by None, so that it is valid JSON (``json.dumps``
    would write the bare ``NaN`` and ``Infinity`` that JSON does not have)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def dumps_json(value: Any, **options: Any) -> str:
    """``json.dumps`` of :func:`json_safe` ``(value)``: always valid JSON, non-finite numbers as null."""
    return json.dumps(json_safe(value), allow_nan=False, **options)


def write_json(path: str | os.PathLike, data: Any) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(dumps_json(data, indent=2, sort_keys=False) + "\n")


def fsync_tree(folder: str | os.PathLike) -> None:
    """Flush every file of ``folder`` and the folder itself to disk, so that a rename after it is durable."""
    for path in Path(folder).iterdir():
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    fsync_dir(folder)


def fsync_dir(folder: str | os.PathLike) -> None:
    """Flush a folder's entries (a rename or a new file in it) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

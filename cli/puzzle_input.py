"""Reading puzzles for ``recurse solve``: numbered lines from arguments, a file or stdin, in chunks that
follow the input as it arrives (so answers stream out rather than waiting for the end of a large file)."""

from __future__ import annotations

import io
import os
import select
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from recurse.errors import InputFileError

Numbered = tuple[str, int, str]  # ("line" or "puzzle", its 1-based number, the puzzle text)


def argument_puzzles(puzzles: tuple[str, ...]) -> Iterator[Numbered]:
    for number, text in enumerate(puzzles, start=1):
        yield "puzzle", number, text


def _open(path: Path) -> tuple[BinaryIO, str, bool]:
    """The byte stream, its display name, and whether more input may be slow to come (a pipe or terminal)."""
    if str(path) == "-":
        try:
            fd = sys.stdin.fileno()
            interactive = not stat.S_ISREG(os.fstat(fd).st_mode)
        except (AttributeError, OSError, io.UnsupportedOperation):
            return sys.stdin.buffer, "stdin", False  # an in-memory stdin (tests): everything is there already
        # Unbuffered, so that select() sees exactly what has not been read yet.
        return (open(fd, "rb", buffering=0, closefd=False) if interactive else sys.stdin.buffer), "stdin", interactive
    if path.is_dir():
        raise InputFileError(f"{path} is a folder, not a file of puzzles")
    try:
        return open(path, "rb"), str(path), False
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except OSError as error:
        raise InputFileError(f"{path}: {error.strerror or error}") from None


def file_puzzles(path: Path) -> tuple[Iterator[Numbered], BinaryIO | None]:
    """Puzzles from the non-blank lines of ``path`` ('-' for stdin), numbered by their physical line; a UTF-8
    BOM is accepted, other encodings end in one ``InputFileError``. Also returns the stream to poll for
    readiness when input may arrive slowly (None otherwise)."""
    stream, name, interactive = _open(path)

    def lines() -> Iterator[Numbered]:
        try:
            for number, raw in enumerate(stream, start=1):
                try:
                    text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError as error:
                    raise InputFileError(
                        f"{name} line {number} is not UTF-8 text (byte {raw[error.start]:#04x}); save it as UTF-8"
                    ) from None
                text = text.strip()
                if text:
                    yield "line", number, text
        finally:
            if stream is not sys.stdin.buffer and name != "stdin":
                stream.close()

    return lines(), stream if interactive else None


def _more_waiting(stream: BinaryIO | None) -> bool:
    """Whether more input can be read without waiting (always, for files and in-memory input)."""
    if stream is None:
        return True
    try:
        ready, _, _ = select.select([stream], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(ready)


def chunks(items: Iterable[Numbered], size: int, stream: BinaryIO | None) -> Iterator[list[Numbered]]:
    """Batches of up to ``size`` items; a batch also ends when reading on would have to wait for input, so a
    slow pipe or a terminal gets each answer as soon as its line arrives."""
    chunk: list[Numbered] = []
    try:
        for item in items:
            chunk.append(item)
            if len(chunk) >= size or not _more_waiting(stream):
                yield chunk
                chunk = []
    except InputFileError:
        # The lines read before an unreadable one are still answered, then the error ends the command.
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk

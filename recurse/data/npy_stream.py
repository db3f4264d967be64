"""Appending rows to a ``.npy`` file whose final length is unknown, without holding the array in memory.

The header is written with room to spare and rewritten with the true shape on close; numpy pads headers
with spaces, so any file written here is an ordinary ``.npy`` file.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

_MAGIC = b"\x93NUMPY\x01\x00"
_HEADER_BYTES = 128  # magic (8) + length (2) + dict, padded: fits any shape this writer produces


def _header(dtype: np.dtype, shape: tuple[int, ...]) -> bytes:
    text = repr({"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape})
    body_len = _HEADER_BYTES - len(_MAGIC) - 2
    text = text.ljust(body_len - 1) + "\n"
    if len(text) != body_len:
        raise ValueError(f"shape {shape} does not fit the reserved npy header")
    return _MAGIC + body_len.to_bytes(2, "little") + text.encode("latin1")


class NpyAppender:
    """``append(rows)`` rows of a fixed trailing shape and dtype; ``close()`` finalises the header."""

    def __init__(self, path: str | os.PathLike, dtype: np.dtype, row_shape: tuple[int, ...] = ()) -> None:
        self.path = Path(path)
        self.dtype = np.dtype(dtype)
        self.row_shape = tuple(row_shape)
        self.rows = 0
        self._file = open(self.path, "wb")
        self._file.write(_header(self.dtype, (0, *self.row_shape)))

    def append(self, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype)
        if rows.shape[1:] != self.row_shape:
            raise ValueError(f"rows of shape {rows.shape[1:]} appended to an array of rows {self.row_shape}")
        self._file.write(rows.tobytes())
        self.rows += rows.shape[0]

    def close(self) -> None:
        self._file.seek(0)
        self._file.write(_header(self.dtype, (self.rows, *self.row_shape)))
        self._file.close()

    def __enter__(self) -> "NpyAppender":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

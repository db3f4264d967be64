"""Appending rows to a ``.npy`` file whose final length is unknown, without holding the array in memory.

The header is numpy's own (``np.lib.format``), so a file written here is byte for byte what ``np.save``
writes for the same array. numpy pads a header so that the length of its first axis can grow without
changing the header's size; the header is written for zero rows first and rewritten in place on close.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np


def _header(dtype: np.dtype, shape: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


class NpyAppender:
    """``append(rows)`` rows of a fixed trailing shape and dtype; ``close()`` finalises the header."""

    def __init__(
        self, path: str | os.PathLike, dtype: np.dtype | type[np.generic], row_shape: tuple[int, ...] = ()
    ) -> None:
        self.path = Path(path)
        self.dtype = np.dtype(dtype)
        self.row_shape = tuple(row_shape)
        self.rows = 0
        self._file = open(self.path, "wb")
        header = _header(self.dtype, (0, *self.row_shape))
        self._header_len = len(header)
        self._file.write(header)

    def append(self, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype)
        if rows.shape[1:] != self.row_shape:
            raise ValueError(f"rows of shape {rows.shape[1:]} appended to an array of rows {self.row_shape}")
        self._file.write(rows.tobytes())
        self.rows += rows.shape[0]

    def close(self) -> None:
        header = _header(self.dtype, (self.rows, *self.row_shape))
        if len(header) != self._header_len:  # cannot happen for numpy's growth-padded headers; kept safe
            raise ValueError(f"the npy header for {self.rows} rows does not fit the one reserved")
        self._file.seek(0)
        self._file.write(header)
        self._file.close()

    def __enter__(self) -> NpyAppender:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

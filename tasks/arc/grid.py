"""ARC grids on the fixed 30×30 canvas: tokens, the end-of-grid marker and cropping back.

An ARC grid is a rectangle of colours 0..9, at most 30×30. On the canvas colour c is token c + 2, token 1
marks the row just below and the column just right of the grid (the end-of-grid marker), and token 0 pads
the rest. Training inputs may be placed away from the top-left corner (translation augmentation); the
answer read back from a prediction is the largest top-left rectangle that holds only colours.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from recurse.tasks.base import PuzzleFormatError

CANVAS = 30
PAD, END = 0, 1
COLOUR_OFFSET = 2  # token of colour 0
NUM_COLOURS = 10
VOCAB_SIZE = COLOUR_OFFSET + NUM_COLOURS


def as_grid(value: Any, *, what: str = "grid") -> np.ndarray:
    """A validated uint8 grid from nested lists (the JSON form) or an array."""
    if isinstance(value, np.ndarray):
        rows = value
    else:
        if not isinstance(value, (list, tuple)) or not value or not all(isinstance(r, (list, tuple)) for r in value):
            raise PuzzleFormatError(f"{what} must be a non-empty list of rows")
        widths = {len(r) for r in value}
        if len(widths) != 1:
            raise PuzzleFormatError(f"{what} is not rectangular: its rows have lengths {sorted(widths)}")
        rows = np.asarray(value)
    if rows.ndim != 2 or 0 in rows.shape:
        raise PuzzleFormatError(f"{what} must be a non-empty 2-D grid, got shape {rows.shape}")
    if rows.shape[0] > CANVAS or rows.shape[1] > CANVAS:
        raise PuzzleFormatError(f"{what} is {rows.shape[0]}×{rows.shape[1]}; ARC grids are at most {CANVAS}×{CANVAS}")
    if not np.issubdtype(rows.dtype, np.integer) or rows.min() < 0 or rows.max() >= NUM_COLOURS:
        raise PuzzleFormatError(f"{what} holds values outside the colours 0..{NUM_COLOURS - 1}")
    return rows.astype(np.uint8)


def to_canvas(grid: np.ndarray, top: int = 0, left: int = 0) -> np.ndarray:
    """The flat [900] uint8 tokens of ``grid`` placed with its top-left corner at (top, left)."""
    rows, cols = grid.shape
    canvas = np.full((CANVAS, CANVAS), PAD, dtype=np.uint8)
    canvas[top : top + rows, left : left + cols] = grid + COLOUR_OFFSET
    bottom, right = top + rows, left + cols
    # The marker runs along the grid's lower and right edges only (not the corner cell between them).
    if bottom < CANVAS:
        canvas[bottom, left:right] = END
    if right < CANVAS:
        canvas[top:bottom, right] = END
    return canvas.reshape(-1)


def crop(tokens: np.ndarray) -> np.ndarray:
    """The largest top-left rectangle of colour tokens, as colours (possibly empty, 0×0)."""
    canvas = np.asarray(tokens).reshape(CANVAS, CANVAS)
    is_colour = (canvas >= COLOUR_OFFSET) & (canvas < VOCAB_SIZE)
    # Width of the leading run of colours in each row, capped by every row above it.
    runs = np.where(is_colour.all(axis=1), CANVAS, np.argmin(is_colour, axis=1))
    widths = np.minimum.accumulate(runs)
    areas = widths * np.arange(1, CANVAS + 1)
    best = int(np.argmax(areas))  # the first (fewest rows) of the largest areas
    if areas[best] == 0:
        return np.zeros((0, 0), dtype=np.uint8)
    return (canvas[: best + 1, : widths[best]] - COLOUR_OFFSET).astype(np.uint8)


def grid_key(grid: np.ndarray) -> bytes:
    """Bytes that identify a grid by shape and content (for votes and de-duplication)."""
    return bytes(grid.shape) + np.ascontiguousarray(grid, dtype=np.uint8).tobytes()

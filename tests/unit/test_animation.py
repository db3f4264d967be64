"""The refinement GIF: the puzzle comes first, givens and filled cells have distinct colours, walls are
blocks without text, and a given the model overwrote stands out."""

from __future__ import annotations

import numpy as np
from PIL import Image

from recurse.inference.animation import BROKEN, CHANGED, FILLED, GIVEN, WALL, cell_colours, save_refinement_gif
from recurse.tasks import Maze, Sudoku

SUDOKU = Sudoku(2, 2)
PUZZLE = "1..............."
ANSWER = "1234341221434321"


def _colour(colours: np.ndarray, r: int, c: int) -> tuple:
    return tuple(np.round(colours[r, c], 3))


def test_givens_filled_changed_and_overwritten_cells_have_their_own_colours():
    given = SUDOKU.parse(PUZZLE)
    answer = SUDOKU.parse(ANSWER)
    settled = cell_colours(SUDOKU, given, answer, answer)  # a step that changed nothing
    assert _colour(settled, 0, 0) == GIVEN and _colour(settled, 0, 1) == FILLED
    assert len({GIVEN, FILLED, CHANGED, BROKEN, WALL}) == 5
    moved = cell_colours(SUDOKU, given, answer, given)  # the first step filled every blank
    assert _colour(moved, 0, 1) == CHANGED and _colour(moved, 0, 0) == GIVEN
    overwritten = answer.copy()
    overwritten[0, 0] = SUDOKU.parse("2" + "." * 15)[0, 0]
    assert _colour(cell_colours(SUDOKU, given, overwritten, overwritten), 0, 0) == BROKEN


def test_maze_walls_are_solid_blocks(tmp_path):
    maze = Maze(5)
    text = "######S..####.##G..######"
    given = maze.parse(text)
    colours = cell_colours(maze, given, given, given)
    walls = [(r, c) for r in range(5) for c in range(5) if text[r * 5 + c] == "#"]
    assert all(_colour(colours, r, c) == WALL for r, c in walls)
    assert all(_colour(colours, r, c) != WALL for r in range(5) for c in range(5) if (r, c) not in walls)


def test_the_gif_starts_with_the_puzzle_and_shows_each_step(tmp_path):
    path = save_refinement_gif(SUDOKU, PUZZLE, [PUZZLE.replace(".", "2", 1), ANSWER], tmp_path / "r.gif", valid=True)
    image = Image.open(path)
    assert image.n_frames == 3  # the puzzle, then two steps
    frames = []
    for index in range(3):
        image.seek(index)
        frames.append(np.asarray(image.convert("RGB")))

    # The first frame colours only the given (no filled-green, apart from a few blended edge pixels); in
    # the last frame the fourteen cells that step 2 changed outweigh the one given.
    def share(frame, colour):
        target = np.array(colour) * 255
        return np.mean(np.all(np.abs(frame.astype(float) - target) < 12, axis=-1))

    assert share(frames[0], FILLED) < 0.001 and share(frames[0], GIVEN) > 0.005
    assert share(frames[2], CHANGED) > 5 * share(frames[2], GIVEN)


def test_cells_that_break_a_rule_are_marked_not_green():
    from recurse.inference.animation import INVALID, LEGEND, invalid_cells

    given = SUDOKU.parse(PUZZLE)
    wrong = SUDOKU.parse("1234341221434312")  # the last row's 2 and 1 swapped: two columns repeat a value
    bad = invalid_cells(SUDOKU, given, wrong).reshape(4, 4)
    assert sorted(zip(*np.nonzero(bad))) == [(1, 2), (1, 3), (3, 2), (3, 3)]
    colours = cell_colours(SUDOKU, given, wrong, wrong, bad)
    assert _colour(colours, 3, 3) == INVALID != FILLED and _colour(colours, 0, 1) == FILLED
    assert not invalid_cells(SUDOKU, given, SUDOKU.parse(ANSWER)).any()  # a valid answer has none
    assert INVALID in [colour for colour, _ in LEGEND] and len({c for c, _ in LEGEND}) == len(LEGEND)

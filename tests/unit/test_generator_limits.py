"""Generators that cannot meet their parameters fail fast with one line, never loop for ever."""

from __future__ import annotations

import time

import numpy as np
import pytest
from click.testing import CliRunner

from recurse.cli.main import cli
from recurse.tasks import budget
from recurse.tasks.budget import GenerationGaveUp
from recurse.tasks.examples.futoshiki import Futoshiki
from recurse.tasks.examples.nqueens import NQueens
from recurse.tasks.maze import Maze
from recurse.tasks.sudoku import Sudoku


@pytest.mark.parametrize("style, size", [("open", 5), ("perfect", 5)])
def test_an_unreachable_maze_path_is_refused_at_once(style, size):
    """The default min_path (110 cells) cannot fit in a 5×5 maze: refused before any search."""
    started = time.perf_counter()
    with pytest.raises(GenerationGaveUp, match="task.min_path"):
        Maze(size, style=style).generate(np.random.default_rng(0))
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    "make",
    [
        lambda: Maze(9, min_path=60),  # possible in principle (81 cells) but practically never drawn
        lambda: NQueens(16),
        lambda: Sudoku(4, 4),
        lambda: Futoshiki(9),
    ],
    ids=["maze-rare-path", "nqueens-16", "sudoku-16x16", "futoshiki-9"],
)
def test_a_generator_gives_up_at_its_time_limit(make, monkeypatch):
    monkeypatch.setattr(budget, "GENERATION_SECONDS", 0.5)
    task = make()
    started = time.perf_counter()
    with pytest.raises(GenerationGaveUp) as error:
        task.generate(np.random.default_rng(0))
    assert "\n" not in str(error.value) and "gave up generating" in str(error.value)
    assert time.perf_counter() - started < 5  # half a second of search, plus set-up


def test_data_build_reports_the_give_up_in_one_line(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "data",
            "build",
            "maze",
            "task.size=5",
            "build.train_size=4",
            "build.test_size=2",
            f"path={tmp_path / 'maze'}",
        ],
    )
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "task.min_path=110" in lines[0] and "Traceback" not in result.output
    assert not (tmp_path / "maze").exists()

"""Generators that cannot meet their parameters fail fast with one line, never loop for ever."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

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
from tests.task_files import latin_square_plugin


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


# A plugin task whose generator never returns: a Latin square that loops in generate().
HANGING_TASK = latin_square_plugin(
    "hanging_latin",
    """
    def random_symmetry(self, rng):
        return GridSymmetry(np.arange(9), np.arange(4))

    def generate(self, rng):
        while True:
            pass
""",
)


@pytest.fixture
def hanging_plugin(tmp_path):
    path = tmp_path / "hanging_task.py"
    path.write_text(HANGING_TASK)
    return path


def test_a_plugin_generator_that_never_returns_ends_a_build_in_one_line(hanging_plugin, tmp_path):
    started = time.monotonic()
    result = subprocess.run(
        [
            "recurse",
            "--plugin",
            str(hanging_plugin),
            "data",
            "build",
            "hanging_latin",
            "build.train_size=2",
            "build.test_size=1",
            "build.stall_seconds=1",
            f"path={tmp_path / 'data'}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert time.monotonic() - started < 60
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "returned no puzzle in 1 s" in lines[0] and "stall_seconds" in lines[0]
    assert not (tmp_path / "data").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["hanging_task.py"]


def test_pytest_task_file_stops_a_generator_that_never_returns(hanging_plugin):
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "tests/unit/test_task_contracts.py",
            "--task-file",
            str(hanging_plugin),
            "--stall-seconds",
            "1",
            "-q",
        ],
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert time.monotonic() - started < 120, "later tests of a stalled task must fail at once"
    assert result.returncode == 1, result.stdout
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert failures and result.stdout.count("returned no puzzle in 1 s and was stopped") >= len(failures)
    assert "Traceback" not in result.stdout

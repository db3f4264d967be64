"""The page of ``recurse serve`` without a browser: puzzle in → steps, confidences, verdict and HTML out."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from recurse.config import ModelConfig
from recurse.errors import CheckpointError, PuzzleFormatError, RecurseError
from recurse.model.builder import build_refiner
from recurse.model.checkpoint import save_checkpoint
from recurse.serve.boards import BOARDS, GraphBoard, GridBoard, MazeBoard, TextBoard, board_for
from recurse.serve.boards.base import Frame
from recurse.serve.catalogue import Catalogue
from recurse.serve.puzzles import examples, givens_range, new_puzzle
from recurse.serve.refinement import Options, solve
from recurse.serve.space import write_space
from recurse.serve.view import error_html, frame_of, legend_html, puzzle_html, step_html, verdict_html
from recurse.solver import Solver
from recurse.tasks import TASKS, Sudoku, build_task

PUZZLE_6X6 = ".5.6.1................4356.4..3..1.."
MAZE_9X9 = "##########S......########.##.......##.########.#...G.##.#.###.##...#...##########"
SMALL_SPECS = {  # quick instances of the registered tasks for the board contract
    "maze": {"kind": "maze", "size": 9, "min_path": 2, "style": "perfect"},
    "colouring": {"kind": "colouring", "vertices": 6, "colours": 3, "max_edges": 12},
    "sudoku": {"kind": "sudoku", "box_rows": 2, "box_cols": 3},
}


@pytest.fixture(scope="module")
def sudoku6() -> Solver:
    return Solver.from_pretrained("sudoku-6x6", device="cpu")


@pytest.fixture(scope="module")
def maze9() -> Solver:
    return Solver.from_pretrained("maze-9x9", device="cpu")


@pytest.fixture(scope="module")
def colouring(tmp_path_factory) -> Solver:
    """An untrained 6-vertex colouring solver: its answers are poor, but every step is there to show."""
    task = build_task(SMALL_SPECS["colouring"])
    config = ModelConfig(
        vocab_size=task.vocab_size,
        seq_len=task.seq_len,
        hidden_size=16,
        expansion=2.0,
        core={"kind": "mlp", "expansion": 2.0},
        schedule={"kind": "trm", "latent_steps": 1, "deep_steps": 1, "layers": 1},
        halting={"kind": "q_halt", "max_steps": 3},
        forward_dtype="float32",
    )
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("colouring") / "ckpt"
    save_checkpoint(folder, build_refiner(config), config, {"task": task.spec(), "vocab": task.vocab})
    return Solver.from_pretrained(str(folder), device="cpu")


def changed_cells(html: str) -> int:
    return len(re.findall(r'class="rc-cell [^"]*rc-changed', html))


def test_a_6x6_puzzle_is_solved_with_every_step_and_its_confidences(sudoku6):
    refinement = solve(sudoku6, PUZZLE_6X6, Options(halting="fixed"))
    assert refinement.valid and refinement.verdict == "valid" and refinement.violations == []
    assert refinement.steps == len(refinement.answers) == len(refinement.confidence) == 8  # fixed: every step
    assert refinement.answers[-1] == refinement.answer
    for per_step in refinement.confidence:
        assert len(per_step) == 36 and all(0.0 <= c <= 1.0 for c in per_step)
    assert refinement.seconds > 0 and 0.0 <= refinement.halt_confidence <= 1.0
    assert sudoku6.task.is_solution(sudoku6.task.parse(PUZZLE_6X6), sudoku6.task.parse(refinement.answer))


def test_threshold_halting_stops_no_later_than_fixed_and_max_steps_caps_it(sudoku6):
    confident = solve(sudoku6, PUZZLE_6X6, Options(halting="threshold", threshold=0.5))
    capped = solve(sudoku6, PUZZLE_6X6, Options(halting="fixed", max_steps=3))
    assert 1 <= confident.steps <= 8
    assert capped.steps == len(capped.answers) == 3


def test_the_confidence_shown_is_the_networks_own_at_each_step(sudoku6):
    """The per-step confidences equal a softmax of the refiner's logits, recomputed here step by step."""
    refinement = solve(sudoku6, PUZZLE_6X6, Options(halting="fixed", max_steps=2))
    task, refiner = sudoku6.task, sudoku6.refiner
    inputs = torch.from_numpy(task.encode(task.parse(PUZZLE_6X6)).astype(np.int64))[None]
    state = refiner.initial_state(1, task.seq_len)
    with torch.inference_mode():
        for step in range(2):
            out = refiner(state, inputs, torch.zeros(1, dtype=torch.long))
            state = out.state
            expected = torch.softmax(out.logits.float(), -1).amax(-1)[0].numpy()
            np.testing.assert_allclose(refinement.confidence[step], expected, rtol=1e-5, atol=1e-6)
            assert refinement.answers[step] == task.format(
                task.answer_of(task.parse(PUZZLE_6X6), out.logits.argmax(-1)[0].numpy())
            )


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "enter a puzzle"),
        ("   \n", "enter a puzzle"),
        ("123", "expected 36 cells"),
        ("11" + "." * 34, "repeat"),
        ("x" * 36, "unexpected symbol"),
        ("." * 200_000, "characters long"),
    ],
)
def test_bad_puzzles_raise_one_line_errors(sudoku6, text, message):
    with pytest.raises(PuzzleFormatError, match=message) as caught:
        solve(sudoku6, text)
    shown = error_html(caught.value)
    assert "\n" not in shown and "Traceback" not in shown and message.split()[0] in shown


def test_step_zero_is_the_puzzle_and_each_step_marks_exactly_the_cells_it_changed(sudoku6):
    task = sudoku6.task
    refinement = solve(sudoku6, PUZZLE_6X6, Options(halting="fixed"))
    puzzle = task.parse(PUZZLE_6X6)
    first = step_html(task, refinement, 0)
    assert "the puzzle" in first and changed_cells(first) == 0
    assert first.count("rc-given") == int((puzzle != task.blank).sum())
    previous = puzzle
    for index, answer in enumerate(refinement.answers, start=1):
        html = step_html(task, refinement, index)
        grid = task.parse(answer)
        assert f"step {index} of {len(refinement.answers)}" in html
        assert changed_cells(html) == int((grid != previous).sum())
        previous = grid
    assert frame_of(refinement, 99).index == len(refinement.answers)  # a slider past the end shows the last step


def test_cells_are_shaded_by_confidence():
    task = Sudoku(2, 2)
    puzzle = "1..." + "." * 12
    answer = "1234" + "3412" + "2143" + "4321"
    low = [0.3] * 16
    high = [0.95] * 16
    board = GridBoard()
    pale = board.render(task, Frame(puzzle, answer, None, low, 1, 1))
    deep = board.render(task, Frame(puzzle, answer, None, high, 1, 1))
    assert "rgba(46,160,67,0.31)" in pale and "rgba(46,160,67,0.72)" in deep
    assert 'title="confidence 0.30"' in pale


def test_verdicts_say_valid_or_name_the_broken_rules(sudoku6):
    good = solve(sudoku6, PUZZLE_6X6)
    assert "<b>valid</b>" in verdict_html(good) and " s · " in verdict_html(good)
    good.valid, good.violations = False, ["row 1 repeats 5"]
    html = verdict_html(good)
    assert "<b>not valid</b>" in html and "row 1 repeats 5" in html


def test_a_strategy_with_several_trajectories_shows_the_kept_answer(sudoku6):
    refinement = solve(sudoku6, PUZZLE_6X6, Options(strategy="sample", samples=3, select="checker", seed=1))
    assert refinement.kept_only and refinement.answers == [refinement.answer] and refinement.confidence == []
    assert refinement.valid == (refinement.violations == [])
    assert re.match(
        r"strategy sample: 3 trajectories; \d of them valid, number \d kept by checker", refinement.notes[0]
    )
    assert refinement.notes[0] in verdict_html(refinement)
    html = step_html(sudoku6.task, refinement, 1)
    assert "the kept answer" in html and "confidence" not in html
    restarted = solve(sudoku6, PUZZLE_6X6, Options(strategy="restart", samples=2, select="vote"))
    assert "strategy restart: 2 trajectories, number" in restarted.notes[0]
    with pytest.raises(RecurseError, match="samples"):
        solve(sudoku6, PUZZLE_6X6, Options(strategy="sample", samples=0))


def test_verify_reports_search_nodes_against_plain_search(maze9):
    refinement = solve(maze9, MAZE_9X9, Options(verify=True))
    assert refinement.valid
    assert re.search(r"guided search \d+ nodes? .* plain search \d+ nodes?", refinement.verification)
    assert "plain search" in verdict_html(refinement)


def test_a_maze_is_solved_and_drawn_with_walls_start_goal_and_path(maze9):
    task = maze9.task
    refinement = solve(maze9, MAZE_9X9, Options(halting="fixed"))
    assert refinement.valid and len(refinement.answers) == refinement.steps
    html = step_html(task, refinement, refinement.steps)
    assert html.count("rc-wall") == MAZE_9X9.count("#")
    assert html.count("rc-start") == 1 and html.count("rc-goal") == 1
    assert html.count("rc-path") == refinement.answer.count("o") > 0


def test_colouring_is_solved_step_by_step_and_drawn_as_a_graph(colouring):
    task = colouring.task
    puzzle = examples(task)[0]
    refinement = solve(colouring, puzzle, Options(halting="fixed"))
    assert refinement.steps == len(refinement.answers) == 3
    assert all(len(c) == 6 for c in refinement.confidence)  # one per vertex, the answer positions
    for index in range(refinement.steps + 1):
        html = step_html(task, refinement, index)
        assert html.count('class="rc-vertex') == 6
        colours = refinement.answers[index - 1] if index else task.format_answer(task.parse(puzzle))
        clashes = sum(colours[u] == colours[w] and colours[u] != "?" for u, w in task.edges(task.parse(puzzle)))
        assert html.count("rc-clash") == clashes
    assert isinstance(board_for(task), GraphBoard)
    assert refinement.valid == (refinement.violations == [])


def registered_task(name):
    try:
        task = build_task(SMALL_SPECS.get(name, {"kind": name}))
    except RecurseError:
        return None
    return task if task.has_generator() else None


@pytest.mark.parametrize("name", TASKS.names())
def test_every_generated_task_has_a_board_that_draws_its_puzzles_and_answers(name):
    """The board contract, for every registered task with a generator (plugins included)."""
    task = registered_task(name)
    if task is None:
        pytest.skip(f"the {name} task has no generator to draw puzzles from")
    puzzle, solution = task.generate(np.random.default_rng(0))
    text, answer = task.format(puzzle), task.format_answer(solution)
    board = board_for(task, text)
    assert isinstance(board, (GridBoard, GraphBoard, TextBoard))
    confident = [0.9] * len(task.answer_positions())
    assert "the puzzle" in board.render(task, Frame(text, None, None, None, 0, 1))
    assert "step 1 of 1" in board.render(task, Frame(text, answer, None, confident, 1, 1))
    assert "rc-legend" in legend_html(board)
    value = board.editor_value(task, text)
    if value is not None:
        assert np.array_equal(task.parse(board.text_of(task, value)), puzzle)


def test_boards_are_registered_by_task_name():
    assert (
        BOARDS.get("sudoku") is GridBoard and BOARDS.get("maze") is MazeBoard and BOARDS.get("colouring") is GraphBoard
    )


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(".123456"), min_size=36, max_size=36))
def test_the_cell_editor_and_the_text_agree(cells):
    task = Sudoku(2, 3)
    text = "".join(cells)
    board = GridBoard()
    value = board.editor_value(task, text)
    assert value["cells"] == cells and value["boxes"] == [2, 3] and value["blank"] == "."
    assert board.text_of(task, value) == text


def test_the_maze_editor_writes_the_mazes_text(maze9):
    task = maze9.task
    board = MazeBoard()
    value = board.editor_value(task, MAZE_9X9)
    assert value["kind"] == "maze" and value["cells"].count("S") == 1
    value["cells"][11] = "#"  # a wall drawn next to S
    drawn = task.parse(board.text_of(task, value))
    assert task.alphabet[drawn[1, 2]] == "#" and task.alphabet[drawn[1, 1]] == "S"
    with pytest.raises(PuzzleFormatError):
        board.text_of(task, {"cells": ["#"] * 3})


def test_examples_are_fixed_and_new_puzzles_follow_the_asked_givens(sudoku6):
    task = sudoku6.task
    assert examples(task) == examples(task) and len(examples(task)) == 3
    assert givens_range(task) == (0, 35)
    easy = new_puzzle(task, seed=5, givens=24)
    assert 36 - easy.count(".") >= 24 and task.count_answers(task.parse(easy)) == 1
    assert givens_range(build_task(SMALL_SPECS["maze"])) is None


def test_the_puzzle_alone_is_drawn_before_solving(sudoku6):
    html = puzzle_html(sudoku6.task, PUZZLE_6X6)
    assert "the puzzle" in html and changed_cells(html) == 0


def test_a_model_that_cannot_be_loaded_is_a_one_line_error(tmp_path):
    catalogue = Catalogue([])
    assert catalogue.default == "sudoku-6x6" and "maze-9x9" in catalogue.names
    with pytest.raises(CheckpointError):
        catalogue.load("")
    with pytest.raises(RecurseError) as caught:
        catalogue.load(str(tmp_path / "nothing-here"))
    assert "\n" not in str(caught.value)
    assert catalogue.load("sudoku-6x6") is catalogue.load("sudoku-6x6")  # loaded once


def test_missing_gradio_names_the_extra(monkeypatch):
    from recurse.serve.page import require_gradio

    monkeypatch.setitem(sys.modules, "gradio", None)
    with pytest.raises(RecurseError, match=r'pip install "recurse-reasoners\[demo\]"'):
        require_gradio()


def test_a_space_is_written_once_and_never_over_a_users_files(tmp_path):
    written = write_space(tmp_path / "space", ["my/model"], "6.0.0")
    assert sorted(p.name for p in written) == ["README.md", "app.py", "requirements.txt"]
    app = (tmp_path / "space" / "app.py").read_text()
    compile(app, "app.py", "exec")
    assert "['my/model']" in app and "sdk: gradio" in (tmp_path / "space" / "README.md").read_text()
    (tmp_path / "space" / "app.py").write_text("mine")
    with pytest.raises(RecurseError, match="already holds"):
        write_space(tmp_path / "space", [], "6.0.0")
    assert (tmp_path / "space" / "app.py").read_text() == "mine"

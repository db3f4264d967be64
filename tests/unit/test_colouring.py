"""Graph colouring, the shipped task that is not a grid: input-only positions, several valid answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recurse.tasks import PuzzleFormatError
from recurse.tasks.examples.colouring import GraphColouring
from recurse.tasks.solver import AllDifferentSolver

ROOT = Path(__file__).parents[2]
from tests.task_files import latin_square_plugin


def test_edges_that_are_groups_smaller_than_the_alphabet_leave_values_out():
    # One edge, three colours, vertex 0 red: vertex 1 may be green or blue. A hidden-single rule applied
    # to the two-cell group would force the one of them it sees first.
    solver = AllDifferentSolver(3, [[0, 1]], num_cells=2)
    assert len(solver.solve(np.array([1, 0]), limit=10).solutions) == 2
    assert len(solver.solve(np.array([0, 0]), limit=10).solutions) == 6


@pytest.mark.parametrize("layout", ["adjacency", "edges", "rows"])
def test_unique_puzzles_have_one_colouring_and_open_ones_several(layout):
    rng = np.random.default_rng(0)
    task = GraphColouring(7, max_edges=14, layout=layout)
    for _ in range(5):
        puzzle, solution = task.generate(rng)
        result = task.solve_all(puzzle, limit=2)
        assert result.unique and np.array_equal(result.solutions[0], solution)
    open_task = GraphColouring(7, max_edges=14, unique=False, layout=layout)
    puzzle, solution = open_task.generate(rng)
    assert (puzzle[open_task.answer_positions()] == 0).all()
    assert len(open_task.solve_all(puzzle, limit=10).solutions) >= 6  # colour swaps
    # What the contract tests read: only the open task declares several answers, and it has them.
    assert not task.several_answers and open_task.several_answers
    assert task.count_answers(task.generate(rng)[0]) == 1 and open_task.count_answers(puzzle, limit=10) >= 6


def test_the_adjacency_layout_is_a_symmetric_matrix_with_the_colours_on_its_diagonal():
    task = GraphColouring(4, max_edges=4)
    puzzle = task.parse("R???|0-1 1-2 2-3 0-2")
    assert (task.rows, task.cols) == (4, 4) and list(task.answer_positions()) == [0, 5, 10, 15]
    assert task.format(puzzle.reshape(4, 4)) == "R???|0-1 0-2 1-2 2-3"
    assert "".join(task.alphabet[v] for v in puzzle) == "R##-#?#-##?#--#?"
    edges = GraphColouring(4, max_edges=4, layout="edges")
    assert edges.format(edges.parse("R???|0-1 1-2 2-3 0-2")) == "R???|0-1 1-2 2-3 0-2"  # slots keep their order
    assert task.format_answer(task.solve(puzzle)) == edges.format_answer(
        edges.solve(edges.parse("R???|0-1 1-2 2-3 0-2"))
    )
    rng = np.random.default_rng(3)
    for _ in range(5):
        moved = task.random_symmetry(rng).apply(puzzle)
        matrix = moved.reshape(4, 4)
        assert np.array_equal(matrix, matrix.T) and len(task.edges(moved)) == 4
        assert sorted(np.diag(matrix))[:3] == [0, 0, 0] and np.diag(matrix).max() >= 1  # one given colour
    rows = GraphColouring(4, max_edges=4, layout="rows")
    assert [rows.alphabet[v] for v in rows.parse("R???|0-1 1-2 2-3 0-2")] == [
        "R",
        "?",
        "?",
        "?",
        "{1,2}",
        "{0,2}",
        "{0,1,3}",
        "{2}",
    ]  # a vertex, then its neighbours as one token
    with pytest.raises(ValueError, match="at most 7"):
        GraphColouring.Spec(vertices=8, layout="rows")
    with pytest.raises(PuzzleFormatError, match="the graph's edges"):
        bent = puzzle.copy()
        bent[1] = task.none  # 0-1 from row 0 only: not symmetric
        task.validate_puzzle(bent)


@pytest.mark.parametrize("layout", ["adjacency", "edges", "rows"])
@pytest.mark.parametrize("unique", [True, False])
def test_symmetries_keep_colourings_valid_and_invert_in_both_layouts(layout, unique):
    task = GraphColouring(7, max_edges=12, unique=unique, layout=layout)
    rng = np.random.default_rng(5)
    for _ in range(10):
        puzzle, solution = task.generate(rng)
        symmetry = task.random_symmetry(rng)
        moved, moved_solution = symmetry.apply(puzzle), symmetry.apply(solution)
        assert task.is_solution(moved, moved_solution) and len(task.edges(moved)) == len(task.edges(puzzle))
        assert np.array_equal(symmetry.inverse().apply(moved_solution), solution)
        assert task.count_answers(moved) == task.count_answers(puzzle)
        if not unique:  # no colour given: a colour renaming would change the label and not the input
            assert list(symmetry.value_map[: task.k + 1]) == list(range(task.k + 1))


@pytest.mark.parametrize("layout", ["adjacency", "edges", "rows"])
def test_text_format_and_errors(layout):
    task = GraphColouring(4, max_edges=4, layout=layout)
    puzzle = task.parse("R???|0-1 1-2 2-3 0-2")
    colours, edges = task.format(puzzle).split("|")
    assert colours == "R???" and sorted(edges.split()) == ["0-1", "0-2", "1-2", "2-3"]
    assert np.array_equal(task.parse(task.format(puzzle)), puzzle)
    assert np.array_equal(task.parse(task.render(puzzle)), puzzle)
    answer = task.solve(puzzle)
    assert task.format_answer(answer) in {"RGBR", "RBGR"} and task.is_solution(puzzle, answer)
    assert task.violations(puzzle, task.parse("RRBG|0-1 1-2 2-3 0-2")) == [
        "1 edge(s) join vertices of one colour, e.g. 0-1"
    ]
    with pytest.raises(PuzzleFormatError, match="not an edge"):
        task.parse("????|0-4")
    with pytest.raises(PuzzleFormatError, match="at most 4"):
        task.parse("????|0-1 0-2 0-3 1-2 1-3")
    complete = GraphColouring(4, max_edges=6, layout=layout)
    with pytest.raises(PuzzleFormatError, match="no 3-colouring"):
        complete.validate_puzzle(complete.parse("????|0-1 0-2 0-3 1-2 1-3 2-3"))  # K4
    with pytest.raises(PuzzleFormatError, match="no 3-colouring"):
        task.validate_puzzle(task.parse("RR??|0-1"))  # the givens clash


@pytest.mark.parametrize("layout", ["adjacency", "edges", "rows"])
def test_built_data_labels_only_the_vertices(tmp_path, layout):
    from recurse.config import DataConfig
    from recurse.data import load_split
    from recurse.data.prepare import build_from_config
    from recurse.data.sampler import IGNORE_INDEX, gather

    spec = {"kind": "colouring", "vertices": 7, "max_edges": 14, "layout": layout}
    config = DataConfig(
        task=spec,
        path=str(tmp_path / "colouring"),
        build={"source": "generate", "train_size": 10, "test_size": 4, "num_aug": 3, "seed": 0},
    )
    build_from_config(config, progress=False)
    train = load_split(tmp_path / "colouring", "train")
    task = GraphColouring(7, max_edges=14, layout=layout)
    vertex = np.zeros(task.seq_len, dtype=bool)
    vertex[task.answer_positions()] = True
    labels = np.asarray(train.labels)
    assert labels.shape[1] == {"adjacency": 49, "edges": 7 + 14, "rows": 14}[layout]
    assert (labels[:, ~vertex] == 0).all() and (labels[:, vertex] >= 2).all()
    batch = gather(train, np.arange(4))
    assert (batch.labels[:, ~vertex] == IGNORE_INDEX).all(), "edges are neither predicted nor scored"
    for inputs, row in zip(np.asarray(train.inputs), labels):
        assert task.accepts(inputs, row), "every augmented label is a valid colouring of its graph"


def test_checker_valid_counts_answers_other_than_the_label():
    from recurse.evaluation import checker_valid

    task = GraphColouring(6, max_edges=8, unique=False)
    puzzle, solution = task.generate(np.random.default_rng(1))
    vertices = task.answer_positions()
    swapped = solution.copy()
    swapped[vertices] = np.array([0, 2, 3, 1])[solution[vertices]]  # another colouring: the colours renamed
    clash = solution.copy()
    u, w = task.edges(puzzle)[0]
    clash[vertices[w]] = clash[vertices[u]]
    inputs = np.stack([task.encode(puzzle)] * 3)
    outputs = np.stack([task.encode(solution), task.encode(swapped), task.encode(clash)])
    assert not np.array_equal(outputs[0], outputs[1])
    assert checker_valid(task, inputs, outputs) == 2


def test_solver_answers_with_the_vertex_colours_only():
    from recurse.halting import FixedSteps
    from recurse.model.builder import build_refiner
    from recurse.solver import Solver
    from tests.helpers import small_config

    task = GraphColouring(6, max_edges=8)
    refiner = build_refiner(small_config(vocab_size=task.vocab_size, seq_len=task.seq_len)).eval()
    solver = Solver(refiner, task, halting=FixedSteps(max_steps=2))
    solution = solver.solve("R?????|0-1 1-2 2-3 3-4 4-5", trace=True)
    assert solution.puzzle == "R?????|0-1 1-2 2-3 3-4 4-5"
    assert len(solution.answer) == 6 and set(solution.answer) <= set("?RGB")
    assert len(solution.trace) == 2 and all(len(step) == 6 for step in solution.trace)


def test_the_excerpt_in_docs_tasks_md_is_the_shipped_code():
    excerpts = (ROOT / "docs" / "tasks.md").read_text().split("```python\n")[1:]
    shown = [e.split("```", 1)[0] for e in excerpts if "def answer_positions" in e]
    assert len(shown) == 1 and shown[0] in (ROOT / "tasks" / "examples" / "colouring.py").read_text()


def test_pytest_task_file_runs_the_contract_tests_on_that_file(tmp_path):
    from tests.task_files import run_contract_tests as run

    # The shipped non-grid example and the Latin square that docs/tasks.md teaches, saved as a user's file.
    tutorial = (ROOT / "docs" / "tasks.md").read_text()
    latin = tmp_path / "my_tasks.py"
    latin.write_text(tutorial.split("```python\n", 1)[1].split("```", 1)[0])
    shipped = run("--task-file", "tasks/examples/colouring.py", "--task-file", str(latin), "-v")
    assert shipped.returncode == 0, shipped.stdout + shipped.stderr
    assert "[sudoku]" not in shipped.stdout
    # Every contract test ran for both files' tasks, however many contract tests there are.
    lines = shipped.stdout.splitlines()
    ran = {name: sum(f"[{name}]" in line and "PASSED" in line for line in lines) for name in ("colouring", "latin")}
    assert ran["colouring"] == ran["latin"] >= 4 and f"{sum(ran.values())} passed" in shipped.stdout, ran
    broken = tmp_path / "broken_task.py"
    broken.write_text(BROKEN_TASK)
    failed = run("--task-file", str(broken), "-x")
    assert failed.returncode == 1 and "test_symmetries_keep_solutions_valid_and_invert" in failed.stdout


# A plugin whose symmetry breaks solutions: the contract tests must catch it.
BROKEN_TASK = latin_square_plugin(
    "broken_latin",
    """
    def random_symmetry(self, rng):
        source = np.arange(9)
        source[[0, 1]] = source[[1, 0]]  # swaps two cells of a row only: columns then repeat a value
        return GridSymmetry(source, np.arange(4))
""",
)

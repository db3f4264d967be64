"""``recurse solve``: output formats, batches from files and stdin, the animation, and one-line errors."""

from __future__ import annotations

import json

import numpy as np

from tests.integration.conftest import TASK, run_recurse


def test_solve_formats_and_sources(tmp_path, checkpoint):
    puzzles = [TASK.format(TASK.generate(np.random.default_rng(s))[0]) for s in range(5)]
    (tmp_path / "puzzles.txt").write_text("\n".join(puzzles) + "\n")
    out = run_recurse("solve", str(checkpoint), "--file", str(tmp_path / "puzzles.txt"), "--json", "--halting", "fixed")
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["puzzle"] for r in records] == puzzles
    assert all(
        set(r)
        == {
            "puzzle",
            "answer",
            "valid",
            "steps",
            "confidence",
            "violations",
            "status",
            "strategy",
            "trajectory",
            "trajectories",
            "seconds",
        }
        and r["steps"] == 2
        and (r["strategy"], r["trajectory"], r["trajectories"]) == ("greedy", 0, 1)
        for r in records
    )
    assert all(0 <= r["confidence"] <= 1 and r["valid"] == (r["violations"] == []) for r in records)
    piped = run_recurse("solve", str(checkpoint), "--json", stdin="\n".join(puzzles[:2]))
    assert len(piped.stdout.splitlines()) == 2
    text = run_recurse("solve", str(checkpoint), puzzles[0])
    assert ("valid" in text.stdout.lower()) and "step" in text.stdout and "|" in text.stdout  # a boxed grid
    gif = tmp_path / "refine.gif"
    run_recurse("solve", str(checkpoint), puzzles[0], "--save-gif", str(gif), "--halting", "fixed")
    assert gif.read_bytes()[:6] in (b"GIF87a", b"GIF89a")


def _one_line_failure(result, message):
    assert result.returncode != 0, result.stdout
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_bad_puzzles_are_one_line_errors(checkpoint):
    good = "1..." + "." * 12
    cases = [
        ("123", "expected 16 cells"),
        ("x" * 16, "unexpected symbol"),
        ("11" + "." * 14, "the givens repeat a value in row 1"),
    ]
    for puzzle, message in cases:
        _one_line_failure(run_recurse("solve", str(checkpoint), puzzle, check=False), message)
    _one_line_failure(run_recurse("solve", str(checkpoint), good, "123", check=False), "puzzle 2: expected 16 cells")


def test_bad_checkpoints_are_one_line_errors(tmp_path, checkpoint):
    puzzle = "." * 16
    weights = checkpoint / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 3])
    _one_line_failure(run_recurse("solve", str(checkpoint), puzzle, check=False), "corrupt or truncated")
    weights.write_bytes(data)

    config = json.loads((checkpoint / "config.json").read_text())
    (checkpoint / "config.json").write_text(json.dumps({**config, "kind": "tokenizer"}))
    _one_line_failure(run_recurse("solve", str(checkpoint), puzzle, check=False), "not a recurse checkpoint config")
    # A task this installation does not know (say, a plugin task without its file).
    (checkpoint / "config.json").write_text(json.dumps({**config, "task": {"kind": "kakuro"}}))
    _one_line_failure(run_recurse("solve", str(checkpoint), puzzle, check=False), "unknown task 'kakuro'")
    (checkpoint / "config.json").write_text(json.dumps(config))

    weights.unlink()
    _one_line_failure(run_recurse("solve", str(checkpoint), puzzle, check=False), "model.safetensors not found")
    _one_line_failure(
        run_recurse("solve", str(tmp_path / "nowhere"), puzzle, check=False),
        "is neither a checkpoint folder, a bundled model nor a Hub repo id",
    )


def test_bundled_sudoku_6x6_solves_offline():
    from recurse.solver import Solver
    from recurse.tasks import Sudoku

    listing = run_recurse("models", "list", env={"HF_HUB_OFFLINE": "1"})
    assert "sudoku-6x6" in listing.stdout and "exact on" in listing.stdout
    out = run_recurse(
        "solve", "sudoku-6x6", ".5.6.1................4356.4..3..1..", "--json", env={"HF_HUB_OFFLINE": "1"}
    )
    record = json.loads(out.stdout)
    assert record["valid"] and record["answer"] == "453621126354234516615243561432342165"

    # Fresh minimal puzzles, from a seed the training data never used.
    task = Sudoku(2, 3)
    rng = np.random.default_rng(987654)
    puzzles = [task.generate(rng)[0] for _ in range(60)]
    solver = Solver.from_pretrained("sudoku-6x6", device="cpu")
    solved = solver.solve_many(puzzles)
    accuracy = sum(s.valid for s in solved) / len(solved)
    assert accuracy >= 0.9, f"bundled solver solved {accuracy:.0%} of fresh puzzles"
    assert np.mean([s.steps for s in solved]) < 4, "threshold halting stops confident puzzles early"


def test_bundled_maze_9x9_solves_offline():
    from recurse.solver import Solver
    from recurse.tasks import Maze

    task = Maze(9, min_path=2, style="perfect")
    rng = np.random.default_rng(987654)  # a seed the build never used (9×9 mazes are few: some may be training mazes)
    mazes = [task.generate(rng)[0] for _ in range(60)]
    typed = task.format(mazes[0]).replace(" ", ".")  # '.' for open cells, as a user types it
    out = run_recurse("solve", "maze-9x9", typed, "--json", env={"HF_HUB_OFFLINE": "1"})
    record = json.loads(out.stdout)
    assert len(record["answer"]) == 81 and set(record["answer"]) <= set("# SGo")
    assert record["valid"] == task.is_solution(mazes[0], task.parse(record["answer"]))

    solved = Solver.from_pretrained("maze-9x9", device="cpu").solve_many(mazes)
    accuracy = sum(s.valid for s in solved) / len(solved)
    assert accuracy >= 0.9, f"bundled maze solver found the path in {accuracy:.0%} of fresh mazes"


def test_plugin_task_file_from_the_command_line(tmp_path):
    """The Latin-square task of docs/tasks.md, saved as a user's file, works through --plugin."""
    from pathlib import Path

    tutorial = (Path(__file__).parents[2] / "docs" / "tasks.md").read_text()
    code = tutorial.split("```python\n", 1)[1].split("```", 1)[0]
    assert '@TASKS.register("latin")' in code
    plugin = tmp_path / "my_tasks.py"
    plugin.write_text(code)
    listed = run_recurse("--plugin", str(plugin), "tasks", "list")
    assert "latin" in listed.stdout
    built = run_recurse(
        "--plugin",
        str(plugin),
        "data",
        "build",
        "latin",
        "task.size=4",
        "build.train_size=5",
        "build.test_size=2",
        "build.num_aug=2",
        f"path={tmp_path / 'latin'}",
        cwd=tmp_path,
    )
    assert "wrote" in built.stdout and (tmp_path / "latin" / "train" / "all__inputs.npy").is_file()
    missing = run_recurse("--plugin", str(tmp_path / "nope.py"), "tasks", "list", check=False)
    assert missing.returncode != 0 and "Traceback" not in missing.stderr


def test_solve_verify_reports_search_and_unsolvable_puzzles():
    solvable, unsolvable = "....5.6.....2.63.....1..1.......5.6.", ".123456....." + "." * 24
    out = run_recurse("solve", "sudoku-6x6", "--verify", "--json", solvable, unsolvable, env={"HF_HUB_OFFLINE": "1"})
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first["valid"] and first["status"] == "solved"
    assert first["nodes"] >= 1 and first["plain_nodes"] >= 1 and "search_ms" in first and "network_valid" in first
    assert not second["valid"] and second["status"] == "unsolvable" and second["answer"] == ""
    text = run_recurse("solve", "sudoku-6x6", "--verify", unsolvable, env={"HF_HUB_OFFLINE": "1"})
    assert "no solution" in text.stdout and "plain search" in text.stdout


def test_bundled_sudoku_9x9_verify_solves_and_proves_unsolvable():
    from recurse.tasks import Sudoku

    task = Sudoku(3, 3)
    puzzle = task.generate(np.random.default_rng(424242))[0]  # a fresh minimal puzzle
    typed = task.format(puzzle)
    # Row 1 needs a 9 in its last cell, which column 9 already has: no given clashes, yet nothing solves it.
    unsolvable = "12345678." + "........9" + "." * 63
    out = run_recurse("solve", "sudoku-9x9", "--verify", "--json", typed, unsolvable, env={"HF_HUB_OFFLINE": "1"})
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first["valid"] and first["status"] == "solved"
    answer = task.parse(first["answer"])
    assert task.is_solution(puzzle, answer)
    assert not second["valid"] and second["status"] == "unsolvable" and second["answer"] == ""
    text = run_recurse("solve", "sudoku-9x9", "--verify", unsolvable, env={"HF_HUB_OFFLINE": "1"})
    assert "no solution" in text.stdout

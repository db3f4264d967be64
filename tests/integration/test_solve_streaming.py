"""``recurse solve`` on files and stdin: per-line errors with physical line numbers, BOM and encodings,
answers that appear as their lines arrive, --check, --trace to the step limit, and the GIF."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import time

from click.testing import CliRunner
from PIL import Image

from recurse.cli.main import cli
from tests.integration.conftest import TASK

GOOD = "1" + "." * 15


def _solve(*args, stdin=None):
    return CliRunner().invoke(cli, ["solve", *map(str, args)], input=stdin, catch_exceptions=False)


def test_bad_lines_are_reported_by_file_line_and_good_ones_answered(tmp_path, checkpoint):
    path = tmp_path / "puzzles.txt"
    path.write_bytes(b"\xef\xbb\xbf" + f"{GOOD}\n\nbad\n   \n{'.' * 16}\n11{'.' * 14}\n".encode())
    result = _solve(checkpoint, "--file", path, "--json", "--halting", "fixed")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert [r.get("line") for r in records] == [None, 3, None, 6]
    assert records[0]["puzzle"] == GOOD and records[2]["puzzle"] == "." * 16  # the BOM is not a cell
    assert "expected 16 cells" in records[1]["error"] and "repeat" in records[3]["error"]

    text = _solve(checkpoint, "--file", path)
    assert text.exit_code == 1 and "line 3: expected 16 cells" in text.stderr and "Traceback" not in text.output
    assert text.stdout.count("confidence") == 2


def test_other_encodings_end_in_one_line_after_the_lines_before(tmp_path, checkpoint):
    path = tmp_path / "latin1.txt"
    path.write_bytes(f"{GOOD}\n".encode() + "é...\n".encode("latin-1"))
    result = _solve(checkpoint, "--file", path, "--json")
    assert result.exit_code == 1 and json.loads(result.stdout.splitlines()[0])["puzzle"] == GOOD
    assert result.stderr.strip() == f"Error: {path} line 2 is not UTF-8 text (byte 0xe9); save it as UTF-8"


def test_check_flags_invalid_answers_and_text_mode_says_why(checkpoint):
    # The untrained model overwrites the given, so its answer is not valid.
    plain = _solve(checkpoint, GOOD, "--halting", "fixed")
    assert plain.exit_code == 0 and re.search(r"not valid: .*given\(s\) changed", plain.stdout)
    checked = _solve(checkpoint, GOOD, "--halting", "fixed", "--check")
    assert checked.exit_code == 3  # it ran; the answer is not valid (an error would be 1)


def test_trace_runs_to_the_step_limit_and_dashes_are_puzzles(checkpoint):
    # The default threshold halting would stop at once (confidence ~0); a trace shows every step (limit 2).
    record = json.loads(_solve(checkpoint, "--trace", "--json", GOOD).stdout)
    assert record["steps"] == 2 and len(record["trace"]) == 2
    # A pasted rendered grid starts with '-' (Sudoku reads '-', '|' and '+' as drawing, not cells).
    rendered = TASK.render(TASK.parse(GOOD)).replace("\n", "")
    for text in ("---" + GOOD, "-" + rendered):
        assert json.loads(_solve(checkpoint, "--json", text).stdout)["puzzle"] == GOOD
    assert "no such option: --nope" in _solve(checkpoint, "--nope", GOOD).output


def test_gif_is_checked_before_solving_and_starts_with_the_puzzle(tmp_path, checkpoint):
    for bad, message in [("out.txt", "must end in .gif"), ("missing/out.gif", "not an existing folder")]:
        result = _solve(checkpoint, GOOD, "--save-gif", tmp_path / bad)
        assert result.exit_code == 2 and message in result.output and not (tmp_path / bad).exists()
    gif = tmp_path / "out.gif"
    assert _solve(checkpoint, GOOD, "--save-gif", gif).exit_code == 0
    frames = Image.open(gif).n_frames
    assert frames == 3  # the puzzle, then the model's 2 steps


def test_stdin_answers_stream_before_the_input_ends(checkpoint):
    process = subprocess.Popen(
        [shutil.which("recurse"), "solve", str(checkpoint), "--json", "--halting", "fixed"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        process.stdin.write(f"{GOOD}\n".encode())
        process.stdin.flush()
        deadline = time.monotonic() + 120
        ready = []
        while not ready and time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 1)
        assert ready, "no answer while stdin was still open"
        assert json.loads(process.stdout.readline())["puzzle"] == GOOD
        process.stdin.write(b"bad\n")
        process.stdin.close()
        assert json.loads(process.stdout.readline()) == {
            "line": 2,
            "error": "expected 16 cells for a 4×4 sudoku (boxes 2×2), got 3",
        }
        assert process.wait(timeout=60) == 1
    finally:
        if process.poll() is None:
            process.kill()


def test_example_puzzles_in_help_and_docs_are_valid():
    """Every Sudoku-6x6 or maze puzzle quoted after `recurse solve` in the help and docs obeys the rules."""
    from recurse.solver import Solver

    root = os.path.join(os.path.dirname(__file__), "..", "..")
    texts = [_solve("--help").stdout] + [
        open(os.path.join(root, name)).read() for name in ("README.md", "docs/cli.md", "docs/quickstart.md")
    ]
    examples = set()
    for text in texts:
        examples |= set(re.findall(r'recurse solve (sudoku-6x6|maze-9x9)[^"\n]*"([^"]+)"', text))
    assert len(examples) >= 2
    for model, puzzle in examples:
        solver = Solver.from_pretrained(model, device="cpu")
        grid = solver.parse(puzzle)  # raises for clashing givens
        assert solver.task.solve(grid) is not None, (model, puzzle)

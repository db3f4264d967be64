"""A handful of bad inputs through the installed ``recurse`` command (the in-process suites cover the rest)."""

from __future__ import annotations

import pytest

from tests.fuzz.conftest import record
from tests.integration.conftest import run_recurse

GOOD = "1" + "." * 15


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "{ckpt}", "--threshold", "nan", GOOD],
        ["solve", "{ckpt}", "--device", "meta", GOOD],
        ["solve", "{ckpt}", "--file", "{latin1}"],
        ["eval", "{ckpt}", "max_steps=abc"],
        ["train", "recipe=trm-sudoku-mini", "runtime.seed=-1"],
    ],
)
def test_installed_command_fails_in_one_line(fuzz_checkpoint, tmp_path_factory, args):
    latin1 = tmp_path_factory.mktemp("input") / "puzzles.txt"
    latin1.write_bytes("1...............\n\u00e9....\n".encode("latin-1"))
    args = [a.replace("{ckpt}", str(fuzz_checkpoint)).replace("{latin1}", str(latin1)) for a in args]
    tmp_path = tmp_path_factory.mktemp("cwd")
    result = run_recurse(*args, cwd=tmp_path, check=False)
    lines = result.stderr.strip().splitlines()
    problem = None
    if result.returncode == 0 or "Traceback" in result.stderr or not lines or not lines[-1].startswith("Error"):
        problem = f"recurse {' '.join(args)}: exit {result.returncode}, stderr {result.stderr[-400:]!r}"
    elif list(tmp_path.iterdir()):
        problem = f"recurse {' '.join(args)} wrote {list(tmp_path.iterdir())}"
    record("installed", problem)

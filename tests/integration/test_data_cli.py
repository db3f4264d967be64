"""``recurse data build`` by task name: every task builds deterministically through the installed command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.conftest import run_recurse

ARC = Path(__file__).parents[1] / "fixtures" / "data" / "arc"
BUILDS = {
    "sudoku": ["task.box_rows=2", "task.box_cols=3", "build.train_size=12", "build.test_size=4", "build.num_aug=2"],
    "maze": [
        "task.size=9",
        "task.style=perfect",
        "task.min_path=9",
        "build.train_size=12",
        "build.test_size=4",
        "build.num_aug=7",
    ],
    "arc": [
        f"build.source={ARC}",
        "task.subsets=[training, evaluation]",
        "task.test_subset=evaluation",
        "build.num_aug=1",
    ],
}


@pytest.mark.parametrize("task", sorted(BUILDS))
def test_build_by_task_name_is_deterministic(task, tmp_path):
    fingerprints = []
    for name in ("a", "b"):
        out = run_recurse("data", "build", task, *BUILDS[task], f"path={tmp_path / name}")
        assert out.stdout.startswith(f"wrote {tmp_path / name}: train ")
        manifest = json.loads((tmp_path / name / "manifest.json").read_text())
        assert manifest["task"]["kind"] == task
        fingerprints.append(manifest["fingerprint"])
    assert fingerprints[0] == fingerprints[1]


def test_build_errors_are_one_line(tmp_path):
    for args, message in [
        (["sudoku", "task.nope=1"], "nope"),
        (["sudoku"], "train_size"),
        (["arc", f"build.source={tmp_path}", "task.subsets=[training]"], "no arc-agi_training"),
        (
            ["arc", f"build.source={tmp_path}", "build.subsets=[training]"],
            "build.subsets is now a setting of the task: set data.task.subsets",
        ),
    ]:
        result = run_recurse("data", "build", *args, f"path={tmp_path / 'x'}", check=False)
        assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1

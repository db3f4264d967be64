"""Two CPU processes under torchrun (gloo) give the losses of one process with the same global batch."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.integration.conftest import TINY_OVERRIDES, losses, run_recurse

# Exploration draws random numbers per process; without it, halting is a function of the model alone.
SAME_WORK = [
    *TINY_OVERRIDES,
    "model.halting.exploration_prob=0",
    "model.puzzle_embedding.dim=16",
    "training.max_steps=6",
    "training.eval_every_steps=6",
]


@pytest.mark.skipif(shutil.which("torchrun") is None, reason="torchrun is not installed")
def test_two_processes_match_one(tmp_path, tiny_data):
    run_recurse(
        "train",
        "recipe=trm-sudoku-mini",
        *SAME_WORK,
        f"data.path={tiny_data}",
        f"out_dir={tmp_path / 'one'}",
        cwd=tmp_path,
    )
    result = subprocess.run(
        [
            shutil.which("torchrun"),
            "--standalone",
            "--nproc-per-node",
            "2",
            "-m",
            "recurse.cli",
            "train",
            "recipe=trm-sudoku-mini",
            *SAME_WORK,
            f"data.path={tiny_data}",
            f"out_dir={tmp_path / 'two'}",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "processes: 2" in result.stdout
    one, two = losses(tmp_path / "one"), losses(tmp_path / "two")
    assert sorted(one) == sorted(two) == list(range(1, 7))
    for step in one:
        assert two[step] == pytest.approx(one[step], rel=1e-5), f"step {step}"
    assert (tmp_path / "two" / "checkpoints" / "step_6" / "training_state.rank1.safetensors").is_file()

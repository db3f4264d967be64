"""Helpers for driving the installed ``recurse`` command on tiny data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import torch

from recurse.config import ModelConfig
from recurse.model.builder import build_refiner
from recurse.model.checkpoint import save_checkpoint
from recurse.tasks import Sudoku

TINY_OVERRIDES = [
    "model.hidden_size=16",
    "model.schedule.latent_steps=2",
    "model.schedule.deep_steps=1",
    "model.schedule.layers=1",
    "model.halting.max_steps=3",
    "model.forward_dtype=float32",
    "data.task.box_cols=2",
    "data.build.train_size=40",
    "data.build.test_size=8",
    "data.build.num_aug=2",
    "training.global_batch_size=16",
    "training.max_minutes=null",
    "training.lr_warmup_steps=2",
    "training.lr=3e-3",
    "evaluation.batch_size=8",
    "logging.every_steps=1",
    "logging.progress=false",
    "runtime.threads=1",
]


def run_recurse(
    *args: str, cwd: Path | None = None, check: bool = True, stdin: str | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    exe = shutil.which("recurse")
    assert exe, "the recurse console script must be installed (pip install -e .)"
    result = subprocess.run(
        [exe, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        timeout=600,
        env={**os.environ, **(env or {})},
    )
    if check:
        assert result.returncode == 0, f"recurse {' '.join(args)} failed:\n{result.stderr[-3000:]}"
    return result


def losses(run_dir: Path) -> dict[int, float]:
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    return {r["step"]: r["loss"] for r in map(json.loads, lines) if r["kind"] == "train"}


TASK = Sudoku(2, 2)


@pytest.fixture
def checkpoint(tmp_path) -> Path:
    """An untrained 4×4-Sudoku solver checkpoint with the metadata a trained one carries."""
    return make_checkpoint(tmp_path / "ckpt")


def make_checkpoint(folder: Path, task=TASK, recipe: str = "trm-sudoku-mini") -> Path:
    """Write an untrained solver checkpoint of ``task`` (a 4×4 Sudoku by default), with the metadata a
    trained one carries, to ``folder``."""
    config = ModelConfig(
        vocab_size=task.vocab_size,
        seq_len=task.seq_len,
        hidden_size=16,
        expansion=2.0,
        core={"kind": "attention", "num_heads": 2},
        schedule={"kind": "trm", "latent_steps": 1, "deep_steps": 1, "layers": 1},
        halting={"kind": "q_halt", "max_steps": 2},
        forward_dtype="float32",
    )
    torch.manual_seed(0)
    meta = {
        "task": task.spec(),
        "vocab": task.vocab,
        "recipe": recipe,
        "dataset": {"path": "data/x", "fingerprint": "abc"},
        "training": {"step": 7, "seed": 0},
        "metrics": {"exact_accuracy": 0.25, "count": 8},
    }
    return save_checkpoint(folder, build_refiner(config), config, meta)


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("data")
    run_recurse(
        "data",
        "build",
        "recipe=trm-sudoku-mini",
        *[o for o in TINY_OVERRIDES if o.startswith("data.")],
        f"data.path={root / 'sudoku-4x4'}",
    )
    return root / "sudoku-4x4"

"""A model restricted to its task's interactions, through the installed command: it trains, resumes
exactly, and the saved checkpoint solves without its task rebuilding the structure."""

from __future__ import annotations

import json

import numpy as np

from recurse.tasks import build_task
from tests.integration.conftest import losses, run_recurse

SAT_TINY = [
    "recipe=trm-sat-mini",
    "data.task.variables=6",
    "data.task.clauses=12",
    "data.build.train_size=40",
    "data.build.test_size=8",
    "data.build.num_aug=2",
    "data.build.answer_limit=8",
    "model.hidden_size=16",
    "model.halting.max_steps=2",
    "training.global_batch_size=16",
    "training.lr_warmup_steps=2",
    # A constant rate after warm-up: the recipe's cosine spans max_steps, which the split run below extends.
    "training.lr_min_ratio=1.0",
    "training.eval_every_steps=4",
    "evaluation.batch_size=8",
    "logging.every_steps=1",
    "logging.progress=false",
    "runtime.threads=1",
]


def test_train_resume_and_solve_with_interactions(tmp_path):
    data = f"data.path={tmp_path / 'data'}"
    run_recurse("train", *SAT_TINY, data, "training.max_steps=8", f"out_dir={tmp_path / 'full'}", cwd=tmp_path)
    run_recurse("train", *SAT_TINY, data, "training.max_steps=4", f"out_dir={tmp_path / 'split'}", cwd=tmp_path)
    run_recurse("train", f"resume={tmp_path / 'split'}", "training.max_steps=8", cwd=tmp_path)
    assert losses(tmp_path / "split") == losses(tmp_path / "full")

    checkpoint = tmp_path / "full" / "checkpoints" / "step_8"
    config = json.loads((checkpoint / "config.json").read_text())
    assert config["model"]["interactions"] == "task" and config["model"]["interaction_kinds"] == 3
    task = build_task(config["task"])
    puzzle, _ = task.generate(np.random.default_rng(7))
    result = run_recurse("solve", str(checkpoint), task.format(puzzle), "--verify", "--json")
    answer = json.loads(result.stdout)
    assert answer["valid"] is True and answer["status"] == "solved"

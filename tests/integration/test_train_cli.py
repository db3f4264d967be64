"""Training through the installed command: the loss falls, resume equals an uninterrupted run, eval and
solve work on the result, and bad input gives one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np

from recurse.tasks import Sudoku
from tests.helpers import default_sigint
from tests.integration.conftest import TINY_OVERRIDES, losses, run_recurse


def train(tmp_path: Path, data: Path, name: str, *extra: str, resume: Path | None = None):
    if resume is not None:
        return run_recurse("train", f"resume={resume}", *extra, cwd=tmp_path)
    return run_recurse(
        "train",
        "recipe=trm-sudoku-mini",
        *TINY_OVERRIDES,
        f"data.path={data}",
        f"out_dir={tmp_path / name}",
        *extra,
        cwd=tmp_path,
    )


def test_train_checkpoint_resume_eval_solve(tmp_path, tiny_data):
    # Uninterrupted: 12 steps with a checkpoint every 6.
    train(tmp_path, tiny_data, "full", "training.max_steps=12", "training.eval_every_steps=6")
    full = losses(tmp_path / "full")
    assert sorted(full) == list(range(1, 13))
    assert np.mean([full[s] for s in (10, 11, 12)]) < np.mean([full[s] for s in (1, 2, 3)]), "the loss falls"

    # Interrupted after 6 steps, then resumed to 12.
    train(tmp_path, tiny_data, "split", "training.max_steps=6", "training.eval_every_steps=6")
    train(tmp_path, tiny_data, "split", "training.max_steps=12", resume=tmp_path / "split")
    resumed = losses(tmp_path / "split")
    for step in range(1, 13):
        assert resumed[step] == full[step], f"step {step}: resumed {resumed[step]} != uninterrupted {full[step]}"

    run = tmp_path / "full"
    checkpoint = run / "checkpoints" / "step_12"
    assert {"model.safetensors", "config.json", "training_state.json"} <= {p.name for p in checkpoint.iterdir()}
    assert (run / "config.yaml").is_file() and (run / "curves.png").is_file()
    meta = json.loads((checkpoint / "config.json").read_text())
    assert meta["task"] == {"kind": "sudoku", "box_rows": 2, "box_cols": 2}
    assert meta["dataset"]["fingerprint"] and meta["vocab"][:2] == ["<pad>", "."]

    result = run_recurse("eval", str(checkpoint), "halting=threshold", "max_steps=5")
    assert "exact_accuracy=" in result.stdout and "valid_rate=" in result.stdout
    record = json.loads((checkpoint / "eval_metrics.json").read_text())
    assert record["count"] == 8 and 0 <= record["exact_accuracy"] <= 1 and 1 <= record["steps"] <= 5
    # The official metric set under its own names, beside recurse's own.
    assert {
        "accuracy",
        "q_halt_accuracy",
        "lm_loss",
        "q_halt_loss",
        "token_accuracy",
        "valid_rate",
        "puzzles_per_s",
    } <= set(record)

    task = Sudoku(2, 2)
    puzzle, _ = task.generate(np.random.default_rng(5))
    text = task.format(puzzle)
    out = run_recurse("solve", str(run), text, "--json")
    answer = json.loads(out.stdout.strip())
    assert answer["puzzle"] == text and len(answer["answer"]) == 16 and isinstance(answer["valid"], bool)
    assert answer["valid"] == task.is_solution(puzzle, task.parse(answer["answer"]))
    out = run_recurse("solve", str(run), "--trace", text)
    assert "step 1:" in out.stdout and ("valid" in out.stdout)


def test_user_errors_are_one_line(tmp_path, tiny_data):
    cases = [
        (["train", "recipe=trm-sudoku-mini", "training.nope=1"], "unknown key training.nope"),
        (["train", "recipe=missing"], "unknown recipe 'missing'"),
        (["train", "recipe=trm-sudoku-mini", "model.core.kind=conv"], "unknown core 'conv'"),
        (["train", f"resume={tmp_path}"], "config.yaml not found"),
        (["eval", str(tmp_path / "nothing")], "is neither a checkpoint folder, a bundled model nor a Hub repo id"),
        (["solve", str(tmp_path), "1234"], "holds no checkpoint"),
    ]
    for args, message in cases:
        result = run_recurse(*args, cwd=tmp_path, check=False)
        assert result.returncode != 0, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_compiled_training_matches_eager(tmp_path, tiny_data):
    """runtime.compile compiles the recursion (torch.compile, CPU inductor); the losses agree with eager."""
    train(tmp_path, tiny_data, "eager", "training.max_steps=3")
    train(tmp_path, tiny_data, "compiled", "training.max_steps=3", "runtime.compile=true")
    eager, compiled = losses(tmp_path / "eager"), losses(tmp_path / "compiled")
    assert sorted(compiled) == [1, 2, 3]
    for step in (1, 2, 3):
        assert abs(compiled[step] - eager[step]) <= 1e-4 * max(1.0, abs(eager[step])), (step, compiled, eager)


def test_ctrl_c_saves_a_checkpoint_that_resumes_exactly(tmp_path, tiny_data):
    """Ctrl-C stops between two steps, saves, says how to resume, and the resumed run equals an unbroken one."""
    run = tmp_path / "stopped"
    command = [
        shutil.which("recurse"),
        "train",
        "recipe=trm-sudoku-mini",
        *TINY_OVERRIDES,
        f"data.path={tiny_data}",
        f"out_dir={run}",
        "training.max_steps=100000",
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=True,
        preexec_fn=default_sigint,
    )
    deadline = time.monotonic() + 300
    metrics = run / "metrics.jsonl"
    while not (metrics.is_file() and metrics.read_text().count('"kind": "train"') >= 3):  # the file is growing
        assert process.poll() is None and time.monotonic() < deadline, "training did not start"
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode != 0 and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1 and "interrupted at step" in stderr, stderr
    step = int(stderr.split("interrupted at step ")[1].split(";")[0])
    assert (run / "checkpoints" / f"step_{step}" / "training_state.json").is_file()
    assert f"recurse train resume={run}" in stderr

    train(tmp_path, tiny_data, "stopped", f"training.max_steps={step + 3}", resume=run)
    train(tmp_path, tiny_data, "unbroken", f"training.max_steps={step + 3}")
    resumed, unbroken = losses(run), losses(tmp_path / "unbroken")
    assert sorted(resumed) == sorted(unbroken) == list(range(1, step + 4))
    assert all(resumed[s] == unbroken[s] for s in unbroken), "the resumed run continues the same trajectory"

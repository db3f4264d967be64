"""Faults around a run folder, through the installed command: kill -9 at every point of a checkpoint save,
resume from a copy in another directory, two trainers on one folder, a read-only folder, a file-size
limit during a save, a stray checkpoint folder, and a loss that turns NaN."""

from __future__ import annotations

import filecmp
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from recurse.checkpoints.run_folder import latest_checkpoint
from tests.helpers import default_sigint
from tests.integration.conftest import TASK, TINY_OVERRIDES, losses, run_recurse

FAST = [*TINY_OVERRIDES, "logging.plot=false"]
KILLER = Path(__file__).with_name("kill_during_save.py")


def train_args(data: Path, out: Path, *extra: str) -> list[str]:
    return ["train", "recipe=trm-sudoku-mini", *FAST, f"data.path={data}", f"out_dir={out}", *extra]


def assert_one_line(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode != 0, result.stdout[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def metric_steps(run: Path) -> list[tuple[str, int]]:
    return [(r["kind"], r["step"]) for r in map(json.loads, (run / "metrics.jsonl").read_text().splitlines())]


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def four_steps(tmp_path_factory, tiny_data) -> Path:
    """A run of 4 steps with checkpoints at 2 and 4, to copy and resume."""
    run = tmp_path_factory.mktemp("base") / "run"
    run_recurse(*train_args(tiny_data, run, "training.max_steps=4", "training.eval_every_steps=2"))
    return run


@pytest.fixture(scope="module")
def unbroken(tmp_path_factory, tiny_data) -> dict[int, float]:
    """The losses of an uninterrupted 6-step run, which every resumed run must reproduce."""
    run = tmp_path_factory.mktemp("unbroken") / "run"
    run_recurse(*train_args(tiny_data, run, "training.max_steps=6", "training.eval_every_steps=2"))
    return losses(run)


def copy_run(source: Path, tmp_path: Path, name: str = "run") -> Path:
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


def save_points(tmp_path: Path, four_steps: Path) -> list[str]:
    """The disk-changing calls of the save of step 6, in order (see kill_during_save.py)."""
    counts = tmp_path / "points.txt"
    probe = copy_run(four_steps, tmp_path, "probe")
    subprocess.run(
        [sys.executable, str(KILLER), "0", str(counts), "train", f"resume={probe}", "training.max_steps=6"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    return counts.read_text().split("\n")[0].split()


def kill_and_check(
    tmp_path: Path, four_steps: Path, unbroken: dict[int, float], points: list[int], resume_at: set[int]
) -> set[str]:
    """Kill a resumed run before each of ``points``; the run left must be resumable (and, at ``resume_at``,
    resume to the losses of an unbroken run). Returns the newest checkpoints seen."""
    from recurse.checkpoints.run_folder import read_counters
    from recurse.model.checkpoint import load_checkpoint

    newest_seen = set()
    for target in points:
        run = copy_run(four_steps, tmp_path, f"killed_{target}")
        result = subprocess.run(
            [sys.executable, str(KILLER), str(target), "-", "train", f"resume={run}", "training.max_steps=6"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=600,
        )
        assert result.returncode == -signal.SIGKILL, (target, result.stderr[-2000:])
        newest = latest_checkpoint(run)
        assert newest.name in ("step_4", "step_6"), (target, newest)
        assert read_counters(newest)["step"] == int(newest.name[5:]) and load_checkpoint(newest) is not None
        newest_seen.add(newest.name)
        if target in resume_at:
            resumed = run_recurse("train", f"resume={run}", "training.max_steps=6", cwd=tmp_path)
            assert "Traceback" not in resumed.stderr
            assert losses(run) == unbroken, f"kill point {target}: the resumed run differs from an unbroken one"
            steps = metric_steps(run)
            assert len(steps) == len(set(steps)), f"kill point {target}: duplicate lines in metrics.jsonl"
            assert not [p for p in (run / "checkpoints").iterdir() if p.name.startswith(".")], "staging left"
        shutil.rmtree(run)
    return newest_seen


def test_kill_at_each_kind_of_point_of_a_save_leaves_a_resumable_run(tmp_path, four_steps, unbroken):
    """The first point of each kind and the last four (publication, pruning, end); the slow test takes all."""
    kinds = save_points(tmp_path, four_steps)
    assert kinds[-1] == "end" and {"save_file", "replace", "fsync", "rename"} <= set(kinds), kinds
    chosen = sorted({kinds.index(kind) + 1 for kind in set(kinds)} | set(range(len(kinds) - 3, len(kinds) + 1)))
    last_before_publish = len(kinds) - kinds[::-1].index("rename")  # the rename of .step_6.tmp to step_6
    seen = kill_and_check(
        tmp_path, four_steps, unbroken, chosen, resume_at={last_before_publish, last_before_publish + 1}
    )
    assert seen == {"step_4", "step_6"}, "the kills fell both before and after the checkpoint was published"


@pytest.mark.slow
def test_kill_at_every_point_of_a_save_leaves_a_resumable_run(tmp_path, four_steps, unbroken):
    kinds = save_points(tmp_path, four_steps)
    every = list(range(1, len(kinds) + 1))
    assert kill_and_check(tmp_path, four_steps, unbroken, every, resume_at=set(every)) == {"step_4", "step_6"}


def test_resume_from_a_copy_in_another_directory_writes_only_into_the_copy(tmp_path, four_steps, unbroken):
    original = copy_run(four_steps, tmp_path, "original")
    before = tree(original)
    copy = copy_run(original, tmp_path, "copy")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run_recurse("train", f"resume={copy}", "training.max_steps=6", cwd=elsewhere)
    assert tree(original) == before, "resuming the copy changed the original"
    assert list(elsewhere.iterdir()) == [], "resuming wrote into the working directory"
    assert (copy / "checkpoints" / "step_6").is_dir() and losses(copy) == unbroken
    # The stored config now points at the copy; the original's own config still at itself.
    assert str(copy) in (copy / "config.yaml").read_text()
    assert filecmp.cmp(original / "config.yaml", four_steps / "config.yaml", shallow=False)


def test_a_second_trainer_on_a_folder_refuses_in_one_line(tmp_path, tiny_data):
    run = tmp_path / "shared"
    first = subprocess.Popen(
        [shutil.which("recurse"), *train_args(tiny_data, run, "training.max_steps=100000")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        preexec_fn=default_sigint,
    )
    try:
        deadline = time.monotonic() + 300
        while not (run / "metrics.jsonl").is_file():
            assert first.poll() is None and time.monotonic() < deadline, "the first trainer did not start"
            time.sleep(0.2)
        lines_before = (run / "metrics.jsonl").read_text().count("\n")
        second = run_recurse(*train_args(tiny_data, run, "training.max_steps=3"), cwd=tmp_path, check=False)
        assert_one_line(second, "is in use by another trainer")
        assert f"pid {first.pid}" in second.stderr
        third = run_recurse("train", f"resume={run}", cwd=tmp_path, check=False)
        assert third.returncode != 0 and "Traceback" not in third.stderr
        steps = metric_steps(run)
        assert len(steps) == len(set(steps)) and len(steps) >= lines_before, "only the first trainer writes"
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=300)
    assert not (run / "run.lock").exists(), "the first trainer releases the lock when it stops"


def test_a_stale_lock_is_taken_over_with_a_notice(tmp_path, four_steps):
    run = copy_run(four_steps, tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    import socket

    (run / "run.lock").write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname()}))
    result = run_recurse("train", f"resume={run}", "training.max_steps=5", cwd=tmp_path)
    assert f"taking over the stale lock of pid {dead.pid}" in result.stdout
    assert (run / "checkpoints" / "step_5").is_dir() and not (run / "run.lock").exists()


def test_a_read_only_run_folder_is_one_line(tmp_path, four_steps, tiny_data):
    run = copy_run(four_steps, tmp_path)
    # Root writes through permission bits; the immutable attribute stops root as well.
    as_root = os.geteuid() == 0
    if as_root and shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: no way to make a folder read-only")
    if as_root:
        subprocess.run(["chattr", "+i", str(run)], check=True)
    else:
        run.chmod(0o555)
    try:
        for args in (
            ["train", f"resume={run}", "training.max_steps=6"],
            train_args(tiny_data, run / "inner", "training.max_steps=2"),
        ):
            result = run_recurse(*args, cwd=tmp_path, check=False)
            assert_one_line(result, "cannot use run folder")
            assert "Permission denied" in result.stderr or "Operation not permitted" in result.stderr
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(run)], check=True)
        else:
            run.chmod(0o755)
    assert not (run / "checkpoints" / "step_6").exists()


def limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_file_size_limit_during_a_save_keeps_the_previous_checkpoint(tmp_path, four_steps, unbroken):
    run = copy_run(four_steps, tmp_path)
    before = tree(run / "checkpoints" / "step_4")
    # 200 kB: metrics.jsonl grows, the optimiser state (about 400 kB for this model) cannot be written.
    result = subprocess.run(
        [shutil.which("recurse"), "train", f"resume={run}", "training.max_steps=6"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        preexec_fn=limit_file_size(200_000),
    )
    assert_one_line(result, "could not save the checkpoint of step 6")
    assert "step_4 is intact" in result.stderr or "still" in result.stderr, result.stderr
    assert [p.name for p in (run / "checkpoints").iterdir() if p.name.startswith(".")] == []
    assert tree(run / "checkpoints" / "step_4") == before
    assert latest_checkpoint(run).name == "step_4"
    run_recurse("train", f"resume={run}", "training.max_steps=6", cwd=tmp_path)
    assert losses(run) == unbroken
    steps = metric_steps(run)
    assert len(steps) == len(set(steps))


def test_a_failed_first_save_says_to_start_again_not_to_resume(tmp_path, tiny_data):
    """With no checkpoint saved yet a resume would be refused, so the message does not advise one."""
    result = subprocess.run(
        [shutil.which("recurse"), *train_args(tiny_data, tmp_path / "run", "training.max_steps=2")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        preexec_fn=limit_file_size(200_000),
    )
    assert_one_line(result, "could not save the checkpoint of step 2")
    assert "nothing to resume" in result.stderr and "resume=" not in result.stderr, result.stderr
    assert not (tmp_path / "run" / "checkpoints").exists() or not any((tmp_path / "run" / "checkpoints").iterdir())


def test_stray_and_broken_checkpoint_folders(tmp_path, four_steps, unbroken):
    run = copy_run(four_steps, tmp_path)
    (run / "checkpoints" / "step_abc").mkdir()
    broken = run / "checkpoints" / "step_5"
    shutil.copytree(run / "checkpoints" / "step_4", broken)
    (broken / "training_state.safetensors").write_bytes(b"\0" * 10)
    puzzle = TASK.format(TASK.generate(np.random.default_rng(3))[0])
    result = run_recurse("solve", str(run), puzzle, "--json", cwd=tmp_path)
    assert json.loads(result.stdout)["puzzle"] == puzzle and "Traceback" not in result.stderr
    resumed = run_recurse("train", f"resume={run}", "training.max_steps=6", cwd=tmp_path)
    notices = [line for line in resumed.stderr.splitlines() if "skipping incomplete checkpoint" in line]
    assert len(notices) == 1 and "step_5" in notices[0] and "using step_4" in notices[0], resumed.stderr
    assert losses(run) == unbroken


def test_a_corrupt_newest_training_state_falls_back_to_the_previous_checkpoint(tmp_path, four_steps, unbroken):
    run = copy_run(four_steps, tmp_path)
    counters = run / "checkpoints" / "step_4" / "training_state.json"
    record = json.loads(counters.read_text())
    shared = run / "checkpoints" / "step_4" / "training_state.safetensors"
    from safetensors.torch import load_file, save_file

    tensors = load_file(str(shared))
    name = next(k for k in tensors if k.startswith("adam.") and tensors[k].dim() == 2)
    tensors[name] = tensors[name][:1]  # a size mismatch the header alone does not reveal
    save_file(tensors, str(shared))
    assert json.loads(counters.read_text()) == record
    result = run_recurse("train", f"resume={run}", "training.max_steps=6", cwd=tmp_path)
    assert "cannot resume from step_4" in result.stdout and "falling back to step_2" in result.stdout
    assert "training_state.safetensors" in result.stdout
    assert losses(run) == unbroken


def test_a_nan_loss_stops_training_without_saving(tmp_path, four_steps):
    from safetensors.numpy import load_file, save_file

    run = copy_run(four_steps, tmp_path)
    # Output weights at the edge of float32 are finite (so the checkpoint loads) but make the logits overflow:
    # the next loss is not a number. Training resumes from the weights in the training state.
    state_file = latest_checkpoint(run) / "training_state.safetensors"
    state = load_file(state_file)
    state["model.lm_head.weight"] = np.full_like(state["model.lm_head.weight"], 3e38)
    save_file(state, state_file)
    before = tree(run / "checkpoints")
    result = run_recurse("train", f"resume={run}", "training.max_steps=20", cwd=tmp_path, check=False)
    assert_one_line(result, "training stopped without saving")
    message = result.stderr.strip()
    assert message.startswith("Error: step ") and ("the loss is" in message or "gradient norm is" in message)
    assert "step_4" in message
    assert tree(run / "checkpoints") == before, "nothing new was saved"


def test_resume_cannot_move_a_run(tmp_path, four_steps):
    run = copy_run(four_steps, tmp_path)
    result = run_recurse("train", f"resume={run}", f"out_dir={tmp_path / 'other'}", cwd=tmp_path, check=False)
    assert_one_line(result, "a resumed run stays in")
    assert not (tmp_path / "other").exists()


def test_a_name_cannot_leave_the_runs_folder(tmp_path, tiny_data):
    for name in ("../escape", "/tmp/escape", "a/b"):
        result = run_recurse(
            "train",
            "recipe=trm-sudoku-mini",
            *FAST,
            f"data.path={tiny_data}",
            f"name={name}",
            "training.max_steps=1",
            cwd=tmp_path,
            check=False,
        )
        assert_one_line(result, "must be a plain folder name")
    assert not (tmp_path / "runs").exists() and not (tmp_path.parent / "escape").exists()


def test_another_recipe_in_an_existing_run_folder_is_refused(tmp_path, four_steps):
    run = copy_run(four_steps, tmp_path)
    result = run_recurse(
        "train", "recipe=trm-maze-mini", f"out_dir={run}", "training.max_steps=1", cwd=tmp_path, check=False
    )
    assert_one_line(result, "use another name= or out_dir=, or resume=")
    assert "trm-sudoku-mini" in result.stderr

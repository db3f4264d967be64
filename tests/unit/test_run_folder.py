"""Run folders: which checkpoints count, the lock, names that stay inside runs/, recipe ownership, and
the atomic publication of a checkpoint folder."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from recurse.checkpoints.run_folder import (
    check_run_name,
    checkpoint_folders,
    latest_checkpoint,
    prune_checkpoints,
    step_folder,
)
from recurse.errors import ConfigError, RecurseError
from recurse.training import checkpoint_writer
from recurse.training.lock import LOCK_NAME, RunFolderError, RunLock
from recurse.training.logger import RunLogger
from tests.helpers import fake_checkpoint


def test_stray_and_temporary_folders_are_not_checkpoints(tmp_path):
    fake_checkpoint(tmp_path, 5)
    for name in ("step_abc", ".step_9.tmp", "step_", "step_7x"):
        (tmp_path / "checkpoints" / name).mkdir()
    (tmp_path / "checkpoints" / "step_8").write_text("a file, not a folder")
    assert [p.name for p in checkpoint_folders(tmp_path)] == ["step_5"]
    assert latest_checkpoint(tmp_path).name == "step_5"


@pytest.mark.parametrize(
    "damage", ["missing weights", "truncated weights", "bad counters", "counters without keys", "missing rank file"]
)
def test_the_newest_complete_checkpoint_is_taken_with_one_notice(tmp_path, damage):
    fake_checkpoint(tmp_path, 100)
    broken = fake_checkpoint(tmp_path, 200)
    if damage == "missing weights":
        (broken / "model.safetensors").unlink()
    elif damage == "truncated weights":
        data = (broken / "model.safetensors").read_bytes()
        (broken / "model.safetensors").write_bytes(data[:-3])
    elif damage == "bad counters":
        (broken / "training_state.json").write_text("{not json")
    elif damage == "counters without keys":
        (broken / "training_state.json").write_text("{}")
    else:
        (broken / "training_state.rank0.safetensors").unlink()
    notices = []
    assert latest_checkpoint(tmp_path, notice=notices.append).name == "step_100"
    assert len(notices) == 1 and "step_200" in notices[0] and "using step_100" in notices[0], notices


def test_no_complete_checkpoint_is_one_error(tmp_path):
    (tmp_path / "checkpoints" / "step_3").mkdir(parents=True)
    with pytest.raises(RecurseError, match="no complete checkpoint"):
        latest_checkpoint(tmp_path)


def test_pruning_never_removes_the_last_complete_checkpoint(tmp_path):
    for step in (1, 2, 3):
        fake_checkpoint(tmp_path, step)
    (step_folder(tmp_path, 4)).mkdir()  # a newer, broken one must not push the complete ones out
    prune_checkpoints(tmp_path, keep_last=1, best_step=None)
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["step_3", "step_4"]
    assert latest_checkpoint(tmp_path).name == "step_3"


def test_publish_swaps_in_a_complete_folder_and_leftovers_are_cleaned(tmp_path):
    staging = checkpoint_writer.begin(tmp_path, 7)
    assert staging.name == ".step_7.tmp" and not checkpoint_folders(tmp_path)
    (staging / "config.json").write_text("{}")
    final = checkpoint_writer.publish(staging, 7)
    assert final == step_folder(tmp_path, 7) and (final / "config.json").read_text() == "{}"
    assert not staging.exists()
    # A save of the same step again replaces it.
    staging = checkpoint_writer.begin(tmp_path, 7)
    (staging / "config.json").write_text('{"again": 1}')
    checkpoint_writer.publish(staging, 7)
    assert json.loads((final / "config.json").read_text()) == {"again": 1}
    # A kill between the two renames of a swap: the set-aside checkpoint comes back; a staging folder goes.
    os.rename(final, final.with_name(".step_7.old"))
    checkpoint_writer.begin(tmp_path, 8)
    checkpoint_writer.clean_leftovers(tmp_path)
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["step_7"]


def test_a_second_lock_on_a_folder_is_refused_in_one_line(tmp_path):
    first = RunLock(tmp_path).acquire()
    owner = json.loads((tmp_path / LOCK_NAME).read_text())
    assert owner["pid"] == os.getpid() and owner["host"] == socket.gethostname()
    with pytest.raises(RunFolderError, match="in use by another trainer") as error:
        RunLock(tmp_path).acquire()
    assert "\n" not in str(error.value) and str(os.getpid()) in str(error.value)
    first.release()
    assert not (tmp_path / LOCK_NAME).exists()
    RunLock(tmp_path).acquire().release()  # free again


def test_a_stale_lock_of_a_dead_process_is_taken_over_with_a_notice(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname()}))
    notices = []
    lock = RunLock(tmp_path, notice=notices.append).acquire()
    assert len(notices) == 1 and f"pid {dead.pid}" in notices[0] and "no longer running" in notices[0]
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()
    lock.release()


def test_a_lock_from_another_host_is_not_taken_over(tmp_path):
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": 1, "host": "elsewhere.example"}))
    with pytest.raises(RunFolderError, match="another host"):
        RunLock(tmp_path).acquire()


def test_a_run_folder_under_a_file_is_one_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunFolderError, match="cannot use run folder"):
        RunLock(tmp_path / "file" / "run").acquire()


@pytest.mark.parametrize("name", ["..", "../x", "a/b", "/etc", "", ".", "a\\b"])
def test_names_cannot_leave_the_runs_folder(name):
    with pytest.raises(ConfigError, match="plain folder name"):
        check_run_name(name)


def test_plain_names_are_kept():
    assert check_run_name("trm-sudoku-mini.v2") == "trm-sudoku-mini.v2"


def test_metrics_after_the_resumed_step_are_dropped(tmp_path):
    from recurse.config import LoggingConfig

    logger = RunLogger(tmp_path, LoggingConfig(plot=False))
    for step in (1, 2, 3, 4):
        logger.write({"kind": "train", "step": step, "loss": 1.0})
    logger.write({"kind": "eval", "step": 2})
    with open(tmp_path / "metrics.jsonl", "a") as handle:
        handle.write('{"kind": "train", "st')  # a line cut short by a kill
    logger.drop_after(2)
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [(r["kind"], r["step"]) for r in records] == [("train", 1), ("train", 2), ("eval", 2)]


def test_recipe_copy_takes_its_name_from_the_file(tmp_path):
    from recurse.cli.main import cli
    from recurse.recipe import load_recipe

    result = CliRunner().invoke(cli, ["recipes", "copy", "trm-sudoku-mini", str(tmp_path / "my.yaml")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "my.yaml").read_text()
    assert "\nname: my\n" in text and "name: trm-sudoku-mini" not in text
    assert text.startswith("#")  # the header comment is kept
    config = load_recipe(str(tmp_path / "my.yaml"))
    assert config.name == "my" and config.run_dir == "runs/my"


def test_a_folder_of_another_recipe_or_task_is_refused(tmp_path):
    import yaml

    from recurse.checkpoints.run_folder import check_same_recipe
    from recurse.recipe import load_recipe

    sudoku = load_recipe("trm-sudoku-mini")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(sudoku.model_dump(mode="json")))
    check_same_recipe(tmp_path, sudoku)  # the same recipe may train there again
    with pytest.raises(ConfigError, match="use another name= or out_dir=, or resume=") as error:
        check_same_recipe(tmp_path, load_recipe("trm-maze-mini"))
    assert "trm-sudoku-mini" in str(error.value) and "\n" not in str(error.value)
    other_task = load_recipe("trm-sudoku-mini", ["data.task.box_cols=2"])
    with pytest.raises(ConfigError, match="holds a run of"):
        check_same_recipe(tmp_path, other_task)


def test_solver_lookup_skips_a_broken_newest_checkpoint_with_a_warning(tmp_path, caplog):
    from recurse.errors import CheckpointError
    from recurse.hub.source import find_checkpoint_folder

    fake_checkpoint(tmp_path, 10)
    broken = fake_checkpoint(tmp_path, 20)
    (broken / "model.safetensors").write_bytes(b"\1\0\0\0")
    (tmp_path / "checkpoints" / "step_abc").mkdir()
    with caplog.at_level("WARNING"):
        assert find_checkpoint_folder(tmp_path).name == "step_10"
    warnings = [r.getMessage() for r in caplog.records if "skipping incomplete checkpoint" in r.getMessage()]
    assert len(warnings) == 1 and "step_20" in warnings[0]
    with pytest.raises(CheckpointError, match="holds no checkpoint"):
        find_checkpoint_folder(tmp_path / "checkpoints" / "step_abc")

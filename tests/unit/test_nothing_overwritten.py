"""Nothing recurse did not make is deleted or written through: dataset destinations and run-folder files.

A build replaces only a dataset that recurse built (``manifest.json``), and only by a rename; any other
folder, a file, the working folder and the root are refused before any work. The files of a run folder
(``run.lock``, ``metrics.jsonl``) are opened without following links, so a link cannot redirect a write
outside the folder, and a FIFO in their place is refused rather than blocking.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from recurse.config import DataConfig
from recurse.data.prepare import build_from_config
from recurse.errors import DatasetError, RecurseError
from recurse.store.writer import destination
from recurse.training.lock import LOCK_NAME, RunFolderError, RunLock


def _config(path: Path | str) -> DataConfig:
    return DataConfig.model_validate(
        {
            "task": {"kind": "sudoku", "box_rows": 2, "box_cols": 2},
            "path": str(path),
            "build": {"train_size": 4, "test_size": 2, "num_aug": 0},
        }
    )


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "kept",
    [{"notes.txt": b"mine"}, {"train/dataset.json": b"{}", "identifiers.json": b"[]"}],
    ids=["a folder of the user's", "an official dataset (no manifest.json)"],
)
def test_a_build_into_a_folder_recurse_did_not_make_is_refused_and_touches_nothing(tmp_path, kept):
    folder = tmp_path / "data"
    for name, content in kept.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    with pytest.raises(DatasetError, match="not a dataset built by recurse") as error:
        build_from_config(_config(folder), progress=False)
    assert "\n" not in str(error.value)
    assert _tree(folder) == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no staging folder left


def test_a_dataset_recurse_built_is_replaced_whole(tmp_path):
    folder = tmp_path / "data"
    first = build_from_config(_config(folder), progress=False)
    (folder / "train" / "stray.npy").write_bytes(b"left by an older build")
    config = _config(folder)
    config.build.seed = 1
    second = build_from_config(config, progress=False)
    assert first["fingerprint"] != second["fingerprint"]
    assert json.loads((folder / "manifest.json").read_text())["fingerprint"] == second["fingerprint"]
    assert not (folder / "train" / "stray.npy").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # nothing left beside it


def test_an_empty_folder_is_built_into(tmp_path):
    (tmp_path / "data").mkdir()
    build_from_config(_config(tmp_path / "data"), progress=False)
    assert (tmp_path / "data" / "manifest.json").is_file()


@pytest.mark.parametrize("where", [".", "/", "..", "file", "link"])
def test_destinations_that_are_not_new_folders_are_refused(tmp_path, monkeypatch, where):
    work = tmp_path / "work"
    work.mkdir()
    (work / "file").write_text("mine")
    (work / "link").symlink_to(tmp_path)
    monkeypatch.chdir(work)
    before = _tree(tmp_path)
    with pytest.raises(DatasetError):
        destination(where)  # the check every build (data build, train, hub:) makes before any work
    if where != "file":  # a file is refused by the config itself
        with pytest.raises(DatasetError):
            build_from_config(_config(where), progress=False)
    assert _tree(tmp_path) == before


def test_a_linked_run_lock_is_refused_and_its_target_untouched(tmp_path):
    run, outside = tmp_path / "run", tmp_path / "precious.txt"
    run.mkdir()
    outside.write_text("keep me")
    (run / LOCK_NAME).symlink_to(outside)
    with pytest.raises(RunFolderError, match="symbolic link") as error:
        RunLock(run).acquire()
    assert "\n" not in str(error.value) and outside.read_text() == "keep me"
    (run / LOCK_NAME).unlink()
    (run / LOCK_NAME).symlink_to(tmp_path / "created-outside")  # dangling
    with pytest.raises(RunFolderError, match="symbolic link"):
        RunLock(run).acquire()
    assert not (tmp_path / "created-outside").exists()


def test_a_fifo_run_lock_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / LOCK_NAME)
    with pytest.raises(RunFolderError, match="not a plain file"):
        RunLock(tmp_path).acquire()


@pytest.mark.parametrize("pid", ['"abc"', "[1]", "1e30", "-5", "true", "null"])
def test_a_lock_with_a_corrupt_pid_is_taken_over_with_a_notice(tmp_path, pid):
    (tmp_path / LOCK_NAME).write_text(f'{{"pid": {pid}, "host": "elsewhere.example"}}')
    notices = []
    lock = RunLock(tmp_path, notice=notices.append).acquire()
    assert len(notices) == 1 and "no valid process id" in notices[0]
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()
    lock.release()


def test_a_linked_metrics_file_is_not_appended_to(tmp_path):
    from recurse.config import LoggingConfig
    from recurse.training.logger import RunLogger

    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.jsonl").symlink_to(outside)
    with pytest.raises(RecurseError, match="symbolic link"):
        RunLogger(run, LoggingConfig()).write({"step": 1, "loss": 1.0})
    assert outside.read_text() == "keep me"


def test_a_training_run_into_a_users_data_folder_is_one_line(tmp_path):
    """Through ``recurse train data.path=DIR``: the same refusal, before a trainer or a run folder exists."""
    data = tmp_path / "mine"
    data.mkdir()
    (data / "notes.txt").write_text("mine")
    result = subprocess.run(
        [
            "recurse",
            "train",
            "recipe=trm-sudoku-mini",
            f"data.path={data}",
            f"out_dir={tmp_path / 'run'}",
            "data.task.box_cols=2",
            "data.build.train_size=4",
            "data.build.test_size=2",
            "training.max_steps=1",
            "runtime.threads=1",
        ],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert (
        result.stderr.strip().splitlines()[-1].startswith("Error:")
        and "not a dataset built by recurse" in result.stderr
    )
    assert _tree(data) == {"notes.txt": b"mine"}


def test_a_link_where_the_build_stages_is_removed_not_followed(tmp_path):
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    (tmp_path / ".data.building").symlink_to(kept)
    build_from_config(_config(tmp_path / "data"), progress=False)
    assert (tmp_path / "data" / "manifest.json").is_file() and _tree(kept) == {"notes.txt": b"mine"}

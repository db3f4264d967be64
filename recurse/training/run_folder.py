"""A run folder on disk: ``config.yaml`` (the resolved config) and ``checkpoints/step_N``; finding the
checkpoint to resume from, and pruning the ones no longer kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from recurse.config import RunConfig
from recurse.errors import RecurseError

CHECKPOINTS = "checkpoints"
CONFIG = "config.yaml"


def write_run_config(run_dir: Path, resolved: dict) -> None:
    (Path(run_dir) / CONFIG).write_text(yaml.safe_dump(resolved, sort_keys=False))


def step_folder(run_dir: Path, step: int) -> Path:
    return Path(run_dir) / CHECKPOINTS / f"step_{step}"


def checkpoint_folders(run_dir: str | Path) -> list[Path]:
    """The ``checkpoints/step_N`` folders of a run, oldest first (by step, not by name)."""
    return sorted((Path(run_dir) / CHECKPOINTS).glob("step_*"), key=lambda p: int(p.name[len("step_"):]))


def prune_checkpoints(run_dir: Path, *, keep_last: int, best_step: int | None) -> None:
    """Delete all checkpoints but the last ``keep_last`` and the best one."""
    folders = checkpoint_folders(run_dir)
    keep = {f.name for f in folders[-keep_last:]}
    if best_step is not None:
        keep.add(step_folder(run_dir, best_step).name)
    for folder in folders:
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def latest_checkpoint(run_dir: Path) -> Path:
    folders = checkpoint_folders(run_dir)
    if not folders:
        raise RecurseError(f"no checkpoints in {Path(run_dir) / CHECKPOINTS}; nothing to resume")
    return folders[-1]


def resume_config(run_dir: Path) -> RunConfig:
    """The config a run was started with, to continue it."""
    from recurse.config import validate_config

    path = Path(run_dir) / CONFIG
    if not path.is_file():
        raise RecurseError(f"{path} not found; is {run_dir} a recurse run folder?")
    return validate_config(RunConfig, yaml.safe_load(path.read_text()), source=str(path))

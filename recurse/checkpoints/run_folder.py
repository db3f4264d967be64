"""A run folder on disk: ``config.yaml`` (the resolved config), ``metrics.jsonl`` and ``checkpoints/step_N``.

Where a run writes is decided here, once: a new run by ``out_dir`` (or ``runs/<name>``), a resumed run by
the folder it resumes, whatever its stored config says. A checkpoint is a ``step_N`` folder that is either
complete or absent: it is written under a hidden temporary name and renamed into place as the last act
(``recurse.training.checkpoint_writer``), and readers take the newest *complete* one.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from recurse.checkpoints.checks import read_safetensors_header
from recurse.checkpoints.document import WEIGHTS_NAME, read_document
from recurse.config import RunConfig
from recurse.errors import CheckpointError, ConfigError, RecurseError
from recurse.io import not_found

log = logging.getLogger(__name__)

CHECKPOINTS = "checkpoints"
CONFIG = "config.yaml"
STEP_PATTERN = re.compile(r"step_(\d+)")
# Written by recurse.training.state; named here too so that completeness needs no torch-heavy import.
COUNTERS = "training_state.json"
SHARED_STATE = "training_state.safetensors"
COUNTER_KEYS = ("step", "iteration", "batch_index")


def write_run_config(run_dir: Path, resolved: dict) -> None:
    from recurse.io import atomic_path

    with atomic_path(Path(run_dir) / CONFIG) as tmp:
        tmp.write_text(yaml.safe_dump(resolved, sort_keys=False))


def step_folder(run_dir: Path, step: int) -> Path:
    return Path(run_dir) / CHECKPOINTS / f"step_{step}"


def checkpoint_folders(run_dir: str | Path) -> list[Path]:
    """The ``checkpoints/step_N`` folders of a run, oldest first (by step, not by name).

    Anything else in ``checkpoints/`` (a temporary folder of a save in progress, a stray ``step_abc``) is
    not a checkpoint and is ignored.
    """
    root = Path(run_dir) / CHECKPOINTS
    if not root.is_dir():
        return []
    folders = [p for p in root.iterdir() if STEP_PATTERN.fullmatch(p.name) and p.is_dir()]
    return sorted(folders, key=lambda p: int(p.name[len("step_") :]))


def rank_state_name(rank: int) -> str:
    return f"training_state.rank{rank}.safetensors"


def checkpoint_problem(folder: Path, *, training: bool = True) -> str | None:
    """Why ``folder`` is not a complete checkpoint, or None when it is.

    Complete means the expected files exist and parse: ``config.json`` and the weights' header, and with
    ``training`` also the counters (with their keys) and every rank's training-state header.
    """
    try:
        read_document(folder)
        read_safetensors_header(folder / WEIGHTS_NAME)
        if training:
            counters = read_counters(folder)
            read_safetensors_header(folder / SHARED_STATE)
            for rank in range(int(counters.get("world_size", 1))):
                read_safetensors_header(folder / rank_state_name(rank))
    except FileNotFoundError as error:
        return f"{Path(error.filename).name} is missing"
    except (CheckpointError, OSError, ValueError) as error:
        return str(error)
    return None


def read_counters(folder: Path) -> dict:
    """The step counters of a checkpoint; a ``CheckpointError`` naming the file when they are unusable."""
    path = folder / COUNTERS
    if not path.is_file():
        raise CheckpointError(f"{path} {not_found(path)}; this checkpoint cannot be resumed")
    try:
        counters = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{path} is not valid JSON ({error})") from None
    if not isinstance(counters, dict) or any(not isinstance(counters.get(k), int) for k in COUNTER_KEYS):
        raise CheckpointError(f"{path} lacks the step counters ({', '.join(COUNTER_KEYS)})")
    return counters


def complete_checkpoints(
    run_dir: Path, *, training: bool = True, notice: Callable[[str], None] | None = None
) -> list[Path]:
    """The complete checkpoints of a run, oldest first; ``notice`` hears once about broken newer ones."""
    complete: list[Path] = []
    broken: list[tuple[Path, str]] = []
    for folder in checkpoint_folders(run_dir):
        problem = checkpoint_problem(folder, training=training)
        if problem is None:
            complete.append(folder)
            broken.clear()  # only the broken ones newer than a complete one are skipped over
        else:
            broken.append((folder, problem))
    if broken and notice is not None:
        folder, problem = broken[-1]
        fallback = f"using {complete[-1].name}" if complete else "no complete checkpoint is left"
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        notice(f"skipping incomplete checkpoint {folder}{more}: {problem}; {fallback}")
    return complete


def latest_checkpoint(run_dir: Path, *, notice: Callable[[str], None] | None = None) -> Path:
    """The newest complete checkpoint of a run, to resume from."""
    folders = complete_checkpoints(run_dir, notice=notice)
    if not folders:
        raise RecurseError(f"no complete checkpoint in {Path(run_dir) / CHECKPOINTS}; nothing to resume")
    return folders[-1]


def prune_checkpoints(run_dir: Path, *, keep_last: int, best_step: int | None) -> None:
    """Delete all complete checkpoints but the last ``keep_last`` and the best one.

    Only complete checkpoints count and are removed, so the newest complete one always stays; an
    incomplete folder is left for the user to look at (it is never read).
    """
    folders = complete_checkpoints(run_dir)
    keep = {f.name for f in folders[-keep_last:]}
    if best_step is not None:
        keep.add(step_folder(run_dir, best_step).name)
    for folder in folders:
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def resume_config(run_dir: Path) -> RunConfig:
    """The config a run was started with, to continue it in ``run_dir`` (wherever its config pointed)."""
    from recurse.config import validate_config

    path = Path(run_dir) / CONFIG
    if not path.is_file():
        raise RecurseError(f"{path} not found; is {run_dir} a recurse run folder?")
    try:
        raw = yaml.safe_load(path.read_text())
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path} is not valid YAML ({str(error).splitlines()[0]})") from None
    config = validate_config(RunConfig, raw, source=str(path))
    return config.model_copy(update={"out_dir": str(Path(run_dir).resolve())})


def check_run_name(name: str) -> str:
    """A run name is one plain folder name inside the runs folder: no separators, no ``..``, not absolute."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name or Path(name).is_absolute():
        raise ConfigError(
            f"name={name!r} must be a plain folder name (no '/', '..' or absolute path); "
            "use out_dir=PATH to put a run elsewhere"
        )
    return name


def run_dir_of(config: RunConfig) -> Path:
    """The absolute run folder of a new run: ``out_dir``, else ``runs/<name>``."""
    check_run_name(config.name)
    if config.out_dir:
        return Path(config.out_dir).expanduser().resolve()
    return (Path("runs") / config.name).resolve()


def check_same_recipe(run_dir: Path, config: RunConfig) -> None:
    """Refuse to start a run in a folder that holds a run of another recipe or task."""
    path = Path(run_dir) / CONFIG
    if not path.is_file():
        return
    try:
        previous = yaml.safe_load(path.read_text()) or {}
        recipe, task = previous.get("recipe"), previous.get("data", {}).get("task")
    except (yaml.YAMLError, UnicodeDecodeError, AttributeError):
        raise ConfigError(f"{path} exists but is not a readable run config; use another name= or out_dir=") from None
    ours = config.data.task.model_dump(mode="json")
    if recipe != config.recipe or task != ours:
        made = f"recipe {recipe!r}, task {(task or {}).get('kind') if isinstance(task, dict) else task!r}"
        raise ConfigError(
            f"{run_dir} holds a run of {made}, not of recipe {config.recipe!r}, task "
            f"{ours.get('kind')!r}; use another name= or out_dir=, or resume={run_dir} to continue it"
        )

"""Where a model comes from: a checkpoint folder, the best checkpoint of a run folder, a bundled model name
or a Hub repo id, resolved to one checkpoint folder. Training (``init_from``), evaluation, benchmarks and
the solver all find their weights through here."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from recurse.checkpoints.document import CONFIG_NAME
from recurse.checkpoints.run_folder import complete_checkpoints, read_counters, step_folder
from recurse.errors import CheckpointError

log = logging.getLogger(__name__)


def find_checkpoint_folder(path: Path) -> Path:
    """A checkpoint folder as given, or the best (else newest) complete checkpoint of a run folder.

    Incomplete or broken ``step_N`` folders (a save that was cut short) are skipped with a warning;
    other folders in ``checkpoints/`` are ignored.
    """
    if (path / CONFIG_NAME).is_file():
        return path
    folders = complete_checkpoints(path, training=False, notice=log.warning)
    if folders:
        best = _best_step(folders[-1])
        if best is not None and step_folder(path, best) in folders:
            return step_folder(path, best)
        return folders[-1]
    raise CheckpointError(f"{path} holds no checkpoint (no config.json, no complete checkpoints/step_*)")


def _best_step(folder: Path) -> int | None:
    try:
        best = read_counters(folder).get("best")
    except CheckpointError:
        return None
    return best.get("step") if isinstance(best, dict) and isinstance(best.get("step"), int) else None


def resolve_model(source: str | Path, *, revision: str | None = None, **hub_options: Any) -> Path:
    """A checkpoint folder for a folder, a run folder, a bundled model name or a Hub repo id.

    ``hub_options`` go to the download of a Hub repo (``cache_dir``, ``token``, ``force_download``,
    ``local_files_only``, ``download_options``); local folders and bundled names never ask the Hub."""
    from recurse.hub.repos import resolve_checkpoint
    from recurse.hub.zoo import bundled_model_path

    path = Path(source)
    if path.is_dir():
        return find_checkpoint_folder(path)
    bundled = bundled_model_path(str(source))
    if bundled is not None:
        return bundled
    return resolve_checkpoint(source, revision=revision, **hub_options)

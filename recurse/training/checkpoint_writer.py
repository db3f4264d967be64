"""Writing a checkpoint folder so that it is complete or invisible.

The files go into a hidden sibling (``checkpoints/.step_N.tmp``, which no reader takes for a checkpoint);
once all are written they are flushed to disk, and the folder is renamed to ``step_N`` as the last act.
A crash, a kill or a full disk at any point before the rename leaves the previous checkpoints as they
were and at most a temporary folder, which the next trainer on the folder removes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from recurse.checkpoints.run_folder import CHECKPOINTS, step_folder
from recurse.io import fsync_dir, fsync_tree

TMP_SUFFIX = ".tmp"
OLD_SUFFIX = ".old"


def staging_folder(run_dir: Path, step: int) -> Path:
    return Path(run_dir) / CHECKPOINTS / f".step_{step}{TMP_SUFFIX}"


def begin(run_dir: Path, step: int) -> Path:
    """An empty staging folder for the checkpoint of ``step`` (a leftover of an earlier attempt is removed)."""
    staging = staging_folder(run_dir, step)
    discard(staging)
    staging.mkdir(parents=True)
    return staging


def publish(staging: Path, step: int) -> Path:
    """Make the staged checkpoint durable and visible as ``step_N``, replacing one of the same step."""
    final = step_folder(staging.parent.parent, step)
    fsync_tree(staging)
    aside = final.with_name(f".{final.name}{OLD_SUFFIX}")
    if final.exists():  # the same step saved again (a resume stopped at once): keep the old one until the swap
        discard(aside)
        os.rename(final, aside)
    os.rename(staging, final)
    fsync_dir(final.parent)
    discard(aside)
    return final


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def clean_leftovers(run_dir: Path) -> None:
    """Remove staging folders of saves that never finished; restore a checkpoint set aside for a swap."""
    root = Path(run_dir) / CHECKPOINTS
    if not root.is_dir():
        return
    for path in root.iterdir():
        if not path.name.startswith(".step_"):
            continue
        if path.name.endswith(OLD_SUFFIX) and not (root / path.name[1 : -len(OLD_SUFFIX)]).exists():
            os.rename(path, root / path.name[1 : -len(OLD_SUFFIX)])  # the swap stopped halfway: undo it
        else:
            discard(path)

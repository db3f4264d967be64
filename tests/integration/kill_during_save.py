"""Run ``recurse`` and kill it with SIGKILL at the K-th write of a checkpoint save (K=0: only count them).

Usage: python kill_during_save.py K COUNT_FILE recurse-arguments...

Every call that changes the disk during ``Trainer.save`` is a kill point: creating a folder, writing a
safetensors file, renaming a file or folder into place, flushing, removing a folder, and the end of the
save. The process dies *before* the K-th such call runs, as a power cut or ``kill -9`` would leave it.
With K=0 nothing is killed and, for each save, a line naming its points in order is appended to
COUNT_FILE (e.g. ``mkdir save_file replace … end``).
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import recurse.model.checkpoint as checkpoint
import recurse.training.state as state
from recurse.training import trainer

target, count_file, arguments = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
seen = {"points": [], "inside": False}


def point(kind: str) -> None:
    if seen["inside"]:
        seen["points"].append(kind)
        if len(seen["points"]) == target:
            os.kill(os.getpid(), signal.SIGKILL)


def killable(function):
    def wrapper(*args, **kwargs):
        point(function.__name__)
        return function(*args, **kwargs)

    return wrapper


os.replace = killable(os.replace)
os.rename = killable(os.rename)
os.fsync = killable(os.fsync)
os.mkdir = killable(os.mkdir)
shutil.rmtree = killable(shutil.rmtree)
checkpoint.save_file = killable(checkpoint.save_file)
state.save_file = killable(state.save_file)
original_save = trainer.Trainer.save


def save(self, *args, **kwargs):
    seen["inside"], seen["points"] = True, []
    try:
        folder = original_save(self, *args, **kwargs)
        point("end")  # the save has returned: the last point
        return folder
    finally:
        seen["inside"] = False
        if target == 0:
            with open(count_file, "a") as handle:
                handle.write(" ".join(seen["points"]) + "\n")


trainer.Trainer.save = save

from recurse.cli.main import main  # noqa: E402  (after the patches, so that the CLI sees them)

sys.argv = ["recurse", *arguments]
main()

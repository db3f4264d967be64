"""Where models come from and where they go: the Hugging Face Hub, the bundled models, local folders.

``repos`` resolves a reference, downloads a snapshot and publishes with a card (its names are also
importable from ``recurse.hub`` itself), ``card`` builds model cards, ``zoo`` lists the bundled models
and ``source`` resolves any model reference to one checkpoint folder. Whether the Hub can be reached at all is :mod:`recurse.hub_network`, which the dataset
store asks too. The names of ``repos`` load on first use, so ``recurse.hub.zoo`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from recurse._moved import names_of

_REPOS = "recurse.hub.repos"
__all__ = [
    "CARD_NAME",
    "CONFIG_NAME",
    "MODEL_FILES",
    "WEIGHTS_NAME",
    "check_can_push",
    "download",
    "download_checkpoint",
    "is_repo_id",
    "push_to_hub",
    "resolve_checkpoint",
    "save_pretrained",
    "snapshot_commit",
    "split_reference",
    "upload",
]

if TYPE_CHECKING:
    from recurse.hub.repos import (
        CARD_NAME,
        CONFIG_NAME,
        MODEL_FILES,
        WEIGHTS_NAME,
        check_can_push,
        download,
        download_checkpoint,
        is_repo_id,
        push_to_hub,
        resolve_checkpoint,
        save_pretrained,
        snapshot_commit,
        split_reference,
        upload,
    )


__getattr__, __dir__ = names_of(__name__, _REPOS, tuple(__all__))

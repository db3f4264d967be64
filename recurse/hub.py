"""Finding a checkpoint by local folder or Hugging Face Hub repo id (through huggingface_hub's cache)."""

from __future__ import annotations

import os
from pathlib import Path

from recurse.checkpoint import CONFIG_NAME, WEIGHTS_NAME
from recurse.errors import CheckpointError


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() not in ("0", "", "false", "no")


def resolve_checkpoint(source: str | os.PathLike, *, revision: str | None = None) -> Path:
    """A local checkpoint folder as it is; otherwise ``source`` is a Hub repo id, downloaded (or taken
    from the cache) with ``snapshot_download``."""
    path = Path(source)
    if path.is_dir():
        return path
    text = str(source)
    if path.exists() or text.startswith((".", "/", "~")) or text.count("/") != 1:
        raise CheckpointError(f"{source} is neither a checkpoint folder nor a Hub repo id (owner/name)")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError

    try:
        return Path(snapshot_download(text, revision=revision, allow_patterns=[CONFIG_NAME, WEIGHTS_NAME, "README.md"]))
    except LocalEntryNotFoundError:
        why = "HF_HUB_OFFLINE is set" if _offline() else "the Hub cannot be reached"
        raise CheckpointError(f"{text} is not in the local Hugging Face cache and {why}; download it once with "
                              "network access (recurse hub pull)") from None
    except RepositoryNotFoundError:
        raise CheckpointError(f"{text}: no such model repository on the Hub (or it is private: log in first)") from None
    except RevisionNotFoundError:
        raise CheckpointError(f"{text}: revision {revision!r} does not exist") from None
    except Exception as error:  # noqa: BLE001  HTTP and connection errors come in many types
        raise CheckpointError(f"{text}: download failed ({str(error).splitlines()[0]})") from None

"""One file of a Hub dataset repo (a source of puzzles), downloaded or taken from the cache."""

from __future__ import annotations

from pathlib import Path

from recurse.errors import RecurseError


def hub_file(repo_id: str, filename: str, *, revision: str | None = None) -> Path:
    """Download (or reuse from the cache) one file of a Hub dataset through huggingface_hub."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    from recurse.hub_network import offline_mode, unreachable

    # Without network the client retries for tens of seconds: probe first and use the cache at once.
    local = not offline_mode() and unreachable() is not None
    try:
        return Path(hf_hub_download(repo_id, filename, repo_type="dataset", revision=revision, local_files_only=local))
    except LocalEntryNotFoundError:
        why = (
            "HF_HUB_OFFLINE is set and it is not cached"
            if offline_mode()
            else "the Hub cannot be reached and it is not cached"
        )
        raise RecurseError(
            f"cannot get {filename} of the dataset {repo_id}: {why}; download it where you have "
            "network access, or pass a local copy as the source"
        ) from None
    except Exception as error:  # noqa: BLE001  network and HTTP errors come in many types
        raise RecurseError(f"cannot download {filename} of the dataset {repo_id}: {error}") from None

"""The Hugging Face Hub side of checkpoints: download (cached, offline-aware), publish with a model card.

A recurse repo on the Hub holds ``config.json``, ``model.safetensors`` and ``README.md`` (the card).
Downloads go through ``hf_hub_download``, so they use and fill the standard cache, honour
``HF_ENDPOINT`` and ``HF_HUB_OFFLINE``, and work offline once cached.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from recurse.checkpoint import CONFIG_NAME, WEIGHTS_NAME, read_config
from recurse.errors import CheckpointError, RecurseError

CARD_NAME = "README.md"


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() not in ("0", "", "false", "no")


def is_repo_id(text: str) -> bool:
    parts = text.split("/")
    return len(parts) == 2 and all(parts) and not text.startswith((".", "/", "~"))


def resolve_checkpoint(source: str | os.PathLike, *, revision: str | None = None) -> Path:
    """A local checkpoint folder as it is; otherwise ``source`` is a Hub repo id whose files are
    downloaded (or taken from the cache) into one snapshot folder."""
    path = Path(source)
    if path.is_dir():
        return path
    text = str(source)
    if path.exists() or not is_repo_id(text):
        raise CheckpointError(f"{source} is neither a checkpoint folder nor a Hub repo id (owner/name)")
    return download(text, revision=revision)


def download(repo_id: str, *, revision: str | None = None) -> Path:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        config = hf_hub_download(repo_id, CONFIG_NAME, revision=revision)
        hf_hub_download(repo_id, WEIGHTS_NAME, revision=revision)
    except LocalEntryNotFoundError:
        why = "HF_HUB_OFFLINE is set" if _offline() else "the Hub cannot be reached"
        raise CheckpointError(f"{repo_id} is not in the local Hugging Face cache and {why}; download it once with "
                              f"network access: recurse hub pull {repo_id}") from None
    except RepositoryNotFoundError:
        raise CheckpointError(f"{repo_id}: no such model repository on the Hub (or it is private: log in with "
                              "`hf auth login`)") from None
    except RevisionNotFoundError:
        raise CheckpointError(f"{repo_id}: revision {revision!r} does not exist") from None
    except EntryNotFoundError as error:
        raise CheckpointError(f"{repo_id} is not a recurse model repository ({error})".splitlines()[0]) from None
    except Exception as error:  # noqa: BLE001  HTTP and connection errors come in many types
        raise CheckpointError(f"{repo_id}: download failed ({str(error).splitlines()[0]})") from None
    return Path(config).parent


def save_pretrained(checkpoint: str | Path, out: str | Path, *, repo_id: str | None = None) -> Path:
    """Copy a checkpoint's weights and config to ``out`` and write its model card."""
    from recurse.model_card import render_model_card

    checkpoint, out = Path(checkpoint), Path(out)
    document = read_config(checkpoint)
    out.mkdir(parents=True, exist_ok=True)
    for name in (CONFIG_NAME, WEIGHTS_NAME):
        if checkpoint.resolve() != out.resolve():
            shutil.copyfile(checkpoint / name, out / name)
    (out / CARD_NAME).write_text(render_model_card(document, checkpoint, repo_id=repo_id))
    return out


def push_to_hub(checkpoint: str | Path, repo_id: str, *, private: bool = False, token: str | None = None,
                commit_message: str | None = None) -> str:
    """Create (or reuse) ``repo_id`` and upload the checkpoint with a generated card; returns the URL."""
    import tempfile

    from huggingface_hub import HfApi

    if not is_repo_id(repo_id):
        raise RecurseError(f"{repo_id!r} is not a Hub repo id (owner/name)")
    if _offline():
        raise RecurseError("HF_HUB_OFFLINE is set; unset it to push to the Hub")
    api = HfApi(token=token)
    with tempfile.TemporaryDirectory() as staging:
        folder = save_pretrained(checkpoint, staging, repo_id=repo_id)
        try:
            url = api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
            api.upload_folder(repo_id=repo_id, folder_path=str(folder), repo_type="model",
                              commit_message=commit_message or "Upload recurse solver")
        except Exception as error:  # noqa: BLE001  auth, network and HTTP errors
            raise RecurseError(f"push to {repo_id} failed ({str(error).splitlines()[0]})") from None
    return str(url)

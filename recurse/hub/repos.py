"""The Hugging Face Hub side of checkpoints: resolve a reference, download a snapshot, publish with a card.

A recurse repo on the Hub holds ``config.json``, ``model.safetensors`` and ``README.md`` (the card).
Downloads go through ``snapshot_download`` restricted to those files, so they use and fill the standard
cache, honour ``HF_ENDPOINT``, ``HF_TOKEN`` and ``HF_HUB_OFFLINE``, and work offline once cached. A
reference may pin a revision as ``owner/name@revision``; the commit it resolved to is logged and is the
name of the returned snapshot folder.

Before asking the Hub anything, the endpoint is probed with one short TCP connection: without network
the client would otherwise retry for tens of seconds before failing.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from recurse.checkpoints.document import CONFIG_NAME, WEIGHTS_NAME, read_document
from recurse.errors import CheckpointError, ConfigError, RecurseError
from recurse.hub_network import endpoint, offline_mode, unreachable

log = logging.getLogger(__name__)

CARD_NAME = "README.md"
MODEL_FILES = [CONFIG_NAME, WEIGHTS_NAME, CARD_NAME]


def split_reference(text: str) -> tuple[str, str | None]:
    """``owner/name@revision`` → (``owner/name``, ``revision``); no ``@`` → (text, None)."""
    repo_id, at, revision = text.partition("@")
    return repo_id, (revision or None) if at else None


def is_repo_id(text: str) -> bool:
    parts = split_reference(text)[0].split("/")
    return len(parts) == 2 and all(parts) and not text.startswith((".", "/", "~"))


def _cache_hint(cache_dir: str | Path | None) -> str:
    from huggingface_hub import constants

    return str(cache_dir or constants.HF_HUB_CACHE)


def _alternatives() -> str:
    from recurse.hub.zoo import bundled_list

    return bundled_list()


def _cached_revisions(name: str, repo_type: str, cache_dir: str | Path | None) -> list[str]:
    """The branches and tags of ``name`` that the cache knows (for advice when another one is asked for)."""
    refs = Path(_cache_hint(cache_dir)) / f"{repo_type}s--{name.replace('/', '--')}" / "refs"
    return sorted(p.name for p in refs.iterdir() if p.is_file()) if refs.is_dir() else []


def snapshot_commit(folder: str | Path) -> str | None:
    """The commit a cached snapshot folder holds (its name, in the Hugging Face cache layout)."""
    folder = Path(folder)
    return folder.name if folder.parent.name == "snapshots" else None


def download(
    repo_id: str,
    *,
    revision: str | None = None,
    cache_dir: str | Path | None = None,
    token: str | bool | None = None,
    local_files_only: bool = False,
    force_download: bool = False,
    repo_type: str = "model",
    allow_patterns: list[str] | None = None,
    download_options: dict[str, Any] | None = None,
) -> Path:
    """The snapshot folder of ``repo_id`` at ``revision`` (``repo@revision`` also works) with only the
    files a checkpoint needs, downloaded or taken from the cache; the resolved commit is logged.

    ``download_options`` are more keyword arguments of ``huggingface_hub.snapshot_download`` (``proxies``,
    ``etag_timeout``, ``max_workers``, …); a name it does not take is a ``ConfigError``."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError

    passed_on = _download_options(snapshot_download, download_options or {})
    name, pinned = split_reference(repo_id)
    revision = revision or pinned
    what = f"{name}@{revision}" if revision else name
    kind = "dataset" if repo_type == "dataset" else "model"
    offline = local_files_only or offline_mode()
    reason = None if offline else unreachable()
    try:
        downloaded = snapshot_download(
            name,
            revision=revision,
            repo_type=repo_type,
            cache_dir=cache_dir,
            token=token,
            local_files_only=offline or reason is not None,
            force_download=force_download,
            allow_patterns=allow_patterns or MODEL_FILES,
            **passed_on,
        )
    except LocalEntryNotFoundError:
        if offline:
            why = "HF_HUB_OFFLINE is set" if offline_mode() else "local_files_only is set"
            advice = (
                "unset HF_HUB_OFFLINE" if offline_mode() else "allow downloads"
            ) + " where the Hub can be reached to download it"
        else:  # the probe failed, or it passed but the Hub then did not answer
            why = f"the Hub cannot be reached ({reason or endpoint() + ' did not answer'})"
            advice = "check the network (or HF_ENDPOINT) to download it"
        cached = _cached_revisions(name, repo_type, cache_dir)
        if cached:
            advice += f", or ask for a revision the cache has ({', '.join(f'{name}@{r}' for r in cached)})"
        extra = f", or use a bundled model instead: {_alternatives()}" if kind == "model" else ""
        raise CheckpointError(
            f"{what} is not in the local Hugging Face cache ({_cache_hint(cache_dir)}) and {why}; {advice}{extra}"
        ) from None
    except RepositoryNotFoundError:
        extra = f"; bundled models: {_alternatives()}" if kind == "model" else ""
        raise CheckpointError(
            f"{name}: no such {kind} repository on the Hub (or it is private: log in with "
            f"`hf auth login` or pass a token){extra}"
        ) from None
    except RevisionNotFoundError:
        raise CheckpointError(f"{name} has no revision {revision!r} (a branch, tag or commit)") from None
    except Exception as error:  # noqa: BLE001  HTTP and connection errors come in many types
        raise CheckpointError(f"{what}: download failed ({str(error).strip().splitlines()[0]})") from None
    folder = Path(downloaded)
    if reason is not None:
        log.warning(
            "the Hub cannot be reached (%s); using the cached %s (set HF_HUB_OFFLINE=1 to skip the check)", reason, what
        )
    log.info("%s is commit %s", what, snapshot_commit(folder) or "?")
    return folder


# Arguments of snapshot_download that recurse sets itself, and old ones that the current client ignores.
_OWN_OPTIONS = {
    "repo_id",
    "revision",
    "repo_type",
    "cache_dir",
    "token",
    "local_files_only",
    "force_download",
    "allow_patterns",
    "ignore_patterns",
    "local_dir",
}
_IGNORED_OPTIONS = {"resume_download"}  # deprecated by huggingface_hub: downloads always resume


def _download_options(snapshot_download: Any, options: dict[str, Any]) -> dict[str, Any]:
    """The ``options`` that ``snapshot_download`` accepts, or a ``ConfigError`` naming the first other one."""
    import inspect

    accepted = set(inspect.signature(snapshot_download).parameters) - _OWN_OPTIONS
    chosen = {}
    for key, value in options.items():
        if key in _IGNORED_OPTIONS:
            continue
        if key not in accepted:
            raise ConfigError(
                f"from_pretrained got an unknown option {key!r}; besides revision, cache_dir, token, "
                f"force_download and local_files_only it passes on: {', '.join(sorted(accepted))}"
            )
        chosen[key] = value
    return chosen


def download_checkpoint(repo_id: str, **options) -> Path:
    """:func:`download` of a model repo, checked to hold a recurse checkpoint."""
    folder = download(repo_id, **options)
    missing = [name for name in (CONFIG_NAME, WEIGHTS_NAME) if not (folder / name).is_file()]
    if missing:
        raise CheckpointError(
            f"{split_reference(repo_id)[0]} is not a recurse model repository (it has no {' or '.join(missing)})"
        )
    return folder


def resolve_checkpoint(source: str | os.PathLike, *, revision: str | None = None, **options) -> Path:
    """A local checkpoint folder as it is; otherwise ``source`` is a Hub repo id (``owner/name[@revision]``)
    whose checkpoint files are downloaded (or taken from the cache) into one snapshot folder."""
    path = Path(source)
    if path.is_dir():
        return path
    text = str(source)
    if path.exists() or not is_repo_id(text):
        from recurse.hub.zoo import bundled_hint

        raise CheckpointError(
            f"{source} is neither a checkpoint folder, a bundled model nor a Hub repo id "
            f"(owner/name); {bundled_hint(text)}"
        )
    return download_checkpoint(text, revision=revision, **options)


def save_pretrained(checkpoint: str | Path, out: str | Path, *, repo_id: str | None = None) -> Path:
    """Copy a checkpoint's weights and config to ``out`` and write its model card."""
    from recurse.hub.card import build_model_card

    checkpoint, out = Path(checkpoint), Path(out)
    document = read_document(checkpoint)
    out.mkdir(parents=True, exist_ok=True)
    for name in (CONFIG_NAME, WEIGHTS_NAME):
        if checkpoint.resolve() != out.resolve():
            shutil.copyfile(checkpoint / name, out / name)
    build_model_card(document, checkpoint, repo_id=repo_id).save(out / CARD_NAME)
    return out


def check_can_push(repo_id: str) -> None:
    if not is_repo_id(repo_id) or "@" in repo_id:
        raise RecurseError(f"{repo_id!r} is not a Hub repo id (owner/name)")
    if offline_mode():
        raise RecurseError("HF_HUB_OFFLINE is set; unset it to push to the Hub")
    reason = unreachable()
    if reason is not None:
        raise RecurseError(f"cannot push to {repo_id}: the Hub cannot be reached ({reason})")


def push_to_hub(
    checkpoint: str | Path,
    repo_id: str,
    *,
    private: bool | None = None,
    token: str | None = None,
    commit_message: str | None = None,
    branch: str | None = None,
    create_pr: bool = False,
    repo_type: str = "model",
) -> str:
    """Create (or reuse) ``repo_id`` and upload the checkpoint with a generated card; returns the commit URL."""
    import tempfile

    check_can_push(repo_id)
    with tempfile.TemporaryDirectory() as staging:
        folder = save_pretrained(checkpoint, staging, repo_id=repo_id)
        return upload(
            folder,
            repo_id,
            private=private,
            token=token,
            branch=branch,
            create_pr=create_pr,
            commit_message=commit_message or "Upload recurse solver",
            repo_type=repo_type,
        )


def upload(
    folder: Path,
    repo_id: str,
    *,
    commit_message: str,
    private: bool | None = None,
    token: str | None = None,
    branch: str | None = None,
    create_pr: bool = False,
    repo_type: str = "model",
    allow_patterns: list[str] | str | None = None,
    ignore_patterns: list[str] | str | None = None,
    delete_patterns: list[str] | str | None = None,
) -> str:
    """Create ``repo_id`` if needed and commit ``folder`` to it; returns the commit URL and logs the commit.

    ``allow_patterns``/``ignore_patterns`` choose the files of ``folder`` that are uploaded,
    ``delete_patterns`` the files of the repo that the same commit removes (``upload_folder``'s own)."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, private=private, exist_ok=True, repo_type=repo_type)
        if branch:
            api.create_branch(repo_id, branch=branch, repo_type=repo_type, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            folder_path=str(folder),
            repo_type=repo_type,
            revision=branch,
            commit_message=commit_message,
            create_pr=create_pr,
            allow_patterns=allow_patterns,
            ignore_patterns=ignore_patterns,
            delete_patterns=delete_patterns,
        )
    except Exception as error:  # noqa: BLE001  auth, network and HTTP errors
        raise RecurseError(f"push to {repo_id} failed ({str(error).strip().splitlines()[0]})") from None
    log.info("pushed %s to %s: commit %s", folder, repo_id, getattr(commit, "oid", "?"))
    return str(getattr(commit, "pr_url", None) or getattr(commit, "commit_url", commit))

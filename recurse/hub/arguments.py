"""The arguments of ``save_pretrained`` and ``push_to_hub``, checked before anything is written or sent.

The Hub methods take their arguments from people's code, so a wrong type, a folder that cannot be
written or a repo id that is not ``owner/name`` is a ``ConfigError`` (or a ``CheckpointError`` for a
folder that cannot be written) with one line, never a ``TypeError`` from deep inside a writer or a
half-written folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from recurse.errors import CheckpointError, ConfigError


def _flag(name: str, value: Any, *, optional: bool = False) -> None:
    if not (isinstance(value, bool) or (optional and value is None)):
        raise ConfigError(f"{name} is True or False{' (or None)' if optional else ''}, got {value!r}")


def _text(name: str, value: Any, *, optional: bool = False) -> None:
    if not ((isinstance(value, str) and value.strip()) or (optional and value is None)):
        raise ConfigError(f"{name} is {'None or ' if optional else ''}a non-empty string, got {value!r}")


def _shown(value: Any) -> str:
    """A value as messages echo it: repr, cut short (a user's string can be any length)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def check_repo_id(repo_id: Any) -> str:
    """``owner/name`` (no revision: a push goes to ``branch=``), or ``ConfigError``."""
    from recurse.hub.repos import is_repo_id

    if not isinstance(repo_id, str) or "@" in repo_id or not is_repo_id(repo_id):
        raise ConfigError(f"repo_id is a Hub repo id (owner/name), got {_shown(repo_id)}")
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        reason = str(error).splitlines()[0].replace(repo_id, "it")
        raise ConfigError(f"repo_id {_shown(repo_id)} is not a valid Hub repo id: {reason}") from None
    return repo_id


def check_fields(fields: Any) -> None:
    """``fields`` (replacements for top-level ``config.json`` fields) is None or a dict keyed by name."""
    if fields is not None and (not isinstance(fields, Mapping) or not all(isinstance(k, str) for k in fields)):
        raise ConfigError(f"fields is a dict of config.json fields (task, vocab, …), got {fields!r}")


def check_save_arguments(
    save_directory: Any, *, fields: Any = None, repo_id: Any = None, push_to_hub: Any = False
) -> Path:
    """The folder ``save_pretrained`` may write into (created here), after checking every argument."""
    if isinstance(save_directory, bool) or not isinstance(save_directory, (str, os.PathLike)):
        raise ConfigError(f"save_directory is a path (str or os.PathLike), got {save_directory!r}")
    if not str(save_directory).strip():
        raise ConfigError("save_directory is empty; name the folder to write")
    check_fields(fields)
    _flag("push_to_hub", push_to_hub)
    if push_to_hub:
        if repo_id is None:
            raise ConfigError("push_to_hub=True needs repo_id='owner/name'")
        check_repo_id(repo_id)
    elif repo_id is not None:
        _text("repo_id", repo_id)
    folder = Path(save_directory).expanduser()
    if folder.exists() and not folder.is_dir():
        raise CheckpointError(f"cannot save to {folder}: it is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CheckpointError(f"cannot save to {folder}: {error.strerror or error}") from None
    if not os.access(folder, os.W_OK):
        raise CheckpointError(f"cannot save to {folder}: the folder is not writable")
    return folder


def check_push_arguments(
    repo_id: Any,
    *,
    commit_message: Any = "Upload recurse solver",
    private: Any = None,
    token: Any = None,
    branch: Any = None,
    create_pr: Any = False,
    allow_patterns: Any = None,
    ignore_patterns: Any = None,
    delete_patterns: Any = None,
    **unknown: Any,
) -> str:
    """``repo_id`` once it and the other ``push_to_hub`` arguments are checked."""
    if unknown:
        raise ConfigError(f"push_to_hub takes no argument {next(iter(unknown))!r}")
    check_repo_id(repo_id)
    _text("commit_message", commit_message)
    _flag("private", private, optional=True)
    if not (token is None or isinstance(token, (str, bool))):
        raise ConfigError(f"token is a string, True/False or None, got {type(token).__name__}")
    _text("branch", branch, optional=True)
    _flag("create_pr", create_pr, optional=True)
    for name, patterns in (
        ("allow_patterns", allow_patterns),
        ("ignore_patterns", ignore_patterns),
        ("delete_patterns", delete_patterns),
    ):
        _patterns(name, patterns)
    return repo_id


def _patterns(name: str, value: Any) -> None:
    """File patterns as ``upload_folder`` takes them: None, one pattern, or a list of patterns."""
    if value is None or isinstance(value, str):
        return
    if not isinstance(value, (list, tuple)) or not all(isinstance(p, str) for p in value):
        raise ConfigError(f"{name} is a pattern or a list of patterns (strings), got {value!r}")


def check_card_kwargs(model_card_kwargs: Any) -> None:
    """``model_card_kwargs`` (metadata for the card's header) is None or a dict keyed by field name."""
    if model_card_kwargs is not None and (
        not isinstance(model_card_kwargs, Mapping) or not all(isinstance(k, str) for k in model_card_kwargs)
    ):
        raise ConfigError(
            f"model_card_kwargs is a dict of model card fields (language, tags, …), got {model_card_kwargs!r}"
        )

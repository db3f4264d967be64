"""``save_pretrained`` / ``from_pretrained`` / ``push_to_hub`` on the model, in the style of
``huggingface_hub.PyTorchModelHubMixin``.

The Hub's own mixin writes ``config.json`` as the constructor's keyword arguments; a recurse checkpoint's
``config.json`` also carries the task, vocabulary and puzzle-id map that make it usable on its own, so
the methods here keep the mixin's signatures (``revision``, ``cache_dir``, ``token``, ``local_files_only``,
``force_download``) and write the checkpoint format that ``Solver.from_pretrained`` and ``recurse solve``
read. ``huggingface_hub`` is imported only when a method runs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from recurse.checkpoints.document import CheckpointDocument
    from recurse.config import ModelConfig

T = TypeVar("T", bound="HubMixin")


class HubMixin:
    """Hub methods for a model that knows its ``ModelConfig`` (``model_config``) and the rest of its
    ``config.json`` (``checkpoint_document``: task, vocabulary, puzzle ids, dataset, metrics, …)."""

    model_config: ModelConfig | None = None
    checkpoint_document: CheckpointDocument | None = None

    def _document(self, config: ModelConfig | None, fields: dict[str, Any] | None) -> CheckpointDocument:
        from recurse.checkpoints.document import new_document
        from recurse.errors import CheckpointError

        config = config or self.model_config
        if config is None:
            raise CheckpointError("this model does not know its ModelConfig; pass config=… to save it")
        if self.checkpoint_document is None:
            return new_document(config, fields)
        return self.checkpoint_document.with_fields(fields).model_copy(update={"model": config})

    def save_pretrained(
        self,
        save_directory: str | os.PathLike[str],
        *,
        config: ModelConfig | None = None,
        fields: dict[str, Any] | None = None,
        repo_id: str | None = None,
        push_to_hub: bool = False,
        **push_to_hub_kwargs: Any,
    ) -> Path | str:
        """Write ``model.safetensors``, ``config.json`` and a model card (``README.md``) to ``save_directory``;
        with ``push_to_hub=True`` also upload it to ``repo_id`` and return the commit URL.

        ``fields`` replace fields of ``checkpoint_document`` (task, vocab, recipe, metrics, …) in what is written.
        """
        from safetensors import SafetensorError

        from recurse.errors import CheckpointError
        from recurse.hub.arguments import check_push_arguments, check_save_arguments
        from recurse.hub.repos import save_pretrained as write_card_folder
        from recurse.model.checkpoint import save_checkpoint

        folder = check_save_arguments(save_directory, fields=fields, repo_id=repo_id, push_to_hub=push_to_hub)
        target = check_push_arguments(repo_id, **push_to_hub_kwargs) if push_to_hub else None
        document = self._document(config, fields)
        try:
            save_checkpoint(folder, self, document.model, document)  # type: ignore[arg-type]
            write_card_folder(folder, folder, repo_id=repo_id)
        except (OSError, SafetensorError) as error:  # a full disk, a folder made read-only meanwhile
            reason = error.strerror if isinstance(error, OSError) else str(error).split(": ", 1)[-1]
            raise CheckpointError(f"cannot save to {folder}: {reason or error}") from None
        if target is not None:
            return self.push_to_hub(target, config=config, fields=fields, **push_to_hub_kwargs)
        return folder

    @classmethod
    def from_pretrained(
        cls: type[T],
        pretrained_model_name_or_path: str | os.PathLike[str],
        *,
        revision: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        force_download: bool = False,
        token: str | bool | None = None,
        local_files_only: bool = False,
        map_location: str = "cpu",
    ) -> T:
        """Load from a checkpoint or run folder, a bundled model name or a Hub repo id (``owner/name[@revision]``).

        The whole ``config.json`` is kept as ``checkpoint_document``; for a Hub download its ``hub`` records
        {repo_id, revision, commit}, the commit the revision resolved to.
        """
        from recurse.checkpoints.document import HubRecord
        from recurse.hub.repos import resolve_checkpoint, snapshot_commit, split_reference
        from recurse.hub.zoo import bundled_model_path
        from recurse.model.checkpoint import load_checkpoint

        source = str(pretrained_model_name_or_path)
        folder: Path | None
        if Path(source).is_dir():
            from recurse.hub.source import find_checkpoint_folder

            folder = find_checkpoint_folder(Path(source))  # a checkpoint folder, or the best one of a run
        else:
            folder = bundled_model_path(source)
        hub = None
        if folder is None:
            folder = resolve_checkpoint(
                source,
                revision=revision,
                cache_dir=cache_dir,
                force_download=force_download,
                token=token,
                local_files_only=local_files_only,
            )
            repo_id, pinned = split_reference(source)
            hub = HubRecord(repo_id=repo_id, revision=revision or pinned or "main", commit=snapshot_commit(folder))
        checkpoint = load_checkpoint(folder, map_location=map_location)
        model = checkpoint.refiner
        if not isinstance(model, cls):
            raise TypeError(f"{source} holds a {type(model).__name__}, not a {cls.__name__}")
        model.model_config = checkpoint.config
        model.checkpoint_document = checkpoint.document.model_copy(update={"hub": hub}) if hub else checkpoint.document
        return model

    def push_to_hub(
        self,
        repo_id: str,
        *,
        config: ModelConfig | None = None,
        fields: dict[str, Any] | None = None,
        commit_message: str = "Upload recurse solver",
        private: bool | None = None,
        token: str | None = None,
        branch: str | None = None,
        create_pr: bool = False,
    ) -> str:
        """Upload the model with its config and a generated card to ``repo_id`` (created if needed);
        returns the commit URL."""
        from recurse.hub.arguments import check_fields, check_push_arguments
        from recurse.hub.repos import push_to_hub
        from recurse.model.checkpoint import save_checkpoint

        check_push_arguments(
            repo_id, commit_message=commit_message, private=private, token=token, branch=branch, create_pr=create_pr
        )
        check_fields(fields)
        # Where it was downloaded from is not part of what is published.
        document = self._document(config, fields).model_copy(update={"hub": None})
        with tempfile.TemporaryDirectory() as staging:
            save_checkpoint(staging, self, document.model, document)  # type: ignore[arg-type]
            return push_to_hub(
                staging,
                repo_id,
                private=private,
                token=token,
                commit_message=commit_message,
                branch=branch,
                create_pr=create_pr,
            )

"""``save_pretrained`` / ``from_pretrained`` / ``push_to_hub`` on the model: ``huggingface_hub.ModelHubMixin``
with recurse's checkpoint format.

The mixin's hooks are overridden so the files stay what ``Solver.from_pretrained`` and ``recurse solve``
read: ``_save_pretrained`` writes ``model.safetensors``, the whole ``config.json`` document (task,
vocabulary, puzzle-id map, recipe, metrics, not only constructor arguments) and the model card;
``_from_pretrained`` rebuilds the model from that document. The public methods take the mixin's keyword
arguments and add recurse's own (``fields``, ``map_location``, ``allow_nonfinite``). ``from_pretrained``
is overridden as well: a bundled model name or a run folder is resolved here without asking the Hub, and
a download goes through recurse's reachability probe and one-line ``CheckpointError``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from huggingface_hub import ModelHubMixin

if TYPE_CHECKING:
    from huggingface_hub import ModelCard

    from recurse.checkpoints.document import CheckpointDocument
    from recurse.config import ModelConfig

T = TypeVar("T", bound="HubMixin")
Patterns = list[str] | str | None


@dataclass
class _Saving:
    """What one ``save_pretrained`` call writes, handed from the public method to the mixin's hook."""

    document: CheckpointDocument
    repo_id: str | None = None
    card: dict[str, Any] = field(default_factory=dict)


class HubMixin(ModelHubMixin, library_name="recurse", license="apache-2.0", tags=["recurse"]):
    """Hub methods for a model that knows its ``ModelConfig`` (``model_config``) and the rest of its
    ``config.json`` (``checkpoint_document``: task, vocabulary, puzzle ids, dataset, metrics, …)."""

    model_config: ModelConfig | None = None
    checkpoint_document: CheckpointDocument | None = None
    _saving: _Saving | None = None

    def _document(
        self, config: ModelConfig | dict[str, Any] | None, fields: dict[str, Any] | None
    ) -> CheckpointDocument:
        from recurse.checkpoints.document import new_document
        from recurse.config import ModelConfig
        from recurse.errors import CheckpointError

        if isinstance(config, dict):
            config = ModelConfig.model_validate(config)
        config = config or self.model_config
        if config is None:
            raise CheckpointError("this model does not know its ModelConfig; pass config=… to save it")
        if self.checkpoint_document is None:
            return new_document(config, fields)
        return self.checkpoint_document.with_fields(fields).model_copy(update={"model": config})

    def save_pretrained(  # type: ignore[override]
        self,
        save_directory: str | os.PathLike[str],
        *,
        config: ModelConfig | dict[str, Any] | None = None,
        repo_id: str | None = None,
        push_to_hub: bool = False,
        model_card_kwargs: dict[str, Any] | None = None,
        fields: dict[str, Any] | None = None,
        **push_to_hub_kwargs: Any,
    ) -> Path | str:
        """Write ``model.safetensors``, ``config.json`` and a model card (``README.md``) to ``save_directory``
        and return the folder; with ``push_to_hub=True`` also upload it to ``repo_id`` and return the commit URL.

        ``config`` replaces the model config (a ``ModelConfig`` or its dict), ``fields`` replace fields of
        ``checkpoint_document`` (task, vocab, recipe, metrics, …) in what is written. ``model_card_kwargs``
        are added to the card's metadata header (``ModelCardData`` fields: ``language``, ``tags``, …).
        ``push_to_hub_kwargs`` go to :meth:`push_to_hub` (``token``, ``private``, ``branch``, patterns, …).
        """
        from safetensors import SafetensorError

        from recurse.errors import CheckpointError
        from recurse.hub.arguments import check_card_kwargs, check_push_arguments, check_save_arguments

        folder = check_save_arguments(save_directory, fields=fields, repo_id=repo_id, push_to_hub=push_to_hub)
        check_card_kwargs(model_card_kwargs)
        target = check_push_arguments(repo_id, **push_to_hub_kwargs) if push_to_hub else None
        self._saving = _Saving(self._document(config, fields), repo_id, dict(model_card_kwargs or {}))
        try:
            super().save_pretrained(folder, model_card_kwargs=model_card_kwargs)
        except (OSError, SafetensorError) as error:  # a full disk, a folder made read-only meanwhile
            reason = error.strerror if isinstance(error, OSError) else str(error).split(": ", 1)[-1]
            raise CheckpointError(f"cannot save to {folder}: {reason or error}") from None
        finally:
            self._saving = None
        if target is not None:
            return self.push_to_hub(
                target, config=config, fields=fields, model_card_kwargs=model_card_kwargs, **push_to_hub_kwargs
            )
        return folder

    def _save_pretrained(self, save_directory: Path) -> None:
        """The mixin's hook: recurse's checkpoint files and the card, in ``save_directory``."""
        from recurse.hub.repos import CARD_NAME
        from recurse.model.checkpoint import save_checkpoint

        saving = self._saving or _Saving(self._document(None, None))
        save_checkpoint(save_directory, self, saving.document.model, saving.document)  # type: ignore[arg-type]
        self._card(saving, save_directory).save(save_directory / CARD_NAME)

    def _card(self, saving: _Saving, folder: Path) -> ModelCard:
        from recurse.hub.card import build_model_card

        return build_model_card(saving.document, folder, repo_id=saving.repo_id, metadata=saving.card)

    def generate_model_card(self, *args: Any, **kwargs: Any) -> ModelCard:
        """The card ``save_pretrained`` writes, for the model as it is now (``kwargs`` add card metadata)."""
        with tempfile.TemporaryDirectory() as folder:
            saving = _Saving(self._document(None, None), kwargs.pop("repo_id", None), kwargs)
            from recurse.model.checkpoint import save_checkpoint

            save_checkpoint(folder, self, saving.document.model, saving.document)  # type: ignore[arg-type]
            return self._card(saving, Path(folder))

    @classmethod
    def from_pretrained(
        cls: type[T],
        pretrained_model_name_or_path: str | os.PathLike[str],
        *,
        force_download: bool = False,
        token: str | bool | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        local_files_only: bool = False,
        revision: str | None = None,
        map_location: str = "cpu",
        strict: bool = True,
        allow_nonfinite: bool = False,
        **model_kwargs: Any,
    ) -> T:
        """Load from a checkpoint or run folder, a bundled model name or a Hub repo id (``owner/name[@revision]``).

        The Hub arguments are ``huggingface_hub``'s (``revision``, ``cache_dir``, ``token``, ``force_download``,
        ``local_files_only``); other keyword arguments go to ``snapshot_download`` (``proxies``,
        ``etag_timeout``, …). ``strict=False`` loads weights that lack or add tensors (with a warning naming
        them). The whole ``config.json`` is kept as ``checkpoint_document``; for a Hub download its ``hub``
        records {repo_id, revision, commit}, the commit the revision resolved to.
        """
        return cls._from_pretrained(
            model_id=str(pretrained_model_name_or_path),
            revision=revision,
            cache_dir=cache_dir,
            force_download=force_download,
            local_files_only=local_files_only,
            token=token,
            map_location=map_location,
            strict=strict,
            allow_nonfinite=allow_nonfinite,
            **model_kwargs,
        )

    @classmethod
    def _from_pretrained(
        cls: type[T],
        *,
        model_id: str,
        revision: str | None,
        cache_dir: str | os.PathLike[str] | None,
        force_download: bool,
        local_files_only: bool,
        token: str | bool | None,
        map_location: str = "cpu",
        strict: bool = True,
        allow_nonfinite: bool = False,
        **model_kwargs: Any,
    ) -> T:
        """The mixin's hook: resolve ``model_id`` to a checkpoint folder and rebuild the model from it."""
        from recurse.checkpoints.document import HubRecord
        from recurse.hub.repos import resolve_checkpoint, snapshot_commit, split_reference
        from recurse.hub.source import find_checkpoint_folder
        from recurse.hub.zoo import bundled_model_path
        from recurse.model.checkpoint import load_checkpoint

        folder: Path | None
        if Path(model_id).is_dir():
            folder = find_checkpoint_folder(Path(model_id))  # a checkpoint folder, or the best one of a run
        else:
            folder = bundled_model_path(model_id)
        hub = None
        if folder is None:
            folder = resolve_checkpoint(
                model_id,
                revision=revision,
                cache_dir=cache_dir,
                force_download=force_download,
                token=token,
                local_files_only=local_files_only,
                download_options=model_kwargs,
            )
            repo_id, pinned = split_reference(model_id)
            hub = HubRecord(repo_id=repo_id, revision=revision or pinned or "main", commit=snapshot_commit(folder))
        checkpoint = load_checkpoint(folder, map_location=map_location, strict=strict, allow_nonfinite=allow_nonfinite)
        model = checkpoint.refiner
        if not isinstance(model, cls):
            raise TypeError(f"{model_id} holds a {type(model).__name__}, not a {cls.__name__}")
        model.model_config = checkpoint.config
        model.checkpoint_document = checkpoint.document.model_copy(update={"hub": hub}) if hub else checkpoint.document
        return model

    def push_to_hub(  # type: ignore[override]
        self,
        repo_id: str,
        *,
        config: ModelConfig | dict[str, Any] | None = None,
        commit_message: str = "Upload recurse solver",
        private: bool | None = None,
        token: str | None = None,
        branch: str | None = None,
        create_pr: bool | None = None,
        allow_patterns: Patterns = None,
        ignore_patterns: Patterns = None,
        delete_patterns: Patterns = None,
        model_card_kwargs: dict[str, Any] | None = None,
        fields: dict[str, Any] | None = None,
    ) -> str:
        """Upload the model with its config and a generated card to ``repo_id`` (created if needed) in one
        commit; returns the commit URL (or the pull request's with ``create_pr``).

        ``allow_patterns``/``ignore_patterns`` choose which of the written files are uploaded;
        ``delete_patterns`` removes matching files from the repo in the same commit.
        """
        from recurse.hub.arguments import check_card_kwargs, check_fields, check_push_arguments
        from recurse.hub.repos import check_can_push, upload

        check_push_arguments(
            repo_id,
            commit_message=commit_message,
            private=private,
            token=token,
            branch=branch,
            create_pr=create_pr,
            allow_patterns=allow_patterns,
            ignore_patterns=ignore_patterns,
            delete_patterns=delete_patterns,
        )
        check_fields(fields)
        check_card_kwargs(model_card_kwargs)
        check_can_push(repo_id)
        # Where it was downloaded from is not part of what is published.
        document = self._document(config, fields).model_copy(update={"hub": None})
        with tempfile.TemporaryDirectory() as staging:
            self._saving = _Saving(document, repo_id, dict(model_card_kwargs or {}))
            try:
                self._save_pretrained(Path(staging))
            finally:
                self._saving = None
            return upload(
                Path(staging),
                repo_id,
                commit_message=commit_message,
                private=private,
                token=token,
                branch=branch,
                create_pr=bool(create_pr),
                allow_patterns=allow_patterns,
                ignore_patterns=ignore_patterns,
                delete_patterns=delete_patterns,
            )

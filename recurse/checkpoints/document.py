"""The typed ``config.json`` of a checkpoint: ``CheckpointDocument``, its format version and the upgrades of
older documents, written by :func:`write_document` and read by :func:`read_document` (and nowhere else).

A document may come from anywhere (an old recurse, a newer one, a download, a hand edit). Reading it
ends in the typed document or in one ``CheckpointError`` line: an older format is upgraded in memory
(each default it did not record is logged), a newer one is refused with the version to upgrade to.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from recurse.config import ModelConfig
from recurse.errors import CheckpointError, one_line
from recurse.io import not_found, write_json

log = logging.getLogger(__name__)

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"  # the refiner's tensors, beside this document in a checkpoint folder
FORMAT: Final = "recurse"
KIND: Final = "recursive-refiner"
FORMAT_VERSION = 2
# A document holds a config and a puzzle-id map (ARC: about a million names); anything far larger is not one.
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecipeRecord(_Record):
    """The recipe a checkpoint was trained with: a shipped recipe by ``name``, or a user's YAML ``file``."""

    name: str | None = Field(None, description="a recipe shipped with recurse (`recurse recipes show NAME`)")
    file: str | None = Field(None, description="the path of a user's recipe file, as it was given")

    @model_validator(mode="after")
    def _one(self) -> RecipeRecord:
        if (self.name is None) == (self.file is None):
            raise ValueError("a recipe record names either a shipped recipe (name) or a file (file)")
        return self

    @model_serializer(mode="wrap")
    def _only_the_one_set(self, handler: SerializerFunctionWrapHandler) -> Any:
        return {key: value for key, value in handler(self).items() if value is not None}

    @classmethod
    def from_reference(cls, reference: str) -> RecipeRecord:
        """``recipe=…`` as a run config holds it: a shipped name, else the file it was loaded from."""
        from recurse.recipe import is_shipped_recipe

        return cls(name=reference) if is_shipped_recipe(reference) else cls(file=reference)

    @property
    def reference(self) -> str:
        """What ``recurse train recipe=…`` takes to train it again."""
        return self.name if self.name is not None else str(self.file)


class DatasetRecord(_Record):
    path: str | None = None
    fingerprint: str | None = None
    source: str | None = Field(None, description="where the data came from, e.g. hub:<dataset repo>")


class TrainingRecord(_Record):
    step: int | None = None
    epoch: float | None = None
    seed: int | None = None


class ConversionRecord(_Record):
    """Where a converted checkpoint came from (``recurse convert``)."""

    format: str
    checkpoint: str | None = None
    arch: str | None = None
    data_paths: list[str] = Field(default_factory=list)
    repo_id: str | None = Field(None, description="the Hub repo of the original weights, if known")


class HubRecord(_Record):
    """The Hub revision a downloaded checkpoint came from (recorded in memory, never published)."""

    repo_id: str
    revision: str
    commit: str | None = None


class BundledRecord(_Record):
    """What ``recurse models list`` shows about a solver that ships inside the package."""

    name: str
    description: str = ""
    eval_set: str | None = None
    accuracy: float | None = None
    steps: int | None = None
    # The inference strategy its measurements support, as ``key=value`` words of the strategy grammar
    # (``strategy=restart samples=16 select=checker``); None: greedy, the library default.
    strategy: str | None = None


class CheckpointDocument(_Record):
    """``config.json``: kind tags and the format version, the model config, and what makes the checkpoint
    usable on its own (task, vocabulary, puzzle-id map, dataset, recipe, training counters, metrics)."""

    format: Literal["recurse"] = FORMAT
    kind: Literal["recursive-refiner"] = KIND
    format_version: int = FORMAT_VERSION
    model: ModelConfig
    recurse_version: str | None = None
    task: dict[str, Any] | None = Field(None, description="the task's spec (kind and parameters)")
    vocab: list[str] | None = None
    puzzle_identifiers: list[str] | None = None
    dataset: DatasetRecord | None = None
    recipe: RecipeRecord | None = None
    training: TrainingRecord | None = None
    metrics: dict[str, float | int | None] = Field(default_factory=dict)
    source: ConversionRecord | None = None
    hub: HubRecord | None = None
    bundled: BundledRecord | None = None

    @field_validator("recipe", mode="before")
    @classmethod
    def _recipe(cls, value: Any) -> Any:
        return RecipeRecord.from_reference(value) if isinstance(value, str) else value

    def with_fields(self, fields: dict[str, Any] | None) -> CheckpointDocument:
        """A copy with ``fields`` (top-level keys of the document) replaced, validated again."""
        if not fields:
            return self
        raw = {**self.model_dump(mode="json"), **{k: _as_json(v) for k, v in fields.items()}}
        return _validate(raw, source="checkpoint fields")


def _as_json(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def new_document(config: ModelConfig, fields: dict[str, Any] | None = None) -> CheckpointDocument:
    """The document of a checkpoint of ``config`` with the other ``fields`` (task, vocab, …) filled in."""
    from recurse import __version__

    raw = {
        "model": config.model_dump(mode="json"),
        "recurse_version": __version__,
        **{k: _as_json(v) for k, v in (fields or {}).items()},
    }
    return _validate(raw, source="checkpoint fields")


def write_document(directory: str | Path, document: CheckpointDocument) -> Path:
    """Write ``document`` as ``directory/config.json`` (atomically)."""
    path = Path(directory) / CONFIG_NAME
    # Absent top-level records are left out; inside the model config and the task spec, None is a value.
    raw = {key: value for key, value in document.model_dump(mode="json").items() if value is not None}
    write_json(path, raw)
    return path


def read_document(directory: str | Path) -> CheckpointDocument:
    """The typed ``config.json`` of the checkpoint in ``directory``, upgraded from an older format version.

    Raises ``CheckpointError`` (one line) when the file is missing, not JSON, not a recurse checkpoint's,
    of a newer format version, or invalid.
    """
    path = Path(directory) / CONFIG_NAME
    if not path.is_file():
        raise CheckpointError(
            f"{path} {not_found(path)}: a recurse checkpoint folder holds {CONFIG_NAME} and model.safetensors"
        )
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise CheckpointError(f"{path} is {path.stat().st_size / 2**20:.0f} MiB, far larger than a checkpoint config")
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise CheckpointError(
            f"{path} is not valid JSON ({one_line(error, 120)}); re-download or re-save the checkpoint"
        ) from None
    return parse_document(raw, source=str(path))


def parse_document(raw: Any, *, source: str) -> CheckpointDocument:
    """Check the tags and version of a decoded ``config.json``, upgrade it, and validate it."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or raw.get("kind") != KIND:
        raise CheckpointError(
            f"{source} is not a recurse checkpoint config (expected format={FORMAT!r}, kind={KIND!r});"
            " official checkpoints must first go through `recurse convert official`"
        )
    version = raw.get("format_version", raw.get("version"))
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CheckpointError(f"{source} has no valid format version")
    written_by = (
        f" (written by recurse {raw['recurse_version']})" if isinstance(raw.get("recurse_version"), str) else ""
    )
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{source} has format version {version}{written_by}, newer than this recurse reads "
            f"({FORMAT_VERSION}); upgrade recurse to load it"
        )
    for older in range(version, FORMAT_VERSION):
        raw = _UPGRADES[older](dict(raw), source)
    model = raw.get("model")
    if isinstance(model, dict):
        for key in _missing_defaults(ModelConfig, model):
            log.info("%s: model.%s was not recorded; using the default %r", source, key, _default_of(ModelConfig, key))
    extra = sorted(set(raw) - set(CheckpointDocument.model_fields))
    if extra:
        raise CheckpointError(
            f"{source}: unknown field {one_line(extra[0], 80)!r} in a format-version {version} document"
            f"{written_by}; it was written by a newer recurse: upgrade recurse to load it"
        )
    return _validate(raw, source=source)


def _validate(raw: dict[str, Any], *, source: str) -> CheckpointDocument:
    try:
        return CheckpointDocument.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(p) for p in first["loc"] if not str(p).startswith("function-")) or "(top level)"
        what = "unknown key" if first["type"] == "extra_forbidden" else one_line(first["msg"], 160)
        raise CheckpointError(f"{source}: invalid checkpoint config at {one_line(location, 120)}: {what}") from None


def _upgrade_1(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """Format 1 (recurse 0.1): ``version`` instead of ``format_version``; ``recipe`` a bare string (a shipped
    name, or a user file's stem); any extra keys a caller passed as meta."""
    raw.pop("version", None)
    raw["format_version"] = 2
    known = set(CheckpointDocument.model_fields)
    for key in sorted(set(raw) - known):
        log.info("%s: dropping %r, which format version 1 allowed but recurse does not use", source, key)
        raw.pop(key)
    return raw


_UPGRADES: dict[int, Callable[[dict[str, Any], str], dict[str, Any]]] = {1: _upgrade_1}


def _missing_defaults(config_type, raw: dict[str, Any]) -> list[str]:
    silent = getattr(config_type, "omitted_at_default", ())  # absent means "at its default", by design
    return [
        name
        for name, field in config_type.model_fields.items()
        if name not in raw and not field.is_required() and name not in silent
    ]


def _default_of(config_type, name: str) -> Any:
    field = config_type.model_fields[name]
    return field.default_factory() if field.default_factory is not None else field.default

"""Checkpoints: ``model.safetensors`` (the refiner's tensors) and ``config.json`` (what rebuilds and uses it).

``config.json`` holds kind tags and a format version, the model config, and whatever a solver needs to be
used on its own: the task, its vocabulary, the puzzle-id map, the dataset fingerprint and the recipe.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from recurse.builder import build_refiner
from recurse.checkpoint_checks import (check_config_against_header, check_finite, check_shapes_against_header,
                                       read_safetensors_header)
from recurse.config import ModelConfig, validate_config
from recurse.errors import CheckpointError, ConfigError
from recurse.io import atomic_path, write_json
from recurse.refiner import RecursiveRefiner

log = logging.getLogger(__name__)

WEIGHTS_NAME = "model.safetensors"
CONFIG_NAME = "config.json"
FORMAT = "recurse"
KIND = "recursive-refiner"
VERSION = 1


@dataclass
class Checkpoint:
    """A loaded checkpoint: the rebuilt refiner, its config, and the rest of ``config.json``."""

    refiner: RecursiveRefiner
    config: ModelConfig
    meta: dict[str, Any] = field(default_factory=dict)


def save_checkpoint(directory: str | Path, refiner: RecursiveRefiner, config: ModelConfig,
                    meta: dict[str, Any] | None = None) -> Path:
    """Write ``refiner`` and ``config`` (plus ``meta``: task, vocab, puzzle ids, …) to ``directory``."""
    directory = Path(directory)
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in refiner.state_dict().items()}
    with atomic_path(directory / WEIGHTS_NAME) as tmp:
        save_file(tensors, str(tmp), metadata={"format": "pt"})
    document = {"format": FORMAT, "kind": KIND, "version": VERSION, "model": config.model_dump(mode="json")}
    document.update(meta or {})
    write_json(directory / CONFIG_NAME, document)
    return directory


def read_config(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / CONFIG_NAME
    if not path.is_file():
        raise CheckpointError(f"{path} not found: a recurse checkpoint folder holds {CONFIG_NAME} and {WEIGHTS_NAME}")
    try:
        document = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{path} is not valid JSON ({error}); re-download or re-save the checkpoint") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("kind") != KIND:
        raise CheckpointError(f"{path} is not a recurse checkpoint config (expected format={FORMAT!r}, kind={KIND!r});"
                              " official checkpoints must first go through `recurse convert official`")
    return _upgrade(document, path)


def _upgrade(document: dict[str, Any], path: Path) -> dict[str, Any]:
    """Bring an older config up to this version: each default it did not record is filled in and logged."""
    version = document.get("version")
    if not isinstance(version, int) or version < 1:
        raise CheckpointError(f"{path} has no valid format version")
    if version > VERSION:
        raise CheckpointError(f"{path} has format version {version}, newer than this recurse ({VERSION});"
                              " upgrade recurse to load it")
    model = document.get("model")
    if isinstance(model, dict):
        for key in _missing_defaults(ModelConfig, model):
            log.info("%s: model.%s was not recorded; using the default %r", path, key,
                     _default_of(ModelConfig, key))
    return document


def _missing_defaults(config_type, raw: dict[str, Any]) -> list[str]:
    return [name for name, field in config_type.model_fields.items() if name not in raw and not field.is_required()]


def _default_of(config_type, name: str) -> Any:
    field = config_type.model_fields[name]
    return field.default_factory() if field.default_factory is not None else field.default


def load_checkpoint(directory: str | Path, *, map_location: str | torch.device = "cpu",
                    allow_nonfinite: bool = False) -> Checkpoint:
    """Rebuild the refiner from ``config.json`` and load ``model.safetensors`` strictly.

    The config is checked against the weights' header before any tensor is allocated, and weights holding
    NaN or Inf are refused unless ``allow_nonfinite`` is set.
    """
    directory = Path(directory)
    document = read_config(directory)
    if "model" not in document:
        raise CheckpointError(f"{directory / CONFIG_NAME}: invalid model config (missing 'model')")
    try:
        config = validate_config(ModelConfig, document["model"], source=f"{directory / CONFIG_NAME}: model")
    except ConfigError as error:
        raise CheckpointError(str(error)) from None
    weights = directory / WEIGHTS_NAME
    header = read_safetensors_header(weights)
    check_config_against_header(config, header, source=str(directory / CONFIG_NAME))
    refiner = build_refiner(config)
    check_shapes_against_header(refiner, header, source=str(weights))
    try:
        tensors = load_file(str(weights), device=str(map_location))
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"{weights} is corrupt or truncated ({error}); re-download or re-save it") from None
    if not allow_nonfinite:
        check_finite(tensors, source=str(weights))
    load_state_dict_strict(refiner, tensors, source=str(weights))
    meta = {k: v for k, v in document.items() if k not in ("format", "kind", "version", "model")}
    return Checkpoint(refiner=refiner.to(map_location), config=config, meta=meta)


def load_state_dict_strict(module: torch.nn.Module, tensors: dict[str, torch.Tensor], *, source: str) -> None:
    """``load_state_dict(strict=True)`` with a one-line error naming the first offending tensor."""
    expected = module.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing:
        raise CheckpointError(f"{source}: missing tensor {missing[0]!r} ({len(missing)} missing in all)")
    if unexpected:
        raise CheckpointError(f"{source}: unexpected tensor {unexpected[0]!r} ({len(unexpected)} in all)")
    for name, tensor in tensors.items():
        if tensor.shape != expected[name].shape:
            raise CheckpointError(f"{source}: tensor {name!r} has shape {tuple(tensor.shape)}, the config expects "
                                  f"{tuple(expected[name].shape)}")
    module.load_state_dict(tensors, strict=True)

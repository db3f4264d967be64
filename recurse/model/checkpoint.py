"""Checkpoints: ``model.safetensors`` (the refiner's tensors) and ``config.json`` (what rebuilds and uses it).

``config.json`` is a :class:`~recurse.checkpoints.document.CheckpointDocument`: kind tags and a format
version, the model config, and whatever a solver needs to be used on its own (the task, its vocabulary,
the puzzle-id map, the dataset fingerprint and the recipe).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from recurse.checkpoints.checks import (
    check_config_against_header,
    check_finite,
    check_shapes_against_header,
    read_safetensors_header,
)
from recurse.checkpoints.document import (
    CONFIG_NAME,
    WEIGHTS_NAME,
    CheckpointDocument,
    new_document,
    read_document,
    write_document,
)
from recurse.config import ModelConfig
from recurse.errors import CheckpointError, check_flag
from recurse.io import atomic_path
from recurse.model.builder import build_refiner
from recurse.model.refiner import RecursiveRefiner

log = logging.getLogger(__name__)

__all__ = ["CONFIG_NAME", "WEIGHTS_NAME", "Checkpoint", "load_checkpoint", "load_state_dict_strict", "save_checkpoint"]


@dataclass
class Checkpoint:
    """A loaded checkpoint: the rebuilt refiner, its config, and the whole typed ``config.json``."""

    refiner: RecursiveRefiner
    config: ModelConfig
    document: CheckpointDocument


def save_checkpoint(
    directory: str | Path,
    refiner: RecursiveRefiner,
    config: ModelConfig,
    fields: dict[str, Any] | CheckpointDocument | None = None,
) -> Path:
    """Write ``refiner`` and the document of ``config`` to ``directory``.

    ``fields`` are the document's other fields (task, vocab, puzzle_identifiers, dataset, recipe, …), as a
    dict or as a whole ``CheckpointDocument`` whose model config is replaced by ``config``.
    """
    directory = Path(directory)
    if isinstance(fields, CheckpointDocument):
        document = fields.model_copy(update={"model": config})
    else:
        document = new_document(config, fields)
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in refiner.state_dict().items()}
    # Checked before anything is written: a document that does not describe these weights fails at load.
    check_document_against_weights(document, tensors, source=f"saving {directory}")
    with atomic_path(directory / WEIGHTS_NAME) as tmp:
        save_file(tensors, str(tmp), metadata={"format": "pt"})
    write_document(directory, document)
    return directory


def load_checkpoint(
    directory: str | Path,
    *,
    map_location: str | torch.device = "cpu",
    allow_nonfinite: bool = False,
    strict: bool = True,
) -> Checkpoint:
    """Rebuild the refiner from ``config.json`` and load ``model.safetensors`` strictly.

    The config is checked against the weights' header before any tensor is allocated, and weights holding
    NaN or Inf are refused unless ``allow_nonfinite`` is set. ``strict=False`` loads weights that lack
    tensors of the model (they keep their initial values) or hold others (ignored), with a warning that
    names them; shapes must agree all the same.
    """
    check_flag("allow_nonfinite", allow_nonfinite)
    check_flag("strict", strict)
    directory = Path(directory)
    document = read_document(directory)
    config = document.model
    check_task_against_model(document, source=str(directory / CONFIG_NAME))
    weights = directory / WEIGHTS_NAME
    header = read_safetensors_header(weights)
    check_config_against_header(config, header, source=str(directory / CONFIG_NAME))
    refiner = build_refiner(config)
    check_shapes_against_header(refiner, header, source=str(weights), strict=strict)
    try:
        tensors = load_file(str(weights), device=str(map_location))
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"{weights} is corrupt or truncated ({error}); re-download or re-save it") from None
    if not allow_nonfinite:
        check_finite(tensors, source=str(weights))
    if strict:
        load_state_dict_strict(refiner, tensors, source=str(weights))
    else:
        result = refiner.load_state_dict(tensors, strict=False)
        if result.missing_keys or result.unexpected_keys:
            log.warning(
                "%s: loaded with strict=False; missing tensors %s, unexpected tensors %s",
                weights,
                result.missing_keys or "none",
                result.unexpected_keys or "none",
            )
    return Checkpoint(refiner=refiner.to(map_location), config=config, document=document)


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
            raise CheckpointError(
                f"{source}: tensor {name!r} has shape {tuple(tensor.shape)}, the config expects "
                f"{tuple(expected[name].shape)}"
            )
    module.load_state_dict(tensors, strict=True)


def check_task_against_model(document, *, source: str) -> None:
    """Refuse a document whose task cannot be what the model was trained on: a model built for another
    number of cells, or with fewer tokens than the task's alphabet needs. A task this installation does not
    know (a plugin's, not loaded) is left for the caller to report."""
    if not document.task:
        return
    from recurse.errors import RecurseError
    from recurse.tasks import build_task

    try:
        task = build_task(document.task)
    except RecurseError:
        return
    model = document.model
    if model.seq_len is not None and model.seq_len != task.seq_len:
        raise CheckpointError(
            f"{source}: the task {task.describe()} has {task.seq_len} tokens per puzzle but the model was built "
            f"for seq_len {model.seq_len}; the task does not belong to these weights"
        )
    if model.vocab_size is not None and model.vocab_size < task.vocab_size:
        raise CheckpointError(
            f"{source}: the task {task.describe()} uses {task.vocab_size} tokens but the model knows "
            f"{model.vocab_size}; the task does not belong to these weights"
        )


def check_document_against_weights(document, tensors: dict[str, torch.Tensor], *, source: str) -> None:
    """What a save checks before writing anything: the document's model config builds exactly the tensors
    being saved (built on the meta device, so nothing is allocated), and its task fits that model."""
    header = {
        name: {"shape": list(t.shape), "data_offsets": [0, t.numel() * t.element_size()]} for name, t in tensors.items()
    }
    check_config_against_header(document.model, header, source=source)  # bounds the model built next
    with torch.device("meta"):
        check_shapes_against_header(build_refiner(document.model), header, source=source)
    check_task_against_model(document, source=source)

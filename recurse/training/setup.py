"""Setting up a run: from a config (or a checkpoint) to data, a resolved model config and a built model.

``set_up_run`` serves ``recurse train`` and ``recurse bench``; ``set_up_checkpoint`` serves ``recurse eval``.
Both resolve the model config against the data and the device in ``resolve_model_config``, so the three
commands build the same model from the same recipe and data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist

from recurse.checkpoints.document import CheckpointDocument
from recurse.config import ModelConfig, RunConfig
from recurse.data.prepare import prepare_dataset
from recurse.errors import ConfigError, RecurseError
from recurse.evaluation import check_puzzle_map
from recurse.hardware import resolve_device, resolve_forward_dtype
from recurse.hub.source import resolve_model
from recurse.model.checkpoint import load_checkpoint
from recurse.model.refiner import RecursiveRefiner
from recurse.store.layout import PuzzleSplit, load_split, read_puzzle_identifiers
from recurse.tasks import Task, build_task
from recurse.tasks.interactions import Interactions, interactions_of
from recurse.training.compilation import compile_recursion
from recurse.training.runtime import Runtime
from recurse.training.step import TrainingStep, build_training_model


@dataclass
class RunSetup:
    """What a run holds before its loop starts."""

    device: torch.device
    task: Task | None  # None for a checkpoint that does not record its task
    model_config: ModelConfig  # resolved: vocabulary, length, puzzle ids and dtype filled in
    refiner: RecursiveRefiner
    model: torch.nn.Module | None = None  # the training module (the loss around the refiner), when built
    data_path: str | None = None
    splits: dict[str, PuzzleSplit] = field(default_factory=dict)
    puzzle_identifiers: list[str] = field(default_factory=lambda: ["<blank>"])
    document: CheckpointDocument | None = None  # a loaded checkpoint's record (task, dataset, recipe)
    folder: Path | None = None  # the checkpoint folder a loaded model came from

    @property
    def known_task(self) -> Task:
        """The task, for a run that has one (training, benchmarks); a ``RecurseError`` otherwise."""
        if self.task is None:
            raise RecurseError("this checkpoint does not record its task, so its puzzles cannot be read")
        return self.task

    @property
    def training_step(self) -> TrainingStep:
        """The training module (the loss around the refiner), for a run set up to train."""
        if not isinstance(self.model, TrainingStep):
            raise RecurseError("this run was set up without its training module")
        return self.model


def resolve_model_config(
    model: ModelConfig,
    *,
    vocab_size: int,
    seq_len: int,
    num_puzzle_ids: int,
    device: torch.device,
    interaction_kinds: int | None = None,
) -> ModelConfig:
    """Fill in what the data decides (vocabulary, length, puzzle ids), what the task decides (kinds of
    interaction) and what the device decides (dtype)."""
    resolved = model.with_data(
        vocab_size=vocab_size, seq_len=seq_len, num_puzzle_ids=num_puzzle_ids, interaction_kinds=interaction_kinds
    )
    return resolved.model_copy(update={"forward_dtype": resolve_forward_dtype(resolved.forward_dtype, device)})


def task_interactions(model: ModelConfig, task: Task) -> Interactions | None:
    """The task's checked interactions when the model attends along them (``model.interactions: task``)."""
    return interactions_of(task) if model.interactions == "task" else None


def fit_model_to_task(model: ModelConfig, task: Task) -> ModelConfig:
    """``model`` with the task's vocabulary, length and kinds of interaction filled in, for one puzzle id:
    what a run checks before its data exist (``ConfigError`` when they do not fit)."""
    interactions = task_interactions(model, task)
    return model.with_data(
        vocab_size=task.vocab_size,
        seq_len=task.seq_len,
        num_puzzle_ids=1,
        interaction_kinds=interactions.kinds if interactions is not None else None,
    )


def set_up_run(config: RunConfig, *, runtime: Runtime | None = None, data: bool = True) -> RunSetup:
    """Prepare the data (rank 0 builds it when missing), resolve the model config and build the model.

    ``data=False`` (benchmarks) takes the shapes from the task instead of a dataset, with one puzzle id.
    Then ``init_from`` is applied, every rank gets rank 0's weights, and the recursion is compiled if asked.
    """
    runtime = runtime or Runtime(device=resolve_device(config.runtime.device))
    task = config.data.task.build()
    splits: dict[str, PuzzleSplit] = {}
    identifiers = ["<blank>"]
    if data:
        if runtime.is_main:
            prepare_dataset(config.data, progress=config.logging.progress)
        if runtime.distributed:
            dist.barrier()  # the other ranks wait for rank 0's data
        splits = {name: load_split(config.data.path, name) for name in ("train", "test")}
        # Read once: ARC datasets name about a million puzzles, and every checkpoint records them.
        identifiers = read_puzzle_identifiers(config.data.path) or identifiers
        meta = splits["train"].metadata
        shapes = {"vocab_size": meta.vocab_size, "seq_len": meta.seq_len, "num_puzzle_ids": meta.num_puzzle_identifiers}
    else:
        shapes = {"vocab_size": task.vocab_size, "seq_len": task.seq_len, "num_puzzle_ids": 1}
    interactions = task_interactions(config.model, task)
    model_config = resolve_model_config(
        config.model,
        device=runtime.device,
        interaction_kinds=interactions.kinds if interactions is not None else None,
        **shapes,
    )
    torch.manual_seed(config.runtime.seed)  # the same starting weights for the same recipe, whatever ran before
    model = build_training_model(model_config, config.training.losses, task).to(runtime.device)
    refiner = model.refiner
    if refiner.interactions is not None and interactions is not None:
        refiner.interactions.load_structure(interactions)
    if config.init_from:
        apply_init_from(refiner, config.init_from)
    if runtime.distributed:
        for tensor in refiner.state_dict().values():
            dist.broadcast(tensor, src=0)  # one set of starting weights, whatever each rank built
    if config.runtime.compile:
        compile_recursion(refiner, runtime.device)
    return RunSetup(
        device=runtime.device,
        task=task,
        model_config=model_config,
        refiner=refiner,
        model=model,
        data_path=config.data.path if data else None,
        splits=splits,
        puzzle_identifiers=identifiers,
    )


def apply_init_from(refiner: RecursiveRefiner, source: str) -> None:
    """Start from the weights of another checkpoint (folder, run folder, bundled name or Hub id) of this shape
    (a candidate head the checkpoint does not have keeps its fresh weights)."""
    checkpoint = load_checkpoint(resolve_model(source))
    ours, theirs = refiner.state_dict(), checkpoint.refiner.state_dict()
    # A candidate head that the source lacks starts fresh: it only trains an auxiliary loss.
    fresh = [k for k in ours if k.startswith("candidate_head.") and k not in theirs]
    mismatched = [k for k in ours if k not in fresh and (k not in theirs or theirs[k].shape != ours[k].shape)]
    extra = [k for k in theirs if k not in ours]
    if mismatched or extra:
        name = (mismatched or extra)[0]
        raise RecurseError(f"init_from={source}: tensor {name!r} does not match this model's config")
    refiner.load_state_dict({**theirs, **{k: ours[k] for k in fresh}})


def set_up_checkpoint(
    source: str | Path, *, data: str | None = None, split: str = "test", device: str = "auto"
) -> RunSetup:
    """A trained model with the dataset split to evaluate it on (``data``, else the one it was trained on).

    The model config is the checkpoint's own, resolved when it was trained; the puzzle ids must match the data's.
    """
    folder = resolve_model(source)
    loaded = load_checkpoint(folder)
    document = loaded.document
    data_path = data or (document.dataset.path if document.dataset else None)
    if not data_path:
        raise ConfigError("this checkpoint does not name its dataset; pass data=DIR")
    try:
        splits = {split: load_split(data_path, split)}
    except RecurseError as error:
        from recurse.hub.zoo import data_advice

        advice = None if data else data_advice(document)
        if advice is None:
            raise
        raise ConfigError(
            f"{error}".split(";")[0] + f"; this model was evaluated on the data that `{advice}` "
            "builds: run it, or pass data=DIR"
        ) from None
    check_puzzle_map(document.puzzle_identifiers, data_path)
    resolved = resolve_device(device)
    task = build_task(document.task) if document.task is not None else None
    return RunSetup(
        device=resolved,
        task=task,
        model_config=loaded.config,
        refiner=loaded.refiner.to(resolved),
        data_path=str(data_path),
        splits=splits,
        puzzle_identifiers=document.puzzle_identifiers or ["<blank>"],
        document=document,
        folder=folder,
    )

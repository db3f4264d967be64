"""The run config: model, data, training, evaluation, logging and runtime, validated once at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, field_validator, model_validator

from recurse.config.expected import ExpectedResult
from recurse.config.model import ModelConfig
from recurse.halting import HALTING
from recurse.hardware import check_device_name
from recurse.losses import LOSS_TERMS, check_loss_specs
from recurse.spec import Spec, validate_spec

SEED_MAX = 2**32 - 1  # numpy's seeding accepts 0..2**32-1


def check_folder_path(path: str) -> str:
    """Refuse a folder path that cannot be created because one of its parents is a file (``/etc/passwd/x``)."""
    if "\0" in path or not path.strip():
        raise ValueError(f"{path!r} is not a usable folder path")
    for parent in [Path(path), *Path(path).parents]:
        if parent.exists():
            if not parent.is_dir():
                raise ValueError(f"{path} cannot be a folder: {parent} is a file")
            break
    return path


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# Keys of data.build that moved into the task specs that use them (ARC's Spec, a generator task's Spec).
MOVED_TO_TASK = ("clues", "subsets", "test_subset")


class DataBuildConfig(_Strict):
    """How ``recurse data build`` (and training, when the data is missing) makes the dataset."""

    source: str = Field("generate", description="'generate', a CSV file or folder, or 'hub:<dataset repo>'")
    train_size: int | None = Field(
        None, ge=1, le=10**9, description="generated puzzles, or a seeded subsample of the source"
    )
    test_size: int | None = Field(None, ge=1, le=10**9)
    num_aug: int = Field(0, ge=0, le=100_000, description="augmented copies of each training puzzle")
    seed: int = Field(0, ge=0, le=SEED_MAX)
    easier_copies: int = Field(
        0,
        ge=0,
        le=100,
        description="generator: with each training puzzle, this many easier "
        "ones (its solution with some of its blanks given back); test puzzles stay as made",
    )
    stall_seconds: float = Field(
        60.0,
        gt=0,
        le=86400,
        description="generator: stop with one line when it returns "
        "no puzzle for this long (a task's generate() that never returns)",
    )
    answer_limit: int = Field(
        64,
        ge=1,
        le=4096,
        description="a task with several answers: how many of each puzzle's answers to store for training "
        "against the checker (the target is chosen among them)",
    )

    @model_validator(mode="before")
    @classmethod
    def _moved_to_the_task(cls, value: Any) -> Any:
        # These were build settings once; a task's own options now live in its spec (data.task).
        for key in MOVED_TO_TASK:
            if isinstance(value, dict) and key in value:
                raise ValueError(
                    f"build.{key} is now a setting of the task: set data.task.{key} "
                    f"(task.{key} with `recurse data build`)"
                )
        return value


class DataConfig(_Strict):
    task: SerializeAsAny[Spec]
    path: str = Field(description="dataset folder in the official npy layout")
    build: DataBuildConfig | None = None

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return check_folder_path(value)

    @field_validator("task", mode="before")
    @classmethod
    def _task(cls, value: Any) -> Spec:
        from recurse.tasks import TASKS

        return validate_spec(TASKS, value)


class TrainingConfig(_Strict):
    global_batch_size: int = Field(768, ge=1, le=1 << 24)
    epochs: int | None = Field(None, ge=1, description="passes over the training groups")
    max_steps: int | None = Field(None, ge=1, description="optimiser steps (overrides epochs)")
    max_minutes: float | None = Field(
        None, gt=0, description="stop after this many minutes of training steps (evaluation and saving not counted)"
    )
    lr: float = Field(1e-4, gt=0, le=10)
    lr_min_ratio: float = Field(1.0, ge=0, le=1, description="cosine floor as a fraction of lr (1 = constant)")
    lr_warmup_steps: int = Field(2000, ge=0)
    beta1: float = Field(0.9, ge=0, lt=1, description="Adam's first-moment decay, in [0, 1)")
    beta2: float = Field(0.95, ge=0, lt=1, description="Adam's second-moment decay, in [0, 1)")
    weight_decay: float = Field(1.0, ge=0)
    puzzle_emb_lr: float = Field(1e-4, gt=0)
    puzzle_emb_weight_decay: float = Field(1.0, ge=0)
    ema: bool = True
    ema_rate: float = Field(0.999, gt=0, lt=1)
    ema_puzzle_embeddings: bool = Field(False, description="also average the puzzle-embedding table")
    grad_clip: float | None = Field(None, gt=0)
    eval_every_steps: int | None = Field(None, ge=1)
    eval_every_epochs: int | None = Field(None, ge=1)
    keep_last: int = Field(2, ge=1, description="checkpoints kept besides the best one")
    losses: list[SerializeAsAny[Spec]] = Field(
        default_factory=lambda: [LOSS_TERMS.get("act").Spec()],
        description="loss terms by name, the main one first (docs/recipes.md, 'Loss terms')",
    )

    @field_validator("losses", mode="before")
    @classmethod
    def _losses(cls, value: Any) -> list[Spec]:
        if not isinstance(value, (list, tuple)):
            raise ValueError("expected a list of loss terms, e.g. [{kind: act}, {kind: candidates}]")
        specs = [validate_spec(LOSS_TERMS, item) for item in value]
        check_loss_specs(specs)
        return specs

    @model_validator(mode="after")
    def _duration(self) -> TrainingConfig:
        if self.epochs is None and self.max_steps is None and self.max_minutes is None:
            raise ValueError("set training.epochs, training.max_steps or training.max_minutes")
        return self


class EvaluationConfig(_Strict):
    batch_size: int = Field(256, ge=1, le=1 << 24)
    halting: SerializeAsAny[Spec] | None = Field(None, description="policy at evaluation (default: fixed N_sup)")
    limit: int | None = Field(None, ge=1, description="evaluate on the first N test examples")
    best_metric: str | None = Field(
        None,
        description="the metric that picks the best checkpoint (e.g. pass@2); default: valid_rate for a task "
        "with several answers, else exact_accuracy",
    )
    aggregate_checkpoints: bool = Field(
        False,
        description="pool a task's votes (ARC) over all evaluations of the "
        "run, as the official trainer does, instead of per checkpoint",
    )

    @field_validator("halting", mode="before")
    @classmethod
    def _halting(cls, value: Any) -> Spec | None:
        return None if value is None else validate_spec(HALTING, value)


class LoggingConfig(_Strict):
    progress: bool = True
    every_steps: int = Field(10, ge=1, description="write a training line to metrics.jsonl every N steps")
    plot: bool = True
    progress_every_seconds: float = Field(
        30.0, gt=0, description="a progress line this often when output is not a terminal"
    )
    verbose: bool = Field(False, description="print the whole resolved config at start, not a one-line summary")
    tensorboard: bool = False
    wandb: bool = False
    wandb_project: str = "recurse"


class RuntimeConfig(_Strict):
    device: str = Field("auto", description="auto, cpu, cuda, cuda:N or mps")
    compile: bool = Field(
        False,
        description="compile the schedule's whole recursion with torch.compile (a C++ compiler on a CPU; "
        "about 40 s the first time a shape is seen)",
    )
    seed: int = Field(0, ge=0, le=SEED_MAX)
    threads: int | None = Field(None, ge=1, le=4096, description="CPU threads (default: all cores)")

    @field_validator("device")
    @classmethod
    def _device(cls, value: str) -> str:
        return check_device_name(value)


class RunConfig(_Strict):
    name: str = "run"
    recipe: str | None = None
    out_dir: str | None = Field(None, description="run folder (default: runs/<name>)")

    @field_validator("out_dir")
    @classmethod
    def _out_dir(cls, value: str | None) -> str | None:
        return None if value is None else check_folder_path(value)

    init_from: str | None = Field(None, description="checkpoint or run folder, bundled name or Hub repo to start from")
    model: ModelConfig
    data: DataConfig
    training: TrainingConfig
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    runtime: RuntimeConfig = Field(default_factory=RuntimeConfig)
    expected: ExpectedResult | None = Field(None, description="the recipe's documented result, checked at the end")

    @property
    def run_dir(self) -> str:
        return self.out_dir or f"runs/{self.name}"

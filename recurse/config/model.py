"""The model config: everything needed to rebuild a refiner, and nothing about how it was trained."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import torch
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from recurse.cores import CORES
from recurse.errors import ConfigError
from recurse.halting import HALTING
from recurse.limits import MAX_RECURSION
from recurse.schedules import SCHEDULES
from recurse.spec import Spec, validate_spec

DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}

# Sanity caps, far above any published setting (TRM: 16 supervision steps, n=6, T=3, hidden 512), that turn a
# typo such as max_steps=1e9 or hidden_size=20000000 into one line instead of an hour-long hang or a crash.
MAX_HIDDEN_SIZE = 65536
MAX_SEQ_LEN = 1 << 20


class PuzzleEmbeddingConfig(BaseModel):
    """One learned vector per puzzle id, placed as ``prefix_len`` tokens before the sequence."""

    model_config = ConfigDict(extra="forbid")
    num_ids: int = Field(1, ge=1, le=1 << 24, description="number of puzzle identifiers (rows)")
    dim: int = Field(0, ge=0, le=MAX_HIDDEN_SIZE, description="width of a puzzle vector; 0 disables puzzle embeddings")
    prefix_len: int | None = Field(None, ge=0, le=1024, description="prefix tokens; default ceil(dim / hidden_size)")


class ModelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    vocab_size: int | None = Field(None, ge=2, le=1 << 20, description="token vocabulary; default: the dataset's")
    seq_len: int | None = Field(
        None, ge=1, le=MAX_SEQ_LEN, description="tokens per puzzle, without the prefix; default: the dataset's"
    )
    hidden_size: int = Field(512, ge=1, le=MAX_HIDDEN_SIZE)
    expansion: float = Field(4.0, ge=0.25, le=64, description="SwiGLU expansion of the feed-forward sublayers")
    norm_eps: float = Field(1e-5, gt=0, lt=1)
    core: SerializeAsAny[Spec] = Field(default_factory=lambda: CORES.get("attention").Spec())
    schedule: SerializeAsAny[Spec] = Field(default_factory=lambda: SCHEDULES.get("trm").Spec())
    halting: SerializeAsAny[Spec] = Field(default_factory=lambda: HALTING.get("q_halt").Spec())
    puzzle_embedding: PuzzleEmbeddingConfig = Field(default_factory=PuzzleEmbeddingConfig)
    learned_positions: bool = False
    forward_dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "bfloat16", description="compute dtype; 'auto' picks bfloat16 where the device runs it fast, else float32"
    )
    loss: Literal["stablemax", "softmax"] = "stablemax"
    candidate_head: bool = Field(
        False,
        description="a second output head that reads each position's candidate "
        "values (trained by the `candidates` loss term; unused when solving)",
    )

    interactions: Literal["all", "task"] = Field(
        "all",
        description="which positions attention mixes: 'all' of them, or only those the task declares "
        "interacting (its constraint graph; the attention core only)",
    )
    interaction_kinds: int | None = Field(
        None, ge=1, le=32, description="kinds of interaction the task declares; default: the task's"
    )

    # Fields left out of the serialised config while at their default, so that a model without them writes
    # (and reads back, silently) the config it always wrote.
    omitted_at_default: ClassVar[tuple[str, ...]] = ("candidate_head", "interactions", "interaction_kinds")

    @model_serializer(mode="wrap")
    def _without_defaulted_additions(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in self.omitted_at_default:
                if data.get(name) == type(self).model_fields[name].default:
                    data.pop(name, None)
        return data

    @field_validator("core", mode="before")
    @classmethod
    def _core(cls, value: Any) -> Spec:
        return validate_spec(CORES, value)

    @field_validator("schedule", mode="before")
    @classmethod
    def _schedule(cls, value: Any) -> Spec:
        return validate_spec(SCHEDULES, value)

    @field_validator("halting", mode="before")
    @classmethod
    def _halting(cls, value: Any) -> Spec:
        return validate_spec(HALTING, value)

    @model_validator(mode="after")
    def _consistent(self) -> ModelConfig:
        for slot in ("schedule", "halting", "core"):
            for key, value in getattr(self, slot).model_dump().items():
                # Plugin specs are third-party code, so the caps on recursion counts live here, once.
                if isinstance(value, int) and not isinstance(value, bool) and value > MAX_RECURSION:
                    raise ValueError(f"{slot}.{key}={value} is beyond any sensible setting (at most {MAX_RECURSION})")
        heads = getattr(self.core, "num_heads", None)
        if heads is not None and (not isinstance(heads, int) or heads < 1):
            raise ValueError(f"core.num_heads={heads} must be a positive whole number")
        if heads is not None and self.hidden_size % heads:
            raise ValueError(f"core.num_heads={heads} must divide hidden_size={self.hidden_size}")
        if self.interactions == "task" and not getattr(CORES.get(self.core.kind), "takes_attention_bias", False):
            raise ValueError(
                f"model.interactions=task restricts attention, but the {self.core.kind} core does not attend; "
                "use core.kind=attention"
            )
        emb = self.puzzle_embedding
        if emb.prefix_len is not None and emb.dim > emb.prefix_len * self.hidden_size:
            raise ValueError(
                f"puzzle_embedding.dim={emb.dim} does not fit puzzle_embedding.prefix_len="
                f"{emb.prefix_len} tokens of hidden_size={self.hidden_size}"
            )
        return self

    def with_data(
        self, *, vocab_size: int, seq_len: int, num_puzzle_ids: int, interaction_kinds: int | None = None
    ) -> ModelConfig:
        """Fill in what the dataset decides (vocabulary, length, number of puzzle ids) where left open, and
        for ``interactions: task`` the task's kinds of interaction (``interaction_kinds``; None: it has none).

        A length set in the config must be the dataset's (every row has that many tokens), and a vocabulary
        set in the config must hold every token of the dataset: ``ConfigError`` otherwise.
        """
        if self.interactions == "task" and interaction_kinds is None and self.interaction_kinds is None:
            raise ConfigError(
                "model.interactions=task, but the task declares no interactions (Task.interactions); "
                "use model.interactions=all"
            )
        if self.interactions == "task" and None not in (interaction_kinds, self.interaction_kinds):
            if interaction_kinds != self.interaction_kinds:
                raise ConfigError(
                    f"model.interaction_kinds={self.interaction_kinds}, but the task declares {interaction_kinds} "
                    "kinds of interaction; leave model.interaction_kinds unset (null) to take the task's"
                )
        if self.seq_len is not None and self.seq_len != seq_len:
            raise ConfigError(
                f"model.seq_len={self.seq_len} does not match the dataset's {seq_len} tokens per "
                "puzzle; leave model.seq_len unset (null) to take the dataset's"
            )
        if self.vocab_size is not None and self.vocab_size < vocab_size:
            raise ConfigError(
                f"model.vocab_size={self.vocab_size} is smaller than the dataset's {vocab_size} tokens; "
                "leave model.vocab_size unset (null) to take the dataset's"
            )
        emb = self.puzzle_embedding
        return self.model_copy(
            update={
                "vocab_size": self.vocab_size or vocab_size,
                "seq_len": self.seq_len or seq_len,
                "puzzle_embedding": emb.model_copy(update={"num_ids": max(emb.num_ids, num_puzzle_ids)}),
                "interaction_kinds": (self.interaction_kinds or interaction_kinds)
                if self.interactions == "task"
                else None,
            }
        )

    @property
    def prefix_len(self) -> int:
        emb = self.puzzle_embedding
        if emb.prefix_len is not None:
            return emb.prefix_len
        return -(-emb.dim // self.hidden_size)

    @property
    def max_steps(self) -> int:
        """The halting policy's cap on supervision steps (N_sup): every halting spec has ``max_steps``."""
        return int(self.halting.max_steps)  # type: ignore[attr-defined]

    @property
    def dtype(self) -> torch.dtype:
        if self.forward_dtype == "auto":
            raise ValueError("forward_dtype 'auto' must be resolved for a device first (recurse.hardware)")
        return DTYPES[self.forward_dtype]

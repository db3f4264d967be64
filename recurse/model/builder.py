"""Turns a validated ``ModelConfig`` into plain constructor calls."""

from __future__ import annotations

from recurse.config import ModelConfig
from recurse.halting import HaltingPolicy
from recurse.layers.block import Block, Level
from recurse.model.carry import DeepSupervision
from recurse.model.embedding import InputEmbedding
from recurse.model.interaction_graph import InteractionGraph
from recurse.model.refiner import RecursiveRefiner


def build_refiner(config: ModelConfig) -> RecursiveRefiner:
    if config.vocab_size is None or config.seq_len is None:
        raise ValueError(
            "model.vocab_size and model.seq_len must be set (ModelConfig.with_data fills them from a dataset)"
        )
    dim = config.hidden_size
    total_len = config.prefix_len + config.seq_len

    def make_level(num_blocks: int) -> Level:
        return Level(
            [
                Block(
                    config.core.build(dim=dim, seq_len=total_len, norm_eps=config.norm_eps),
                    dim,
                    expansion=config.expansion,
                    norm_eps=config.norm_eps,
                )
                for _ in range(num_blocks)
            ]
        )

    embedding = InputEmbedding(
        config.vocab_size,
        dim,
        seq_len=config.seq_len,
        prefix_len=config.prefix_len,
        puzzle_ids=config.puzzle_embedding.num_ids,
        puzzle_dim=config.puzzle_embedding.dim,
        learned_positions=config.learned_positions,
        dtype=config.dtype,
    )
    schedule = config.schedule.build(make_level=make_level, dim=dim)
    interactions = None
    if config.interactions == "task":
        if config.interaction_kinds is None:
            raise ValueError("model.interaction_kinds must be set (ModelConfig.with_data fills it from the task)")
        interactions = InteractionGraph(
            vocab_size=config.vocab_size,
            seq_len=config.seq_len,
            prefix_len=config.prefix_len,
            kinds=config.interaction_kinds,
            # ModelConfig accepts interactions only with a core that attends, and such a core has heads.
            num_heads=config.core.num_heads,  # type: ignore[attr-defined]
        )
    refiner = RecursiveRefiner(
        embedding,
        schedule,
        vocab_size=config.vocab_size,
        dim=dim,
        candidate_head=config.candidate_head,
        interactions=interactions,
    )
    refiner.model_config = config  # what save_pretrained writes to config.json
    return refiner


def build_halting(config: ModelConfig) -> HaltingPolicy:
    return config.halting.build()


def build_model(config: ModelConfig) -> DeepSupervision:
    """The refiner wrapped with its halting policy: the module training and evaluation step."""
    return DeepSupervision(build_refiner(config), build_halting(config))

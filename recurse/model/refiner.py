"""The recursive refiner: embed the puzzle, run one supervision step of a schedule, read the heads."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from recurse.layers import CastedLinear, weight_cast_scope
from recurse.model.embedding import InputEmbedding
from recurse.model.interaction_graph import InteractionGraph
from recurse.model.pretrained import HubMixin
from recurse.schedules import Schedule, State


@dataclass
class RefinerOutput:
    state: State  # the new recurrent state, detached
    logits: torch.Tensor  # [B, L, vocab] in the forward dtype (prefix positions dropped)
    q_halt: torch.Tensor  # [B] fp32
    q_continue: torch.Tensor  # [B] fp32
    candidate_logits: torch.Tensor | None = None  # [B, L, vocab]: the candidate head's, when the model has one


class RecursiveRefiner(nn.Module, HubMixin):
    """One supervision step of a recursive reasoner, with the schedule and embedding injected.

    ``save_pretrained`` / ``from_pretrained`` / ``push_to_hub`` come from :class:`HubMixin`.

    The Q head reads position 0 and predicts (halt, continue). It starts with zero weights and bias −5,
    so a fresh model is confident it should not stop yet.
    """

    def __init__(
        self,
        embedding: InputEmbedding,
        schedule: Schedule,
        *,
        vocab_size: int,
        dim: int,
        candidate_head: bool = False,
        interactions: InteractionGraph | None = None,
    ) -> None:
        super().__init__()
        self.embedding = embedding
        self.schedule = schedule
        self.lm_head = CastedLinear(dim, vocab_size)
        self.q_head = CastedLinear(dim, 2, bias=True)
        with torch.no_grad():
            self.q_head.weight.zero_()
            if self.q_head.bias is not None:  # always: the Q head is built with a bias
                self.q_head.bias.fill_(-5.0)
        # Made last, so that the other weights start as they would without it.
        self.candidate_head = CastedLinear(dim, vocab_size) if candidate_head else None
        # Restricts attention to the task's interaction structure (model.interactions: task).
        self.interactions = interactions

    @property
    def prefix_len(self) -> int:
        return self.embedding.prefix_len

    @property
    def dtype(self) -> torch.dtype:
        return self.embedding.dtype

    def initial_state(self, batch_size: int, seq_len: int) -> State:
        return self.schedule.initial_state(batch_size, self.prefix_len + seq_len, dtype=self.dtype)

    def forward(self, state: State, inputs: torch.Tensor, puzzle_ids: torch.Tensor | None = None) -> RefinerOutput:
        with weight_cast_scope():
            x = self.embedding(inputs, puzzle_ids)  # [B, P + L, D]
            if self.interactions is not None:
                bias = self.interactions(inputs, x.dtype)  # [B, heads, P + L, P + L], shared by every block
                state, y = self.schedule(state, x, attention_bias=bias)
            else:
                state, y = self.schedule(state, x)
            logits = self.lm_head(y[:, self.prefix_len :])
            q = self.q_head(y[:, 0]).float()
            candidates = self.candidate_head(y[:, self.prefix_len :]) if self.candidate_head is not None else None
        return RefinerOutput(
            state=state, logits=logits, q_halt=q[:, 0], q_continue=q[:, 1], candidate_logits=candidates
        )

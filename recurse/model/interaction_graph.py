"""The attention bias of a model restricted to its task's interaction structure.

``InteractionGraph`` turns a batch of input tokens into an additive attention bias [B, heads, P+L, P+L]:
−inf where two positions do not interact, and a learned per-head bias for each kind of interaction where
they do. Three kinds are the model's own: a position with itself, and the puzzle-embedding prefix with
every position (the prefix is a global token: it sees the whole puzzle, and the Q head reads it). The
task's kinds follow (``recurse.tasks.interactions``).

The task's tables are buffers, saved with the weights, so a checkpoint carries its structure and solves
without its task's code; the bias is computed once per supervision step and shared by every block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

if TYPE_CHECKING:  # the model reads a task's tables but never imports the tasks
    from recurse.tasks.interactions import Interactions

NONE, SELF, GLOBAL = 0, 1, 2
OWN_KINDS = 3  # the kinds above; the task's kind k is OWN_KINDS + k - 1


class InteractionGraph(nn.Module):
    pairs: torch.Tensor  # [L, L] uint8 kinds that hold in every puzzle (the task's, shifted)
    links: torch.Tensor  # [vocab, L] uint8 kinds that a token creates with each position

    def __init__(self, *, vocab_size: int, seq_len: int, prefix_len: int, kinds: int, num_heads: int) -> None:
        super().__init__()
        self.prefix_len = prefix_len
        self.kinds = kinds
        # Filled by ``load_structure`` (a fresh model) or by the checkpoint's tensors (a saved one).
        self.register_buffer("pairs", torch.zeros(seq_len, seq_len, dtype=torch.uint8))
        self.register_buffer("links", torch.zeros(vocab_size, seq_len, dtype=torch.uint8))
        # Zero at the start: every interacting pair is weighed by content alone until training says otherwise.
        self.kind_bias = nn.Parameter(torch.zeros(OWN_KINDS + kinds, num_heads))

    @torch.no_grad()
    def load_structure(self, interactions: Interactions) -> None:
        """Copy a task's tables in, with its kinds moved past the model's own (token v + 1 holds value v)."""
        if interactions.kinds != self.kinds:
            raise ValueError(
                f"the task declares {interactions.kinds} kinds of interaction; this model has {self.kinds}"
            )
        shift = OWN_KINDS - 1

        def shifted(table) -> torch.Tensor:
            table = torch.as_tensor(table, dtype=torch.int64)
            return torch.where(table > 0, table + shift, 0).to(torch.uint8)

        self.pairs.copy_(shifted(interactions.pairs))
        self.links.zero_()
        if interactions.links is not None:
            links = shifted(interactions.links)
            self.links[1 : 1 + links.shape[0]] = links

    def kinds_between(self, tokens: torch.Tensor) -> torch.Tensor:
        """[B, P+L, P+L] kinds of interaction for a batch of tokens [B, L]."""
        batch, length = tokens.shape
        linked = self.links[tokens.long()]  # [B, L, L]: row i is what position i's token links to
        kinds = torch.maximum(self.pairs.unsqueeze(0), linked)
        kinds = torch.maximum(kinds, kinds.transpose(1, 2)).long()
        kinds = kinds.masked_fill(torch.eye(length, dtype=torch.bool, device=tokens.device), SELF)
        if self.prefix_len:
            # The prefix rows and columns: every position interacts with the global tokens.
            kinds = nn.functional.pad(kinds, (self.prefix_len, 0, self.prefix_len, 0), value=GLOBAL)
        return kinds

    def forward(self, tokens: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """The additive attention bias [B, heads, P+L, P+L] in ``dtype``."""
        kinds = self.kinds_between(tokens)
        bias = self.kind_bias.to(dtype)[kinds].permute(0, 3, 1, 2)  # [B, heads, P+L, P+L]
        blocked = (kinds == NONE).unsqueeze(1)
        return bias.masked_fill(blocked, float("-inf"))

"""``attention`` core: non-causal multi-head self-attention with optional RoPE, in a post-norm residual."""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from recurse.cores import CORES
from recurse.layers import CastedLinear, RotaryEmbedding, apply_rotary, rms_norm
from recurse.spec import Spec as PluginSpec


@CORES.register("attention")
class AttentionCore(nn.Module):
    """``h ← rmsnorm(h + attention(h))`` over a [B, L, D] sequence; an optional additive bias [B, heads, L, L]
    restricts and weighs which positions each one attends to (``model.interactions: task``)."""

    takes_attention_bias = True

    class Spec(PluginSpec):
        kind: Literal["attention"] = "attention"
        num_heads: int = 8
        positions: Literal["rope", "none"] = "rope"
        rope_base: float = 10000.0

        def build(self, *, dim: int, seq_len: int, norm_eps: float) -> AttentionCore:
            return AttentionCore(
                dim,
                num_heads=self.num_heads,
                seq_len=seq_len,
                rope=self.positions == "rope",
                rope_base=self.rope_base,
                norm_eps=norm_eps,
            )

    def __init__(
        self,
        dim: int,
        *,
        num_heads: int,
        seq_len: int,
        rope: bool = True,
        rope_base: float = 10000.0,
        norm_eps: float = 1e-5,
    ) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"hidden size {dim} is not divisible by num_heads {num_heads}")
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.norm_eps = norm_eps
        self.qkv = CastedLinear(dim, 3 * dim)  # q, k, v stacked along the output axis, no bias
        self.out = CastedLinear(dim, dim)
        self.rotary = RotaryEmbedding(self.head_dim, seq_len, rope_base) if rope else None

    def forward(self, h: torch.Tensor, attention_bias: torch.Tensor | None = None) -> torch.Tensor:
        batch, length, dim = h.shape
        q, k, v = self.qkv(h).view(batch, length, 3, self.num_heads, self.head_dim).unbind(dim=2)
        if self.rotary is not None:
            cos, sin = self.rotary()
            q, k = apply_rotary(q, cos[:length], sin[:length]), apply_rotary(k, cos[:length], sin[:length])
        # SDPA wants [B, heads, L, head_dim].
        mixed = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), attn_mask=attention_bias
        )
        mixed = mixed.transpose(1, 2).reshape(batch, length, dim)
        return rms_norm(h + self.out(mixed), self.norm_eps)

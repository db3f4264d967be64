"""Casting fp32 master weights to the forward dtype once per forward pass, not once per use.

A TRM supervision step calls the same level up to 21 times. Casting every weight at every call costs
memory bandwidth and, under autograd, one cast node per call. Inside ``weight_cast_scope`` each
parameter is cast once; all later uses share the cast copy, and its gradient flows back to the fp32
parameter through a single cast node.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import torch

# Maps (id(param), dtype) -> (param, cast copy). The param is kept so that its id cannot be reused.
_scope: ContextVar[dict | None] = ContextVar("recurse_weight_cast_scope", default=None)
_scope_records_grad: ContextVar[bool] = ContextVar("recurse_weight_cast_grad", default=False)


@contextmanager
def weight_cast_scope() -> Iterator[None]:
    """Share weight casts within the block. Casts made here record autograd history only if grad mode
    was on when the scope opened, so no-grad recursions inside a training step can reuse them."""
    cache_token = _scope.set({})
    grad_token = _scope_records_grad.set(torch.is_grad_enabled())
    try:
        yield
    finally:
        _scope.reset(cache_token)
        _scope_records_grad.reset(grad_token)


def cast_to(weight: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """``weight.to(dtype)``, memoised within the current ``weight_cast_scope``."""
    if weight.dtype == dtype:
        return weight
    if torch.compiler.is_compiling():
        return weight.to(dtype)  # a compiled graph casts each weight once by itself (common subexpressions)
    cache = _scope.get()
    if cache is None:
        return weight.to(dtype)
    key = (id(weight), dtype)
    hit = cache.get(key)
    if hit is not None and hit[0] is weight:
        return hit[1]
    with torch.set_grad_enabled(_scope_records_grad.get()):
        cast = weight.to(dtype)
    cache[key] = (weight, cast)
    return cast

"""The fused SwiGLU gate gives bit-for-bit the values and gradients of the plain autograd expression."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from recurse.layers.gated import gated_silu


def reference(gate_up: torch.Tensor) -> torch.Tensor:
    gate, up = gate_up.chunk(2, dim=-1)
    return F.silu(gate) * up


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("shape", [(3, 7, 16), (2, 5, 3, 64)])
def test_values_and_gradients_are_identical(dtype, shape):
    g = torch.Generator().manual_seed(0)
    source = torch.randn(shape, generator=g).to(dtype)
    grad = torch.randn(*shape[:-1], shape[-1] // 2, generator=g).to(dtype)
    ours, theirs = source.clone().requires_grad_(), source.clone().requires_grad_()
    out, expected = gated_silu(ours), reference(theirs)
    assert torch.equal(out, expected)
    out.backward(grad)
    expected.backward(grad)
    assert torch.equal(ours.grad, theirs.grad)


def test_without_autograd_the_same_values():
    source = torch.randn(4, 9, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert torch.equal(gated_silu(source), reference(source))
    assert torch.equal(gated_silu(source), reference(source))  # an input that needs no gradient


def test_gradient_flows_through_a_strided_input():
    # The projection's output may be a non-contiguous view (the MLP-t core mixes a transposed layout).
    base = torch.randn(6, 16, 5, generator=torch.Generator().manual_seed(2))
    ours, theirs = base.clone().requires_grad_(), base.clone().requires_grad_()
    gated_silu(ours.transpose(1, 2)).sum().backward()
    reference(theirs.transpose(1, 2)).sum().backward()
    assert torch.equal(ours.grad, theirs.grad)


def test_the_public_fallback_matches_the_aten_kernel(monkeypatch):
    import recurse.layers.gated as gated

    assert gated._ATEN_SILU_BACKWARD is not None  # this build has the operator: the fast path runs
    g = torch.Generator().manual_seed(3)
    source, grad = torch.randn(4, 9, 32, generator=g), torch.randn(4, 9, 16, generator=g)
    fused = source.clone().requires_grad_()
    gated_silu(fused).backward(grad)
    monkeypatch.setattr(gated, "_ATEN_SILU_BACKWARD", None)
    fallback = source.clone().requires_grad_()
    gated_silu(fallback).backward(grad)
    torch.testing.assert_close(fallback.grad, fused.grad, rtol=1e-6, atol=1e-6)

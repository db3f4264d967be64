"""Training state without pickle: tensors in safetensors, counters in JSON.

``training_state.safetensors`` holds the raw (non-averaged) weights and buffers, the optimiser moments
and the EMA; ``training_state.rank<r>.safetensors`` holds what differs per process: the carry and the
RNG state. Together with the step counters that is everything a resume needs to continue bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from recurse.checkpoints.run_folder import COUNTERS, read_counters
from recurse.checkpoints.run_folder import SHARED_STATE as SHARED
from recurse.checkpoints.run_folder import rank_state_name as _rank_file
from recurse.errors import CheckpointError
from recurse.io import atomic_path, not_found, write_json
from recurse.model.carry import Carry
from recurse.optim import AdamATan2
from recurse.training.ema import EMA


def save_training_state(
    folder: Path,
    *,
    module: torch.nn.Module,
    optimizer: AdamATan2,
    ema: EMA | None,
    carry: Carry | None,
    counters: dict[str, Any],
    rank: int,
    is_main: bool,
) -> None:
    if is_main:
        tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in module.state_dict().items()}
        names = {id(p): n for n, p in module.named_parameters()}
        for param, state in optimizer.state.items():
            for key, value in state.items():
                tensors[f"adam.{names[id(param)]}.{key}"] = value.detach().cpu().contiguous().reshape(value.shape)
        if ema is not None:
            tensors.update({f"ema.{k}": v.cpu().contiguous() for k, v in ema.shadow.items()})
        with atomic_path(folder / SHARED) as tmp:
            save_file(tensors, str(tmp))
        write_json(folder / COUNTERS, counters)
    local = {"rng.torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        local["rng.cuda"] = torch.cuda.get_rng_state()
    if carry is not None:
        local.update({f"carry.state.{i}": s.detach().cpu().contiguous() for i, s in enumerate(carry.state)})
        local["carry.steps"] = carry.steps.cpu()
        local["carry.halted"] = carry.halted.cpu()
        local.update({f"carry.batch.{k}": v.cpu().contiguous() for k, v in carry.batch.items()})
    with atomic_path(folder / _rank_file(rank)) as tmp:
        save_file(local, str(tmp))


def load_training_state(
    folder: Path, *, module: torch.nn.Module, optimizer: AdamATan2, ema: EMA | None, rank: int, device: torch.device
) -> tuple[dict[str, Any], Carry | None]:
    """Restore module, optimiser, EMA and RNG in place; return the counters and this rank's carry.

    Everything is read and checked before anything is changed, so a corrupt file (raised as a
    ``CheckpointError`` naming it) leaves the model as it was and an older checkpoint can be tried.
    """
    counters = read_counters(folder)
    tensors = _load(folder / SHARED)
    local = _load(folder / _rank_file(rank))
    expected = module.state_dict()
    weights = {k[6:]: v for k, v in tensors.items() if k.startswith("model.")}
    _check_shapes(weights, {k: v.shape for k, v in expected.items()}, folder / SHARED, prefix="model.")
    params = dict(module.named_parameters())
    moments = {}
    for name, param in params.items():
        if f"adam.{name}.exp_avg" in tensors:
            keys = {key: f"adam.{name}.{key}" for key in ("step", "exp_avg", "exp_avg_sq")}
            if any(k not in tensors for k in keys.values()):
                raise CheckpointError(f"{folder / SHARED}: optimiser state of {name!r} is incomplete")
            for key in ("exp_avg", "exp_avg_sq"):
                if tensors[keys[key]].shape != param.shape:
                    raise CheckpointError(
                        f"{folder / SHARED}: tensor {keys[key]!r} has shape "
                        f"{tuple(tensors[keys[key]].shape)}, the model expects {tuple(param.shape)}"
                    )
            moments[param] = {key: tensors[full].to(device if key != "step" else "cpu") for key, full in keys.items()}
    if ema is not None:
        _check_shapes(
            {n: tensors.get(f"ema.{n}") for n in ema.names},
            {n: ema.shadow[n].shape for n in ema.names},
            folder / SHARED,
            prefix="ema.",
        )
    for name, tensor in tensors.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise CheckpointError(
                f"{folder / SHARED}: tensor {name!r} holds NaN or Inf; resume from an earlier "
                "checkpoint (move this one out of checkpoints/)"
            )
    rng = local.get("rng.torch")
    like = torch.get_rng_state()
    if rng is None or rng.dtype != like.dtype or rng.shape != like.shape:
        raise CheckpointError(f"{folder / _rank_file(rank)} lacks the RNG state (or holds one of another size)")
    if counters["step"] > 0 and not moments and any(p.requires_grad for p in params.values()):
        # Adam would start again from zero moments: the run would go on, but not on the saved trajectory.
        raise CheckpointError(
            f"{folder / SHARED} holds no optimiser moments, so the run cannot continue exactly; resume "
            "from an earlier checkpoint (move this one out of checkpoints/)"
        )

    module.load_state_dict(weights, strict=True)
    for param, state in moments.items():
        optimizer.state[param] = state
    if ema is not None:
        for name in ema.names:
            ema.shadow[name].copy_(tensors[f"ema.{name}"])  # in place: the EMA holds references to its shadows
    torch.set_rng_state(local["rng.torch"])
    if "rng.cuda" in local and torch.cuda.is_available():
        torch.cuda.set_rng_state(local["rng.cuda"])
    carry = None
    if "carry.steps" in local:
        count = sum(1 for k in local if k.startswith("carry.state."))
        carry = Carry(
            state=tuple(local[f"carry.state.{i}"].to(device) for i in range(count)),
            steps=local["carry.steps"].to(device),
            halted=local["carry.halted"].to(device),
            batch={k[len("carry.batch.") :]: v.to(device) for k, v in local.items() if k.startswith("carry.batch.")},
        )
    return counters, carry


def _load(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise CheckpointError(f"{path} {not_found(path)}; this checkpoint cannot be resumed")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"{path} is corrupt or truncated ({str(error).splitlines()[0]})") from None


def _check_shapes(
    found: Mapping[str, torch.Tensor | None], expected: Mapping[str, torch.Size], path: Path, *, prefix: str
) -> None:
    for name, shape in expected.items():
        tensor = found.get(name)
        if tensor is None:
            raise CheckpointError(f"{path}: tensor {prefix + name!r} is missing")
        if tensor.shape != shape:
            raise CheckpointError(
                f"{path}: tensor {prefix + name!r} has shape {tuple(tensor.shape)}, the model expects {tuple(shape)}"
            )
    extra = sorted(set(found) - set(expected))
    if extra:
        raise CheckpointError(f"{path}: unexpected tensor {prefix + extra[0]!r}")

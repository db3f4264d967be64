"""Training state without pickle: tensors in safetensors, counters in JSON.

``training_state.safetensors`` holds the raw (non-averaged) weights and buffers, the optimiser moments
and the EMA; ``training_state.rank<r>.safetensors`` holds what differs per process: the carry and the
RNG state. Together with the step counters that is everything a resume needs to continue bit for bit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from recurse.carry import Carry
from recurse.errors import CheckpointError
from recurse.io import atomic_path, write_json
from recurse.optim import AdamATan2
from recurse.training.ema import EMA

SHARED = "training_state.safetensors"
COUNTERS = "training_state.json"


def _rank_file(rank: int) -> str:
    return f"training_state.rank{rank}.safetensors"


def save_training_state(folder: Path, *, module: torch.nn.Module, optimizer: AdamATan2, ema: EMA | None,
                        carry: Carry | None, counters: dict[str, Any], rank: int, is_main: bool) -> None:
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


def load_training_state(folder: Path, *, module: torch.nn.Module, optimizer: AdamATan2, ema: EMA | None,
                        rank: int, device: torch.device) -> tuple[dict[str, Any], Carry | None]:
    """Restore module, optimiser, EMA and RNG in place; return the counters and this rank's carry."""
    for name in (SHARED, COUNTERS, _rank_file(rank)):
        if not (folder / name).is_file():
            raise CheckpointError(f"{folder / name} not found; this checkpoint cannot be resumed")
    tensors = load_file(str(folder / SHARED))
    module.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")}, strict=True)
    params = dict(module.named_parameters())
    for name, param in params.items():
        if f"adam.{name}.exp_avg" in tensors:
            optimizer.state[param] = {
                key: tensors[f"adam.{name}.{key}"].to(device if key != "step" else "cpu")
                for key in ("step", "exp_avg", "exp_avg_sq")
            }
    if ema is not None:
        for name in ema.names:
            ema.shadow[name].copy_(tensors[f"ema.{name}"])  # in place: the EMA holds references to its shadows
    local = load_file(str(folder / _rank_file(rank)))
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
            batch={k[len("carry.batch."):]: v.to(device) for k, v in local.items() if k.startswith("carry.batch.")},
        )
    counters = json.loads((folder / COUNTERS).read_text())
    return counters, carry

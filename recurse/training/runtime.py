"""Device, threads, seeds and torch.distributed set-up (under torchrun: gloo on CPU, nccl on CUDA)."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist

from recurse.config import RuntimeConfig
from recurse.hardware import resolve_device


@dataclass
class Runtime:
    device: torch.device
    rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def apply_threads(config: RuntimeConfig) -> None:
    """Use ``runtime.threads`` CPU threads when it is set (else torch's default: all cores)."""
    if config.threads:
        torch.set_num_threads(config.threads)


def setup_runtime(config: RuntimeConfig) -> Runtime:
    """Pick the device, set threads and seeds, and join the process group when launched by torchrun."""
    apply_threads(config)
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    device = resolve_device(config.device)
    rank = 0
    if world_size > 1:
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if device.type == "cuda":
            device = torch.device("cuda", local_rank)
            torch.cuda.set_device(device)
        if not dist.is_initialized():
            dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
        rank, world_size = dist.get_rank(), dist.get_world_size()
    # Every rank seeds alike, so every rank builds the same initial model.
    seed_everything(config.seed)
    return Runtime(device=device, rank=rank, world_size=world_size)


def teardown_runtime(runtime: Runtime) -> None:
    if runtime.distributed and dist.is_initialized():
        dist.destroy_process_group()

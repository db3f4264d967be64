"""Small models and batches for fast tests."""

from __future__ import annotations

import json
import signal

import torch

from recurse.config import ModelConfig

SMALL_SCHEDULES = {
    "trm": {"kind": "trm", "latent_steps": 2, "deep_steps": 2, "layers": 1},
    "single_z": {"kind": "single_z", "latent_steps": 2, "deep_steps": 2, "layers": 1},
    "hier": {"kind": "hier", "num_latents": 3, "latent_steps": 2, "deep_steps": 2, "layers": 1},
    "hrm": {"kind": "hrm", "high_cycles": 2, "low_cycles": 2, "high_layers": 1, "low_layers": 1},
    "none": {"kind": "none", "layers": 2, "cycles": 1},
}
SMALL_CORES = {
    "attention": {"kind": "attention", "num_heads": 2},
    "mlp": {"kind": "mlp", "expansion": 2.0},
}


def small_config(
    *, core: str = "attention", schedule: str = "trm", halting: dict | None = None, **overrides
) -> ModelConfig:
    fields = dict(
        vocab_size=7,
        seq_len=6,
        hidden_size=16,
        expansion=2.0,
        core=SMALL_CORES.get(core, {"kind": core}),
        schedule=SMALL_SCHEDULES.get(schedule, {"kind": schedule}),
        halting=halting or {"kind": "q_halt", "max_steps": 4},
        puzzle_embedding={"num_ids": 3, "dim": 16},
        forward_dtype="float32",
    )
    fields.update(overrides)
    return ModelConfig(**fields)


def random_batch(config: ModelConfig, batch_size: int = 4, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    inputs = torch.randint(1, config.vocab_size, (batch_size, config.seq_len), generator=g, dtype=torch.int32)
    labels = torch.randint(1, config.vocab_size, (batch_size, config.seq_len), generator=g, dtype=torch.int32)
    ids = torch.randint(0, config.puzzle_embedding.num_ids, (batch_size,), generator=g, dtype=torch.int32)
    return {"inputs": inputs, "labels": labels, "puzzle_identifiers": ids}


def fake_checkpoint(run_dir, step, *, world_size=1):
    """A folder with every file a complete checkpoint holds (tiny but well-formed)."""
    from safetensors.torch import save_file

    from recurse.checkpoints.document import new_document, write_document
    from recurse.checkpoints.run_folder import step_folder

    folder = step_folder(run_dir, step)
    folder.mkdir(parents=True)
    write_document(folder, new_document(small_config()))
    for name in [
        "model.safetensors",
        "training_state.safetensors",
        *[f"training_state.rank{r}.safetensors" for r in range(world_size)],
    ]:
        save_file({"x": torch.zeros(2)}, str(folder / name))
    (folder / "training_state.json").write_text(
        json.dumps({"step": step, "iteration": 0, "batch_index": step, "world_size": world_size, "best": None})
    )
    return folder


def default_sigint() -> None:
    """For ``subprocess.Popen(preexec_fn=...)``: the child handles Ctrl-C even when the tests themselves run
    where SIGINT is ignored (a background job of a script, ``nohup``), since a process that starts with
    SIGINT ignored keeps ignoring it, as the trainer deliberately does."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)

"""What a checkpoint must pass before it is used: its config against the weights' header (before any
allocation), finite weights, and training-state files that are complete and well-formed."""

from __future__ import annotations

import json
import os
import time

import pytest
import torch
from safetensors.torch import save_file

from recurse.checkpoints.checks import read_safetensors_header
from recurse.errors import CheckpointError
from recurse.model.builder import build_refiner
from recurse.model.checkpoint import load_checkpoint, save_checkpoint
from recurse.optim import AdamATan2
from recurse.training.ema import EMA
from recurse.training.state import load_training_state, save_training_state
from tests.helpers import small_config


@pytest.fixture
def saved(tmp_path):
    config = small_config()
    refiner = build_refiner(config)
    return save_checkpoint(tmp_path / "ckpt", refiner, config, {"task": {"kind": "toy"}}), refiner, config


def edit_config(folder, **changes):
    document = json.loads((folder / "config.json").read_text())
    document["model"].update(changes)
    (folder / "config.json").write_text(json.dumps(document))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"hidden_size": 20000}, "hidden_size=20000 but"),
        ({"vocab_size": 500_000}, "vocab_size=500000 but"),
        ({"vocab_size": 5_000_000}, "vocab_size: Input should be less than or equal to"),
        ({"expansion": 60.0}, "expansion=60.0|the config expects"),
        ({"expansion": 100000.0}, "expansion: Input should be less than or equal to"),
        ({"schedule": {"kind": "trm", "latent_steps": 2, "deep_steps": 2, "layers": 100_000_000}}, "layers"),
        ({"schedule": {"kind": "trm", "latent_steps": 2, "deep_steps": 2, "layers": 2}}, "missing tensor"),
        ({"seq_len": 1 << 20}, "position tables"),
        ({"seq_len": 10**9}, "seq_len: Input should be less than or equal to"),
    ],
)
def test_an_oversized_config_is_refused_fast_without_allocating(saved, changes, message):
    folder, *_ = saved
    edit_config(folder, **changes)
    started = time.perf_counter()
    with pytest.raises(CheckpointError, match=message) as error:
        load_checkpoint(folder)
    assert time.perf_counter() - started < 1.0
    assert "\n" not in str(error.value) and (
        "config.json" in str(error.value) or "model.safetensors" in str(error.value)
    )


def test_header_reading_detects_truncation_and_padding(saved):
    folder, refiner, _ = saved
    weights = folder / "model.safetensors"
    header = read_safetensors_header(weights)
    assert set(header) == set(refiner.state_dict())
    data = weights.read_bytes()
    for damaged in (data[:-1], data + b"\0", data[:5], b"\xff" * 8 + data[8:]):
        weights.write_bytes(damaged)
        with pytest.raises(CheckpointError):
            read_safetensors_header(weights)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_weights_are_refused_unless_allowed(saved, value):
    folder, refiner, config = saved
    with torch.no_grad():
        refiner.q_head.weight[0, 0] = value
    save_checkpoint(folder, refiner, config, {"task": {"kind": "toy"}})
    with pytest.raises(CheckpointError, match="q_head.weight.*(NaN|Inf).*allow_nonfinite"):
        load_checkpoint(folder)
    loaded = load_checkpoint(folder, allow_nonfinite=True)
    assert not torch.isfinite(loaded.refiner.q_head.weight).all()


def test_solver_refuses_nan_weights_unless_allowed(tmp_path):
    from recurse.config import ModelConfig
    from recurse.solver import Solver
    from tests.integration.conftest import TASK

    config = ModelConfig(
        vocab_size=TASK.vocab_size,
        seq_len=TASK.seq_len,
        hidden_size=16,
        expansion=2.0,
        core={"kind": "mlp", "expansion": 2.0},
        schedule={"kind": "trm", "latent_steps": 1, "deep_steps": 1, "layers": 1},
        halting={"kind": "q_halt", "max_steps": 2},
        forward_dtype="float32",
    )
    refiner = build_refiner(config)
    with torch.no_grad():
        for p in refiner.parameters():
            p.fill_(float("nan"))
    save_checkpoint(tmp_path / "nan", refiner, config, {"task": TASK.spec(), "vocab": TASK.vocab})
    with pytest.raises(CheckpointError, match="NaN"):
        Solver.from_pretrained(tmp_path / "nan", device="cpu")
    assert Solver.from_pretrained(tmp_path / "nan", device="cpu", allow_nonfinite=True) is not None


def training_state(tmp_path):
    config = small_config()
    module = build_refiner(config)
    optimizer = AdamATan2(module.parameters(), lr=1e-3)
    module(
        module.initial_state(2, config.seq_len),
        torch.ones(2, config.seq_len, dtype=torch.int32),
        torch.zeros(2, dtype=torch.int32),
    ).logits.sum().backward()
    optimizer.step()
    ema = EMA(module, 0.9)
    save_training_state(
        tmp_path,
        module=module,
        optimizer=optimizer,
        ema=ema,
        carry=None,
        counters={"step": 3, "iteration": 0, "batch_index": 3, "world_size": 1},
        rank=0,
        is_main=True,
    )
    fresh = build_refiner(config)
    return dict(
        module=fresh,
        optimizer=AdamATan2(fresh.parameters(), lr=1e-3),
        ema=EMA(fresh, 0.9),
        rank=0,
        device=torch.device("cpu"),
    ), module


def test_training_state_round_trip(tmp_path):
    kwargs, original = training_state(tmp_path)
    counters, carry = load_training_state(tmp_path, **kwargs)
    assert counters["step"] == 3 and carry is None
    for (name, a), b in zip(original.state_dict().items(), kwargs["module"].state_dict().values()):
        assert torch.equal(a, b), name


@pytest.mark.parametrize(
    "damage, file",
    [
        ("counters: bad JSON", "training_state.json"),
        ("counters: missing keys", "training_state.json"),
        ("shared: truncated", "training_state.safetensors"),
        ("shared: size mismatch", "training_state.safetensors"),
        ("shared: missing tensor", "training_state.safetensors"),
        ("shared: NaN", "training_state.safetensors"),
        ("rank: missing", "training_state.rank0.safetensors"),
        ("rank: 3-byte rng.torch", "training_state.rank0.safetensors"),
        ("shared: no optimiser moments", "training_state.safetensors"),
        ("shared: a FIFO", "training_state.safetensors"),
        ("counters: a FIFO", "training_state.json"),
    ],
)
def test_corrupt_training_state_is_one_error_naming_the_file_and_changes_nothing(tmp_path, damage, file):
    from safetensors.torch import load_file

    kwargs, _ = training_state(tmp_path)
    path = tmp_path / file
    if damage == "counters: bad JSON":
        path.write_text("{")
    elif damage == "counters: missing keys":
        path.write_text('{"step": 3}')
    elif damage == "shared: truncated":
        path.write_bytes(path.read_bytes()[:-10])
    elif damage == "rank: missing":
        path.unlink()
    elif damage.endswith("a FIFO"):  # would block a reader for ever
        path.unlink()
        os.mkfifo(path)
    elif damage == "rank: 3-byte rng.torch":
        save_file({"rng.torch": torch.tensor([1, 2, 3], dtype=torch.uint8)}, str(path))
    elif damage == "shared: no optimiser moments":
        save_file({k: v for k, v in load_file(str(path)).items() if not k.startswith("adam.")}, str(path))
    else:
        tensors = load_file(str(path))
        name = next(k for k in tensors if k.startswith("model.") and tensors[k].dim() == 2)
        if damage == "shared: size mismatch":
            tensors[name] = torch.zeros(3, 3)
        elif damage == "shared: missing tensor":
            del tensors[name]
        else:
            tensors[name] = torch.full_like(tensors[name], float("nan"))
        save_file(tensors, str(path))
    before = {k: v.clone() for k, v in kwargs["module"].state_dict().items()}
    with pytest.raises(CheckpointError) as error:
        load_training_state(tmp_path, **kwargs)
    assert file in str(error.value) and "\n" not in str(error.value)
    if damage.endswith("a FIFO"):
        assert "not a regular file" in str(error.value)
    after = kwargs["module"].state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before), "a refused state must leave the model alone"

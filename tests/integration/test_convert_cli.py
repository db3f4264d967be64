"""``recurse convert official`` end to end through the installed command, then the parity batch."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from recurse.checkpoint import load_checkpoint
from tests.integration.conftest import run_recurse
from tests.parity import Fixture

FIXTURES = Path(__file__).parents[1] / "fixtures"
OFFICIAL = FIXTURES / "official-checkpoint"


def test_convert_reproduces_trm_att_rope(tmp_path):
    out = tmp_path / "converted"
    run_recurse("convert", "official", str(OFFICIAL / "step_100"), "--config", str(OFFICIAL / "all_config.yaml"),
                "--out", str(out), "--seq-len", "16")
    assert {p.name for p in out.iterdir()} == {"model.safetensors", "config.json"}

    checkpoint = load_checkpoint(out)
    fixture = Fixture.load(FIXTURES / "parity" / "trm_att_rope.json")
    assert checkpoint.config == fixture.config
    refiner = checkpoint.refiner.eval()
    batch = fixture.batch
    state = refiner.initial_state(batch["inputs"].shape[0], checkpoint.config.seq_len)
    with torch.no_grad():
        for step in (1, 2, 3):
            out_step = refiner(state, batch["inputs"], batch["puzzle_identifiers"])
            state = out_step.state
            torch.testing.assert_close(out_step.logits, fixture.tensors[f"eval.step{step}.logits"], rtol=0, atol=1e-4)


@pytest.mark.parametrize("args, message", [
    (["--seq-len", "16"], None),
    ([], "pass --seq-len"),
])
def test_convert_reports_missing_sequence_length(tmp_path, args, message):
    result = run_recurse("convert", "official", str(OFFICIAL / "step_100"), "--out", str(tmp_path / "o"), *args,
                         check=False)
    if message is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode != 0 and message in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_convert_rejects_unmappable_and_corrupt_files(tmp_path):
    config = str(OFFICIAL / "all_config.yaml")
    garbage = tmp_path / "step_1"
    garbage.write_bytes(b"not a pickle at all")
    result = run_recurse("convert", "official", str(garbage), "--config", config, "--out", str(tmp_path / "o"),
                         check=False)
    assert result.returncode != 0 and "not a readable official checkpoint" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr

    # A state dict with a tensor the mapping does not know.
    state = torch.load(OFFICIAL / "step_100", weights_only=True)
    state["_orig_mod.model.inner.mystery.weight"] = torch.zeros(2)
    torch.save(state, tmp_path / "step_2")
    result = run_recurse("convert", "official", str(tmp_path / "step_2"), "--config", config, "--out",
                         str(tmp_path / "o"), "--seq-len", "16", check=False)
    assert result.returncode != 0 and "cannot map official tensor" in result.stderr
    assert not (tmp_path / "o" / "model.safetensors").exists()

"""``recurse convert official`` end to end through the installed command, then the parity batch."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from recurse.model.checkpoint import load_checkpoint
from tests.integration.conftest import run_recurse
from tests.parity import Fixture

FIXTURES = Path(__file__).parents[1] / "fixtures"
OFFICIAL = FIXTURES / "official-checkpoint"


def test_convert_reproduces_trm_att_rope(tmp_path):
    out = tmp_path / "converted"
    run_recurse(
        "convert",
        "official",
        str(OFFICIAL / "step_100"),
        "--config",
        str(OFFICIAL / "all_config.yaml"),
        "--out",
        str(out),
        "--seq-len",
        "16",
    )
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


@pytest.mark.parametrize(
    "args, message",
    [
        (["--seq-len", "16"], None),
        ([], "pass --seq-len"),
    ],
)
def test_convert_reports_missing_sequence_length(tmp_path, args, message):
    result = run_recurse(
        "convert", "official", str(OFFICIAL / "step_100"), "--out", str(tmp_path / "o"), *args, check=False
    )
    if message is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode != 0 and message in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_convert_rejects_unmappable_and_corrupt_files(tmp_path):
    config = str(OFFICIAL / "all_config.yaml")
    garbage = tmp_path / "step_1"
    garbage.write_bytes(b"not a pickle at all")
    result = run_recurse(
        "convert", "official", str(garbage), "--config", config, "--out", str(tmp_path / "o"), check=False
    )
    assert result.returncode != 0 and "not a readable official checkpoint" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr

    # A state dict with a tensor the mapping does not know.
    state = torch.load(OFFICIAL / "step_100", weights_only=True)
    state["_orig_mod.model.inner.mystery.weight"] = torch.zeros(2)
    torch.save(state, tmp_path / "step_2")
    result = run_recurse(
        "convert",
        "official",
        str(tmp_path / "step_2"),
        "--config",
        config,
        "--out",
        str(tmp_path / "o"),
        "--seq-len",
        "16",
        check=False,
    )
    assert result.returncode != 0 and "cannot map official tensor" in result.stderr
    assert not (tmp_path / "o" / "model.safetensors").exists()


def test_convert_records_the_puzzle_map_and_checks_the_task(tmp_path):
    base = ["convert", "official", str(OFFICIAL / "step_100"), "--seq-len", "16"]
    names = tmp_path / "identifiers.json"
    names.write_text('["<blank>"]')
    run_recurse(*base, "--identifiers", str(names), "--out", str(tmp_path / "a"))
    assert load_checkpoint(tmp_path / "a").document.puzzle_identifiers == ["<blank>"]

    names.write_text('["<blank>", "x", "y"]')
    wrong_rows = run_recurse(*base, "--identifiers", str(names), "--out", str(tmp_path / "b"), check=False)
    assert wrong_rows.returncode != 0 and "puzzle-embedding table has 1 rows" in wrong_rows.stderr
    wrong_task = run_recurse(*base, "--task", "sudoku", "--out", str(tmp_path / "c"), check=False)
    assert wrong_task.returncode != 0 and "length 81" in wrong_task.stderr
    for result in (wrong_rows, wrong_task):
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_official_datasets_identify_their_task():
    from recurse.convert.official import infer_task
    from recurse.tasks import TASKS

    for vocab, seq_len in ((11, 81), (6, 900), (12, 900)):
        spec = infer_task(vocab, seq_len)
        task = TASKS.get(spec["kind"]).Spec.model_validate(spec).build()
        assert (task.vocab_size, task.seq_len) == (vocab, seq_len)
    assert infer_task(11, 16) is None

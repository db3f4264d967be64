"""Checkpoints: save → load gives identical tensors and predictions; bad files give one clear error."""

import json

import pytest
import torch

from recurse.errors import CheckpointError
from recurse.model.builder import build_refiner
from recurse.model.checkpoint import load_checkpoint, save_checkpoint
from tests.helpers import fake_checkpoint, random_batch, small_config


@pytest.fixture
def saved(tmp_path):
    config = small_config(schedule="hier")
    refiner = build_refiner(config)
    with torch.no_grad():
        refiner.embedding.puzzle.weight.normal_()
        refiner.q_head.weight.normal_()
    save_checkpoint(tmp_path / "ckpt", refiner, config, {"task": {"kind": "toy"}})
    return tmp_path / "ckpt", refiner, config


def test_roundtrip_identical_tensors_and_predictions(saved):
    path, refiner, config = saved
    loaded = load_checkpoint(path)
    assert loaded.config == config and loaded.document.task == {"kind": "toy"}
    for (name, a), (_, b) in zip(refiner.state_dict().items(), loaded.refiner.state_dict().items()):
        assert torch.equal(a, b), name
    batch = random_batch(config)
    state = refiner.initial_state(4, config.seq_len)
    with torch.no_grad():
        expected = refiner.eval()(state, batch["inputs"], batch["puzzle_identifiers"])
        actual = loaded.refiner.eval()(state, batch["inputs"], batch["puzzle_identifiers"])
    assert torch.equal(expected.logits, actual.logits) and torch.equal(expected.q_halt, actual.q_halt)


def test_truncated_weights(saved):
    path, *_ = saved
    data = (path / "model.safetensors").read_bytes()
    (path / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        load_checkpoint(path)


def test_wrong_kind(saved):
    path, *_ = saved
    doc = json.loads((path / "config.json").read_text())
    doc["kind"] = "something-else"
    (path / "config.json").write_text(json.dumps(doc))
    with pytest.raises(CheckpointError, match="not a recurse checkpoint"):
        load_checkpoint(path)


def test_missing_tensor_and_shape_mismatch(saved, tmp_path):
    path, refiner, config = saved
    from safetensors.torch import load_file, save_file

    tensors = load_file(str(path / "model.safetensors"))
    del tensors["lm_head.weight"]
    save_file(tensors, str(path / "model.safetensors"))
    with pytest.raises(CheckpointError, match="missing tensor 'lm_head.weight'"):
        load_checkpoint(path)

    bigger = config.model_copy(update={"hidden_size": 32})
    save_checkpoint(tmp_path / "other", build_refiner(bigger), bigger)
    doc = json.loads((tmp_path / "other" / "config.json").read_text())
    doc["model"] = config.model_dump(mode="json")
    (tmp_path / "other" / "config.json").write_text(json.dumps(doc))
    with pytest.raises(CheckpointError, match="has shape"):
        load_checkpoint(tmp_path / "other")


def test_missing_folder(tmp_path):
    with pytest.raises(CheckpointError, match="config.json not found"):
        load_checkpoint(tmp_path / "nothing")


def test_config_without_newer_fields_loads_with_logged_defaults(saved, caplog):
    path, refiner, config = saved
    doc = json.loads((path / "config.json").read_text())
    del doc["model"]["norm_eps"], doc["model"]["loss"]  # as written by an older recurse
    (path / "config.json").write_text(json.dumps(doc))
    with caplog.at_level("INFO", logger="recurse.checkpoints.document"):
        loaded = load_checkpoint(path)
    assert loaded.config.norm_eps == 1e-5 and loaded.config.loss == "stablemax"
    assert "model.norm_eps was not recorded; using the default 1e-05" in caplog.text
    assert "model.loss was not recorded" in caplog.text


def test_newer_format_version_is_refused(saved):
    path, *_ = saved
    doc = json.loads((path / "config.json").read_text())
    doc["format_version"] = 99
    (path / "config.json").write_text(json.dumps(doc))
    with pytest.raises(CheckpointError, match="format version 99 .*newer than this recurse.*upgrade recurse"):
        load_checkpoint(path)


def test_pruning_keeps_the_last_and_the_best(tmp_path):
    from recurse.checkpoints.run_folder import latest_checkpoint, prune_checkpoints
    from recurse.errors import RecurseError

    with pytest.raises(RecurseError, match="nothing to resume"):
        latest_checkpoint(tmp_path)
    for step in (100, 200, 900, 1000, 1100):  # numeric order, not text order: step_900 < step_1000
        fake_checkpoint(tmp_path, step)
    prune_checkpoints(tmp_path, keep_last=2, best_step=200)
    assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == ["step_1000", "step_1100", "step_200"]
    assert latest_checkpoint(tmp_path).name == "step_1100"

"""The rough memory and time estimates that refuse or warn about unreasonable runtime settings."""

from __future__ import annotations

import logging

import pytest

from recurse.config import ModelConfig
from recurse.config.budget import activation_bytes, available_memory_bytes, check_memory, check_time
from recurse.errors import ConfigError, ResourceError

MODEL = ModelConfig(
    vocab_size=11,
    seq_len=81,
    hidden_size=512,
    core={"kind": "attention", "num_heads": 8},
    schedule={"kind": "trm", "latent_steps": 6, "deep_steps": 3, "layers": 2},
)


def test_memory_grows_with_the_batch_and_training_keeps_every_block():
    assert activation_bytes(MODEL, 64, training=False) == pytest.approx(64 * activation_bytes(MODEL, 1, training=False))
    assert activation_bytes(MODEL, 8, training=True) > 10 * activation_bytes(MODEL, 8, training=False)


def test_a_batch_beyond_memory_is_refused_in_one_line():
    assert available_memory_bytes() is not None
    check_memory(MODEL, 1, training=True, what="bench")
    with pytest.raises(ResourceError, match=r"bench: a batch of 100000000 needs about .* GiB") as error:
        check_memory(MODEL, 10**8, training=True, what="bench")
    assert isinstance(error.value, ConfigError) and "\n" not in str(error.value)


def test_hours_of_work_are_warned_about_and_a_limit_refuses(caplog):
    with caplog.at_level(logging.WARNING, logger="recurse"):
        assert check_time(MODEL, examples=2, max_steps=4, what="eval") < 60
        assert not caplog.records
        check_time(MODEL, examples=400_000, max_steps=10_000, what="eval")
    assert "eval may take about" in caplog.text
    with pytest.raises(ResourceError, match="lower max_steps"):
        check_time(MODEL, examples=1000, max_steps=10_000, what="solve", limit_seconds=60)

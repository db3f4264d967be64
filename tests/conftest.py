"""Shared test set-up: deterministic, CPU-only, offline."""

from __future__ import annotations

import os

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch.set_num_threads(min(2, os.cpu_count() or 1))


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--task-file",
        action="append",
        default=[],
        metavar="FILE",
        help="run the task-contract property tests (tests/unit/test_task_contracts.py) on the "
        "tasks that this Python file registers, instead of on every registered task "
        "(repeatable)",
    )
    parser.addoption(
        "--stall-seconds",
        type=float,
        default=60.0,
        metavar="S",
        help="the task-contract tests stop a task's generator that returns no puzzle for S seconds",
    )

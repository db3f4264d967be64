"""Halting settings on the command line: every registered policy reaches ``solve`` and ``eval`` through one
grammar, and a bad setting is one line."""

from __future__ import annotations

import json

import numpy as np

from tests.integration.conftest import TASK, run_recurse


def _solve_steps(checkpoint, *options: str) -> list[int]:
    puzzles = [TASK.format(TASK.generate(np.random.default_rng(s))[0]) for s in range(3)]
    out = run_recurse("solve", str(checkpoint), "--json", *options, *puzzles)
    return [json.loads(line)["steps"] for line in out.stdout.splitlines()]


def test_solve_takes_every_policy_and_the_shared_grammar(checkpoint):
    assert _solve_steps(checkpoint, "--halting", "q_continue") == [2, 2, 2]  # learned policies run N_sup
    assert _solve_steps(checkpoint, "--set", "halting=fixed", "--set", "max_steps=1") == [1, 1, 1]
    assert _solve_steps(checkpoint, "--set", "halting.kind=q_halt", "--max-steps", "1") == [1, 1, 1]
    bad = run_recurse("solve", str(checkpoint), "--set", "halting.bogus=1", "." * 16, check=False)
    assert bad.returncode != 0 and "halting.bogus" in bad.stderr
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    bad = run_recurse("solve", str(checkpoint), "--halting", "nope", "." * 16, check=False)
    assert bad.returncode == 2 and "'nope' is not a halting policy; known: fixed, q_continue, q_halt" in bad.stderr


def test_eval_records_the_policy_it_ran(checkpoint, tiny_data):
    run_recurse("eval", str(checkpoint), f"data={tiny_data}", "halting.kind=q_continue", "max_steps=1", "limit=4")
    record = json.loads((checkpoint / "eval_metrics.json").read_text())
    assert record["halting"] == {"kind": "q_continue", "max_steps": 1, "exploration_prob": 0.1}
    assert record["steps"] == 1 and record["count"] == 4
    run_recurse("eval", str(checkpoint), f"data={tiny_data}", "limit=4")  # the default: fixed at N_sup
    record = json.loads((checkpoint / "eval_metrics.json").read_text())
    assert record["halting"] == {"kind": "fixed", "max_steps": 2} and record["steps"] == 2
    bad = run_recurse("eval", str(checkpoint), f"data={tiny_data}", "halting=nope", check=False)
    assert bad.returncode != 0 and "halting must be one of fixed, q_continue, q_halt, threshold" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr

"""Strategies, abstaining and the limits of verified solving, through the installed ``recurse`` command."""

from __future__ import annotations

import json

from tests.integration.conftest import run_recurse

# Norvig's "impossible" puzzle: valid givens, one solution, and a search tree far too large for the limits.
HARD = ".....5.8....6.1.43..........1.5........1.6...3.......553.....61........4........."
BENCH_TINY = [
    "batch=2",
    "steps=1",
    "eval_steps=2",
    "model.hidden_size=16",
    "model.schedule.layers=1",
    "runtime.threads=1",
]
EASY = ".4.....321.65..4....8......6......1..8.4.3..5....287...6.1...9.....7..2...5.8...."


def test_a_file_goes_on_after_a_search_that_gives_up(tmp_path):
    (tmp_path / "puzzles.txt").write_text(f"{HARD}\n{EASY}\n")
    out = run_recurse(
        "solve",
        "sudoku-9x9",
        "--verify",
        "--verify-nodes",
        "200",
        "--json",
        "--file",
        str(tmp_path / "puzzles.txt"),
        "--check",
        check=False,
        env={"HF_HUB_OFFLINE": "1"},
    )
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["status"] for r in records] == ["gave_up", "solved"]
    hard, easy = records
    assert hard["answer"] == "" and not hard["valid"] and hard["nodes"] <= 200 and hard["plain_nodes"] <= 200
    assert "gave up after" in hard["violations"][0] and hard["candidate"]
    assert easy["valid"] and easy["answer"]
    assert out.returncode == 3, "--check: a puzzle without a valid answer (EXIT_INVALID_ANSWER)"


def test_strategy_words_and_abstaining(tmp_path):
    out = run_recurse(
        "solve",
        "sudoku-9x9",
        "strategy=restart",
        "samples=4",
        "select=checker",
        "seed=3",
        "--abstain",
        "--json",
        HARD,
        EASY,
        env={"HF_HUB_OFFLINE": "1"},
    )
    hard, easy = [json.loads(line) for line in out.stdout.splitlines()]
    assert (hard["status"], hard["answer"], hard["valid"]) == ("abstained", "", False)
    assert hard["candidate"] and hard["violations"] and hard["trajectories"] == 4
    assert easy["status"] == "solved" and easy["valid"] and easy["strategy"] == "restart"
    assert 0 <= easy["trajectory"] < 4 and easy["seconds"] >= 0


def test_strategy_errors_are_one_line():
    for words, message in [
        (["samples=4"], "strategy greedy has no option 'samples'"),
        (["strategy=sample", "samples=lots"], "samples='lots'"),
        (["strategy=sample", "select=best"], "'best' is not a selection rule"),
    ]:
        result = run_recurse("solve", "sudoku-9x9", *words, EASY, check=False, env={"HF_HUB_OFFLINE": "1"})
        assert result.returncode != 0 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_eval_and_bench_take_the_same_grammar(checkpoint, tiny_data):
    run_recurse("eval", str(checkpoint), f"data={tiny_data}", "strategy=restart", "samples=3", "select=vote", "limit=4")
    record = json.loads((checkpoint / "eval_metrics.json").read_text())
    assert record["strategy"] == {"kind": "restart", "samples": 3, "select": "vote", "seed": 0, "max_batch": 1024}
    assert record["count"] == 4 and record["sample_steps"] == 3 * record["steps"]  # fixed halting: every step
    run_recurse("eval", str(checkpoint), f"data={tiny_data}", "limit=4")
    assert json.loads((checkpoint / "eval_metrics.json").read_text())["strategy"] == {"kind": "greedy"}
    bad = run_recurse("eval", str(checkpoint), f"data={tiny_data}", "strategy=sample", "noise=-1", check=False)
    assert bad.returncode != 0 and "noise='-1'" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    bench = run_recurse("bench", "recipe=trm-sudoku-mini", *BENCH_TINY, "strategy=sample", "samples=2")
    result = json.loads(bench.stdout)
    assert (
        result["strategy"]["kind"] == "sample" and result["adaptive_mean_sample_steps"] >= result["adaptive_mean_steps"]
    )

"""Verified solving over a puzzle set: checker-valid share, search nodes of the network-guided search
against the plain (smallest-domain-first) search with the same propagation, and time per puzzle.

Usage:
  python benchmarks/verify_search.py MODEL PUZZLES.txt [PUZZLES.txt ...] [--limit N] [--hardest K] [--json OUT]
  python benchmarks/verify_search.py MODEL --generate N [--seed S] [--hardest K]
  python benchmarks/verify_search.py MODEL PUZZLES.txt --strategy "strategy=restart samples=16 select=checker"

MODEL is anything ``recurse solve`` takes (a bundled name, a run or checkpoint folder). Puzzle files hold one
puzzle per line in the task's text format; lines starting with '#' are comments. ``--hardest K`` keeps the K
puzzles on which the plain search needs the most nodes (measured first, over the --limit first puzzles);
``--generate N`` draws N fresh puzzles from the model's task generator instead of reading files.
``--strategy`` answers each puzzle with an inference strategy first (the grammar of ``recurse solve``), so
the search is ordered by the distribution of the trajectory that strategy keeps rather than the greedy one.
Prints a Markdown table; ``--json`` also writes every puzzle's record.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from recurse.errors import ConfigError
from recurse.inference.strategies.settings import parse_strategy
from recurse.solver import Solver


def read_puzzles(paths: list[str], limit: int | None) -> list[str]:
    puzzles = []
    for path in paths:
        lines = [line.strip() for line in Path(path).read_text().splitlines()]
        puzzles += [line for line in lines if line and not line.startswith("#")]
    return puzzles[:limit] if limit else puzzles


def hardest(solver: Solver, puzzles: list[str], count: int) -> list[str]:
    """The ``count`` puzzles on which the plain search needs the most nodes."""
    from recurse.inference.verification import search_problem

    nodes = [search_problem(solver.task, solver.parse(p)).search(None).nodes for p in puzzles]
    order = sorted(range(len(puzzles)), key=lambda i: -nodes[i])
    return [puzzles[i] for i in order[:count]]


def summarise(records: list[dict], network_seconds: float) -> dict:
    ratios = [r["nodes"] / r["plain_nodes"] for r in records]
    count = len(records)
    return {
        "puzzles": count,
        "checker_valid": sum(r["valid"] for r in records) / count,
        "unsolvable": sum(r["status"] == "unsolvable" for r in records),
        "network_alone_valid": sum(r["network_valid"] for r in records) / count,
        "guided_nodes_median": statistics.median(r["nodes"] for r in records),
        "guided_nodes_max": max(r["nodes"] for r in records),
        "plain_nodes_median": statistics.median(r["plain_nodes"] for r in records),
        "plain_nodes_max": max(r["plain_nodes"] for r in records),
        "node_ratio_median": statistics.median(ratios),
        "node_ratio_worst": max(ratios),
        "node_ratio_total": sum(r["nodes"] for r in records) / sum(r["plain_nodes"] for r in records),
        "guided_wins": sum(r["nodes"] < r["plain_nodes"] for r in records),
        "plain_wins": sum(r["nodes"] > r["plain_nodes"] for r in records),
        "network_ms_per_puzzle": 1000 * network_seconds / count,
        "guided_ms_median": statistics.median(r["search_ms"] for r in records),
        "guided_ms_max": max(r["search_ms"] for r in records),
        "plain_ms_median": statistics.median(r["plain_ms"] for r in records),
        "plain_ms_max": max(r["plain_ms"] for r in records),
    }


def table(summary: dict) -> str:
    s = summary
    rows = [
        ("puzzles", f"{s['puzzles']}"),
        ("checker-valid answers (guided search)", f"{100 * s['checker_valid']:.1f}%"),
        ("proven unsolvable", f"{s['unsolvable']}"),
        ("network alone valid", f"{100 * s['network_alone_valid']:.1f}%"),
        ("nodes, guided: median / worst", f"{s['guided_nodes_median']:g} / {s['guided_nodes_max']}"),
        ("nodes, plain: median / worst", f"{s['plain_nodes_median']:g} / {s['plain_nodes_max']}"),
        (
            "node ratio guided/plain: median / worst / total",
            f"{s['node_ratio_median']:.3f} / {s['node_ratio_worst']:.2f} / {s['node_ratio_total']:.3f}",
        ),
        ("puzzles where guided / plain needs fewer nodes", f"{s['guided_wins']} / {s['plain_wins']}"),
        ("network forward, ms per puzzle (batched)", f"{s['network_ms_per_puzzle']:.1f}"),
        ("guided search ms: median / worst", f"{s['guided_ms_median']:.1f} / {s['guided_ms_max']:.1f}"),
        ("plain search ms: median / worst", f"{s['plain_ms_median']:.1f} / {s['plain_ms_max']:.1f}"),
    ]
    return "\n".join(["| measure | value |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("puzzles", nargs="*")
    parser.add_argument("--generate", type=int, default=None, help="draw N puzzles from the task's generator")
    parser.add_argument("--seed", type=int, default=12345, help="generator seed for --generate")
    parser.add_argument("--limit", type=int, default=None, help="read only the first N puzzles")
    parser.add_argument("--hardest", type=int, default=None, help="keep the K hardest for the plain search")
    parser.add_argument("--json", type=Path, default=None, help="write every puzzle's record here")
    parser.add_argument("--halting", default="threshold", choices=["threshold", "fixed", "q_halt"])
    parser.add_argument("--strategy", default="", help='e.g. "strategy=restart samples=16 select=checker"')
    args = parser.parse_args()
    try:
        strategy, rest = parse_strategy(args.strategy.split())
    except ConfigError as error:
        parser.error(str(error))
    if rest:
        parser.error(f"--strategy takes the options of recurse solve's strategy grammar, not {rest[0]!r}")

    solver = Solver.from_pretrained(args.model, device="cpu", halting=args.halting)
    if args.generate:
        rng = np.random.default_rng(args.seed)
        puzzles = [solver.task.format(solver.task.generate(rng)[0]) for _ in range(args.generate)]
    else:
        puzzles = read_puzzles(args.puzzles, args.limit)
    if args.hardest:
        puzzles = hardest(solver, puzzles, args.hardest)
    start = time.perf_counter()
    solutions = solver.solve_many(puzzles, verify=True, strategy=strategy)
    total = time.perf_counter() - start
    records = [s.to_json() for s in solutions]
    search_seconds = sum((r["search_ms"] + r["plain_ms"]) / 1000 for r in records)
    summary = summarise(records, max(total - search_seconds, 0.0))
    print(table(summary))
    if args.json is not None:
        args.json.write_text(json.dumps({"summary": summary, "puzzles": records}, indent=1))


if __name__ == "__main__":
    main()

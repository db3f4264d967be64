"""Test-time scaling: accuracy against seconds per puzzle for depth (supervision steps) × breadth
(trajectories per puzzle) × selection rule, on held-out puzzles drawn from the model's task generator.

Usage:
  python benchmarks/test_time_scaling.py MODEL [--puzzles 200] [--seed 12345] [--strategy restart]
      [--depths 8,16,32] [--samples 1,4,16] [--noise 0.3 --noise-every recursion] [--exact] [--json OUT]

One run records every trajectory at every step: K = max(--samples) trajectories per puzzle (sample 0 is the
greedy one) for D = max(--depths) supervision steps with fixed halting, and for each step the checker's
verdict, sigmoid(q_halt) and the answer. Every cell of the table is then read from that record, as the
strategy would have run it:

- ``checker``: solved when one of the first k trajectories is valid at some step ≤ d; a puzzle stops at
  the first such step, so it costs k × that step (else k × d) supervision steps.
- ``confidence``: the answer at step d of the trajectory with the highest sigmoid(q_halt); k × d steps.
- ``vote``: the answer most of the k trajectories give at step d (ties by mean confidence); k × d steps.

Seconds per puzzle are those supervision steps times the seconds one trajectory-step took in the run (wall
time over all trajectory-steps at the run's batch), plus the checker's time for ``checker``. Held-out
puzzles come from the task's generator with ``--seed`` (12345 by default, a seed no recipe uses). With
``--exact`` the task's exact search (the plain search of verified solving, default limits) runs on the same
puzzles beside it. Prints a Markdown table; ``--json`` writes the table and the settings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from recurse.halting import FixedSteps
from recurse.inference.strategies.settings import strategy_spec
from recurse.inference.trajectories import batch_acceptor, run_trajectories
from recurse.solver import Solver
from recurse.voting import add_vote, rank_by_votes


def held_out(solver: Solver, count: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [solver.task.generate(rng)[0] for _ in range(count)]


def record(solver: Solver, grids: list[np.ndarray], *, samples: int, depth: int, spec) -> dict:
    """Every trajectory's verdict, confidence and answer at every step: arrays [N, K, D]."""
    task = solver.task
    encoded = np.stack([task.encode(g) for g in grids]).astype(np.int64)
    inputs = torch.from_numpy(encoded)
    ids = torch.zeros(len(grids), dtype=torch.long)
    shape = (len(grids), samples, depth)
    valid, confidence = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=np.float32)
    answers = np.zeros(shape, dtype=np.int64)
    checker_seconds = [0.0]
    acceptor = batch_acceptor(task, encoded)

    def timed_acceptor(puzzles, tokens):
        start = time.perf_counter()
        verdicts = acceptor(puzzles, tokens)
        checker_seconds[0] += time.perf_counter() - start
        return verdicts

    def observe(step, puzzles, sample, tokens, conf, verdicts):
        p, k = puzzles.numpy(), sample.numpy()
        valid[p, k, step - 1] = verdicts.numpy()
        confidence[p, k, step - 1] = conf.numpy()
        rows = np.ascontiguousarray(tokens.numpy())
        answers[p, k, step - 1] = [hash(row.tobytes()) for row in rows]

    strategy = spec.build()
    perturbation = strategy.perturbation(solver.refiner) if samples > 1 else None
    if perturbation is None:
        from recurse.inference.trajectories import Perturbation

        perturbation = Perturbation()
    start = time.perf_counter()
    run_trajectories(
        solver.refiner,
        inputs,
        ids,
        samples=samples,
        halting=FixedSteps(max_steps=depth),
        perturbation=perturbation,
        acceptor=timed_acceptor,
        seed=spec.seed if samples > 1 else 0,
        max_batch=spec.max_batch if samples > 1 else 1024,
        observer=observe,
    )
    wall = time.perf_counter() - start
    steps = len(grids) * samples * depth
    return {
        "valid": valid,
        "confidence": confidence,
        "answers": answers,
        "network_seconds_per_step": (wall - checker_seconds[0]) / steps,
        "checker_seconds_per_step": checker_seconds[0] / steps,
    }


def cell(rec: dict, rule: str, k: int, d: int) -> tuple[float, float]:
    """(solved fraction, seconds per puzzle) of ``rule`` with the first k trajectories and d steps."""
    valid, conf, answers = rec["valid"][:, :k, :d], rec["confidence"][:, :k, :d], rec["answers"][:, :k, :d]
    count = valid.shape[0]
    network, checker = rec["network_seconds_per_step"], rec["checker_seconds_per_step"]
    if rule == "checker":
        any_valid = valid.any(axis=1)  # [N, d]
        solved = any_valid.any(axis=1)
        first = np.where(solved, any_valid.argmax(axis=1) + 1, d)
        return float(solved.mean()), float((k * first).mean() * (network + checker))
    if rule == "confidence":
        best = conf[:, :, -1].argmax(axis=1)
        solved = valid[np.arange(count), best, -1]
        return float(solved.mean()), float(k * d * network)
    solved = np.zeros(count, dtype=bool)
    for i in range(count):
        tallies: dict[int, list[float]] = {}
        first: dict[int, int] = {}
        for sample in range(k):
            add_vote(tallies, int(answers[i, sample, -1]), float(conf[i, sample, -1]))
            first.setdefault(int(answers[i, sample, -1]), sample)
        solved[i] = valid[i, first[rank_by_votes(tallies)[0]], -1]
    return float(solved.mean()), float(k * d * network)


def exact(solver: Solver, grids: list[np.ndarray]) -> dict:
    from recurse.inference.verification import search_problem
    from recurse.tasks.search import SOLVED, SearchLimits

    results = [search_problem(solver.task, g).search(None, SearchLimits()) for g in grids]
    return {
        "solved": sum(r.status == SOLVED for r in results) / len(results),
        "seconds_mean": statistics.mean(r.seconds for r in results),
        "seconds_median": statistics.median(r.seconds for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--puzzles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--strategy", default="restart", choices=["restart", "sample"])
    parser.add_argument("--noise", type=float, default=None)
    parser.add_argument("--noise-every", default=None, choices=["recursion", "step"])
    parser.add_argument("--depths", default="8,16,32,64,128")
    parser.add_argument("--samples", default="1,4,16,64")
    parser.add_argument("--rules", default="checker,confidence,vote")
    parser.add_argument("--exact", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    torch.set_num_threads(1)
    depths = [int(x) for x in args.depths.split(",")]
    breadths = [int(x) for x in args.samples.split(",")]
    rules = args.rules.split(",")
    solver = Solver.from_pretrained(args.model, device="cpu", halting="fixed")
    options = {"samples": max(breadths)}
    if args.strategy == "sample":
        options.update({k: v for k, v in (("noise", args.noise), ("noise_every", args.noise_every)) if v is not None})
    spec = strategy_spec(args.strategy, **options)
    grids = held_out(solver, args.puzzles, args.seed)
    rec = record(solver, grids, samples=max(breadths), depth=max(depths), spec=spec)
    rows = []
    if 1 in breadths:  # greedy: the one unperturbed trajectory, its answer at step d
        for d in depths:
            solved, seconds = cell(rec, "confidence", 1, d)
            rows.append({"rule": "greedy", "samples": 1, "depth": d, "solved": solved, "seconds_per_puzzle": seconds})
    for rule in rules:
        for k in (k for k in breadths if k > 1):
            for d in depths:
                solved, seconds = cell(rec, rule, k, d)
                rows.append({"rule": rule, "samples": k, "depth": d, "solved": solved, "seconds_per_puzzle": seconds})
    print(
        f"{args.model}: {args.puzzles} held-out puzzles (seed {args.seed}), {spec.model_dump()}, "
        f"1 thread, {rec['network_seconds_per_step'] * 1000:.2f} ms per trajectory-step"
    )
    print("| rule | samples | depth | solved | s / puzzle |\n|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['rule']} | {r['samples']} | {r['depth']} | {100 * r['solved']:.1f}% | {r['seconds_per_puzzle']:.3f} |"
        )
    result = {
        "model": args.model,
        "puzzles": args.puzzles,
        "seed": args.seed,
        "strategy": spec.model_dump(),
        "ms_per_trajectory_step": 1000 * rec["network_seconds_per_step"],
        "rows": rows,
    }
    if args.exact:
        result["exact"] = exact(solver, grids)
        e = result["exact"]
        print(
            f"exact search: {100 * e['solved']:.1f}% solved, {1000 * e['seconds_mean']:.1f} ms mean, "
            f"{1000 * e['seconds_median']:.1f} ms median per puzzle"
        )
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

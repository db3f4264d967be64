"""What training against the checker costs a step: the target choice among K listed answers alone, and a
whole training step with and without answer sets, interleaved, on a recipe's model.

Usage: python benchmarks/nearest_answer.py [RECIPE] [--steps N] [--limit K] [--threads T]
(default: trm-sat-mini, 20 steps, 64 answers, one thread)

Prints one JSON line: median milliseconds of the choice, of a step with the answers and of a step without,
in CPU time of this process (``time.process_time``: on a shared machine the wall time also counts the
other processes' turns). Random tokens stand in for data (the cost does not depend on them), as in
``recurse bench``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe", nargs="?", default="trm-sat-mini")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--limit", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from recurse.losses.cross_entropy import IGNORE_INDEX, LOG_PROBS
    from recurse.losses.nearest_answer import nearest_answers
    from recurse.optim import AdamATan2
    from recurse.recipe import load_recipe
    from recurse.training.setup import set_up_run

    config = load_recipe(args.recipe)
    run = set_up_run(config, data=False)
    model, refiner, task = run.model, run.refiner, run.task
    optimizer = AdamATan2(refiner.parameters(), lr=1e-4, weight_decay=0.1)
    size, length = config.training.global_batch_size, task.seq_len
    generator = torch.Generator().manual_seed(0)
    positions = torch.from_numpy(task.answer_positions())
    labels = torch.full((size, length), IGNORE_INDEX, dtype=torch.int32)
    labels[:, positions] = torch.randint(2, 4, (size, positions.numel()), generator=generator, dtype=torch.int32)
    answers = torch.full((size, args.limit, length), IGNORE_INDEX, dtype=torch.int32)
    answers[:, :, positions] = torch.randint(
        2, 4, (size, args.limit, positions.numel()), generator=generator, dtype=torch.int32
    )
    answers[:, 0] = labels
    plain = {
        "inputs": torch.randint(1, task.vocab_size, (size, length), generator=generator),
        "labels": labels,
        "puzzle_identifiers": torch.zeros(size, dtype=torch.int32),
    }
    listed = {**plain, "answers": answers}

    def step(batch) -> float:
        start = time.process_time()
        out = model(model.initial_carry(batch), batch)
        out.loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return time.process_time() - start

    logits = torch.randn(size, length, task.vocab_size, generator=generator)
    choice, with_answers, without = [], [], []
    for _ in range(args.steps):
        start = time.process_time()
        nearest_answers(LOG_PROBS[config.model.loss](logits), answers)
        choice.append(time.process_time() - start)
        with_answers.append(step(listed))
        without.append(step(plain))
    print(
        json.dumps(
            {
                "recipe": args.recipe,
                "batch": size,
                "limit": args.limit,
                "seq_len": length,
                "threads": torch.get_num_threads(),
                "choice_ms": round(1000 * statistics.median(choice), 2),
                "step_with_answers_ms": round(1000 * statistics.median(with_answers), 1),
                "step_without_ms": round(1000 * statistics.median(without), 1),
            }
        )
    )


if __name__ == "__main__":
    main()

"""The lines to beat for the recipes with several answers, on their held-out split: for planted 3-SAT,
giving each variable the sign it appears with most often (ties: true); for graph colouring with no colour
given, colouring at random (the expected share of valid colourings, counted exactly).

Usage: python benchmarks/answer_baselines.py RECIPE [KEY=VALUE ...]   (trm-sat-mini or trm-colouring10-mini,
with dotted overrides such as data.task.variables=20; builds the data first when it is missing). Prints one
JSON line with the checker-valid share.
"""

from __future__ import annotations

import argparse
import json

import numpy as np


def sign_majority(task, puzzle: np.ndarray) -> np.ndarray:
    from recurse.tasks.examples.sat import FALSE, TRUE

    literals = task.literals(puzzle).reshape(-1)
    votes = np.zeros(task.n)
    np.add.at(votes, np.abs(literals) - 1, np.sign(literals))
    answer = np.array(puzzle, copy=True)
    answer[: task.n] = np.where(votes >= 0, TRUE, FALSE)
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe")
    parser.add_argument("overrides", nargs="*", help="dotted KEY=VALUE overrides of the recipe")
    args = parser.parse_args()

    from recurse.data import load_split
    from recurse.data.prepare import prepare_dataset
    from recurse.recipe import load_recipe

    config = load_recipe(args.recipe, args.overrides)
    task = config.data.task.build()
    split = load_split(prepare_dataset(config.data), "test")
    puzzles = [task.decode(row) for row in np.asarray(split.inputs)]
    if task.name == "sat":
        rule = "sign majority"
        valid = np.mean([task.is_solution(p, sign_majority(task, p)) for p in puzzles])
    else:
        rule = "random colours (copying the givens, here none)"
        blanks = [int((p[task.answer_positions()] == 0).sum()) for p in puzzles]
        valid = np.mean([len(task.answers(p, limit=task.k**b)) / task.k**b for p, b in zip(puzzles, blanks)])
    print(
        json.dumps(
            {
                "recipe": args.recipe,
                "overrides": args.overrides,
                "puzzles": len(puzzles),
                "rule": rule,
                "valid_rate": round(valid, 4),
            }
        )
    )


if __name__ == "__main__":
    main()

"""Model cards for published solvers, generated from a checkpoint's config.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from safetensors import safe_open

from recurse.checkpoint import WEIGHTS_NAME

LICENSE = "apache-2.0"


def _parameter_count(folder: Path) -> int:
    total = 0
    with safe_open(str(folder / WEIGHTS_NAME), framework="pt") as weights:
        for name in weights.keys():
            shape = weights.get_slice(name).get_shape()
            count = 1
            for dim in shape:
                count *= dim
            total += count
    return total


def _example_puzzle(document: dict[str, Any]) -> str:
    """A puzzle of the checkpoint's task for the usage snippet, from its generator (seeded)."""
    from recurse.errors import RecurseError
    from recurse.tasks import build_task

    try:
        task = build_task(document.get("task") or {})
        return task.format(task.generate(np.random.default_rng(0))[0])
    except RecurseError:  # no such task here, or a task without a generator (ARC)
        return "<puzzle>"


def _example_puzzle_id(document: dict[str, Any]) -> str | None:
    """For a model with an embedding per training puzzle, one puzzle it can answer (an unaugmented one)."""
    names = document.get("puzzle_identifiers") or []
    if len(names) <= 1:
        return None
    # Augmented copies are named "<puzzle>|||…"; a user asks about the original puzzle.
    return next((name for name in names[1:] if "|||" not in name), names[1])


def render_model_card(document: dict[str, Any], folder: Path, *, repo_id: str | None = None) -> str:
    model = document["model"]
    task = document.get("task") or {}
    task_name = task.get("kind", "unknown")
    metrics = document.get("metrics") or {}
    dataset = document.get("dataset") or {}
    training = document.get("training") or {}
    reference = repo_id or "PATH/TO/CHECKPOINT"
    example = _example_puzzle(document)  # generated once: a 9×9 minimal Sudoku takes a while
    puzzle_id = _example_puzzle_id(document)
    solve_options = f" --puzzle-id {puzzle_id}" if puzzle_id else ""
    solve_arguments = f', puzzle_id="{puzzle_id}"' if puzzle_id else ""
    schedule, core, halting = model["schedule"], model["core"], model["halting"]
    tags = ["recurse", "recursive-reasoning", task_name]
    lines = [
        "---",
        f"license: {LICENSE}",
        "library_name: recurse",
        "tags:",
        *[f"- {tag}" for tag in tags],
        "---",
        "",
        f"# {repo_id.split('/')[-1] if repo_id else (document.get('bundled') or {}).get('name', 'recurse solver')}",
        "",
        f"A recursive reasoner for **{task_name}** trained with [recurse](https://pypi.org/project/recurse/): a "
        f"`{schedule['kind']}` schedule over a `{core['kind']}` core, hidden size {model['hidden_size']}, "
        f"{_parameter_count(folder):,} parameters, halting `{halting['kind']}` with at most "
        f"{halting['max_steps']} supervision steps.",
        "",
        "## Use",
        "",
        "```bash",
        "pip install recurse",
        f'recurse solve {reference}{solve_options} "{example}"',
        "```",
        "",
        "```python",
        "from recurse.solver import Solver",
        f'solver = Solver.from_pretrained("{reference}")',
        f'print(solver.solve("{example}"{solve_arguments}).answer)',
        "```",
        "",
        "## Task",
        "",
        "```json",
        json.dumps(task, indent=2),
        "```",
        "",
        f"Vocabulary (token id → symbol): `{document.get('vocab')}`.",
        "",
        "## Training",
        "",
        f"- Recipe: `{document.get('recipe')}`" + (f" (`recurse recipes show {document['recipe']}`)"
                                                   if document.get("recipe") else ""),
        f"- Training data: `{dataset.get('path')}`, fingerprint `{dataset.get('fingerprint')}`",
        f"- Steps: {training.get('step')}, seed {training.get('seed')}",
        # Counted in steps, not minutes: a time budget stops at a different step on every machine.
        *([f"- Reproduce: `recurse train recipe={document['recipe']} runtime.seed={training.get('seed')} "
           f"training.max_minutes=null training.max_steps={training.get('step')}`"]
          if document.get("recipe") and training.get("step") else []),
        "",
        "## Results",
        "",
    ]
    if metrics:
        lines += [f"Evaluated on the held-out `test` split of `{dataset.get('path')}` "
                  f"({metrics.get('count', '?')} puzzles), {halting['max_steps']} supervision steps:", "",
                  "| metric | value |", "|---|---|"]
        lines += [f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in metrics.items()]
    else:
        lines.append("No evaluation was recorded with this checkpoint.")
    source = document.get("source")
    if source:
        lines += ["", "## Provenance", "", f"Converted from an official checkpoint: `{json.dumps(source)}`."]
    lines += ["", "## Model config", "", "```json", json.dumps(model, indent=2), "```", ""]
    return "\n".join(lines)

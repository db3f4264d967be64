"""Model cards for published solvers, built with ``huggingface_hub.ModelCard`` from a checkpoint's config.json.

The YAML header (``ModelCardData``) carries the library name, tags, the Hub dataset the model was trained
on (when its recipe reads one), ``base_model`` for a checkpoint converted from another repo, and a
model-index with the recorded held-out metrics as ``EvalResult`` entries.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from safetensors import safe_open

from recurse import DISTRIBUTION
from recurse.checkpoints.document import WEIGHTS_NAME, CheckpointDocument, DatasetRecord, TrainingRecord

if TYPE_CHECKING:
    from huggingface_hub import EvalResult, ModelCard

    from recurse.tasks import Task

LICENSE = "apache-2.0"
INSTALL = f"pip install {DISTRIBUTION}"
PACKAGE_URL = f"https://pypi.org/project/{DISTRIBUTION}/"
# Recorded metrics that go into the model-index (fractions in [0, 1]), as (the Hub's metric id, label):
# exact accuracy is the Hub's exact_match (the whole answer right), token accuracy its accuracy. ARC
# models add pass@k, an exact match within k attempts. The rate of valid answers has no Hub id and
# stays in the card's table.
INDEXED_METRICS = {
    "exact_accuracy": ("exact_match", "exact accuracy"),
    "token_accuracy": ("accuracy", "token accuracy"),
}


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


def _task(document: CheckpointDocument) -> Task | None:
    """The checkpoint's task, or None when it cannot be built here (a plugin task that is not loaded)."""
    from recurse.errors import RecurseError
    from recurse.tasks import build_task

    try:
        return build_task(document.task or {})
    except RecurseError:
        return None


def _example_puzzle(task: Task | None) -> str:
    """A puzzle of the task for the usage snippet, from its generator (seeded)."""
    from recurse.errors import RecurseError

    if task is None:
        return "<puzzle>"
    try:
        return task.format(task.generate(np.random.default_rng(0))[0])
    except RecurseError:  # a task without a generator (ARC)
        return "<puzzle>"


def _example_puzzle_id(document: CheckpointDocument) -> str | None:
    """For a model with an embedding per training puzzle, one puzzle it can answer (an unaugmented one)."""
    names = document.puzzle_identifiers or []
    if len(names) <= 1:
        return None
    # Augmented copies are named "<puzzle>|||…"; a user asks about the original puzzle.
    return next((name for name in names[1:] if "|||" not in name), names[1])


def _hub_datasets(document: CheckpointDocument) -> list[str]:
    """The Hub dataset repos the model's training data came from, as far as the checkpoint tells."""
    from recurse.errors import RecurseError

    sources = [document.dataset.source] if document.dataset and document.dataset.source else []
    if not sources and document.recipe and document.recipe.name:  # a shipped recipe says where its data is from
        from recurse.recipe import load_recipe

        try:
            build = load_recipe(document.recipe.name).data.build
            sources = [build.source] if build is not None else []
        except RecurseError:  # a recipe this installation does not have
            pass
    return [s[4:].split("@")[0] for s in sources if isinstance(s, str) and s.startswith("hub:")]


def _base_model(document: CheckpointDocument) -> str | None:
    repo = document.source.repo_id if document.source else None
    return repo if isinstance(repo, str) and repo.count("/") == 1 else None


def _eval_results(document: CheckpointDocument, task_name: str, datasets: list[str]) -> list[EvalResult]:
    """The model-index entries: only for a model evaluated on a Hub dataset, whose id they must name."""
    from huggingface_hub import EvalResult

    if not datasets:
        return []
    metrics = document.metrics
    name = datasets[0]
    labels = {**INDEXED_METRICS, **{key: ("exact_match", key) for key in metrics if key.startswith("pass@")}}
    results = []
    for key, (metric_id, label) in labels.items():
        value = metrics.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            results.append(
                EvalResult(
                    task_type="puzzle-solving",
                    task_name=f"{task_name} solving",
                    dataset_type=name,
                    dataset_name=name,
                    dataset_split="test",
                    metric_type=metric_id,
                    metric_name=label,
                    metric_value=round(float(value), 4),
                )
            )
    return results


def build_model_card(
    document: CheckpointDocument,
    folder: Path,
    *,
    repo_id: str | None = None,
    reference: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> ModelCard:
    """The card of the checkpoint in ``folder`` whose config is ``document``; usage snippets name
    ``reference`` (default: ``repo_id``, else ``folder`` itself). ``metadata`` adds fields to the YAML
    header (``ModelCardData``'s: ``language``, ``license``, …; ``tags`` are added to the generated ones)."""
    from huggingface_hub import ModelCard, ModelCardData

    model = document.model
    task = document.task or {}
    task_name = str(task.get("kind", "unknown"))
    metrics = document.metrics
    dataset = document.dataset or DatasetRecord()
    training = document.training or TrainingRecord()
    recipe = document.recipe
    reference = reference or repo_id or str(folder)
    title = repo_id.split("/")[-1] if repo_id else (document.bundled.name if document.bundled else Path(reference).name)
    built_task = _task(document)
    example = _example_puzzle(built_task)  # generated once: a 9×9 minimal Sudoku takes a while
    puzzle_id = _example_puzzle_id(document)
    verifiable = built_task is not None and built_task.has_exact_solver()
    strategy = document.bundled.strategy if document.bundled is not None else None
    solve_options = f" --puzzle-id {puzzle_id}" if puzzle_id else ""
    solve_arguments = f', puzzle_id="{puzzle_id}"' if puzzle_id else ""
    schedule, core, halting = model.schedule, model.core, model.halting
    datasets = _hub_datasets(document)
    eval_results = _eval_results(document, task_name, datasets)
    extra = dict(metadata or {})
    tags = ["recurse", "recursive-reasoning", task_name, schedule.kind]
    tags += [tag for tag in extra.pop("tags", None) or [] if tag not in tags]
    header: dict[str, Any] = {
        "license": LICENSE,
        "library_name": "recurse",
        "datasets": datasets or None,
        "base_model": _base_model(document),
        "model_name": title if eval_results else None,
        "eval_results": eval_results or None,
        # The Hub metric ids of what was measured, with or without a model-index to put the values in.
        "metrics": sorted({INDEXED_METRICS[key][0] for key in metrics if key in INDEXED_METRICS}) or None,
    }
    data = ModelCardData(tags=tags, **{**header, **extra})
    if recipe is None:
        recipe_line = "- Recipe: `None`"
    elif recipe.name is not None:
        recipe_line = f"- Recipe: `{recipe.name}` (`recurse recipes show {recipe.name}`)"
    else:
        recipe_line = f"- Recipe: the file `{recipe.file}` (not shipped with recurse)"
    lines = [
        f"# {title}",
        "",
        f"A recursive reasoner for **{task_name}** trained with [recurse]({PACKAGE_URL}): a "
        f"`{schedule.kind}` schedule over a `{core.kind}` core, hidden size {model.hidden_size}, "
        f"{_parameter_count(folder):,} parameters, halting `{halting.kind}` with at most "
        f"{model.max_steps} supervision steps.",
        "",
        "## Use",
        "",
        "```bash",
        INSTALL,
        f'recurse solve {reference}{solve_options} "{example}"',
        *([f'recurse solve {reference}{solve_options} --verify "{example}"'] if verifiable else []),
        *([f'recurse solve {reference}{solve_options} {strategy} "{example}"'] if strategy else []),
        "```",
        "",
        "```python",
        "from recurse.solver import Solver",
        f'solver = Solver.from_pretrained("{reference}")',
        f'print(solver.solve("{example}"{solve_arguments}).answer)',
        *([f'print(solver.solve("{example}"{solve_arguments}, verify=True).answer)'] if verifiable else []),
        "```",
        *(
            [
                "",
                "With `--verify` (`verify=True`) the network's per-cell distribution orders the task's exact "
                "search, so every answer passes the checker, or the puzzle is reported to have none; the "
                "network's own answer and the search nodes are reported beside it.",
            ]
            if verifiable
            else []
        ),
        *(
            [
                "",
                f"Recommended inference strategy: `{strategy}` (several trajectories per puzzle, the one the "
                "task's checker accepts kept; measured in recurse's docs/results.md, \"Test-time scaling\"). "
                "Plain `recurse solve` runs one greedy trajectory.",
            ]
            if strategy
            else []
        ),
        "",
        "## Task",
        "",
        "```json",
        json.dumps(task, indent=2),
        "```",
        "",
        f"Vocabulary (token id → symbol): `{document.vocab}`.",
        "",
        "## Training",
        "",
        recipe_line,
        f"- Training data: `{dataset.path}`, fingerprint `{dataset.fingerprint}`",
        f"- Steps: {training.step}, seed {training.seed}",
        # Counted in steps, not minutes: a time budget stops at a different step on every machine.
        *(
            [
                f"- Reproduce: `recurse train recipe={recipe.reference} runtime.seed={training.seed} "
                f"training.max_minutes=null training.max_steps={training.step}`"
            ]
            if recipe is not None and training.step
            else []
        ),
        "",
        "## Results",
        "",
    ]
    if metrics:
        lines += [
            f"Evaluated on the held-out `test` split of `{dataset.path}` "
            f"({metrics.get('count', '?')} puzzles), {model.max_steps} supervision steps:",
            "",
            "| metric | value |",
            "|---|---|",
        ]
        lines += [f"| {k} | {v:.4f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in metrics.items()]
    else:
        lines.append("No evaluation was recorded with this checkpoint.")
    if document.source is not None:
        source = json.dumps(document.source.model_dump(mode="json", exclude_none=True))
        lines += ["", "## Provenance", "", f"Converted from an official checkpoint: `{source}`."]
    model_json = json.dumps(model.model_dump(mode="json"), indent=2)
    lines += ["", "## Model config", "", "```json", model_json, "```", ""]
    return ModelCard(f"---\n{data.to_yaml()}\n---\n\n" + "\n".join(lines))


def render_model_card(
    document: CheckpointDocument, folder: Path, *, repo_id: str | None = None, reference: str | None = None
) -> str:
    """:func:`build_model_card` as the text of ``README.md``."""
    return str(build_model_card(document, folder, repo_id=repo_id, reference=reference))

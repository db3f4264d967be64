"""Model cards for published solvers, built with ``huggingface_hub.ModelCard`` from a checkpoint's config.json.

The YAML header (``ModelCardData``) carries the library name, tags, the Hub dataset the model was trained
on (when its recipe reads one), ``base_model`` for a checkpoint converted from another repo, and a
model-index with the recorded held-out metrics as ``EvalResult`` entries.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from safetensors import safe_open

from recurse import DISTRIBUTION
from recurse.checkpoints.document import WEIGHTS_NAME, CheckpointDocument, DatasetRecord, TrainingRecord

if TYPE_CHECKING:
    from huggingface_hub import ModelCard

    from recurse.tasks import Task

LICENSE = "apache-2.0"
INSTALL = f"pip install {DISTRIBUTION}"
PACKAGE_URL = f"https://pypi.org/project/{DISTRIBUTION}/"
# metrics that go into the model-index (fractions in [0, 1]); ARC models add pass@k
INDEXED_METRICS = {
    "exact_accuracy": "exact accuracy",
    "token_accuracy": "token accuracy",
    "valid_rate": "valid answers",
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


def _eval_results(document: CheckpointDocument, task_name: str, datasets: list[str]) -> list:
    from huggingface_hub import EvalResult

    metrics = document.metrics
    data_path = document.dataset.path if document.dataset else None
    name = datasets[0] if datasets else Path(str(data_path or "held-out")).name
    labels = {**INDEXED_METRICS, **{key: key for key in metrics if key.startswith("pass@")}}
    results = []
    for key, label in labels.items():
        value = metrics.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            results.append(
                EvalResult(
                    task_type="puzzle-solving",
                    task_name=f"{task_name} solving",
                    dataset_type=name,
                    dataset_name=name,
                    dataset_split="test",
                    metric_type=key,
                    metric_name=label,
                    metric_value=round(float(value), 4),
                )
            )
    return results


def build_model_card(
    document: CheckpointDocument, folder: Path, *, repo_id: str | None = None, reference: str | None = None
) -> ModelCard:
    """The card of the checkpoint in ``folder`` whose config is ``document``; usage snippets name
    ``reference`` (default: ``repo_id``, else a placeholder path)."""
    from huggingface_hub import ModelCard, ModelCardData

    model = document.model
    task = document.task or {}
    task_name = str(task.get("kind", "unknown"))
    metrics = document.metrics
    dataset = document.dataset or DatasetRecord()
    training = document.training or TrainingRecord()
    recipe = document.recipe
    reference = reference or repo_id or "PATH/TO/CHECKPOINT"
    title = repo_id.split("/")[-1] if repo_id else (document.bundled.name if document.bundled else reference)
    built_task = _task(document)
    example = _example_puzzle(built_task)  # generated once: a 9×9 minimal Sudoku takes a while
    puzzle_id = _example_puzzle_id(document)
    verifiable = built_task is not None and built_task.has_exact_solver()
    solve_options = f" --puzzle-id {puzzle_id}" if puzzle_id else ""
    solve_arguments = f', puzzle_id="{puzzle_id}"' if puzzle_id else ""
    schedule, core, halting = model.schedule, model.core, model.halting
    datasets = _hub_datasets(document)
    eval_results = _eval_results(document, task_name, datasets)
    data = ModelCardData(
        license=LICENSE,
        library_name="recurse",
        tags=["recurse", "recursive-reasoning", task_name, schedule.kind],
        datasets=datasets or None,
        base_model=_base_model(document),
        model_name=title if eval_results else None,
        eval_results=eval_results or None,
        metrics=[r.metric_type for r in eval_results] or None,
    )
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

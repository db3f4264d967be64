"""Evaluating a refiner on a dataset split.

The official metric set (``recurse.metrics``: accuracy, exact_accuracy, q_halt_accuracy, steps, lm_loss,
q_halt_loss) under the official names and definitions, next to recurse's own: ``token_accuracy`` (right
cells over all labelled cells, pooled), ``valid_rate`` (answers the task's checker accepts, which counts
any valid solution, not only the label), ``puzzles_per_s`` and ``count`` (examples evaluated). For a task
with several answers per puzzle, ``q_halt_valid_accuracy`` is how often the halting head's "done"
(``q_halt >= 0``) agrees with the checker: the official ``q_halt_accuracy`` compares it with the one stored
label, which a valid answer other than the label contradicts.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from recurse.data.sampler import IGNORE_INDEX, eval_batches, gather
from recurse.errors import RecurseError
from recurse.halting import HaltingPolicy
from recurse.inference.refinement import refine
from recurse.inference.strategies import Greedy, Strategy
from recurse.inference.trajectories import batch_acceptor
from recurse.metrics import OfficialMetrics
from recurse.model.refiner import RecursiveRefiner
from recurse.store.layout import PuzzleSplit, read_puzzle_identifiers
from recurse.tasks.base import DatasetEvaluator, Task


def evaluate(
    refiner: RecursiveRefiner,
    split: PuzzleSplit,
    *,
    halting: HaltingPolicy,
    task: Task | None = None,
    batch_size: int = 256,
    limit: int | None = None,
    device: torch.device | str = "cpu",
    progress: bool = False,
    evaluator: DatasetEvaluator | None = None,
    loss: str = "stablemax",
    strategy: Strategy | None = None,
) -> dict[str, float]:
    """Metrics over the split's examples (or the first ``limit``). ``valid_rate`` needs the task's checker;
    ``evaluator`` (for example ARC's voting) sees every prediction and adds its own metrics; ``loss`` is
    the model's token loss, for ``lm_loss``; ``strategy`` (default: greedy) answers each puzzle, and the metrics
    are those of the trajectory it keeps (``sample_steps`` adds the supervision steps of all trajectories)."""
    strategy = strategy if strategy is not None else Greedy()
    sample_steps = 0
    refiner.eval()
    official = OfficialMetrics(loss)
    totals = {"count": 0, "tokens_right": 0, "tokens": 0, "valid": 0, "halt_agrees": 0}
    total = split.num_examples if limit is None else min(limit, split.num_examples)
    bar = tqdm(total=total, desc="evaluating", unit="puzzle", disable=None if progress else True, leave=False)
    started = time.perf_counter()
    padded_q_halt: torch.Tensor | None = None  # q_halt of a padded row, once one has been computed
    for batch in eval_batches(split, batch_size, limit):
        inputs = torch.from_numpy(batch.inputs).to(device)
        ids = torch.from_numpy(batch.puzzle_identifiers).to(device)
        answers = strategy.run(
            refiner,
            inputs,
            ids,
            halting=halting,
            keep_logits=True,
            acceptor=batch_acceptor(task, batch.inputs) if task is not None else None,
        )
        pred = answers.prediction
        assert pred.q_halt is not None and pred.logits is not None  # kept with keep_logits=True
        sample_steps += int(answers.sample_steps[: batch.real].sum())
        real = batch.real
        official.add(
            torch.from_numpy(batch.labels[:real]).to(device).long(),
            pred.tokens[:real],
            pred.steps[:real],
            pred.q_halt[:real],
            pred.logits[:real],
        )
        if len(batch.inputs) > real:
            padded_q_halt = pred.q_halt[real]
        tokens = pred.tokens.cpu().numpy()[:real]
        labels = batch.labels[:real]
        mask = labels != IGNORE_INDEX
        totals["count"] += real
        totals["tokens_right"] += int(((tokens == labels) & mask).sum())
        totals["tokens"] += int(mask.sum())
        if evaluator is not None:
            evaluator.add(
                batch.puzzle_identifiers[: batch.real],
                batch.inputs[: batch.real],
                tokens,
                # sigmoid(q_halt) in float64, as officially: in float32 it saturates at 1.0 near q_halt 16.6,
                # and ties between answers would then be broken differently.
                torch.sigmoid(pred.q_halt[: batch.real].double()).cpu().numpy(),
            )
        if task is not None:
            accepted = checker_accepts(task, batch.inputs[:real], tokens)
            totals["valid"] += int(accepted.sum())
            says_done = (pred.q_halt[:real] >= 0).cpu().numpy()
            totals["halt_agrees"] += int((says_done == accepted).sum())
        bar.update(batch.real)
    bar.close()
    elapsed = time.perf_counter() - started
    padding = -total % batch_size  # the official last batch is always padded to the full batch size
    if padding:
        if padded_q_halt is None:  # everything fitted in one smaller batch: compute one padded row
            row = gather(split, np.arange(0), pad_to=1)
            pad = refine(
                refiner,
                torch.from_numpy(row.inputs).to(device),
                torch.from_numpy(row.puzzle_identifiers).to(device),
                halting=halting,
            )
            assert pad.q_halt is not None
            padded_q_halt = pad.q_halt[0]
        official.add_padding(padding, padded_q_halt)
    count = max(totals["count"], 1)
    metrics = {
        **official.means(),
        "token_accuracy": totals["tokens_right"] / max(totals["tokens"], 1),
        "puzzles_per_s": totals["count"] / elapsed if elapsed > 0 else float("nan"),
        "count": totals["count"],
    }
    if strategy.samples > 1:
        metrics["sample_steps"] = sample_steps / count
    if task is not None:
        metrics["valid_rate"] = totals["valid"] / count
        metrics["checker_valid"] = totals["valid"]
        if task.several_answers:
            metrics["q_halt_valid_accuracy"] = totals["halt_agrees"] / count
    if evaluator is not None:
        metrics.update(evaluator.metrics())
    return metrics


def headline_metric(task: Task | None) -> str:
    """The metric a run on ``task`` is judged by: ``valid_rate`` (answers the checker accepts) when a puzzle
    may have several answers, since the label is only one of them; else ``exact_accuracy``."""
    return "valid_rate" if task is not None and task.several_answers else "exact_accuracy"


def checker_accepts(task: Task, inputs: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """[B] bool: whether the task's checker accepts each of a batch's answers. Any valid answer counts as
    solved, so a task with several answers per puzzle is not scored only against the one in its label."""
    return np.array([task.accepts(puzzle, answer) for puzzle, answer in zip(inputs, tokens)], dtype=bool)


def checker_valid(task: Task, inputs: np.ndarray, tokens: np.ndarray) -> int:
    """How many of a batch's answers the task's checker accepts (``checker_accepts``)."""
    return int(checker_accepts(task, inputs, tokens).sum())


def check_puzzle_map(model_names: list[str] | None, data_path: str | Path) -> None:
    """Refuse to evaluate a model whose puzzle-embedding rows name other puzzles than the dataset's ids.

    Models with one shared embedding (Sudoku, Maze) have nothing to check.
    """
    data_names = read_puzzle_identifiers(data_path)
    if not model_names or len(model_names) <= 1 or data_names is None:
        return
    if data_names != model_names:
        first = next(
            (i for i, (a, b) in enumerate(zip(model_names, data_names)) if a != b),
            min(len(model_names), len(data_names)),
        )
        where = Path(data_path) / "identifiers.json"
        raise RecurseError(
            f"the model's puzzle ids do not match {where} ({len(model_names)} vs {len(data_names)} "
            f"names, first difference at id {first}); evaluate on the dataset it was trained on"
        )


def summarise(metrics: dict[str, float]) -> str:
    parts = []
    for key, value in metrics.items():
        parts.append(f"{key}={value:.4f}" if isinstance(value, float) and not np.isnan(value) else f"{key}={value}")
    return " ".join(parts)

"""Solving puzzles with a trained refiner: parse, validate, refine in batches, decode and check."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch

from recurse.checkpoint import CONFIG_NAME, load_checkpoint
from recurse.errors import CheckpointError
from recurse.halting import HaltingPolicy, inference_policy
from recurse.inference import refine
from recurse.refiner import RecursiveRefiner
from recurse.tasks import PuzzleFormatError, Task, build_task
from recurse.training.run_folder import checkpoint_folders, step_folder
from recurse.training.runtime import resolve_device
from recurse.training.state import COUNTERS
from recurse.verify import Verification, verify as verify_answer


@dataclass
class Solution:
    puzzle: str  # the puzzle in the task's one-line text format
    answer: str  # the model's answer in the same format
    valid: bool  # whether the task's checker accepts the answer
    steps: int  # supervision steps used
    confidence: float  # sigmoid(q_halt) at the last step
    trace: list[str] = field(default_factory=list)  # the answer after each step, when asked for
    verification: Verification | None = None  # with verify=True: the exact search's report

    def to_json(self) -> dict:
        record = {"puzzle": self.puzzle, "answer": self.answer, "valid": self.valid, "steps": self.steps}
        if self.trace:
            record["trace"] = self.trace
        if self.verification is not None:
            record.update(self.verification.to_json())
        return record


def find_checkpoint_folder(path: Path) -> Path:
    """A checkpoint folder as given, or the best (else latest) checkpoint of a run folder."""
    if (path / CONFIG_NAME).is_file():
        return path
    folders = [f for f in checkpoint_folders(path) if (f / COUNTERS).is_file()]
    if folders:
        best = json.loads((folders[-1] / COUNTERS).read_text()).get("best")
        if best and (step_folder(path, best["step"]) / CONFIG_NAME).is_file():
            return step_folder(path, best["step"])
        return folders[-1]
    raise CheckpointError(f"{path} holds no checkpoint (no config.json, no checkpoints/step_*)")


def resolve_model(source: str | Path, *, revision: str | None = None) -> Path:
    """A checkpoint folder for a folder, a run folder, a bundled model name or a Hub repo id."""
    from recurse.hub import resolve_checkpoint
    from recurse.zoo import bundled_model_path

    path = Path(source)
    if path.is_dir():
        return find_checkpoint_folder(path)
    bundled = bundled_model_path(str(source))
    if bundled is not None:
        return bundled
    return resolve_checkpoint(source, revision=revision)


class Solver:
    """A trained refiner together with its task: ``solve("…")`` returns a checked answer."""

    def __init__(self, refiner: RecursiveRefiner, task: Task, *, halting: HaltingPolicy,
                 device: torch.device | str = "cpu", puzzle_names: list[str] | None = None) -> None:
        self.device = torch.device(device)
        self.refiner = refiner.to(self.device).eval()
        self.task = task
        self.halting = halting
        self.puzzle_names = puzzle_names or ["<blank>"]

    @property
    def needs_puzzle_id(self) -> bool:
        """True for models that learned an embedding per training puzzle (ARC): they answer those puzzles."""
        return len(self.puzzle_names) > 1

    def puzzle_index(self, name: str | None) -> int:
        if name is None:
            if self.needs_puzzle_id:
                raise PuzzleFormatError(f"this model learned an embedding for each of its {len(self.puzzle_names) - 1} "
                                        f"training puzzles; name one with --puzzle-id (for example "
                                        f"{self.puzzle_names[1]!r})")
            return 0
        try:
            return self.puzzle_names.index(name)
        except ValueError:
            raise PuzzleFormatError(f"puzzle id {name!r} is not one this model was trained on (it knows "
                                    f"{len(self.puzzle_names) - 1}, for example {self.puzzle_names[-1]!r})") from None

    @classmethod
    def from_pretrained(cls, source: str | Path, *, revision: str | None = None, device: str = "auto",
                        halting: str = "threshold", max_steps: int | None = None,
                        threshold: float = 0.99) -> "Solver":
        """Load a solver from a checkpoint folder, a run folder, a bundled model name or a Hub repo id.

        ``halting`` is ``threshold`` (stop a puzzle once sigmoid(q_halt) ≥ ``threshold``), ``fixed`` or
        ``q_halt`` (both run ``max_steps``, default: the training limit).
        """
        folder = resolve_model(source, revision=revision)
        checkpoint = load_checkpoint(folder)
        task_spec = checkpoint.meta.get("task")
        if not task_spec:
            raise CheckpointError(f"{folder} does not record its task, so its puzzles cannot be read")
        task = build_task(task_spec)
        policy = inference_policy(halting, max_steps=max_steps or checkpoint.config.halting.max_steps,
                                  threshold=threshold)
        return cls(checkpoint.refiner, task, halting=policy, device=resolve_device(device),
                   puzzle_names=checkpoint.meta.get("puzzle_identifiers"))

    def parse(self, puzzle: str | np.ndarray) -> np.ndarray:
        grid = self.task.parse(puzzle) if isinstance(puzzle, str) else np.asarray(puzzle)
        self.task.validate_puzzle(grid)
        return grid

    def solve(self, puzzle: str | np.ndarray, *, trace: bool = False, puzzle_id: str | None = None,
              verify: bool = False) -> Solution:
        return self.solve_many([puzzle], trace=trace, puzzle_id=puzzle_id, verify=verify)[0]

    def solve_many(self, puzzles: Iterable[str | np.ndarray], *, batch_size: int = 256, trace: bool = False,
                   puzzle_id: str | None = None, verify: bool = False) -> list[Solution]:
        """Solve every puzzle; ``puzzle_id`` names the training puzzle whose embedding to use (ARC models).

        ``verify`` lets the network's distribution steer the task's exact search (``recurse.verify``): the
        answer then always passes the checker, or ``verification.status`` is "unsolvable" and ``answer`` empty.
        """
        puzzle_index = self.puzzle_index(puzzle_id)
        puzzles = list(puzzles)
        grids = []
        for number, puzzle in enumerate(puzzles, start=1):
            try:
                grids.append(self.parse(puzzle))
            except PuzzleFormatError as error:
                where = f"puzzle {number}: " if len(puzzles) > 1 else ""
                raise PuzzleFormatError(f"{where}{error}") from None
        solutions: list[Solution] = []
        for start in range(0, len(grids), batch_size):
            solutions.extend(self._solve_batch(grids[start:start + batch_size], trace=trace, puzzle_index=puzzle_index,
                                               verify=verify))
        return solutions

    def _solve_batch(self, grids: Sequence[np.ndarray], *, trace: bool, puzzle_index: int,
                     verify: bool = False) -> list[Solution]:
        inputs = torch.from_numpy(np.stack([self.task.encode(g) for g in grids]).astype(np.int64)).to(self.device)
        ids = torch.full((len(grids),), puzzle_index, dtype=torch.long, device=self.device)
        prediction = refine(self.refiner, inputs, ids, halting=self.halting, trace=trace, probabilities=verify)
        tokens = prediction.tokens.cpu().numpy()
        history = [t.cpu().numpy() for t in prediction.trace]
        results = []
        for i, grid in enumerate(grids):
            answer = self.task.decode(tokens[i])
            steps = int(prediction.steps[i])
            checked = None
            if verify:
                checked = verify_answer(self.task, grid, prediction.probabilities[i].cpu().numpy(), answer)
                answer = checked.answer
            results.append(Solution(
                puzzle=self.task.format(grid),
                answer=self.task.format(answer) if answer is not None else "",
                valid=answer is not None and self.task.is_solution(grid, answer),
                steps=steps,
                confidence=float(prediction.confidence[i]),
                trace=[self.task.format(self.task.decode(h[i])) for h in history[:steps]] if trace else [],
                verification=checked,
            ))
        return results

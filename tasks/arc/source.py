"""Reading ARC tasks from the Kaggle layout: ``arc-agi_<subset>_challenges.json`` and ``…_solutions.json``.

A challenges file maps task ids to ``{"train": [{"input", "output"}…], "test": [{"input"}…]}``; the
solutions file maps the same ids to the test outputs, in order. The subsets shipped with the benchmarks
are ``training``, ``evaluation`` (ARC-AGI-1), ``training2``, ``evaluation2`` (ARC-AGI-2) and ``concept``
(ConceptARC). ``hub:<dataset repo>`` reads the same files from a Hugging Face dataset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recurse.errors import RecurseError
from recurse.tasks.arc.grid import as_grid
from recurse.tasks.base import PuzzleFormatError

Example = tuple[np.ndarray, np.ndarray]


@dataclass
class ArcPuzzle:
    """One ARC task: demonstration pairs and test pairs (test outputs are [[0]] when not known).

    ``key_order`` is the order of "train" and "test" in the task's JSON: the official builder gathers a
    task's examples by iterating its keys, so this order decides the order of a task's examples
    (ARC-AGI-1 files list "test" first, ConceptARC "train"). ``document`` is the task as read, test
    outputs filled in, keys in the file's order (what the official builder saves for test tasks).
    """

    name: str
    train: list[Example]
    test: list[Example]
    solved: bool = True  # False when the test outputs were not available
    key_order: tuple[str, ...] = ("train", "test")
    document: dict | None = None

    def to_json(self) -> dict:
        """The task in the Kaggle form, test outputs included, keys in the file's order."""
        if self.document is not None:
            return self.document
        return {key: _pairs_json(getattr(self, key)) for key in self.key_order}

    def examples_in_key_order(self) -> list[Example]:
        """Every example, kind by kind in the JSON's key order."""
        return [example for key in self.key_order for example in getattr(self, key)]


def _pairs_json(examples: list[Example]) -> list[dict]:
    return [{"input": i.tolist(), "output": o.tolist()} for i, o in examples]


def challenge_file(source: str, subset: str, kind: str = "challenges") -> Path | None:
    """The path of one subset's file, downloading it first for a ``hub:`` source; None if it is absent."""
    filename = f"arc-agi_{subset}_{kind}.json"
    if source.startswith("hub:"):
        from recurse.store.hub_files import hub_file

        try:
            return hub_file(source[4:], filename)
        except RecurseError:
            if kind == "solutions":
                return None
            raise
    path = Path(source) / filename
    return path if path.is_file() else None


def _pairs(examples, where: str, *, need_output: bool) -> list[Example]:
    if not isinstance(examples, list):
        raise PuzzleFormatError(f"{where} must be a list of examples")
    pairs = []
    for index, example in enumerate(examples):
        label = f"{where}[{index}]"
        output = example.get("output") if need_output else example.get("output", [[0]])
        if output is None:
            raise PuzzleFormatError(f"{label} has no output")
        pairs.append((as_grid(example.get("input"), what=f"{label}.input"), as_grid(output, what=f"{label}.output")))
    return pairs


def load_subset(source: str, subset: str) -> list[ArcPuzzle]:
    """Every task of one subset, test outputs filled in from the solutions file when it exists."""
    path = challenge_file(source, subset)
    if path is None:
        raise RecurseError(
            f"no arc-agi_{subset}_challenges.json in {source}; point data.build.source at a folder "
            "in the Kaggle ARC layout"
        )
    challenges = _read_json(path)
    solutions_path = challenge_file(source, subset, "solutions")
    solutions = _read_json(solutions_path) if solutions_path is not None else None
    puzzles = []
    for name, task in challenges.items():
        where = f"{path.name}: task {name}"
        try:
            test = [dict(example) for example in task["test"]]
            if solutions is not None:
                outputs = solutions.get(name)
                if outputs is None or len(outputs) != len(test):
                    raise PuzzleFormatError(
                        f"the solutions file has {0 if outputs is None else len(outputs)} "
                        f"outputs for {len(test)} test inputs"
                    )
                for example, output in zip(test, outputs):
                    example["output"] = output
            else:
                for example in test:
                    example.setdefault("output", [[0]])
            document = {key: (test if key == "test" else value) for key, value in task.items()}
            key_order = tuple(key for key in task if key in ("train", "test"))
            puzzles.append(
                ArcPuzzle(
                    name,
                    _pairs(task["train"], "train", need_output=True),
                    _pairs(test, "test", need_output=False),
                    solved=solutions is not None,
                    key_order=key_order,
                    document=document,
                )
            )
        except (KeyError, TypeError, AttributeError):
            raise RecurseError(f"{where}: expected {{'train': [...], 'test': [...]}} with input/output grids") from None
        except PuzzleFormatError as error:
            raise RecurseError(f"{where}: {error}") from None
    return puzzles


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise RecurseError(f"cannot read {path}: {error}") from None

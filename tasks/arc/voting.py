"""Scoring ARC by voting over augmentations: pass@k and a Kaggle ``submission.json``.

Each prediction belongs to one augmented puzzle. It is cropped from the canvas, mapped back through the
inverse of its puzzle's augmentation and counted as a vote for that answer to the original test input.
Answers are ranked by votes, ties broken by mean halting confidence (sigmoid of the halting logit). A test
input is solved at k when its true output is among the top k answers; a task scores the fraction of its
test inputs solved, and pass@k is the mean over tasks.

One ``ArcVoting`` normally serves one checkpoint. Keeping it across the evaluations of a training run
pools the votes of several checkpoints, which is how the official trainer reports its numbers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from recurse.errors import RecurseError
from recurse.io import atomic_path
from recurse.tasks.arc.augment import split_name
from recurse.tasks.arc.grid import as_grid, crop, grid_key
from recurse.voting import add_vote, rank_by_votes

PASS_AT = (1, 2, 5, 10, 100, 1000)
TEST_PUZZLES = "test_puzzles.json"  # written by the ARC build: the original test tasks
ATTEMPTS = 2  # answers per test input in a submission


class ArcVoting:
    def __init__(self, test_puzzles: dict[str, dict], identifiers: list[str]) -> None:
        self.test_puzzles = test_puzzles
        self.identifiers = identifiers
        # task → test-input key → answer key → [votes, summed confidence]
        self.votes: dict[str, dict[bytes, dict[bytes, list[float]]]] = defaultdict(lambda: defaultdict(dict))
        self.answers: dict[bytes, np.ndarray] = {}
        self._results: tuple[dict[str, float], dict[str, list[dict]]] | None = None  # until the next add()

    @classmethod
    def from_dataset(cls, root: str | Path) -> ArcVoting:
        from recurse.store.layout import read_puzzle_identifiers

        puzzles, identifiers = Path(root) / TEST_PUZZLES, read_puzzle_identifiers(root)
        if not puzzles.is_file() or identifiers is None:
            raise RecurseError(
                f"{root} lacks {TEST_PUZZLES} or identifiers.json; ARC voting needs the files that "
                "recurse data build writes"
            )
        return cls(json.loads(puzzles.read_text()), identifiers)

    def add(self, puzzle_ids: np.ndarray, inputs: np.ndarray, predictions: np.ndarray, confidence: np.ndarray) -> None:
        """Count the predictions ([B, 900] tokens) of one batch of test examples."""
        self._results = None
        for puzzle_id, tokens_in, tokens_out, conf in zip(puzzle_ids, inputs, predictions, confidence):
            task, augmentation = split_name(self.identifiers[int(puzzle_id)])
            undo = augmentation.inverse()
            # A prediction with no grid at the top-left corner is a vote for the empty answer, as officially.
            answer = undo.apply(crop(tokens_out))
            answer_key = grid_key(answer)
            self.answers.setdefault(answer_key, answer)
            add_vote(self.votes[task][grid_key(undo.apply(crop(tokens_in)))], answer_key, conf)

    def _ranked(self, task: str, test_input: list) -> list[bytes]:
        tallies = self.votes.get(task, {}).get(grid_key(as_grid(test_input)), {})
        return rank_by_votes(tallies)

    def results(self) -> tuple[dict[str, float], dict[str, list[dict]]]:
        """pass@k over the test tasks, and the submission (``attempt_1``/``attempt_2`` per test input)."""
        if self._results is None:  # metrics() and write() both ask after an evaluation: rank once
            self._results = self._rank_all()
        return self._results

    def _rank_all(self) -> tuple[dict[str, float], dict[str, list[dict]]]:
        scores = np.zeros(len(PASS_AT))
        submission: dict[str, list[dict]] = {}
        for task, puzzle in self.test_puzzles.items():
            solved = np.zeros(len(PASS_AT))
            submission[task] = []
            for pair in puzzle["test"]:
                ranked = self._ranked(task, pair["input"])
                truth = grid_key(as_grid(pair["output"]))
                for column, k in enumerate(PASS_AT):
                    solved[column] += truth in ranked[:k]
                if not ranked:  # no prediction for this test input: no entry, as in the official file
                    continue
                attempts = [self.answers[key].tolist() for key in ranked[:ATTEMPTS]]
                attempts += [attempts[0]] * (ATTEMPTS - len(attempts))
                submission[task].append({f"attempt_{i + 1}": grid for i, grid in enumerate(attempts)})
            scores += solved / max(len(puzzle["test"]), 1)
        count = max(len(self.test_puzzles), 1)
        return {f"pass@{k}": float(s / count) for k, s in zip(PASS_AT, scores)}, submission

    def metrics(self) -> dict[str, float]:
        return self.results()[0]

    def write(self, folder: str | Path) -> Path:
        """``submission.json`` as the official evaluator writes it: compact JSON (``json.dump`` defaults)."""
        path = Path(folder) / "submission.json"
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(self.results()[1]))
        return path

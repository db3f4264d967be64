"""The official evaluation metrics, summed batch by batch and averaged over puzzles at the end.

Every metric is a mean over the puzzles that have at least one labelled cell, each taken at the step
where the puzzle stopped (the last supervision step under fixed-step evaluation, as officially):

- ``accuracy``: the mean over puzzles of each puzzle's fraction of correct labelled cells (a puzzle
  with few labelled cells weighs as much as one with many; not total right / total labelled);
- ``exact_accuracy``: the share of puzzles with every labelled cell right;
- ``q_halt_accuracy``: the share of puzzles where the halting head's verdict (q_halt ≥ 0) says whether
  the answer is exactly right;
- ``steps``: the mean number of supervision steps used;
- ``lm_loss``: the mean over puzzles of each puzzle's mean token loss (the model's loss function);
- ``q_halt_loss``: the mean binary cross-entropy of q_halt against "exactly right".
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from recurse.losses.cross_entropy import IGNORE_INDEX, LOSSES

OFFICIAL_METRICS = ("accuracy", "exact_accuracy", "q_halt_accuracy", "steps", "lm_loss", "q_halt_loss")


class OfficialMetrics:
    """Accumulates the official metric sums over batches; ``means()`` divides by the counted puzzles."""

    def __init__(self, loss: str = "stablemax") -> None:
        self.token_loss = LOSSES[loss]
        self.sums = dict.fromkeys(OFFICIAL_METRICS, 0.0)
        self.count = 0

    @torch.no_grad()
    def add(
        self,
        labels: torch.Tensor,
        predictions: torch.Tensor,
        steps: torch.Tensor,
        q_halt: torch.Tensor,
        logits: torch.Tensor | None = None,
    ) -> None:
        """One batch of real (unpadded) samples: labels [B, L] with IGNORE_INDEX where unlabelled,
        predicted tokens [B, L], steps [B], q_halt logits [B], and the logits [B, L, V] for lm_loss."""
        mask = labels != IGNORE_INDEX
        cells = mask.sum(-1)
        counted = cells > 0  # a puzzle with nothing to predict is not scored, as officially
        right = mask & (predictions == labels)
        exact = right.sum(-1) == cells
        divisor = cells.clamp_min(1)
        self.count += int(counted.sum())
        self.sums["accuracy"] += float(torch.where(counted, right.sum(-1) / divisor, 0.0).double().sum())
        self.sums["exact_accuracy"] += int((counted & exact).sum())
        self.sums["q_halt_accuracy"] += int((counted & ((q_halt >= 0) == exact)).sum())
        self.sums["steps"] += int(torch.where(counted, steps.long(), 0).sum())
        halt_loss = F.binary_cross_entropy_with_logits(q_halt.float(), exact.float(), reduction="none")
        self.sums["q_halt_loss"] += float(torch.where(counted, halt_loss, 0.0).double().sum())
        if logits is not None:
            per_puzzle = (self.token_loss(logits, labels).sum(-1) / divisor).double()
            self.sums["lm_loss"] += float(torch.where(counted, per_puzzle, 0.0).sum())

    @torch.no_grad()
    def add_padding(self, rows: int, q_halt: torch.Tensor) -> None:
        """The official evaluation pads its last batch to the batch size with rows that have no labelled
        cell, and sums the halting loss over every row: a padded row counts as "exactly right" (target 1)
        and adds softplus(−q_halt) of that row, while the divisor stays the number of real puzzles. All
        padded rows are the same input, so one row's ``q_halt`` stands for ``rows`` of them."""
        if rows > 0:
            per_row = F.binary_cross_entropy_with_logits(q_halt.float().reshape(()), torch.ones(()))
            self.sums["q_halt_loss"] += rows * float(per_row)

    def means(self, *, with_lm_loss: bool = True) -> dict[str, float]:
        count = max(self.count, 1)
        return {key: value / count for key, value in self.sums.items() if with_lm_loss or key != "lm_loss"}

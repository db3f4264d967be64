"""Training against the checker: the target of a puzzle with several answers is the listed answer nearest
to the network's current prediction.

With one stored label per puzzle and several valid answers, cross-entropy pulls the network towards the
average of the answers, which satisfies nothing. Instead, at every supervision step each sample's target
is the answer of its list (``batch["answers"]``, [B, K, L] label tokens, ``IGNORE_INDEX`` outside the answer
positions and in the rows of absent answers) with the lowest token loss under the current logits. When the
prediction is one of the listed answers, that answer is the nearest (each of its tokens is the likeliest),
so "the prediction equals its target" is "the checker accepts it" for every answer the list holds.
"""

from __future__ import annotations

import torch

from recurse.losses.cross_entropy import IGNORE_INDEX


def nearest_answers(log_probs: torch.Tensor, answers: torch.Tensor) -> torch.Tensor:
    """[B, L] labels: for each sample the row of ``answers`` [B, K, L] with the lowest summed token loss
    under ``log_probs`` [B, L, V] (the first such row on ties)."""
    labelled = answers != IGNORE_INDEX  # [B, K, L]
    listed = labelled.any(-1)  # [B, K]: rows that hold an answer
    # Gather each candidate's log-probabilities as [B, L, K]: one gather over the vocabulary.
    picked = log_probs.gather(-1, torch.where(labelled, answers, 0).long().transpose(1, 2))
    cost = -torch.where(labelled.transpose(1, 2), picked, 0).sum(1)  # [B, K]
    cost = torch.where(listed, cost, torch.inf)
    choice = cost.argmin(-1)
    return answers[torch.arange(answers.shape[0], device=answers.device), choice]

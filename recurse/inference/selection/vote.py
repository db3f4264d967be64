"""``vote``: keep the answer most trajectories reached, ties broken by their mean confidence (the voting
ARC's scoring uses over augmentations, ``recurse.voting``). Every trajectory runs to its halt."""

from __future__ import annotations

import torch

from recurse.inference.selection import SELECTIONS
from recurse.inference.selection.base import Selection
from recurse.voting import add_vote, rank_by_votes


@SELECTIONS.register("vote")
class MajorityVote(Selection):
    def choose(self, trajectories) -> torch.Tensor:
        tokens = trajectories.tokens.cpu().numpy()
        confidence = trajectories.confidence.cpu().numpy()
        kept = []
        for answers, confidences in zip(tokens, confidence):
            tallies: dict[bytes, list[float]] = {}
            first: dict[bytes, int] = {}
            for sample, (answer, conf) in enumerate(zip(answers, confidences)):
                key = answer.tobytes()
                add_vote(tallies, key, conf)
                first.setdefault(key, sample)
            kept.append(first[rank_by_votes(tallies)[0]])
        return torch.tensor(kept, dtype=torch.long, device=trajectories.tokens.device)

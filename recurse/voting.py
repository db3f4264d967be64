"""Majority voting over answers: each answer collects votes and the confidence of the predictions that gave
it; answers rank by votes, ties broken by mean confidence. Used by ARC's scoring (votes over augmentations)
and by the ``vote`` selection rule of the inference strategies (votes over trajectories)."""

from __future__ import annotations

from collections.abc import Hashable, MutableMapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

Tallies = MutableMapping[K, list[float]]  # answer key → [votes, summed confidence]


def add_vote(tallies: Tallies, key: K, confidence: float) -> None:
    """Count one prediction of the answer ``key`` with its confidence."""
    tally = tallies.setdefault(key, [0, 0.0])
    tally[0] += 1
    tally[1] += float(confidence)


def rank_by_votes(tallies: Tallies) -> list[K]:
    """Answer keys, most votes first; equal votes by higher mean confidence."""
    return sorted(tallies, key=lambda key: (tallies[key][0], tallies[key][1] / tallies[key][0]), reverse=True)

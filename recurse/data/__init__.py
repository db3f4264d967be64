"""Puzzle datasets in the official npy layout: reading (memory-mapped), building, and batch sampling."""

from recurse.data.sampler import TrainSampler, eval_batches
from recurse.store.layout import DatasetMetadata, PuzzleSplit, load_split

__all__ = ["DatasetMetadata", "PuzzleSplit", "TrainSampler", "eval_batches", "load_split"]

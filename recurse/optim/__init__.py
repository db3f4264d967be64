"""Optimisers: AdamATan2 for dense parameters and SignSGD for sparse puzzle embeddings, plus the LR shape."""

from recurse.optim.adam_atan2 import AdamATan2
from recurse.optim.lr_schedule import warmup_cosine
from recurse.optim.sign_sgd import SparseSignSGD

__all__ = ["AdamATan2", "SparseSignSGD", "warmup_cosine"]

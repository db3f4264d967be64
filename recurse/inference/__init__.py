"""Answering puzzles with a trained refiner.

``refinement`` refines a batch to an answer with adaptive halting and batch compaction (``refine`` and
``Prediction`` are also importable from ``recurse.inference`` itself), ``verification`` lets the
network's distribution steer the task's exact search, and ``animation`` draws a refinement as a GIF.
The ``Solver`` that puts them together is :mod:`recurse.solver`; the inference-halting defaults, read by
the halting policies too, are :mod:`recurse.halting_defaults`. The names of ``refinement`` load on first
use, so importing a light module of this package does not import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from recurse._moved import names_of

_REFINEMENT = "recurse.inference.refinement"
__all__ = ["Prediction", "refine"]

if TYPE_CHECKING:
    from recurse.inference.refinement import Prediction, refine


__getattr__, __dir__ = names_of(__name__, _REFINEMENT, tuple(__all__))

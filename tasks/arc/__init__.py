"""ARC-AGI and ConceptARC: canvas encoding, augmentations, the official dataset build, voting evaluation."""

from recurse.tasks.arc.task import Arc

__all__ = ["Arc"]

"""Example tasks written only against the public task API, as a user would write their own:
N-Queens completion, Futoshiki and graph colouring (not a grid). Importing recurse.tasks registers them."""

from recurse.tasks.examples.colouring import GraphColouring
from recurse.tasks.examples.futoshiki import Futoshiki
from recurse.tasks.examples.nqueens import NQueens

__all__ = ["Futoshiki", "GraphColouring", "NQueens"]

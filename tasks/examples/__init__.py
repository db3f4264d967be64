"""Example tasks written only against the public task API, as a user would write their own:
N-Queens completion, Futoshiki, graph colouring and planted 3-SAT (not grids). Importing recurse.tasks registers them."""

from recurse.tasks.examples.colouring import GraphColouring
from recurse.tasks.examples.futoshiki import Futoshiki
from recurse.tasks.examples.nqueens import NQueens
from recurse.tasks.examples.sat import PlantedSat

__all__ = ["Futoshiki", "GraphColouring", "NQueens", "PlantedSat"]

"""``maze``: find the shortest path from S to G on a grid of walls ('#') and open cells (' ').

Text: one symbol per cell of "# SGo" (wall, open, start, goal, path), row-major. Tokens 1..5, as in the
official Maze-Hard data; '.' is also read as an open cell, since spaces are awkward to type in a shell.
Labels mark one shortest path with 'o': the path found by breadth-first search from S that expands
neighbours in the order down, left, right, up.
"""

from __future__ import annotations

from collections import deque
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from recurse.spec import Spec as PluginSpec
from recurse.tasks import TASKS
from recurse.tasks.base import PuzzleFormatError, Task
from recurse.tasks.budget import Deadline, GenerationGaveUp
from recurse.tasks.symmetry import GridSymmetry, draw_index, official_dihedral_symmetry

WALL, OPEN, START, GOAL, PATH = range(5)
NEIGHBOUR_ORDER = ((1, 0), (0, -1), (0, 1), (-1, 0))  # down, left, right, up


@TASKS.register("maze")
class Maze(Task):
    alphabet = "# SGo"

    class Spec(PluginSpec):
        kind: Literal["maze"] = "maze"
        size: int = Field(30, ge=4)
        min_path: int = Field(110, ge=0, description="generator: minimum shortest-path length in cells")
        style: Literal["open", "perfect"] = Field(
            "open",
            description="generator: 'open' scatters walls (Maze-Hard-like, many shortest paths); "
            "'perfect' carves corridors with exactly one path between any two cells",
        )

        @model_validator(mode="after")
        def _odd_for_perfect(self) -> Maze.Spec:
            if self.style == "perfect" and self.size % 2 == 0:
                raise ValueError(f"perfect mazes need an odd size (walls between corridors), got {self.size}")
            return self

        def build(self) -> Maze:
            return Maze(self.size, min_path=self.min_path, style=self.style)

    def __init__(self, size: int = 30, *, min_path: int = 110, style: str = "open") -> None:
        self.rows = self.cols = size
        self.min_path = min_path
        self.style = style
        self.blank = None

    def spec(self) -> dict:
        return {"kind": "maze", "size": self.rows, "min_path": self.min_path, "style": self.style}

    def aliases(self) -> dict[str, int]:
        return {".": OPEN}

    def _endpoints(self, grid: np.ndarray) -> tuple[tuple[int, int], tuple[int, int]]:
        starts, goals = np.argwhere(grid == START), np.argwhere(grid == GOAL)
        if len(starts) != 1 or len(goals) != 1:
            raise PuzzleFormatError(f"a maze needs exactly one 'S' and one 'G' (found {len(starts)} and {len(goals)})")
        return tuple(starts[0]), tuple(goals[0])

    def validate_puzzle(self, puzzle: np.ndarray) -> None:
        self._endpoints(np.asarray(puzzle))
        if (np.asarray(puzzle) == PATH).any():
            raise PuzzleFormatError("a maze puzzle must not contain path cells ('o')")

    def shortest_path(self, puzzle: np.ndarray) -> list[tuple[int, int]] | None:
        """The cells of the BFS path from S to G (both included), or None when G cannot be reached."""
        grid = np.asarray(puzzle)
        start, goal = self._endpoints(grid)
        parent: dict[tuple[int, int], tuple[int, int] | None] = {start: None}
        queue = deque([start])
        while queue:
            cell = queue.popleft()
            if cell == goal:
                path = []
                step: tuple[int, int] | None = cell
                while step is not None:
                    path.append(step)
                    step = parent[step]
                return path[::-1]
            for dr, dc in NEIGHBOUR_ORDER:
                nxt = (cell[0] + dr, cell[1] + dc)
                if 0 <= nxt[0] < self.rows and 0 <= nxt[1] < self.cols and nxt not in parent and grid[nxt] != WALL:
                    parent[nxt] = cell
                    queue.append(nxt)
        return None

    def solve(self, puzzle: np.ndarray) -> np.ndarray | None:
        path = self.shortest_path(puzzle)
        if path is None:
            return None
        answer = np.asarray(puzzle).copy()
        for cell in path[1:-1]:
            answer[cell] = PATH
        return answer

    def search_problem(self, puzzle: np.ndarray):
        from recurse.tasks.maze_search import MazePathProblem

        return MazePathProblem(puzzle, *self._endpoints(np.asarray(puzzle)))

    def path_report(self, puzzle: np.ndarray, answer: np.ndarray) -> dict[str, bool]:
        """``valid_path``: the 'o' cells join S to G through open cells; ``shortest``: and no shorter exists."""
        puzzle, answer = np.asarray(puzzle), np.asarray(answer)
        walls_kept = np.array_equal(np.where(answer == PATH, OPEN, answer), puzzle)
        best = self.shortest_path(puzzle)
        marked = {tuple(c) for c in np.argwhere(answer == PATH)}
        start, goal = self._endpoints(puzzle)
        # The marked cells must form a simple chain from S to G.
        chain, previous, cell = 0, None, start
        while True:
            steps = [(cell[0] + dr, cell[1] + dc) for dr, dc in NEIGHBOUR_ORDER]
            onward = [s for s in steps if s != previous and (s in marked or s == goal)]
            if goal in onward:
                chain_ok = chain == len(marked)
                break
            if len(onward) != 1:
                chain_ok = False
                break
            previous, cell = cell, onward[0]
            chain += 1
            if chain > len(marked):
                chain_ok = False
                break
        valid = walls_kept and chain_ok
        shortest = valid and best is not None and len(marked) == len(best) - 2
        return {"valid_path": bool(valid), "shortest": bool(shortest)}

    def violations(self, puzzle: np.ndarray, answer: np.ndarray) -> list[str]:
        report = self.path_report(puzzle, answer)
        if not report["valid_path"]:
            return ["the 'o' cells do not form a path from S to G through open cells"]
        if not report["shortest"]:
            return ["the path is not a shortest one"]
        return []

    def is_solution(self, puzzle: np.ndarray, answer: np.ndarray) -> bool:
        """Any shortest S→G path counts (mazes usually have several)."""
        return not self.violations(puzzle, answer)

    def random_symmetry(self, rng: np.random.Generator | np.random.RandomState) -> GridSymmetry:
        return official_dihedral_symmetry(self.rows, self.cols, draw_index(rng, 8), len(self.alphabet))

    def all_symmetries(self) -> list[GridSymmetry]:
        """The 8 dihedral images in the official Maze builder's order (its augmentation writes them so)."""
        return [official_dihedral_symmetry(self.rows, self.cols, i, len(self.alphabet)) for i in range(8)]

    def _distances(self, grid: np.ndarray, start: tuple[int, int]) -> np.ndarray:
        dist = np.full(grid.shape, -1, dtype=np.int64)
        dist[start] = 0
        queue = deque([start])
        while queue:
            r, c = queue.popleft()
            for dr, dc in NEIGHBOUR_ORDER:
                nr, nc = r + dr, c + dc
                if 0 <= nr < self.rows and 0 <= nc < self.cols and dist[nr, nc] < 0 and grid[nr, nc] != WALL:
                    dist[nr, nc] = dist[r, c] + 1
                    queue.append((nr, nc))
        return dist

    def _perfect_walls(self, rng: np.random.Generator) -> np.ndarray:
        """Corridors carved by a randomised depth-first search over the cells at odd coordinates: a
        spanning tree, so exactly one path joins any two open cells."""
        size = self.rows
        grid = np.full((size, size), WALL)
        rooms = (size - 1) // 2
        start = (int(rng.integers(rooms)), int(rng.integers(rooms)))
        seen = {start}
        stack = [start]
        grid[2 * start[0] + 1, 2 * start[1] + 1] = OPEN
        while stack:
            r, c = stack[-1]
            options = [
                (r + dr, c + dc)
                for dr, dc in NEIGHBOUR_ORDER
                if 0 <= r + dr < rooms and 0 <= c + dc < rooms and (r + dr, c + dc) not in seen
            ]
            if not options:
                stack.pop()
                continue
            nr, nc = options[int(rng.integers(len(options)))]
            grid[2 * nr + 1, 2 * nc + 1] = OPEN
            grid[r + nr + 1, c + nc + 1] = OPEN  # the wall cell between the two rooms
            seen.add((nr, nc))
            stack.append((nr, nc))
        return grid

    def generate(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """A random maze whose shortest S→G path has at least ``min_path`` cells, with its BFS label.

        'open' style: walls are scattered near the percolation density, where open regions are large but
        winding. A double breadth-first sweep (from a random open cell to its farthest cell, which becomes
        S) starts near the region's diameter, so most draws have cells far enough from S; G is drawn among
        them. 'perfect' style: the same choice of S and G in a carved maze.
        """
        size = self.rows
        # The path cannot have more cells than the maze has open cells (in a perfect maze, its rooms and
        # the passages between them): refuse at once rather than search for ever.
        most = size * size if self.style == "open" else 2 * ((size - 1) // 2) ** 2 - 1
        if self.min_path > most:
            raise GenerationGaveUp(
                f"a {size}×{size} {self.style} maze has at most {most} open cells, so no shortest "
                f"path reaches task.min_path={self.min_path} cells; lower task.min_path "
                f"(for example {max(2, most // 8)})"
            )
        deadline = Deadline(
            f"a {size}×{size} maze with a shortest path of at least {self.min_path} cells", "lower task.min_path"
        )
        while True:
            deadline.check()
            if self.style == "perfect":
                grid = self._perfect_walls(rng)
            else:
                grid = np.where(rng.random((size, size)) < rng.uniform(0.35, 0.42), WALL, OPEN)
            open_cells = np.argwhere(grid == OPEN)
            if len(open_cells) < 2:
                continue
            row, col = open_cells[rng.integers(len(open_cells))]
            probe = (int(row), int(col))
            reach = self._distances(grid, probe)
            start_row, start_col = np.unravel_index(np.argmax(reach), reach.shape)
            start = (int(start_row), int(start_col))
            dist = self._distances(grid, start)
            far = np.argwhere(dist >= max(self.min_path - 1, 1))
            if len(far) == 0:
                continue
            goal = tuple(far[rng.integers(len(far))])
            grid[start], grid[goal] = START, GOAL
            solution = self.solve(grid)
            if solution is not None:  # the goal was drawn among the cells reachable from the start
                return grid, solution

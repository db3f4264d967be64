"""Steerable exact search for mazes: A* from S to G with the Manhattan distance (admissible, so the path
it returns is a shortest one), where the prior breaks ties between equally promising cells in favour of
those the network marks as path. Without a prior, ties go first-in first-out."""

from __future__ import annotations

import heapq
import time

import numpy as np

from recurse.tasks.maze import NEIGHBOUR_ORDER, PATH, WALL
from recurse.tasks.search import GAVE_UP, SOLVED, UNLIMITED, UNSOLVABLE, SearchLimits, SearchResult


class MazePathProblem:
    def __init__(self, puzzle: np.ndarray, start: tuple[int, int], goal: tuple[int, int]) -> None:
        self.grid = np.asarray(puzzle)
        self.start, self.goal = start, goal

    def search(self, prior: np.ndarray | None = None, limits: SearchLimits = UNLIMITED) -> SearchResult:
        begin = time.perf_counter()
        deadline = None if limits.max_seconds is None else begin + limits.max_seconds
        rows, cols = self.grid.shape
        # Lower is better among cells of equal f: minus the network's probability that the cell is on the path.
        tie = (-np.asarray(prior)[:, PATH].reshape(rows, cols)).tolist() if prior is not None else None
        goal_r, goal_c = self.goal
        walls = (self.grid == WALL).tolist()
        parent: dict[tuple[int, int], tuple[int, int] | None] = {self.start: None}
        cost = {self.start: 0}
        counter = 0
        frontier = [(abs(self.start[0] - goal_r) + abs(self.start[1] - goal_c), 0.0, counter, self.start)]
        expanded, closed = 0, set()
        while frontier:
            _, _, _, cell = heapq.heappop(frontier)
            if cell in closed:
                continue
            closed.add(cell)
            if (limits.max_nodes is not None and expanded >= limits.max_nodes) or (
                deadline is not None and time.perf_counter() > deadline
            ):
                return SearchResult(None, GAVE_UP, expanded, time.perf_counter() - begin)
            expanded += 1
            if cell == self.goal:
                return SearchResult(self._mark(parent), SOLVED, expanded, time.perf_counter() - begin)
            r, c = cell
            for dr, dc in NEIGHBOUR_ORDER:
                nr, nc = r + dr, c + dc
                if not (0 <= nr < rows and 0 <= nc < cols) or walls[nr][nc]:
                    continue
                g = cost[cell] + 1
                if g < cost.get((nr, nc), 1 << 30):
                    cost[(nr, nc)], parent[(nr, nc)] = g, cell
                    counter += 1
                    heapq.heappush(
                        frontier,
                        (
                            g + abs(nr - goal_r) + abs(nc - goal_c),
                            tie[nr][nc] if tie is not None else 0.0,
                            counter,
                            (nr, nc),
                        ),
                    )
        return SearchResult(None, UNSOLVABLE, expanded, time.perf_counter() - begin)

    def _mark(self, parent: dict) -> np.ndarray:
        answer = self.grid.copy()
        cell = parent[self.goal]
        while cell is not None and cell != self.start:
            answer[cell] = PATH
            cell = parent[cell]
        return answer

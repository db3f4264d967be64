"""Exact search that a network can steer: depth-first search over finite domains with the task's own
propagation, where a prior (the network's per-cell distribution) orders the cells and values.

Every answer it returns passes the task's checker; when it returns none, the whole tree was searched
and the puzzle has no solution. Without a prior it is the usual baseline: smallest domain first, values
in increasing order.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from recurse.limits import DEFAULT_VERIFY_NODES, DEFAULT_VERIFY_SECONDS

SOLVED, UNSOLVABLE, GAVE_UP = "solved", "unsolvable", "gave_up"
DEFAULT_MAX_NODES, DEFAULT_MAX_SECONDS = DEFAULT_VERIFY_NODES, DEFAULT_VERIFY_SECONDS


@dataclass(frozen=True)
class SearchLimits:
    """When a search gives up: after ``max_nodes`` nodes or ``max_seconds`` seconds (None: no limit)."""

    max_nodes: int | None = DEFAULT_MAX_NODES
    max_seconds: float | None = DEFAULT_MAX_SECONDS

    def describe(self) -> str:
        parts = [
            f"{self.max_nodes} nodes" if self.max_nodes is not None else None,
            f"{self.max_seconds:g} s" if self.max_seconds is not None else None,
        ]
        return " or ".join(p for p in parts if p) or "no limit"


UNLIMITED = SearchLimits(None, None)


class _OutOfBudget(Exception):
    """Raised inside the search when a limit is reached; caught by ``search``."""


@dataclass
class SearchResult:
    answer: np.ndarray | None  # the solution grid, in the task's layout; None when there is none
    status: str  # SOLVED, UNSOLVABLE, or GAVE_UP (a limit was reached first: nothing is proven)
    nodes: int | None  # search nodes: the root plus every value tried (None: the solver does not count)
    seconds: float


class SearchProblem(Protocol):
    """One puzzle, ready to be searched. ``prior`` is the network's distribution over each cell's values
    in the task's grid layout, shaped [rows·cols, len(alphabet)]; None asks for the plain search."""

    def search(self, prior: np.ndarray | None = None, limits: SearchLimits = UNLIMITED) -> SearchResult: ...


class DomainProblem(ABC):
    """A puzzle as variables with bitmask domains (bit v set = value v still possible).

    Subclasses give the propagated root, a propagated assignment, the answer grid, and how the prior
    scores each variable's values; the search itself is shared.
    """

    @abstractmethod
    def root(self) -> Any | None:
        """The propagated initial state, or None when the givens already contradict."""

    @abstractmethod
    def domains(self, state: Any) -> list[int]:
        """The domain bitmask of every variable in ``state``."""

    @abstractmethod
    def assign(self, state: Any, var: int, value: int) -> Any | None:
        """A new propagated state with ``var`` set to ``value`` (``state`` untouched), or None on a
        contradiction."""

    @abstractmethod
    def answer(self, state: Any) -> np.ndarray:
        """The task's answer grid for a state whose domains are all single values."""

    @abstractmethod
    def value_scores(self, prior: np.ndarray) -> np.ndarray:
        """[variables, values] scores for the values of each variable, from the task-layout prior."""

    def search(self, prior: np.ndarray | None = None, limits: SearchLimits = UNLIMITED) -> SearchResult:
        start = time.perf_counter()
        order = (
            _GuidedOrder(self.value_scores(np.asarray(prior, dtype=np.float64)))
            if prior is not None
            else _SmallestDomainOrder()
        )
        budget = _Budget(limits, start)
        state = self.root()
        try:
            found = None if state is None else self._descend(state, order, budget)
        except _OutOfBudget:
            return SearchResult(answer=None, status=GAVE_UP, nodes=budget.nodes, seconds=time.perf_counter() - start)
        return SearchResult(
            answer=None if found is None else self.answer(found),
            status=SOLVED if found is not None else UNSOLVABLE,
            nodes=budget.nodes,
            seconds=time.perf_counter() - start,
        )

    def solutions(self, limit: int) -> list[np.ndarray]:
        """Up to ``limit`` answer grids, each passing the checker, in the plain search's order: all of
        them when there are fewer (``Task.answers`` lists these for training against the checker)."""
        found: list[np.ndarray] = []
        order = _SmallestDomainOrder()

        def collect(state: Any) -> None:
            domains = self.domains(state)
            var = order.variable(domains)
            if var is None:
                found.append(self.answer(state))
                return
            for value in order.values(var, domains[var]):
                child = self.assign(state, var, value)
                if child is not None:
                    collect(child)
                    if len(found) >= limit:
                        return

        state = self.root()
        if state is not None and limit > 0:
            collect(state)
        return found

    def _descend(self, state: Any, order: _Order, budget: _Budget) -> Any | None:
        domains = self.domains(state)
        var = order.variable(domains)
        if var is None:
            return state
        for value in order.values(var, domains[var]):
            budget.spend()
            child = self.assign(state, var, value)
            if child is not None:
                found = self._descend(child, order, budget)
                if found is not None:
                    return found
        return None


class _Budget:
    """Counts nodes (the root is the first) and raises ``_OutOfBudget`` past a limit. The clock is read every
    64 nodes, so the time limit costs nothing measurable."""

    def __init__(self, limits: SearchLimits, start: float) -> None:
        self.nodes = 1
        self.max_nodes = limits.max_nodes
        self.deadline = None if limits.max_seconds is None else start + limits.max_seconds

    def spend(self) -> None:
        if self.max_nodes is not None and self.nodes >= self.max_nodes:
            raise _OutOfBudget
        self.nodes += 1
        if self.deadline is not None and self.nodes % 64 == 0 and time.perf_counter() > self.deadline:
            raise _OutOfBudget


def _bits(mask: int) -> list[int]:
    values = []
    while mask:
        low = mask & -mask
        values.append(low.bit_length() - 1)
        mask ^= low
    return values


class _Order(Protocol):
    def variable(self, domains: list[int]) -> int | None: ...

    def values(self, var: int, domain: int) -> list[int]: ...


class _SmallestDomainOrder:
    """The baseline: the open variable with the fewest values (first on ties), values ascending."""

    def variable(self, domains: list[int]) -> int | None:
        best, best_size = None, 1 << 30
        for var, domain in enumerate(domains):
            if domain & (domain - 1):
                size = domain.bit_count()
                if size < best_size:
                    best, best_size = var, size
                    if size == 2:
                        break
        return best

    def values(self, var: int, domain: int) -> list[int]:
        return _bits(domain)


class _GuidedOrder:
    """The prior's order: the open variable whose likeliest remaining value is the most probable (the
    prior renormalised over what propagation left; smaller domains first on ties), values by probability."""

    def __init__(self, scores: np.ndarray) -> None:
        # A floor keeps values the network rules out searchable and the renormalisation finite.
        scores = np.maximum(scores, 1e-9)
        self.scores = scores.tolist()
        self.ranked = [sorted(range(len(row)), key=row.__getitem__, reverse=True) for row in self.scores]

    def variable(self, domains: list[int]) -> int | None:
        best, best_share, best_size = None, -1.0, 0
        for var, domain in enumerate(domains):
            if not domain & (domain - 1):
                continue
            row = self.scores[var]
            top = total = 0.0
            size = 0
            while domain:
                low = domain & -domain
                score = row[low.bit_length() - 1]
                total += score
                size += 1
                if score > top:
                    top = score
                domain ^= low
            share = top / total
            if share > best_share or (share == best_share and size < best_size):
                best, best_share, best_size = var, share, size
        return best

    def values(self, var: int, domain: int) -> list[int]:
        return [value for value in self.ranked[var] if domain >> value & 1]


class ExactSolverProblem:
    """A task that only offers ``solve()`` (an exact solver without domains to steer): its answer is
    exact, but the prior cannot order it and its nodes are not counted."""

    def __init__(self, task, puzzle: np.ndarray) -> None:
        self.task, self.puzzle = task, puzzle

    def search(self, prior: np.ndarray | None = None, limits: SearchLimits = UNLIMITED) -> SearchResult:
        # The task's own solver cannot be interrupted, so limits do not apply to it.
        start = time.perf_counter()
        answer = self.task.solve(self.puzzle)
        return SearchResult(
            answer=answer,
            status=SOLVED if answer is not None else UNSOLVABLE,
            nodes=None,
            seconds=time.perf_counter() - start,
        )

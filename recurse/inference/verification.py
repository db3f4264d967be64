"""Verified solving: the network's per-cell distribution steers the task's exact search, so an answer
always passes the checker or the puzzle is proven to have none. The plain search (same propagation,
smallest domain first) runs beside it as the baseline.

The network's own answer is kept whenever the checker accepts it: a puzzle with several answers has no
reason to trade a valid answer for the one the search happens to reach. A task with only ``solve`` (an
exact solver the network cannot steer, which counts no nodes) is solved by it only when the network's
answer is not valid, and the report says which of the two answered.

Both searches stop at ``SearchLimits`` (a node count and a time): a search that reaches one reports that it
gave up after so many nodes, nothing is proven, and no answer is returned (unless the network's own answer
passes the checker)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recurse.errors import RecurseError
from recurse.tasks import Task
from recurse.tasks.search import (
    GAVE_UP,
    SOLVED,
    UNSOLVABLE,
    ExactSolverProblem,
    SearchLimits,
    SearchProblem,
    SearchResult,
)


class NoExactSolverError(RecurseError):
    """A task without an exact solver, whose answers therefore cannot be verified."""


@dataclass
class Verification:
    status: str  # "solved" (the answer passes the checker), "unsolvable" (proven) or "gave_up" (a limit came first)
    answer: np.ndarray | None  # the network's answer when it is valid, else the search's (None: unsolvable)
    nodes: int | None  # search nodes of the network-guided search (None: a solver that counts none)
    seconds: float
    plain_nodes: int | None  # the same search, smallest domain first, without the network
    plain_seconds: float
    network_answer: str  # the network's own answer, before search
    network_valid: bool
    # "guided": a steerable search ran guided and plain; "solver": the task's own solve() (no nodes, no
    # steering); "network": solve()-only task whose network answer passed the checker, so nothing ran.
    method: str = "guided"
    plain_status: str = SOLVED
    limits: SearchLimits = SearchLimits()

    def to_json(self) -> dict:
        return {
            "status": self.status,
            "nodes": self.nodes,
            "search_ms": round(1000 * self.seconds, 3),
            "plain_nodes": self.plain_nodes,
            "plain_ms": round(1000 * self.plain_seconds, 3),
            "network_answer": self.network_answer,
            "network_valid": self.network_valid,
            "method": self.method,
            "plain_status": self.plain_status,
        }

    def describe(self) -> str:
        """One line for people: what the search did, against the plain search and the network alone."""

        def count(nodes: int | None) -> str:
            return "(nodes not counted)" if nodes is None else f"{nodes} node{'s' if nodes != 1 else ''}"

        network = "valid" if self.network_valid else "not valid"
        verdict = {
            SOLVED: "verified",
            UNSOLVABLE: "no solution (proven by exhaustive search)",
            GAVE_UP: f"gave up after {count(self.nodes)} (limit {self.limits.describe()}; nothing proven)",
        }[self.status]
        if self.method == "network":
            return f"{verdict}: the checker accepts the network's answer · network alone: {network}"
        if self.method == "solver":
            verdict = "verified" if self.status == SOLVED else "no solution (proven by the task's exact solver)"
            return (
                f"{verdict} · the task's exact solver in {1000 * self.seconds:.1f} ms (it has no search the "
                f"network can steer, so no nodes to count) · network alone: {network}"
            )
        return (
            f"{verdict} · guided search {count(self.nodes)} in {1000 * self.seconds:.1f} ms · plain search "
            f"{count(self.plain_nodes)} in {1000 * self.plain_seconds:.1f} ms"
            f"{' (gave up)' if self.plain_status == GAVE_UP else ''} · network alone: {network}"
        )


def search_problem(task: Task, puzzle: np.ndarray) -> SearchProblem:
    """The task's steerable search for ``puzzle``, its plain exact solver, or a one-line error."""
    problem = task.search_problem(puzzle)
    if problem is not None:
        return problem
    if type(task).solve is not Task.solve:
        return ExactSolverProblem(task, puzzle)
    raise NoExactSolverError(
        f"the {task.name} task has no exact solver, so its answers cannot be verified; solve without --verify"
    )


def cell_prior(task: Task, token_probabilities: np.ndarray) -> np.ndarray:
    """[cells, values] from the network's [cells, tokens] distribution (token v + 1 is value v, 0 is padding).

    A distribution that is not finite (a model with NaN weights, loaded with ``allow_nonfinite``) says
    nothing about a cell, so such a cell gets no preference: the search then stays exact, only unguided."""
    prior = np.asarray(token_probabilities, dtype=np.float64)[:, 1 : 1 + len(task.alphabet)]
    unknown = ~np.isfinite(prior).all(axis=1)
    if unknown.any():
        prior = prior.copy()
        prior[unknown] = 1.0 / max(prior.shape[1], 1)
    return prior


def verify(
    task: Task,
    puzzle: np.ndarray,
    token_probabilities: np.ndarray,
    network_answer: np.ndarray,
    *,
    baseline: bool = True,
    limits: SearchLimits | None = None,
) -> Verification:
    """Search ``puzzle`` guided by the network's distribution (and, with ``baseline``, plainly), each search
    within ``limits`` (default ``SearchLimits()``: ``recurse.limits.DEFAULT_VERIFY_NODES`` nodes and
    ``DEFAULT_VERIFY_SECONDS`` seconds; the task's own ``solve()`` cannot be interrupted)."""
    limits = SearchLimits() if limits is None else limits
    problem = search_problem(task, puzzle)
    network_valid = task.is_solution(puzzle, network_answer)
    steerable = not isinstance(problem, ExactSolverProblem)
    if not steerable and network_valid:
        # Nothing to steer and nothing to fix: the checker has already verified the network's answer.
        guided, method = SearchResult(network_answer, SOLVED, None, 0.0), "network"
    else:
        guided, method = (
            problem.search(cell_prior(task, token_probabilities), limits),
            "guided" if steerable else "solver",
        )
    plain = problem.search(None, limits) if baseline and steerable else SearchResult(None, guided.status, None, 0.0)
    if guided.answer is not None and not task.is_solution(puzzle, guided.answer):
        raise AssertionError(f"the exact search of the {task.name} task returned an answer its checker rejects")
    return Verification(
        status=SOLVED if network_valid else guided.status,
        answer=network_answer if network_valid else guided.answer,
        nodes=guided.nodes,
        seconds=guided.seconds,
        plain_nodes=plain.nodes,
        plain_seconds=plain.seconds,
        network_answer=task.format_answer(network_answer),
        network_valid=network_valid,
        method=method,
        plain_status=plain.status,
        limits=limits,
    )

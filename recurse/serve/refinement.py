"""One puzzle solved for the page: the answer after every supervision step with the network's confidence
in each answer position, then the checker's verdict, the steps used and the time taken.

Pure functions of a ``Solver`` and text, so the page's behaviour is tested without a browser.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

from recurse.errors import PuzzleFormatError
from recurse.halting.inference import settings
from recurse.halting_defaults import DEFAULT_THRESHOLD
from recurse.inference.strategies import STRATEGIES
from recurse.inference.strategies.base import DEFAULT_SELECT
from recurse.inference.strategies.sample import DEFAULT_NOISE
from recurse.solver import Solver

HALTING_CHOICES = ("threshold", "fixed")  # what the page offers: stop when confident, or run every step
MAX_PUZZLE_CHARS = 100_000  # longer text is not a puzzle anyone typed


@dataclass(frozen=True)
class Options:
    """The page's solving options: how to halt, and whether an exact search checks the answer."""

    halting: str = "threshold"
    threshold: float = DEFAULT_THRESHOLD
    max_steps: int | None = None  # None: the model's training limit
    verify: bool = False
    # The inference strategy (recurse.inference.strategies): greedy follows one trajectory, step by step;
    # the others run ``samples`` trajectories and keep one by the ``select`` rule.
    strategy: str = "greedy"
    samples: int = 8
    noise: float = DEFAULT_NOISE  # for strategies that perturb the latent state (sample)
    select: str = DEFAULT_SELECT
    seed: int = 0


def strategy_options(options: Options) -> dict:
    """The keyword arguments of ``Solver.solve`` for the options' strategy (none for greedy)."""
    if options.strategy == "greedy":
        return {}
    chosen: dict = {"strategy": options.strategy, "samples": options.samples, "select": options.select}
    chosen["seed"] = options.seed
    if options.strategy in STRATEGIES and "noise" in STRATEGIES.get(options.strategy).Spec.model_fields:
        chosen["noise"] = options.noise
    return chosen


@dataclass
class Refinement:
    """What the page shows for one solved puzzle."""

    puzzle: str  # the puzzle in the task's one-line text format
    answers: list[str]  # the answer after each supervision step (the task's answer format)
    confidence: list[list[float]]  # per step: the probability of the shown symbol at each answer position
    answer: str  # the final answer (the verified one with --verify)
    valid: bool
    violations: list[str]
    steps: int  # supervision steps used
    halt_confidence: float  # sigmoid(q_halt) at the last step
    seconds: float
    verification: str | None = None  # one line: the guided search against plain search
    kept_only: bool = False  # a strategy with several trajectories: ``answers`` holds the kept answer alone
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """``valid`` or ``not valid: <the checker's reasons>``."""
        return "valid" if self.valid else "not valid: " + "; ".join(self.violations)


def with_halting(solver: Solver, options: Options) -> Solver:
    """A shallow copy of ``solver`` (same weights) that halts as ``options`` say."""
    model_max_steps = solver.halting.max_steps if solver.config is None else solver.config.max_steps
    chosen = settings(
        kind=options.halting,
        max_steps=options.max_steps,
        threshold=options.threshold if options.halting == "threshold" else None,
    )
    policy = chosen.build(purpose="solve", model_max_steps=model_max_steps)
    clone = copy.copy(solver)
    clone.halting = policy
    return clone


def read_puzzle(solver: Solver, text: object) -> str:
    """The puzzle text after the checks a person's typing needs; raises ``PuzzleFormatError``."""
    if not isinstance(text, str) or not text.strip():
        raise PuzzleFormatError(f"enter a puzzle: a {solver.task.describe()}")
    if len(text) > MAX_PUZZLE_CHARS:
        raise PuzzleFormatError(f"that text is {len(text)} characters long; a puzzle is far shorter")
    return text.strip("\n")


def solve(solver: Solver, text: str, options: Options = Options()) -> Refinement:
    """Solve ``text`` step by step; every problem with the input raises a ``RecurseError`` subclass."""
    text = read_puzzle(solver, text)
    stepping = with_halting(solver, options)
    started = time.perf_counter()
    several = options.strategy != "greedy"  # a trace follows one trajectory: greedy's
    solution = stepping.solve(text, trace=not several, verify=options.verify, **strategy_options(options))
    seconds = time.perf_counter() - started
    notes = []
    answers = list(solution.trace)
    if several:
        shown = solution.answer or solution.candidate
        answers = [shown] if shown else []
        checked = [c.valid for c in solution.candidates if c.valid is not None]
        valid = f"; {sum(checked)} of them valid" if checked else ""
        notes.append(
            f"strategy {solution.strategy}: {solution.trajectories} trajectories{valid}, number "
            f"{solution.trajectory + 1} kept by {options.select}; shown: its answer, not its steps"
        )
    return Refinement(
        puzzle=solution.puzzle,
        answers=answers,
        notes=notes,
        kept_only=several,
        confidence=[list(map(float, c)) for c in solution.trace_confidence],
        answer=solution.answer,
        valid=solution.valid,
        violations=list(solution.violations),
        steps=solution.steps,
        halt_confidence=solution.confidence,
        seconds=seconds,
        verification=solution.verification.describe() if solution.verification is not None else None,
    )

"""Solving puzzles with a trained refiner: parse, validate, refine in batches, decode and check."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import torch

from recurse.config import ModelConfig
from recurse.config.budget import check_memory
from recurse.errors import CheckpointError, ConfigError, RecurseError, check_flag
from recurse.halting import HaltingPolicy
from recurse.halting.inference import HaltingSettings
from recurse.halting.inference import settings as halting_settings
from recurse.hardware import check_device_name, resolve_device
from recurse.hub.source import resolve_model
from recurse.inference.strategies import Answers, Strategy
from recurse.inference.strategies.settings import strategy_spec
from recurse.inference.trajectories import batch_acceptor
from recurse.inference.verification import Verification
from recurse.inference.verification import verify as verify_answer
from recurse.model.checkpoint import load_checkpoint
from recurse.model.refiner import RecursiveRefiner
from recurse.spec import Spec
from recurse.tasks import PuzzleFormatError, Task, build_task
from recurse.tasks.base import Task as BaseTask
from recurse.tasks.search import GAVE_UP, UNSOLVABLE, SearchLimits


@dataclass
class Candidate:
    """One trajectory of a puzzle (strategies that run several): its answer, and the checker's verdict when
    the selection rule asked for it (None otherwise)."""

    answer: str
    confidence: float
    steps: int
    valid: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "confidence": round(self.confidence, 4),
            "steps": self.steps,
            "valid": self.valid,
        }


@dataclass
class Solution:
    puzzle: str  # the puzzle in the task's one-line text format
    answer: str  # the answer as the task writes answers (the whole grid for grid tasks); "" when none is given
    valid: bool  # whether the task's checker accepts the answer
    steps: int  # supervision steps used by the kept trajectory
    confidence: float  # sigmoid(q_halt) at the kept trajectory's last step
    trace: list[str] = field(default_factory=list)  # the answer after each step, when asked for
    violations: list[str] = field(default_factory=list)  # the rules the answer (or candidate) breaks
    verification: Verification | None = None  # with verify=True: the exact search's report
    # with the trace: per step, the probability of the traced symbol at each of the task's answer positions
    trace_confidence: list[list[float]] = field(default_factory=list)
    # "solved" (valid answer), "invalid" (an answer the checker rejects), "abstained" (abstain=True and no
    # valid answer: ``answer`` is empty, ``candidate`` the best one), and with verify also "unsolvable" and
    # "gave_up" (a search limit came first).
    status: str = "solved"
    candidate: str = ""  # the answer that was not given (abstained, gave_up)
    strategy: str = "greedy"
    trajectory: int = 0  # the kept trajectory (sample number)
    trajectories: int = 1  # trajectories run
    seconds: float = 0.0  # this puzzle's share of the network time, plus its search time
    candidates: list[Candidate] = field(default_factory=list)  # every trajectory (strategies with several)

    def to_json(self) -> dict[str, Any]:
        record = {
            "puzzle": self.puzzle,
            "answer": self.answer,
            "valid": self.valid,
            "steps": self.steps,
            "confidence": round(self.confidence, 4),
            "violations": self.violations,
        }
        if self.trace:
            record["trace"] = self.trace
        if self.verification is not None:
            record.update(self.verification.to_json())
        record["status"] = self.status
        if self.candidate:
            record["candidate"] = self.candidate
        record.update(
            strategy=self.strategy,
            trajectory=self.trajectory,
            trajectories=self.trajectories,
            seconds=round(self.seconds, 6),
        )
        return record


class Solver:
    """A trained refiner together with its task: ``solve("…")`` returns a checked answer.

    Every problem with the caller's input raises a ``RecurseError`` subclass: ``PuzzleFormatError`` for a
    puzzle (text that does not parse, a grid of the wrong shape, type or values, clashing givens, an unknown
    puzzle id), ``ConfigError`` for an option (halting, max_steps, threshold, device, batch_size; its
    subclass ``ResourceError`` when a batch would not fit in memory) and ``CheckpointError`` for the model.
    """

    def __init__(
        self,
        refiner: RecursiveRefiner,
        task: Task,
        *,
        halting: HaltingPolicy,
        device: torch.device | str = "cpu",
        puzzle_names: list[str] | None = None,
        config: ModelConfig | None = None,
    ) -> None:
        self.device = torch.device(device)
        self.refiner = refiner.to(self.device).eval()
        self.task = task
        self.halting = halting
        self.puzzle_names = puzzle_names or ["<blank>"]
        self.config = config  # for the memory estimate of a batch, when known

    @property
    def needs_puzzle_id(self) -> bool:
        """True for models that learned an embedding per training puzzle (ARC): they answer those puzzles."""
        return len(self.puzzle_names) > 1

    def puzzle_index(self, name: str | None) -> int:
        if name is None:
            if self.needs_puzzle_id:
                raise PuzzleFormatError(
                    f"this model learned an embedding for each of its {len(self.puzzle_names) - 1} "
                    f"training puzzles; name one with --puzzle-id (for example "
                    f"{self.puzzle_names[1]!r})"
                )
            return 0
        if not isinstance(name, str):
            raise PuzzleFormatError(f"a puzzle id is a name (text), got {type(name).__name__}")
        try:
            return self.puzzle_names.index(name)
        except ValueError:
            raise PuzzleFormatError(
                f"puzzle id {name!r} is not one this model was trained on (it knows "
                f"{len(self.puzzle_names) - 1}, for example {self.puzzle_names[-1]!r})"
            ) from None

    @classmethod
    def from_pretrained(
        cls,
        source: str | Path,
        *,
        revision: str | None = None,
        device: str = "auto",
        halting: str | HaltingSettings | None = None,
        max_steps: int | None = None,
        threshold: float | None = None,
        allow_nonfinite: bool = False,
        cache_dir: str | Path | None = None,
        token: str | bool | None = None,
        force_download: bool = False,
        local_files_only: bool = False,
        strict: bool = True,
        **download_options: Any,
    ) -> Solver:
        """Load a solver from a checkpoint folder, a run folder, a bundled model name or a Hub repo id.

        A Hub repo id may pin a revision (``owner/name@v1``) or take ``revision``; ``cache_dir``, ``token``,
        ``force_download`` and ``local_files_only`` are ``huggingface_hub``'s, and other keyword arguments
        go to ``snapshot_download`` (``proxies``, ``etag_timeout``, …). ``strict=False`` loads weights that
        lack or add tensors (see ``RecursiveRefiner.from_pretrained``).

        ``halting`` names any registered policy; the default, ``threshold``, stops a puzzle once
        sigmoid(q_halt) ≥ ``threshold`` (default: ``recurse.halting_defaults``); ``fixed``, ``q_halt``
        and ``q_continue`` run ``max_steps`` (default: the training limit). ``halting`` may also be
        ``HaltingSettings`` (with a policy's own fields), which ``max_steps`` and ``threshold`` override.
        Weights holding NaN or Inf are refused with a ``CheckpointError`` unless ``allow_nonfinite`` is set.
        """
        if not isinstance(source, (str, Path)) or not str(source).strip():
            raise CheckpointError(
                f"a model is a checkpoint or run folder, a bundled model name or a Hub repo id, got {source!r}"
            )
        try:
            check_device_name(device)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        given = halting if isinstance(halting, HaltingSettings) else HaltingSettings(kind=halting)
        chosen = halting_settings(
            kind=given.kind,
            max_steps=given.max_steps if max_steps is None else max_steps,
            threshold=given.threshold if threshold is None else threshold,
            extra=given.extra,
        )  # checked before the model is loaded
        check_flag("allow_nonfinite", allow_nonfinite)
        check_flag("strict", strict)
        folder = resolve_model(
            source,
            revision=revision,
            cache_dir=cache_dir,
            token=token,
            force_download=force_download,
            local_files_only=local_files_only,
            download_options=download_options,
        )
        checkpoint = load_checkpoint(folder, allow_nonfinite=allow_nonfinite, strict=strict)
        task_spec = checkpoint.document.task
        if not task_spec:
            raise CheckpointError(f"{folder} does not record its task, so its puzzles cannot be read")
        task = build_task(task_spec)
        policy = chosen.build(purpose="solve", model_max_steps=checkpoint.config.max_steps)
        return cls(
            checkpoint.refiner,
            task,
            halting=policy,
            device=resolve_device(device),
            puzzle_names=checkpoint.document.puzzle_identifiers,
            config=checkpoint.config,
        )

    def parse(self, puzzle: str | np.ndarray) -> np.ndarray:
        """A checked grid from puzzle text, or from a grid of cell values (``alphabet`` indices)."""
        grid = self.task.parse(puzzle) if isinstance(puzzle, str) else self._grid(puzzle)
        self.task.validate_puzzle(grid)
        return grid

    def _grid(self, puzzle: object) -> np.ndarray:
        task = self.task
        if puzzle is None or isinstance(puzzle, (bytes, bytearray, bool, dict, set, Real)):
            raise PuzzleFormatError(f"a puzzle is text or a grid of whole numbers, got {type(puzzle).__name__}")
        try:
            grid = np.asarray(puzzle)
        except (ValueError, TypeError):
            raise PuzzleFormatError("a puzzle grid must be rectangular (rows of equal length)") from None
        if grid.dtype == object or not (np.issubdtype(grid.dtype, np.integer) and grid.dtype != np.bool_):
            raise PuzzleFormatError(f"a puzzle grid holds whole numbers, got values of type {grid.dtype}")
        if type(task).encode is not BaseTask.encode:
            # Tasks with their own encoding (ARC grids of any size) check their grids themselves.
            try:
                task.encode(grid)
            except PuzzleFormatError:
                raise
            except (ValueError, IndexError, TypeError):
                raise PuzzleFormatError(f"not a valid {task.describe()} (shape {grid.shape})") from None
            return grid
        drawing = task.drawn_as()
        shapes = {task.shape, (task.seq_len,)} | ({drawing} if drawing is not None else set())
        if grid.shape not in shapes:
            allowed = " or ".join(str(shape) for shape in sorted(shapes, key=len, reverse=True))
            raise PuzzleFormatError(f"a {task.describe()} grid has shape {allowed}, got {grid.shape}")
        if grid.size and (grid.min() < 0 or grid.max() >= len(task.alphabet)):
            raise PuzzleFormatError(
                f"cell values of a {task.describe()} run from 0 to {len(task.alphabet) - 1} "
                f"(blank {task.blank}), got {int(grid.min())}..{int(grid.max())}"
            )
        return grid.reshape(task.shape).astype(np.int64)

    def solve(
        self,
        puzzle: str | np.ndarray,
        *,
        trace: bool = False,
        puzzle_id: str | None = None,
        verify: bool = False,
        strategy: str | Spec | None = None,
        abstain: bool = False,
        verify_nodes: int | None = None,
        verify_seconds: float | None = None,
        **strategy_options: Any,
    ) -> Solution:
        """Solve one puzzle (text or a grid); raises ``PuzzleFormatError`` for a puzzle it cannot read.

        ``strategy`` and its options (``samples``, ``noise``, ``select``, ``seed``, …) choose how the answer is
        found (``recurse.inference.strategies``; default ``greedy``): for example
        ``solve(p, strategy="sample", samples=32, noise=0.3, select="checker", seed=0)``. ``abstain`` gives no
        answer rather than one the checker rejects. See ``solve_many`` for ``verify`` and its limits."""
        return self.solve_many(
            [puzzle],
            trace=trace,
            puzzle_id=puzzle_id,
            verify=verify,
            strategy=strategy,
            abstain=abstain,
            verify_nodes=verify_nodes,
            verify_seconds=verify_seconds,
            **strategy_options,
        )[0]

    def solve_many(
        self,
        puzzles: Iterable[str | np.ndarray],
        *,
        batch_size: int = 256,
        trace: bool = False,
        puzzle_id: str | None = None,
        verify: bool = False,
        strategy: str | Spec | None = None,
        abstain: bool = False,
        verify_nodes: int | None = None,
        verify_seconds: float | None = None,
        **strategy_options: Any,
    ) -> list[Solution]:
        """Solve every puzzle; ``puzzle_id`` names the training puzzle whose embedding to use (ARC models).

        ``verify`` lets the network's distribution steer the task's exact search (``recurse.inference.verification``): the
        answer then always passes the checker, or ``status`` is "unsolvable" (proven) or "gave_up" (the search
        reached ``verify_nodes`` nodes or ``verify_seconds`` seconds first; defaults in ``recurse.tasks.search``)
        and ``answer`` is empty.

        The first puzzle that cannot be read raises ``PuzzleFormatError`` naming its position; use
        ``solve_each`` to get an answer for the good ones and the error for each bad one.
        """
        results = self.solve_each(
            puzzles,
            batch_size=batch_size,
            trace=trace,
            puzzle_id=puzzle_id,
            verify=verify,
            strategy=strategy,
            abstain=abstain,
            verify_nodes=verify_nodes,
            verify_seconds=verify_seconds,
            **strategy_options,
        )
        for number, result in enumerate(results, start=1):
            if isinstance(result, RecurseError):
                where = f"puzzle {number}: " if len(results) > 1 else ""
                raise PuzzleFormatError(f"{where}{result}")
        return results  # type: ignore[return-value]

    def solve_each(
        self,
        puzzles: Iterable[str | np.ndarray],
        *,
        batch_size: int = 256,
        trace: bool = False,
        puzzle_id: str | None = None,
        verify: bool = False,
        strategy: str | Spec | None = None,
        abstain: bool = False,
        verify_nodes: int | None = None,
        verify_seconds: float | None = None,
        **strategy_options: Any,
    ) -> list[Solution | PuzzleFormatError]:
        """In input order, a ``Solution`` for each readable puzzle and the ``PuzzleFormatError`` for each other."""
        self._check_options(batch_size=batch_size, trace=trace)
        for name, flag in (("verify", verify), ("abstain", abstain)):
            if not isinstance(flag, bool):
                raise ConfigError(f"{name} must be True or False, got {flag!r}")
        spec = strategy_spec(strategy, **strategy_options)
        if trace and spec.kind != "greedy":
            raise ConfigError(f"a trace follows one trajectory; strategy={spec.kind} runs several (use greedy)")
        options = _Options(
            strategy=spec,
            built=spec.build(),
            abstain=abstain,
            verify=verify,
            limits=search_limits(verify_nodes, verify_seconds),
        )
        puzzle_index = self.puzzle_index(puzzle_id)
        if isinstance(puzzles, (str, bytes, bytearray)) or puzzles is None:
            raise PuzzleFormatError("solve_many takes a list of puzzles (use solve for one puzzle)")
        try:
            puzzles = list(puzzles)
        except TypeError:
            raise PuzzleFormatError(f"solve_many takes a list of puzzles, got {type(puzzles).__name__}") from None
        results: list[Solution | PuzzleFormatError | None] = []
        good: list[tuple[int, np.ndarray]] = []
        for puzzle in puzzles:
            try:
                good.append((len(results), self.parse(puzzle)))
                results.append(None)
            except PuzzleFormatError as error:
                results.append(error)
        batch_size = int(batch_size)
        if good and self.config is not None and self.device.type == "cpu":
            check_memory(
                self.config, min(batch_size, len(good)), training=False, what="solve", seq_len=self.task.seq_len
            )
        for start in range(0, len(good), batch_size):
            chunk = good[start : start + batch_size]
            solved = self._solve_batch([g for _, g in chunk], trace=trace, puzzle_index=puzzle_index, options=options)
            for (position, _), solution in zip(chunk, solved):
                results[position] = solution
        return results  # type: ignore[return-value]

    def _check_options(self, *, batch_size: object, trace: object) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, Integral) or batch_size < 1:
            raise ConfigError(f"batch_size must be a whole number of at least 1, got {batch_size!r}")
        if not isinstance(trace, bool):
            raise ConfigError(f"trace must be True or False, got {trace!r}")

    def _solve_batch(
        self, grids: Sequence[np.ndarray], *, trace: bool, puzzle_index: int, options: _Options
    ) -> list[Solution]:
        task = self.task
        encoded = np.stack([task.encode(g) for g in grids]).astype(np.int64)
        inputs = torch.from_numpy(encoded).to(self.device)
        ids = torch.full((len(grids),), puzzle_index, dtype=torch.long, device=self.device)

        started = time.perf_counter()
        answers = options.built.run(
            self.refiner,
            inputs,
            ids,
            halting=self.halting,
            acceptor=batch_acceptor(task, encoded),
            keep_logits=options.verify,
            trace=trace,
        )
        network_seconds = time.perf_counter() - started
        prediction = answers.prediction
        tokens = prediction.tokens.cpu().numpy()
        history = [t.cpu().numpy() for t in prediction.trace]
        certainty = [c.cpu().numpy() for c in prediction.trace_confidence]
        positions = task.answer_positions()
        work = answers.sample_steps.double()
        share = (work / work.sum().clamp(min=1)).tolist()  # each puzzle's share of the network time
        results = []
        for i, grid in enumerate(grids):
            started = time.perf_counter()
            # Only the task's answer positions are read from the model; input-only ones stay the puzzle's.
            network_answer = task.answer_of(grid, tokens[i])
            answer: np.ndarray | None = network_answer
            steps = int(prediction.steps[i])
            checked = None
            candidate = ""
            if options.verify:
                # The softmax of the last step's logits, once per verified puzzle (not at every step).
                assert prediction.logits is not None  # refine keeps them when verify is asked for
                distribution = torch.softmax(prediction.logits[i].float(), dim=-1).cpu().numpy()
                checked = verify_answer(task, grid, distribution, network_answer, limits=options.limits)
                if checked.status == GAVE_UP:
                    candidate = task.format_answer(network_answer)
                answer = checked.answer
            if checked is not None and checked.status == GAVE_UP:
                violations = [f"the search gave up after {checked.nodes} nodes (limit {options.limits.describe()})"]
                status = GAVE_UP
            elif answer is None:  # the exact search proved the puzzle has no solution
                violations = ["the puzzle has no solution"]
                status = UNSOLVABLE
            else:
                violations = task.violations(grid, answer)
                status = "solved" if not violations else "invalid"
                if violations and options.abstain:
                    candidate, answer, status = task.format_answer(answer), None, "abstained"
            results.append(
                Solution(
                    puzzle=task.format(grid),
                    answer=task.format_answer(answer) if answer is not None else "",
                    valid=not violations,
                    violations=violations,
                    steps=steps,
                    confidence=float(prediction.confidence[i]),
                    trace=[task.format_answer(task.answer_of(grid, h[i])) for h in history[:steps]] if trace else [],
                    trace_confidence=[c[i][positions].tolist() for c in certainty[:steps]] if trace else [],
                    verification=checked,
                    status=status,
                    candidate=candidate,
                    strategy=options.strategy.kind,
                    trajectory=int(answers.kept[i]),
                    trajectories=answers.samples,
                    seconds=network_seconds * share[i] + time.perf_counter() - started,
                    candidates=self._candidates(answers, grid, i),
                )
            )
        return results

    def _candidates(self, answers: Answers, grid: np.ndarray, index: int) -> list[Candidate]:
        every = answers.trajectories
        if every is None:
            return []
        tokens = every.tokens[index].cpu().numpy()
        valid = every.valid[index].tolist() if every.valid is not None else [None] * every.samples
        return [
            Candidate(
                answer=self.task.format_answer(self.task.answer_of(grid, tokens[k])),
                confidence=float(every.confidence[index, k]),
                steps=int(every.steps[index, k]),
                valid=valid[k],
            )
            for k in range(every.samples)
        ]


@dataclass(frozen=True)
class _Options:
    """How one ``solve_each`` call answers: the strategy (spec and object), abstaining, verification."""

    strategy: Spec
    built: Strategy
    abstain: bool
    verify: bool
    limits: SearchLimits


def search_limits(nodes: object = None, seconds: object = None) -> SearchLimits:
    """The limits of verified solving from user values (None keeps the default); a ``ConfigError`` names a bad one."""
    if nodes is not None and (isinstance(nodes, bool) or not isinstance(nodes, Integral) or nodes < 1):
        raise ConfigError(f"verify_nodes must be a whole number of at least 1, got {nodes!r}")
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, Real) or not math.isfinite(seconds) or seconds <= 0
    ):
        raise ConfigError(f"verify_seconds must be a positive number of seconds, got {seconds!r}")
    default = SearchLimits()
    return SearchLimits(
        max_nodes=default.max_nodes if nodes is None else int(nodes),
        max_seconds=default.max_seconds if seconds is None else float(seconds),
    )

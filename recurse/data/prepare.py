"""Making sure a run's dataset exists: build it from the config's ``data.build`` section when missing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from recurse.config import DataConfig
from recurse.data.build import build_dataset
from recurse.data.estimate import check_build_size
from recurse.data.sources import Pair, generate_one, generated_pairs, source_pairs
from recurse.errors import RecurseError
from recurse.store.writer import destination, read_manifest, unstage
from recurse.tasks.base import Task


def subsample(pairs: list[Pair], size: int | None, rng: np.random.RandomState) -> list[Pair]:
    """The official subsample: ``choice(total, size, replace=False)`` from the stream, kept in the drawn
    order (not sorted); nothing is drawn when ``size`` keeps every pair."""
    if size is None or size >= len(pairs):
        return pairs
    return [pairs[i] for i in rng.choice(len(pairs), size=size, replace=False)]


def _held_back_test(task: Task, source: str, size: int | None, rng: np.random.RandomState) -> Iterator[Pair]:
    """The test pairs, read (and subsampled, which the official builders never do) only after the
    training split is written, so that no test draw can move a training draw."""
    yield from subsample(source_pairs(task, source, "test"), size, rng)


def with_easier_copies(pairs: Iterable[Pair], copies: int, rng: np.random.Generator) -> Iterator[Pair]:
    """Each pair, then ``copies`` easier puzzles with the same solution: a random number of its blanks
    (from one to half of them) given back. Adding givens keeps the solution unique, so no solver runs; the
    training set then spans easy to minimal puzzles, and the easy ones teach the rules that the minimal
    ones need many steps of deduction to use."""
    for puzzle, solution in pairs:
        yield puzzle, solution
        blanks = np.flatnonzero(puzzle.reshape(-1) == 0)
        for _ in range(copies):
            if len(blanks) < 2:
                break
            given = rng.choice(blanks, size=int(rng.integers(1, len(blanks) // 2 + 1)), replace=False)
            easier = puzzle.reshape(-1).copy()
            easier[given] = solution.reshape(-1)[given]
            yield easier.reshape(puzzle.shape), solution


def build_from_config(config: DataConfig, *, progress: bool = True) -> dict:
    """Build the dataset that ``config.build`` describes into ``config.path``; returns the manifest.
    A build that fails leaves nothing behind (not even its half-written staging folder)."""
    try:
        return _build(config, progress)
    except BaseException:
        unstage(Path(config.path))
        raise


def _build(config: DataConfig, progress: bool) -> dict:
    destination(config.path)  # before any work: a folder recurse did not build is never replaced
    task: Task = config.task.build()
    spec = config.build
    if spec is None:
        raise RecurseError(f"no dataset at {config.path} and the config has no data.build section to make one")
    check_build_size(task, spec, config.path)
    if spec.source.startswith("hub:"):  # a dataset published with `recurse data push` is taken as it is
        from recurse.data.hub_dataset import load_published

        manifest = load_published(spec.source[4:], config.path, task=task)
        if manifest is not None:
            return manifest
    manifest = task.build_dataset(config.path, spec, progress=progress)
    if manifest is not None:
        return manifest
    train_rows: set[bytes] | None = None
    train_pairs: Iterable[Pair]
    test_total: int | None = spec.test_size
    if spec.source == "generate":
        if spec.train_size is None or spec.test_size is None:
            raise RecurseError("data.build.train_size and data.build.test_size are needed to generate data")
        rows: set[bytes] = set()  # every training input as written, augmented copies included
        train_rows = rows
        test_size = spec.test_size
        symmetries = task.all_symmetries() or []

        def held_out(puzzle: np.ndarray) -> bool:
            # A test puzzle must not be a training row, nor (for a small symmetry group) any symmetric
            # image of one: an augmented copy of a training maze is the same maze turned.
            images = [puzzle] + [symmetry.apply(puzzle) for symmetry in symmetries[1:]]
            return all(task.encode(image).tobytes() not in rows for image in images)

        def test() -> Iterator[Pair]:
            # Consumed after the training split is written, so train_rows is complete by then.
            rng = np.random.default_rng([spec.seed, 2])
            made = 0
            for _ in range(100 * test_size):  # bounded: a small task may not have enough distinct puzzles
                puzzle, solution = generate_one(task, rng, spec.stall_seconds)
                if held_out(puzzle):
                    made += 1
                    yield puzzle, solution
                    if made == test_size:
                        return
            raise RecurseError(
                f"could not generate {spec.test_size} test puzzles that differ from the training set;"
                f" {task.describe()} has too few distinct puzzles (lower data.build.test_size)"
            )

        stream = None  # generated data: recurse's own procedure
        train_pairs = generated_pairs(task, spec.train_size, np.random.default_rng([spec.seed, 0]), spec.stall_seconds)
        if spec.easier_copies:
            from recurse.tasks.constraint import ConstraintGridTask

            if not isinstance(task, ConstraintGridTask):  # elsewhere 0 is not a blank (a maze's 0 is a wall)
                raise RecurseError(
                    f"data.build.easier_copies needs a task whose puzzles have blank cells to give "
                    f"back (a constraint grid such as sudoku), not {task.describe()}"
                )
            train_pairs = with_easier_copies(train_pairs, spec.easier_copies, np.random.default_rng([spec.seed, 3]))
        test_pairs = test()
        train_total = spec.train_size * (1 + spec.easier_copies)
    else:
        # Source files: the official builders' procedure, as if the global numpy stream were seeded
        # with spec.seed just before the build (the official scripts do not seed it themselves).
        stream = np.random.RandomState(spec.seed)
        sampled = subsample(source_pairs(task, spec.source, "train"), spec.train_size, stream)
        train_pairs, train_total = sampled, len(sampled)
        test_pairs = _held_back_test(task, spec.source, spec.test_size, stream)
    source = {"source": spec.source, "train_size": spec.train_size, "test_size": spec.test_size}
    if spec.easier_copies:
        source["easier_copies"] = spec.easier_copies
    return build_dataset(
        task,
        config.path,
        train=train_pairs,
        test=test_pairs,
        num_aug=spec.num_aug,
        seed=spec.seed,
        source=source,
        train_total=train_total,
        test_total=test_total,
        progress=progress,
        record_train_rows=train_rows,
        stream=stream,
        answer_limit=spec.answer_limit,
    )


def prepare_dataset(config: DataConfig, *, progress: bool = True) -> Path:
    """The dataset folder, built first if it does not exist yet."""
    path = Path(config.path)
    if not (path / "train" / "dataset.json").is_file():
        build_from_config(config, progress=progress)
    return path


def dataset_fingerprint(path: str | Path) -> str | None:
    manifest = read_manifest(path)
    return manifest.get("fingerprint") if manifest else None

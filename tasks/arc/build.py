"""Building an ARC dataset by the official procedure, streamed to disk.

Each subset's tasks are shuffled first (in the file's order, with the stream), then every task becomes a
group: the task itself and up to ``num_aug`` distinct augmentations of it (a draw that reproduces a
puzzle already in the group is skipped, up to 5·num_aug draws). A task's examples follow its JSON's key
order ("test" before "train" in the ARC-AGI-1 files). Demonstration pairs go
to the training split. Test pairs go to the test split for tasks of the test subset and to the training
split otherwise, so the model also learns from evaluation tasks' demonstrations. Every puzzle (task and
augmentation) gets its own identifier, shared by both splits, which selects its learned embedding. In the
training split, all examples but one random one per puzzle are moved to a random place on the canvas.

The random draws come from one ``RandomState(seed)`` in the official builder's order: per subset the
shuffle then the augmentations, then the placements, split by split. Augmentations are drawn in a first pass that keeps only
their parameters, and applied again while writing, so memory stays small at any ``num_aug``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from recurse.errors import RecurseError
from recurse.io import write_json
from recurse.store.writer import IDENTIFIERS, MANIFEST, SplitWriter, publish, stage, write_official_json
from recurse.tasks.arc.augment import ArcAugmentation
from recurse.tasks.arc.grid import CANVAS, VOCAB_SIZE, grid_key, to_canvas
from recurse.tasks.arc.source import ArcPuzzle, Example, load_subset
from recurse.tasks.arc.voting import TEST_PUZZLES

RETRIES_PER_AUGMENTATION = 5


@dataclass
class _Group:
    puzzle: ArcPuzzle
    in_test_set: bool
    augmentations: list[ArcAugmentation]  # identity first

    @property
    def names(self) -> list[str]:
        """The puzzle name of each augmentation: the task's own name, then ``<task>|||t<k>|||<map>``."""
        return [self.puzzle.name] + [self.puzzle.name + a.suffix for a in self.augmentations[1:]]

    def examples(self, split: str) -> list[Example]:
        if split == "test":
            return self.puzzle.test if self.in_test_set else []
        return self.puzzle.train if self.in_test_set else self.puzzle.examples_in_key_order()


def _fingerprint(examples: list[Example]) -> tuple[bytes, ...]:
    """Equal for two augmentations that give the same multiset of pairs."""
    return tuple(sorted(grid_key(i) + b"|" + grid_key(o) for i, o in examples))


def _draw_augmentations(puzzle: ArcPuzzle, num_aug: int, rng: np.random.RandomState) -> list[ArcAugmentation]:
    chosen = [ArcAugmentation.identity()]
    if num_aug == 0:
        return chosen
    examples = puzzle.examples_in_key_order()
    seen = {_fingerprint(examples)}
    for _ in range(RETRIES_PER_AUGMENTATION * num_aug):
        augmentation = ArcAugmentation.draw(rng)
        key = _fingerprint([(augmentation.apply(i), augmentation.apply(o)) for i, o in examples])
        if key not in seen:
            seen.add(key)
            chosen.append(augmentation)
        if len(chosen) > num_aug:
            break
    return chosen


def _place(inputs: np.ndarray, labels: np.ndarray, rng: np.random.RandomState | None) -> tuple[np.ndarray, np.ndarray]:
    top = left = 0
    if rng is not None:  # input and output move together, to a place where both fit
        top = rng.randint(0, CANVAS - max(inputs.shape[0], labels.shape[0]) + 1)
        left = rng.randint(0, CANVAS - max(inputs.shape[1], labels.shape[1]) + 1)
    return to_canvas(inputs, top, left), to_canvas(labels, top, left)


def build_arc_dataset(
    out: str | Path,
    *,
    source: str,
    subsets: list[str],
    test_subset: str | None,
    num_aug: int,
    seed: int,
    task_spec: dict,
    vocab: list[str],
    progress: bool = True,
) -> dict:
    """Write ``train/``, ``test/``, ``identifiers.json``, ``test_puzzles.json`` and the manifest under ``out``."""
    if test_subset is not None and test_subset not in subsets:
        raise RecurseError(f"data.task.test_subset {test_subset!r} is not one of data.task.subsets {subsets}")
    rng = np.random.RandomState(seed)
    disable = None if progress else True  # None: a bar only on a terminal
    groups: list[_Group] = []
    for subset in subsets:
        puzzles = load_subset(source, subset)
        rng.shuffle(puzzles)  # type: ignore[arg-type]  # a list, as officially: the same draws and order as shuffling the (name, task) list
        for puzzle in tqdm(puzzles, desc=f"augmenting {subset}", unit="task", disable=disable, leave=False):
            groups.append(_Group(puzzle, subset == test_subset, _draw_augmentations(puzzle, num_aug, rng)))

    # Identifiers in order of first appearance over the training split, then the test split (0 is blank).
    names = ["<blank>"]
    identifiers: dict[str, int] = {}
    for split in ("train", "test"):
        for group in groups:
            if group.examples(split):
                for name in group.names:
                    if name not in identifiers:
                        identifiers[name] = len(names)
                        names.append(name)

    out = Path(out)
    staging = stage(out)
    digest = hashlib.sha256()
    counts = {}
    for split in ("train", "test"):
        writer = SplitWriter(staging / split, CANVAS * CANVAS, digest)
        total = sum(len(g.augmentations) for g in groups if g.examples(split))
        with tqdm(total=total, desc=f"writing {split}", unit="puzzle", disable=disable, leave=False) as progress_bar:
            for group in groups:
                examples = group.examples(split)
                if not examples:
                    continue
                for augmentation, name in zip(group.augmentations, group.names):
                    # One example per puzzle keeps its place; drawn (as officially) in the test split too.
                    unmoved = rng.randint(0, len(examples))
                    placed = [
                        _place(
                            augmentation.apply(i),
                            augmentation.apply(o),
                            rng if split == "train" and index != unmoved else None,
                        )
                        for index, (i, o) in enumerate(examples)
                    ]
                    writer.add_puzzle(placed, identifiers[name])
                    progress_bar.update()
                writer.end_group()
        counts[split] = writer.close(
            vocab_size=VOCAB_SIZE, seq_len=CANVAS * CANVAS, num_puzzle_identifiers=len(names), groups_as_puzzles=False
        )

    write_official_json(staging / IDENTIFIERS, names)
    write_official_json(staging / TEST_PUZZLES, {g.puzzle.name: g.puzzle.to_json() for g in groups if g.in_test_set})
    short = sum(len(g.augmentations) < num_aug + 1 for g in groups)
    manifest = {
        "task": task_spec,
        "source": {"source": source, "subsets": subsets, "test_subset": test_subset},
        "seed": seed,
        "num_aug": num_aug,
        "procedure": "official",
        "counts": counts,
        "vocab": vocab,
        "groups_with_fewer_augmentations": short,
        "fingerprint": digest.hexdigest(),
    }
    write_json(staging / MANIFEST, manifest)
    publish(staging, out)
    return manifest

"""ARC: canvas encoding, augmentations and their inverses, the official build's sizes, and voting."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from recurse.config.run import DataBuildConfig
from recurse.errors import RecurseError
from recurse.store.layout import load_split
from recurse.tasks import Arc, PuzzleFormatError
from recurse.tasks.arc.augment import ArcAugmentation, dihedral, split_name
from recurse.tasks.arc.grid import CANVAS, END, PAD, crop, to_canvas
from recurse.tasks.arc.source import load_subset
from recurse.tasks.arc.voting import ArcVoting

ARC_DATA = Path(__file__).parents[1] / "fixtures" / "data" / "arc"
SUBSETS = ["training", "evaluation", "concept"]


def arc_grids(max_side: int = CANVAS):
    shapes = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    return shapes.flatmap(lambda shape: arrays(np.uint8, shape, elements=st.integers(0, 9)))


augmentations = st.builds(
    lambda index, seed: ArcAugmentation(
        index, np.concatenate([[0], np.random.default_rng(seed).permutation(np.arange(1, 10))]).astype(np.uint8)
    ),
    st.integers(0, 7),
    st.integers(0, 2**32 - 1),
)


@settings(max_examples=60, deadline=None)
@given(grid=arc_grids())
def test_canvas_round_trip(grid):
    task = Arc()
    tokens = task.encode(grid)
    assert tokens.shape == (CANVAS * CANVAS,) and tokens.dtype == np.uint8
    assert np.array_equal(task.decode(tokens), grid)
    assert np.array_equal(task.parse(task.format(grid)), grid)
    assert np.array_equal(task.parse(json.dumps(grid.tolist())), grid)


@settings(max_examples=40, deadline=None)
@given(grid=arc_grids(12), top=st.integers(0, 18), left=st.integers(0, 18))
def test_canvas_marks_the_grid_edges(grid, top, left):
    canvas = to_canvas(grid, top, left).reshape(CANVAS, CANVAS)
    rows, cols = grid.shape
    assert np.array_equal(canvas[top : top + rows, left : left + cols], grid + 2)
    # The end-of-grid markers sit just below and just right of the grid, where the canvas has room for them.
    below, right = top + rows < CANVAS, left + cols < CANVAS
    if below:
        assert (canvas[top + rows, left : left + cols] == END).all()
    if right:
        assert (canvas[top : top + rows, left + cols] == END).all()
    if below and right:
        assert canvas[top + rows, left + cols] == PAD
    assert (canvas == END).sum() == rows * right + cols * below and (canvas >= 2).sum() == grid.size


def test_crop_takes_the_largest_top_left_rectangle():
    canvas = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    canvas[:2, :5] = 3  # 2×5 = 10 cells
    canvas[2:6, :3] = 4  # together with the rows above, 6×3 = 18 cells
    assert crop(canvas).shape == (6, 3)
    assert crop(np.zeros(CANVAS * CANVAS, dtype=np.uint8)).shape == (0, 0)


@settings(max_examples=60, deadline=None)
@given(grid=arc_grids(), augmentation=augmentations)
def test_augmentations_invert_and_keep_background(grid, augmentation):
    moved = augmentation.apply(grid)
    assert np.array_equal(augmentation.inverse().apply(moved), grid)
    assert (moved == 0).sum() == (grid == 0).sum()
    name, parsed = split_name("task" + augmentation.suffix)
    assert name == "task" and parsed.index == augmentation.index
    assert np.array_equal(parsed.colours, augmentation.colours)


def test_dihedral_numbering():
    grid = np.arange(6).reshape(2, 3)
    expected = [
        grid,
        np.rot90(grid),
        np.rot90(grid, 2),
        np.rot90(grid, 3),
        grid[:, ::-1],
        grid[::-1],
        grid.T,
        grid[::-1, ::-1].T,
    ]
    for index, want in enumerate(expected):
        assert np.array_equal(dihedral(grid, index), want), index


@pytest.mark.parametrize(
    "grid, problem",
    [
        ([[1, 2], [3]], "not rectangular"),
        ([[1, 12]], "outside the colours"),
        ([[0] * 31], "at most 30×30"),
        ([], "non-empty"),
    ],
)
def test_bad_grids_are_named(grid, problem):
    with pytest.raises(PuzzleFormatError, match=problem):
        Arc().parse(json.dumps(grid))


def test_a_malformed_task_file_is_one_line(tmp_path):
    (tmp_path / "arc-agi_training_challenges.json").write_text(
        json.dumps({"abc": {"train": [{"input": [[1, 2], [3]], "output": [[1]]}], "test": [{"input": [[1]]}]}})
    )
    with pytest.raises(RecurseError, match=r"task abc: train\[0\].input is not rectangular") as info:
        load_subset(str(tmp_path), "training")
    assert "\n" not in str(info.value)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("arc") / "arc-aug-2"
    build = DataBuildConfig(source=str(ARC_DATA), num_aug=2, seed=42)
    manifest = Arc(subsets=SUBSETS, test_subset="evaluation").build_dataset(out, build, progress=False)
    return out, manifest


def _official_sizes(num_aug: int) -> dict:
    """What the official builder writes, counted from the source files (every group gets all augmentations)."""
    sizes = {"train": {"groups": 0, "examples": 0}, "test": {"groups": 0, "examples": 0}}
    for subset in SUBSETS:
        for puzzle in load_subset(str(ARC_DATA), subset):
            is_test = subset == "evaluation"
            sizes["train"]["groups"] += 1
            sizes["train"]["examples"] += (num_aug + 1) * (len(puzzle.train) + (0 if is_test else len(puzzle.test)))
            if is_test:
                sizes["test"]["groups"] += 1
                sizes["test"]["examples"] += (num_aug + 1) * len(puzzle.test)
    for split in sizes.values():
        split["puzzles"] = split["groups"] * (num_aug + 1)
    return sizes


def test_build_with_two_augmentations_has_the_official_sizes(built):
    out, manifest = built
    sizes = _official_sizes(2)
    assert manifest["counts"] == sizes
    assert manifest["groups_with_fewer_augmentations"] == 0
    identifiers = json.loads((out / "identifiers.json").read_text())
    assert identifiers[0] == "<blank>" and len(identifiers) == 1 + sizes["train"]["puzzles"]
    for split_name_ in ("train", "test"):
        split = load_split(out, split_name_)
        meta = split.metadata
        assert split.inputs.shape == (sizes[split_name_]["examples"], 900)
        assert meta.vocab_size == 12 and meta.seq_len == 900 and meta.num_puzzle_identifiers == len(identifiers)
        assert meta.total_groups == sizes[split_name_]["groups"]
        assert meta.mean_puzzle_examples == pytest.approx(
            sizes[split_name_]["examples"] / sizes[split_name_]["puzzles"]
        )
        assert np.array_equal(np.diff(split.group_indices), np.full(meta.total_groups, 3))
    # A test puzzle shares its identifier (so its learned embedding) with the demonstrations it came with.
    train_ids = set(load_split(out, "train").puzzle_identifiers.tolist())
    assert set(load_split(out, "test").puzzle_identifiers.tolist()) <= train_ids


def test_build_is_deterministic_and_seeded(built, tmp_path):
    out, manifest = built
    arc = Arc(subsets=SUBSETS, test_subset="evaluation")
    again = arc.build_dataset(
        tmp_path / "again", DataBuildConfig(source=str(ARC_DATA), num_aug=2, seed=42), progress=False
    )
    other = arc.build_dataset(
        tmp_path / "other", DataBuildConfig(source=str(ARC_DATA), num_aug=2, seed=7), progress=False
    )
    assert again["fingerprint"] == manifest["fingerprint"] != other["fingerprint"]


def test_training_examples_are_translated_but_one_per_puzzle_stays(built):
    out, _ = built
    split = load_split(out, "train")
    moved_puzzles = 0
    for start, end in zip(split.puzzle_indices[:-1], split.puzzle_indices[1:]):
        corner = [split.inputs[i][0] >= 2 for i in range(start, end)]
        assert any(corner)  # the unmoved example starts at the top-left corner
        moved_puzzles += not all(corner)
    assert moved_puzzles > 0
    test = load_split(out, "test")
    assert all(row[0] >= 2 for row in test.inputs)  # the test split is never translated


def test_inverse_augmentation_recovers_the_test_outputs(built):
    out, _ = built
    identifiers = json.loads((out / "identifiers.json").read_text())
    originals = json.loads((out / "test_puzzles.json").read_text())
    test = load_split(out, "test")
    recovered = 0
    for puzzle, pid in enumerate(test.puzzle_identifiers):
        task, augmentation = split_name(identifiers[pid])
        undo = augmentation.inverse()
        for row in range(test.puzzle_indices[puzzle], test.puzzle_indices[puzzle + 1]):
            pair = {
                "input": undo.apply(crop(test.inputs[row])).tolist(),
                "output": undo.apply(crop(test.labels[row])).tolist(),
            }
            assert pair in originals[task]["test"]
            recovered += 1
    assert recovered == test.num_examples


def _vote(out, predict) -> tuple[dict, dict]:
    voting = ArcVoting.from_dataset(out)
    test = load_split(out, "test")
    ids = test.puzzle_identifiers[test.example_puzzles()]
    labels = np.asarray(test.labels)
    predictions, confidence = predict(labels.copy(), ids)
    voting.add(ids, np.asarray(test.inputs), predictions, confidence)
    return voting.results()


def test_voting_scores_a_perfect_model_and_writes_a_submission(built, tmp_path):
    out, _ = built
    metrics, submission = _vote(out, lambda labels, ids: (labels, np.full(len(ids), 0.9)))
    assert metrics["pass@1"] == 1.0 and metrics["pass@1000"] == 1.0
    originals = json.loads((out / "test_puzzles.json").read_text())
    assert set(submission) == set(originals)
    for task, entries in submission.items():
        assert [e["attempt_1"] for e in entries] == [pair["output"] for pair in originals[task]["test"]]


def _synthetic_votes(answers: list[tuple[np.ndarray, float]]) -> tuple[dict, dict]:
    """One task with one test input; the i-th answer comes from the i-th augmentation of it."""
    question, truth = np.array([[1, 2], [3, 4]]), np.array([[5, 6], [7, 8]])
    test_puzzles = {"t": {"train": [], "test": [{"input": question.tolist(), "output": truth.tolist()}]}}
    rng = np.random.RandomState(0)
    augmentations = [ArcAugmentation.identity()] + [ArcAugmentation.draw(rng) for _ in answers[1:]]
    identifiers = ["<blank>", "t"] + ["t" + a.suffix for a in augmentations[1:]]
    voting = ArcVoting(test_puzzles, identifiers)
    inputs = np.stack([to_canvas(a.apply(question)) for a in augmentations])
    predictions = np.stack([to_canvas(a.apply(answer)) for a, (answer, _) in zip(augmentations, answers)])
    voting.add(np.arange(1, len(answers) + 1), inputs, predictions, np.array([c for _, c in answers]))
    return voting.results()


def test_voting_ranks_by_votes_then_confidence():
    truth, wrong, other = np.array([[5, 6], [7, 8]]), np.array([[5, 6], [7, 9]]), np.array([[1]])
    # Two votes beat one, however confident.
    metrics, submission = _synthetic_votes([(truth, 0.1), (truth, 0.1), (wrong, 0.99)])
    assert metrics["pass@1"] == 1.0
    assert submission["t"] == [{"attempt_1": truth.tolist(), "attempt_2": wrong.tolist()}]
    # With equal votes, the mean halting confidence decides.
    metrics, submission = _synthetic_votes([(truth, 0.2), (wrong, 0.9), (other, 0.5)])
    assert (metrics["pass@1"], metrics["pass@2"], metrics["pass@5"]) == (0.0, 0.0, 1.0)
    assert submission["t"] == [{"attempt_1": wrong.tolist(), "attempt_2": other.tolist()}]


def test_votes_added_after_a_ranking_count():
    """Pooling over evaluations (aggregate_checkpoints) adds votes after results were read."""
    question, truth, wrong = np.array([[1]]), np.array([[2]]), np.array([[3]])
    voting = ArcVoting(
        {"t": {"train": [], "test": [{"input": question.tolist(), "output": truth.tolist()}]}}, ["<blank>", "t"]
    )
    inputs = to_canvas(question)[None]
    voting.add(np.array([1]), inputs, to_canvas(wrong)[None], np.array([0.9]))
    assert voting.metrics()["pass@1"] == 0.0
    voting.add(
        np.array([1, 1]),
        np.repeat(inputs, 2, axis=0),
        np.repeat(to_canvas(truth)[None], 2, axis=0),
        np.array([0.5, 0.5]),
    )
    assert voting.metrics()["pass@1"] == 1.0


def test_a_prediction_that_crops_to_nothing_is_a_vote_for_the_empty_answer():
    """As officially: not dropped. Two empty predictions outvote one right answer."""
    truth, nothing = np.array([[5, 6], [7, 8]]), np.zeros((0, 0), dtype=np.uint8)
    metrics, submission = _synthetic_votes([(nothing, 0.5), (nothing, 0.5), (truth, 0.9)])
    assert (metrics["pass@1"], metrics["pass@2"]) == (0.0, 1.0)
    assert submission["t"] == [{"attempt_1": [], "attempt_2": truth.tolist()}]


def test_confidences_are_averaged_in_float64():
    """sigmoid(q_halt) of 20 and 21 are both 1.0 in float32; in float64 the larger one ranks first."""
    truth, wrong = np.array([[5, 6], [7, 8]]), np.array([[5, 6], [7, 9]])
    high, higher = 1 / (1 + np.exp(-20.0)), 1 / (1 + np.exp(-21.0))
    assert np.float32(high) == np.float32(higher) == 1.0 and high < higher
    metrics, submission = _synthetic_votes([(wrong, high), (truth, higher)])
    assert metrics["pass@1"] == 1.0 and submission["t"][0]["attempt_1"] == truth.tolist()
    metrics, _ = _synthetic_votes([(truth, high), (wrong, higher)])
    assert metrics["pass@1"] == 0.0


def test_a_test_input_without_predictions_has_no_entry_and_the_file_is_compact(tmp_path):
    first, second, answer = np.array([[1]]), np.array([[2]]), np.array([[3]])
    puzzles = {
        "t": {"train": [], "test": [{"input": g.tolist(), "output": answer.tolist()} for g in (first, second)]},
        "unseen": {"train": [], "test": [{"input": first.tolist(), "output": answer.tolist()}]},
    }
    voting = ArcVoting(puzzles, ["<blank>", "t", "unseen"])
    voting.add(np.array([1]), to_canvas(second)[None], to_canvas(answer)[None], np.array([0.5]))
    metrics, submission = voting.results()
    assert submission == {"t": [{"attempt_1": [[3]], "attempt_2": [[3]]}], "unseen": []}
    assert metrics["pass@1"] == 0.25  # task t: one of two inputs solved; unseen: none
    text = voting.write(tmp_path).read_text()
    assert text == json.dumps(submission) and "\n" not in text

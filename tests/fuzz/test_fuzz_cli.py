"""``recurse solve``, ``recurse train`` overrides and ``recurse eval`` driven in-process with generated bad
input: each must exit non-zero with one line and no traceback, and write nothing."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import strategies as st

from recurse.halting import HALTING
from tests.fuzz.conftest import fuzz_pair, invoke
from tests.fuzz.strategies import BAD_FILE_BYTES, bad_devices, bad_numbers, bad_overrides, bad_puzzle_text, words

GOOD = "1" + "." * 15


@pytest.fixture(scope="session")
def fuzz_data(tmp_path_factory):
    """A tiny 4×4-Sudoku dataset, so that an eval with valid options would run (and be caught as accepted)."""
    root = tmp_path_factory.mktemp("fuzz-data") / "sudoku-4x4"
    problem = invoke(
        [
            "data",
            "build",
            "sudoku",
            "task.box_rows=2",
            "task.box_cols=2",
            "build.train_size=4",
            "build.test_size=4",
            f"path={root}",
        ]
    )
    assert problem and problem.startswith("exit 0"), problem  # invoke() reports success as "exit 0"
    return root


SOLVE_OPTIONS = {
    "--threshold": st.one_of(bad_numbers(0.0, 1.0), st.sampled_from(["0", "1", "-0.5", "1e9"])),
    "--device": bad_devices,
    "--batch-size": bad_numbers(0, None, integer=True),
    "--max-steps": st.one_of(bad_numbers(0, 10_001, integer=True)),
    "--halting": words.filter(lambda w: w not in HALTING),
    "--save-gif": st.one_of(
        words.map(lambda w: f"{w}.txt"),
        words.map(lambda w: f"missing/{w}.gif"),
        st.just("."),
        st.just("/etc/passwd/x.gif"),
    ),
    "--puzzle-id": words,
}


def pairs(table: dict) -> st.SearchStrategy:
    """(key, bad value for that key) from a table of strategies."""
    return st.sampled_from(sorted(table)).flatmap(lambda key: st.tuples(st.just(key), table[key]))


def _solve_options(fuzz_checkpoint, pair):
    option, value = pair
    return invoke(["solve", str(fuzz_checkpoint), option, value, GOOD], watch=(fuzz_checkpoint,))


test_solve_options, test_solve_options_wide = fuzz_pair(_solve_options, ("fuzz_checkpoint",), pair=pairs(SOLVE_OPTIONS))


def _solve_puzzles(fuzz_checkpoint, puzzles, source, as_json):
    flags = ["--json"] if as_json else []
    if source == "args":
        return invoke(["solve", str(fuzz_checkpoint), *flags, "--", *puzzles], watch=(fuzz_checkpoint,))
    text = "\n".join(puzzles) + "\n"
    if source == "stdin":
        return invoke(["solve", str(fuzz_checkpoint), *flags], stdin=text, watch=(fuzz_checkpoint,))
    return invoke(["solve", str(fuzz_checkpoint), *flags, "--file", "-"], stdin=text.encode(), watch=(fuzz_checkpoint,))


test_solve_puzzles, test_solve_puzzles_wide = fuzz_pair(
    _solve_puzzles,
    ("fuzz_checkpoint",),
    puzzles=st.lists(bad_puzzle_text(), min_size=1, max_size=4),
    source=st.sampled_from(["args", "stdin", "file"]),
    as_json=st.booleans(),
)


def _solve_encodings(fuzz_checkpoint, content, as_json):
    flags = ["--json"] if as_json else []
    return invoke(["solve", str(fuzz_checkpoint), *flags, "--file", "-"], stdin=content, watch=(fuzz_checkpoint,))


test_solve_encodings, test_solve_encodings_wide = fuzz_pair(
    _solve_encodings, ("fuzz_checkpoint",), content=BAD_FILE_BYTES, as_json=st.booleans()
)


class _Accepted(Exception):
    """Raised by the stand-in trainer: the overrides were accepted and training would have started."""


def _train_overrides(fuzz_checkpoint, override, position):
    good = ["training.max_steps=1", "logging.progress=false"]  # keys no bad override sets
    args = ["train", "recipe=trm-sudoku-mini", *good[:position], override, *good[position:]]
    with mock.patch("recurse.training.trainer.Trainer", side_effect=_Accepted("training would start")):
        return invoke(args)


test_train_overrides, test_train_overrides_wide = fuzz_pair(
    _train_overrides, ("fuzz_checkpoint",), override=bad_overrides(), position=st.integers(0, 2)
)


EVAL_OPTIONS = {
    "max_steps": bad_numbers(0, 10_001, integer=True),
    "threshold": bad_numbers(0.0, 1.0),
    "batch_size": bad_numbers(0, (1 << 20) + 1, integer=True),
    "limit": bad_numbers(0, None, integer=True),
    "device": bad_devices,
    "split": words.filter(lambda w: w not in {"train", "test"}),
    "halting": words.filter(lambda w: w not in HALTING),
    "data": words.map(lambda w: f"missing/{w}"),
}


def _eval_options(fuzz_checkpoint, fuzz_data, pair, unknown):
    key, value = pair
    data = [] if key == "data" else [f"data={fuzz_data}"]
    extra = [f"zz_{unknown}=1"] if unknown else []
    return invoke(["eval", str(fuzz_checkpoint), *data, f"{key}={value}", *extra], watch=(fuzz_checkpoint, fuzz_data))


test_eval_options, test_eval_options_wide = fuzz_pair(
    _eval_options, ("fuzz_checkpoint", "fuzz_data"), pair=pairs(EVAL_OPTIONS), unknown=st.one_of(st.none(), words)
)

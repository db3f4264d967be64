"""The Python API with generated bad input: every call raises the documented ``RecurseError`` subclass."""

from __future__ import annotations

import pytest
from hypothesis import assume
from hypothesis import strategies as st

from recurse.errors import CheckpointError, ConfigError, PuzzleFormatError
from tests.fuzz.conftest import fuzz_pair
from tests.fuzz.strategies import bad_devices, bad_grids, bad_puzzle_text, words

GOOD = "1" + "." * 15


@pytest.fixture(scope="session")
def solver(fuzz_checkpoint):
    from recurse.solver import Solver

    return Solver.from_pretrained(str(fuzz_checkpoint), device="cpu", halting="fixed")


def _expect(call, expected: type[Exception]) -> str | None:
    try:
        call()
    except expected:
        return None
    except Exception as error:  # noqa: BLE001 - the wrong exception is the finding
        return f"{type(error).__name__} instead of {expected.__name__}: {error}"
    return f"accepted, expected {expected.__name__}"


def _api_puzzles(solver, puzzle, position):
    batch = [GOOD] * position + [puzzle]
    return _expect(lambda: solver.solve(puzzle), PuzzleFormatError) or _expect(
        lambda: solver.solve_many(batch, batch_size=2), PuzzleFormatError
    )


test_api_puzzles, test_api_puzzles_wide = fuzz_pair(
    _api_puzzles, ("solver",), puzzle=st.one_of(bad_puzzle_text(), bad_grids()), position=st.integers(0, 3)
)


def _api_options(solver, option, value):
    if option == "batch_size":
        return _expect(lambda: solver.solve_many([GOOD], batch_size=value), ConfigError)
    if option == "puzzle_id":
        return _expect(lambda: solver.solve(GOOD, puzzle_id=value), PuzzleFormatError)
    return _expect(lambda: solver.solve(GOOD, trace=value), ConfigError)


test_api_options, test_api_options_wide = fuzz_pair(
    _api_options,
    ("solver",),
    **{
        "option": st.sampled_from(["batch_size", "puzzle_id", "trace"]),
        "value": st.one_of(st.integers(max_value=0), st.floats(), st.text(max_size=5).filter(lambda t: t != "<blank>")),
    },
)


def _api_loading(fuzz_checkpoint, option, value):
    from recurse.solver import Solver

    path = str(fuzz_checkpoint)
    assume(not (option in ("max_steps", "threshold", "halting") and value is None))  # None means "the default"
    if option == "source":
        return _expect(lambda: Solver.from_pretrained(value, device="cpu"), CheckpointError)
    if option == "device":
        return _expect(lambda: Solver.from_pretrained(path, device=value), ConfigError)
    if option == "threshold":
        return _expect(lambda: Solver.from_pretrained(path, device="cpu", threshold=value), ConfigError)
    if option == "max_steps":
        return _expect(lambda: Solver.from_pretrained(path, device="cpu", max_steps=value), ConfigError)
    return _expect(lambda: Solver.from_pretrained(path, device="cpu", halting=value), ConfigError)


test_api_loading, test_api_loading_wide = fuzz_pair(
    _api_loading,
    ("fuzz_checkpoint",),
    **{
        "option": st.sampled_from(["source", "device", "threshold", "max_steps", "halting"]),
        "value": st.one_of(
            st.none(),
            st.integers(-5, 0),
            st.integers(10_001, 10**12),
            st.floats(1, 1e9),
            st.floats(-1e9, 0),
            st.sampled_from([float("nan"), float("inf")]),
            st.binary(max_size=4),
            bad_devices,
            words.map(lambda w: "zz" + w),
        ),
    },
)

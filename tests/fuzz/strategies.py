"""Hypothesis strategies for inputs that are invalid by construction (so acceptance is always a finding)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

# Words YAML reads as booleans, nulls or special floats: an override value drawn from them could be valid.
YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf", "e"}
SUDOKU_CELLS = ".1234"  # the 4×4 test task's symbols; '0' and '_' are read as blanks too
NO_SPACE = st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"))

words = st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True).filter(lambda w: w not in YAML_WORDS)


@st.composite
def bad_puzzle_text(draw) -> str:
    """Text that is not a 4×4 Sudoku: the wrong number of cells, a foreign symbol, or clashing givens."""
    kind = draw(st.sampled_from(["length", "symbol", "clash"]))
    if kind == "length":
        size = draw(st.integers(0, 40).filter(lambda n: n != 16))
        return "".join(draw(st.lists(st.sampled_from(SUDOKU_CELLS), min_size=size, max_size=size)))
    if kind == "symbol":
        cells = draw(st.lists(st.sampled_from(SUDOKU_CELLS), min_size=15, max_size=15))
        bad = draw(NO_SPACE.filter(lambda ch: ch not in SUDOKU_CELLS + "0_"))
        cells.insert(draw(st.integers(0, 15)), bad)
        return "".join(cells)
    digit = draw(st.sampled_from("1234"))
    row = draw(st.integers(0, 3))
    cells = ["."] * 16
    cells[row * 4], cells[row * 4 + 1] = digit, digit  # the same value twice in one row
    return "".join(cells)


def bad_numbers(low_bad: float, high_bad: float | None, *, integer: bool = False):
    """Text that is not a valid value: numbers at or below ``low_bad`` or at or above ``high_bad`` (None: no
    upper limit), non-numbers, and (for whole numbers) fractions, (for floats) nan and inf."""
    if integer:
        outside = st.integers(-(10**12), int(low_bad))
        if high_bad is not None:
            outside = st.one_of(outside, st.integers(int(high_bad), int(high_bad) * 1000))
        odd = st.floats(-1e9, 1e9).filter(lambda x: x != int(x)).map(repr)
    else:
        outside = st.one_of(
            st.floats(max_value=low_bad, allow_nan=False, allow_infinity=False),
            st.floats(min_value=high_bad, allow_nan=False, allow_infinity=False),
        )
        odd = st.sampled_from(["nan", ".nan", "inf", "-inf", ".inf"])
    return st.one_of(outside.map(str), words, odd)


bad_devices = st.one_of(
    words.filter(lambda w: w not in {"auto", "cpu", "cuda", "mps"}),
    st.sampled_from(["meta", "cuda:-1", "cpu:0", "xla", "cuda:abc", ""]),
)


@st.composite
def bad_grids(draw):
    """Python values that are not a 4×4 grid of cell values 0..4."""
    kind = draw(st.sampled_from(["scalar", "shape", "value", "dtype", "ragged"]))
    if kind == "scalar":
        return draw(
            st.one_of(
                st.none(),
                st.binary(max_size=20),
                st.integers(),
                st.floats(),
                st.booleans(),
                st.dictionaries(words, st.integers(), max_size=2),
            )
        )
    if kind == "shape":
        shape = draw(st.lists(st.integers(0, 6), min_size=1, max_size=3).filter(lambda s: s not in ([4, 4], [16])))
        return np.zeros(shape, dtype=np.int64)
    if kind == "value":
        grid = np.zeros((4, 4), dtype=np.int64)
        grid[draw(st.integers(0, 3)), draw(st.integers(0, 3))] = draw(
            st.one_of(st.integers(-(10**6), -1), st.integers(5, 10**6))
        )
        return grid
    if kind == "dtype":
        return np.zeros((4, 4), dtype=draw(st.sampled_from([np.float32, np.float64, np.bool_, object, np.str_])))
    rows = draw(
        st.lists(st.lists(st.integers(0, 4), min_size=1, max_size=6), min_size=2, max_size=5).filter(
            lambda rs: len({len(r) for r in rs}) > 1
        )
    )
    return rows


def override_keys_unknown():
    sections = st.sampled_from(
        ["", "model.", "training.", "runtime.", "data.", "logging.", "evaluation.", "data.build."]
    )
    return st.tuples(sections, words.map(lambda w: "zz_" + w)).map("".join)


# Config keys with the largest invalid value below and the smallest invalid value above their range.
BOUNDED_KEYS = {
    "training.beta1": (-1e-9, 1.0, False),
    "training.beta2": (-1e-9, 1.0, False),
    "training.lr": (0.0, 10.000001, False),
    "training.ema_rate": (0.0, 1.0, False),
    "model.expansion": (0.2499, 64.0001, False),
    "runtime.seed": (-1, 2**32, True),
    "model.hidden_size": (0, 65537, True),
    "training.global_batch_size": (0, (1 << 24) + 1, True),
    "model.halting.max_steps": (0, 10_001, True),
    "model.schedule.latent_steps": (0, 10_001, True),
    "runtime.threads": (0, 4097, True),
    "data.build.seed": (-1, 2**32, True),
    "evaluation.batch_size": (0, (1 << 24) + 1, True),
}


@st.composite
def bad_overrides(draw) -> str:
    kind = draw(st.sampled_from(["unknown", "bounded", "choice", "malformed", "path"]))
    if kind == "unknown":
        return f"{draw(override_keys_unknown())}={draw(st.integers())}"
    if kind == "bounded":
        key = draw(st.sampled_from(sorted(BOUNDED_KEYS)))
        low_bad, high_bad, integer = BOUNDED_KEYS[key]
        return f"{key}={draw(bad_numbers(low_bad, high_bad, integer=integer))}"
    if kind == "choice":
        key, value = draw(
            st.sampled_from(
                [
                    ("runtime.device", bad_devices),
                    (
                        "model.forward_dtype",
                        words.filter(lambda w: w not in {"auto", "float32", "bfloat16", "float16"}),
                    ),
                    ("model.core.kind", st.one_of(words.map(lambda w: "zz" + w), st.just("[1]"), st.just("{a: 1}"))),
                    ("model.loss", words.filter(lambda w: w not in {"stablemax", "softmax"})),
                    ("data.task.kind", words.map(lambda w: "zz" + w)),
                ]
            )
        )
        return f"{key}={draw(value)}"
    if kind == "path":
        return f"{draw(st.sampled_from(['out_dir', 'data.path']))}=/etc/passwd/{draw(words)}"
    return draw(st.one_of(words, words.map(lambda w: "=" + w), st.sampled_from(["a..b=1", "1x=2", "a b=3", ".=4"])))


# Bytes that are not UTF-8 anywhere in the file (0xff never occurs in UTF-8), or a UTF-16 file.
BAD_FILE_BYTES = st.one_of(
    st.tuples(st.binary(max_size=100), st.binary(max_size=100)).map(lambda p: p[0] + b"\xff" + p[1]),
    st.just("1...\n".encode("utf-16")),
)

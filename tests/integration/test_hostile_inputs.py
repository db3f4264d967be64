"""The hostile inputs that once reached a traceback, a hang or a silent acceptance, one table row each.

Every row runs ``recurse ARGS`` through the real CLI (in-process, from a scratch working folder) and asserts
the documented outcome: for bad input, a non-zero exit, exactly one line on stderr that starts with
``Error:`` and names the problem, no traceback, nothing written to the working folder; for input that is
accepted by design (a UTF-8 BOM, a stray ``step_abc`` folder), exit 0 with the answer. The Python API rows
assert the documented exception. The generated variants of these inputs are in tests/fuzz/.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from click.testing import CliRunner

from recurse.errors import CheckpointError, ConfigError, PuzzleFormatError
from tests.integration.conftest import TASK, TINY_OVERRIDES, make_checkpoint

GOOD = "1" + "." * 15  # a 4×4 Sudoku with one given
BAD = "11" + "." * 14  # the same value twice in a row


class _Accepted(Exception):
    """The stand-in trainer: raised when the overrides were accepted and training would start."""


def _invoke(args: list[str], cwd: Path, stdin: bytes | str | None = None):
    import os

    from recurse.cli.main import cli

    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, args, input=stdin, catch_exceptions=False)
    finally:
        os.chdir(previous)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """The checkpoint, run folder and input files the rows refer to as {name}."""
    root = tmp_path_factory.mktemp("hostile")
    made = {"ckpt": make_checkpoint(root / "ckpt")}
    made["latin1"] = root / "latin1.txt"
    made["latin1"].write_bytes(f"{GOOD}\n\u00e9...\n".encode("latin-1"))
    made["utf16"] = root / "utf16.txt"
    made["utf16"].write_bytes(f"{GOOD}\n".encode("utf-16"))
    made["bom"] = root / "bom.txt"
    made["bom"].write_bytes(b"\xef\xbb\xbf" + f"{GOOD}\n".encode())
    made["one_bad_line"] = root / "mixed.txt"
    made["one_bad_line"].write_text(f"{GOOD}\n\n{BAD}\n{GOOD}\n")
    made["list_recipe"] = root / "list.yaml"
    made["list_recipe"].write_text("- name: x\n- model: {}\n")
    made["binary_recipe"] = root / "binary.yaml"
    made["binary_recipe"].write_bytes(bytes(range(256)) * 4)
    # A real run folder of two steps, and copies of it broken in the ways the table names.
    run = root / "run"
    result = _invoke(
        [
            "train",
            "recipe=trm-sudoku-mini",
            *TINY_OVERRIDES,
            "data.build.train_size=8",
            "training.global_batch_size=8",
            "data.build.test_size=4",
            f"data.path={root / 'data'}",
            f"out_dir={run}",
            "training.max_steps=2",
            "training.eval_every_steps=1",
            "logging.plot=false",
        ],
        root,
    )
    assert result.exit_code == 0, result.output
    made["run"], made["data"] = run, root / "data"
    for name, damage in {
        "stray": _stray,
        "bad_json": _bad_json,
        "missing_key": _missing_key,
        "all_bad": _all_states_bad,
    }.items():
        copy = root / f"run-{name}"
        shutil.copytree(run, copy)
        damage(copy / "checkpoints")
        made[f"run_{name}"] = copy
    # A checkpoint whose config.json asks for a huge model, and one whose weights are NaN.
    huge = root / "huge"
    shutil.copytree(made["ckpt"], huge)
    meta = json.loads((huge / "config.json").read_text())
    meta["model"]["hidden_size"] = 20000
    (huge / "config.json").write_text(json.dumps(meta))
    made["huge"] = huge
    nan = root / "nan"
    shutil.copytree(made["ckpt"], nan)
    from safetensors.torch import load_file, save_file

    weights = load_file(str(nan / "model.safetensors"))
    weights = {k: v.fill_(float("nan")) if v.is_floating_point() else v for k, v in weights.items()}
    save_file(weights, str(nan / "model.safetensors"), metadata={"format": "pt"})
    made["nan"] = nan
    return made


def _stray(checkpoints: Path) -> None:
    (checkpoints / "step_abc").mkdir()


def _states(checkpoints: Path):
    return sorted(checkpoints.glob("step_*/training_state.json"))


def _bad_json(checkpoints: Path) -> None:
    _states(checkpoints)[-1].write_text("{not json")


def _missing_key(checkpoints: Path) -> None:
    state = _states(checkpoints)[-1]
    record = json.loads(state.read_text())
    record.pop(next(iter(record)))
    state.write_text(json.dumps(record))


def _all_states_bad(checkpoints: Path) -> None:
    for state in _states(checkpoints):
        state.write_text("{not json")


# (id, arguments, stdin, substring of the one error line); {name} is a path from ``files``.
ERRORS = [
    ("latin-1 --file", ["solve", "{ckpt}", "--file", "{latin1}"], None, "UTF-8"),
    ("utf-16 --file", ["solve", "{ckpt}", "--file", "{utf16}"], None, "UTF-8"),
    ("--threshold nan", ["solve", "{ckpt}", "--threshold", "nan", GOOD], None, "threshold"),
    ("--device meta", ["solve", "{ckpt}", "--device", "meta", GOOD], None, "meta"),
    ("--save-gif x.txt", ["solve", "{ckpt}", "--save-gif", "x.txt", GOOD], None, ".gif"),
    ("--max-steps 0", ["solve", "{ckpt}", "--max-steps", "0", GOOD], None, "max-steps"),
    ("eval max_steps=abc", ["eval", "{ckpt}", "max_steps=abc"], None, "max_steps"),
    ("eval max_steps=1e9", ["eval", "{ckpt}", "max_steps=1000000000"], None, "max_steps"),
    ("eval batch_size=-1", ["eval", "{ckpt}", "batch_size=-1"], None, "batch_size"),
    ("bench batch=x", ["bench", "recipe=trm-sudoku-mini", "batch=x"], None, "batch"),
    ("bench steps=-3", ["bench", "recipe=trm-sudoku-mini", "steps=-3"], None, "steps"),
    ("runtime.seed=-1", ["train", "recipe=trm-sudoku-mini", "runtime.seed=-1"], None, "seed"),
    ("training.beta1=2", ["train", "recipe=trm-sudoku-mini", "training.beta1=2"], None, "beta1"),
    ("model.expansion=0.001", ["train", "recipe=trm-sudoku-mini", "model.expansion=0.001"], None, "expansion"),
    ("model.core.kind=[1]", ["train", "recipe=trm-sudoku-mini", "model.core.kind=[1]"], None, "kind"),
    ("training.lr=nan", ["train", "recipe=trm-sudoku-mini", "training.lr=nan"], None, "lr"),
    ("unknown key", ["train", "recipe=trm-sudoku-mini", "training.lrr=1"], None, "lrr"),
    ("recipe is a YAML list", ["train", "recipe={list_recipe}"], None, "list.yaml"),
    ("recipe is binary", ["train", "recipe={binary_recipe}"], None, "binary.yaml"),
    ("missing recipe", ["train", "recipe=no-such-recipe"], None, "no-such-recipe"),
    ("out_dir under a file", ["train", "recipe=trm-sudoku-mini", "out_dir=/etc/passwd/x"], None, "/etc/passwd"),
    (
        "name leaves runs/",
        ["train", "recipe=trm-sudoku-mini", *TINY_OVERRIDES, "data.path={data}", "name=../escape"],
        None,
        "plain folder name",
    ),
    (
        "data build maze size 5",
        ["data", "build", "maze", "task.size=5", "build.train_size=4", "build.test_size=2", "path=m5"],
        None,
        "maze",
    ),
    (
        "every training state corrupt",
        ["train", "resume={run_all_bad}", "training.max_steps=4"],
        None,
        "no complete checkpoint",
    ),
    ("config.json asks for 20000 hidden", ["solve", "{huge}", GOOD], None, "hidden_size"),
    ("NaN weights", ["solve", "{nan}", GOOD], None, "allow-nonfinite"),
    # A puzzle that cannot be read is reported as "puzzle N: …" (the others would still be answered).
    ("bad puzzle", ["solve", "{ckpt}", BAD], None, "puzzle 1: the givens repeat"),
    ("-1 in a puzzle", ["solve", "{ckpt}", "--", "-1" + "." * 14], None, "puzzle 1: expected 16 cells"),
    ("a bundled name that does not exist", ["solve", "sudoku-6x7", GOOD], None, "sudoku-6x6"),
]


# Rows whose check is made by the trainer itself (the others must be refused before it is built).
REAL_TRAINER = {"name leaves runs/", "every training state corrupt"}
NOTICE_FIRST = {"every training state corrupt"}


def _usage(line: str) -> bool:
    """click's usage lines above an option error ("Usage: …", "Try '… --help' for help.")."""
    return line.startswith(("Usage: ", "Try '")) and not line.startswith("Error")


@pytest.mark.parametrize("case, args, stdin, message", ERRORS, ids=[row[0] for row in ERRORS])
def test_bad_input_ends_in_one_line(files, tmp_path, case, args, stdin, message):
    args = [a.format(**files) if "{" in a and "}" in a and not a.startswith("[") else a for a in args]
    started = time.monotonic()
    stand_in = mock.patch("recurse.training.trainer.Trainer", side_effect=_Accepted("training would start"))
    with mock.MagicMock() if case in REAL_TRAINER else stand_in:
        try:
            result = _invoke(args, tmp_path, stdin)
        except _Accepted:
            pytest.fail(f"{case}: accepted, training would have started")
    assert time.monotonic() - started < 60, f"{case}: took {time.monotonic() - started:.0f} s"
    assert result.exit_code not in (0, None), f"{case}: exit 0\n{result.output}"
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.strip().splitlines() if line and not _usage(line)]
    if case in NOTICE_FIRST:  # a notice about the checkpoints it skipped, then the error
        lines = lines[-1:]
    assert len(lines) == 1, f"{case}: stderr {result.stderr!r}"
    assert lines[0].startswith(("Error:", "puzzle 1:")), f"{case}: stderr {result.stderr!r}"
    assert message.lower() in lines[0].lower(), f"{case}: {lines[0]!r} does not mention {message!r}"
    assert not list(tmp_path.iterdir()), f"{case}: wrote {list(tmp_path.iterdir())}"


def test_a_bom_file_is_read(files, tmp_path):
    result = _invoke(["solve", str(files["ckpt"]), "--json", "--file", str(files["bom"])], tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["puzzle"] == GOOD


def test_one_bad_line_in_a_file_keeps_the_good_ones(files, tmp_path):
    result = _invoke(["solve", str(files["ckpt"]), "--json", "--file", str(files["one_bad_line"])], tmp_path)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert [r.get("puzzle") for r in records if "error" not in r] == [GOOD, GOOD]
    errors = [r for r in records if "error" in r]
    assert len(errors) == 1 and errors[0]["line"] == 3  # the file's line number, blank lines counted
    text = _invoke(["solve", str(files["ckpt"]), "--file", str(files["one_bad_line"])], tmp_path)
    assert text.exit_code == 1 and "line 3" in text.stderr and "Traceback" not in text.output


@pytest.mark.parametrize("damaged", ["run_stray", "run_bad_json", "run_missing_key"])
def test_damaged_run_folders_still_solve_and_resume(files, tmp_path, damaged):
    """A stray step_abc is ignored; a corrupt newest training state falls back to the previous checkpoint."""
    run = tmp_path / "run"
    shutil.copytree(files[damaged], run)
    solved = _invoke(["solve", str(run), "--json", GOOD], tmp_path)
    assert solved.exit_code == 0 and json.loads(solved.stdout)["puzzle"] == GOOD, solved.output
    resumed = _invoke(["train", f"resume={run}", "training.max_steps=3"], tmp_path)
    assert resumed.exit_code == 0 and "Traceback" not in resumed.output, resumed.output
    assert (run / "checkpoints" / "step_3").is_dir()
    if damaged != "run_stray":
        assert "skipping incomplete checkpoint" in resumed.output and "using step_1" in resumed.output


@pytest.fixture(scope="module")
def solver(files):
    from recurse.solver import Solver

    return Solver.from_pretrained(str(files["ckpt"]), device="cpu", halting="fixed")


API = [
    ("cell -1", lambda s: s.solve(np.full((4, 4), -1)), PuzzleFormatError),
    ("cell 5", lambda s: s.solve(np.full((4, 4), 5)), PuzzleFormatError),
    ("a float grid", lambda s: s.solve(np.zeros((4, 4), dtype=np.float32)), PuzzleFormatError),
    ("wrong shape", lambda s: s.solve(np.zeros((3, 5), dtype=np.int64)), PuzzleFormatError),
    ("None", lambda s: s.solve(None), PuzzleFormatError),
    ("batch_size=-1", lambda s: s.solve_many([GOOD], batch_size=-1), ConfigError),
    ("batch_size=0", lambda s: s.solve_many([GOOD], batch_size=0), ConfigError),
    ("a bad puzzle among good ones", lambda s: s.solve_many([GOOD, BAD]), PuzzleFormatError),
]


@pytest.mark.parametrize("case, call, expected", API, ids=[row[0] for row in API])
def test_python_api_raises_the_documented_error(solver, case, call, expected):
    with pytest.raises(expected):
        call(solver)


@pytest.mark.parametrize(
    "source, kwargs",
    [
        ("no/such/folder", {}),
        ("{huge}", {}),
        ("{nan}", {}),
        ("{ckpt}", {"device": "meta"}),
        ("{ckpt}", {"threshold": float("nan")}),
        ("{ckpt}", {"max_steps": 10**9}),
    ],
    ids=["missing", "huge-config", "nan-weights", "device-meta", "threshold-nan", "max-steps-1e9"],
)
def test_from_pretrained_raises_the_documented_error(files, source, kwargs):
    from recurse.solver import Solver

    with pytest.raises((CheckpointError, ConfigError)):
        Solver.from_pretrained(source.format(**files), **{"device": "cpu", **kwargs})


def test_a_good_puzzle_still_solves(solver):
    """The rows above fail for their input, not because the checkpoint cannot solve anything."""
    result = solver.solve(GOOD)
    assert len(result.answer) == TASK.seq_len

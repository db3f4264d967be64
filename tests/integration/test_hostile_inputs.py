"""The hostile inputs that once reached a traceback, a hang or a silent acceptance, one table row each.

Every row runs ``recurse ARGS`` through the real CLI (in-process, from a scratch working folder) and asserts
the documented outcome: for bad input, a non-zero exit, exactly one line on stderr that starts with
``Error:`` and names the problem, no traceback, nothing written to the working folder; for input that is
accepted by design (a UTF-8 BOM, a stray ``step_abc`` folder), exit 0 with the answer. The Python API rows
assert the documented exception. The generated variants of these inputs are in tests/fuzz/.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from recurse.errors import CheckpointError, ConfigError, PuzzleFormatError
from tests.integration.conftest import TASK, TINY_OVERRIDES, make_checkpoint

GOOD = "1" + "." * 15  # a 4×4 Sudoku with one given
BAD = "11" + "." * 14  # the same value twice in a row
# A 4×4 Sudoku build small enough to run in a hostile-input case; cases add the path to build into.
TINY_BUILD = [
    "data",
    "build",
    "sudoku",
    "task.box_rows=2",
    "task.box_cols=2",
    "build.train_size=4",
    "build.test_size=2",
]


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
    # A folder of the user's, a FIFO in place of the weights, a run whose run.lock links outside it, and
    # official configs whose arch block is garbage.
    made["mine"] = root / "mine"
    made["mine"].mkdir()
    (made["mine"] / "notes.txt").write_text("mine")
    fifo = root / "fifo"
    shutil.copytree(made["ckpt"], fifo)
    (fifo / "model.safetensors").unlink()
    os.mkfifo(fifo / "model.safetensors")
    made["fifo"] = fifo
    linked = root / "run-linked-lock"
    shutil.copytree(run, linked)
    (root / "precious.txt").write_text("keep me")
    (linked / "run.lock").symlink_to(root / "precious.txt")
    made["run_linked_lock"] = linked
    official = Path(__file__).parents[1] / "fixtures" / "official-checkpoint"
    made["official"] = official / "step_100"
    arch = yaml.safe_load((official / "all_config.yaml").read_text())
    for name, value in {"hidden_text": {**arch["arch"], "hidden_size": "wide"}, "arch_text": "garbage"}.items():
        made[name] = root / f"{name}.yaml"
        made[name].write_text(yaml.safe_dump({**arch, "arch": value}))
    other = root / "other-task"
    shutil.copytree(made["ckpt"], other)
    document = json.loads((other / "config.json").read_text())
    document["task"] = {"kind": "sudoku", "box_rows": 3, "box_cols": 3}  # 81 cells; the weights know 16
    (other / "config.json").write_text(json.dumps(document))
    made["other_task"] = other
    made["bad_ids"] = root / "ids.json"
    made["bad_ids"].write_text("{not json")
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
    (
        "data build into a folder of the user's",
        [*TINY_BUILD, "path={mine}"],
        None,
        "not a dataset built by recurse",
    ),
    (
        "data build path=.",
        [*TINY_BUILD, "path=."],
        None,
        "cannot build a dataset at '.'",
    ),
    (
        "data build path=/",
        [*TINY_BUILD, "path=/"],
        None,
        "cannot build a dataset at '/'",
    ),
    (
        "train data.path= a folder of the user's",
        ["train", "recipe=trm-sudoku-mini", *TINY_OVERRIDES, "data.path={mine}"],
        None,
        "not a dataset built by recurse",
    ),
    (
        "data build of 1e9 puzzles",
        ["data", "build", "sudoku", "build.train_size=1000000000", "build.test_size=2", "path=big"],
        None,
        "on disk",
    ),
    ("model.seq_len=5", ["train", "recipe=trm-sudoku-mini", "model.seq_len=5"], None, "seq_len"),
    ("model.hidden_size=30000", ["train", "recipe=trm-sudoku-mini", "model.hidden_size=30000"], None, "hidden_size"),
    ("bench without recipe=", ["bench"], None, "recipe="),
    ("a config.json whose task is not its weights'", ["solve", "{other_task}", GOOD], None, "does not belong"),
    (
        "eval of a config.json whose task is not its weights'",
        ["eval", "{other_task}", "data={data}"],
        None,
        "does not belong",
    ),
    ("a FIFO model.safetensors", ["solve", "{fifo}", GOOD], None, "not a regular file"),
    (
        "run.lock links outside the run",
        ["train", "resume={run_linked_lock}", "training.max_steps=3"],
        None,
        "symbolic link",
    ),
    (
        "convert: arch is text",
        ["convert", "official", "{official}", "--config", "{arch_text}", "--out", "o"],
        None,
        "arch",
    ),
    (
        "convert: hidden_size is text",
        ["convert", "official", "{official}", "--config", "{hidden_text}", "--out", "o"],
        None,
        "wrong kind",
    ),
    (
        "convert: identifiers.json is garbage",
        ["convert", "official", "{official}", "--identifiers", "{bad_ids}", "--seq-len", "16", "--out", "o"],
        None,
        "not valid JSON",
    ),
]


# Rows whose check is made by the trainer itself (the others must be refused before it is built).
REAL_TRAINER = {"name leaves runs/", "every training state corrupt", "run.lock links outside the run"}
NOTICE_FIRST = {"every training state corrupt"}


def _usage(line: str) -> bool:
    """click's usage lines above an option error ("Usage: …", "Try '… --help' for help.")."""
    return line.startswith(("Usage: ", "Try '", " ")) and not line.startswith("Error")  # " ": a wrapped usage line


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


# --- Hub datasets: every file of a published dataset corrupted in turn, served by the local fake Hub ------------


def _parquet_bytes(table) -> bytes:
    import io

    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def _foreign_columns(files: dict[str, bytes]) -> bytes:
    import pyarrow as pa

    return _parquet_bytes(pa.table({"question": ["1..."], "answer": ["1234"]}))


def _tokens_outside_the_vocabulary(files: dict[str, bytes]) -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(files[HUB_TRAIN]))
    column = table.column("inputs").combine_chunks()
    values = pc.add(column.flatten(), pa.scalar(200, pa.uint8()))
    shifted = pa.FixedSizeListArray.from_arrays(values, column.type.list_size)
    return _parquet_bytes(table.set_column(0, table.schema.field(0), shifted))


def _one_text_column(files: dict[str, bytes]) -> bytes:
    import io

    import pyarrow.parquet as pq

    return _parquet_bytes(pq.read_table(io.BytesIO(files[HUB_TRAIN])).drop_columns(["answer_text"]))


def _text_column_of_numbers(files: dict[str, bytes]) -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(files[HUB_TRAIN]))
    index = table.schema.get_field_index("puzzle_text")
    numbers = pa.array(range(table.num_rows), pa.int32())
    return _parquet_bytes(table.set_column(index, pa.field("puzzle_text", pa.int32()), numbers))


HUB_TRAIN = "data/train-00000-of-00001.parquet"
DEEP = b"[" * 100_000 + b"]" * 100_000


def _json_edit(path: str, edit):
    def damage(files: dict[str, bytes]) -> bytes:
        record = json.loads(files[path])
        edit(record)
        return json.dumps(record).encode()

    return damage


def _counts(value):
    return _json_edit("recurse/arrays.json", lambda r: r["splits"]["train"].update(examples=value))


def _field(name, value):
    return _json_edit("recurse/train/dataset.json", lambda r: r.update({name: value}))


# (id, file replaced, its new bytes or a function of the good files, substring of the one error line)
HUB_DAMAGE = [
    ("parquet empty", HUB_TRAIN, b"", "not a readable Parquet"),
    ("parquet truncated", HUB_TRAIN, lambda f: f[HUB_TRAIN][: len(f[HUB_TRAIN]) // 2], "not a readable Parquet"),
    ("parquet is text", HUB_TRAIN, b"question,answer\n", "not a readable Parquet"),
    ("parquet has foreign columns", HUB_TRAIN, _foreign_columns, "has the columns"),
    ("tokens outside the vocabulary", HUB_TRAIN, _tokens_outside_the_vocabulary, "outside the vocabulary"),
    ("parquet has one of the two text columns", HUB_TRAIN, _one_text_column, "has the columns"),
    ("parquet text column of numbers", HUB_TRAIN, _text_column_of_numbers, "not text"),
    ("parquet missing", HUB_TRAIN, None, "missing"),
    ("arrays.json garbage", "recurse/arrays.json", b"{not json", "not valid JSON"),
    ("arrays.json a list", "recurse/arrays.json", b"[1, 2]", "not a recurse array record"),
    ("arrays.json 1e5 deep", "recurse/arrays.json", DEEP, "nested too deeply"),
    ("arrays.json count 1e12", "recurse/arrays.json", _counts(10**12), "not a count"),
    ("arrays.json count -1", "recurse/arrays.json", _counts(-1), "not a count"),
    ("arrays.json count a string", "recurse/arrays.json", _counts("4"), "not a count"),
    ("arrays.json count off by one", "recurse/arrays.json", _counts(5), "holds 4 rows"),
    ("manifest.json garbage", "recurse/manifest.json", b"\xff\xfe", "not valid JSON"),
    ("manifest.json a list", "recurse/manifest.json", b"[]", "not a recurse dataset manifest"),
    ("manifest.json 1e5 deep", "recurse/manifest.json", DEEP, "nested too deeply"),
    ("dataset.json garbage", "recurse/train/dataset.json", b"{", "not valid JSON"),
    ("dataset.json a list", "recurse/train/dataset.json", b"[]", "dataset.json"),
    ("dataset.json 1e5 deep", "recurse/train/dataset.json", DEEP, "nested too deeply"),
    ("dataset.json seq_len 1e12", "recurse/train/dataset.json", _field("seq_len", 10**12), "seq_len"),
    ("dataset.json vocab_size -3", "recurse/train/dataset.json", _field("vocab_size", -3), "vocab_size"),
    ("dataset.json seq_len a string", "recurse/train/dataset.json", _field("seq_len", "many"), "seq_len"),
    ("identifiers.json 1e5 deep", "recurse/identifiers.json", DEEP, "nested too deeply"),
]
HUB_REFERENCES = [
    ("repo id ../x", "../x", "owner/name"),
    ("repo id a/b/c", "a/b/c", "owner/name"),
    ("repo id of 500 characters", "org/" + "x" * 500, "not a valid Hub repo id"),
    ("repo id with a space", "org/a b", "not a valid Hub repo id"),
    ("revision that does not exist", "org/good@nope", "no revision 'nope'"),
    ("revision of 300 characters", "org/good@" + "x" * 300, "not a revision"),
    ("repo id with no name", "org/", "owner/name"),
]


@pytest.fixture(scope="module")
def hub_datasets(tmp_path_factory):
    """A fake Hub serving one good published dataset (org/good) and one copy per row of HUB_DAMAGE."""
    from recurse.config import DataConfig
    from recurse.data.hub_dataset import push_dataset
    from recurse.data.prepare import build_from_config
    from tests.fake_hub import FakeRepo, point_client_at, serve

    root = tmp_path_factory.mktemp("hub-datasets")
    build_from_config(
        DataConfig(task=TASK.spec(), path=str(root / "built"), build={"train_size": 4, "test_size": 2}), progress=False
    )
    with serve() as server, pytest.MonkeyPatch.context() as patch:
        point_client_at(patch, server.endpoint, root / "cache")
        push_dataset(root / "built", "org/good", token="test-token")
        good = server.repos["datasets/org/good"].commits[-1][1]
        for index, (_, path, damage, _) in enumerate(HUB_DAMAGE):
            files = dict(good)
            if damage is None:
                del files[path]
            else:
                files[path] = damage(good) if callable(damage) else damage
            server.repos[f"datasets/org/bad{index}"] = repo = FakeRepo()
            repo.commit(files)
        yield server


def _hub_build(reference: str, cwd: Path):
    return _invoke(
        ["data", "build", "sudoku", "task.box_rows=2", "task.box_cols=2", f"build.source=hub:{reference}", "path=out"],
        cwd,
    )


def _one_error_line(result, case: str, message: str) -> None:
    assert result.exit_code not in (0, None), f"{case}: exit 0\n{result.output}"
    assert "Traceback" not in result.output
    # The download's own progress and commit lines may come first; the error is one line, the last.
    lines = [line for line in result.stderr.strip().splitlines() if line]
    errors = [line for line in lines if line.startswith("Error")]
    assert len(errors) == 1 and lines[-1] == errors[0], f"{case}: stderr {result.stderr!r}"
    assert message.lower() in errors[0].lower(), f"{case}: {errors[0]!r} does not mention {message!r}"


@pytest.mark.parametrize("index", range(len(HUB_DAMAGE)), ids=[row[0] for row in HUB_DAMAGE])
def test_a_corrupt_hub_dataset_is_one_line_and_writes_nothing(hub_datasets, tmp_path, index):
    case, _, _, message = HUB_DAMAGE[index]
    started = time.monotonic()
    result = _hub_build(f"org/bad{index}", tmp_path)
    assert time.monotonic() - started < 60, f"{case}: took {time.monotonic() - started:.0f} s"
    _one_error_line(result, case, message)
    assert not list(tmp_path.iterdir()), f"{case}: wrote {list(tmp_path.iterdir())}"


@pytest.mark.parametrize("case, reference, message", HUB_REFERENCES, ids=[row[0] for row in HUB_REFERENCES])
def test_a_bad_hub_reference_is_one_line(hub_datasets, tmp_path, case, reference, message):
    _one_error_line(_hub_build(reference, tmp_path), case, message)
    assert not list(tmp_path.iterdir())


def test_the_good_hub_dataset_builds_and_a_users_folder_is_not_replaced(hub_datasets, tmp_path):
    """The rows fail for their damage: the same dataset, undamaged, builds; into a folder of the user's it
    is refused before anything is downloaded."""
    assert _hub_build("org/good", tmp_path).exit_code == 0
    assert (tmp_path / "out" / "train" / "all__inputs.npy").is_file()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    result = _invoke(
        ["data", "build", "sudoku", "task.box_rows=2", "task.box_cols=2", "build.source=hub:org/good", f"path={mine}"],
        tmp_path,
    )
    _one_error_line(result, "a user's folder", "not a dataset built by recurse")
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _pickle(path: Path) -> None:
    np.save(path, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)


PUSH_DAMAGE = [
    ("truncated .npy", "train/all__inputs.npy", _truncate, "not a readable .npy"),
    ("pickled .npy", "train/all__labels.npy", _pickle, "not a readable .npy"),
    ("garbage dataset.json", "test/dataset.json", lambda p: p.write_bytes(b"{\xff"), "not a valid dataset.json"),
    ("dataset.json a list", "train/dataset.json", lambda p: p.write_text("[]"), "not a valid dataset.json"),
    ("garbage manifest.json", "manifest.json", lambda p: p.write_text("{"), "not a valid dataset manifest"),
]


@pytest.mark.parametrize("case, name, damage, message", PUSH_DAMAGE, ids=[row[0] for row in PUSH_DAMAGE])
def test_data_push_of_a_damaged_dataset_is_one_line(hub_datasets, tmp_path, case, name, damage, message):
    from recurse.config import DataConfig
    from recurse.data.prepare import build_from_config

    build_from_config(
        DataConfig(task=TASK.spec(), path=str(tmp_path / "built"), build={"train_size": 4, "test_size": 2}),
        progress=False,
    )
    damage(tmp_path / "built" / name)
    before = len(hub_datasets.repos)
    _one_error_line(_invoke(["data", "push", str(tmp_path / "built"), "org/pushed"], tmp_path), case, message)
    assert len(hub_datasets.repos) == before, "nothing is pushed"


def test_data_push_and_hub_builds_without_the_data_extra_say_what_to_install(tmp_path):
    (tmp_path / "built").mkdir()
    with mock.patch.dict("sys.modules", {"pyarrow": None, "datasets": None}):  # as if not installed
        pushed = _invoke(["data", "push", str(tmp_path / "built"), "org/x"], tmp_path)
        built = _hub_build("org/x", tmp_path)
    for case, result in (("data push", pushed), ("hub: build", built)):
        _one_error_line(result, case, "recurse-reasoners[data]")


def test_nan_weights_allowed_give_valid_json_and_an_exact_verified_answer(files, tmp_path):
    """With --allow-nonfinite the model's NaN confidence is null in --json (JSON has no NaN), and --verify
    ignores the non-finite distribution: the search is exact, only unguided."""

    def no_constants(name):
        raise AssertionError(f"{name} is not JSON")

    result = _invoke(["solve", str(files["nan"]), "--allow-nonfinite", "--verify", "--json", GOOD], tmp_path)
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    record = json.loads(result.stdout.strip().splitlines()[-1], parse_constant=no_constants)
    assert record["confidence"] is None and record["valid"] is True


def test_eval_of_a_read_only_run_prints_its_metrics_and_says_it_could_not_save_them(files, tmp_path):
    import subprocess

    run = tmp_path / "run"
    shutil.copytree(files["run"], run)
    step = sorted((run / "checkpoints").glob("step_*"))[-1]
    if subprocess.run(["chattr", "+i", str(step)], check=False, capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available (it needs root)")
    try:
        result = _invoke(["eval", str(run), "limit=4"], tmp_path)
    finally:
        subprocess.run(["chattr", "-i", str(step)], check=False)
    assert result.exit_code == 0 and "exact_accuracy=" in result.stdout, result.output
    assert "could not save the metrics" in result.stderr and "printed above" in result.stderr

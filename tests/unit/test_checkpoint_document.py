"""The typed checkpoint document: older documents upgrade, newer ones and hostile ones end in one line."""

import json
from importlib import resources
from pathlib import Path

import pytest

from recurse.checkpoints.document import (
    FORMAT_VERSION,
    CheckpointDocument,
    RecipeRecord,
    new_document,
    read_document,
    write_document,
)
from recurse.errors import CheckpointError
from tests.helpers import small_config

BUNDLED = sorted(p for p in Path(str(resources.files("recurse.models"))).iterdir() if (p / "config.json").is_file())


def _write(folder: Path, document) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(document if isinstance(document, str) else json.dumps(document))
    return folder


def _version_1(**fields) -> dict:
    """A config.json as recurse 0.1 wrote it (format version 1)."""
    return {
        "format": "recurse",
        "kind": "recursive-refiner",
        "version": 1,
        "model": small_config().model_dump(mode="json"),
        **fields,
    }


@pytest.mark.parametrize("folder", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_document_reads_typed(folder):
    raw = json.loads((folder / "config.json").read_text())
    document = read_document(folder)
    assert document.format_version == FORMAT_VERSION
    assert document.task == raw["task"] and document.vocab == raw["vocab"]
    # A shipped recipe stays a name: a string in format 1, {"name": …} in format 2.
    recipe = raw["recipe"] if isinstance(raw["recipe"], dict) else {"name": raw["recipe"]}
    assert document.recipe == RecipeRecord(**recipe) and document.recipe.name is not None
    assert document.bundled.name == folder.name and document.training.step == raw["training"]["step"]
    assert document.metrics == raw["metrics"]


def test_a_converted_version_1_document_upgrades(tmp_path):
    source = {
        "format": "official-trm",
        "checkpoint": "step_1",
        "arch": "recursive_reasoning.trm@TRM",
        "data_paths": ["data/sudoku"],
    }
    folder = _write(tmp_path, _version_1(source=source, task={"kind": "sudoku"}, puzzle_identifiers=["<blank>"]))
    document = read_document(folder)
    assert document.source.arch == "recursive_reasoning.trm@TRM" and document.source.data_paths == ["data/sudoku"]
    assert document.recipe is None and document.format_version == FORMAT_VERSION


def test_a_version_1_recipe_that_is_not_shipped_becomes_a_file(tmp_path, caplog):
    folder = _write(tmp_path, _version_1(recipe="my-edited-copy", note="kept by an old save_pretrained(meta=…)"))
    with caplog.at_level("INFO", logger="recurse.checkpoints.document"):
        document = read_document(folder)
    assert document.recipe == RecipeRecord(file="my-edited-copy") and document.recipe.name is None
    assert "dropping 'note'" in caplog.text


def test_write_then_read_is_the_same_document(tmp_path):
    document = new_document(
        small_config(),
        {
            "task": {"kind": "sudoku", "box_rows": 2, "box_cols": 2},
            "recipe": "trm-sudoku-mini",
            "training": {"step": 3, "seed": 0},
        },
    )
    write_document(tmp_path, document)
    assert read_document(tmp_path) == document
    written = json.loads((tmp_path / "config.json").read_text())
    assert written["format_version"] == FORMAT_VERSION and "version" not in written
    assert written["recipe"] == {"name": "trm-sudoku-mini"}


def test_the_recipe_is_recorded_honestly(tmp_path):
    from click.testing import CliRunner

    from recurse.cli.main import cli
    from recurse.recipe import load_recipe

    assert load_recipe("trm-sudoku-mini").recipe == "trm-sudoku-mini"
    copy = tmp_path / "trm-sudoku-mini.yaml"  # a copy under the shipped name is still the user's file
    assert CliRunner().invoke(cli, ["recipes", "copy", "trm-sudoku-mini", str(copy)]).exit_code == 0
    reference = load_recipe(str(copy)).recipe
    assert reference == str(copy)
    record = RecipeRecord.from_reference(reference)
    assert record.file == str(copy) and record.name is None and record.reference == str(copy)


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda d: {**d, "format_version": 3, "recurse_version": "0.9"},
            r"format version 3 \(written by recurse 0.9\), newer than this recurse reads \(2\); upgrade recurse",
        ),
        (lambda d: {**d, "tokenizer": {"kind": "bpe"}}, r"unknown field 'tokenizer'.*upgrade recurse"),
        (lambda d: {**d, "format_version": "2"}, "no valid format version"),
        (lambda d: {**d, "format_version": True}, "no valid format version"),
        (lambda d: {**d, "kind": "tokenizer"}, "not a recurse checkpoint config"),
        (lambda d: [d], "not a recurse checkpoint config"),
        (lambda d: {**d, "vocab": "0123"}, "invalid checkpoint config at vocab"),
        (lambda d: {**d, "recipe": {"name": "a", "file": "b.yaml"}}, "invalid checkpoint config at recipe"),
        (lambda d: {**d, "training": {"step": "many"}}, "invalid checkpoint config at training.step"),
        (lambda d: {**d, "model": {**d["model"], "hidden_size": -1}}, "invalid checkpoint config at model.hidden_size"),
        (lambda d: {k: v for k, v in d.items() if k != "model"}, "invalid checkpoint config at model: Field required"),
    ],
)
def test_a_bad_document_is_one_line(tmp_path, edit, message):
    write_document(tmp_path, new_document(small_config()))
    raw = json.loads((tmp_path / "config.json").read_text())
    _write(tmp_path, edit(raw))
    with pytest.raises(CheckpointError, match=message) as error:
        read_document(tmp_path)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("text", ["", "{", "\xff\xfe", "[" * 100_000 + "]" * 100_000, '{"format": NaN}'])
def test_text_that_is_not_a_document_is_one_line(tmp_path, text):
    _write(tmp_path, text)
    with pytest.raises(CheckpointError) as error:
        read_document(tmp_path)
    assert "\n" not in str(error.value) and "config.json" in str(error.value)


def test_the_document_forbids_unknown_fields_when_built_in_code():
    with pytest.raises(CheckpointError, match="unknown key"):
        new_document(small_config(), {"tokenizer": "bpe"})
    assert CheckpointDocument.model_config["extra"] == "forbid"

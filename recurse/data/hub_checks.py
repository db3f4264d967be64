"""Checks on a dataset downloaded from the Hub, made before anything is allocated from what it claims.

A published dataset is somebody else's files: its JSON may be garbage, a list, nested a hundred thousand
deep or hold counts of 10¹²; its Parquet may be empty, cut short, not Parquet at all or have other
columns; its tokens may lie outside the task's vocabulary. Each is a ``DatasetError`` with one line that
names the repo and the file. The order matters: the JSON record bounds the counts, the Parquet footer
(read on its own) must agree with them, and only then are the columns read and checked value by value,
so no array is sized by a number the files do not bear out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from recurse.data.puzzle_text import TEXT_COLUMNS
from recurse.errors import DatasetError

MAX_JSON_BYTES = 256 * 2**20  # identifiers.json of a large ARC build is tens of MiB
MAX_COUNT = 2**31 - 1  # the layout's index arrays are int32
COLUMNS = ("inputs", "labels", "puzzle", "group", "puzzle_identifier")
INDEX_COLUMNS = ("puzzle", "group", "puzzle_identifier")


def read_json(path: Path, *, what: str) -> Any:
    """A JSON file of a download, or ``DatasetError`` (missing, too large, not UTF-8, not JSON, too deep)."""
    try:
        if not path.is_file():
            raise DatasetError(f"{what}: {path.name} is missing; the upload is incomplete")
        if path.stat().st_size > MAX_JSON_BYTES:
            raise DatasetError(f"{what}: {path.name} is {path.stat().st_size / 2**20:.0f} MiB, not a recurse record")
        return json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error).splitlines()[0]
        raise DatasetError(f"{what}: {path.name} is not valid JSON ({reason}); the upload is corrupt") from None


def _count(value: Any, what: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise DatasetError(f"{what}: {name} is {value!r}, not a count (a whole number from 0 to {MAX_COUNT})")
    return value


def check_record(record: Any, splits: tuple[str, ...], arrays: tuple[str, ...], *, what: str) -> dict[str, dict]:
    """The split counts and digests of ``arrays.json``, each count a plausible whole number, or ``DatasetError``."""
    if not isinstance(record, dict) or not isinstance(record.get("splits"), dict):
        raise DatasetError(f"{what}: arrays.json is not a recurse array record (no 'splits' object)")
    checked = {}
    for split in splits:
        entry = record["splits"].get(split)
        if not isinstance(entry, dict):
            raise DatasetError(f"{what}: arrays.json has no record of the {split} split")
        counts = {key: _count(entry.get(key), what, f"{split}.{key}") for key in ("examples", "puzzles", "groups")}
        if not counts["groups"] <= counts["puzzles"] <= counts["examples"]:
            raise DatasetError(
                f"{what}: arrays.json counts {counts} for {split}, but every group holds a puzzle and every "
                "puzzle an example"
            )
        digests = entry.get("sha256")
        if not isinstance(digests, dict) or not all(isinstance(digests.get(name), str) for name in arrays):
            raise DatasetError(f"{what}: arrays.json lacks the SHA-256 of the {split} arrays")
        checked[split] = {**counts, "sha256": digests}
    return checked


def check_metadata(raw: Any, task, *, what: str, split: str):
    """A split's ``dataset.json`` as ``DatasetMetadata``, matching the task's length and vocabulary."""
    from pydantic import ValidationError

    from recurse.store.layout import DatasetMetadata

    try:
        metadata = DatasetMetadata.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        raise DatasetError(f"{what}: {split}/dataset.json: {where}: {first['msg']}") from None
    for name, theirs, ours in (
        ("seq_len", metadata.seq_len, task.seq_len),
        ("vocab_size", metadata.vocab_size, task.vocab_size),
    ):
        if theirs != ours:
            raise DatasetError(
                f"{what}: {split}/dataset.json has {name} {theirs}, the task {task.describe()} has {ours}"
            )
    _count(metadata.num_puzzle_identifiers, what, f"{split}/dataset.json num_puzzle_identifiers")
    return metadata


def check_identifiers(raw: Any, *, what: str) -> None:
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw) or not raw:
        raise DatasetError(f"{what}: identifiers.json is not a list of puzzle names")


def check_parquet(path: Path, *, seq_len: int, examples: int, what: str) -> None:
    """The Parquet footer on its own: a readable file with exactly the recurse columns (the text columns
    optional) and ``examples`` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = f"{path.parent.name}/{path.name}"
    if not path.is_file():
        raise DatasetError(f"{what}: {name} is missing; the upload is incomplete")
    try:
        file = pq.ParquetFile(str(path))
        schema, rows = file.schema_arrow, file.metadata.num_rows
    except Exception as error:  # noqa: BLE001  pyarrow reports a broken file in several exception types
        raise DatasetError(f"{what}: {name} is not a readable Parquet file ({str(error).splitlines()[0]})") from None
    # The text columns are written since they exist: a dataset published before has neither, and loading
    # never reads them, so both or none are accepted.
    optional = [column for column in schema.names if column in TEXT_COLUMNS]
    if sorted(schema.names) != sorted(COLUMNS + tuple(optional)) or len(optional) not in (0, len(TEXT_COLUMNS)):
        raise DatasetError(
            f"{what}: {name} has the columns {schema.names}, not {list(COLUMNS)} with or without {list(TEXT_COLUMNS)}"
        )
    for column in ("inputs", "labels"):
        kind = schema.field(column).type
        if not (pa.types.is_fixed_size_list(kind) and kind.list_size == seq_len and kind.value_type == pa.uint8()):
            raise DatasetError(f"{what}: {name} column {column} is {kind}, not {seq_len} uint8 tokens")
    for column in INDEX_COLUMNS:
        if schema.field(column).type != pa.int32():
            raise DatasetError(f"{what}: {name} column {column} is {schema.field(column).type}, not int32")
    for column in optional:
        kind = schema.field(column).type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            raise DatasetError(f"{what}: {name} column {column} is {kind}, not text")
    if rows != examples:
        raise DatasetError(f"{what}: {name} holds {rows} rows, arrays.json records {examples} examples")


def check_columns(columns: dict[str, np.ndarray], counts: dict, metadata, *, what: str, split: str) -> None:
    """Every value in range: tokens inside the vocabulary, puzzles and groups numbered in order from 0."""
    rows, seq_len = counts["examples"], metadata.seq_len
    for name in ("inputs", "labels"):
        tokens = columns[name]
        if tokens.size != rows * seq_len:
            raise DatasetError(f"{what}: the {split} {name} hold {tokens.size} tokens, not {rows} × {seq_len}")
        if tokens.size and int(tokens.max()) >= metadata.vocab_size:
            raise DatasetError(
                f"{what}: the {split} {name} hold token {int(tokens.max())}, outside the vocabulary of "
                f"{metadata.vocab_size}; the data are not this task's"
            )
    for name, limit in (("puzzle", counts["puzzles"]), ("group", counts["groups"])):
        index = columns[name].astype(np.int64)
        steps = np.diff(index)
        if rows and (index[0] != 0 or index[-1] != limit - 1 or (steps < 0).any() or (steps > 1).any()):
            raise DatasetError(f"{what}: the {split} column {name} does not number {limit} {name}s in order from 0")
    identifiers = columns["puzzle_identifier"]
    if rows and (int(identifiers.min()) < 0 or int(identifiers.max()) >= metadata.num_puzzle_identifiers):
        raise DatasetError(f"{what}: the {split} puzzle identifiers leave 0..{metadata.num_puzzle_identifiers - 1}")

"""Built datasets on the Hugging Face Hub: published as Parquet, loaded back through ``datasets``.

A published dataset repo holds one Parquet file per split under ``data/`` (one row per example:
``inputs`` and ``labels`` as fixed-length token lists, the example's ``puzzle`` and ``group`` index and
its ``puzzle_identifier``, and ``puzzle_text`` and ``answer_text``, the example as the task writes it),
the build's JSON files verbatim under ``recurse/`` (``manifest.json`` with
the fingerprint, ``identifiers.json``, each split's ``dataset.json``, …) plus ``recurse/arrays.json``
(the counts and a SHA-256 of every array), and a dataset card. ``datasets.load_dataset(REPO)`` reads
the Parquet as any Hub dataset. The two text columns are for people and for ``recurse solve``: loading
rebuilds the arrays from the token columns alone, so a dataset published before they existed (or by a
task that could not be built when it was pushed) loads the same way.

Loading (``data.build.source=hub:REPO[@REVISION]``) downloads a snapshot, reads the Parquet with
``datasets`` and writes the official npy layout, which training memory-maps as before; the rebuilt
arrays are checked against the recorded digests.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shlex
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from recurse.data.hub_checks import (
    COLUMNS,
    check_columns,
    check_identifiers,
    check_metadata,
    check_parquet,
    check_record,
    read_json,
)
from recurse.data.puzzle_text import TEXT_COLUMNS, example_texts
from recurse.errors import ConfigError, DatasetError, RecurseError
from recurse.io import write_json
from recurse.store.layout import ARRAYS, load_split
from recurse.store.writer import MANIFEST, publish, read_manifest, stage
from recurse.tasks.base import Task

log = logging.getLogger(__name__)

SPLITS = ("train", "test")
META_DIR = "recurse"
ARRAY_RECORD = "arrays.json"
FORMAT = "recurse-dataset"
CHUNK = 65536  # rows per Parquet row group and per hashing step


def _parquet_name(split: str) -> str:
    return f"data/{split}-00000-of-00001.parquet"


def array_digest(array: np.ndarray) -> str:
    """SHA-256 of an array's dtype, shape and contents, read in chunks (it may be memory-mapped)."""
    digest = hashlib.sha256(f"{np.dtype(array.dtype).str}{tuple(array.shape)}".encode())
    for start in range(0, max(len(array), 1), CHUNK):
        digest.update(np.ascontiguousarray(array[start : start + CHUNK]).tobytes())
    return digest.hexdigest()


def _require_datasets() -> None:
    try:
        import datasets  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        raise RecurseError(
            "publishing and loading datasets on the Hub needs the `datasets` package: "
            'pip install "recurse-reasoners[data]"'
        ) from None


def _features(seq_len: int, *, text: bool):
    _require_datasets()
    from datasets import Features, Sequence, Value

    columns = {
        "inputs": Sequence(Value("uint8"), length=seq_len),
        "labels": Sequence(Value("uint8"), length=seq_len),
        "puzzle": Value("int32"),
        "group": Value("int32"),
        "puzzle_identifier": Value("int32"),
    }
    if text:
        columns.update({name: Value("string") for name in TEXT_COLUMNS})
    return Features(columns)


def _text_task(manifest: dict[str, Any]) -> Task | None:
    """The task that writes the dataset's text columns, or None (with a warning) when it cannot be built
    here, e.g. a task of a plugin that is not loaded: the dataset is then published without them."""
    from recurse.tasks import build_task

    try:
        return build_task(manifest.get("task") or {})
    except RecurseError as error:
        log.warning("publishing without the puzzle_text and answer_text columns: %s", error)
        return None


def _task_words(manifest: dict[str, Any]) -> list[str]:
    task = dict(manifest.get("task") or {})
    return [str(task.pop("kind", "TASK")), *[f"task.{key}={value}" for key, value in task.items()]]


def build_command(manifest: dict[str, Any]) -> str:
    """A ``recurse data build`` command that makes this dataset again, from its manifest."""
    words = ["recurse", "data", "build", *_task_words(manifest)]
    settings = {**(manifest.get("source") or {}), "num_aug": manifest.get("num_aug"), "seed": manifest.get("seed")}
    for key, value in settings.items():
        if value is not None:
            text = f"[{', '.join(map(str, value))}]" if isinstance(value, list) else str(value)
            words.append(f"build.{key}={text}")
    return shlex.join(words)


def _check_structure(split_data, split: str, root: Path) -> None:
    """Per-example columns can describe a split only if no puzzle and no group is empty."""
    if (np.diff(split_data.puzzle_indices) <= 0).any() or (np.diff(split_data.group_indices) <= 0).any():
        raise RecurseError(f"{root}/{split} has an empty puzzle or group, which one row per example cannot record")


def _write_parquet(split_data, path: Path, task: Task | None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    seq_len = int(split_data.inputs.shape[1])
    schema = _features(seq_len, text=task is not None).arrow_schema
    puzzle_of_example = split_data.example_puzzles().astype(np.int32)
    group_of_puzzle = np.repeat(np.arange(split_data.num_groups, dtype=np.int32), np.diff(split_data.group_indices))
    path.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(str(path), schema) as writer:
        for start in range(0, split_data.num_examples, CHUNK):
            rows = slice(start, start + CHUNK)
            puzzles = puzzle_of_example[rows]
            columns = [
                pa.FixedSizeListArray.from_arrays(pa.array(np.asarray(a[rows]).reshape(-1), pa.uint8()), seq_len)
                for a in (split_data.inputs, split_data.labels)
            ]
            columns += [
                pa.array(puzzles),
                pa.array(group_of_puzzle[puzzles]),
                pa.array(np.asarray(split_data.puzzle_identifiers)[puzzles].astype(np.int32)),
            ]
            if task is not None:
                texts = example_texts(task, np.asarray(split_data.inputs[rows]), np.asarray(split_data.labels[rows]))
                columns += [pa.array(text, pa.string()) for text in texts]
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))


def _size_category(examples: int) -> str:
    """The Hub's size category for a dataset of ``examples`` rows (``1K<n<10K``, …)."""
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")]
    bounds += [(10**7, "1M<n<10M"), (10**8, "10M<n<100M"), (10**9, "100M<n<1B"), (10**10, "1B<n<10B")]
    bounds += [(10**11, "10B<n<100B"), (10**12, "100B<n<1T")]
    return next((name for bound, name in bounds if examples < bound), "n>1T")


def _card(repo_id: str, manifest: dict[str, Any], record: dict[str, Any], *, example: tuple[str, str] | None) -> str:
    """The dataset card; ``example`` is the text of the first test example when the rows carry text."""
    from huggingface_hub import DatasetCard, DatasetCardData

    from recurse.hub.card import INSTALL, LICENSE, PACKAGE_URL

    task = manifest.get("task") or {}
    counts = {split: record["splits"][split]["examples"] for split in SPLITS}
    generated = (manifest.get("source") or {}).get("source") == "generate"
    data = DatasetCardData(
        # Puzzles recurse generated are under the project's license; data built from other sources
        # keeps theirs, which the card cannot know.
        license=LICENSE if generated else "unknown",
        size_categories=[_size_category(sum(counts.values()))],
        task_categories=["other"],  # puzzle solving has no Hub task category of its own
        tags=["recurse", "recursive-reasoning", "puzzles", str(task.get("kind", "puzzles"))],
        pretty_name=repo_id.split("/")[-1],
        configs=[
            {
                "config_name": "default",
                "data_files": [{"split": split, "path": _parquet_name(split)} for split in SPLITS],
            }
        ],
    )
    body = [
        f"# {repo_id.split('/')[-1]}",
        "",
        f"Puzzle data for **{task.get('kind')}** built with [recurse]({PACKAGE_URL}) "
        f"in the official npy layout and published as Parquet: {counts['train']} training examples, "
        f"{counts['test']} test examples.",
        "",
        "## Build",
        "",
        f"- Command: `{build_command(manifest)}`",
        f"- Fingerprint (SHA-256 of the arrays as built): `{manifest.get('fingerprint')}`",
        f"- Task: `{json.dumps(task)}`",
        "",
        "## Use",
        "",
        "```bash",
        INSTALL,
        shlex.join(
            [
                "recurse",
                "data",
                "build",
                *_task_words(manifest),
                f"build.source=hub:{repo_id}",
                f"path=data/{repo_id.split('/')[-1]}",
            ]
        ),
        "```",
        "",
        "writes the npy layout that `recurse train` memory-maps (the arrays are checked against",
        f"`{META_DIR}/{ARRAY_RECORD}`). With `datasets`:",
        "",
        "```python",
        "from datasets import load_dataset",
        f'data = load_dataset("{repo_id}")',
        "```",
        "",
        "## Columns",
        "",
        "One row per example: `inputs` and `labels` (token ids, fixed length), `puzzle` (the example's puzzle "
        "in its split), `group` (the puzzle's group: an original and its augmentations) and `puzzle_identifier` "
        "(its row in `identifiers.json`, 0 when puzzles have no embedding)"
        + (
            "; `puzzle_text` and `answer_text`, the puzzle and its answer as the task writes them (the text "
            "`recurse solve` reads and prints)."
            if example
            else "."
        ),
        "",
        f"Vocabulary (token id → symbol): `{manifest.get('vocab')}`.",
        "",
    ]
    if example:
        puzzle, answer = example
        body += ["## Example", "", "The first test example's `puzzle_text` and `answer_text`:", ""]
        body += ["```text", puzzle, "```", "", "```text", answer, "```", ""]
    return str(DatasetCard(f"---\n{data.to_yaml()}\n---\n\n" + "\n".join(body)))


def push_dataset(
    path: str | Path,
    repo_id: str,
    *,
    private: bool | None = None,
    token: str | None = None,
    commit_message: str | None = None,
) -> str:
    """Publish the built dataset at ``path`` to the dataset repo ``repo_id``; returns the commit URL."""
    from recurse.hub.repos import check_can_push, upload

    _require_datasets()  # before anything is read: the Parquet writer needs the [data] extra
    root = Path(path)
    manifest = read_manifest(root)
    if manifest is None:
        raise RecurseError(f"{root} is not a dataset built by `recurse data build` (no {MANIFEST})")
    check_can_push(repo_id)
    task = _text_task(manifest)
    example: tuple[str, str] | None = None
    record: dict[str, Any] = {"format": FORMAT, "version": 1, "splits": {}}
    with tempfile.TemporaryDirectory() as staging_dir:
        staging = Path(staging_dir)
        for split in SPLITS:
            split_data = load_split(root, split)
            _check_structure(split_data, split, root)
            _write_parquet(split_data, staging / _parquet_name(split), task)
            if task is not None and split == "test" and split_data.num_examples:
                puzzles, answers = example_texts(task, split_data.inputs[:1], split_data.labels[:1])
                example = puzzles[0], answers[0]
            record["splits"][split] = {
                "examples": split_data.num_examples,
                "puzzles": int(split_data.puzzle_identifiers.shape[0]),
                "groups": split_data.num_groups,
                "sha256": {name: array_digest(getattr(split_data, name)) for name in ARRAYS},
            }
        for file in sorted(root.rglob("*.json")):
            target = staging / META_DIR / file.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.read_bytes())
        write_json(staging / META_DIR / ARRAY_RECORD, record)
        (staging / "README.md").write_text(_card(repo_id, manifest, record, example=example))
        return upload(
            staging,
            repo_id,
            repo_type="dataset",
            private=private,
            token=token,
            commit_message=commit_message or f"Upload recurse dataset (fingerprint {manifest['fingerprint'][:16]})",
        )


def _published_manifest(repo_id: str, revision: str | None) -> dict[str, Any] | None:
    """The manifest of a dataset repo published by :func:`push_dataset`, or None for any other repo (or
    one that cannot be looked at now: the caller's other readers then report why)."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    from recurse.hub_network import offline_mode, unreachable

    local = offline_mode() or unreachable() is not None
    try:
        file = hf_hub_download(
            repo_id, f"{META_DIR}/{MANIFEST}", repo_type="dataset", revision=revision, local_files_only=local
        )
    except (EntryNotFoundError, LocalEntryNotFoundError, RepositoryNotFoundError):
        return None
    except RevisionNotFoundError:
        raise DatasetError(f"{repo_id} has no revision {revision!r} (a branch, tag or commit)") from None
    except Exception as error:  # noqa: BLE001  HTTP and connection errors come in many types
        raise DatasetError(f"{repo_id}: cannot read {META_DIR}/{MANIFEST} ({str(error).splitlines()[0]})") from None
    manifest = read_json(Path(file), what=repo_id)
    if not isinstance(manifest, dict):
        raise DatasetError(f"{repo_id}: {META_DIR}/{MANIFEST} is not a recurse dataset manifest (not an object)")
    return manifest


def _reference(source: str) -> tuple[str, str | None]:
    """``REPO[@REVISION]`` of a ``hub:`` source, checked: a repo id the Hub accepts, a plausible revision."""
    from recurse.hub.arguments import check_repo_id
    from recurse.hub.repos import split_reference

    repo_id, revision = split_reference(source)
    try:
        check_repo_id(repo_id)
    except ConfigError as error:
        raise DatasetError(f"build.source=hub:…: {error}") from None
    if revision is not None and (not revision.strip() or len(revision) > 256 or "\n" in revision):
        shown = revision if len(revision) <= 60 else revision[:57] + "…"
        raise DatasetError(f"build.source=hub:{repo_id}@…: {shown!r} is not a revision (a branch, tag or commit)")
    return repo_id, revision


def _read_split(split: str, files: list[str], cache_dir: Path) -> dict[str, np.ndarray]:
    _require_datasets()
    from datasets import load_dataset

    dataset = load_dataset("parquet", data_files={split: files}, split=split, cache_dir=str(cache_dir))
    columns = {}
    for name in COLUMNS:  # the arrays come from the token columns; the text columns are for people
        # Straight from the Arrow table: the same on every datasets and numpy version.
        column = dataset.data.column(name).combine_chunks()
        if hasattr(column, "flatten"):  # a fixed-length token list: rows of seq_len values
            column = column.flatten()
        columns[name] = column.to_numpy(zero_copy_only=False)
    return columns


def _rebuild(columns: dict[str, np.ndarray], counts: dict[str, Any], seq_len: int) -> dict[str, np.ndarray]:
    """The npy arrays of one split from its per-example columns."""
    puzzle = columns["puzzle"].astype(np.int64)
    per_puzzle = np.bincount(puzzle, minlength=counts["puzzles"])
    first = np.concatenate([[0], np.cumsum(per_puzzle)[:-1]]).astype(np.int64)  # first example of each puzzle
    group_of_puzzle = columns["group"][first].astype(np.int64)
    per_group = np.bincount(group_of_puzzle, minlength=counts["groups"])
    return {
        "inputs": columns["inputs"].astype(np.uint8).reshape(-1, seq_len),
        "labels": columns["labels"].astype(np.uint8).reshape(-1, seq_len),
        "puzzle_identifiers": columns["puzzle_identifier"][first].astype(np.int32),
        "puzzle_indices": np.concatenate([[0], np.cumsum(per_puzzle)]).astype(np.int32),
        "group_indices": np.concatenate([[0], np.cumsum(per_group)]).astype(np.int32),
    }


def load_published(source: str, out: str | Path, *, task: Task) -> dict[str, Any] | None:
    """Write the dataset published at ``source`` (``REPO[@REVISION]``) to ``out`` in the npy layout and
    return its manifest; None when ``source`` is not a dataset published by :func:`push_dataset`.

    Everything downloaded is checked before it is used (``recurse.data.hub_checks``): the JSON records,
    the Parquet files' columns and row counts, then every value, then the digests of the rebuilt arrays."""
    from recurse.hub.repos import download, snapshot_commit

    _require_datasets()
    repo_id, revision = _reference(source)
    manifest = _published_manifest(repo_id, revision)
    if manifest is None:
        return None
    task_spec = task.spec()
    if manifest.get("task") != task_spec:
        raise DatasetError(
            f"{repo_id} holds data of the task {json.dumps(manifest.get('task'))[:200]}, not "
            f"{json.dumps(task_spec)}; set the task to match (or build another source)"
        )
    folder = download(repo_id, revision=revision, repo_type="dataset", allow_patterns=[f"{META_DIR}/*", "data/*"])
    meta = folder / META_DIR
    record = check_record(read_json(meta / ARRAY_RECORD, what=repo_id), SPLITS, ARRAYS, what=repo_id)
    documents = {
        split: check_metadata(read_json(meta / split / "dataset.json", what=repo_id), task, what=repo_id, split=split)
        for split in SPLITS
    }
    if (meta / "identifiers.json").exists():
        check_identifiers(read_json(meta / "identifiers.json", what=repo_id), what=repo_id)
    for split in SPLITS:
        check_parquet(
            folder / _parquet_name(split), seq_len=task.seq_len, examples=record[split]["examples"], what=repo_id
        )
    out = Path(out)
    staging = stage(out)
    for file in meta.rglob("*.json"):
        if file.name != ARRAY_RECORD:
            read_json(file, what=repo_id)  # every file copied parses: training reads some of them later
            target = staging / file.relative_to(meta)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.read_bytes())
    for split in SPLITS:
        counts = record[split]
        try:
            columns = _read_split(split, [str(folder / _parquet_name(split))], staging / ".datasets-cache")
        except Exception as error:  # noqa: BLE001  datasets and pyarrow report broken files in many types
            raise DatasetError(
                f"{repo_id}: the {split} Parquet cannot be read ({str(error).splitlines()[0]})"
            ) from None
        check_columns(columns, counts, documents[split], what=repo_id, split=split)
        for name, array in _rebuild(columns, counts, task.seq_len).items():
            if array_digest(array) != counts["sha256"][name]:
                raise DatasetError(
                    f"{repo_id}: the {split} {name} read back differ from what was published "
                    "(a corrupt or edited upload); rebuild and push it again"
                )
            np.save(staging / split / f"all__{name}.npy", array)
    shutil.rmtree(staging / ".datasets-cache", ignore_errors=True)
    manifest["hub"] = {"repo_id": repo_id, "revision": revision or "main", "commit": snapshot_commit(folder)}
    write_json(staging / MANIFEST, manifest)
    publish(staging, out)
    log.info(
        "%s: %d train and %d test examples from commit %s, fingerprint %s",
        repo_id,
        record["train"]["examples"],
        record["test"]["examples"],
        manifest["hub"]["commit"],
        str(manifest.get("fingerprint"))[:16],
    )
    return manifest

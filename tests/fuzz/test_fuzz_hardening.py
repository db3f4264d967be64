"""Generated bad input for the surfaces that write, lock and download: save/push arguments, lock files,
the records of a Hub dataset, dataset destinations and safety switches. Each ends in the documented
``RecurseError`` subclass (or the documented acceptance), never another exception, and nothing is written
where it must not be."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import assume
from hypothesis import strategies as st

from recurse.errors import CheckpointError, ConfigError, DatasetError, RecurseError
from tests.fuzz.conftest import fuzz_pair, scratch_dir, snapshot

# Any JSON document: what a corrupt or hostile file of a download may hold.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
not_paths = st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.integers(), max_size=2))
not_flags = st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.none(), st.lists(st.booleans(), max_size=1))


@pytest.fixture(scope="session")
def fuzz_model(fuzz_checkpoint):
    from recurse.model.refiner import RecursiveRefiner

    return RecursiveRefiner.from_pretrained(fuzz_checkpoint)


def _raises(call, expected) -> str | None:
    try:
        call()
    except expected:
        return None
    except Exception as error:  # noqa: BLE001 - the wrong exception is the finding
        return f"{type(error).__name__} instead of {expected}: {error}"
    return f"accepted, expected {expected}"


def _save_arguments(fuzz_model, argument, value):
    with scratch_dir() as folder:
        target = folder / "out"
        if argument == "save_directory":
            problem = _raises(lambda: fuzz_model.save_pretrained(value), ConfigError)
        elif argument == "fields":
            assume(value is not None and not isinstance(value, dict))
            problem = _raises(lambda: fuzz_model.save_pretrained(target, fields=value), ConfigError)
        else:
            assume(not isinstance(value, bool))
            problem = _raises(lambda: fuzz_model.save_pretrained(target, push_to_hub=value), ConfigError)
        if problem is None and (target / "model.safetensors").exists():
            problem = f"wrote a checkpoint for {argument}={value!r}"
    return problem


test_save_arguments, test_save_arguments_wide = fuzz_pair(
    _save_arguments,
    ("fuzz_model",),
    argument=st.sampled_from(["save_directory", "fields", "push_to_hub"]),
    value=st.one_of(not_paths, json_values.filter(lambda v: not isinstance(v, (bool, str)))),
)


def _push_repo_ids(fuzz_model, repo_id):
    from recurse.hub.repos import is_repo_id

    assume(not (isinstance(repo_id, str) and is_repo_id(repo_id) and "@" not in repo_id and len(repo_id) < 90))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a request is never the answer to a bad id
    return _raises(lambda: fuzz_model.push_to_hub(repo_id), ConfigError)


test_push_repo_ids, test_push_repo_ids_wide = fuzz_pair(
    _push_repo_ids, ("fuzz_model",), repo_id=st.one_of(st.text(max_size=120), not_paths)
)


def _lock_records(owner):
    from recurse.training.lock import LOCK_NAME, RunFolderError, RunLock

    with scratch_dir() as run:
        (run / LOCK_NAME).write_text(json.dumps({"host": "elsewhere.example", **owner}, default=str))
        notices: list[str] = []
        try:
            RunLock(run, notice=notices.append).acquire().release()
        except RunFolderError:
            return None  # a pid on another host is not taken over: refused in one line
        except Exception as error:  # noqa: BLE001
            return f"{type(error).__name__} for a lock holding {owner!r}: {error}"
        return None if len(notices) == 1 else f"no notice when taking over {owner!r}"


test_lock_records, test_lock_records_wide = fuzz_pair(
    _lock_records, (), owner=st.fixed_dictionaries({"pid": json_values})
)


def _hub_records(kind, document):
    from recurse.data.hub_checks import check_identifiers, check_metadata, check_record
    from recurse.tasks import Sudoku

    checks = {
        "arrays.json": lambda: check_record(document, ("train", "test"), ("inputs",), what="org/x"),
        "dataset.json": lambda: check_metadata(document, Sudoku(2, 2), what="org/x", split="train"),
        "identifiers.json": lambda: check_identifiers(document, what="org/x"),
    }
    try:
        checks[kind]()
    except DatasetError as error:
        return None if "\n" not in str(error) else f"a message of several lines: {error!r}"
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__} for {kind} {document!r}: {error}"
    return None  # a document that happens to be valid


test_hub_records, test_hub_records_wide = fuzz_pair(
    _hub_records, (), kind=st.sampled_from(["arrays.json", "dataset.json", "identifiers.json"]), document=json_values
)


def _dataset_destinations(name):
    from recurse.store.writer import destination

    with scratch_dir() as work:
        (work / "mine").mkdir()
        (work / "mine" / "notes.txt").write_text("mine")
        (work / "file").write_text("mine")
        before = snapshot(work)
        previous = os.getcwd()
        os.chdir(work)
        try:
            destination(name)
        except DatasetError:
            pass
        except Exception as error:  # noqa: BLE001
            return f"{type(error).__name__} for path={name!r}: {error}"
        finally:
            os.chdir(previous)
        if snapshot(work) != before:
            return f"path={name!r} changed the folder"
        resolved = Path(os.path.abspath(work / name)) if name.strip() else work
        if resolved in (work / "mine", work / "file", work, *work.parents):
            try:
                os.chdir(work)
                destination(name)
                return f"path={name!r} accepted over a folder or file recurse did not make"
            except DatasetError:
                return None
            finally:
                os.chdir(previous)
    return None


test_dataset_destinations, test_dataset_destinations_wide = fuzz_pair(
    _dataset_destinations,
    (),
    name=st.one_of(
        st.sampled_from([".", "..", "/", "mine", "file", "mine/..", "./mine", "", " ", "../..", "mine/."]),
        st.text(alphabet="./mine", max_size=8),
    ).filter(lambda t: "\0" not in t),
)


def _safety_switches(fuzz_checkpoint, switch, value):
    from recurse.model.checkpoint import load_checkpoint
    from recurse.solver import Solver

    if switch == "solver":
        return _raises(
            lambda: Solver.from_pretrained(fuzz_checkpoint, device="cpu", allow_nonfinite=value), ConfigError
        )
    return _raises(lambda: load_checkpoint(fuzz_checkpoint, allow_nonfinite=value), (ConfigError, CheckpointError))


test_safety_switches, test_safety_switches_wide = fuzz_pair(
    _safety_switches, ("fuzz_checkpoint",), switch=st.sampled_from(["solver", "load"]), value=not_flags
)

assert issubclass(DatasetError, RecurseError)

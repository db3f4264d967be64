"""``save_pretrained`` and ``push_to_hub`` with bad arguments: a documented error, nothing written, nothing sent.

Every row is checked before any file is written or any request is made, so the rows run offline; a
document that does not describe the weights being saved is refused before writing (it would otherwise
fail only when loaded).
"""

from __future__ import annotations

import os
import resource
import signal
from pathlib import Path

import pytest

from recurse.errors import CheckpointError, ConfigError, RecurseError
from recurse.model.refiner import RecursiveRefiner
from tests.integration.conftest import make_checkpoint


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> RecursiveRefiner:
    return RecursiveRefiner.from_pretrained(make_checkpoint(tmp_path_factory.mktemp("hub-args") / "ckpt"))


def _a_file(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("mine")
    return tmp_path / "file"


SAVE = [
    ("a path of 5", lambda m, t: m.save_pretrained(5), ConfigError),
    ("a path of True", lambda m, t: m.save_pretrained(True), ConfigError),
    ("an empty path", lambda m, t: m.save_pretrained(""), ConfigError),
    ("fields=5", lambda m, t: m.save_pretrained(t / "out", fields=5), ConfigError),
    ("fields with a number key", lambda m, t: m.save_pretrained(t / "out", fields={1: "x"}), ConfigError),
    ("a path onto a file", lambda m, t: m.save_pretrained(_a_file(t)), CheckpointError),
    ("a path under a file", lambda m, t: m.save_pretrained(_a_file(t) / "out"), CheckpointError),
    ("push_to_hub=True without repo_id", lambda m, t: m.save_pretrained(t / "out", push_to_hub=True), ConfigError),
    ("push_to_hub='yes'", lambda m, t: m.save_pretrained(t / "out", push_to_hub="yes"), ConfigError),
    (
        "push_to_hub with an unknown argument",
        lambda m, t: m.save_pretrained(t / "out", push_to_hub=True, repo_id="org/x", colour=1),
        ConfigError,
    ),
    (
        "a document of another task",
        lambda m, t: m.save_pretrained(t / "out", fields={"task": {"kind": "sudoku", "box_rows": 3, "box_cols": 3}}),
        CheckpointError,
    ),
    (
        "a config of another size",
        lambda m, t: m.save_pretrained(t / "out", config=m.model_config.model_copy(update={"hidden_size": 32})),
        CheckpointError,
    ),
    (
        "a config with other layers",
        lambda m, t: m.save_pretrained(
            t / "out",
            config=m.model_config.model_copy(
                update={"schedule": m.model_config.schedule.model_copy(update={"layers": 2})}
            ),
        ),
        CheckpointError,
    ),
]

PUSH = [
    ("push_to_hub(123)", lambda m: m.push_to_hub(123)),
    ("push_to_hub('')", lambda m: m.push_to_hub("")),
    ("push_to_hub('a/b/c')", lambda m: m.push_to_hub("a/b/c")),
    ("push_to_hub('../x')", lambda m: m.push_to_hub("../x")),
    ("push_to_hub('org/x@main')", lambda m: m.push_to_hub("org/x@main")),
    ("push_to_hub(500 characters)", lambda m: m.push_to_hub("org/" + "x" * 500)),
    ("private='yes'", lambda m: m.push_to_hub("org/x", private="yes")),
    ("commit_message=5", lambda m: m.push_to_hub("org/x", commit_message=5)),
    ("fields=5", lambda m: m.push_to_hub("org/x", fields=5)),
]


@pytest.mark.parametrize("case, call, expected", SAVE, ids=[row[0] for row in SAVE])
def test_save_pretrained_refuses_bad_arguments_before_writing(model, tmp_path, case, call, expected):
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(expected) as error:
        call(model, tmp_path)
    assert "\n" not in str(error.value)
    assert not (tmp_path / "out" / "model.safetensors").exists() and not (tmp_path / "out" / "config.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name not in ("file", "out")) == before


@pytest.mark.parametrize("case, call", PUSH, ids=[row[0] for row in PUSH])
def test_push_to_hub_refuses_bad_arguments_before_any_request(model, monkeypatch, case, call):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens: a request would fail otherwise
    with pytest.raises(ConfigError) as error:
        call(model)
    assert "\n" not in str(error.value)


@pytest.mark.skipif(os.geteuid() != 0, reason="chattr +i needs root (root ignores permission bits)")
def test_a_read_only_folder_is_one_error(model, tmp_path):
    import subprocess

    folder = tmp_path / "ro"
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], check=False).returncode != 0:
        pytest.skip("chattr +i is not supported here")
    try:
        with pytest.raises(CheckpointError, match="cannot save to"):
            model.save_pretrained(folder)
        with pytest.raises(CheckpointError, match="cannot save to"):
            model.save_pretrained(folder / "inner")
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


def test_a_full_disk_is_one_error_and_leaves_no_checkpoint(model, tmp_path):
    """A file-size limit stands in for a full disk: the write fails with EFBIG part-way."""
    previous = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, previous[1]))
    try:
        with pytest.raises(CheckpointError, match="cannot save to") as error:
            model.save_pretrained(tmp_path / "out")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, previous)
        signal.signal(signal.SIGXFSZ, handler)
    assert "\n" not in str(error.value)
    assert not (tmp_path / "out" / "model.safetensors").exists()


def test_good_arguments_still_save(model, tmp_path):
    """The rows fail for their arguments: the same model saves and loads back."""
    folder = model.save_pretrained(tmp_path / "out", fields={"metrics": {"exact_accuracy": 0.5}})
    again = RecursiveRefiner.from_pretrained(folder)
    assert again.checkpoint_document.metrics["exact_accuracy"] == 0.5
    assert isinstance(CheckpointError("x"), RecurseError)

"""Hub I/O through the real huggingface_hub client: download from a local Hub-style server, reuse
offline from the cache, clear one-line errors; push checked at the HfApi boundary."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from recurse.hub import push_to_hub, save_pretrained
from tests.fake_hub import serve
from tests.integration.conftest import TASK, run_recurse


def test_download_then_offline_then_errors(tmp_path, checkpoint):
    repo = save_pretrained(checkpoint, tmp_path / "repo", repo_id="org/tiny")
    puzzle = TASK.format(TASK.generate(np.random.default_rng(1))[0])
    env = {"HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "1"}
    with serve({"org/tiny": repo}) as (endpoint, requests):
        env["HF_ENDPOINT"] = endpoint
        pulled = run_recurse("hub", "pull", "org/tiny", env=env)
        assert "org/tiny is in" in pulled.stdout
        assert any("/org/tiny/resolve/main/model.safetensors" in r for r in requests)
        missing = run_recurse("hub", "pull", "org/missing", env=env, check=False)
        assert missing.returncode != 0 and "no such model repository" in missing.stderr
        assert len(missing.stderr.strip().splitlines()) == 1
    # The server is gone: the cached copy serves, offline.
    offline = {**env, "HF_HUB_OFFLINE": "1"}
    solved = run_recurse("solve", "org/tiny", puzzle, "--json", env=offline)
    record = json.loads(solved.stdout)
    assert record["puzzle"] == puzzle and len(record["answer"]) == 16
    not_cached = run_recurse("solve", "org/other", puzzle, env=offline, check=False)
    assert not_cached.returncode != 0 and "not in the local Hugging Face cache" in not_cached.stderr
    assert "HF_HUB_OFFLINE" in not_cached.stderr and "Traceback" not in not_cached.stderr


def test_push_uploads_weights_config_and_card(tmp_path, checkpoint, monkeypatch):
    from huggingface_hub import HfApi

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    calls = {}

    def create_repo(self, repo_id, private=False, exist_ok=False, repo_type=None):
        calls["create"] = (repo_id, private, exist_ok)
        return f"https://hub.example/{repo_id}"

    def upload_folder(self, repo_id, folder_path, repo_type=None, commit_message=None):
        folder = Path(folder_path)
        calls["files"] = sorted(p.name for p in folder.iterdir())
        calls["card"] = (folder / "README.md").read_text()

    monkeypatch.setattr(HfApi, "create_repo", create_repo)
    monkeypatch.setattr(HfApi, "upload_folder", upload_folder)
    url = push_to_hub(checkpoint, "me/tiny-sudoku", private=True)
    assert url.endswith("me/tiny-sudoku") and calls["create"] == ("me/tiny-sudoku", True, True)
    assert calls["files"] == ["README.md", "config.json", "model.safetensors"]
    card = calls["card"]
    for expected in ("library_name: recurse", "- recurse", "- recursive-reasoning", "- sudoku", "license: apache-2.0",
                     "recurse solve me/tiny-sudoku", "trm-sudoku-mini", "exact_accuracy", "abc"):
        assert expected in card, expected
    example = card.split('recurse solve me/tiny-sudoku "')[1].split('"')[0]
    assert TASK.solve_all(TASK.parse(example)).unique, "the card's example is a real puzzle of its task"


def test_push_refuses_offline_and_bad_ids(checkpoint, monkeypatch):
    from recurse.errors import RecurseError

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(RecurseError, match="HF_HUB_OFFLINE"):
        push_to_hub(checkpoint, "me/x")
    with pytest.raises(RecurseError, match="not a Hub repo id"):
        push_to_hub(checkpoint, "no-slash")


def test_hub_datasets_download_then_build_offline(tmp_path):
    """``hub:<dataset>`` sources go through hf_hub_download (repo_type=dataset) and the cache."""
    fixtures = Path(__file__).parents[1] / "fixtures" / "data"
    sudoku = tmp_path / "sudoku-repo"
    sudoku.mkdir()
    lines = (fixtures / "sudoku-extreme-1k.csv").read_text().splitlines()
    (sudoku / "train.csv").write_text("\n".join(lines[:41]) + "\n")
    (sudoku / "test.csv").write_text("\n".join([lines[0], *lines[41:51]]) + "\n")
    env = {"HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "1"}
    sudoku_args = ["recipe=trm-sudoku", "data.build.source=hub:sapientinc/sudoku-extreme", "data.build.train_size=20",
                   "data.build.test_size=5", "data.build.num_aug=1"]
    arc_args = ["arc", "build.source=hub:org/arc", "build.subsets=[training, evaluation]",
                "build.test_subset=evaluation", "build.num_aug=1"]
    with serve({"datasets/sapientinc/sudoku-extreme": sudoku, "datasets/org/arc": fixtures / "arc"}) as (endpoint, log):
        env["HF_ENDPOINT"] = endpoint
        online = run_recurse("data", "build", *sudoku_args, f"data.path={tmp_path / 's1'}", env=env)
        assert "train 40 examples in 20 groups, test 5" in online.stdout
        assert any("/datasets/sapientinc/sudoku-extreme/resolve/main/train.csv" in r for r in log)
        run_recurse("data", "build", *arc_args, f"path={tmp_path / 'a1'}", env=env)
        assert any("/datasets/org/arc/resolve/main/arc-agi_evaluation_solutions.json" in r for r in log)
    offline = {**env, "HF_HUB_OFFLINE": "1"}
    again = run_recurse("data", "build", *sudoku_args, f"data.path={tmp_path / 's2'}", env=offline)
    assert again.stdout.split("fingerprint")[1] == online.stdout.split("fingerprint")[1]
    run_recurse("data", "build", *arc_args, f"path={tmp_path / 'a2'}", env=offline)
    missing = run_recurse("data", "build", "recipe=trm-sudoku", "data.build.source=hub:org/absent",
                          f"data.path={tmp_path / 's3'}", env=offline, check=False)
    assert missing.returncode != 0 and "HF_HUB_OFFLINE is set and it is not cached" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1

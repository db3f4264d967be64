"""Hub I/O through the real huggingface_hub client against a local Hub-style server: push and pull with
revisions, snapshot allow-patterns, cards with a model-index, offline behaviour that fails fast with
useful advice, and built datasets published as Parquet and loaded back through ``datasets``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from recurse.checkpoints.document import HubRecord
from recurse.errors import CheckpointError, ConfigError, RecurseError
from recurse.hub.repos import push_to_hub, save_pretrained
from recurse.model.builder import build_refiner
from recurse.model.refiner import RecursiveRefiner
from tests.fake_hub import COMMIT, point_client_at, serve
from tests.integration.conftest import TASK, run_recurse

BUNDLED = ("maze-9x9", "sudoku-4x4", "sudoku-6x6", "sudoku-9x9")
TOKEN = "test-token"


def _use_endpoint(monkeypatch, endpoint: str, cache: Path, *, offline: bool = False) -> None:
    point_client_at(monkeypatch, endpoint, cache, offline=offline)


@pytest.fixture
def hub(monkeypatch, tmp_path):
    with serve() as server:
        _use_endpoint(monkeypatch, server.endpoint, tmp_path / "hub-cache")
        yield server


def _model(checkpoint: Path) -> RecursiveRefiner:
    return RecursiveRefiner.from_pretrained(checkpoint)


def test_download_then_offline_then_errors(tmp_path, checkpoint):
    repo = save_pretrained(checkpoint, tmp_path / "repo", repo_id="org/tiny")
    (repo / "optimizer.bin").write_bytes(b"x" * 100)  # not part of a checkpoint: the snapshot leaves it out
    puzzle = TASK.format(TASK.generate(np.random.default_rng(1))[0])
    env = {"HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "1"}
    with serve({"org/tiny": repo}) as server:
        endpoint, requests = server
        env["HF_ENDPOINT"] = endpoint
        pulled = run_recurse("hub", "pull", "org/tiny", env=env)
        assert f"org/tiny@main is commit {COMMIT}" in pulled.stdout
        # The snapshot's file list: the tree listing, or the repo info's siblings (huggingface_hub 0.25).
        assert any("/api/models/org/tiny/tree/" in r or "/api/models/org/tiny/revision/" in r for r in requests)
        assert any(f"/org/tiny/resolve/{COMMIT}/model.safetensors" in r for r in requests)
        assert not any("optimizer.bin" in r for r in requests)
        snapshot = tmp_path / "hf" / "hub" / "models--org--tiny" / "snapshots" / COMMIT
        assert sorted(p.name for p in snapshot.iterdir()) == ["README.md", "config.json", "model.safetensors"]
        pushed = run_recurse("hub", "push", str(checkpoint), "org/pushed", env={**env, "HF_TOKEN": TOKEN})
        assert "pushed" in pushed.stdout and "/org/pushed/commit/" in pushed.stdout
        assert "sudoku" in server.repos["org/pushed"].commits[-1][1]["README.md"].decode()
        missing = run_recurse("hub", "pull", "org/missing", env=env, check=False)
        assert missing.returncode != 0 and "no such model repository" in missing.stderr
        assert len(missing.stderr.strip().splitlines()) == 1
    # The server is gone: the cached copy serves, offline.
    offline = {**env, "HF_HUB_OFFLINE": "1"}
    solved = run_recurse("solve", "org/tiny", puzzle, "--json", env=offline)
    record = json.loads(solved.stdout)
    assert record["puzzle"] == puzzle and len(record["answer"]) == 16
    not_cached = run_recurse("solve", "org/other", puzzle, env=offline, check=False)
    message = not_cached.stderr.strip()
    assert not_cached.returncode != 0 and len(message.splitlines()) == 1 and "Traceback" not in message
    assert "not in the local Hugging Face cache" in message and "HF_HUB_OFFLINE is set" in message
    assert all(name in message for name in BUNDLED) and "recurse models list" in message
    assert "recurse hub pull" not in message


def test_model_push_then_pull_pinned_revisions(hub, tmp_path, checkpoint):
    model = _model(checkpoint)
    first = model.push_to_hub("me/tiny", token=TOKEN)
    with torch.no_grad():
        model.q_head.bias.fill_(1.5)
    second = model.push_to_hub("me/tiny", token=TOKEN, commit_message="second")
    first_commit, second_commit = first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]
    assert first_commit != second_commit and hub.repos["me/tiny"].refs["main"] == second_commit
    assert sorted(hub.repos["me/tiny"].commits[-1][1]) == ["README.md", "config.json", "model.safetensors"]

    latest = RecursiveRefiner.from_pretrained("me/tiny")
    assert torch.equal(latest.q_head.bias, torch.full((2,), 1.5))
    assert latest.checkpoint_document.hub == HubRecord(repo_id="me/tiny", revision="main", commit=second_commit)
    assert latest.checkpoint_document.task == TASK.spec()  # the rest of config.json comes along
    pinned = RecursiveRefiner.from_pretrained(f"me/tiny@{first_commit}")
    assert torch.equal(pinned.q_head.bias, torch.full((2,), -5.0))
    assert pinned.checkpoint_document.hub.commit == first_commit
    by_argument = RecursiveRefiner.from_pretrained(
        "me/tiny", revision=first_commit, cache_dir=tmp_path / "other", force_download=True
    )
    assert torch.equal(by_argument.q_head.bias, pinned.q_head.bias)
    with pytest.raises(CheckpointError, match="has no revision 'v9'"):
        RecursiveRefiner.from_pretrained("me/tiny", revision="v9")
    with pytest.raises(CheckpointError, match="not in the local Hugging Face cache .* local_files_only"):
        RecursiveRefiner.from_pretrained("me/tiny", cache_dir=tmp_path / "empty", local_files_only=True)


def test_refiner_is_a_hub_mixin_with_its_keyword_arguments(hub, tmp_path, checkpoint):
    """The transformers-style calls work: ModelHubMixin's keyword arguments on both entry points."""
    from huggingface_hub import ModelHubMixin

    from recurse.solver import Solver

    assert issubclass(RecursiveRefiner, ModelHubMixin)
    model = _model(checkpoint)
    url = model.save_pretrained(
        tmp_path / "out", repo_id="me/mixin", push_to_hub=True, token=TOKEN, model_card_kwargs={"language": ["en"]}
    )
    assert "/me/mixin/commit/" in url and sorted(hub.repos["me/mixin"].commits[-1][1]) == [
        "README.md",
        "config.json",
        "model.safetensors",
    ]
    assert "language:\n- en" in (tmp_path / "out" / "README.md").read_text()
    # Patterns choose what is uploaded and what the commit deletes.
    model.push_to_hub("me/mixin", token=TOKEN, allow_patterns=["*.json"], delete_patterns=["README.md"])
    assert sorted(hub.repos["me/mixin"].commits[-1][1]) == ["config.json", "model.safetensors"]
    model.push_to_hub("me/mixin", token=TOKEN, ignore_patterns=["*.safetensors"])
    assert sorted(hub.repos["me/mixin"].commits[-1][1]) == ["README.md", "config.json", "model.safetensors"]

    cache = tmp_path / "cache"
    options = dict(token=TOKEN, cache_dir=cache, force_download=True, revision="main", etag_timeout=5)
    pulled = RecursiveRefiner.from_pretrained("me/mixin", strict=True, **options)
    solver = Solver.from_pretrained("me/mixin", **options)
    assert (cache / "models--me--mixin").is_dir()
    offline = RecursiveRefiner.from_pretrained("me/mixin", cache_dir=cache, local_files_only=True)
    offline_solver = Solver.from_pretrained("me/mixin", cache_dir=cache, local_files_only=True, token=TOKEN)
    for other in (pulled, solver.refiner, offline, offline_solver.refiner):
        for name, tensor in model.state_dict().items():
            assert torch.equal(other.state_dict()[name], tensor), name
    with pytest.raises(ConfigError, match="unknown option 'trust_remote_code'"):
        RecursiveRefiner.from_pretrained("me/mixin", cache_dir=cache, trust_remote_code=True)
    with pytest.raises(ConfigError, match="unknown option 'torch_dtype'"):
        Solver.from_pretrained("me/mixin", cache_dir=cache, torch_dtype="float32")


def test_strict_false_loads_weights_that_lack_a_tensor(tmp_path, checkpoint, caplog):
    from safetensors.torch import load_file, save_file

    folder = _model(checkpoint).save_pretrained(tmp_path / "partial")
    # Copies: the file is written over below, and safetensors 0.4 maps what load_file returns onto it.
    tensors = {name: tensor.clone() for name, tensor in load_file(str(folder / "model.safetensors")).items()}
    dropped = "q_head.bias"
    del tensors[dropped]
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(CheckpointError, match="missing tensor"):
        RecursiveRefiner.from_pretrained(folder)
    with caplog.at_level("WARNING"):
        loaded = RecursiveRefiner.from_pretrained(folder, strict=False)
    assert dropped in caplog.text
    assert torch.equal(loaded.state_dict()["lm_head.weight"], tensors["lm_head.weight"])
    assert torch.equal(loaded.q_head.bias, torch.full((2,), -5.0))  # the missing tensor keeps its initial value


def test_save_pretrained_writes_the_checkpoint_format(tmp_path, checkpoint):
    from recurse.solver import Solver

    model = build_refiner(_model(checkpoint).model_config)  # a fresh model that knows only its config
    with pytest.raises(CheckpointError):  # without a task the folder could not be used: refuse to pretend
        Solver.from_pretrained(model.save_pretrained(tmp_path / "bare"))
    folder = model.save_pretrained(tmp_path / "saved", fields={"task": TASK.spec(), "vocab": TASK.vocab})
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "config.json", "model.safetensors"]
    card = (folder / "README.md").read_text()
    assert "PATH/TO" not in card and f'Solver.from_pretrained("{folder}")' in card  # the snippet runs as written
    assert "model-index:" not in card and "datasets:" not in card  # its data came from no Hub dataset
    solver = Solver.from_pretrained(folder)
    puzzle = TASK.format(TASK.generate(np.random.default_rng(2))[0])
    assert len(solver.solve(puzzle).answer) == 16
    reloaded = RecursiveRefiner.from_pretrained(folder)
    for name, tensor in model.state_dict().items():
        assert torch.equal(reloaded.state_dict()[name], tensor), name


def test_card_has_metadata_model_index_and_usage(hub, checkpoint):
    from huggingface_hub import ModelCard

    model = _model(checkpoint)
    fields = dict(
        recipe="trm-sudoku",
        source={"format": "official-trm", "repo_id": "org/official"},
        puzzle_identifiers=["<blank>", "abc", "abc|||t1"],
        metrics={
            "exact_accuracy": 0.25,
            "token_accuracy": 0.8125,
            "count": 8,
            "pass@2": 0.375,
            "valid_rate": float("nan"),
        },
    )
    model.push_to_hub("me/card", token=TOKEN, fields=fields, model_card_kwargs={"language": ["en"], "tags": ["demo"]})
    text = hub.repos["me/card"].commits[-1][1]["README.md"].decode()
    card = ModelCard(text)
    assert card.data.library_name == "recurse" and card.data.license == "apache-2.0"
    assert {"recurse", "recursive-reasoning", "sudoku", "trm", "demo"} <= set(card.data.tags)
    assert card.data.language == ["en"]  # model_card_kwargs reach the header
    assert card.data.datasets == ["sapientinc/sudoku-extreme"]  # the recipe reads it from the Hub
    assert card.data.base_model == "org/official"
    # Metric ids the Hub knows; counts, NaN and the valid rate (no Hub id) stay out of the index.
    results = {r.metric_name: (r.metric_type, r.metric_value) for r in card.data.eval_results}
    assert results == {
        "exact accuracy": ("exact_match", 0.25),
        "token accuracy": ("accuracy", 0.8125),
        "pass@2": ("exact_match", 0.375),
    }
    assert card.data.metrics == ["accuracy", "exact_match"]
    assert card.data.eval_results[0].dataset_type == "sapientinc/sudoku-extreme"
    assert "model-index:" in text and "pip install recurse-reasoners" in text and "pip install recurse\n" not in text
    assert 'recurse solve me/card --puzzle-id abc "' in text and 'puzzle_id="abc"' in text
    # Sudoku has an exact solver, so the card also shows verified solving.
    assert 'recurse solve me/card --puzzle-id abc --verify "' in text and 'puzzle_id="abc", verify=True)' in text
    example = text.split('recurse solve me/card --puzzle-id abc "')[1].split('"')[0]
    assert TASK.solve_all(TASK.parse(example)).unique, "the card's example is a real puzzle of its task"


def test_bundled_cards_are_what_the_generator_writes():
    from recurse.hub.card import render_model_card
    from recurse.hub.zoo import bundled_model_path, bundled_models

    for name, document in bundled_models().items():
        folder = bundled_model_path(name)
        assert (folder / "README.md").read_text() == render_model_card(document, folder, reference=name), name


def test_push_refuses_offline_and_bad_ids(checkpoint, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(RecurseError, match="HF_HUB_OFFLINE"):
        push_to_hub(checkpoint, "me/x")
    with pytest.raises(RecurseError, match="not a Hub repo id"):
        push_to_hub(checkpoint, "no-slash")


@pytest.mark.parametrize("endpoint", ["http://hub.invalid", "http://127.0.0.1:9"])
def test_unreachable_hub_fails_fast_with_advice(monkeypatch, tmp_path, endpoint):
    from recurse.hub.source import resolve_model

    _use_endpoint(monkeypatch, endpoint, tmp_path / "cache")
    start = time.perf_counter()
    with pytest.raises(CheckpointError) as caught:
        resolve_model("org/absent")
    elapsed = time.perf_counter() - start
    message = str(caught.value)
    assert elapsed < 10, f"took {elapsed:.1f} s"  # without the probe the client retries for ~25 s
    assert "\n" not in message and "the Hub cannot be reached" in message
    assert "not in the local Hugging Face cache" in message and all(name in message for name in BUNDLED)
    assert "recurse hub pull" not in message


def test_unreachable_hub_uses_the_cache(monkeypatch, tmp_path, checkpoint, caplog):
    cache = tmp_path / "cache"
    with serve({"org/tiny": save_pretrained(checkpoint, tmp_path / "repo")}) as server:
        _use_endpoint(monkeypatch, server.endpoint, cache)
        RecursiveRefiner.from_pretrained("org/tiny")
    _use_endpoint(monkeypatch, "http://127.0.0.1:9", cache)
    start = time.perf_counter()
    model = RecursiveRefiner.from_pretrained("org/tiny")
    assert time.perf_counter() - start < 10
    assert model.checkpoint_document.hub.commit == COMMIT
    assert "using the cached org/tiny" in caplog.text and "HF_HUB_OFFLINE=1" in caplog.text
    with pytest.raises(CheckpointError, match=r"ask for a revision the cache has \(org/tiny@main\)"):
        RecursiveRefiner.from_pretrained("org/tiny@v2")


def test_names_that_are_not_models_suggest_the_bundled_ones(tmp_path):
    from recurse.solver import Solver

    with pytest.raises(CheckpointError) as caught:
        Solver.from_pretrained("sudoku-6x7")
    message = str(caught.value)
    assert "did you mean sudoku-6x6?" in message and all(name in message for name in BUNDLED)
    evaluated = run_recurse("eval", "sudoku-6x6", cwd=tmp_path, check=False)
    assert evaluated.returncode != 0 and "recurse data build recipe=trm-sudoku-mini" in evaluated.stderr
    assert len(evaluated.stderr.strip().splitlines()) == 1


def _build(path: Path, seed: int = 0) -> dict:
    from recurse.config import DataConfig
    from recurse.data.prepare import build_from_config

    config = DataConfig(
        task=TASK.spec(), path=str(path), build={"train_size": 12, "test_size": 4, "num_aug": 2, "seed": seed}
    )
    return build_from_config(config, progress=False)


def _load(source: str, path: Path) -> dict:
    from recurse.config import DataConfig
    from recurse.data.prepare import build_from_config

    return build_from_config(DataConfig(task=TASK.spec(), path=str(path), build={"source": source}), progress=False)


def _arrays(root: Path) -> dict[str, np.ndarray]:
    return {
        f"{split}/{file.name}": np.load(file)
        for split in ("train", "test")
        for file in sorted((root / split).glob("*.npy"))
    }


def test_dataset_push_then_load_round_trip(hub, tmp_path, monkeypatch):
    from huggingface_hub import DatasetCard

    from recurse.data.hub_dataset import push_dataset

    built = _build(tmp_path / "built")
    first = push_dataset(tmp_path / "built", "org/s4", token=TOKEN).rsplit("/", 1)[1]
    files = hub.repos["datasets/org/s4"].commits[-1][1]
    assert "data/train-00000-of-00001.parquet" in files and "recurse/manifest.json" in files
    card = DatasetCard(files["README.md"].decode())
    assert "recurse" in card.data.tags and card.data.configs[0]["data_files"][0]["split"] == "train"
    assert card.data.task_categories == ["other"] and card.data.size_categories[0].endswith("<1K")
    assert card.data.license in ("apache-2.0", "unknown")
    assert built["fingerprint"] in card.text
    assert (
        "recurse data build sudoku task.box_rows=2 task.box_cols=2 build.source=generate build.train_size=12 "
        "build.test_size=4 build.num_aug=2 build.seed=0"
    ) in card.text

    loaded = _load("hub:org/s4", tmp_path / "loaded")
    assert loaded["fingerprint"] == built["fingerprint"] and loaded["hub"]["commit"] == first
    original, copy = _arrays(tmp_path / "built"), _arrays(tmp_path / "loaded")
    assert original.keys() == copy.keys() and len(original) == 10
    for name, array in original.items():
        assert copy[name].dtype == array.dtype and np.array_equal(copy[name], array), name

    _build(tmp_path / "other", seed=1)
    push_dataset(tmp_path / "other", "org/s4", token=TOKEN)
    pinned = _load(f"hub:org/s4@{first}", tmp_path / "pinned")
    assert pinned["fingerprint"] == built["fingerprint"]
    assert _load("hub:org/s4", tmp_path / "latest")["fingerprint"] != built["fingerprint"]

    # Offline, from the cache: the same arrays without the server.
    _use_endpoint(monkeypatch, "http://127.0.0.1:9", tmp_path / "hub-cache", offline=True)
    again = _load(f"hub:org/s4@{first}", tmp_path / "offline")
    assert again["fingerprint"] == built["fingerprint"]
    for name, array in _arrays(tmp_path / "offline").items():
        assert np.array_equal(array, original[name]), name


def test_pushed_rows_carry_the_puzzle_text_and_a_dataset_pushed_without_it_still_loads(hub, tmp_path, monkeypatch):
    import io

    import pyarrow.parquet as pq
    from huggingface_hub import DatasetCard

    from recurse.data import hub_dataset

    built = _build(tmp_path / "built")
    hub_dataset.push_dataset(tmp_path / "built", "org/text", token=TOKEN)
    files = hub.repos["datasets/org/text"].commits[-1][1]
    rows = pq.read_table(io.BytesIO(files["data/test-00000-of-00001.parquet"])).to_pylist()
    assert len(rows) == 4 and all(isinstance(row["puzzle_text"], str) for row in rows)
    for row in rows:
        puzzle = TASK.decode(np.array(row["inputs"], dtype=np.uint8))
        assert np.array_equal(TASK.parse(row["puzzle_text"]), puzzle)
        solution = TASK.parse_answer(puzzle, row["answer_text"])
        assert TASK.is_solution(puzzle, solution) and np.array_equal(TASK.encode(solution), row["labels"])
    card = DatasetCard(files["README.md"].decode()).text
    assert "`puzzle_text` and `answer_text`" in card
    assert (
        f"## Example\n\nThe first test example's `puzzle_text` and `answer_text`:\n\n```text\n{rows[0]['puzzle_text']}\n```\n\n```text\n{rows[0]['answer_text']}\n```"
        in card
    )
    # As a dataset pushed before the text columns existed (or by a task not loaded when it was pushed).
    monkeypatch.setattr(hub_dataset, "_text_task", lambda manifest: None)
    hub_dataset.push_dataset(tmp_path / "built", "org/before", token=TOKEN)
    files = hub.repos["datasets/org/before"].commits[-1][1]
    columns = pq.read_schema(io.BytesIO(files["data/train-00000-of-00001.parquet"])).names
    assert columns == ["inputs", "labels", "puzzle", "group", "puzzle_identifier"]
    assert "puzzle_text" not in files["README.md"].decode() and "## Example" not in files["README.md"].decode()
    for source in ("hub:org/before", "hub:org/text"):
        loaded = _load(source, tmp_path / source.split("/")[1])
        copy = _arrays(tmp_path / source.split("/")[1])
        assert loaded["fingerprint"] == built["fingerprint"], source
        for name, array in _arrays(tmp_path / "built").items():
            assert np.array_equal(copy[name], array), (source, name)


def test_dataset_load_refuses_another_task(hub, tmp_path):
    from recurse.config import DataConfig
    from recurse.data.hub_dataset import push_dataset
    from recurse.data.prepare import build_from_config

    _build(tmp_path / "built")
    push_dataset(tmp_path / "built", "org/s4", token=TOKEN)
    config = DataConfig(task={"kind": "sudoku"}, path=str(tmp_path / "x"), build={"source": "hub:org/s4"})
    with pytest.raises(RecurseError, match="holds data of the task"):
        build_from_config(config, progress=False)


def test_data_push_command(tmp_path):
    _build(tmp_path / "built")
    env = {"HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "1", "HF_TOKEN": TOKEN}
    with serve() as server:
        env["HF_ENDPOINT"] = server.endpoint
        pushed = run_recurse("data", "push", str(tmp_path / "built"), "org/cli", env=env)
        assert "pushed" in pushed.stdout and "datasets/org/cli" in server.repos
        # Any datasets user can read it from the Hub by name.
        script = (
            "import datasets, json; d = datasets.load_dataset('org/cli'); "
            "print(json.dumps({k: [v.num_rows, v[0]['inputs'], v[0]['puzzle_text']] for k, v in d.items()}))"
        )
        read = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env={**os.environ, **env}
        )
        assert read.returncode == 0, read.stderr[-2000:]
        rows = json.loads(read.stdout.strip().splitlines()[-1])
        inputs = np.load(tmp_path / "built" / "train" / "all__inputs.npy")
        first = TASK.format(TASK.decode(inputs[0]))
        assert rows["train"] == [len(inputs), inputs[0].tolist(), first] and rows["test"][0] == 4
    env.pop("HF_ENDPOINT")
    refused = run_recurse("data", "push", str(tmp_path), "org/cli", env=env, check=False)
    assert refused.returncode != 0 and "not a dataset built by `recurse data build`" in refused.stderr


def test_hub_datasets_download_then_build_offline(tmp_path):
    """``hub:<dataset>`` sources that hold CSV files go through hf_hub_download (repo_type=dataset) and the cache."""
    fixtures = Path(__file__).parents[1] / "fixtures" / "data"
    sudoku = tmp_path / "sudoku-repo"
    sudoku.mkdir()
    lines = (fixtures / "sudoku-extreme-1k.csv").read_text().splitlines()
    (sudoku / "train.csv").write_text("\n".join(lines[:41]) + "\n")
    (sudoku / "test.csv").write_text("\n".join([lines[0], *lines[41:51]]) + "\n")
    env = {"HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "1"}
    sudoku_args = [
        "recipe=trm-sudoku",
        "data.build.source=hub:sapientinc/sudoku-extreme",
        "data.build.train_size=20",
        "data.build.test_size=5",
        "data.build.num_aug=1",
    ]
    arc_args = [
        "arc",
        "build.source=hub:org/arc",
        "task.subsets=[training, evaluation]",
        "task.test_subset=evaluation",
        "build.num_aug=1",
    ]
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
    missing = run_recurse(
        "data",
        "build",
        "recipe=trm-sudoku",
        "data.build.source=hub:org/absent",
        f"data.path={tmp_path / 's3'}",
        env=offline,
        check=False,
    )
    assert missing.returncode != 0 and "HF_HUB_OFFLINE is set and it is not cached" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1

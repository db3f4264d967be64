"""What a new user of a task that is not a grid meets on the command line: a copied recipe without the
source's expected figures and with a --plugin hint, training and solving a plugin task declared by
positions and values, --verify on a task with only solve(), --save-gif on non-grid tasks, and a task with
more values than byte tokens hold refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from recurse.tasks import build_task
from tests.integration.conftest import make_checkpoint, run_recurse

ROOT = Path(__file__).parents[2]
PARITY_FILE = ROOT / "tests" / "fixtures" / "tasks" / "parity_chain.py"
PARITY_PUZZLE = "? 1 ? ? ? 0^1=1 1^2=0 1^3=1 3^4=0"
TINY = [
    "model.hidden_size=16",
    "model.schedule.latent_steps=1",
    "model.schedule.deep_steps=1",
    "model.schedule.layers=1",
    "model.halting.max_steps=2",
    "model.forward_dtype=float32",
    "data.build.train_size=40",
    "data.build.test_size=8",
    "data.build.num_aug=2",
    "training.global_batch_size=16",
    "training.max_steps=3",
    "training.eval_every_steps=3",
    "training.lr_warmup_steps=1",
    "evaluation.batch_size=8",
    "logging.progress=false",
    "runtime.threads=1",
]


def test_recipes_copy_drops_expected_and_points_at_the_plugin(tmp_path):
    copied = run_recurse("recipes", "copy", "trm-colouring-mini", "mine.yaml", cwd=tmp_path)
    text = (tmp_path / "mine.yaml").read_text()
    assert "expected" not in yaml.safe_load(text), "the source's figures do not describe an edited copy"
    assert "# expected: left out (the figures trm-colouring-mini reached" in text
    assert "--plugin my_task.py train recipe=mine.yaml" in copied.stdout
    # A recipe whose task a plugin file defines: the hint is the command that trains it.
    recipe = yaml.safe_load(text)
    recipe["data"]["task"] = {"kind": "parity_chain", "variables": 5}
    (tmp_path / "parity.yaml").write_text(yaml.safe_dump(recipe))
    with_plugin = run_recurse(
        "--plugin", str(PARITY_FILE), "recipes", "copy", "parity.yaml", "again.yaml", cwd=tmp_path
    )
    assert f"recurse --plugin {PARITY_FILE} train recipe=again.yaml" in with_plugin.stdout
    without = run_recurse("recipes", "copy", "parity.yaml", "third.yaml", cwd=tmp_path)
    assert "'parity_chain' is not registered" in without.stdout and "--plugin" in without.stdout
    block = "name: x\nexpected:\n  exact_accuracy: 0.5\n  steps: 10\nruntime: {seed: 0}\n"
    (tmp_path / "block.yaml").write_text(block)
    run_recurse("recipes", "copy", "block.yaml", "block-copy.yaml", cwd=tmp_path)
    kept = yaml.safe_load((tmp_path / "block-copy.yaml").read_text())
    assert kept == {"name": "block-copy", "runtime": {"seed": 0}}


def test_a_plugin_task_declared_by_positions_trains_solves_verifies_and_animates(tmp_path):
    plugin = ["--plugin", str(PARITY_FILE)]
    run_recurse("recipes", "copy", "trm-colouring-mini", "parity.yaml", cwd=tmp_path)
    recipe = yaml.safe_load((tmp_path / "parity.yaml").read_text())
    recipe["data"] |= {"task": {"kind": "parity_chain", "variables": 5}, "path": str(tmp_path / "data")}
    (tmp_path / "parity.yaml").write_text(yaml.safe_dump(recipe))
    run = tmp_path / "run"
    run_recurse(*plugin, "train", "recipe=parity.yaml", *TINY, f"out_dir={run}", cwd=tmp_path)
    meta = json.loads(next((run / "checkpoints").iterdir()).joinpath("config.json").read_text())
    assert meta["task"] == {"kind": "parity_chain", "variables": 5} and "0^1=1" in meta["vocab"]

    record = json.loads(run_recurse(*plugin, "solve", str(run), "--verify", "--json", PARITY_PUZZLE).stdout)
    assert record["valid"] and record["status"] == "solved" and record["method"] in ("solver", "network")
    assert record["answer"].split()[5:] == PARITY_PUZZLE.split()[5:] and record["nodes"] is None
    shown = run_recurse(*plugin, "solve", str(run), "--verify", "--save-gif", str(tmp_path / "p.gif"), PARITY_PUZZLE)
    assert "uncounted" not in shown.stdout and ("exact solver" in shown.stdout or "network's answer" in shown.stdout)
    assert Image.open(tmp_path / "p.gif").n_frames == 3, "the puzzle, then each of the 2 steps"


SHIPPED_NON_GRID = {
    "colouring-adjacency": ({"kind": "colouring", "vertices": 6, "max_edges": 8}, "R?????|0-1 1-2 2-3 3-4 4-5"),
    "colouring-edges": (
        {"kind": "colouring", "vertices": 6, "max_edges": 8, "layout": "edges"},
        "R?????|0-1 1-2 2-3 3-4 4-5",
    ),
    "sat": ({"kind": "sat", "variables": 4, "clauses": 3}, "????|1 -2 3,-1 2 4,2 3 -4"),
}


@pytest.mark.parametrize("name", sorted(SHIPPED_NON_GRID))
def test_the_shipped_non_grid_tasks_verify_honestly_and_animate(tmp_path, name):
    spec, puzzle = SHIPPED_NON_GRID[name]
    task = build_task(spec)
    checkpoint = make_checkpoint(tmp_path / name, task, recipe="trm-colouring-mini")
    gif = tmp_path / f"{name}.gif"
    out = run_recurse("solve", str(checkpoint), "--verify", "--save-gif", str(gif), puzzle)
    assert "uncounted" not in out.stdout and "Traceback" not in out.stderr
    answer = out.stdout.splitlines()[0]
    assert task.is_solution(task.parse(puzzle), task.parse_answer(task.parse(puzzle), answer))
    frames = Image.open(gif)
    assert frames.n_frames == 3
    frames.seek(2)
    assert np.asarray(frames.convert("RGB")).std() > 10, "a drawing, not a blank frame"


def test_a_task_with_more_values_than_a_byte_holds_is_refused_in_one_line(tmp_path):
    out = run_recurse(
        "--plugin",
        str(ROOT / "tests" / "fixtures" / "tasks" / "big_alphabet.py"),
        "data",
        "build",
        "trm-colouring-mini",
        "task={kind: big_alphabet}",
        f"path={tmp_path / 'data'}",
        cwd=tmp_path,
        check=False,
    )
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "300 values, but tokens are stored as bytes" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "data").exists()

"""Every paper recipe builds its data from the official files and trains at full size on a CPU.

Slow (full-size models on 30×30 grids): run with ``python -m pytest -m slow``. Only the batch, the
number of steps and the evaluation are cut down; the model is the recipe's own, in fp32 because this
check is about the computation, not the precision.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.integration.conftest import run_recurse

DATA = Path(__file__).parents[1] / "fixtures" / "data"
SOURCES = {  # the official files (or a draw of them) and a small build of each
    "sudoku": [
        f"data.build.source={DATA / 'sudoku-extreme-1k.csv'}",
        "data.build.train_size=32",
        "data.build.test_size=8",
        "data.build.num_aug=1",
    ],
    "maze": [
        f"data.build.source={DATA / 'maze-hard-100.csv'}",
        "data.build.train_size=16",
        "data.build.test_size=8",
        "data.build.num_aug=1",
    ],
    "arc": [f"data.build.source={DATA / 'arc'}", "data.build.num_aug=1"],
}
RECIPES = {
    "trm-sudoku": "sudoku",
    "trm-sudoku-att": "sudoku",
    "trm-singlez-sudoku": "sudoku",
    "trm-hier6-sudoku": "sudoku",
    "hrm-sudoku": "sudoku",
    "baseline-sudoku": "sudoku",
    "trm-maze": "maze",
    "hrm-maze": "maze",
    "trm-arc1": "arc",
    "trm-arc2": "arc",
    "hrm-arc1": "arc",
}
SHORT_RUN = [
    "training.global_batch_size=4",
    "training.epochs=null",
    "training.max_steps=2",
    "training.eval_every_epochs=null",
    "evaluation.batch_size=4",
    "evaluation.limit=4",
    "evaluation.halting={kind: fixed, max_steps: 1}",
    "model.forward_dtype=float32",
    "logging.progress=false",
]


@pytest.fixture(scope="module")
def datasets(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("paper-data")
    built = {}
    for task, overrides in SOURCES.items():
        recipe = {"sudoku": "trm-sudoku", "maze": "trm-maze", "arc": "trm-arc1"}[task]
        path = root / task
        run_recurse("data", "build", f"recipe={recipe}", f"data.path={path}", *overrides)
        built[task] = path
    return built


@pytest.mark.slow
@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_paper_recipe_trains_at_full_size(recipe, datasets, tmp_path):
    data = datasets[RECIPES[recipe]]  # trm-arc2 trains on the ARC-AGI-1 fixture: only its data source differs
    run = tmp_path / "run"
    run_recurse("train", f"recipe={recipe}", f"data.path={data}", f"out_dir={run}", *SHORT_RUN)
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    losses = [r["loss"] for r in records if r["kind"] == "train"]
    assert losses and all(math.isfinite(loss) for loss in losses)
    assert (run / "final_metrics.json").is_file()
    saved = json.loads(next((run / "checkpoints").glob("step_*/config.json")).read_text())
    assert saved["model"]["hidden_size"] == 512

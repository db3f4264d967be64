"""ARC end to end through the installed command: build from Kaggle-layout files, train, vote, submit."""

from __future__ import annotations

import json
from pathlib import Path

from recurse.hub.repos import save_pretrained
from tests.integration.conftest import run_recurse

ARC_DATA = Path(__file__).parents[1] / "fixtures" / "data" / "arc"

# trm-arc1 at toy size: the official recipe's data procedure and optimiser, a model small enough for a test.
TINY_ARC = [
    "model.hidden_size=16",
    "model.core.num_heads=2",
    "model.schedule.latent_steps=1",
    "model.schedule.deep_steps=1",
    "model.schedule.layers=1",
    "model.halting.max_steps=2",
    "model.puzzle_embedding.dim=16",
    "model.puzzle_embedding.prefix_len=2",
    "model.forward_dtype=float32",
    f"data.build.source={ARC_DATA}",
    "data.build.num_aug=2",
    "training.global_batch_size=8",
    "training.epochs=null",
    "training.max_steps=6",
    "training.eval_every_epochs=null",
    "training.lr_warmup_steps=1",
    "evaluation.batch_size=16",
    "logging.progress=false",
    "runtime.threads=1",
]


def test_arc_build_train_and_vote(tmp_path):
    data = tmp_path / "arc"
    built = run_recurse(
        "data", "build", "recipe=trm-arc1", f"data.path={data}", *[o for o in TINY_ARC if o.startswith("data.")]
    )
    assert "train 111 examples in 9 groups, test 12" in built.stdout
    run = tmp_path / "run"
    run_recurse("train", "recipe=trm-arc1", f"data.path={data}", f"out_dir={run}", *TINY_ARC)
    final = json.loads((run / "final_metrics.json").read_text())
    assert {"pass@1", "pass@2", "pass@1000", "exact_accuracy"} <= set(final)
    submission = json.loads((run / "submission.json").read_text())
    originals = json.loads((data / "test_puzzles.json").read_text())
    assert set(submission) == set(originals)
    for task, entries in submission.items():
        assert len(entries) == len(originals[task]["test"])
        assert all(set(entry) == {"attempt_1", "attempt_2"} for entry in entries)

    evaluated = run_recurse("eval", str(run), "halting=fixed")
    assert "pass@2=" in evaluated.stdout
    assert (run / "checkpoints").is_dir()
    record = json.loads(next((run / "checkpoints").glob("step_*/eval_metrics.json")).read_text())
    assert record["pass@1"] <= record["pass@2"] <= record["pass@1000"]

    # Another build (another seed) numbers its puzzles differently: evaluating on it is refused.
    other = tmp_path / "arc-other"
    run_recurse(
        "data",
        "build",
        "recipe=trm-arc1",
        f"data.path={other}",
        "data.build.seed=1",
        *[o for o in TINY_ARC if o.startswith("data.")],
    )
    refused = run_recurse("eval", str(run), f"data={other}", check=False)
    assert refused.returncode != 0 and "puzzle ids do not match" in refused.stderr

    # Solving: an ARC model answers the tasks it learned an embedding for, named by --puzzle-id.
    task_id = next(iter(originals))
    question = originals[task_id]["test"][0]["input"]
    solved = run_recurse("solve", str(run), "--json", "--puzzle-id", task_id, json.dumps(question))
    answer = json.loads(solved.stdout)
    assert answer["puzzle"] == "|".join("".join(map(str, row)) for row in question)
    assert set(answer) >= {"answer", "valid", "steps"}
    run_recurse("solve", str(run), "--trace", "--puzzle-id", task_id, json.dumps(question))
    unnamed = run_recurse("solve", str(run), json.dumps(question), check=False)
    assert unnamed.returncode != 0 and "--puzzle-id" in unnamed.stderr and "Traceback" not in unnamed.stderr

    # Its model card shows how to name a puzzle: an original task, not an augmented copy.
    best = next((run / "checkpoints").glob("step_*"))
    card = (save_pretrained(best, tmp_path / "card", repo_id="me/arc") / "README.md").read_text()
    named = card.split("recurse solve me/arc --puzzle-id ")[1].split()[0]
    assert named in json.loads((data / "identifiers.json").read_text())
    assert "|||" not in named and f'puzzle_id="{named}"' in card


def test_arc_errors_are_one_line(tmp_path):
    missing = run_recurse(
        "data", "build", "recipe=trm-arc1", f"data.path={tmp_path / 'x'}", f"data.build.source={tmp_path}", check=False
    )
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert "no arc-agi_training_challenges.json" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    bad_metric = run_recurse(
        "train",
        "recipe=trm-arc1",
        *TINY_ARC,
        f"data.path={tmp_path / 'y'}",
        f"out_dir={tmp_path / 'run'}",
        "evaluation.best_metric=pass@3",
        check=False,
    )
    assert bad_metric.returncode != 0 and "evaluation.best_metric 'pass@3'" in bad_metric.stderr

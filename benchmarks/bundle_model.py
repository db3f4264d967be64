"""Copy a trained checkpoint into the package's model zoo (models/NAME/) with its measured accuracy.

Usage: python benchmarks/bundle_model.py RUN_OR_CHECKPOINT NAME "description" "eval set name" [EVAL_JSON]

The accuracy recorded is the checkpoint's own held-out evaluation (config.json → metrics), or, when
EVAL_JSON is given, the ``eval_metrics.json`` written by ``recurse eval CHECKPOINT data=DIR``; the
evaluated dataset (path and fingerprint) is then recorded as the model's dataset. A strategy the
previous model of that name recommended (``bundled.strategy``, from the test-time-scaling measurements of
docs/results.md) is kept; measure again and edit it when the new model differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from recurse.checkpoints.document import read_document, write_document
from recurse.data.prepare import dataset_fingerprint
from recurse.hub.card import render_model_card
from recurse.hub.repos import save_pretrained
from recurse.hub.source import find_checkpoint_folder

# eval_metrics.json fields that are not the model's metrics (puzzles_per_s measures the machine it ran on)
RECORD_ONLY = {"checkpoint", "data", "split", "halting", "strategy", "sample_steps", "puzzles_per_s"}


def portable_path(path: str) -> str:
    """``path`` relative to the working folder when it lies below it: the card is read on other machines."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.name


def main(source: str, name: str, description: str, eval_set: str, eval_json: str | None = None) -> None:
    checkpoint = find_checkpoint_folder(Path(source))
    out = Path(__file__).parents[1] / "models" / name
    # The strategy a bundled model's measurements support stays until it is measured again (docs/results.md).
    previous = read_document(out) if (out / "config.json").is_file() else None
    strategy = previous.bundled.strategy if previous is not None and previous.bundled is not None else None
    save_pretrained(checkpoint, out, repo_id=None)
    document = read_document(out)
    if eval_json is not None:
        record = json.loads(Path(eval_json).read_text())
        document = document.with_fields(
            {
                "metrics": {k: v for k, v in record.items() if k not in RECORD_ONLY},
                "dataset": {"path": record["data"], "fingerprint": dataset_fingerprint(record["data"])},
            }
        )
    if document.dataset is not None and document.dataset.path:  # the evaluated set's, or the training run's
        document = document.with_fields(
            {"dataset": {**document.dataset.model_dump(), "path": portable_path(document.dataset.path)}}
        )
    accuracy = document.metrics.get("exact_accuracy")
    steps = document.training.step if document.training else None
    document = document.with_fields(
        {
            "bundled": {
                "name": name,
                "description": description,
                "eval_set": eval_set,
                "accuracy": accuracy,
                "steps": steps,
                "strategy": strategy,
            }
        }
    )
    write_document(out, document)
    (out / "README.md").write_text(render_model_card(document, out, reference=name))
    print(f"bundled {checkpoint} as {out} ({accuracy} exact on {eval_set})")


if __name__ == "__main__":
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__.strip().splitlines()[2])
    main(*sys.argv[1:])

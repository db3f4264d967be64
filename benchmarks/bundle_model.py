"""Copy a trained checkpoint into the package's model zoo (models/NAME/) with its measured accuracy.

Usage: python benchmarks/bundle_model.py RUN_OR_CHECKPOINT NAME "description" "eval set name"
The accuracy recorded is the checkpoint's own held-out evaluation (config.json → metrics).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from recurse.hub import save_pretrained
from recurse.model_card import render_model_card
from recurse.solver import find_checkpoint_folder


def main(source: str, name: str, description: str, eval_set: str) -> None:
    checkpoint = find_checkpoint_folder(Path(source))
    out = Path(__file__).parents[1] / "models" / name
    save_pretrained(checkpoint, out, repo_id=None)
    document = json.loads((out / "config.json").read_text())
    metrics = document.get("metrics", {})
    document["bundled"] = {"name": name, "description": description, "eval_set": eval_set,
                           "accuracy": metrics.get("exact_accuracy"), "steps": document["training"]["step"]}
    (out / "config.json").write_text(json.dumps(document, indent=2) + "\n")
    (out / "README.md").write_text(render_model_card(document, out, repo_id=None).replace("PATH/TO/CHECKPOINT", name))
    print(f"bundled {checkpoint} as {out} ({metrics.get('exact_accuracy')} exact on {eval_set})")


if __name__ == "__main__":
    main(*sys.argv[1:5])

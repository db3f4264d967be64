#!/usr/bin/env bash
# Train the default CPU recipe from scratch and report held-out exact accuracy against training time.
# Usage: benchmarks/mini_sudoku.sh [WORKDIR]   (run on an otherwise idle machine: timings are wall-clock)
set -euo pipefail
work="${1:-$(mktemp -d)}"
cd "$work"
recurse train recipe=trm-sudoku-mini logging.progress=false
python - <<'PY'
import json
for line in open("runs/trm-sudoku-mini/metrics.jsonl"):
    record = json.loads(line)
    if record["kind"] == "eval":
        print(f"step {record['step']:>5}  train {record['train_seconds']:>6.0f}s  exact {record['exact_accuracy']:.3f}  "
              f"tokens {record['token_accuracy']:.3f}  valid {record['valid_rate']:.3f}  ({record['count']} held-out puzzles)")
PY

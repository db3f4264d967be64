#!/usr/bin/env bash
# Train a CPU recipe from scratch and report held-out accuracy against training time.
# Usage: benchmarks/learning_curve.sh [RECIPE] [WORKDIR] [KEY=VALUE ...]
#   RECIPE defaults to trm-sudoku-mini (also: baseline-sudoku-mini, trm-sudoku9-mini, trm-maze-mini).
#   Run on an otherwise idle machine: the budget is wall-clock training time.
set -euo pipefail
recipe="${1:-trm-sudoku-mini}"
work="${2:-$(mktemp -d)}"
shift $(( $# > 2 ? 2 : $# ))
cd "$work"
recurse train recipe="$recipe" logging.progress=false out_dir="runs/$recipe" "$@"
RUN="runs/$recipe" python - <<'PY'
import json
import os

for line in open(os.path.join(os.environ["RUN"], "metrics.jsonl")):
    record = json.loads(line)
    if record["kind"] == "eval":
        print(f"step {record['step']:>5}  train {record['train_seconds']:>6.0f}s  exact {record['exact_accuracy']:.3f}  "
              f"tokens {record['token_accuracy']:.3f}  valid {record.get('valid_rate', float('nan')):.3f}  "
              f"({record['count']} held-out puzzles)")
PY

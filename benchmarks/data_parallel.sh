#!/usr/bin/env bash
# Training steps per second of a recipe with the machine's cores used two ways: one process whose threads
# share them (recurse train's default), and one single-threaded process per core under torchrun (gloo),
# each process taking its share of the global batch. Same steps, same global batch, fresh run folders.
# Usage: benchmarks/data_parallel.sh RECIPE [STEPS] [KEY=VALUE ...]   (run where the recipe's data/ is)
#   Run on an otherwise idle machine. Prints one line per layout: steps, training seconds, steps/s.
set -euo pipefail
recipe="${1:?usage: benchmarks/data_parallel.sh RECIPE [STEPS] [KEY=VALUE ...]}"
steps="${2:-200}"
shift $(( $# > 2 ? 2 : $# ))
cores="$(python -c 'import os; print(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())')"
work="$(mktemp -d)"
common=(recipe="$recipe" training.max_steps="$steps" training.eval_every_steps="$steps" logging.progress=false "$@")
report() {
  RUN="$2" LAYOUT="$1" python - <<'PY'
import json
import os

record = [json.loads(line) for line in open(os.path.join(os.environ["RUN"], "metrics.jsonl")) if '"eval"' in line][-1]
print(f"{os.environ['LAYOUT']:<36} {record['step']} steps  {record['train_seconds']:.1f} s  "
      f"{record['step'] / record['train_seconds']:.2f} steps/s")
PY
}
recurse train "${common[@]}" out_dir="$work/threads" > "$work/threads.log" 2>&1 || { tail -3 "$work/threads.log"; exit 1; }
report "1 process x $cores threads" "$work/threads"
OMP_NUM_THREADS=1 torchrun --standalone --nproc-per-node "$cores" -m recurse.cli train "${common[@]}" \
  runtime.threads=1 out_dir="$work/processes" > "$work/processes.log" 2>&1 || { tail -3 "$work/processes.log"; exit 1; }
report "$cores processes x 1 thread (torchrun)" "$work/processes"
rm -rf "$work"

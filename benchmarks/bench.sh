#!/usr/bin/env bash
# Throughput of the full-size trm-sudoku model (MLP-t, hidden 512, T=3, n=6) and of the CPU recipes' models.
# Usage: benchmarks/bench.sh [DTYPE] [COMPILE]   Prints one JSON line per configuration; run it three times on
# an idle machine and take medians (docs/performance.md). COMPILE=true measures runtime.compile=true.
# trm-sudoku9-mini stands for trm-sudoku9-cpu too: the two recipes build the same model with the same batch.
set -euo pipefail
dtype="${1:-auto}"
compile="${2:-false}"
recurse bench recipe=trm-sudoku batch=32 steps=3 dtype="$dtype" compile="$compile"
recurse bench recipe=trm-sudoku-mini batch=128 steps=10 dtype="$dtype" compile="$compile"
recurse bench recipe=trm-sudoku9-mini batch=64 steps=5 dtype="$dtype" compile="$compile"
recurse bench recipe=trm-sat-mini batch=64 steps=5 dtype="$dtype" compile="$compile"
recurse bench recipe=trm-colouring10-mini batch=128 steps=5 dtype="$dtype" compile="$compile"

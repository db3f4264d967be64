"""What a training run prints when its output goes to a log: a header line, progress lines, the summary."""

from __future__ import annotations

from tests.integration.conftest import TINY_OVERRIDES, run_recurse


def test_a_logged_run_shows_progress_summary_and_a_shortfall_warning(tmp_path, tiny_data):
    overrides = [o for o in TINY_OVERRIDES if o != "logging.progress=false"]
    # Output is captured through pipes, so not a terminal: progress comes as lines, not as a bar.
    result = run_recurse(
        "train",
        "recipe=trm-sudoku-mini",
        *overrides,
        f"data.path={tiny_data}",
        f"out_dir={tmp_path / 'run'}",
        "training.max_steps=8",
        "logging.progress_every_seconds=0.001",
        "expected={exact_accuracy: 1.0, steps: 8, tolerance: 0.01}",
        cwd=tmp_path,
    )
    out = result.stdout.splitlines()
    assert out[0].startswith("trm-sudoku-mini: trm/mlp hidden 16") and len(out[0].splitlines()) == 1
    assert "· device cpu · dtype " in out[0]  # the first line says where and in what precision it computes
    assert "global_batch_size" not in result.stdout, "the whole config is printed only with logging.verbose"
    progress = [line for line in result.stderr.splitlines() if line.startswith("step ")]
    assert progress and all("/8 (" in line and "steps/s" in line and "ETA" in line for line in progress)
    summary = [line for line in out if line.startswith("trained 8 steps in ")]
    assert len(summary) == 1 and "on 8 held-out puzzles" in summary[0] and str(tmp_path / "run") in summary[0]
    # An untrained model is far below an expected 100%: the run says so instead of ending quietly.
    assert any(
        line.startswith("warning: exact accuracy") and "documented 100.0% after 8 steps" in line for line in out
    ), result.stdout


def test_verbose_prints_the_whole_config(tmp_path, tiny_data):
    result = run_recurse(
        "train",
        "recipe=trm-sudoku-mini",
        *TINY_OVERRIDES,
        f"data.path={tiny_data}",
        f"out_dir={tmp_path / 'run'}",
        "training.max_steps=1",
        "logging.verbose=true",
        "expected=null",
        cwd=tmp_path,
    )
    assert "global_batch_size: 16" in result.stdout and "warning:" not in result.stdout

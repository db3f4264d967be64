"""Training progress for people: lines in a log, the closing summary and the shortfall warning."""

from __future__ import annotations

import io

import pytest

from recurse.config import ExpectedResult, RunConfig, validate_config
from recurse.errors import ConfigError
from recurse.recipe import load_recipe
from recurse.training.progress import Progress, format_duration, shortfall_warning, summary_line, time_cap_warning


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_log_gets_a_line_every_interval_with_step_loss_rate_and_eta():
    clock, stream = FakeClock(), io.StringIO()  # a StringIO is not a terminal, as a log file is not
    progress = Progress(total=100, every_seconds=30, stream=stream, clock=clock)
    for _ in range(10):  # 10 steps in 20 s: no line yet
        clock.now += 2
        progress.advance()
    assert stream.getvalue() == ""
    progress.note(loss=0.4123)
    for _ in range(10):  # 20 steps in 40 s: one line once 30 s have passed
        clock.now += 2
        progress.advance()
    lines = stream.getvalue().splitlines()
    assert lines == ["step 15/100 (15%) · loss 0.4123 · 0.50 steps/s · ETA 2m50s"]
    progress.close()


def test_progress_can_be_off_and_without_a_total():
    clock, stream = FakeClock(), io.StringIO()
    silent = Progress(total=10, enabled=False, every_seconds=1, stream=stream, clock=clock)
    clock.now += 5
    silent.advance()
    assert stream.getvalue() == ""
    open_ended = Progress(total=None, every_seconds=1, stream=stream, clock=clock)
    clock.now += 5
    open_ended.advance(5)
    assert stream.getvalue() == "step 5 · 1.00 steps/s\n"  # no total, so no ETA


@pytest.mark.parametrize("seconds, text", [(0.4, "0s"), (42, "42s"), (425, "7m05s"), (7380, "2h03m")])
def test_durations_are_short(seconds, text):
    assert format_duration(seconds) == text


def test_summary_line_names_steps_time_accuracy_and_folder():
    line = summary_line(steps=1321, seconds=612, metrics={"exact_accuracy": 0.992, "count": 500}, run_dir="runs/x")
    assert line == "trained 1321 steps in 10m12s · exact accuracy 99.2% on 500 held-out puzzles · runs/x"


def test_shortfall_warning_only_when_far_below_the_documented_figure():
    expected = ExpectedResult(exact_accuracy=0.99, steps=1321)
    assert shortfall_warning(expected, steps=1321, metrics={"exact_accuracy": 0.97}, stopped_by_time=False) is None
    assert shortfall_warning(None, steps=5, metrics={"exact_accuracy": 0.0}, stopped_by_time=False) is None
    warning = shortfall_warning(expected, steps=94, metrics={"exact_accuracy": 0.0}, stopped_by_time=True)
    assert warning.startswith(
        "warning: exact accuracy 0.0% is far below this recipe's documented 99.0% after 1321 steps"
    )
    assert "made 94 steps (training.max_minutes ended it)" in warning


def test_a_task_with_several_answers_is_judged_by_its_checker():
    metrics = {"exact_accuracy": 0.12, "valid_rate": 0.962, "count": 500}
    line = summary_line(steps=900, seconds=1800, metrics=metrics, run_dir="runs/sat", headline="valid_rate")
    assert line == "trained 900 steps in 30m00s · checker-valid 96.2% (exact 12.0%) on 500 held-out puzzles · runs/sat"
    expected = ExpectedResult(valid_rate=0.95, steps=900)
    assert expected.metric == "valid_rate"
    # The label is one answer of many, so a low exact accuracy is no shortfall; a low checker-valid is.
    assert shortfall_warning(expected, steps=900, metrics=metrics, stopped_by_time=False) is None
    warning = shortfall_warning(expected, steps=900, metrics={**metrics, "valid_rate": 0.5}, stopped_by_time=False)
    assert warning == "warning: checker-valid 50.0% is far below this recipe's documented 95.0% after 900 steps"


def test_time_cap_warning_when_minutes_end_a_step_budgeted_run_early():
    assert time_cap_warning(steps=1321, max_steps=1321, max_minutes=10, run_dir="r") is None
    warning = time_cap_warning(steps=94, max_steps=1321, max_minutes=10, run_dir="runs/x")
    assert "training.max_minutes=10 stopped the run at step 94 of 1321" in warning
    assert "recurse train resume=runs/x training.max_minutes=null" in warning


def test_expected_block_is_validated():
    config = load_recipe("trm-sudoku-mini")
    assert config.expected == ExpectedResult(exact_accuracy=0.998, steps=1321)
    raw = config.model_dump(mode="json")
    for bad, message in [
        ({"exact_accuracy": 1.5}, "expected.exact_accuracy"),
        ({"exact_accuracy": 0.9, "typo": 1}, "unknown key expected.typo"),
        ({"steps": 5}, "give one documented figure"),
        ({"exact_accuracy": 0.9, "valid_rate": 0.9}, "give one documented figure"),
    ]:
        with pytest.raises(ConfigError, match=message):
            validate_config(RunConfig, {**raw, "expected": bad})


def test_cpu_recipes_are_step_budgeted_and_documented():
    from recurse.recipe import recipe_names

    minis = [name for name in recipe_names() if name.endswith("-mini")]
    assert "trm-sudoku-mini" in minis and "baseline-sudoku-mini" in minis
    for name in minis:
        config = load_recipe(name)
        # A fixed number of optimiser steps makes the result the same on a slow or a busy machine.
        assert config.training.max_steps and config.training.max_minutes is None, name
        assert config.expected is not None and config.expected.steps == config.training.max_steps, name


def test_a_step_budget_repeats_the_learning_rates_of_the_timed_runs():
    """The documented runs stopped on time, when the schedule's total was the step reached so far; with a
    constant rate after warmup the total does not matter, so stopping at their step count repeats them."""
    from recurse.optim import warmup_cosine

    for name in (
        "trm-sudoku-mini",
        "baseline-sudoku-mini",
        "trm-maze-mini",
        "trm-sudoku4-mini",
        "trm-sudoku9-mini",
        "trm-colouring-mini",
    ):
        cfg = load_recipe(name).training
        for step in range(1, cfg.max_steps + 1):
            timed = warmup_cosine(
                step,
                base_lr=cfg.lr,
                warmup_steps=cfg.lr_warmup_steps,
                total_steps=max(step, cfg.lr_warmup_steps + 1),
                min_ratio=cfg.lr_min_ratio,
            )
            budgeted = warmup_cosine(
                step,
                base_lr=cfg.lr,
                warmup_steps=cfg.lr_warmup_steps,
                total_steps=cfg.max_steps,
                min_ratio=cfg.lr_min_ratio,
            )
            assert timed == budgeted, (name, step)


def test_a_metric_without_a_value_yet_is_left_out_not_nan():
    progress = Progress(total=10, enabled=True, every_seconds=0.0, stream=io.StringIO())
    progress.note(loss=2.5, exact=float("nan"))
    assert progress.metrics == {"loss": 2.5}
    progress.note(loss=2.0, exact=0.25)
    assert progress.metrics == {"loss": 2.0, "exact": 0.25}


def test_the_first_line_says_a_time_cap_counts_training_steps_only():
    from recurse.training.logger import config_header

    capped = config_header(load_recipe("trm-sudoku-mini", ["training.max_minutes=5"]), where="here")
    assert "at most 5 min of training steps" in capped and "\n" not in capped
    assert "min" not in config_header(load_recipe("trm-sudoku-mini"), where="here").split("·")[2]

"""Command-line conventions, through the installed ``recurse``: ``--json`` listings with a schema,
``NO_COLOR``/``--no-color``, ``-q``/``-v``, ``python -m recurse`` and the documented exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from recurse import __version__
from tests.integration.conftest import TASK, run_recurse


@pytest.mark.parametrize(
    ("command", "fields"),
    [
        ("models", {"name", "task", "description", "accuracy", "eval_set", "recipe", "seed"}),
        ("recipes", {"name", "summary"}),
        ("tasks", {"name", "summary", "parameters"}),
    ],
)
def test_every_list_command_prints_one_json_document_with_its_schema(command, fields):
    document = json.loads(run_recurse(command, "list", "--json").stdout)
    assert document["schema"] == f"recurse.{command}/1" and document["recurse_version"] == __version__
    items = document[command]
    assert items and all(set(item) == fields for item in items)
    plain = run_recurse(command, "list").stdout
    assert all(item["name"] in plain for item in items)  # the same things as the table


def test_models_json_matches_what_the_bundled_documents_say():
    from recurse.hub.zoo import bundled_models

    listed = {m["name"]: m for m in json.loads(run_recurse("models", "list", "--json").stdout)["models"]}
    for name, document in bundled_models().items():
        assert listed[name]["accuracy"] == document.bundled.accuracy
        assert listed[name]["task"] == document.task


def test_no_color_and_quiet_verbose(checkpoint):
    puzzle = TASK.format(TASK.generate(np.random.default_rng(3))[0])
    # On a terminal click would colour "valid"/"not valid"; NO_COLOR and --no-color leave plain text
    # even when colour is forced the way a terminal would get it.
    from click.testing import CliRunner

    from recurse.cli.main import cli

    coloured = CliRunner().invoke(cli, ["solve", str(checkpoint), puzzle], color=True)
    assert "\x1b[" in coloured.output
    plain = CliRunner().invoke(cli, ["--no-color", "solve", str(checkpoint), puzzle], color=True)
    assert plain.exit_code == 0 and "\x1b[" not in plain.output
    by_env = CliRunner(env={"NO_COLOR": "1"}).invoke(cli, ["solve", str(checkpoint), puzzle], color=True)
    assert by_env.exit_code == 0 and "\x1b[" not in by_env.output
    both = run_recurse("-q", "-v", "models", "list", check=False)
    assert both.returncode == 2 and "contradict" in both.stderr


def test_python_dash_m_recurse_is_the_command():
    result = subprocess.run([sys.executable, "-m", "recurse", "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"recurse, version {__version__}"


def test_exit_statuses_tell_an_error_from_an_invalid_answer(checkpoint):
    puzzle = TASK.format(TASK.generate(np.random.default_rng(4))[0])
    # The untrained model changes givens at a fixed 2 steps: it runs, and its answer is not valid.
    invalid = run_recurse("solve", str(checkpoint), "--halting", "fixed", "--check", puzzle, check=False)
    assert invalid.returncode == 3
    unreadable = run_recurse("solve", str(checkpoint), "--check", "not a puzzle", check=False)
    assert unreadable.returncode == 1
    usage = run_recurse("solve", check=False)
    assert usage.returncode == 2

"""The command line starts without the model stack: ``import recurse`` and every command's help leave torch
unloaded, the version comes from the package metadata, and shell completion offers the shipped names."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from click.shell_completion import ShellComplete
from click.testing import CliRunner

from recurse.cli.main import COMMANDS, cli

HEAVY = ("torch", "numpy", "pydantic", "safetensors", "huggingface_hub")


def _loaded_after(code: str) -> list[str]:
    """Which heavy modules a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return result.stdout.split()


def test_import_recurse_and_the_cli_does_not_import_torch():
    assert _loaded_after("import recurse\nimport recurse.cli.main") == []


def test_every_help_page_is_built_without_the_model_stack():
    code = (
        "from click.testing import CliRunner\nfrom recurse.cli.main import cli, COMMANDS\n"
        "import click\n"
        "def walk(group, path):\n"
        "    for name in group.list_commands(None):\n"
        "        sub = group.get_command(None, name)\n"
        "        assert CliRunner().invoke(cli, [*path, name, '--help']).exit_code == 0\n"
        "        if isinstance(sub, click.Group): walk(sub, [*path, name])\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        "walk(cli, [])"
    )
    assert _loaded_after(code) == []


def test_listing_showing_and_completing_recipes_is_light():
    code = (
        "from click.testing import CliRunner\nfrom recurse.cli.main import cli\n"
        "for args in (['recipes', 'list'], ['recipes', 'show', 'trm-sudoku-mini'], ['tasks', 'list'],"
        " ['models', 'list'], ['models', 'list', '--json'], ['recipes', 'list', '--json'],"
        " ['tasks', 'list', '--json']):\n"
        "    result = CliRunner().invoke(cli, args)\n"
        "    assert result.exit_code == 0 and result.output, (args, result.output)\n"
        "from recurse.recipe import recipe_names\nassert 'trm-sudoku-mini' in recipe_names()"
    )
    assert "torch" not in _loaded_after(code)


def test_public_names_still_import_from_the_package():
    import recurse
    from recurse import ModelConfig, build_model  # noqa: F401  (loaded on first use)

    assert recurse.build_model is build_model and "build_model" in dir(recurse)


def test_version_comes_from_the_package_metadata():
    import recurse

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"recurse, version {metadata.version(recurse.DISTRIBUTION)}\n"
    assert recurse.__version__ == metadata.version(recurse.DISTRIBUTION)


def test_help_lists_every_command_and_unknown_ones_fail():
    result = CliRunner().invoke(cli, ["--help"])
    assert all(f"  {name} " in result.output for name in COMMANDS), result.output
    assert CliRunner().invoke(cli, ["trian"]).exit_code == 2


def _complete(args: list[str], incomplete: str) -> list[str]:
    completer = ShellComplete(cli, {}, "recurse", "_RECURSE_COMPLETE")
    return [item.value for item in completer.get_completions(args, incomplete)]


def test_completion_offers_recipes_tasks_and_bundled_models():
    from recurse.hub.zoo import bundled_models
    from recurse.recipe import recipe_names

    assert _complete([], "tr") == ["train"]
    assert _complete(["train"], "recipe=trm-sudoku") == [
        f"recipe={name}" for name in recipe_names() if name.startswith("trm-sudoku")
    ]
    assert "recipe=trm-sudoku-mini" in _complete(["train", "training.lr=1e-3"], "recipe=")
    assert _complete(["recipes", "show"], "baseline-") == [n for n in recipe_names() if n.startswith("baseline-")]
    assert _complete(["recipes", "copy"], "trm-maze-m") == ["trm-maze-mini"]
    assert _complete(["solve"], "sudoku-") == sorted(n for n in bundled_models() if n.startswith("sudoku-"))
    assert _complete(["eval"], "maze") == ["maze-9x9"]
    build = _complete(["data", "build"], "")
    assert {"sudoku", "maze", "arc"} <= set(build) and "recipe=trm-sudoku-mini" in build
    assert _complete(["data", "build"], "recipe=baseline") == [
        f"recipe={n}" for n in recipe_names() if n.startswith("baseline")
    ]
    assert _complete(["data", "build"], "recipe=baseline") != []

"""Every example in README.md and docs/*.md runs, on tiny settings, so that none can go stale.

Each document's examples run in order in a scratch folder that holds what the document assumes exists (a
trained ``runs/trm-sudoku-mini``, the ARC files under the documented paths, a Hub with the documented repos
served on 127.0.0.1), as its reader would run them: ``recurse`` commands in-process through the real CLI
with tiny-setting overrides appended (tests/docs/examples.py), Python blocks with ``exec``. A command
fails the test when it exits non-zero; a new example that this file cannot run fails it too.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
import tomllib
from click.testing import CliRunner

from tests.docs.examples import DOCS, ROOT, Example, examples, run_folder_step, tiny
from tests.fake_hub import COMMIT, point_client_at, serve

FIXTURES = ROOT / "tests" / "fixtures"
PUZZLE = ".5.6.1................4356.4..3..1.."
TOKEN = "test-token"
# Commands that are not recurse's: what stands in for each in the tiny form.
OFFICIAL = FIXTURES / "official-checkpoint"


def _invoke(arguments: list[str], cwd: Path, env: dict | None = None) -> tuple[int, str]:
    import recurse.bench
    from recurse.cli.main import cli

    previous = os.getcwd()
    os.chdir(cwd)
    # bench's matmul peak multiplies 2048×2048 matrices (minutes in bfloat16 on a CPU without it): 64 here.
    small_peak = functools.partial(recurse.bench.matmul_peak_gflops, size=64, repeats=1)
    try:
        with mock.patch("recurse.bench.matmul_peak_gflops", small_peak):
            result = CliRunner().invoke(cli, arguments, prog_name="recurse", env=env, catch_exceptions=True)
    finally:
        os.chdir(previous)
    output = result.output
    if result.exception and not isinstance(result.exception, SystemExit):
        import traceback

        output += "".join(traceback.format_exception(result.exception))
    return result.exit_code, output


def _recurse(cwd: Path, *arguments: str) -> str:
    code, output = _invoke(list(arguments), cwd)
    assert code == 0, f"recurse {shlex.join(arguments)} failed:\n{output[-3000:]}"
    return output


@contextmanager
def _hub(workspace: Path):
    """A Hub-style server on 127.0.0.1 that this process's huggingface_hub talks to, with a token, serving
    the repos the documents use before they push them: the mini run (tag v1 too) and Sudoku-Extreme's CSVs."""
    from recurse.hub.repos import save_pretrained

    model = save_pretrained(
        workspace / "runs/x/checkpoints/step_5000", workspace / "publish", repo_id="my-name/trm-sudoku-6x6"
    )
    repos = {
        "my-name/trm-sudoku-6x6": model,
        "my-org/trm-sudoku": model,
        "datasets/sapientinc/sudoku-extreme": workspace / "sudoku-extreme-repo",
    }
    with serve(repos) as server, pytest.MonkeyPatch.context() as patch:
        server.repos["my-name/trm-sudoku-6x6"].refs["v1"] = COMMIT
        point_client_at(patch, server.endpoint, workspace / "hub-cache")
        patch.setenv("HF_TOKEN", TOKEN)
        yield server


def _csv_folder(folder: Path, source: Path, train: int, test: int) -> None:
    lines = source.read_text().splitlines()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train.csv").write_text("\n".join(lines[: train + 1]) + "\n")
    (folder / "test.csv").write_text("\n".join([lines[0], *lines[train + 1 : train + 1 + test]]) + "\n")


def _tutorial_task() -> str:
    """The task file that docs/tasks.md writes (its first Python block)."""
    return next(e.text for e in examples("docs/tasks.md") if e.kind == "python")


@pytest.fixture(scope="session")
def base(tmp_path_factory) -> Path:
    """What the documents assume exists before their first command, prepared once."""
    root = tmp_path_factory.mktemp("docs-base")
    for where in ("data/arc-kaggle", "path/to/arc-kaggle", "path/to/kaggle-folder", "shared/data/arc/kaggle-combined"):
        shutil.copytree(FIXTURES / "data" / "arc", root / where)
        for subset in ("training", "evaluation"):  # ARC-AGI-2's files, in the same format
            for part in ("challenges", "solutions"):
                shutil.copy(
                    root / where / f"arc-agi_{subset}_{part}.json", root / where / f"arc-agi_{subset}2_{part}.json"
                )
    _csv_folder(root / "shared/data/maze-30x30-hard-1k/csv_reconstructed", FIXTURES / "data/maze-hard-100.csv", 12, 4)
    for where in ("my-sudoku", "path/to/sudoku-extreme", "sudoku-extreme-repo"):
        _csv_folder(root / where, FIXTURES / "data/sudoku-extreme-1k.csv", 12, 4)
    (root / "puzzles.txt").write_text(f"{PUZZLE}\n....5.6.....2.63.....1..1.......5.6.\n")
    for folder in ("runs/trm", "arc"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(OFFICIAL / "step_100", root / "runs/trm/step_65100")
    shutil.copy(OFFICIAL / "all_config.yaml", root / "runs/trm/all_config.yaml")
    shutil.copy(OFFICIAL / "step_100", root / "arc/step_518071")
    shutil.copy(OFFICIAL / "all_config.yaml", root / "arc/all_config.yaml")
    # The official run's dataset (its all_config.yaml names data/sudoku-4x4), as the user has it built.
    _recurse(
        root,
        "data",
        "build",
        "sudoku",
        "task.box_rows=2",
        "task.box_cols=2",
        "build.train_size=12",
        "build.test_size=4",
        "build.num_aug=1",
        "path=data/sudoku-4x4",
    )
    # A plugin file and its recipe, as docs/tasks.md makes them (recipes copy, then the data section).
    for name in ("my_tasks.py", "my_task.py"):
        (root / name).write_text(_tutorial_task())
    latin = next(e for e in examples("docs/tasks.md") if "copy trm-sudoku-mini my-latin.yaml" in e.text)
    _recurse(root, *shlex.split(latin.text)[1:])
    import yaml

    recipe = yaml.safe_load((root / "my-latin.yaml").read_text())
    tasks_md = (ROOT / "docs/tasks.md").read_text()
    recipe.update(yaml.safe_load(tasks_md.split("```yaml\n", 1)[1].split("```", 1)[0]))
    (root / "my-latin.yaml").unlink()  # docs/tasks.md makes its own
    (root / "my-recipe.yaml").write_text(yaml.safe_dump({**recipe, "name": "my-recipe"}))
    # Trained runs that the documents solve with, evaluate and publish.
    for command in (
        ["train", "recipe=trm-sudoku-mini"],
        ["train", "recipe=trm-colouring-mini"],
        ["data", "build", "recipe=trm-arc1"],
        ["train", "recipe=trm-arc1"],
    ):
        _recurse(root, *tiny(command, root))
    # The data `recurse eval my-org/trm-sudoku data=data/sudoku-extreme` reads, for the mini model served there.
    _recurse(root, *tiny(["data", "build", "recipe=trm-sudoku-mini", "data.path=data/sudoku-extreme"], root))
    best = max((root / "runs/trm-sudoku-mini/checkpoints").glob("step_*"), key=lambda p: int(p.name[5:]))
    shutil.copytree(best, root / "runs/x/checkpoints/step_5000")
    return root


@pytest.fixture
def workspace(base, tmp_path) -> Path:
    folder = tmp_path / "work"
    shutil.copytree(base, folder, symlinks=True)
    (folder / "home").mkdir()
    return folder


def _stand_in_download(words: list[str], cwd: Path) -> None:
    """``hf download REPO --local-dir DIR``: the official-format fixture checkpoint under the file names that
    the next commands of the document read."""
    target = cwd / words[words.index("--local-dir") + 1]
    target.mkdir(parents=True, exist_ok=True)
    for name in ("checkpoint", "step_16275", "step_9765"):
        shutil.copy(OFFICIAL / "step_100", target / name)
    shutil.copy(OFFICIAL / "all_config.yaml", target / "all_config.yaml")
    (target / "arc_v1_public").mkdir(exist_ok=True)
    shutil.copy(OFFICIAL / "step_100", target / "arc_v1_public/step_518071")
    shutil.copy(OFFICIAL / "all_config.yaml", target / "arc_v1_public/all_config.yaml")


# Examples that the tiny form cannot run, each with the reason; everything else must run. The official
# checkpoints of docs/hub.md are large downloads: the fixture checkpoint that stands in for them (a 4×4
# Sudoku model with one puzzle-embedding row) converts, but cannot be evaluated on their datasets.
NOT_RUN = {
    "recurse convert official arc/step_518071 --seq-len 900 --identifiers data/arc1-aug-1000/identifiers.json --out trm-arc1": "needs an official ARC checkpoint whose embedding table matches the built ARC data",
    "recurse convert official arcprize/arc_v1_public/step_518071 --seq-len 900 --identifiers data/arc1-aug-1000/identifiers.json --out trm-arc1-arcprize": "needs the published ARC Prize checkpoint",
    "recurse eval trm-arc1-arcprize data=data/arc1-aug-1000": "needs the published ARC Prize checkpoint",
    "recurse hub push trm-arc1-arcprize my-name/trm-arc-agi-1": "needs the published ARC Prize checkpoint",
    "recurse eval trm-sudoku-mlp-recurse data=data/sudoku-extreme-1k-aug-1000": "needs the published 9×9 Sudoku checkpoint",
    "python benchmarks/verify_search.py sudoku-9x9 --generate 1000 --seed 12345": "a benchmark of 1,000 searches; tests/integration/test_solve_cli.py runs the same verified solving",
    **dict.fromkeys(
        [
            "python benchmarks/verify_search.py sudoku-9x9 tdoku/puzzles6_forum_hardest_1106.txt "
            "tdoku/puzzles3_magictour_top1465.txt tdoku/puzzles5_forum_hardest_1905_11plus.txt --limit 2840 --hardest 100",
            "python benchmarks/verify_search.py sudoku-9x9 tdoku/puzzles6_forum_hardest_1106.txt --hardest 100",
            "python benchmarks/verify_search.py sudoku-9x9 tdoku/puzzles6_forum_hardest_1106.txt --hardest 100 "
            "--strategy 'strategy=restart samples=16 select=checker'",
        ],
        "the tdoku puzzle lists are third-party data, not shipped",
    ),
    "python -m pytest tests/unit/test_task_contracts.py --task-file a.py --task-file b.py": "two task files of the user's; the one-file form of the same option runs",
    **dict.fromkeys(
        [
            "python benchmarks/test_time_scaling.py sudoku-9x9 --puzzles 60 --strategy restart --samples 1,4,16 --depths 4,8 --exact",
            "python benchmarks/test_time_scaling.py sudoku-9x9 --puzzles 60 --samples 1 --depths 8,16,32,64",
            "python benchmarks/test_time_scaling.py sudoku-9x9 --puzzles 60 --strategy sample --noise 0.3 --samples 1,4,16 --depths 8",
            "python benchmarks/test_time_scaling.py sudoku-6x6 --puzzles 100 --strategy restart --samples 1,4 --depths 4,8 --exact",
            "python benchmarks/test_time_scaling.py maze-9x9 --puzzles 100 --strategy restart --samples 1,4 --depths 4,8 --exact",
            "python benchmarks/test_time_scaling.py colouring-6 --puzzles 100 --strategy restart --samples 1,4 --depths 4,8 --exact",
            "python benchmarks/test_time_scaling.py sudoku-9x9 --puzzles 300 --strategy restart --samples 1,4,16 --depths 8,16",
            "python benchmarks/test_time_scaling.py sudoku-9x9 --puzzles 200 --strategy restart --samples 1,4,16 --depths 4,8,16",
        ],
        "test-time-scaling measurements of many trajectories; tests/unit/test_strategies.py runs every strategy",
    ),
    "python benchmarks/answer_baselines.py trm-colouring10-mini": "builds the recipe's full dataset (10,000 graphs); tests/unit/test_answer_sets.py builds small ones",
    "python benchmarks/answer_baselines.py trm-sat-mini": "builds the recipe's full dataset (10,000 formulas); tests/unit/test_sat.py checks the task",
    **dict.fromkeys(
        [
            "recurse serve",
            "recurse serve runs/trm-colouring-mini --port 8000",
            "recurse serve my-name/trm-sudoku-6x6",
        ],
        "serves a page until stopped; tests/integration/test_serve_browser.py starts it and drives the page",
    ),
}


def _run_shell(example: Example, cwd: Path) -> None:
    if example.text in NOT_RUN:
        return
    words = shlex.split(example.text)
    env = {}
    while words and "=" in words[0] and words[0].split("=")[0].isidentifier():
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    redirect = None
    if ">" in words:
        redirect = Path(words[words.index(">") + 1].replace("~", str(cwd / "home")))
        words = words[: words.index(">")]
    program = words[0]
    if program == "pip":  # the install itself: the suite runs the installed package; check the extra exists
        extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
        wanted = words[-1][2:-1].split(",") if words[-1].startswith(".[") else []
        assert words[-1].startswith(".") and "dev" in extras and set(wanted) <= set(extras), example
        return
    if program == "python" and words[1:3] == ["-m", "pytest"]:
        if len(words) == 3:  # the whole suite: this run is it
            return
        result = subprocess.run(
            [
                "python",
                "-m",
                "pytest",
                "-q",
                "-x",
                "-p",
                "no:cacheprovider",
                *[str(ROOT / w) if w.startswith("tests/") else w for w in words[3:]],
            ],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, "HYPOTHESIS_PROFILE": "docs"},
        )
        assert result.returncode == 0, f"{example}\n{result.stdout[-3000:]}"
        return
    if program == "hf":
        _stand_in_download(words, cwd)
        return
    if program == ".":  # sourcing the completion script defines the completion in bash
        script = words[1].replace("~", str(cwd / "home"))
        result = subprocess.run(
            ["bash", "-c", f". {shlex.quote(script)} && complete -p recurse"], capture_output=True, text=True
        )
        assert result.returncode == 0 and "recurse" in result.stdout, f"{example}: {result.stderr}"
        return
    if program == "torchrun":  # the distributed launch is tested in tests/integration/test_distributed.py
        words = ["recurse", *words[words.index("recurse.cli") + 1 :]]
    assert program in {"recurse", "torchrun"}, f"no tiny form for {example}"
    arguments = [run_folder_step(w, cwd) for w in words[1:]]
    arguments = tiny(arguments, cwd)
    if env:
        # Completion scripts: click reads the variable from the environment of the call.
        code, output = _invoke(arguments, cwd, env=env)
    else:
        code, output = _invoke(arguments, cwd)
    assert code == 0, f"{example}\nexit {code}: recurse {shlex.join(arguments)}\n{output[-3000:]}"
    if redirect is not None:
        redirect.parent.mkdir(parents=True, exist_ok=True)
        redirect.write_text(output)
        assert output.strip(), f"{example}: nothing written"


def _run_python(example: Example, cwd: Path) -> None:
    code = example.text
    if "@TASKS.register" in code:  # the plugin file itself: the shell examples load it with --plugin
        compile(code, str(example), "exec")
        return
    if code.startswith((" ", "\t")):  # a method shown on its own, to be placed in a class: it must parse
        compile("class _Shown:\n" + code, str(example), "exec")
        return
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        exec(compile(code, str(example), "exec"), {"__name__": "__doc_example__"})
    finally:
        os.chdir(previous)


@pytest.fixture
def fresh_registry():
    """Each document starts without the tasks an earlier document's plugin file registered (a reader's
    commands are separate processes; here they share one)."""
    from recurse.tasks import TASKS

    before = dict(TASKS._entries)
    yield
    TASKS._entries.clear()
    TASKS._entries.update(before)


@pytest.mark.parametrize("doc", DOCS)
def test_every_example_of_the_document_runs(doc, workspace, fresh_registry):
    found = examples(doc)
    with _hub(workspace):
        copied = None  # the recipe file the last `recurse recipes copy` wrote, which a yaml block edits
        for example in found:
            if example.kind == "python":
                _run_python(example, workspace)
            elif example.kind == "yaml":
                assert copied is not None, f"{example}: no recipe was copied before this edit"
                import yaml

                recipe = yaml.safe_load(copied.read_text())
                recipe.update(yaml.safe_load(example.text))
                copied.write_text(yaml.safe_dump(recipe))
            else:
                _run_shell(example, workspace)
                words = shlex.split(example.text)
                if words[1:3] == ["recipes", "copy"] and len(words) > 4:
                    copied = workspace / words[4]


def test_examples_left_out_are_still_documented():
    """Each example the tiny form leaves out is still in a document (a stale entry fails here)."""
    documented = {e.text for doc in DOCS for e in examples(doc)}
    assert set(NOT_RUN) <= documented, set(NOT_RUN) - documented


def test_extraction_finds_the_documented_examples():
    """The extractor sees the examples a reader sees (so an empty extraction cannot pass the test above)."""
    readme = [e.text for e in examples("README.md")]
    assert f"recurse solve sudoku-6x6 {PUZZLE!r}".replace("'", "") in [t.replace("'", "") for t in readme]
    assert any(t.startswith("recurse train resume=runs/trm-sudoku-mini") for t in readme)
    assert sum(e.kind == "python" for e in examples("README.md")) == 1
    cli = [e.text for e in examples("docs/cli.md")]
    assert "recurse data build recipe=trm-sudoku-mini" in cli and len(cli) > 30
    joined = [e.text for e in examples("docs/arc.md")]
    assert any("00576224" in t for t in joined)
    hub = [e.text for e in examples("docs/hub.md")]
    assert any(t.startswith("recurse convert official arcprize/arc_v1_public/step_518071") for t in hub)

"""The examples of README.md and docs/*.md, extracted as the reader sees them, and their tiny forms.

An example is a shell command of a fenced ``bash`` block (continuation lines joined, ``&&`` chains split,
comments dropped), a command in an ``Examples:`` section of the generated CLI reference, a complete
``recurse …`` command written inline in the prose, or a fenced ``python`` block. ``tiny`` turns a
``recurse`` command into the same command on tiny settings (a small model, a few steps, a few puzzles) by
appending overrides, so that the documented spelling, options and paths are what runs.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
# architecture.md holds a diagram and performance.md measurements: no runnable examples.
DOCS = (
    "README.md",
    *(
        f"docs/{p.name}"
        for p in sorted((ROOT / "docs").glob("*.md"))
        if p.name not in {"architecture.md", "performance.md"}
    ),
)
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
INLINE = re.compile(r"`((?:recurse|torchrun) [^`]+)`")
PLACEHOLDER = re.compile(r"…|<|\b[A-Z][A-Z_]{2,}\b|=$")  # NAME, PATH, RUN_DIR, <TAB>, resume=
LISTINGS = {"recurse models list", "recurse recipes list", "recurse tasks list"}


@dataclass(frozen=True)
class Example:
    doc: str
    line: int
    kind: str  # "shell", "python" or "yaml"
    text: str

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: {self.text.splitlines()[0]}"


def _shell_lines(block: str, first_line: int):
    """(line number, command) for each command of a shell block."""
    pending, start = "", first_line
    for offset, line in enumerate(block.splitlines()):
        if not pending:
            start = first_line + offset
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        text = (pending + line).strip()
        pending = ""
        words = shlex.split(text, comments=True)
        if not words:
            continue
        command: list[str] = []
        for word in [*words, "&&"]:
            if word == "&&":
                yield start, shlex.join(command)
                command = []
            else:
                command.append(word)


def _help_examples(block: str, first_line: int):
    """The commands listed under ``Examples:`` in a help text of the CLI reference."""
    inside = False
    for offset, line in enumerate(block.splitlines()):
        if line.strip() in {"Examples:", "Example:"}:
            inside = True
        elif inside and line.startswith("    ") and line.strip():
            yield first_line + offset, line.strip()
        elif inside:
            inside = False


def examples(doc: str) -> list[Example]:
    text = (ROOT / doc).read_text()
    found: list[Example] = []
    fenced: list[tuple[int, int]] = []
    for match in FENCE.finditer(text):
        language, body = match.group(1), match.group(2)
        line = text.count("\n", 0, match.start(2)) + 1
        fenced.append(match.span())
        if language == "bash":
            found += [Example(doc, n, "shell", command) for n, command in _shell_lines(body, line)]
        elif language == "text":  # a template with PATH or DIR in it is not an example to run
            found += [
                Example(doc, n, "shell", command)
                for n, command in _help_examples(body, line)
                if not PLACEHOLDER.search(command)
            ]
        elif language in ("python", "yaml"):  # yaml: an edit of the recipe copied just before
            found.append(Example(doc, line, language, body))
    for match in INLINE.finditer(text):
        command = match.group(1).strip()
        if any(a <= match.start() < b for a, b in fenced) or PLACEHOLDER.search(command):
            continue
        if command in LISTINGS or "=" in command or '"' in command or len(command.split()) >= 4:
            found.append(Example(doc, text.count("\n", 0, match.start()) + 1, "shell", command))
    return sorted(found, key=lambda e: e.line)


# ---------------------------------------------------------------------------------------------------------
# Tiny forms

MODEL = {
    "model.hidden_size": 16,
    "model.expansion": 2,
    "model.schedule.latent_steps": 1,
    "model.schedule.deep_steps": 1,
    "model.schedule.layers": 1,
    "model.halting.max_steps": 2,
    "model.forward_dtype": "float32",
    "model.puzzle_embedding.dim": 16,
    "model.puzzle_embedding.prefix_len": 1,
}
DATA = {"data.build.train_size": 12, "data.build.test_size": 4, "data.build.num_aug": 1}
TRAIN = {
    "training.max_steps": 2,
    "training.global_batch_size": 8,
    "training.lr_warmup_steps": 1,
    "training.max_minutes": "null",
    "training.eval_every_steps": 2,
    "evaluation.batch_size": 8,
    "logging.progress": "false",
    "runtime.threads": 1,
}
# The number of ARC augmentations per task; a recipe's whole ARC data otherwise.
ARC_DATA = {"data.build.num_aug": 1}
BUILD_CAPS = {"train_size": 12, "test_size": 4, "num_aug": 1}


def _recipe(arguments: list[str], cwd: Path) -> dict | None:
    for argument in arguments:
        if argument.startswith("recipe="):
            name = argument.split("=", 1)[1]
            path = cwd / name if name.endswith((".yaml", ".yml")) else ROOT / "recipes" / f"{name}.yaml"
            return yaml.safe_load(path.read_text())
    return None


def _has(config: dict, dotted: str) -> bool:
    node = config
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def _settings(config: dict, table: dict, *, force=()) -> list[str]:
    """``KEY=VALUE`` for each key of ``table`` that the recipe has (or that ``force`` names); a puzzle
    embedding is only made smaller, never added to a recipe without one."""
    embedding = config.get("model", {}).get("puzzle_embedding", {}).get("dim", 0)
    return [
        f"{key}={value}"
        for key, value in table.items()
        if key in force or _has(config, key)
        if embedding or not key.startswith("model.puzzle_embedding.")
    ]


def _cap(argument: str) -> str:
    """A build size written in the example, capped to the tiny size (build.train_size=1000 → 12)."""
    key, _, value = argument.partition("=")
    leaf = key.rsplit(".", 1)[-1]
    if key.split(".")[-2:-1] == ["build"] and leaf in BUILD_CAPS and value.isdigit():
        return f"{key}={min(int(value), BUILD_CAPS[leaf])}"
    return argument


def tiny(arguments: list[str], cwd: Path) -> list[str]:
    """The ``recurse`` arguments of an example, on tiny settings."""
    arguments = [_cap(a).replace("runtime.device=cuda", "runtime.device=cpu") for a in arguments]
    words = [
        a
        for i, a in enumerate(arguments)  # the command's words: no options, no --plugin FILE
        if not a.startswith("-") and not (i and arguments[i - 1] == "--plugin")
    ]
    command = words[:2]
    config = _recipe(arguments, cwd)
    if command and command[0] == "train":
        if config is None:  # resume=RUN: two more steps
            run = next(a.split("=", 1)[1] for a in arguments if a.startswith("resume="))
            done = yaml.safe_load((cwd / run / "config.yaml").read_text())["training"]["max_steps"]
            return [*arguments, f"training.max_steps={done + 2}"]
        arc = config["data"]["task"]["kind"] == "arc"
        return [
            *arguments,
            *_settings(config, MODEL),
            *_settings(config, ARC_DATA if arc else DATA),
            *_settings(config, TRAIN, force=TRAIN),
        ]
    if command == ["data", "build"] and config is not None:
        arc = config["data"]["task"]["kind"] == "arc"
        return [*arguments, *_settings(config, ARC_DATA if arc else DATA)]
    if command == ["data", "build"]:
        return [
            *arguments,
            *[
                f"build.{k}={v}"
                for k, v in BUILD_CAPS.items()
                if not any(a.startswith(f"build.{k}=") for a in arguments)
            ],
        ]
    if command and command[0] == "eval":
        return [*arguments, "limit=4"]
    if command and command[0] == "bench" and config is not None:
        caps = [a for a in ("batch=2", "steps=1") if not any(w.startswith(a.split("=")[0] + "=") for w in arguments)]
        return [*[a.replace("batch=32", "batch=2") for a in arguments], *caps, *_settings(config, MODEL)]
    return arguments


def run_folder_step(path: str, cwd: Path) -> str:
    """``runs/R/checkpoints/step_N``: the step must be one the recipe writes; the tiny run's last one stands in."""
    match = re.fullmatch(r"(runs/[^/]+)/checkpoints/step_(\d+)", path)
    if not match:
        return path
    run, step = cwd / match.group(1), int(match.group(2))
    shipped = ROOT / "recipes" / f"{run.name}.yaml"
    if not shipped.is_file():  # a run of the user's own: any step it has
        return path if (cwd / path).is_dir() else path
    recipe = yaml.safe_load(shipped.read_text())
    every, last = recipe["training"].get("eval_every_steps"), recipe["training"]["max_steps"]
    assert step == last or (every and step % every == 0 and step < last), (
        f"{path}: recipe {run.name} writes no checkpoint at step {step} (every {every}, last {last})"
    )
    steps = sorted(int(p.name.split("_")[1]) for p in (run / "checkpoints").glob("step_*"))
    return f"{match.group(1)}/checkpoints/step_{steps[-1]}"

"""Bundled pretrained solvers that ship inside the package and work offline: ``recurse models list``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recurse.checkpoints.document import CheckpointDocument

CONFIG_NAME = "config.json"  # recurse.checkpoints.document.CONFIG_NAME, named here to list models without torch


def _zoo_root() -> Path | None:
    try:
        root = Path(str(resources.files("recurse.models")))
    except (ModuleNotFoundError, TypeError):
        return None
    return root if root.is_dir() else None


def bundled_names() -> list[str]:
    """The names of the bundled solvers (read off the folders, without loading anything)."""
    root = _zoo_root()
    if root is None:
        return []
    return sorted(p.name for p in root.iterdir() if (p / CONFIG_NAME).is_file())


def bundled_models() -> dict[str, CheckpointDocument]:
    """Name → the typed ``config.json`` of each bundled solver."""
    from recurse.checkpoints.document import read_document

    root = _zoo_root()
    return {name: read_document(root / name) for name in bundled_names()} if root is not None else {}


def bundled_summaries() -> list[dict[str, Any]]:
    """What ``recurse models list`` shows of each bundled solver, read from its ``config.json`` as plain
    JSON: validating the document would import the model registries and with them torch, for a listing.

    Each entry: ``name``, ``task`` (its spec), ``description``, ``accuracy`` (exact, a fraction, or None),
    ``eval_set``, ``recipe`` (a shipped recipe's name or a file) and ``seed``."""
    import json

    root = _zoo_root()
    summaries = []
    for name in bundled_names():
        assert root is not None  # names come from the root
        raw = json.loads((root / name / CONFIG_NAME).read_text(encoding="utf-8"))
        bundled = raw.get("bundled") or {}
        recipe = raw.get("recipe")
        if isinstance(recipe, dict):  # format 2 records {name: …} or {file: …}
            recipe = recipe.get("name") or recipe.get("file")
        summaries.append(
            {
                "name": name,
                "task": raw.get("task"),
                "description": bundled.get("description", ""),
                "accuracy": bundled.get("accuracy"),
                "eval_set": bundled.get("eval_set"),
                "recipe": recipe,
                "seed": (raw.get("training") or {}).get("seed"),
            }
        )
    return summaries


def bundled_model_path(name: str) -> Path | None:
    root = _zoo_root()
    if root is None or "/" in name:
        return None
    folder = root / name
    return folder if (folder / CONFIG_NAME).is_file() else None


def bundled_list() -> str:
    """The bundled model names for a message: ``a, b, c (`recurse models list`)``."""
    names = bundled_names()
    return f"{', '.join(names)} (`recurse models list`)" if names else "none in this installation"


def bundled_hint(name: str | None = None) -> str:
    """The bundled model names for an error message, the closest one first when ``name`` resembles one."""
    import difflib

    close = difflib.get_close_matches(name, bundled_names(), n=1, cutoff=0.6) if name else []
    guess = f"did you mean {close[0]}? " if close else ""
    return f"{guess}bundled models: {bundled_list()}"


def data_advice(document: CheckpointDocument) -> str | None:
    """How to build the dataset a checkpoint was trained and evaluated on: the recipe command, or None."""
    if document.recipe is None:
        return None
    recipe = document.recipe.reference
    path = document.dataset.path if document.dataset else None
    command = f"recurse data build recipe={recipe}"
    from recurse.errors import RecurseError
    from recurse.recipe import load_recipe

    try:
        if path and str(load_recipe(recipe).data.path) != str(path):
            command += f" data.path={path}"
    except RecurseError:  # a recipe this installation does not have: the plain command still says what to run
        pass
    return command

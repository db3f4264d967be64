"""Bundled pretrained solvers that ship inside the package and work offline: ``recurse models list``."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path


def _zoo_root() -> Path | None:
    try:
        root = Path(str(resources.files("recurse.models")))
    except (ModuleNotFoundError, TypeError):
        return None
    return root if root.is_dir() else None


def bundled_models() -> dict[str, dict]:
    """Name → the ``config.json`` of each bundled solver."""
    root = _zoo_root()
    if root is None:
        return {}
    models = {}
    for folder in sorted(p for p in root.iterdir() if (p / "config.json").is_file()):
        models[folder.name] = json.loads((folder / "config.json").read_text())
    return models


def bundled_model_path(name: str) -> Path | None:
    root = _zoo_root()
    if root is None or "/" in name:
        return None
    folder = root / name
    return folder if (folder / "config.json").is_file() else None


def bundled_list() -> str:
    """The bundled model names for a message: ``a, b, c (`recurse models list`)``."""
    names = sorted(bundled_models())
    return f"{', '.join(names)} (`recurse models list`)" if names else "none in this installation"


def bundled_hint(name: str | None = None) -> str:
    """The bundled model names for an error message, the closest one first when ``name`` resembles one."""
    import difflib

    close = difflib.get_close_matches(name, sorted(bundled_models()), n=1, cutoff=0.6) if name else []
    guess = f"did you mean {close[0]}? " if close else ""
    return f"{guess}bundled models: {bundled_list()}"


def data_advice(document: dict) -> str | None:
    """How to build the dataset a checkpoint was trained and evaluated on: the recipe command, or None."""
    recipe = document.get("recipe")
    path = (document.get("dataset") or {}).get("path")
    if not recipe:
        return None
    command = f"recurse data build recipe={recipe}"
    from recurse.errors import RecurseError
    from recurse.recipe import load_recipe

    try:
        if path and str(load_recipe(recipe).data.path) != str(path):
            command += f" data.path={path}"
    except RecurseError:  # a recipe this installation does not have: the plain command still says what to run
        pass
    return command

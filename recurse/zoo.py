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

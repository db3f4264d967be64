"""Shipped recipes: complete YAML run configs, listed, shown, copied and loaded with overrides."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from recurse.errors import ConfigError, one_line

if TYPE_CHECKING:  # the config models import torch: listing, showing and completing recipes must not
    from recurse.config import RunConfig


def _recipe_files() -> dict[str, Path]:
    root = resources.files("recurse.recipes")
    return {Path(str(p)).stem: Path(str(p)) for p in root.iterdir() if str(p).endswith(".yaml")}


def recipe_names() -> list[str]:
    return sorted(_recipe_files())


def is_shipped_recipe(name: str) -> bool:
    """Whether ``name`` names a recipe shipped with recurse (a YAML path never does, even a copy's)."""
    return Path(name).suffix not in (".yaml", ".yml") and name in _recipe_files()


def recipe_path(name: str) -> Path:
    """A shipped recipe by name, or a YAML file path."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return candidate
    files = _recipe_files()
    if name not in files:
        raise ConfigError(f"unknown recipe {name!r}; `recurse recipes list` shows the {len(files)} shipped recipes")
    return files[name]


def recipe_text(name: str) -> str:
    return recipe_path(name).read_text()


def recipe_summary(name: str) -> str:
    """The first line of a recipe's header comment."""
    for line in recipe_text(name).splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def load_recipe(name: str, overrides: Sequence[str] = ()) -> RunConfig:
    from recurse.config import RunConfig, apply_overrides, validate_config

    path = recipe_path(name)
    try:
        raw = yaml.safe_load(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a YAML text file (it is not UTF-8)") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML ({one_line(error, 200)})") from None
    if not isinstance(raw, dict):
        what = "empty" if raw is None else f"a YAML {type(raw).__name__}"
        raise ConfigError(
            f"{path}: a recipe is a mapping of settings (model:, data:, training:, …), this file is {what}"
        )
    # A shipped recipe is recorded by its name; a user's file by its path, even when it began as a copy.
    raw.setdefault("recipe", name if is_shipped_recipe(name) else str(path))
    raw.setdefault("name", path.stem)
    raw = apply_overrides(raw, list(overrides))
    return validate_config(RunConfig, raw, source=f"recipe {path.stem}")

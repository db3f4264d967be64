"""Promises the repository makes about itself: the CLI reference is current, every package ships."""

from __future__ import annotations

from pathlib import Path

import pytest

from recurse.cli.reference import cli_reference

ROOT = Path(__file__).parents[2]


def test_cli_reference_is_current():
    assert (ROOT / "docs" / "cli.md").read_text() == cli_reference(), (
        "regenerate it: python -m recurse.cli.reference > docs/cli.md"
    )


def test_every_package_is_listed_for_the_wheel():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    roots = {folder: package for package, folder in config["package-dir"].items()}
    found = set()
    for folder, package in roots.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join([package, *relative]))
    assert found <= set(config["packages"]), (
        f"missing from [tool.setuptools] packages: {found - set(config['packages'])}"
    )

"""Packaging: one version source, the distribution name, typed-package marker, dependency bounds."""

from __future__ import annotations

from importlib.metadata import metadata, version
from pathlib import Path

import pytest

import recurse

ROOT = Path(__file__).parents[2]


def test_version_comes_from_the_installed_metadata():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == recurse.DISTRIBUTION == "recurse-reasoners"
    assert recurse.__version__ == version(recurse.DISTRIBUTION) == project["version"]
    assert '__version__ = "' not in (ROOT / "recurse" / "__init__.py").read_text()  # not written a second time


def test_metadata_declares_typing_urls_and_extras():
    info = metadata(recurse.DISTRIBUTION)
    assert "Typing :: Typed" in info.get_all("Classifier")
    assert any(url.startswith("Paper (TRM)") for url in info.get_all("Project-URL"))
    assert (Path(recurse.__file__).parent / "py.typed").is_file()
    requirements = info.get_all("Requires-Dist")
    assert any(r.startswith("huggingface_hub>=0.25") or r.startswith("huggingface-hub>=0.25") for r in requirements)
    assert any(r.startswith("datasets>=2.18") and 'extra == "dev"' in r for r in requirements)


def test_metadata_claims_only_what_the_code_keeps():
    """The "OS Independent" classifier holds because the run lock is filelock's (flock or LockFileEx) and no module needs a
    module of one system (tests/unit/test_run_lock.py checks the sources)."""
    info = metadata(recurse.DISTRIBUTION)
    classifiers = info.get_all("Classifier")
    assert "Operating System :: OS Independent" in classifiers
    assert not any(c.startswith("Operating System :: POSIX") for c in classifiers)
    requirements = info.get_all("Requires-Dist")
    assert "filelock>=3.30" in requirements
    assert any(r.startswith("exceptiongroup>=1.1") and "python_version" in r for r in requirements)


def test_no_install_command_names_the_other_projects_package():
    texts = [p.read_text() for p in [*ROOT.glob("models/*/README.md"), *ROOT.glob("docs/*.md"), ROOT / "README.md"]]
    assert not any(
        "pip install recurse\n" in t or "pip install recurse " in t or "pip install recurse[" in t for t in texts
    )


def test_all_names_every_public_name_and_each_resolves():
    from recurse.errors import RecurseError

    errors = {n for n, v in vars(recurse).items() if isinstance(v, type) and issubclass(v, RecurseError)}
    assert set(recurse.__all__) == {*recurse._EXPORTS, *errors, "DISTRIBUTION", "__version__"}
    for name in recurse.__all__:
        assert getattr(recurse, name) is not None

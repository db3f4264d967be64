"""The module paths from before the packages (checkpoints, hub, model, inference) still import, forward
their names to the new modules and warn with a DeprecationWarning naming the new path."""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings

import pytest

MOVED = {
    "recurse.checkpoint": ("recurse.model.checkpoint", "load_checkpoint"),
    "recurse.checkpoint_document": ("recurse.checkpoints.document", "CheckpointDocument"),
    "recurse.checkpoint_folder": ("recurse.checkpoints.run_folder", "latest_checkpoint"),
    "recurse.checkpoint_checks": ("recurse.checkpoints.checks", "read_safetensors_header"),
    "recurse.hub_mixin": ("recurse.model.pretrained", "HubMixin"),
    "recurse.model_card": ("recurse.hub.card", "build_model_card"),
    "recurse.model_source": ("recurse.hub.source", "resolve_model"),
    "recurse.zoo": ("recurse.hub.zoo", "bundled_names"),
    "recurse.refiner": ("recurse.model.refiner", "RecursiveRefiner"),
    "recurse.block": ("recurse.layers.block", "Level"),
    "recurse.builder": ("recurse.model.builder", "build_model"),
    "recurse.carry": ("recurse.model.carry", "DeepSupervision"),
    "recurse.embedding": ("recurse.model.embedding", "InputEmbedding"),
    "recurse.puzzle_embedding": ("recurse.model.puzzle_embedding", "PuzzleEmbedding"),
    "recurse.verify": ("recurse.inference.verification", "verify"),
    "recurse.animation": ("recurse.inference.animation", "save_refinement_gif"),
}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_path_imports_warns_and_forwards(old):
    new, name = MOVED[old]
    sys.modules.pop(old, None)  # the warning is raised when the shim first runs
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(new), name)


def test_private_names_forward_too():
    sys.modules.pop("recurse.checkpoint_checks", None)
    with pytest.warns(DeprecationWarning):
        from recurse.checkpoint_checks import _DTYPE_BYTES
    from recurse.checkpoints.checks import _DTYPE_BYTES as moved

    assert _DTYPE_BYTES is moved


@pytest.mark.parametrize(
    ("package", "module", "name"),
    [
        ("recurse.hub", "recurse.hub.repos", "resolve_checkpoint"),
        ("recurse.hub", "recurse.hub.repos", "split_reference"),
        ("recurse.inference", "recurse.inference.refinement", "refine"),
        ("recurse.inference", "recurse.inference.refinement", "Prediction"),
    ],
)
def test_a_package_that_replaced_a_module_exports_its_names(package, module, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert getattr(importlib.import_module(package), name) is getattr(importlib.import_module(module), name)


def test_the_project_imports_none_of_the_old_paths():
    modules = ["recurse.solver", "recurse.cli.main", "recurse.training.trainer", "recurse.evaluation"]
    script = (
        f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
        f"print(sorted(set({sorted(MOVED)!r}) & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

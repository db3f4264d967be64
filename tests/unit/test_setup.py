"""One set-up path: training, benchmarks and evaluation build the same model config for the same recipe
and data, and the trainer no longer reaches into the solver."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from recurse.errors import RecurseError
from recurse.model.checkpoint import save_checkpoint
from recurse.recipe import load_recipe
from recurse.training.setup import RunSetup, set_up_checkpoint, set_up_run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def recipe(tmp_path_factory):
    data = tmp_path_factory.mktemp("setup") / "sudoku-4x4"
    return load_recipe(
        "trm-sudoku4-mini",
        [
            f"data.path={data}",
            "data.build.train_size=8",
            "data.build.test_size=4",
            "data.build.num_aug=0",
            "runtime.device=cpu",
            "logging.progress=false",
            "training.global_batch_size=4",
            "training.max_steps=1",
        ],
    )


def test_train_bench_and_eval_resolve_the_same_model_config(recipe, tmp_path):
    from recurse.bench import benchmark  # noqa: F401  (bench builds through set_up_run, checked below)
    from recurse.training.trainer import Trainer

    trained = set_up_run(recipe)
    assert isinstance(trained, RunSetup) and set(trained.splits) == {"train", "test"}
    benched = set_up_run(recipe, data=False)  # what recurse bench builds, without data
    trainer = Trainer(recipe, run_dir=tmp_path / "run", echo=lambda *_: None)
    try:
        assert trainer.model_config == trained.model_config
    finally:
        trainer.release()
    assert benched.model_config == trained.model_config
    # The resolution filled in what the data and the device decide.
    assert trained.model_config.vocab_size and trained.model_config.seq_len
    assert trained.model_config.forward_dtype in ("float32", "bfloat16")

    folder = save_checkpoint(
        tmp_path / "ckpt",
        trained.refiner,
        trained.model_config,
        {
            "task": recipe.data.task.model_dump(mode="json"),
            "vocab": trained.task.vocab,
            "dataset": {"path": recipe.data.path},
        },
    )
    evaluated = set_up_checkpoint(folder, device="cpu")
    assert evaluated.model_config == trained.model_config
    assert evaluated.splits["test"].num_examples == trained.splits["test"].num_examples


def test_the_same_recipe_builds_the_same_starting_weights(recipe):
    first, second = set_up_run(recipe, data=False), set_up_run(recipe, data=False)
    for (name, a), b in zip(first.refiner.state_dict().items(), second.refiner.state_dict().values()):
        assert a.equal(b), name


def test_init_from_loads_the_weights_of_a_checkpoint(recipe, tmp_path):
    source = set_up_run(recipe, data=False)
    for tensor in source.refiner.state_dict().values():
        tensor.add_(1.0)
    folder = save_checkpoint(tmp_path / "ckpt", source.refiner, source.model_config, {})
    started = set_up_run(recipe.model_copy(update={"init_from": str(folder)}), data=False)
    for (name, a), b in zip(started.refiner.state_dict().items(), source.refiner.state_dict().values()):
        assert a.equal(b), name


def test_init_from_a_checkpoint_without_a_candidate_head_starts_the_head_fresh(recipe, tmp_path):
    """A recipe that adds candidate-set supervision can start from a model trained without it."""
    source = set_up_run(recipe, data=False)
    folder = save_checkpoint(tmp_path / "plain", source.refiner, source.model_config, {})
    with_head = recipe.model_copy(
        update={
            "init_from": str(folder),
            "model": recipe.model.model_copy(update={"candidate_head": True}),
            "training": recipe.training.model_copy(
                update={
                    "losses": type(recipe.training)
                    .model_validate({"max_steps": 1, "losses": [{"kind": "act"}, {"kind": "candidates"}]})
                    .losses
                }
            ),
        }
    )
    fresh = set_up_run(with_head.model_copy(update={"init_from": None}), data=False)
    started = set_up_run(with_head, data=False)
    theirs = source.refiner.state_dict()
    for name, tensor in started.refiner.state_dict().items():
        expected = theirs[name] if name in theirs else fresh.refiner.state_dict()[name]
        assert tensor.equal(expected), name
    assert any(name.startswith("candidate_head.") for name in started.refiner.state_dict())
    # The other way round (a head the new model lacks) is a mismatch, in one line.
    headless = save_checkpoint(tmp_path / "head", started.refiner, started.model_config, {})
    with pytest.raises(RecurseError, match="candidate_head"):
        set_up_run(recipe.model_copy(update={"init_from": str(headless)}), data=False)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_commands_build_through_the_set_up_module_and_training_does_not_import_the_solver():
    assert "recurse.training.setup" in _imports(ROOT / "recurse" / "training" / "trainer.py")
    assert "recurse.training.setup" in _imports(ROOT / "recurse" / "bench" / "__init__.py")
    assert "recurse.training.setup" in _imports(ROOT / "cli" / "evaluate.py")
    for path in (ROOT / "recurse" / "training").glob("*.py"):
        assert "recurse.solver" not in _imports(path), path

"""Every shipped recipe is complete, valid and builds; TRM/HRM recipes compute the official architectures."""

from __future__ import annotations

import pytest

from recurse.convert.official import official_arch_to_config
from recurse.model.builder import build_refiner
from recurse.recipe import load_recipe, recipe_names, recipe_text
from recurse.training.setup import fit_model_to_task

RECIPES = recipe_names()
EXPECTED = {
    "trm-sudoku",
    "trm-sudoku-att",
    "trm-maze",
    "hrm-sudoku",
    "hrm-maze",
    "baseline-sudoku",
    "trm-singlez-sudoku",
    "trm-hier6-sudoku",
    "trm-arc1",
    "trm-arc2",
    "hrm-arc1",
    "trm-sudoku-mini",
    "trm-sudoku9-mini",
    "trm-maze-mini",
}

# The official arch configs (defaults of config/arch/*.yaml plus each task's command-line overrides).
TRM_ARCH = dict(
    name="recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1",
    H_cycles=3,
    L_cycles=6,
    H_layers=0,
    L_layers=2,
    hidden_size=512,
    num_heads=8,
    expansion=4,
    puzzle_emb_ndim=512,
    pos_encodings="rope",
    forward_dtype="bfloat16",
    mlp_t=False,
    puzzle_emb_len=16,
    no_ACT_continue=True,
    halt_max_steps=16,
    halt_exploration_prob=0.1,
)
HRM_ARCH = dict(
    name="recursive_reasoning.hrm@HierarchicalReasoningModel_ACTV1",
    H_cycles=2,
    L_cycles=2,
    H_layers=4,
    L_layers=4,
    hidden_size=512,
    num_heads=8,
    expansion=4,
    puzzle_emb_ndim=512,
    pos_encodings="rope",
    forward_dtype="bfloat16",
    halt_max_steps=16,
    halt_exploration_prob=0.1,
)
OFFICIAL = {
    "trm-sudoku": TRM_ARCH | dict(mlp_t=True, pos_encodings="none"),
    "trm-sudoku-att": TRM_ARCH,
    "trm-maze": TRM_ARCH | dict(L_cycles=4),
    "trm-singlez-sudoku": TRM_ARCH | dict(name="recursive_reasoning.trm_singlez@X", mlp_t=True, pos_encodings="none"),
    "trm-hier6-sudoku": TRM_ARCH | dict(name="recursive_reasoning.trm_hier6@X", mlp_t=True, pos_encodings="none"),
    "hrm-sudoku": HRM_ARCH,
    "hrm-maze": HRM_ARCH,
    "trm-arc1": TRM_ARCH | dict(L_cycles=4),
    "trm-arc2": TRM_ARCH | dict(L_cycles=4),
    "hrm-arc1": HRM_ARCH,
}
# The official training settings: lr, puzzle-embedding lr, weight decays, epochs and evaluation interval.
SUDOKU_MAZE_TRAINING = (1e-4, 1e-4, 1.0, 1.0, 50000, 5000)
ARC_TRAINING = (1e-4, 1e-2, 0.1, 0.1, 100000, 10000)
OFFICIAL_TRAINING = {name: ARC_TRAINING if "arc" in name else SUDOKU_MAZE_TRAINING for name in OFFICIAL}


def test_every_expected_recipe_ships():
    assert EXPECTED <= set(RECIPES)


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_is_complete_and_builds(name):
    text = recipe_text(name)
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header[0].startswith(f"# {name}:")
    for field in ("Purpose:", "Data:", "Launch:", "Expected:"):
        assert any(field in line for line in header), f"{name} header lacks {field}"
    config = load_recipe(name)
    assert config.name == name
    task = config.data.task.build()
    model = fit_model_to_task(config.model, task)
    if model.forward_dtype == "auto":
        model = model.model_copy(update={"forward_dtype": "float32"})
    refiner = build_refiner(model)
    assert sum(p.numel() for p in refiner.parameters()) > 0
    roundtrip = type(config).model_validate(config.model_dump(mode="json"))
    assert roundtrip == config


@pytest.mark.parametrize("name", sorted(OFFICIAL))
def test_official_recipes_match_the_official_architecture(name):
    config = load_recipe(name)
    task = config.data.task.build()
    arch = OFFICIAL[name] | dict(vocab_size=task.vocab_size, seq_len=task.seq_len, num_puzzle_identifiers=1)
    expected = official_arch_to_config(arch, "stablemax_cross_entropy")
    ours = config.model.with_data(vocab_size=task.vocab_size, seq_len=task.seq_len, num_puzzle_ids=1)
    assert ours.prefix_len == expected.prefix_len
    ours_dump, expected_dump = ours.model_dump(), expected.model_dump()
    # Recipes may leave derived fields open (prefix_len=None means ceil(dim / hidden)).
    ours_dump["puzzle_embedding"]["prefix_len"] = expected_dump["puzzle_embedding"]["prefix_len"] = None
    assert ours_dump == expected_dump
    training = config.training
    assert (training.global_batch_size, training.lr_warmup_steps, training.ema_rate) == (768, 2000, 0.999)
    assert (
        training.lr,
        training.puzzle_emb_lr,
        training.weight_decay,
        training.puzzle_emb_weight_decay,
        training.epochs,
        training.eval_every_epochs,
    ) == OFFICIAL_TRAINING[name]


def test_overrides_and_errors():
    from recurse.errors import ConfigError

    config = load_recipe("trm-sudoku", ["training.lr=3e-4", "model.schedule.latent_steps=2", "name=x"])
    assert config.training.lr == 3e-4 and config.model.schedule.latent_steps == 2 and config.name == "x"
    config = load_recipe("trm-sudoku", ["model.core={kind: attention, num_heads: 4}"])
    assert config.model.core.kind == "attention" and config.model.core.num_heads == 4
    for override, message in [
        ("training.nope=1", "unknown key training.nope"),
        ("training.lr=-1", "training.lr"),
        ("model.halting.kind=sometimes", "unknown halting policy"),
        ("training", "not of the form key=value"),
    ]:
        with pytest.raises(ConfigError, match=message):
            load_recipe("trm-sudoku", [override])


@pytest.mark.parametrize("key, value", [("subsets", "[training]"), ("test_subset", "evaluation"), ("clues", "30")])
def test_a_build_key_that_moved_to_the_task_names_the_new_key(key, value):
    from recurse.errors import ConfigError

    with pytest.raises(ConfigError, match=rf"build.{key} is now a setting of the task: set data.task.{key}") as error:
        load_recipe("trm-arc1", [f"data.build.{key}={value}"])
    assert "\n" not in str(error.value)


def test_task_build_options_live_in_the_task_spec():
    import numpy as np

    arc = load_recipe("trm-arc1").data.task
    assert arc.subsets == ["training", "evaluation", "concept"] and arc.test_subset == "evaluation"
    assert arc.build().spec() == arc.model_dump(mode="json")  # recorded alike in manifests and checkpoints
    sudoku = load_recipe("trm-sudoku-mini", ["data.task.clues=12"]).data.task
    puzzle, _ = sudoku.build().generate(np.random.default_rng(0))
    assert np.count_nonzero(puzzle) == 12 and sudoku.model_dump(mode="json")["clues"] == 12
    plain = load_recipe("trm-sudoku-mini").data.task
    assert "clues" not in plain.model_dump(mode="json") and plain.build().spec() == plain.model_dump(mode="json")

"""The inference-halting entry point: every registered policy is accepted, an unknown one is one line, and
the default threshold is written once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from recurse.errors import ConfigError
from recurse.halting import HALTING, HaltingPolicy, Threshold
from recurse.halting.inference import HaltingSettings, inference_policy, parse_settings, settings
from recurse.halting_defaults import DEFAULT_THRESHOLD, EVALUATE_KIND, SOLVE_KIND

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kind", HALTING.names())
def test_every_registered_policy_is_accepted(kind):
    policy, _ = parse_settings([f"halting={kind}", "max_steps=3"])
    built = policy.build(purpose="solve", model_max_steps=8)
    assert isinstance(built, HaltingPolicy) and built.max_steps == 3
    assert type(built) is HALTING.get(kind)


def test_a_plugin_policy_is_accepted(monkeypatch):
    from recurse.halting.fixed import FixedSteps

    entries = dict(HALTING._entries)
    monkeypatch.setattr(HALTING, "_entries", entries)
    entries["every_other"] = FixedSteps  # stands in for a policy a plugin registered
    assert settings(kind="every_other").kind == "every_other"
    result = CliRunner().invoke(_solve(), ["missing-model", "--halting", "every_other", "x"])
    assert "not a halting policy" not in result.output


def _solve():
    from recurse.cli.solve import solve

    return solve


@pytest.mark.parametrize("args", [["halting=nope"], ["halting.kind=nope"]])
def test_an_unknown_policy_is_one_line_naming_the_known_ones(args):
    with pytest.raises(ConfigError) as error:
        parse_settings(args)
    message = str(error.value)
    assert "\n" not in message and "'nope'" in message
    assert all(name in message for name in HALTING.names())


def test_the_cli_refuses_an_unknown_policy_in_one_line():
    result = CliRunner().invoke(_solve(), ["some-model", "--halting", "nope", "x"])
    assert result.exit_code == 2
    assert "'nope' is not a halting policy; known: " + ", ".join(HALTING.names()) in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["threshold=nan"], "threshold must be"),
        (["threshold=1"], "threshold must be"),
        (["max_steps=0"], "max_steps must be"),
        (["max_steps=abc"], "max_steps must be"),
        (["halting=fixed", "halting.bogus=1"], "halting.bogus"),
    ],
)
def test_bad_values_are_one_line(args, message):
    with pytest.raises(ConfigError) as error:
        parse_settings(args)[0].build(purpose="solve", model_max_steps=4)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_flat_and_dotted_keys_are_one_grammar_and_other_keys_pass_through():
    flat, rest = parse_settings(["halting=threshold", "threshold=0.9", "max_steps=5", "training.lr=1e-3"])
    dotted, _ = parse_settings(["halting.kind=threshold", "halting.threshold=0.9", "halting.max_steps=5"])
    assert flat == dotted and rest == ["training.lr=1e-3"]
    policy = flat.build(purpose="evaluate", model_max_steps=16)
    assert isinstance(policy, Threshold) and policy.threshold == 0.9 and policy.max_steps == 5
    with pytest.raises(ConfigError, match="given twice"):
        parse_settings(["halting=fixed", "halting.kind=q_halt"])


def test_defaults_per_purpose_and_the_models_step_limit():
    solve = HaltingSettings().build(purpose="solve", model_max_steps=7)
    assert type(solve) is HALTING.get(SOLVE_KIND) and solve.threshold == DEFAULT_THRESHOLD and solve.max_steps == 7
    evaluate = HaltingSettings().build(purpose="evaluate", model_max_steps=7)
    assert type(evaluate) is HALTING.get(EVALUATE_KIND) and evaluate.max_steps == 7
    assert Threshold.Spec().threshold == DEFAULT_THRESHOLD == Threshold(max_steps=1).threshold
    assert inference_policy("threshold", max_steps=3).threshold == DEFAULT_THRESHOLD
    # A threshold is kept only for the policies that have one.
    assert "threshold" not in settings(kind="fixed", threshold=0.5).spec(purpose="solve", model_max_steps=2)


def test_the_default_threshold_is_written_once():
    literal = re.compile(r"(?<![\d.])0\.99(?![\d])")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("recurse", "cli")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if literal.search(line)
    ]
    assert found == ["recurse/halting_defaults.py:8"], found

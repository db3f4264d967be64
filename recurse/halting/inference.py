"""Halting at inference: the one place that turns user settings into a policy.

Every command that runs a trained model (training-time evaluation, ``recurse eval``, ``recurse solve``,
``recurse bench``) builds its policy with ``HaltingSettings.build``; any registered policy is accepted,
plugins included. The settings share one ``key=value`` grammar: ``halting=KIND``, ``max_steps=N``,
``threshold=P``, or in the config's dotted form ``halting.kind=KIND``, ``halting.max_steps=N``,
``halting.FIELD=VALUE`` for any field of the policy's spec.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any, Literal

from recurse.errors import ConfigError, one_line
from recurse.halting import HALTING
from recurse.halting.base import HaltingPolicy
from recurse.halting_defaults import DEFAULT_THRESHOLD, EVALUATE_KIND, SOLVE_KIND
from recurse.limits import MAX_RECURSION

Purpose = Literal["solve", "evaluate"]
DEFAULT_KIND: dict[str, str] = {"solve": SOLVE_KIND, "evaluate": EVALUATE_KIND}
# The flat spellings of the dotted keys, as ``recurse eval`` has always taken them.
ALIASES = {"halting": "kind", "max_steps": "max_steps", "threshold": "threshold"}


def kinds() -> list[str]:
    """The policies accepted at inference: every registered one, plugins included."""
    return HALTING.names()


@dataclass(frozen=True)
class HaltingSettings:
    """What a user asked for; ``None`` leaves the default: the purpose's kind, the model's N_sup,
    ``DEFAULT_THRESHOLD``."""

    kind: str | None = None
    max_steps: int | None = None
    threshold: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # other fields of the policy's spec, as given

    @classmethod
    def from_spec(cls, spec: Any) -> HaltingSettings:
        """The settings of a validated policy spec (a config's ``evaluation.halting``)."""
        fields = spec.model_dump(mode="json")
        return settings(
            kind=fields.pop("kind"),
            max_steps=fields.pop("max_steps", None),
            threshold=fields.pop("threshold", None),
            extra=fields,
        )

    def spec(self, *, purpose: Purpose, model_max_steps: int) -> dict[str, Any]:
        """The policy's spec with every default filled in (what ``eval_metrics.json`` records)."""
        return self._validated(purpose, model_max_steps).model_dump(mode="json")

    def build(self, *, purpose: Purpose, model_max_steps: int) -> HaltingPolicy:
        return self._validated(purpose, model_max_steps).build()

    def _validated(self, purpose: Purpose, model_max_steps: int) -> Any:
        kind = self.kind or DEFAULT_KIND[purpose]
        check_kind(kind)
        spec: dict[str, Any] = {
            **self.extra,
            "kind": kind,
            "max_steps": self.max_steps if self.max_steps is not None else model_max_steps,
        }
        # The threshold applies to the policies that have one; the others run without it.
        if "threshold" in HALTING.get(kind).Spec.model_fields:
            spec["threshold"] = self.threshold if self.threshold is not None else DEFAULT_THRESHOLD
        return validated_spec(spec)


def check_kind(kind: object) -> str:
    if not isinstance(kind, str) or kind not in HALTING:
        raise ConfigError(f"halting must be one of {', '.join(kinds())}, got {kind!r}")
    return kind


def check_max_steps(value: object) -> int:
    given = value
    if isinstance(value, str):
        value = _number(value, int)
    if isinstance(value, bool) or not isinstance(value, Integral) or not 1 <= int(value) <= MAX_RECURSION:
        raise ConfigError(f"max_steps must be a whole number from 1 to {MAX_RECURSION}, got {given!r}")
    return int(value)


def check_threshold(value: object) -> float:
    given = value
    if isinstance(value, str):
        value = _number(value, float)
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or not 0 < float(value) < 1:
        raise ConfigError(f"threshold must be a number strictly between 0 and 1, got {given!r}")
    return float(value)


def _number(text: str, kind: type) -> object:
    try:
        return kind(text.strip())
    except ValueError:
        return text


def settings(
    *, kind: object = None, max_steps: object = None, threshold: object = None, extra: Mapping[str, Any] | None = None
) -> HaltingSettings:
    """Checked settings from user values (text or numbers); a ``ConfigError`` names the bad one."""
    return HaltingSettings(
        kind=None if kind is None else check_kind(kind),
        max_steps=None if max_steps is None else check_max_steps(max_steps),
        threshold=None if threshold is None else check_threshold(threshold),
        extra=dict(extra or {}),
    )


def parse_settings(assignments: Iterable[str]) -> tuple[HaltingSettings, list[str]]:
    """The halting settings among ``key=value`` arguments, and the arguments that are not halting settings."""
    found: dict[str, str] = {}
    rest: list[str] = []
    for arg in assignments:
        key, sep, value = arg.partition("=")
        name = ALIASES.get(key) or (key.removeprefix("halting.") if key.startswith("halting.") and sep else None)
        if not sep or not name:
            rest.append(arg)
            continue
        if name in found:
            raise ConfigError(f"the halting {name} is given twice ({key}={value})")
        found[name] = value
    known = {"kind", "max_steps", "threshold"}
    return settings(
        kind=found.get("kind"),
        max_steps=found.get("max_steps"),
        threshold=found.get("threshold"),
        extra={k: v for k, v in found.items() if k not in known},
    ), rest


def validated_spec(spec: Mapping[str, Any]) -> Any:
    """The checked spec of the policy ``spec`` names: an unknown kind, a bad value or an unknown field is one
    ``ConfigError``."""
    from pydantic import ValidationError

    kind = check_kind(spec.get("kind"))
    if "max_steps" in spec:
        check_max_steps(spec["max_steps"])
    if spec.get("threshold") is not None:
        check_threshold(spec["threshold"])
    try:
        return HALTING.get(kind).Spec.model_validate(dict(spec))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"halting.{where}: {one_line(first['msg'])}" if where else f"halting: {one_line(first['msg'])}"
        ) from None


def inference_halting(spec: Mapping[str, Any]) -> HaltingPolicy:
    """The policy a spec names (``{"kind": …, "max_steps": …, …}``), checked as ``validated_spec`` does."""
    return validated_spec(spec).build()


def inference_policy(kind: str, *, max_steps: int, threshold: float | None = None) -> HaltingPolicy:
    """A policy by name for a model with N_sup ``max_steps``; ``threshold`` applies where the policy has one."""
    return settings(kind=kind, threshold=threshold).build(purpose="evaluate", model_max_steps=max_steps)

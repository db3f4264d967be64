"""The one grammar of inference strategies: ``strategy=sample samples=32 noise=0.3 select=checker seed=0``.

``recurse solve``, ``recurse eval``, ``recurse bench`` and ``Solver.solve`` all pass their ``key=value``
words or keyword arguments here; the strategy named by ``strategy`` (default ``greedy``) validates the
others with its pydantic ``Spec``, and the first problem becomes one ``ConfigError`` line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from recurse.errors import ConfigError, one_line
from recurse.inference.strategies import STRATEGIES
from recurse.spec import Spec

DEFAULT_STRATEGY = "greedy"


def option_names() -> list[str]:
    """Every key the grammar knows: ``strategy`` and the fields of every registered strategy."""
    names = {"strategy"}
    for kind in STRATEGIES.names():
        names.update(name for name in STRATEGIES.get(kind).Spec.model_fields if name != "kind")
    return sorted(names)


def strategy_spec(strategy: object = None, **options: Any) -> Spec:
    """The validated spec of ``strategy`` (a registered name, or a spec) with ``options`` as its fields."""
    if isinstance(strategy, Spec) and strategy.kind in STRATEGIES:
        if not options:
            return strategy
        options = {**strategy.model_dump(exclude={"kind"}), **options}
        strategy = strategy.kind
    kind = DEFAULT_STRATEGY if strategy is None else strategy
    if not isinstance(kind, str) or kind not in STRATEGIES:
        raise ConfigError(f"strategy must be one of {', '.join(STRATEGIES.names())}, got {kind!r}")
    spec_class = STRATEGIES.get(kind).Spec
    unknown = [key for key in options if key not in spec_class.model_fields or key == "kind"]
    if unknown:
        accepted = [name for name in spec_class.model_fields if name != "kind"]
        takes = f"it takes {', '.join(accepted)}" if accepted else "it takes no options"
        hint = "" if kind != DEFAULT_STRATEGY else " (strategy=sample or strategy=restart run several trajectories)"
        raise ConfigError(f"strategy {kind} has no option {unknown[0]!r}; {takes}{hint}")
    from pydantic import ValidationError

    try:
        return spec_class.model_validate({"kind": kind, **options})
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "strategy"
        shown = f"={options[key]!r}" if key in options else ""
        raise ConfigError(f"strategy {kind}: {key}{shown}: {one_line(first['msg'])}") from None


def parse_strategy(assignments: Iterable[str]) -> tuple[Spec | None, list[str]]:
    """The strategy among ``key=value`` words (None when none is given), and the words that are not its."""
    known = set(option_names())
    found: dict[str, str] = {}
    rest: list[str] = []
    for word in assignments:
        key, sep, value = word.partition("=")
        if not sep or key not in known:
            rest.append(word)
            continue
        if key in found:
            raise ConfigError(f"the strategy option {key} is given twice ({key}={found[key]} and {key}={value})")
        found[key] = value
    if not found:
        return None, rest
    return strategy_spec(found.pop("strategy", None), **found), rest


def build_strategy(spec: Spec):
    """The strategy object a validated spec describes."""
    return spec.build()

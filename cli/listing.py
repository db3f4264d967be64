"""``--json`` for the ``list`` commands: one JSON document with a schema version and the listed items.

Every ``recurse … list --json`` prints ``{"schema": "recurse.<what>/1", "recurse_version": "…",
"<what>": [ … ]}`` on one line (docs/cli.md gives each item's fields). The schema number changes only
when a field is removed or changes meaning; new fields may appear within a version.
"""

from __future__ import annotations

import json
from typing import Any

import click

SCHEMA_VERSION = 1

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document (docs/cli.md).")


def echo_json(what: str, items: list[dict[str, Any]]) -> None:
    """Print the listing of ``what`` (``models``, ``recipes``, ``tasks``) as one JSON line."""
    from recurse import __version__

    document = {"schema": f"recurse.{what}/{SCHEMA_VERSION}", "recurse_version": __version__, what: items}
    click.echo(json.dumps(document, ensure_ascii=False))

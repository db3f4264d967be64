"""The CLI reference (docs/cli.md), rendered from the commands' own help so the two cannot drift apart.

Regenerate with ``python -m recurse.cli.reference > docs/cli.md``; a test checks the file is current.
"""

from __future__ import annotations

import click

from recurse.cli.main import cli

HEADER = """# CLI reference

Every command also prints this with `--help`. Settings are dotted `key=value` overrides of a recipe
(`recurse train recipe=trm-sudoku-mini training.lr=1e-3`); see [recipes.md](recipes.md).
"""

CONVENTIONS = """## Conventions

`python -m recurse` is the same command as `recurse`.

**Output.** Results go to stdout; notes, progress and errors to stderr. Colour (only `recurse solve`
marks answers valid or not) is used on a terminal and never when `NO_COLOR` is set to a non-empty
value or `--no-color` is given. `-q`/`--quiet` keeps only the warnings of the library's notes (filled-in
defaults, skipped optional loggers, Hub commits); `-v`/`--verbose` adds its debug notes. Both go before the
command: `recurse -q train recipe=trm-sudoku-mini`.

**Exit status.**

| status | meaning |
|---|---|
| 0 | done |
| 1 | an error: bad input, a file or model that cannot be read, a failed download; one `Error: …` line on stderr |
| 2 | a command line that does not parse (unknown option, missing argument); click's usage message |
| 3 | `recurse solve --check` ran and read every puzzle, but an answer breaks the task's rules |

`recurse solve` without `--check` exits 0 whatever the answers are; a puzzle that cannot be read makes
it exit 1 (after answering the others), also with `--check`.

**`--json` listings.** `recurse models list --json`, `recurse recipes list --json` and `recurse tasks list
--json` print one JSON document: `{"schema": "recurse.<what>/1", "recurse_version": "0.1.0", "<what>":
[…]}`, where `<what>` is `models`, `recipes` or `tasks`. The number after the slash changes only when a
field is removed or changes meaning. The items:

- `models`: `name`, `task` (the task spec, as `recurse tasks list` shows its parameters), `description`,
  `accuracy` (exact accuracy on `eval_set`, a fraction, or null), `eval_set`, `recipe`, `seed`;
- `recipes`: `name`, `summary`;
- `tasks`: `name`, `summary`, `parameters` (name → default value).

`recurse solve --json` prints one JSON object per puzzle (`puzzle`, `answer`, `valid`, `steps`,
`confidence`, `violations`, and `trace` or the verification fields when asked for).
"""

COMPLETION = """## Shell completion

`recurse` completes command names, recipe names (`recurse train recipe=<TAB>`, `recurse recipes show
<TAB>`), task names (`recurse data build <TAB>`) and bundled model names (`recurse solve <TAB>`,
`recurse eval <TAB>`). Generate the script once and load it from your shell's start-up file:

```bash
_RECURSE_COMPLETE=bash_source recurse > ~/.recurse-complete.bash   # then, in ~/.bashrc:
. ~/.recurse-complete.bash
_RECURSE_COMPLETE=zsh_source recurse > ~/.recurse-complete.zsh     # zsh: source it from ~/.zshrc
_RECURSE_COMPLETE=fish_source recurse > ~/.config/fish/completions/recurse.fish
```
"""


def _walk(command: click.Command, parent: click.Context | None, path: list[str]):
    # The root's context_settings (``-h`` beside ``--help``) as ``recurse`` itself applies them; children inherit.
    settings = command.context_settings if parent is None else {}
    context = click.Context(
        command, info_name=path[-1], parent=parent, terminal_width=100, max_content_width=100, **settings
    )
    yield path, command.get_help(context)
    if isinstance(command, click.Group):
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None:
                yield from _walk(sub, context, [*path, name])


def cli_reference() -> str:
    sections = [HEADER, CONVENTIONS, COMPLETION]
    for path, help_text in _walk(cli, None, ["recurse"]):
        heading = "#" * min(len(path) + 1, 4)
        sections.append(f"{heading} `{' '.join(path)}`\n\n```text\n{help_text.rstrip()}\n```\n")
    return "\n".join(sections)


if __name__ == "__main__":
    print(cli_reference(), end="")

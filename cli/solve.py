"""``recurse solve``: solve puzzles given on the command line, in a file or on stdin."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from recurse.cli.errors import user_errors


def _highlight(task, previous: str, current: str) -> str:
    """The rendered grid of ``current``, with the cells that differ from ``previous`` in colour."""
    def lines(text: str) -> list[str]:
        return task.render(task.parse(text)).splitlines() if text else ["(no grid)"]

    before, after = lines(previous), lines(current)
    marked = []
    for row, line in enumerate(after):
        old = before[row] if row < len(before) else ""
        marked.append("".join(click.style(ch, fg="yellow", bold=True) if col >= len(old) or ch != old[col] else ch
                              for col, ch in enumerate(line)))
    return "\n".join(marked)


@click.command()
@click.argument("model")
@click.argument("puzzles", nargs=-1)
@click.option("--file", "file_", type=click.Path(dir_okay=False, path_type=Path),
              help="Read puzzles from a file, one per line ('-' for stdin).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per puzzle.")
@click.option("--trace", is_flag=True, help="Show the answer after every supervision step, changes highlighted.")
@click.option("--save-gif", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write an animation of the refinement of the (first) puzzle.")
@click.option("--halting", type=click.Choice(["threshold", "fixed", "q_halt"]), default="threshold", show_default=True,
              help="threshold stops a puzzle once the model is confident; fixed runs every step.")
@click.option("--max-steps", type=click.IntRange(min=1), default=None, help="Step limit (default: training's).")
@click.option("--threshold", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.99, show_default=True,
              help="Halting confidence for --halting threshold.")
@click.option("--puzzle-id", default=None,
              help="For models with an embedding per training puzzle (ARC): the puzzle, e.g. an ARC task id.")
@click.option("--verify", is_flag=True,
              help="Let the network's distribution steer the task's exact search: the answer passes the checker, "
                   "or the puzzle is proven to have no solution. Reports search nodes against plain search.")
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True)
@click.option("--device", default="auto", show_default=True)
@click.option("--revision", default=None, help="Hub revision (branch, tag or commit) for a repo id.")
@user_errors
def solve(model: str, puzzles: tuple[str, ...], file_: Path | None, as_json: bool, trace: bool,
          save_gif: Path | None, halting: str,
          max_steps: int | None, threshold: float, puzzle_id: str | None, verify: bool, batch_size: int, device: str,
          revision: str | None) -> None:
    """Solve puzzles with MODEL: a checkpoint or run folder, a bundled model name, or a Hub repo id.

    Puzzles come as arguments, from --file (one per line), or from stdin when neither is given.

    \b
    Examples:
      recurse solve runs/trm-sudoku-mini "1.....3...2......5.4.6....1..3.2.6.."
      recurse solve sudoku-6x6 --file puzzles.txt --json
      recurse solve my-org/trm-sudoku-6x6 --trace "..."
      recurse solve sudoku-6x6 --save-gif refinement.gif "..."
      recurse solve runs/trm-arc1 --puzzle-id 00576224 "34|78"
      recurse solve sudoku-6x6 --verify "..."
    """
    from recurse.solver import Solver

    lines = list(puzzles)
    if file_ is not None:
        handle = sys.stdin if str(file_) == "-" else open(file_)
        lines += [line.strip() for line in handle if line.strip()]
    elif not lines:
        if sys.stdin.isatty():
            raise click.UsageError("give puzzles as arguments, with --file, or on stdin")
        lines = [line.strip() for line in sys.stdin if line.strip()]
    if not lines:
        raise click.UsageError("no puzzles given")
    solver = Solver.from_pretrained(model, revision=revision, device=device, halting=halting, max_steps=max_steps,
                                    threshold=threshold)
    results = solver.solve_many(lines, batch_size=batch_size, trace=trace or save_gif is not None, puzzle_id=puzzle_id,
                                verify=verify)
    task = solver.task
    if save_gif is not None:
        from recurse.animation import save_refinement_gif

        first = results[0]
        save_refinement_gif(task, first.puzzle, first.trace, save_gif, valid=first.valid)
        click.echo(f"wrote {save_gif}", err=True)

    for result in results:
        if as_json:
            record = result.to_json()
            if not trace:
                record.pop("trace", None)
            click.echo(json.dumps(record))
            continue
        if trace:
            previous = result.puzzle
            for step, answer in enumerate(result.trace, start=1):
                click.echo(f"step {step}:")
                click.echo(_highlight(task, previous, answer))
                previous = answer
        click.echo(task.render(task.parse(result.answer)) if result.answer else "(no grid)")
        if result.verification is not None:
            click.echo(result.verification.describe())
        verdict = click.style("valid", fg="green") if result.valid else click.style("not valid", fg="red")
        click.echo(f"{verdict} · {result.steps} step{'s' if result.steps != 1 else ''} · "
                   f"confidence {result.confidence:.2f}")
        if len(results) > 1:
            click.echo()

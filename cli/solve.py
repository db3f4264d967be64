"""``recurse solve``: solve puzzles given on the command line, in a file or on stdin, streaming the answers."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from recurse.cli.args import DEVICE, HALTING_KIND, POSITIVE_SECONDS, PROBABILITY, OutputFile
from recurse.cli.errors import EXIT_ERROR, EXIT_INVALID_ANSWER, user_errors
from recurse.cli.puzzle_input import argument_puzzles, chunks, file_puzzles
from recurse.halting_defaults import DEFAULT_THRESHOLD, SOLVE_KIND
from recurse.io import dumps_json
from recurse.limits import DEFAULT_VERIFY_NODES as DEFAULT_MAX_NODES
from recurse.limits import DEFAULT_VERIFY_SECONDS as DEFAULT_MAX_SECONDS


def _highlight(task, previous: str, current: str) -> str:
    """The rendered grid of ``current``, with the cells that differ from ``previous`` in colour."""

    def lines(text: str) -> list[str]:
        return task.render_answer(text).splitlines() if text else ["(no grid)"]

    before, after = lines(previous), lines(current)
    marked = []
    for row, line in enumerate(after):
        old = before[row] if row < len(before) else ""
        marked.append(
            "".join(
                click.style(ch, fg="yellow", bold=True) if col >= len(old) or ch != old[col] else ch
                for col, ch in enumerate(line)
            )
        )
    return "\n".join(marked)


def _verdict(result) -> str:
    """``valid``, ``not valid: <the checker's violations>`` or ``abstained: …``, then the steps, the confidence and
    (for strategies with several trajectories) which one was kept."""
    if result.valid:
        verdict = click.style("valid", fg="green")
    elif result.status == "abstained":
        verdict = click.style("abstained", fg="yellow", bold=True) + " (no valid answer; the best candidate breaks: "
        verdict += "; ".join(result.violations) + ")"
    else:
        verdict = click.style("not valid", fg="red", bold=True) + ": " + "; ".join(result.violations)
    line = f"{verdict} · {result.steps} step{'s' if result.steps != 1 else ''} · confidence {result.confidence:.2f}"
    if result.trajectories > 1:
        line += f" · {result.strategy}: trajectory {result.trajectory} of {result.trajectories} kept"
    return line


def _print_text(task, result, *, trace: bool, several: bool) -> None:
    if trace:
        previous = result.puzzle
        for step, answer in enumerate(result.trace, start=1):
            click.echo(f"step {step}:")
            click.echo(_highlight(task, previous, answer))
            previous = answer
    if result.answer:
        click.echo(task.render_answer(result.answer))
    elif result.candidate:
        click.echo("best candidate, not given as an answer:")
        click.echo(task.render_answer(result.candidate))
    else:
        click.echo("(no grid)")
    if result.verification is not None:
        click.echo(result.verification.describe())
    click.echo(_verdict(result))
    if several:
        click.echo()


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("model")
@click.argument("puzzles", nargs=-1)
@click.option(
    "--file",
    "file_",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    help="Read puzzles from a file, one per line ('-' for stdin); answers stream out as they come.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object per puzzle (answer, valid, violations, steps, confidence); a line that "
    'cannot be read gives {"line": N, "error": …}.',
)
@click.option("--check", is_flag=True, help="Exit with status 3 if every puzzle was read but an answer is not valid.")
@click.option(
    "--trace",
    is_flag=True,
    help="Show the answer after every supervision step, changes highlighted (runs every step unless "
    "--halting is given).",
)
@click.option(
    "--save-gif",
    type=OutputFile(".gif"),
    default=None,
    help="Write an animation of the refinement of the (first) puzzle to this .gif file.",
)
@click.option(
    "--halting",
    type=HALTING_KIND,
    default=SOLVE_KIND,
    show_default=True,
    help="Any registered halting policy: threshold stops a puzzle once the model is confident; fixed, "
    "q_halt and q_continue run every step.",
)
@click.option("--max-steps", type=click.IntRange(min=1), default=None, help="Step limit (default: training's).")
@click.option(
    "--threshold",
    type=PROBABILITY,
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Halting confidence for --halting threshold, strictly between 0 and 1.",
)
@click.option(
    "--set",
    "settings_",
    multiple=True,
    metavar="KEY=VALUE",
    help="A halting setting in the grammar of recurse eval and bench (halting=POLICY, max_steps=N, "
    "threshold=P, halting.FIELD=VALUE for a policy's own fields); overrides the flags above.",
)
@click.option(
    "--puzzle-id",
    default=None,
    help="For models with an embedding per training puzzle (ARC): the puzzle, e.g. an ARC task id.",
)
@click.option(
    "--verify",
    is_flag=True,
    help="Let the network's distribution steer the task's exact search: the answer passes the checker, "
    "or the puzzle is proven to have no solution. Reports search nodes against plain search.",
)
@click.option(
    "--verify-nodes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_NODES,
    show_default=True,
    help="With --verify: give up a puzzle's search after this many nodes (reported as gave_up; the next puzzle follows).",
)
@click.option(
    "--verify-seconds",
    type=POSITIVE_SECONDS,
    default=DEFAULT_MAX_SECONDS,
    show_default=True,
    help="With --verify: give up a puzzle's search after this many seconds.",
)
@click.option(
    "--abstain",
    is_flag=True,
    help="Give no answer rather than one the checker rejects: status abstained, with the best candidate and its "
    "violations (--check then exits 1).",
)
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True)
@click.option("--device", type=DEVICE, default="auto", show_default=True, help="auto, cpu, cuda, cuda:N or mps.")
@click.option("--revision", default=None, help="Hub revision (branch, tag or commit) for a repo id.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Hugging Face cache folder for a repo id (default: HF_HUB_CACHE).",
)
@click.option("--local-files-only", is_flag=True, help="Use only the cached copy of a repo id; never ask the Hub.")
@click.option("--force-download", is_flag=True, help="Download a repo id's files again even when they are cached.")
@click.option("--allow-nonfinite", is_flag=True, help="Load weights even if they hold NaN or Inf.")
@click.pass_context
@user_errors
def solve(
    ctx: click.Context,
    model: str,
    puzzles: tuple[str, ...],
    file_: Path | None,
    as_json: bool,
    check: bool,
    trace: bool,
    save_gif: Path | None,
    halting: str,
    max_steps: int | None,
    threshold: float,
    settings_: tuple[str, ...],
    puzzle_id: str | None,
    verify: bool,
    verify_nodes: int,
    verify_seconds: float,
    abstain: bool,
    batch_size: int,
    device: str,
    revision: str | None,
    cache_dir: Path | None,
    local_files_only: bool,
    force_download: bool,
    allow_nonfinite: bool,
) -> None:
    """Solve puzzles with MODEL: a checkpoint or run folder, a bundled model name, or a Hub repo id.

    Puzzles come as arguments, from --file (one per line), or from stdin when neither is given. Each
    answer is printed as soon as its batch is done; a puzzle that cannot be read is reported (on stderr,
    or as a JSON error line) without stopping the others, and the exit status is then 1. An answer that
    breaks the rules is marked "not valid" with the checker's reasons; with --check the exit status is
    then 3 (when no puzzle failed to be read).
    Puzzle text that starts with '-' may follow '--'.

    How answers are found is a strategy, given as KEY=VALUE words among the puzzles (or with --set):
    strategy=greedy (the default: one trajectory), strategy=sample (samples=K trajectories with latent noise
    of scale noise=σ) or strategy=restart (K random initial states), each with select=checker|confidence|vote
    and seed=N; see docs/inference.md.

    \b
    Examples:
      recurse solve sudoku-6x6 ".5.6.1................4356.4..3..1.."
      recurse solve sudoku-6x6 --file puzzles.txt --json
      recurse solve sudoku-6x6 --trace --check ".5.6.1................4356.4..3..1.."
      recurse solve sudoku-6x6 --save-gif refinement.gif ".5.6.1................4356.4..3..1.."
      recurse solve runs/trm-arc1 --puzzle-id 00576224 "34|78"
      recurse solve sudoku-6x6 --json -- ".5.6.1................4356.4..3..1.."
      recurse solve sudoku-6x6 --verify ".5.6.1................4356.4..3..1.."
      recurse solve sudoku-9x9 strategy=restart samples=16 select=checker --abstain ".4.....321.65..4....8......6......1..8.4.3..5....287...6.1...9.....7..2...5.8...."
      recurse solve sudoku-6x6 --set halting=threshold --set threshold=0.9 ".5.6.1................4356.4..3..1.."
    """
    from recurse.halting.inference import parse_settings, settings
    from recurse.inference.strategies.settings import parse_strategy
    from recurse.solver import Solver

    strategy, words = parse_strategy(puzzles)
    chosen_settings, rest = parse_settings(settings_)
    from_set, unknown = parse_strategy(rest)
    if from_set is not None and strategy is not None:
        raise click.UsageError("give the strategy either as KEY=VALUE words or with --set, not both")
    strategy = strategy or from_set
    puzzles = tuple(words)
    for text in puzzles:
        if re.match(r"--[A-Za-z]", text):  # a mistyped option; rendered grids ("---+---") are puzzles
            raise click.UsageError(f"no such option: {text} (puzzle text that starts with '-' goes after --)")
    if file_ is not None and puzzles:
        raise click.UsageError("give puzzles either as arguments or with --file, not both")
    if file_ is None and not puzzles and sys.stdin.isatty():
        raise click.UsageError("give puzzles as arguments, with --file, or on stdin")
    if save_gif is not None:
        from recurse.inference.animation import require_matplotlib

        require_matplotlib()
    chosen = chosen_settings
    if unknown:
        raise click.UsageError(
            f"--set {unknown[0]}: not a halting or strategy setting (halting=POLICY, max_steps=N, strategy=NAME, samples=K, "
            "threshold=P or halting.FIELD=VALUE)"
        )
    if (trace or save_gif is not None) and ctx.get_parameter_source("halting") == ParameterSource.DEFAULT:
        halting = "fixed"  # a trace shows every step up to the limit, not just the first confident one
    chosen = settings(
        kind=chosen.kind or halting,
        max_steps=chosen.max_steps or max_steps,
        threshold=chosen.threshold or threshold,
        extra=chosen.extra,
    )
    solver = Solver.from_pretrained(
        model,
        revision=revision,
        device=device,
        halting=chosen,
        allow_nonfinite=allow_nonfinite,
        cache_dir=cache_dir,
        local_files_only=local_files_only,
        force_download=force_download,
    )
    task = solver.task
    if save_gif is not None:
        from recurse.inference.animation import check_drawable

        check_drawable(task)
    if puzzles:
        source, stream = argument_puzzles(puzzles), None
    else:
        source, stream = file_puzzles(file_ if file_ is not None else Path("-"))
    seen = failed = invalid = 0
    gif_pending = save_gif is not None
    for chunk in chunks(source, batch_size, stream):
        results = solver.solve_each(
            [text for _, _, text in chunk],
            batch_size=batch_size,
            trace=trace or gif_pending,
            puzzle_id=puzzle_id,
            verify=verify,
            strategy=strategy,
            abstain=abstain,
            verify_nodes=verify_nodes,
            verify_seconds=verify_seconds,
        )
        for (label, number, _), result in zip(chunk, results):
            seen += 1
            if isinstance(result, Exception):
                failed += 1
                if as_json:
                    click.echo(dumps_json({label: number, "error": str(result)}))
                else:
                    click.echo(f"{label} {number}: {result}", err=True)
                continue
            invalid += not result.valid
            if gif_pending and save_gif is not None:
                from recurse.inference.animation import save_refinement_gif

                save_refinement_gif(task, result.puzzle, result.trace, save_gif, valid=result.valid)
                click.echo(f"wrote {save_gif}", err=True)
                gif_pending = False
            if as_json:
                record = result.to_json()
                if not trace:
                    record.pop("trace", None)
                click.echo(dumps_json(record))
            else:
                _print_text(task, result, trace=trace, several=len(puzzles) != 1)
        sys.stdout.flush()
    if seen == 0:
        raise click.UsageError("no puzzles given")
    if failed:
        ctx.exit(EXIT_ERROR)
    if check and invalid:
        ctx.exit(EXIT_INVALID_ANSWER)

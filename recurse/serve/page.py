"""The page of ``recurse serve``, built with Gradio: pick a model, enter a puzzle (its editor or the task's
text), solve it, step through the refinement and read the checker's verdict.

Every event handler catches what can go wrong and shows it in one line on the page; the server's log keeps
the traceback of anything that is not the user's input.
"""

from __future__ import annotations

import logging
import os
import random
from dataclasses import dataclass

from recurse.errors import RecurseError
from recurse.inference.selection import SELECTIONS
from recurse.inference.strategies import STRATEGIES
from recurse.inference.strategies.base import MAX_SAMPLES
from recurse.serve import editor
from recurse.serve.boards import Board, board_for
from recurse.serve.catalogue import Catalogue
from recurse.serve.puzzles import examples, givens_range, new_puzzle
from recurse.serve.refinement import HALTING_CHOICES, Options, Refinement, solve
from recurse.serve.view import STYLE, error_html, legend_html, puzzle_html, step_html, unexpected_error, verdict_html

log = logging.getLogger("recurse.serve")
EXTRA = "demo"  # pip install "recurse-reasoners[demo]"
PLAY_SECONDS = 0.7  # between two steps while playing
NO_EXAMPLE = "(type a puzzle)"


def require_gradio():
    """Gradio, imported without its usage analytics; a one-line ``RecurseError`` naming the extra when absent."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    try:
        import gradio
    except ImportError:
        raise RecurseError(f'recurse serve needs Gradio: pip install "recurse-reasoners[{EXTRA}]"') from None
    return gradio


@dataclass
class Shown:
    """What the page's state holds after a solve: the model that solved and its refinement."""

    model: str
    refinement: Refinement


def build_page(catalogue: Catalogue):
    """The Gradio ``Blocks`` of the page (not launched)."""
    gr = require_gradio()

    boards: dict[str, Board] = {}

    def board_of(name: str) -> Board:
        """The model's board, chosen once from its task and first example (a grid or text board for a task
        without one of its own), so that the editor and the drawing agree."""
        if name not in boards:
            task = catalogue.load(name).task
            found = examples(task)
            boards[name] = board_for(task, found[0] if found else None)
        return boards[name]

    def model_view(name: str) -> dict:
        """Everything that follows from the chosen model: its task's editor, examples, options."""
        solver = catalogue.load(name)
        task = solver.task
        found = examples(task)
        first = found[0] if found else ""
        board = board_of(name)
        value = board.editor_value(task, first) if first else None
        givens = givens_range(task)
        limit = solver.halting.max_steps if solver.config is None else solver.config.max_steps
        return {
            "info": catalogue.describe(name, solver),
            "editor": value,
            "text": first,
            "examples": [f"example {i + 1}" for i in range(len(found))] or [NO_EXAMPLE],
            "example": "example 1" if found else NO_EXAMPLE,
            "givens": givens,
            "limit": limit,
            "verifiable": task.has_exact_solver(),
            "legend": legend_html(board),
            "board": puzzle_html(task, first, board) if first else "",
        }

    start = model_view(catalogue.default) if catalogue.default else None

    with gr.Blocks(title="recurse: watch a recursive reasoner solve a puzzle", analytics_enabled=False) as page:
        gr.Markdown(
            "## recurse · watch a recursive reasoner solve a puzzle\n"
            "Pick a model, enter a puzzle (click a cell and type, draw a maze, or write the task's text), "
            "press **Solve**, then step through the network's refinement."
        )
        shown = gr.State(None)
        with gr.Row():
            with gr.Column(scale=1):
                model = gr.Dropdown(
                    catalogue.names,
                    value=catalogue.default,
                    allow_custom_value=True,
                    label="Model: a bundled one, a folder given to recurse serve, or a Hub repo id",
                    elem_id="rc-model",
                )
                info = gr.Markdown(start["info"] if start else "", elem_id="rc-model-info")
                with gr.Row():
                    example = gr.Dropdown(
                        start["examples"] if start else [NO_EXAMPLE],
                        value=start["example"] if start else NO_EXAMPLE,
                        label="Example",
                        elem_id="rc-example",
                    )
                    fresh = gr.Button("New puzzle", elem_id="rc-new")
                span = start["givens"] if start else None
                givens = gr.Slider(
                    0,
                    span[1] if span else 1,
                    value=0,
                    step=1,
                    label="Givens in a new puzzle (0: as few as keep one answer)",
                    visible=span is not None,
                    elem_id="rc-givens",
                )
                board_editor = gr.HTML(
                    start["editor"] if start else None,
                    html_template=editor.TEMPLATE,
                    js_on_load=editor.SCRIPT,
                    elem_id="rc-editor",
                )
                text = gr.Textbox(
                    start["text"] if start else "",
                    label="Puzzle in the task's text format",
                    lines=2,
                    elem_id="rc-text",
                )
                with gr.Accordion("Options", open=False, elem_id="rc-options"):
                    halting = gr.Radio(
                        list(HALTING_CHOICES),
                        value="threshold",
                        label="Halting: stop once confident (threshold), or run every step (fixed)",
                        elem_id="rc-halting",
                    )
                    threshold = gr.Slider(0.5, 0.999, value=Options().threshold, step=0.001, label="Threshold")
                    limit = start["limit"] if start else 16
                    max_steps = gr.Slider(
                        1, limit, value=limit, step=1, label="Most supervision steps", elem_id="rc-max-steps"
                    )
                    verify = gr.Checkbox(
                        False,
                        label="Verify: the network's distribution steers an exact search (nodes against plain search)",
                        visible=bool(start and start["verifiable"]),
                        elem_id="rc-verify",
                    )
                    strategy = gr.Radio(
                        STRATEGIES.names(),
                        value="greedy",
                        label="Strategy: greedy follows one trajectory step by step; the others run several "
                        "and keep one (the page then shows the kept answer)",
                        elem_id="rc-strategy",
                    )
                    with gr.Row():
                        samples = gr.Number(
                            Options().samples, minimum=1, maximum=MAX_SAMPLES, precision=0, label="Samples"
                        )
                        noise = gr.Number(Options().noise, minimum=0, label="Noise σ (sample)")
                        seed = gr.Number(0, minimum=0, precision=0, label="Seed")
                    select = gr.Radio(SELECTIONS.names(), value=Options().select, label="Keep by")
                solve_button = gr.Button("Solve", variant="primary", elem_id="rc-solve")
                error = gr.HTML(error_html(""), elem_id="rc-error")
            with gr.Column(scale=1):
                board = gr.HTML(start["board"] if start else "", elem_id="rc-board")
                step = gr.Slider(0, 1, value=0, step=1, label="Supervision step (0: the puzzle)", elem_id="rc-step")
                with gr.Row():
                    back = gr.Button("◀ Step back", elem_id="rc-back")
                    play = gr.Button("▶ Play", elem_id="rc-play")
                    forward = gr.Button("Step forward ▶", elem_id="rc-forward")
                verdict = gr.HTML("", elem_id="rc-verdict")
                legend = gr.HTML(start["legend"] if start else "", elem_id="rc-legend")
        timer = gr.Timer(PLAY_SECONDS, active=False)

        def on_model(name):
            try:
                view = model_view(name)
            except RecurseError as problem:
                return {error: error_html(problem)}
            except Exception as problem:  # a page must survive any model a person types
                log.exception("loading %r failed", name)
                return {error: error_html(unexpected_error(problem))}
            span = view["givens"]
            return {
                info: view["info"],
                board_editor: view["editor"],
                text: view["text"],
                example: gr.Dropdown(choices=view["examples"], value=view["example"]),
                givens: gr.Slider(maximum=span[1] if span else 1, value=0, visible=span is not None),
                max_steps: gr.Slider(maximum=view["limit"], value=view["limit"]),
                verify: gr.Checkbox(value=False, visible=view["verifiable"]),
                legend: view["legend"],
                board: view["board"],
                verdict: "",
                step: gr.Slider(maximum=1, value=0),
                shown: None,
                error: error_html(""),
            }

        def put_puzzle(name, puzzle):
            """The editor and the board showing ``puzzle``, the text box holding it."""
            solver = catalogue.load(name)
            task = solver.task
            chosen = board_of(name)
            return {
                text: puzzle,
                board_editor: chosen.editor_value(task, puzzle),
                board: puzzle_html(task, puzzle, chosen),
                verdict: "",
                step: gr.Slider(maximum=1, value=0),
                shown: None,  # the slider no longer steps through the last puzzle's refinement
                error: error_html(""),
            }

        def on_example(name, label):
            try:
                found = examples(catalogue.load(name).task)
                if label == NO_EXAMPLE or label not in [f"example {i + 1}" for i in range(len(found))]:
                    return {}
                return put_puzzle(name, found[int(label.split()[-1]) - 1])
            except RecurseError as problem:
                return {error: error_html(problem)}

        def on_new(name, wanted):
            try:
                task = catalogue.load(name).task
                return put_puzzle(name, new_puzzle(task, random.SystemRandom().randrange(2**31), int(wanted or 0)))
            except RecurseError as problem:
                return {error: error_html(problem)}
            except Exception as problem:
                log.exception("generating a puzzle failed")
                return {error: error_html(unexpected_error(problem))}

        def on_edit(name, value):
            """The editor changed: its puzzle goes to the text box (the task's own format)."""
            if not isinstance(value, dict):
                return {}
            try:
                task = catalogue.load(name).task
                return {text: board_of(name).text_of(task, value)}
            except Exception as problem:
                if not isinstance(problem, RecurseError):
                    log.exception("reading the editor failed")
                return {error: error_html(unexpected_error(problem))}

        def on_text(name, typed):
            """The text box changed: the editor follows when the text reads as a puzzle."""
            try:
                task = catalogue.load(name).task
                value = board_of(name).editor_value(task, typed)
            except RecurseError:
                return {}
            return {board_editor: value} if value is not None else {}

        def on_solve(name, typed, how, level, most, checked, kind, count, sigma, rule, seed_value):
            try:
                solver = catalogue.load(name)
                options = Options(
                    halting=how,
                    threshold=float(level),
                    max_steps=int(most),
                    verify=bool(checked),
                    strategy=kind,
                    samples=int(count or 1),
                    noise=float(sigma or 0),
                    select=rule,
                    seed=int(seed_value or 0),
                )
                refinement = solve(solver, typed, options)
            except Exception as problem:
                if not isinstance(problem, RecurseError):
                    log.exception("solving failed")
                return {error: error_html(unexpected_error(problem)), verdict: "", shown: None}
            last = len(refinement.answers)
            return {
                shown: Shown(name, refinement),
                board: step_html(solver.task, refinement, last, board_of(name)),
                step: gr.Slider(maximum=max(last, 1), value=last),
                verdict: verdict_html(refinement),
                error: error_html(""),
            }

        def on_step(state, index):
            if state is None:
                return {}
            try:
                task = catalogue.load(state.model).task
            except RecurseError as problem:
                return {error: error_html(problem)}
            return {board: step_html(task, state.refinement, int(index or 0), board_of(state.model))}

        def moved(state, index, by):
            total = len(state.refinement.answers) if state is not None else 0
            return max(0, min(total, int(index or 0) + by))

        def on_play(state, index, playing):
            if state is None:
                return {}
            if playing:
                return {timer: gr.Timer(active=False), play: gr.Button("▶ Play")}
            start_at = 0 if int(index or 0) >= len(state.refinement.answers) else int(index or 0)
            return {step: start_at, timer: gr.Timer(active=True), play: gr.Button("⏸ Pause")}

        def on_tick(state, index):
            if state is None or int(index or 0) >= len(state.refinement.answers):
                return {timer: gr.Timer(active=False), play: gr.Button("▶ Play")}
            return {step: int(index or 0) + 1}

        everything = {
            info,
            board_editor,
            text,
            example,
            givens,
            max_steps,
            verify,
            legend,
            board,
            verdict,
            step,
            shown,
            error,
        }
        puzzle_outputs = {text, board_editor, board, verdict, step, shown, error}
        model.change(on_model, model, everything)
        example.input(on_example, [model, example], puzzle_outputs)
        fresh.click(on_new, [model, givens], puzzle_outputs)
        # While a person types, only the latest text (or editor state) matters: older pending ones are dropped.
        board_editor.change(on_edit, [model, board_editor], {text, error}, trigger_mode="always_last")
        text.input(on_text, [model, text], {board_editor}, trigger_mode="always_last")
        solve_button.click(
            on_solve,
            [model, text, halting, threshold, max_steps, verify, strategy, samples, noise, select, seed],
            {shown, board, step, verdict, error},
        )
        step.change(on_step, [shown, step], {board, error})
        back.click(lambda s, i: moved(s, i, -1), [shown, step], step)
        forward.click(lambda s, i: moved(s, i, 1), [shown, step], step)
        playing = gr.State(False)
        play.click(on_play, [shown, step, playing], {step, timer, play}).then(
            lambda p, s: (not p) if s is not None else False, [playing, shown], playing
        )
        timer.tick(on_tick, [shown, step], {step, timer, play}).then(
            lambda s, i: s is not None and int(i or 0) < len(s.refinement.answers), [shown, step], playing
        )
    return page


def launch(page, *, host: str, port: int | None, block: bool = True):
    """Serve ``page`` on ``host``:``port`` (None: the first free port from 7860); returns the URL."""
    gr = require_gradio()
    _, url, _ = page.launch(
        server_name=host,
        server_port=port,
        quiet=True,
        prevent_thread_lock=True,
        ssr_mode=False,
        css=STYLE,
        theme=gr.themes.Default(),
    )
    return url

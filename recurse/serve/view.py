"""What the page shows, as HTML: a step of the refinement on the task's board, the legend, the checker's
verdict with its reasons, and one-line errors. Pure functions, tested without a browser."""

from __future__ import annotations

from recurse.errors import RecurseError, one_line
from recurse.serve.boards import Board, Frame, board_for
from recurse.serve.boards.base import BROKEN, CHANGED, GIVEN, confidence_shade, escape
from recurse.serve.refinement import Refinement
from recurse.tasks import Task

STYLE = """
.rc-frame { display: inline-block; padding: 4px; }
.rc-caption { font-weight: 600; margin-bottom: 6px; }
.rc-grid, .rc-ed-grid { display: grid; width: max-content; border: 2px solid #111827; }
.rc-cell, .rc-ed-cell, .rc-ed-maze { width: var(--rc-cell, 2.4em); height: var(--rc-cell, 2.4em); box-sizing: border-box;
  border: 1px solid #cbd5e1; display: flex; align-items: center; justify-content: center; font-size: 1.15em;
  color: #111827; background: #ffffff; }
.rc-ed-grid { --rc-cell: var(--rc-ed-cell); }
.rc-ed-cell { text-align: center; padding: 0; border-radius: 0; font-weight: 600; }
.rc-ed-maze { cursor: pointer; font-weight: 700; user-select: none; }
.rc-m-wall { background: #1f2937; } .rc-m-start { background: #86efac; } .rc-m-goal { background: #fca5a5; }
.rc-given { font-weight: 700; }
.rc-box-top { border-top: 3px solid #111827 !important; } .rc-box-left { border-left: 3px solid #111827 !important; }
.rc-brushes { margin-bottom: 6px; display: flex; gap: 4px; }
.rc-brush { padding: 2px 10px; border: 1px solid #9ca3af; border-radius: 4px; background: #f3f4f6; color: #111827; }
.rc-brush.rc-on { background: #1f2937; color: #ffffff; }
.rc-legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 0.9em; align-items: center; }
.rc-swatch { display: inline-block; width: 1.1em; height: 1.1em; border: 1px solid #9ca3af; vertical-align: middle;
  margin-right: 4px; }
.rc-verdict { font-size: 1.1em; } .rc-valid b { color: #15803d; } .rc-invalid b { color: #b91c1c; }
.rc-error { color: #b91c1c; font-weight: 600; min-height: 1.4em; }
.rc-text { font-size: 1.2em; }
"""


def cell_size(task: Task) -> str:
    """A cell's side in pixels, so that a 4×4 and a 30×30 grid both fit the column."""
    return f"{max(12, min(40, 420 // max(task.cols, 1)))}px"


def frame_of(refinement: Refinement, index: int) -> Frame:
    """Step ``index`` of a refinement (0: the puzzle), clamped to the steps there are."""
    total = len(refinement.answers)
    index = max(0, min(int(index), total))
    return Frame(
        puzzle=refinement.puzzle,
        answer=refinement.answers[index - 1] if index else None,
        previous=refinement.answers[index - 2] if index >= 2 else None,
        confidence=refinement.confidence[index - 1] if index and refinement.confidence else None,
        index=index,
        total=total,
        title="the kept answer (its steps are not shown)" if refinement.kept_only and index else None,
    )


def step_html(task: Task, refinement: Refinement, index: int, board: Board | None = None) -> str:
    """Step ``index`` of the refinement drawn on the task's board."""
    board = board or board_for(task, refinement.puzzle)
    drawn = board.render(task, frame_of(refinement, index))
    return f'<div class="rc-board" style="--rc-cell:{cell_size(task)}">{drawn}</div>'


def puzzle_html(task: Task, puzzle: str, board: Board | None = None) -> str:
    """The puzzle alone on its board (before solving)."""
    board = board or board_for(task, puzzle)
    frame = Frame(puzzle=puzzle, answer=None, previous=None, confidence=None, index=0, total=0)
    return f'<div class="rc-board" style="--rc-cell:{cell_size(task)}">{board.render(task, frame)}</div>'


def legend_html(board: Board) -> str:
    """The colours the board uses, with what each means."""
    items = board.legend()
    shades = "".join(
        f'<span class="rc-swatch" style="background:{confidence_shade(c)}"></span>' for c in (0.1, 0.5, 0.9)
    )
    parts = []
    for style, label in items:
        swatch = shades if style == "confidence" else f'<span class="rc-swatch" style="{style}"></span>'
        parts.append(f"<span>{swatch}{escape(label)}</span>")
    return '<div class="rc-legend">' + "".join(parts) + "</div>"


def verdict_html(refinement: Refinement) -> str:
    """The checker's verdict, its reasons, the steps used, the time taken and, verified, the search's report."""
    steps = f"{refinement.steps} step{'s' if refinement.steps != 1 else ''}"
    facts = f"{steps} · {refinement.seconds:.2f} s · halting confidence {refinement.halt_confidence:.2f}"
    if refinement.valid:
        head = f'<div class="rc-verdict rc-valid"><b>valid</b> · {facts}</div>'
    else:
        reasons = "".join(f"<li>{escape(v)}</li>" for v in refinement.violations)
        head = f'<div class="rc-verdict rc-invalid"><b>not valid</b> · {facts}<ul>{reasons}</ul></div>'
    for note in refinement.notes:
        head += f'<div class="rc-note">{escape(note)}</div>'
    if refinement.verification:
        head += f'<div class="rc-verification">{escape(refinement.verification)}</div>'
    return head


def error_html(error: BaseException | str) -> str:
    """One line that says what is wrong (never a traceback)."""
    text = error if isinstance(error, str) else one_line(error, 300)
    return f'<div class="rc-error">{escape(text)}</div>'


def unexpected_error(error: BaseException) -> str:
    """The line shown for a failure that is not the user's input (the traceback goes to the server's log)."""
    if isinstance(error, RecurseError):
        return one_line(error, 300)
    return f"something went wrong on the server ({type(error).__name__}: {one_line(error, 200)}); see its log"


__all__ = [
    "STYLE",
    "BROKEN",
    "CHANGED",
    "GIVEN",
    "error_html",
    "legend_html",
    "puzzle_html",
    "step_html",
    "verdict_html",
]

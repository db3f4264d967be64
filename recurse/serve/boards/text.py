"""The board of a task with no drawing of its own: the answer in the task's text, characters that this
step changed marked, each shaded by the network's confidence where there is one per character."""

from __future__ import annotations

from recurse.serve.boards.base import CHANGED, Board, Frame, caption, confidence_shade, escape
from recurse.tasks import Task


class TextBoard(Board):
    def render(self, task: Task, frame: Frame) -> str:
        if frame.answer is None:
            body = escape(task.render(task.parse(frame.puzzle)))
        else:
            before = frame.previous or ""
            per_char = frame.confidence if frame.confidence and len(frame.confidence) == len(frame.answer) else None
            spans = []
            for i, ch in enumerate(frame.answer):
                style = "" if per_char is None else f"background:{confidence_shade(per_char[i])}"
                if i >= len(before) or before[i] != ch:
                    style += f";box-shadow:inset 0 -3px 0 {CHANGED}"
                spans.append(f'<span style="{style}">{escape(ch)}</span>')
            body = "".join(spans)
        return f'<div class="rc-frame"><div class="rc-caption">{caption(frame)}</div><pre class="rc-text">{body}</pre></div>'

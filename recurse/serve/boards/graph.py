"""The board of graph colouring, a task that is not a grid: the graph drawn with its vertices on a circle,
each vertex filled with its colour (its depth the network's confidence), given colours ringed, vertices
changed by this step outlined, and edges that join two vertices of one colour drawn red."""

from __future__ import annotations

import math
from typing import Protocol, cast

import numpy as np

from recurse.serve.boards.base import BROKEN, CHANGED, Board, Frame, caption, escape
from recurse.tasks import Task


class GraphTask(Protocol):
    """What the board needs of a graph task beyond ``Task``: the edges of a puzzle."""

    def edges(self, puzzle: np.ndarray) -> list[tuple[int, int]]: ...


FILL = {"R": "#ef4444", "G": "#22c55e", "B": "#3b82f6", "Y": "#eab308", "C": "#06b6d4", "M": "#d946ef"}
SIZE, RADIUS, DOT = 300, 115, 17


class GraphBoard(Board):
    def legend(self) -> list[tuple[str, str]]:
        return [
            ("border:3px solid #111827;border-radius:50%", "given colour"),
            ("confidence", "colour found by the network: pale unsure, deep sure"),
            (f"border:3px solid {CHANGED};border-radius:50%", "changed at this step"),
            (f"background:{BROKEN}", "an edge joining two vertices of one colour"),
        ]

    def render(self, task: Task, frame: Frame) -> str:
        grid = task.parse(frame.puzzle)
        given = task.format_answer(grid)
        colours = frame.answer if frame.answer is not None and len(frame.answer) == len(given) else given
        before = frame.previous if frame.previous is not None and len(frame.previous) == len(given) else given
        confidence = frame.confidence if frame.confidence is not None and frame.answer is not None else None
        n = len(given)
        centre = SIZE / 2
        points = [
            (centre + RADIUS * math.sin(2 * math.pi * v / n), centre - RADIUS * math.cos(2 * math.pi * v / n))
            for v in range(n)
        ]
        parts = []
        for u, w in cast(GraphTask, task).edges(grid):
            clash = colours[u] == colours[w] and colours[u] in FILL
            stroke = f'stroke="{BROKEN}" stroke-width="4"' if clash else 'stroke="#6b7280" stroke-width="2"'
            parts.append(
                f'<line class="rc-edge{" rc-clash" if clash else ""}" x1="{points[u][0]:.1f}" y1="{points[u][1]:.1f}" '
                f'x2="{points[w][0]:.1f}" y2="{points[w][1]:.1f}" {stroke}/>'
            )
        for v, (x, y) in enumerate(points):
            colour = colours[v]
            opacity = 1.0 if confidence is None or given[v] != "?" else 0.25 + 0.75 * confidence[v]
            fill = FILL.get(colour, "#ffffff")
            ring = 'stroke="#111827" stroke-width="4"' if given[v] != "?" else 'stroke="#9ca3af" stroke-width="1.5"'
            classes = "rc-vertex" + (" rc-given" if given[v] != "?" else "")
            title = f"vertex {v}: {colour}" + ("" if confidence is None else f", confidence {confidence[v]:.2f}")
            if frame.answer is not None and colour != before[v]:
                classes += " rc-changed"
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{DOT + 6}" fill="none" stroke="{CHANGED}" stroke-width="4"/>'
                )
            parts.append(
                f'<circle class="{classes}" cx="{x:.1f}" cy="{y:.1f}" r="{DOT}" fill="{fill}" '
                f'fill-opacity="{opacity:.2f}" {ring}><title>{escape(title)}</title></circle>'
            )
            parts.append(
                f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" font-size="14" font-weight="bold">{v}</text>'
            )
        return (
            f'<div class="rc-frame"><div class="rc-caption">{caption(frame)} · colours {escape(colours)}</div>'
            f'<svg viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}" role="img">'
            + "".join(parts)
            + "</svg></div>"
        )

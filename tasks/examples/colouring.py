"""Graph colouring, a task that is not a grid, defined only through recurse's public task API.

A puzzle is a graph on ``vertices`` vertices and possibly a few vertices already coloured; the answer is
a colour for every vertex such that no edge joins two vertices of one colour. The text is the same in
either layout: ``"RG??????|0-1 0-2 1-3"`` (colours, '?' for a vertex to colour, then the edges), and the
answer is its colours alone, ``"RGBRGBRG"``.

Two layouts of the graph as positions (``layout``):

- ``adjacency`` (default): the adjacency matrix, one position per vertex pair (``vertices``² positions).
  Row i, column j holds '#' for an edge and '-' for none; the diagonal holds vertex i's colour ('?' when
  it is to be found) and is the only answer position. A vertex's neighbours sit at fixed positions (its
  row), so a position-mixing core (MLP-t) reads them as it reads a Sudoku cell's row.
- ``edges``: one position per vertex, then ``max_edges`` edge slots, each one token naming an edge (``3-7``)
  or '-'. Shorter, but a vertex must find its edges by their content wherever they sit.
- ``rows``: one position per vertex (the answer), then one per vertex holding its set of neighbours as a
  single token (``{0,2,5}``), 2 × ``vertices`` positions and 2^``vertices`` such tokens (so at most 7
  vertices). Attention reads a vertex's neighbours straight from its own token.

Registered as ``colouring`` with the built-in tasks.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field, model_validator

from recurse.spec import Spec as PluginSpec
from recurse.tasks import TASKS, GridSymmetry, PuzzleFormatError, Task
from recurse.tasks.interactions import Interactions
from recurse.tasks.solver import AllDifferentSolver, SolveResult

if TYPE_CHECKING:  # torch is imported where the relaxed checker runs: listing tasks stays light
    import torch

COLOURS = "RGBYCM"


def _pair(u: int, w: int) -> tuple[int, int]:
    """An undirected edge as its (smaller, larger) vertex pair."""
    return (u, w) if u <= w else (w, u)


@TASKS.register("colouring")
class GraphColouring(Task):
    class Spec(PluginSpec):
        kind: Literal["colouring"] = "colouring"
        vertices: int = Field(10, ge=3, le=20, description="at most 20: tokens are stored as bytes")
        colours: int = Field(3, ge=2, le=len(COLOURS))
        max_edges: int = Field(24, ge=1, description="most edges a graph may have (edge slots with layout: edges)")
        density: float = Field(
            0.6, gt=0, le=1, description="generator: chance that two differently coloured vertices are joined"
        )
        unique: bool = Field(
            True,
            description="generator: colour vertices in advance until only one colouring "
            "is left (False: no colours given, many valid answers)",
        )
        layout: Literal["adjacency", "edges", "rows"] = Field(
            "adjacency",
            description="positions: the adjacency matrix (colours on its diagonal), an edge list, "
            "or a neighbour-set token per vertex",
        )

        @model_validator(mode="after")
        def _edges(self):
            if self.max_edges > self.vertices * (self.vertices - 1) // 2:
                raise ValueError(f"{self.vertices} vertices have fewer than {self.max_edges} distinct edges")
            if self.layout == "rows" and self.vertices > 7:
                raise ValueError("layout rows has a token per set of neighbours: at most 7 vertices")
            return self

        def build(self) -> GraphColouring:
            return GraphColouring(
                self.vertices,
                self.colours,
                max_edges=self.max_edges,
                density=self.density,
                unique=self.unique,
                layout=self.layout,
            )

    def __init__(
        self,
        vertices: int = 10,
        colours: int = 3,
        *,
        max_edges: int = 24,
        density: float = 0.6,
        unique: bool = True,
        layout: str = "adjacency",
    ) -> None:
        self.vertices, self.k, self.max_edges = vertices, colours, max_edges
        self.density, self.unique, self.layout = density, unique, layout
        self.several_answers = not unique  # no colours given: every colour permutation is an answer too
        self.pairs = list(combinations(range(vertices), 2))
        self.none = colours + 1  # '-': no edge (adjacency) or an empty edge slot (edges)
        # Not a grid: puzzles are flat, seq_len positions; the matrix layout also says how to draw them.
        if layout == "adjacency":
            self.edge = colours + 2  # '#'
            self.alphabet = ["?", *COLOURS[:colours], "-", "#"]
            self.seq_len = vertices * vertices
            self.rows = self.cols = vertices
        elif layout == "rows":
            # Value none + m is the set of neighbours whose bits m holds, written as those vertices.
            self.alphabet = [
                "?",
                *COLOURS[:colours],
                *("{" + ",".join(str(j) for j in range(vertices) if m >> j & 1) + "}" for m in range(1 << vertices)),
            ]
            self.seq_len = 2 * vertices
        else:
            self.pair_value = {pair: colours + 2 + i for i, pair in enumerate(self.pairs)}
            self.alphabet = ["?", *COLOURS[:colours], "-", *(f"{u}-{w}" for u, w in self.pairs)]
            self.seq_len = vertices + max_edges

    def spec(self) -> dict:
        return {
            "kind": "colouring",
            "vertices": self.vertices,
            "colours": self.k,
            "max_edges": self.max_edges,
            "density": self.density,
            "unique": self.unique,
            "layout": self.layout,
        }

    def describe(self) -> str:
        return f"{self.k}-colouring of a {self.vertices}-vertex graph (at most {self.max_edges} edges)"

    # -- positions -----------------------------------------------------------------------------------
    def answer_positions(self) -> np.ndarray:
        # The vertices' colours; the edges (or non-edges) are input only: never predicted nor scored.
        step = self.vertices + 1 if self.layout == "adjacency" else 1
        return np.arange(self.vertices) * step  # the diagonal, or the first `vertices` positions

    def describe_position(self, index: int) -> str:
        vertex = np.flatnonzero(self.answer_positions() == index)
        if vertex.size:
            return f"vertex {vertex[0]}'s colour"
        if self.layout == "adjacency":
            return f"pair {index // self.vertices}-{index % self.vertices}"
        if self.layout == "rows":
            return f"vertex {index - self.vertices}'s neighbours"
        return f"edge slot {index - self.vertices}"

    def interactions(self) -> Interactions:
        """A vertex interacts with what describes its edges: the edge slots that name it (``edges``), its
        row and column of the matrix (``adjacency``: the diagonal cell with the cells of its pairs), or its
        neighbour-set token and the vertices that tokens name (``rows``)."""
        v = self.vertices
        pairs = np.zeros((self.seq_len, self.seq_len), dtype=np.int64)
        links = np.zeros((len(self.alphabet), self.seq_len), dtype=np.int64)
        if self.layout == "adjacency":
            for u, w in self.pairs:
                for cell in (u * v + w, w * v + u):
                    pairs[cell, [u * v + u, w * v + w]] = 1
        elif self.layout == "rows":
            pairs[np.arange(v), v + np.arange(v)] = 1  # a vertex and its own neighbour set
            for m in range(1 << v):
                links[self.none + m, [j for j in range(v) if m >> j & 1]] = 1
        else:
            for (u, w), value in self.pair_value.items():
                links[value, [u, w]] = 1
        return Interactions(names=("incident",), pairs=pairs, links=links)

    def relaxed_violations(self, tokens: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
        """[B, vertex pairs]: the chance that a pair is an edge whose two ends get one colour, each vertex
        drawn from its predicted distribution over the colours (renormalised over them)."""
        import torch

        colours = probs[..., 2 : 2 + self.k]  # tokens of values 1..k
        colours = colours / colours.sum(-1, keepdim=True).clamp_min(1e-12)
        vertex_colours = colours[:, self.answer_positions()]  # [B, V, k]
        joined = self._adjacency(tokens)  # [B, V, V] bool
        u, w = torch.triu_indices(self.vertices, self.vertices, offset=1)
        same = (vertex_colours[:, u] * vertex_colours[:, w]).sum(-1)  # [B, pairs]
        return same * joined[:, u, w]

    def _adjacency(self, tokens: torch.Tensor) -> torch.Tensor:
        """[B, V, V] bool adjacency of a batch of puzzles' tokens, in any layout."""
        import torch

        values = tokens - 1
        batch, v = len(tokens), self.vertices
        if self.layout == "adjacency":
            return (values == self.edge).view(batch, v, v)
        adjacency = torch.zeros(batch, v, v, dtype=torch.bool, device=tokens.device)
        if self.layout == "rows":
            sets = (values[:, v:] - self.none).clamp_min(0)  # [B, V] neighbour bitmasks
            bits = torch.arange(v, device=tokens.device)
            return (sets.unsqueeze(-1) >> bits & 1).bool()
        pairs = torch.tensor(self.pairs, device=tokens.device)  # [P, 2]
        slots = values[:, v:] - self.k - 2  # pair index, or negative for an empty slot
        filled = slots >= 0
        ends = pairs[slots.clamp_min(0)]  # [B, slots, 2]
        rows = torch.arange(batch, device=tokens.device).unsqueeze(1).expand_as(slots)
        adjacency[rows[filled], ends[..., 0][filled], ends[..., 1][filled]] = True
        return adjacency | adjacency.transpose(1, 2)

    def edges(self, puzzle: np.ndarray) -> list[tuple[int, int]]:
        grid = np.asarray(puzzle).reshape(-1)
        if self.layout == "adjacency":
            return [(u, w) for u, w in self.pairs if grid[u * self.vertices + w] == self.edge]
        if self.layout == "rows":
            return [(u, w) for u, w in self.pairs if (grid[self.vertices + u] - self.none) >> w & 1]
        return [self.pairs[v - self.k - 2] for v in grid[self.vertices :] if v >= self.k + 2]

    def graph(self, colours: np.ndarray, edges: list[tuple[int, int]]) -> np.ndarray:
        """The flat grid of a graph with these vertex values (0 for '?') and edges, in this layout."""
        grid = np.full(self.seq_len, self.none, dtype=np.int64)
        if self.layout == "adjacency":
            for u, w in edges:
                grid[u * self.vertices + w] = grid[w * self.vertices + u] = self.edge
        elif self.layout == "rows":
            for u, w in edges:
                grid[self.vertices + u] += 1 << w
                grid[self.vertices + w] += 1 << u
        else:
            grid[self.vertices : self.vertices + len(edges)] = [self.pair_value[_pair(*e)] for e in edges]
        grid[self.answer_positions()] = colours
        return grid

    # -- text ----------------------------------------------------------------------------------------
    def parse(self, text: str) -> np.ndarray:
        """Colours then edges, split by '|' or a line break; ``colours:``/``edges:`` labels are optional."""
        parts = [p.strip() for p in text.replace("\n", "|").split("|") if p.strip()]
        if len(parts) != 2:
            raise PuzzleFormatError(f"expected colours and edges ('RG????|0-1 1-2') for a {self.describe()}")
        colours, words = (p.split(":", 1)[1].strip() if ":" in p else p for p in parts)
        if len(colours) != self.vertices or set(colours) - set("?" + COLOURS[: self.k]):
            raise PuzzleFormatError(
                f"expected {self.vertices} of '?{COLOURS[: self.k]}' for the vertices, got {colours!r}"
            )
        edges = []
        for word in words.replace(",", " ").split():
            try:
                u, w = sorted(int(x) for x in word.split("-"))
            except ValueError:
                u = w = -1
            if not 0 <= u < w < self.vertices:
                raise PuzzleFormatError(f"{word!r} is not an edge between two of the vertices 0..{self.vertices - 1}")
            edges.append((u, w))
        if len(edges) > self.max_edges:
            raise PuzzleFormatError(f"{len(edges)} edges, but this task holds at most {self.max_edges}")
        return self.graph(np.array([("?" + COLOURS).index(c) for c in colours]), edges)

    def format(self, grid: np.ndarray) -> str:
        edges = " ".join(f"{u}-{w}" for u, w in self.edges(grid))
        return f"{self.format_answer(grid)}|{edges}"

    def format_answer(self, solution: np.ndarray) -> str:
        """The vertices' colours; a vertex that holds no colour (a model may write any token) reads '?'."""
        colours = np.asarray(solution).reshape(-1)[self.answer_positions()]
        return "".join(self.alphabet[v] if v <= self.k else "?" for v in colours)

    def render_answer(self, text: str) -> str:
        return text  # a colour per vertex is already its own picture

    def parse_answer(self, puzzle: np.ndarray, text: str) -> np.ndarray:
        """The puzzle with its vertices coloured as ``text`` (``format_answer``'s colours) says."""
        colours = text.strip()
        if len(colours) != self.vertices or set(colours) - set("?" + COLOURS[: self.k]):
            raise PuzzleFormatError(f"expected {self.vertices} of '?{COLOURS[: self.k]}' as an answer, got {colours!r}")
        solution = np.array(puzzle, copy=True).reshape(-1)
        solution[self.answer_positions()] = [("?" + COLOURS).index(c) for c in colours]
        return solution

    def render(self, grid: np.ndarray) -> str:
        colours, edges = self.format(grid).split("|")
        return f"colours: {colours}\nedges: {edges}"

    # -- rules ---------------------------------------------------------------------------------------
    def validate_puzzle(self, puzzle: np.ndarray) -> None:
        grid = np.asarray(puzzle).reshape(-1)
        ok = grid.size == self.seq_len
        if ok:
            colours = grid[self.answer_positions()]
            ok = (colours <= self.k).all() and np.array_equal(grid, self.graph(colours, self.edges(grid)))
        if not ok:
            raise PuzzleFormatError("vertices must hold '?' or a colour, the other positions the graph's edges")
        if not self.solve_all(grid, limit=1).solutions:
            raise PuzzleFormatError(f"this graph has no {self.k}-colouring that keeps its given colours")

    def violations(self, puzzle: np.ndarray, answer: np.ndarray) -> list[str]:
        puzzle, answer = np.asarray(puzzle).reshape(-1), np.asarray(answer).reshape(-1)
        if answer.shape != puzzle.shape:
            return [f"answer has {answer.size} positions, puzzle has {puzzle.size}"]
        problems = []
        vertex = np.zeros(puzzle.size, dtype=bool)
        vertex[self.answer_positions()] = True
        if not np.array_equal(answer[~vertex], puzzle[~vertex]):
            problems.append("the edges were changed")
        colours, givens = answer[vertex], puzzle[vertex]
        if ((colours < 1) | (colours > self.k)).any():
            problems.append("a vertex has no colour")
        if ((givens != 0) & (colours != givens)).any():
            problems.append("a given colour was changed")
        clashes = [(u, w) for u, w in self.edges(puzzle) if colours[u] == colours[w]]
        if clashes:
            problems.append(f"{len(clashes)} edge(s) join vertices of one colour, e.g. {clashes[0][0]}-{clashes[0][1]}")
        return problems

    def solve_all(self, puzzle: np.ndarray, limit: int = 2, rng: np.random.Generator | None = None) -> SolveResult:
        """Up to ``limit`` colourings (whole solutions) that keep the given colours: each edge is a group of
        two vertices that must differ."""
        grid = np.asarray(puzzle).reshape(-1)
        positions = self.answer_positions()
        solver = AllDifferentSolver(self.k, [list(e) for e in self.edges(grid)], num_cells=self.vertices)
        result = solver.solve(grid[positions], limit=limit, rng=rng)
        solutions = []
        for colours in result.solutions:
            solution = grid.copy()
            solution[positions] = colours
            solutions.append(solution)
        result.solutions = solutions
        return result

    def count_answers(self, puzzle: np.ndarray, limit: int = 2) -> int | None:
        return len(self.solve_all(puzzle, limit=limit).solutions)

    def answers(self, puzzle: np.ndarray, limit: int = 64) -> list[np.ndarray]:
        return self.solve_all(puzzle, limit=limit).solutions

    def solve(self, puzzle: np.ndarray) -> np.ndarray | None:
        found = self.solve_all(puzzle, limit=1).solutions
        return found[0] if found else None

    # -- symmetries ----------------------------------------------------------------------------------
    def random_symmetry(self, rng: np.random.Generator) -> GridSymmetry:
        """Rename the vertices, permute the colours (when colours are given) and reorder the edge slots."""
        n = self.vertices
        order = rng.permutation(n)  # new vertex i is old vertex order[i]
        value_map = np.arange(len(self.alphabet))
        if self.unique:
            # With no colours given, a colour permutation would change the label and not the input,
            # teaching the model an average of the permutations; with givens it recolours them too.
            value_map[1 : self.k + 1] = 1 + rng.permutation(self.k)
        if self.layout == "adjacency":
            return GridSymmetry((order[:, None] * n + order[None, :]).reshape(-1), value_map)
        new_name = np.argsort(order)
        if self.layout == "rows":
            for m in range(1 << n):
                value_map[self.none + m] = self.none + sum(1 << int(new_name[j]) for j in range(n) if m >> j & 1)
            return GridSymmetry(np.concatenate([order, n + order]), value_map)
        for (u, w), value in self.pair_value.items():
            value_map[value] = self.pair_value[_pair(int(new_name[u]), int(new_name[w]))]
        return GridSymmetry(np.concatenate([order, n + rng.permutation(self.max_edges)]), value_map)

    # -- generation ----------------------------------------------------------------------------------
    def generate(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """A planted colouring (every colour used), edges drawn between differently coloured vertices, so
        the graph is colourable by construction; with ``unique``, given colours are then removed in
        random order while the colouring stays the only one."""
        while True:
            colours = rng.integers(1, self.k + 1, self.vertices)
            if np.unique(colours).size == self.k:
                break
        candidates = [p for p in self.pairs if colours[p[0]] != colours[p[1]]]
        chosen = [p for p in candidates if rng.random() < self.density]
        if len(chosen) > self.max_edges:
            chosen = [chosen[i] for i in sorted(rng.choice(len(chosen), self.max_edges, replace=False))]
        solution = self.graph(colours, [chosen[i] for i in rng.permutation(len(chosen))])
        puzzle = solution.copy()
        positions = self.answer_positions()
        if not self.unique:
            puzzle[positions] = 0
            return puzzle, solution
        for vertex in rng.permutation(positions):
            kept = puzzle[vertex]
            puzzle[vertex] = 0
            if len(self.solve_all(puzzle, limit=2).solutions) != 1:
                puzzle[vertex] = kept
        return puzzle, solution

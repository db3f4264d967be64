"""Planted 3-SAT, a task that is not a grid, defined only through recurse's public task API.

A puzzle is a formula over ``variables`` Boolean variables: ``clauses`` clauses of three literals each
(three distinct variables, each plain or negated). The answer is a value for every variable that makes
every clause true. A generated formula has several such assignments (about a dozen at 12 variables and
ratio 4), so the task declares ``several_answers`` and lists them (``answers``) for training against the
checker (docs/tasks.md, "Several valid answers").

Positions (``seq_len`` of them, flat): the variables first, the answer positions, each '?' in a puzzle and 'F' or 'T'
in an answer; then three literal slots per clause, each one token naming a literal as DIMACS writes it
(``3``, ``-3``). A variable's clauses are wherever its literals sit, so the layout suits an attention core
(learned positions give each variable its identity); an incidence matrix (variables × clauses) would let
the MLP-t core read them at fixed places but costs the square of variables × clauses per mixing step.

Text: ``"????????????|1 -2 3,4 5 -6,…"`` (assignment, '|', clauses separated by commas), or DIMACS CNF
(``p cnf 12 48`` and one ``0``-terminated clause a line; ``c assignment TF…`` carries the assignment),
which is what ``render`` writes. An answer is the assignment alone: ``"TFFT…"``.

Registered as ``sat`` with the built-in tasks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from recurse.spec import Spec
from recurse.tasks import TASKS, PositionwiseSymmetry, PuzzleFormatError, Task
from recurse.tasks.interactions import Interactions, pairs_from_groups
from recurse.tasks.search import DomainProblem

if TYPE_CHECKING:  # torch is imported where the relaxed checker runs: listing tasks stays light
    import torch

UNSET, FALSE, TRUE = 0, 1, 2  # a variable's values: '?', 'F', 'T'
BOTH = 1 << FALSE | 1 << TRUE  # the domain of an open variable (bit v: value v still possible)
LITERALS = 3  # per clause


@TASKS.register("sat")
class PlantedSat(Task):
    class Spec(Spec):
        kind: Literal["sat"] = "sat"
        variables: int = Field(
            12, ge=3, le=126, description="Boolean variables (tokens are bytes: 2·variables + 3 ≤ 255)"
        )
        clauses: int = Field(
            48,
            ge=1,
            le=1000,
            description="three-literal clauses; clauses/variables ≈ 4.27 is the hardest ratio for random formulas",
        )

        def build(self) -> PlantedSat:
            return PlantedSat(self.variables, self.clauses)

    several_answers = True

    def __init__(self, variables: int = 12, clauses: int = 48) -> None:
        self.n, self.m = variables, clauses
        # Value 3 + 2v is variable v plain, 4 + 2v negated (DIMACS: v + 1 and -(v + 1)).
        self.alphabet = ["?", "F", "T", *(s for v in range(1, variables + 1) for s in (str(v), f"-{v}"))]
        self.seq_len = variables + LITERALS * clauses  # not a grid: puzzles are flat

    def spec(self) -> dict:
        return {"kind": "sat", "variables": self.n, "clauses": self.m}

    def describe(self) -> str:
        return f"3-SAT formula ({self.n} variables, {self.m} clauses)"

    # -- positions -----------------------------------------------------------------------------------
    def answer_positions(self) -> np.ndarray:
        return np.arange(self.n)

    def decode(self, tokens: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(tokens).reshape(-1).astype(np.int64) - 1, 0, len(self.alphabet) - 1)

    def literals(self, puzzle: np.ndarray) -> np.ndarray:
        """[clauses, 3] signed literals, DIMACS style (variable v + 1, negative when negated)."""
        values = np.asarray(puzzle).reshape(-1)[self.n :].reshape(self.m, LITERALS) - 3
        return np.where(values % 2 == 0, values // 2 + 1, -(values // 2 + 1))

    def formula(self, assignment: np.ndarray, literals: np.ndarray) -> np.ndarray:
        """The flat grid of an assignment (values 0/1/2 per variable) and a [clauses, 3] literal array."""
        literals = np.asarray(literals, dtype=np.int64)
        values = np.where(literals > 0, 3 + 2 * (literals - 1), 4 + 2 * (-literals - 1))
        return np.concatenate([np.asarray(assignment, dtype=np.int64), values.reshape(-1)])

    def interactions(self) -> Interactions:
        """A literal slot interacts with its variable (as a plain or a negated occurrence) and with the
        other two slots of its clause: the formula's factor graph."""
        links = np.zeros((len(self.alphabet), self.seq_len), dtype=np.int64)
        for v in range(self.n):
            links[3 + 2 * v, v] = 1  # the value naming v plain
            links[4 + 2 * v, v] = 2  # ... and negated
        clauses = ((3, range(self.n + LITERALS * c, self.n + LITERALS * (c + 1))) for c in range(self.m))
        return Interactions(
            names=("plain occurrence", "negated occurrence", "same clause"),
            pairs=pairs_from_groups(self.seq_len, clauses),
            links=links,
        )

    def relaxed_violations(self, tokens: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
        """[B, clauses]: the chance that a clause has no true literal, each variable drawn from its
        predicted distribution over 'F' and 'T' (renormalised over the two)."""
        import torch

        values = tokens[:, self.n :] - 1 - 3  # 2v for v plain, 2v + 1 negated
        variables, negated = values.clamp_min(0) // 2, values % 2 == 1
        true, false = probs[:, : self.n, TRUE + 1], probs[:, : self.n, FALSE + 1]
        p_true = true / (true + false).clamp_min(1e-12)
        p_var = p_true.gather(1, variables)  # [B, 3 · clauses]: P(the literal's variable is true)
        p_literal = torch.where(negated, 1 - p_var, p_var)
        return (1 - p_literal).view(len(tokens), self.m, LITERALS).prod(-1)

    # -- text ----------------------------------------------------------------------------------------
    def parse(self, text: str) -> np.ndarray:
        """``assignment|clauses`` (clauses split by commas) or DIMACS CNF with an optional
        ``c assignment`` line."""
        if "|" in text:
            assignment, body = text.split("|", 1)
            clauses = [c.split() for c in body.split(",") if c.strip()]
        else:
            assignment, clauses = "?" * self.n, []
            for line in text.splitlines():
                words = line.split()
                if not words or words[0] == "p":
                    continue
                if words[0] == "c":
                    if words[1:2] == ["assignment"] and len(words) == 3:
                        assignment = words[2]
                    continue
                if words[-1] != "0":
                    raise PuzzleFormatError(f"a DIMACS clause ends with 0: {line.strip()!r}")
                clauses.append(words[:-1])
        assignment = assignment.strip()
        if len(assignment) != self.n or set(assignment) - set("?FT"):
            raise PuzzleFormatError(f"expected {self.n} of '?FT' for the variables, got {assignment!r}")
        if len(clauses) != self.m:
            raise PuzzleFormatError(f"expected {self.m} clauses for a {self.describe()}, got {len(clauses)}")
        literals = []
        for clause in clauses:
            try:
                numbers = [int(w) for w in clause]
            except ValueError:
                numbers = []
            variables = {abs(x) for x in numbers}
            if len(numbers) != LITERALS or len(variables) != LITERALS or not variables <= set(range(1, self.n + 1)):
                raise PuzzleFormatError(
                    f"{' '.join(clause)!r} is not a clause of three distinct variables among 1..{self.n} (negated: -v)"
                )
            literals.append(numbers)
        return self.formula(np.array(["?FT".index(c) for c in assignment]), np.array(literals))

    def format(self, grid: np.ndarray) -> str:
        clauses = ",".join(" ".join(str(x) for x in clause) for clause in self.literals(grid))
        return f"{self.format_answer(grid)}|{clauses}"

    def format_answer(self, solution: np.ndarray) -> str:
        """The variables' values; a position that holds no value (a model may write any token) reads '?'."""
        values = np.asarray(solution).reshape(-1)[: self.n]
        return "".join("?FT"[v] if v <= TRUE else "?" for v in values)

    def render(self, grid: np.ndarray) -> str:
        lines = [f"c assignment {self.format_answer(grid)}", f"p cnf {self.n} {self.m}"]
        lines += [" ".join(str(x) for x in clause) + " 0" for clause in self.literals(grid)]
        return "\n".join(lines)

    def render_answer(self, text: str) -> str:
        return text  # a value per variable is already its own picture

    def parse_answer(self, puzzle: np.ndarray, text: str) -> np.ndarray:
        """The formula with its variables set as ``text`` (``format_answer``'s values) says."""
        values = text.strip()
        if len(values) != self.n or set(values) - set("?FT"):
            raise PuzzleFormatError(f"expected {self.n} of '?FT' as an answer, got {values!r}")
        solution = np.array(puzzle, copy=True).reshape(-1)
        solution[: self.n] = ["?FT".index(c) for c in values]
        return solution

    # -- rules ---------------------------------------------------------------------------------------
    def validate_puzzle(self, puzzle: np.ndarray) -> None:
        grid = np.asarray(puzzle).reshape(-1)
        ok = bool(grid.size == self.seq_len and (grid[: self.n] <= TRUE).all() and (grid[self.n :] >= 3).all())
        if ok:
            variables = np.abs(self.literals(grid))
            ok = bool((np.sort(variables, axis=1)[:, 1:] != np.sort(variables, axis=1)[:, :-1]).all())
        if not ok:
            raise PuzzleFormatError("variables must hold '?', 'F' or 'T', and each clause three distinct variables")
        if self.solve(grid) is None:
            raise PuzzleFormatError("this formula has no satisfying assignment that keeps the given values")

    def violations(self, puzzle: np.ndarray, answer: np.ndarray) -> list[str]:
        puzzle, answer = np.asarray(puzzle).reshape(-1), np.asarray(answer).reshape(-1)
        if answer.shape != puzzle.shape:
            return [f"answer has {answer.size} positions, puzzle has {puzzle.size}"]
        problems = []
        if not np.array_equal(answer[self.n :], puzzle[self.n :]):
            problems.append("the clauses were changed")
        values, givens = answer[: self.n], puzzle[: self.n]
        if ((values != FALSE) & (values != TRUE)).any():
            problems.append("a variable has no value")
        if ((givens != UNSET) & (values != givens)).any():
            problems.append("a given value was changed")
        literals = self.literals(puzzle)
        true = np.where(literals > 0, values[np.abs(literals) - 1] == TRUE, values[np.abs(literals) - 1] == FALSE)
        unsatisfied = np.flatnonzero(~true.any(axis=1))
        if unsatisfied.size:
            problems.append(f"{unsatisfied.size} clause(s) are false, e.g. clause {unsatisfied[0] + 1}")
        return problems

    def search_problem(self, puzzle: np.ndarray) -> SatProblem:
        return SatProblem(self, puzzle)

    def solve(self, puzzle: np.ndarray) -> np.ndarray | None:
        return self.search_problem(puzzle).search().answer

    def count_answers(self, puzzle: np.ndarray, limit: int = 2) -> int | None:
        return len(self.search_problem(puzzle).solutions(limit))

    # -- symmetries ----------------------------------------------------------------------------------
    def random_symmetry(self, rng: np.random.Generator) -> PositionwiseSymmetry:
        """Rename the variables, flip the signs of some (their answers flip too), reorder the clauses and
        the literals within each clause."""
        n, m = self.n, self.m
        order = rng.permutation(n)  # new variable i is old variable order[i]
        flip = rng.random(n) < 0.5  # of the old variables
        new_name = np.argsort(order)
        maps = np.tile(np.arange(len(self.alphabet)), (self.seq_len, 1))
        maps[np.flatnonzero(flip[order]), FALSE], maps[np.flatnonzero(flip[order]), TRUE] = TRUE, FALSE
        literal_map = np.arange(len(self.alphabet))
        for v in range(n):
            plain, negated = 3 + 2 * new_name[v], 4 + 2 * new_name[v]
            literal_map[3 + 2 * v], literal_map[4 + 2 * v] = (negated, plain) if flip[v] else (plain, negated)
        maps[n:] = literal_map
        slots = rng.permutation(m)[:, None] * LITERALS + np.array([rng.permutation(LITERALS) for _ in range(m)])
        return PositionwiseSymmetry(np.concatenate([order, n + slots.reshape(-1)]), maps)

    # -- generation ----------------------------------------------------------------------------------
    def generate(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """A planted assignment, then clauses of three distinct random variables with random signs, each
        redrawn until the planted assignment makes it true: satisfiable by construction."""
        planted = rng.integers(FALSE, TRUE + 1, self.n)
        literals = np.empty((self.m, LITERALS), dtype=np.int64)
        for j in range(self.m):
            while True:
                variables = rng.choice(self.n, LITERALS, replace=False)
                signs = rng.random(LITERALS) < 0.5  # True: plain
                if ((planted[variables] == TRUE) == signs).any():
                    break
            literals[j] = np.where(signs, variables + 1, -(variables + 1))
        solution = self.formula(planted, literals)
        puzzle = solution.copy()
        puzzle[: self.n] = UNSET
        return puzzle, solution


class SatProblem(DomainProblem):
    """A formula as variables with domains {F, T}; propagation is unit propagation (a clause with one
    literal left open and the others false forces that literal), and a false clause is a contradiction."""

    def __init__(self, task: PlantedSat, puzzle: np.ndarray) -> None:
        self.task = task
        self.puzzle = np.asarray(puzzle).reshape(-1)
        literals = task.literals(self.puzzle)
        self.clauses = [[(abs(int(x)) - 1, TRUE if x > 0 else FALSE) for x in clause] for clause in literals]
        self.watch: list[list[int]] = [[] for _ in range(task.n)]  # the clauses each variable appears in
        for j, clause in enumerate(self.clauses):
            for var, _ in clause:
                self.watch[var].append(j)

    def root(self) -> list[int] | None:
        givens = self.puzzle[: self.task.n]
        domains = [BOTH if g == UNSET else 1 << int(g) for g in givens]
        return self._propagate(domains, list(range(len(self.clauses))))

    def domains(self, state: list[int]) -> list[int]:
        return state

    def assign(self, state: list[int], var: int, value: int) -> list[int] | None:
        domains = state.copy()
        domains[var] = 1 << value
        return self._propagate(domains, self.watch[var])

    def answer(self, state: list[int]) -> np.ndarray:
        solution = self.puzzle.copy()
        solution[: self.task.n] = [d.bit_length() - 1 for d in state]
        return solution

    def value_scores(self, prior: np.ndarray) -> np.ndarray:
        return prior[: self.task.n]

    def _propagate(self, domains: list[int], pending: list[int]) -> list[int] | None:
        queue, queued = list(pending), set(pending)
        while queue:
            j = queue.pop()
            queued.discard(j)
            open_literal = (0, 0)
            open_count = 0
            for var, value in self.clauses[j]:
                domain = domains[var]
                if domain == 1 << value:
                    break  # the clause is true
                if domain & 1 << value:
                    open_count += 1
                    open_literal = (var, value)
            else:
                if open_count == 0:
                    return None
                if open_count == 1:
                    var, value = open_literal
                    domains[var] = 1 << value
                    for k in self.watch[var]:
                        if k not in queued:
                            queue.append(k)
                            queued.add(k)
        return domains

"""``arc``: the Abstraction and Reasoning Corpus on the official 30×30 canvas.

A puzzle is one (input, output) pair of an ARC task; the task's other pairs teach the model through the
puzzle's learned embedding, so an ARC model answers the tasks (and augmentations) it was trained on.
Data comes from files in the Kaggle layout, built by the official procedure (see ``build``), and is
scored by voting over augmentations (see ``voting``).

Text: rows of digits 0..9 separated by ``|`` or line breaks (``"012|340"``), or the JSON list of rows.
Tokens: 0 pad, 1 end-of-grid, colours 2..11.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from recurse.errors import RecurseError
from recurse.spec import Spec as PluginSpec
from recurse.tasks import TASKS
from recurse.tasks.arc.augment import ArcAugmentation
from recurse.tasks.arc.grid import CANVAS, as_grid, crop, to_canvas
from recurse.tasks.base import PuzzleFormatError, Task

if TYPE_CHECKING:
    from recurse.config.run import DataBuildConfig
    from recurse.tasks.arc.voting import ArcVoting


@TASKS.register("arc")
class Arc(Task):
    alphabet = "|0123456789"  # value 0 is the end-of-grid marker, values 1..10 the colours 0..9
    rows = cols = CANVAS
    blank = None

    class Spec(PluginSpec):
        kind: Literal["arc"] = "arc"
        subsets: list[str] | None = Field(
            None, description="the subsets the data is built from, e.g. [training, evaluation, concept]"
        )
        test_subset: str | None = Field(None, description="the subset whose test pairs form the test split")
        build_options = ("subsets", "test_subset")

        def build(self) -> Arc:
            return Arc(subsets=self.subsets, test_subset=self.test_subset)

    def __init__(self, subsets: list[str] | None = None, test_subset: str | None = None) -> None:
        self.subsets = list(subsets) if subsets is not None else None
        self.test_subset = test_subset

    def spec(self) -> dict:
        options = {"subsets": self.subsets, "test_subset": self.test_subset}
        return {"kind": self.name, **{k: v for k, v in options.items() if v is not None}}

    def describe(self) -> str:
        return "ARC grid"

    # --- tokens: a grid of any size up to 30×30 on the canvas -----------------------------------------
    def encode(self, grid: np.ndarray) -> np.ndarray:
        return to_canvas(as_grid(grid))

    def decode(self, tokens: np.ndarray) -> np.ndarray:
        return crop(tokens)

    # --- text -----------------------------------------------------------------------------------------
    def parse(self, text: str) -> np.ndarray:
        text = text.strip()
        if text.startswith("["):
            try:
                return as_grid(json.loads(text))
            except json.JSONDecodeError as error:
                raise PuzzleFormatError(f"the grid is not valid JSON: {error.msg}") from None
        rows = [row.replace(" ", "") for row in text.replace("\n", "|").split("|") if row.strip()]
        bad = sorted({ch for row in rows for ch in row if not ch.isdigit()})
        if bad:
            raise PuzzleFormatError(
                f"unexpected symbol(s) {''.join(bad)!r} in an ARC grid; use digits 0-9, rows "
                "separated by '|' or line breaks"
            )
        return as_grid([[int(ch) for ch in row] for row in rows])

    def format(self, grid: np.ndarray) -> str:
        return "|".join("".join(str(int(v)) for v in row) for row in np.asarray(grid))

    def render(self, grid: np.ndarray) -> str:
        return "\n".join("".join(str(int(v)) for v in row) for row in np.asarray(grid))

    # --- rules: an answer must be a grid; whether it is *the* answer only the label can tell ------------
    def violations(self, puzzle: np.ndarray, answer: np.ndarray) -> list[str]:
        answer = np.asarray(answer)
        if answer.ndim != 2 or answer.size == 0:
            return ["the answer is not a grid (no colours at the top-left corner of the canvas)"]
        return []

    def random_symmetry(self, rng: np.random.Generator) -> ArcAugmentation:
        return ArcAugmentation.draw(rng)

    # --- data -----------------------------------------------------------------------------------------
    def build_dataset(self, out: str | Path, build: DataBuildConfig, *, progress: bool = True) -> dict:
        from recurse.tasks.arc.build import build_arc_dataset

        if not self.subsets:
            raise RecurseError("ARC data needs data.task.subsets, e.g. [training, evaluation, concept]")
        if build.source == "generate":
            raise RecurseError("ARC has no generator; set data.build.source to a folder in the Kaggle ARC layout")
        return build_arc_dataset(
            out,
            source=build.source,
            subsets=list(self.subsets),
            test_subset=self.test_subset,
            num_aug=build.num_aug,
            seed=build.seed,
            task_spec=self.spec(),
            vocab=self.vocab,
            progress=progress,
        )

    def dataset_evaluator(self, root: str | Path) -> ArcVoting:
        from recurse.tasks.arc.voting import ArcVoting

        return ArcVoting.from_dataset(root)

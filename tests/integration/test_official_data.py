"""Builds from the published source files equal the arrays the official builders wrote from them.

Set ``RECURSE_OFFICIAL_DATA`` to a folder holding, for each dataset, the source CSV files and the official
builder's output for them (the layout below); the test is skipped without it. It checks that
``recurse data build`` with the paper recipe (augmentation off, as those outputs were built) writes the
same bytes for every official file.

    maze-30x30-hard-1k/csv_reconstructed/{train,test}.csv    maze-30x30-hard-1k/npy/…
    sudoku-extreme/train-1k-subset/csv_reconstructed/train.csv    sudoku-extreme/train-1k-subset/npy/…
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.integration.conftest import run_recurse

ROOT = Path(os.environ.get("RECURSE_OFFICIAL_DATA", "/nonexistent"))
pytestmark = pytest.mark.skipif(not ROOT.is_dir(), reason="RECURSE_OFFICIAL_DATA names no folder")


def _same_files(built: Path, official: Path) -> list[str]:
    names = [p.relative_to(official) for p in sorted(official.rglob("*")) if p.is_file()]
    assert names, f"no official files under {official}"
    differ = [str(n) for n in names if (built / n).read_bytes() != (official / n).read_bytes()]
    assert not differ, f"differ from the official output: {differ}"
    return [str(n) for n in names]


def test_maze_build_equals_the_official_arrays(tmp_path):
    base = ROOT / "maze-30x30-hard-1k"
    run_recurse(
        "data",
        "build",
        "recipe=trm-maze",
        f"data.build.source={base / 'csv_reconstructed'}",
        "data.build.num_aug=0",
        f"data.path={tmp_path / 'maze'}",
    )
    assert len(_same_files(tmp_path / "maze", base / "npy")) == 13


def test_sudoku_build_equals_the_official_arrays(tmp_path):
    base = ROOT / "sudoku-extreme" / "train-1k-subset"
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(base / "csv_reconstructed" / "train.csv", source / "train.csv")
    # The official test split is not part of this draw: a stand-in test.csv, and only train/ is compared.
    lines = (source / "train.csv").read_text().splitlines()
    (source / "test.csv").write_text("\n".join(lines[:3]) + "\n")
    run_recurse(
        "data",
        "build",
        "recipe=trm-sudoku",
        f"data.build.source={source}",
        "data.build.num_aug=0",
        f"data.path={tmp_path / 'sudoku'}",
    )
    assert len(_same_files(tmp_path / "sudoku", base / "npy")) == 7

"""``curves.png``: a title, and the accuracy panel on [0, 1] even when every value is 0."""

from __future__ import annotations

import json

import pytest

from recurse.config.run import LoggingConfig
from recurse.training.logger import RunLogger

pytest.importorskip("matplotlib")


def test_accuracy_axis_is_a_fraction_and_the_figure_has_a_title(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    saved = []
    original = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda fig, *a, **k: (saved.append(fig), original(fig, *a, **k))[1])
    logger = RunLogger(tmp_path, LoggingConfig())
    records = [
        {"kind": "train", "step": 1, "loss": 2.0, "train_exact_accuracy": 0.0, "train_mean_steps": 16.0},
        {"kind": "train", "step": 2, "loss": 1.5, "train_exact_accuracy": 0.0, "train_mean_steps": 16.0},
        {"kind": "eval", "step": 2, "exact_accuracy": 0.0, "steps": 16.0},
    ]
    logger.metrics_path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert logger.plot() == tmp_path / "curves.png" and (tmp_path / "curves.png").is_file()
    figure = saved[0]
    assert figure.axes[1].get_ylim() == (0.0, 1.0)
    assert figure._suptitle is not None and tmp_path.name in figure._suptitle.get_text()
    logger.close()

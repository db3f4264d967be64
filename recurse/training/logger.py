"""Run logging: ``metrics.jsonl`` always; a PNG of the curves, TensorBoard and wandb when asked for."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import yaml

from recurse.config import LoggingConfig, RunConfig
from recurse.io import dumps_json

log = logging.getLogger(__name__)


def config_header(config: RunConfig, *, where: str) -> str:
    """What a run prints at start: one line by default, the whole resolved config with ``logging.verbose``.

    The whole config is always saved as RUN_DIR/config.yaml, so the terminal only needs enough to
    recognise the run.
    """
    if config.logging.verbose:
        return yaml.safe_dump({"config": config.model_dump(mode="json")}, sort_keys=False).rstrip() + "\n" + where
    model, training = config.model, config.training
    length = [f"{training.max_steps} steps"] if training.max_steps else []
    if training.epochs and not training.max_steps:
        length.append(f"{training.epochs} epochs")
    if training.max_minutes:
        length.append(f"at most {training.max_minutes:g} min of training steps")
    task = config.data.task.model_dump(mode="json")
    return (
        f"{config.name}: {model.schedule.kind}/{model.core.kind} hidden {model.hidden_size} · "
        f"{task.get('kind')} from {config.data.path} · {', '.join(length)}, batch {training.global_batch_size}, "
        f"lr {training.lr:g} · {where} (logging.verbose=true prints the whole config)"
    )


class RunLogger:
    def __init__(
        self,
        run_dir: Path,
        config: LoggingConfig,
        *,
        run_config: dict[str, Any] | None = None,
    ) -> None:
        self.run_dir = run_dir
        self.config = config
        self.metrics_path = run_dir / "metrics.jsonl"
        self._tensorboard = None
        self._wandb = None
        if config.tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter

                self._tensorboard = SummaryWriter(str(run_dir / "tensorboard"))
            except ImportError:
                log.warning(
                    "logging.tensorboard is on but tensorboard is not installed (pip install 'recurse-reasoners[tensorboard]')"
                )
        if config.wandb:
            try:
                import wandb

                self._wandb = wandb.init(
                    project=config.wandb_project,
                    name=run_dir.name,
                    config=run_config,
                    dir=str(run_dir),
                )
            except ImportError:
                log.warning("logging.wandb is on but wandb is not installed (pip install 'recurse-reasoners[wandb]')")

    def drop_after(self, step: int) -> None:
        """Forget the lines of steps after ``step``: a resumed run writes them again, so none appears twice."""
        if not self.metrics_path.is_file():
            return
        from recurse.io import atomic_path

        kept = []
        for line in self.metrics_path.read_text().splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a kill
            if isinstance(record, dict) and isinstance(record.get("step"), int) and record["step"] <= step:
                kept.append(line)
        with atomic_path(self.metrics_path) as tmp:
            tmp.write_text("".join(line + "\n" for line in kept))

    def write(self, record: dict[str, Any]) -> None:
        from recurse.training.lock import open_run_file

        # Not followed if it is a link: a metrics.jsonl that links elsewhere must not append to its target.
        fd = open_run_file(self.metrics_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        with os.fdopen(fd, "a") as handle:
            handle.write(dumps_json(record) + "\n")
        step = record.get("step", 0)
        numbers = {k: v for k, v in record.items() if isinstance(v, (int, float)) and k != "step"}
        if self._tensorboard is not None:
            for key, value in numbers.items():
                self._tensorboard.add_scalar(key, value, step)
        if self._wandb is not None:
            self._wandb.log(numbers, step=step)

    def plot(self, headline: str = "exact_accuracy") -> Path | None:
        """Write ``curves.png``: training loss, the headline accuracy (train and eval) and mean halting steps.
        With ``headline="valid_rate"`` (a task with several answers) the middle panel is checker-valid:
        eval answers the checker accepts, train answers equal to one listed answer, and eval exact (equal
        to the label) beside them."""
        if not self.config.plot:
            return None
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            return None
        records = [json.loads(line) for line in self.metrics_path.read_text().splitlines() if line.strip()]
        train = [r for r in records if r.get("kind") == "train"]
        evals = [r for r in records if r.get("kind") == "eval"]
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
        panels = [
            ("loss", "training loss", [("train", train, "loss")]),
            (
                "exact accuracy",
                "exact accuracy",
                [("train", train, "train_exact_accuracy"), ("eval", evals, "exact_accuracy")],
            )
            if headline == "exact_accuracy"
            else (
                "checker-valid",
                "checker-valid",
                [
                    ("train", train, "train_exact_accuracy"),
                    ("eval", evals, "valid_rate"),
                    ("eval exact", evals, "exact_accuracy"),
                ],
            ),
            (
                "mean steps",
                "supervision steps at halt",
                [("train", train, "train_mean_steps"), ("eval", evals, "steps")],
            ),
        ]
        for ax, (ylabel, title, series) in zip(axes, panels):
            for label, rows, key in series:
                points = [(r["step"], r[key]) for r in rows if key in r]
                if points:
                    xs, ys = zip(*points)
                    ax.plot(
                        xs,
                        ys,
                        label=label,
                        marker="o" if label.startswith("eval") else None,
                        markersize=3,
                    )
            ax.set_title(title)
            ax.set_xlabel("optimiser step")
            ax.set_ylabel(ylabel)
            ax.grid(alpha=0.3)
            if len(series) > 1:
                ax.legend()
        axes[0].set_yscale("log")
        axes[1].set_ylim(0.0, 1.0)  # a fraction: a flat 0 would otherwise get an axis of -0.04..0.04
        fig.suptitle(f"{self.run_dir.name}: training curves")
        fig.tight_layout()
        path = self.run_dir / "curves.png"
        from recurse.io import atomic_path

        with atomic_path(path) as tmp:  # replaces a link rather than writing through it
            fig.savefig(tmp, dpi=100, format="png")
        plt.close(fig)
        return path

    def close(self) -> None:
        """Flush and close the trackers; safe to call again."""
        if self._tensorboard is not None:
            self._tensorboard.close()
            self._tensorboard = None
        if self._wandb is not None:
            self._wandb.finish()
            self._wandb = None

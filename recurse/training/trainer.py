"""The training loop: deep supervision with a carry across batches, one optimiser step per call.

Each step: reset halted slots and load new samples into them; one supervision step forward; the ACT loss
divided by the global batch size; backward; gradients summed across ranks; AdamATan2 on the weights and
SignSGD on the batch's puzzle-embedding rows; EMA update. Evaluation and checkpoints use the EMA weights.
"""

from __future__ import annotations

import logging
import math
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.distributed as dist
from safetensors import SafetensorError

from recurse import __version__
from recurse.checkpoints.document import read_document
from recurse.checkpoints.run_folder import (
    check_same_recipe,
    complete_checkpoints,
    prune_checkpoints,
    run_dir_of,
    step_folder,
    write_run_config,
)
from recurse.config import RunConfig
from recurse.data.prepare import dataset_fingerprint
from recurse.data.sampler import TrainSampler
from recurse.errors import CheckpointError, RecurseError
from recurse.evaluation import evaluate, headline_metric, summarise
from recurse.halting import HaltingPolicy
from recurse.halting.inference import HaltingSettings
from recurse.io import write_json
from recurse.model.carry import Carry
from recurse.model.checkpoint import save_checkpoint
from recurse.optim import AdamATan2, SparseSignSGD, warmup_cosine
from recurse.training import checkpoint_writer
from recurse.training.collectives import all_reduce_sum
from recurse.training.divergence import check_step, total_grad_norm
from recurse.training.ema import EMA
from recurse.training.interrupt import StopRequest, TrainingInterrupted
from recurse.training.lock import RunFolderError, RunLock
from recurse.training.logger import RunLogger, config_header
from recurse.training.progress import Progress, shortfall_warning, summary_line, time_cap_warning
from recurse.training.runtime import Runtime, setup_runtime, teardown_runtime
from recurse.training.setup import set_up_run
from recurse.training.state import load_training_state, save_training_state

if TYPE_CHECKING:
    from recurse.tasks.base import DatasetEvaluator

log = logging.getLogger(__name__)


class Trainer:
    """Trains ``config`` in its run folder; with ``resume_from`` (a checkpoint of that folder) continues it.

    The run folder is ``run_dir`` when given (a resumed run: the folder being resumed), else the config's
    ``out_dir`` or ``runs/<name>``. The main process holds the folder's lock from here to the end of ``fit``.
    """

    def __init__(
        self, config: RunConfig, *, resume_from: Path | None = None, run_dir: Path | None = None, echo=print
    ) -> None:
        self.echo = echo
        self.runtime: Runtime = setup_runtime(config.runtime)
        self.device = self.runtime.device
        self.run_dir = Path(run_dir).resolve() if run_dir is not None else run_dir_of(config)
        # Absolute paths, so that a resume from another working directory finds the same data and folder.
        self.config = config.model_copy(
            update={
                "out_dir": str(self.run_dir),
                "data": config.data.model_copy(update={"path": str(Path(config.data.path).expanduser().resolve())}),
            }
        )
        self.resume_from = resume_from
        self.lock: RunLock | None = None
        if self.runtime.is_main:
            if resume_from is None:
                check_same_recipe(self.run_dir, self.config)
            self.lock = RunLock(self.run_dir, notice=echo).acquire()
        try:
            self._set_up()
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        """Give up the run folder (the lock); safe to call more than once."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    # -- set-up ------------------------------------------------------------------------------------------
    def _set_up(self) -> None:
        if self.runtime.is_main:
            try:
                checkpoint_writer.clean_leftovers(self.run_dir)
            except OSError as error:
                raise RunFolderError(f"cannot tidy {self.run_dir}: {error.strerror or error}") from None
        train_cfg = self.config.training
        if train_cfg.global_batch_size % self.runtime.world_size:
            raise RecurseError(
                f"training.global_batch_size={train_cfg.global_batch_size} is not divisible by the "
                f"{self.runtime.world_size} processes"
            )
        self.local_batch = train_cfg.global_batch_size // self.runtime.world_size
        self.setup = set_up_run(self.config, runtime=self.runtime)
        self.task, self.model_config = self.setup.known_task, self.setup.model_config
        self.model, self.refiner = self.setup.training_step, self.setup.refiner
        self.train_split, self.test_split = self.setup.splits["train"], self.setup.splits["test"]
        # The figure the run is judged by: checker-valid when a puzzle may have several answers.
        self.headline = headline_metric(self.task)
        self.best_metric = self.config.evaluation.best_metric or self.headline
        self._check_best_metric()
        self._build_optimisers()
        self._plan()
        self.eval_halting = self._evaluation_halting()

        self.step = 0
        self.iteration = 0
        self.batch_index = 0
        self.train_seconds = 0.0
        self.best: dict[str, Any] | None = None
        self.carry: Carry | None = None
        self.last_eval_step: int | None = None
        self.resumed_metrics: dict[str, float | int | None] = {}  # the evaluation a resumed checkpoint was saved with
        self.logger: RunLogger | None = None
        self.pooled_evaluator: DatasetEvaluator | None = (
            None  # kept across evaluations when evaluation.aggregate_checkpoints is set
        )

    def _build_optimisers(self) -> None:
        """AdamATan2 on the weights, SignSGD on the puzzle-embedding rows, and the EMA of the weights."""
        cfg = self.config.training
        self.optimizer = AdamATan2(
            self.refiner.parameters(), lr=cfg.lr, betas=(cfg.beta1, cfg.beta2), weight_decay=cfg.weight_decay
        )
        puzzle = self.refiner.embedding.puzzle
        self.sparse = (
            SparseSignSGD(puzzle, lr=cfg.puzzle_emb_lr, weight_decay=cfg.puzzle_emb_weight_decay)
            if puzzle is not None
            else None
        )
        self.ema = (
            EMA(self.refiner, cfg.ema_rate, include_puzzle_embeddings=cfg.ema_puzzle_embeddings) if cfg.ema else None
        )

    def _plan(self) -> None:
        """The sampler, and how many steps the run lasts (for the LR schedule and the progress bar)."""
        cfg = self.config.training
        # As in the official trainer, an iteration spans the epochs between two evaluations.
        per_iteration = cfg.eval_every_epochs if not cfg.eval_every_steps else 1
        self.epochs_per_iteration = per_iteration or 1
        self.sampler = TrainSampler(
            self.train_split,
            cfg.global_batch_size,
            seed=self.config.runtime.seed,
            epochs_per_iteration=self.epochs_per_iteration,
        )
        # Exact when every puzzle has one example; otherwise the official estimate (for the LR schedule).
        self.batches_per_iteration = self.sampler.expected_batches_per_iteration()
        if self.batches_per_iteration == 0:
            raise RecurseError(
                f"the training split has {self.train_split.num_examples} examples, fewer than one "
                f"batch of {cfg.global_batch_size}; lower training.global_batch_size"
            )
        self.num_iterations = -(-cfg.epochs // self.epochs_per_iteration) if cfg.epochs else None
        self.total_steps = cfg.max_steps or (
            self.num_iterations * self.batches_per_iteration if self.num_iterations else None
        )
        self.eval_at_iteration_end = bool(cfg.eval_every_epochs) and not cfg.eval_every_steps

    def _evaluation_halting(self) -> HaltingPolicy:
        """``evaluation.halting`` when the recipe sets it, else the default for measuring a model."""
        spec = self.config.evaluation.halting
        chosen = HaltingSettings.from_spec(spec) if spec is not None else HaltingSettings()
        return chosen.build(purpose="evaluate", model_max_steps=self.model_config.max_steps)

    def _dtype_note(self) -> str:
        """The forward dtype the run computes in, and why when the recipe left it to the hardware."""
        chosen = self.model_config.forward_dtype
        return f"{chosen} (forward_dtype auto)" if self.config.model.forward_dtype == "auto" else chosen

    def _save_run_files(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        resolved = self.config.model_dump(mode="json")
        resolved["model"] = self.model_config.model_dump(mode="json")
        write_run_config(self.run_dir, resolved)

    def _checkpoint_meta(self, metrics: dict | None) -> dict[str, Any]:
        return {
            "recurse_version": __version__,
            "task": self.config.data.task.model_dump(mode="json"),
            "vocab": self.task.vocab,
            "puzzle_identifiers": self.setup.puzzle_identifiers,
            "dataset": {"path": self.config.data.path, "fingerprint": dataset_fingerprint(self.config.data.path)},
            "recipe": self.config.recipe,
            "training": {"step": self.step, "epoch": self.epoch, "seed": self.config.runtime.seed},
            "metrics": metrics or {},
        }

    # -- checkpoints -------------------------------------------------------------------------------------
    def save(self, metrics: dict | None = None) -> Path:
        """Write ``checkpoints/step_N`` complete or not at all; a failed write (disk full) ends in one line."""
        staging = checkpoint_writer.staging_folder(self.run_dir, self.step)
        try:
            if self.runtime.is_main:
                checkpoint_writer.begin(self.run_dir, self.step)
            if self.runtime.distributed:
                dist.barrier()
            self._write_checkpoint(staging, metrics)
            if self.runtime.distributed:
                dist.barrier()
            if self.runtime.is_main:
                checkpoint_writer.publish(staging, self.step)
                prune_checkpoints(
                    self.run_dir,
                    keep_last=self.config.training.keep_last,
                    best_step=self.best["step"] if self.best is not None else None,
                )
        except (OSError, SafetensorError) as error:
            if self.runtime.is_main:
                checkpoint_writer.discard(staging)
            if complete_checkpoints(self.run_dir):
                advice = f"{self._kept()}; free space and continue with: recurse train resume={self.run_dir}"
            else:  # nothing to resume from: a resume would be refused, so say to start again
                advice = (
                    "no checkpoint was saved, so there is nothing to resume; free space and start the run "
                    "again (the same command)"
                )
            raise CheckpointError(
                f"could not save the checkpoint of step {self.step} ({_reason(error)}); {advice}"
            ) from None
        return step_folder(self.run_dir, self.step)

    def _write_checkpoint(self, folder: Path, metrics: dict | None) -> None:
        if self.runtime.is_main:
            if self.ema is not None:
                with self.ema.averaged():
                    save_checkpoint(folder, self.refiner, self.model_config, self._checkpoint_meta(metrics))
            else:
                save_checkpoint(folder, self.refiner, self.model_config, self._checkpoint_meta(metrics))
        counters = {
            "step": self.step,
            "iteration": self.iteration,
            "batch_index": self.batch_index,
            "train_seconds": self.train_seconds,
            "best": self.best,
            "world_size": self.runtime.world_size,
            "evaluated": metrics is not None,
        }
        save_training_state(
            folder,
            module=self.refiner,
            optimizer=self.optimizer,
            ema=self.ema,
            carry=self.carry,
            counters=counters,
            rank=self.runtime.rank,
            is_main=self.runtime.is_main,
        )

    def _kept(self) -> str:
        folders = complete_checkpoints(self.run_dir)
        return f"the newest checkpoint is still {folders[-1]}" if folders else "no checkpoint was saved"

    def _resume_with_fallback(self, resume_from: Path) -> None:
        """Resume from ``resume_from``; if its training state is unusable, from the newest older complete one."""
        older = [
            f
            for f in complete_checkpoints(self.run_dir)
            if int(f.name[len("step_") :]) <= int(resume_from.name[len("step_") :])
        ]
        candidates = [resume_from] + [f for f in reversed(older) if f != resume_from]
        for index, folder in enumerate(candidates):
            try:
                self._resume(folder)
                return
            except CheckpointError as error:
                if index + 1 == len(candidates):
                    raise
                self.echo(f"cannot resume from {folder.name} ({error}); falling back to {candidates[index + 1].name}")

    def _resume(self, folder: Path) -> None:
        counters, carry = load_training_state(
            folder,
            module=self.refiner,
            optimizer=self.optimizer,
            ema=self.ema,
            rank=self.runtime.rank,
            device=self.device,
        )
        if counters.get("world_size", 1) != self.runtime.world_size:
            raise RecurseError(
                f"{folder} was written by {counters.get('world_size')} processes; resume it with as many"
            )
        self.step, self.iteration, self.batch_index = counters["step"], counters["iteration"], counters["batch_index"]
        self.train_seconds = counters.get("train_seconds", 0.0)
        self.best = counters.get("best")
        self.carry = carry
        if counters.get("evaluated"):  # not evaluated again, so that no step is evaluated (and logged) twice
            self.last_eval_step = self.step
            self.resumed_metrics = read_document(folder).metrics

    # -- loop --------------------------------------------------------------------------------------------
    def _to_device(self, host) -> dict[str, torch.Tensor]:
        lo = self.runtime.rank * self.local_batch
        hi = lo + self.local_batch
        batch = {
            "inputs": torch.from_numpy(host.inputs[lo:hi]).to(self.device),
            "labels": torch.from_numpy(host.labels[lo:hi]).to(self.device),
            "puzzle_identifiers": torch.from_numpy(host.puzzle_identifiers[lo:hi]).to(self.device),
        }
        if host.answers is not None:  # several answers: the loss picks its target among them
            batch["answers"] = torch.from_numpy(host.answers[lo:hi]).to(self.device)
        return batch

    def _set_lr(self) -> float:
        cfg = self.config.training
        total = self.total_steps or max(self.step, cfg.lr_warmup_steps + 1)
        scale = warmup_cosine(
            self.step, base_lr=1.0, warmup_steps=cfg.lr_warmup_steps, total_steps=total, min_ratio=cfg.lr_min_ratio
        )
        for group in self.optimizer.param_groups:
            group["lr"] = cfg.lr * scale
        if self.sparse is not None:
            self.sparse.lr = cfg.puzzle_emb_lr * scale
        return cfg.lr * scale

    def train_step(self, batch: dict[str, torch.Tensor]) -> dict[str, Any]:
        self.model.train()
        if self.carry is None:
            self.carry = self.model.initial_carry(batch)
        self.step += 1
        lr = self._set_lr()
        out = self.model(self.carry, batch)
        (out.loss / self.config.training.global_batch_size).backward()
        self.carry = out.carry
        params = [p for p in self.refiner.parameters() if p.grad is not None]
        metrics = torch.stack(
            [out.metrics[k].detach().double() for k in ("count", "exact_accuracy", "steps", "accuracy")]
            + [out.loss.detach().double()]
        )
        if self.runtime.distributed:
            all_reduce_sum([p.grad for p in params if p.grad is not None] + [metrics])
        if self.config.training.grad_clip:
            grad_norm = torch.nn.utils.clip_grad_norm_(params, self.config.training.grad_clip)
        else:
            grad_norm = total_grad_norm(params)
        check_step(self.step, loss=metrics[4], grad_norm=grad_norm, kept=self._kept)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        if self.sparse is not None:
            self.sparse.step()
            self.sparse.zero_grad()
        if self.ema is not None:
            self.ema.update()
        return {"lr": lr, "sums": metrics}  # a tensor: read back only when a log line is written

    @property
    def run_logger(self) -> RunLogger:
        """The run's logger: it exists on the main process once the loop has started."""
        if self.logger is None:
            raise RuntimeError("the run logger exists only on the main process, once training has started")
        return self.logger

    @property
    def epoch(self) -> float:
        """Epochs completed, fractional within an iteration."""
        fraction = min(self.batch_index / self.batches_per_iteration, 1.0)
        return round((self.iteration + fraction) * self.epochs_per_iteration, 3)

    def _finished(self, budget: float) -> bool:
        cfg = self.config.training
        return (
            (cfg.max_steps is not None and self.step >= cfg.max_steps)
            or (self.num_iterations is not None and self.iteration >= self.num_iterations)
            or self.train_seconds >= budget
        )

    def _train_record(self, window: list[float], steps: int, lr: float) -> dict[str, Any]:
        """Training metrics over the last ``steps`` steps; accuracies count the samples that halted."""
        count, exact, halt_steps, accuracy, loss = window
        record = {
            "kind": "train",
            "step": self.step,
            "epoch": self.epoch,
            "lr": lr,
            "loss": loss / (steps * self.config.training.global_batch_size),
            "halted": count,
        }
        if count:
            record.update(
                train_exact_accuracy=exact / count,
                train_token_accuracy=accuracy / count,
                train_mean_steps=halt_steps / count,
            )
        return record

    def _check_best_metric(self) -> None:
        """Fail at start, not at the first evaluation, when the best-checkpoint metric will not exist."""
        evaluator = self.task.dataset_evaluator(self.config.data.path) if self.runtime.is_main else None
        known = {
            "exact_accuracy",
            "accuracy",
            "q_halt_accuracy",
            "token_accuracy",
            "valid_rate",
            *(evaluator.metrics() if evaluator else ()),
        }
        best = self.best_metric
        if self.runtime.is_main and best not in known:
            raise RecurseError(
                f"evaluation.best_metric {best!r} is not a metric of this task; use one of {', '.join(sorted(known))}"
            )

    def _dataset_evaluator(self):
        if self.config.evaluation.aggregate_checkpoints:
            if self.pooled_evaluator is None:
                self.pooled_evaluator = self.task.dataset_evaluator(self.config.data.path)
            return self.pooled_evaluator
        return self.task.dataset_evaluator(self.config.data.path)

    def run_evaluation(self) -> dict[str, float]:
        cfg = self.config.evaluation
        evaluator = self._dataset_evaluator()
        context = self.ema.averaged() if self.ema is not None else nullcontext()
        with context:
            metrics = evaluate(
                self.refiner,
                self.test_split,
                halting=self.eval_halting,
                task=self.task,
                batch_size=cfg.batch_size,
                limit=cfg.limit,
                device=self.device,
                progress=self.config.logging.progress,
                evaluator=evaluator,
                loss=self.config.model.loss,
            )
        if evaluator is not None:
            evaluator.write(self.run_dir)
        self.refiner.train()
        return metrics

    def _evaluate_and_save(self) -> dict[str, float]:
        self.last_eval_step = self.step
        metrics = self.run_evaluation() if self.runtime.is_main else {}
        if self.runtime.is_main:
            best_metric = self.best_metric
            if self.best is None or metrics[best_metric] >= self.best.get(best_metric, -math.inf):
                self.best = {"step": self.step, best_metric: metrics[best_metric]}
            self.run_logger.write(
                {
                    "kind": "eval",
                    "step": self.step,
                    "epoch": self.epoch,
                    "train_seconds": round(self.train_seconds, 2),
                    **metrics,
                }
            )
            self.run_logger.plot(headline=self.headline)
            self.echo(f"step {self.step}: {summarise(metrics)}")
        self.save(metrics)
        return metrics

    def _report(self, metrics: dict[str, float], *, seconds: float, stopped_by_time: bool) -> None:
        """The closing summary line, and a warning for each way the run may not match its recipe's figures."""
        cfg = self.config.training
        self.echo(
            summary_line(
                steps=self.step, seconds=seconds, metrics=metrics, run_dir=str(self.run_dir), headline=self.headline
            )
        )
        warnings = (
            time_cap_warning(
                steps=self.step, max_steps=cfg.max_steps, max_minutes=cfg.max_minutes, run_dir=str(self.run_dir)
            )
            if stopped_by_time
            else None,
            shortfall_warning(self.config.expected, steps=self.step, metrics=metrics, stopped_by_time=stopped_by_time),
        )
        for warning in filter(None, warnings):
            self.echo(warning)

    def fit(self) -> dict[str, float]:
        try:
            return self._fit()
        finally:
            if self.logger is not None:  # a run that stopped on an error still flushes its trackers
                self.run_logger.close()
            self.release()

    def _fit(self) -> dict[str, float]:
        if self.resume_from is not None:
            self._resume_with_fallback(self.resume_from)
        if self.runtime.is_main:
            self._save_run_files()
            self.logger = RunLogger(self.run_dir, self.config.logging, run_config=self.config.model_dump(mode="json"))
            if self.resume_from is not None:
                self.logger.drop_after(self.step)
            self.echo(
                config_header(
                    self.config,
                    where=f"run folder {self.run_dir} · device {self.device} · dtype {self._dtype_note()} · "
                    f"processes: {self.runtime.world_size}",
                )
            )
        cfg = self.config.training
        budget = cfg.max_minutes * 60 if cfg.max_minutes else math.inf
        fit_started = time.perf_counter()
        progress = Progress(
            total=self.total_steps,
            initial=self.step,
            enabled=self.config.logging.progress and self.runtime.is_main,
            every_seconds=self.config.logging.progress_every_seconds,
        )
        last_metrics: dict[str, float] = {k: v for k, v in self.resumed_metrics.items() if v is not None}
        batches = self.sampler.iterate(self.iteration, self.batch_index)
        samples = 0
        window_start = time.perf_counter()
        window = torch.zeros(5, dtype=torch.float64, device=self.device)  # halted, exact, steps, token acc., loss
        window_steps = 0
        # Ctrl-C or SIGTERM (a scheduler's preemption) stops between two steps, never inside one, so the
        # checkpoint written then is consistent. Across processes the signal arrives at different steps,
        # so distributed runs keep the default behaviour.
        stop = StopRequest(enabled=not self.runtime.distributed)
        try:
            while not self._finished(budget):
                if stop.requested:
                    folder = self.save()
                    if self.logger is not None:  # flush any tracker (tensorboard, wandb) before leaving
                        self.run_logger.close()
                    raise TrainingInterrupted(
                        f"interrupted at step {self.step}; saved {folder}; continue with: "
                        f"recurse train resume={self.run_dir}"
                    )
                started = time.perf_counter()
                iteration, index, last_in_iteration, host = next(batches)
                step_result = self.train_step(self._to_device(host))
                window += step_result["sums"]
                self.iteration, self.batch_index = (iteration + 1, 0) if last_in_iteration else (iteration, index + 1)
                self.train_seconds += time.perf_counter() - started
                samples += cfg.global_batch_size
                window_steps += 1
                if self.runtime.is_main and (self.step % self.config.logging.every_steps == 0 or self.step == 1):
                    record = self._train_record(window.tolist(), window_steps, step_result["lr"])
                    window.zero_()
                    window_steps = 0
                    self.run_logger.write(record)
                    elapsed = time.perf_counter() - window_start
                    progress.note(
                        loss=record["loss"],
                        exact=record.get("train_exact_accuracy", float("nan")),
                        samples_s=samples / elapsed if elapsed > 0 else float("nan"),
                    )
                if self.runtime.is_main:
                    progress.advance()
                every_steps = self.config.training.eval_every_steps
                if (every_steps and self.step % every_steps == 0) or (self.eval_at_iteration_end and last_in_iteration):
                    last_metrics = self._evaluate_and_save()
                    window_start, samples = time.perf_counter(), 0
        finally:
            stop.release()
            progress.close()
        if self.last_eval_step != self.step:  # every rank knows this, so all take the same path
            last_metrics = self._evaluate_and_save()
        if self.runtime.is_main:
            self.run_logger.close()
            write_json(self.run_dir / "final_metrics.json", {"step": self.step, **last_metrics})
            self._report(
                last_metrics, seconds=time.perf_counter() - fit_started, stopped_by_time=self.train_seconds >= budget
            )
        teardown_runtime(self.runtime)
        return last_metrics


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error).splitlines()[0]

"""Rough memory and time estimates that turn unreasonable runtime settings into one line before any work.

The estimates are deliberately coarse (within a small factor): they exist to refuse a batch whose
activations cannot fit in this machine's memory, and to warn before an evaluation that would take hours,
not to predict performance.
"""

from __future__ import annotations

import logging
import math
import os

from recurse.config.model import ModelConfig
from recurse.errors import ResourceError

log = logging.getLogger("recurse")

FLOAT_BYTES = 4
CPU_FLOPS_PER_SECOND = 2e10  # a modest multi-core CPU at fp32; GPUs are faster, so this errs on the long side
WARN_SECONDS = 3600.0


def available_memory_bytes() -> int | None:
    """Memory the OS can give now (MemAvailable), or None where it cannot be read."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def layer_applications(model: ModelConfig) -> int:
    """Blocks applied per supervision step: an upper bound from the product of the schedule's counts."""
    counts = [v for v in model.schedule.model_dump().values() if isinstance(v, int) and not isinstance(v, bool)]
    return max(1, math.prod(counts))


def _tokens(model: ModelConfig, seq_len: int | None) -> int:
    return (seq_len or model.seq_len or 1) + model.prefix_len


def activation_bytes(model: ModelConfig, batch_size: int, *, training: bool, seq_len: int | None = None) -> int:
    """Activation memory of one supervision step for ``batch_size`` puzzles (training keeps every block's)."""
    tokens, hidden = _tokens(model, seq_len), model.hidden_size
    per_block = batch_size * tokens * hidden * FLOAT_BYTES * (6 + 2 * model.expansion)
    heads = getattr(model.core, "num_heads", None)
    if heads:
        per_block += batch_size * heads * tokens * tokens * FLOAT_BYTES
    states = 2 * batch_size * tokens * hidden * FLOAT_BYTES
    return int(states + per_block * (layer_applications(model) if training else 1))


def step_flops(model: ModelConfig, *, seq_len: int | None = None) -> float:
    """Forward FLOPs of one supervision step for one puzzle."""
    tokens, hidden = _tokens(model, seq_len), model.hidden_size
    per_token = 2 * (4 * hidden * hidden + 2 * model.expansion * hidden * hidden + 2 * tokens * hidden)
    return float(layer_applications(model) * tokens * per_token)


def check_memory(model: ModelConfig, batch_size: int, *, training: bool, what: str, seq_len: int | None = None) -> None:
    """Refuse (``ResourceError``) a batch whose estimated activations exceed the memory available now."""
    need = activation_bytes(model, batch_size, training=training, seq_len=seq_len)
    have = available_memory_bytes()
    if have is not None and need > have:
        raise ResourceError(
            f"{what}: a batch of {batch_size} needs about {need / 2**30:.1f} GiB of activations, "
            f"more than the {have / 2**30:.1f} GiB available; use a smaller batch size"
        )


def check_time(
    model: ModelConfig,
    *,
    examples: int,
    max_steps: int,
    what: str,
    seq_len: int | None = None,
    limit_seconds: float | None = None,
) -> float:
    """The estimated CPU seconds for ``examples`` puzzles at up to ``max_steps`` steps; warn past an hour,
    refuse past ``limit_seconds`` when given."""
    seconds = examples * max_steps * step_flops(model, seq_len=seq_len) / CPU_FLOPS_PER_SECOND
    if limit_seconds is not None and seconds > limit_seconds:
        raise ResourceError(
            f"{what}: {examples} puzzle(s) at up to {max_steps} steps would take about "
            f"{human_duration(seconds)} on a CPU; lower max_steps"
        )
    if seconds > WARN_SECONDS:
        log.warning(
            f"note: {what} may take about {human_duration(seconds)} on a CPU ({examples} puzzle(s) at up to "
            f"{max_steps} steps)"
        )
    return seconds


def human_duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 86400:.0f} days"


# Bytes per trained parameter: the weights, their gradient, two Adam moments and the EMA copy (fp32).
TRAINING_BYTES_PER_PARAMETER = 5 * FLOAT_BYTES


def parameter_estimate(model: ModelConfig, *, vocab_size: int) -> int:
    """Trained parameters, from the config alone: every distinct block's attention or token mixing and its
    feed-forward sublayer (an upper bound), plus the token embedding and output head (puzzle embeddings are extra)."""
    hidden = model.hidden_size
    blocks = (
        sum(v for k, v in model.schedule.model_dump().items() if "layers" in k and isinstance(v, int) and v > 0) or 1
    )
    # Attention's four projections (an MLP over tokens has fewer), then SwiGLU's three matrices.
    per_block = (4 + 3 * model.expansion) * hidden * hidden
    return int(blocks * per_block + 2 * (model.vocab_size or vocab_size) * hidden)


def check_training_memory(model: ModelConfig, *, vocab_size: int, what: str = "train") -> None:
    """Refuse (``ResourceError``) a model whose weights and optimiser state alone exceed the memory
    available now, before it is built (building it would end in an out-of-memory kill)."""
    parameters = parameter_estimate(model, vocab_size=vocab_size)
    need = parameters * TRAINING_BYTES_PER_PARAMETER
    have = available_memory_bytes()
    if have is not None and need > have:
        raise ResourceError(
            f"{what}: hidden_size {model.hidden_size} makes about {parameters / 1e9:.1f} billion parameters, "
            f"{need / 2**30:.0f} GiB with gradients, optimiser moments and EMA, more than the "
            f"{have / 2**30:.1f} GiB available; lower model.hidden_size (or model.expansion)"
        )

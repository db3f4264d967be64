"""Checks on a checkpoint before its tensors are trusted: the safetensors header read on its own, the model
config held against that header (before any tensor is allocated), and non-finite weights.

A ``config.json`` can come from anywhere (a download, a hand edit). Building the model it describes is
what costs memory, so the config is first compared with the shapes the weights file declares in its
header (a few kilobytes, read without touching the data): the sizes it can read off must agree, and the
others must stay within what the weights hold. Only then is the model built (its size now bounded by
the weights'), and each of its tensors compared with the header before the data is read.
"""

from __future__ import annotations

import json
import math
import stat
import struct
from pathlib import Path
from typing import Any

import torch

from recurse.errors import CheckpointError

# A safetensors header is a few kilobytes per hundred tensors; anything near this is not a real header.
MAX_HEADER_BYTES = 100 * 1024 * 1024
# Tables the weights file does not hold (rotary sin/cos) may exceed the weights by this much at most.
SPARE_BUFFER_BYTES = 64 * 1024 * 1024
_DTYPE_BYTES = {
    "F64": 8,
    "F32": 4,
    "F16": 2,
    "BF16": 2,
    "I64": 8,
    "I32": 4,
    "I16": 2,
    "I8": 1,
    "U8": 1,
    "BOOL": 1,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
}


def read_safetensors_header(path: str | Path) -> dict[str, dict[str, Any]]:
    """The tensors a safetensors file declares (name → dtype, shape, offsets), checked against its size.

    Raises ``CheckpointError`` for a missing, truncated or malformed file, so a half-written file is
    recognised without loading it.
    """
    path = Path(path)
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a FIFO would block the read below for ever
            raise CheckpointError(f"{path} is not a regular file (a FIFO, device or folder); re-download or re-save it")
        size = status.st_size
        with open(path, "rb") as handle:
            prefix = handle.read(8)
            if len(prefix) < 8:
                raise CheckpointError(f"{path} is corrupt or truncated ({size} bytes); re-download or re-save it")
            (length,) = struct.unpack("<Q", prefix)
            if length > min(MAX_HEADER_BYTES, size - 8):
                raise CheckpointError(
                    f"{path} is corrupt or truncated (a header of {length} bytes in a file "
                    f"of {size}); re-download or re-save it"
                )
            header = json.loads(handle.read(length))
    except FileNotFoundError:
        raise CheckpointError(f"{path} not found; the checkpoint is incomplete") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{path} has a corrupt header ({error}); re-download or re-save it") from None
    except OSError as error:
        raise CheckpointError(f"{path} cannot be read ({error.strerror or error})") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{path} has a corrupt header (not a JSON object)")
    header.pop("__metadata__", None)
    end = 0
    for name, entry in header.items():
        try:
            shape = [int(n) for n in entry["shape"]]
            start, stop = (int(n) for n in entry["data_offsets"])
            width = _DTYPE_BYTES[entry["dtype"]]
        except (KeyError, TypeError, ValueError):
            raise CheckpointError(f"{path}: tensor {name!r} has a malformed header entry") from None
        if stop - start != math.prod(shape) * width or min(shape, default=0) < 0:
            raise CheckpointError(f"{path}: tensor {name!r} declares shape {shape} but {stop - start} bytes")
        end = max(end, stop)
    if 8 + length + end != size:
        raise CheckpointError(
            f"{path} is corrupt or truncated ({size} bytes, its header describes "
            f"{8 + length + end}); re-download or re-save it"
        )
    return header


def check_config_against_header(config, header: dict[str, dict[str, Any]], *, source: str) -> None:
    """Refuse a model config whose sizes the weights file does not bear out, before allocating anything.

    ``config`` is a validated ``ModelConfig``; ``source`` names the config file in messages. The sizes read
    off the header (vocabulary and width from the token embedding, puzzle ids from the puzzle embedding)
    must equal the config's; the others (layers, expansions, sequence length) must stay within what the
    weights can hold. What remains is compared tensor by tensor by ``check_shapes_against_header`` on the
    model built from the config so bounded.
    """
    tokens = header.get("embedding.tokens.weight", {}).get("shape")
    if not tokens or len(tokens) != 2:
        raise CheckpointError(f"{source}: the weights have no token embedding; they are not a recurse refiner")
    _equal(source, "vocab_size", config.vocab_size, tokens[0], "embedding.tokens.weight", tokens)
    _equal(source, "hidden_size", config.hidden_size, tokens[1], "embedding.tokens.weight", tokens)
    puzzle = header.get("embedding.puzzle.weight", {}).get("shape")
    emb = config.puzzle_embedding
    if emb.dim and puzzle:
        _equal(source, "puzzle_embedding.num_ids", emb.num_ids, puzzle[0], "embedding.puzzle.weight", puzzle)
        _equal(source, "puzzle_embedding.dim", emb.dim, puzzle[1], "embedding.puzzle.weight", puzzle)
    elif bool(emb.dim) != bool(puzzle):
        raise CheckpointError(
            f"{source}: puzzle_embedding.dim={emb.dim} but the weights "
            f"{'hold' if puzzle else 'lack'} a puzzle embedding"
        )
    widest = max((max(e["shape"], default=0) for e in header.values()), default=0)
    layers = sum(value for key, value in _int_fields(config.model_dump()) if key.endswith("layers"))
    if layers > len(header):
        raise CheckpointError(
            f"{source}: the config asks for {layers} layers but the weights hold only "
            f"{len(header)} tensors; the config does not belong to these weights"
        )
    tokens_per_puzzle = (config.seq_len or 0) + config.prefix_len
    for key, value in _float_fields(config.model_dump()):
        if key.endswith("expansion") and value * min(config.hidden_size, tokens_per_puzzle) > 2 * widest + 1024:
            raise CheckpointError(
                f"{source}: {key}={value} implies layers far wider than any tensor of the weights "
                f"(widest: {widest}); the config does not belong to these weights"
            )
    weight_bytes = sum(e["data_offsets"][1] - e["data_offsets"][0] for e in header.values())
    table_bytes = 8 * tokens_per_puzzle * config.hidden_size  # positional tables the file does not hold
    if table_bytes > 4 * weight_bytes + SPARE_BUFFER_BYTES:
        raise CheckpointError(
            f"{source}: seq_len={config.seq_len} implies {table_bytes / 2**20:.0f} MiB of "
            f"position tables for {weight_bytes / 2**20:.1f} MiB of weights; refusing"
        )


def check_shapes_against_header(
    module: torch.nn.Module, header: dict[str, dict[str, Any]], *, source: str, strict: bool = True
) -> None:
    """Every tensor the built model expects is in the header with the same shape, and nothing else is.

    With ``strict=False`` tensors missing on either side are allowed (``load_state_dict(strict=False)``);
    those present on both sides must still agree in shape."""
    shapes = {name: list(t.shape) for name, t in module.state_dict().items()}
    missing = sorted(set(shapes) - set(header))
    unexpected = sorted(set(header) - set(shapes))
    if not strict:
        shapes = {name: shape for name, shape in shapes.items() if name in header}
    elif missing:
        raise CheckpointError(
            f"{source}: missing tensor {missing[0]!r} ({len(missing)} missing in all); "
            "the config does not belong to these weights"
        )
    elif unexpected:
        raise CheckpointError(
            f"{source}: unexpected tensor {unexpected[0]!r} ({len(unexpected)} in all); "
            "the config does not belong to these weights"
        )
    for name, shape in shapes.items():
        if header[name]["shape"] != shape:
            raise CheckpointError(
                f"{source}: tensor {name!r} has shape {tuple(header[name]['shape'])}, the config expects {tuple(shape)}"
            )


def _equal(source: str, key: str, value: Any, found: int, tensor: str, shape: list[int]) -> None:
    if value != found:
        raise CheckpointError(
            f"{source}: {key}={value} but the weights' {tensor} has shape {tuple(shape)}; "
            "the config does not belong to these weights"
        )


def _float_fields(value: Any, prefix: str = "") -> list[tuple[str, float]]:
    if isinstance(value, dict):
        return [item for key, sub in value.items() for item in _float_fields(sub, f"{prefix}{key}.")]
    if isinstance(value, float):
        return [(prefix.rstrip("."), value)]
    return []


def _int_fields(value: Any, prefix: str = "") -> list[tuple[str, int]]:
    if isinstance(value, dict):
        return [item for key, sub in value.items() for item in _int_fields(sub, f"{prefix}{key}.")]
    if isinstance(value, int) and not isinstance(value, bool):
        return [(prefix.rstrip("."), value)]
    return []


def check_finite(tensors: dict[str, torch.Tensor], *, source: str) -> None:
    """Refuse weights holding NaN or Inf (a diverged run); the caller may allow them explicitly."""
    for name, tensor in tensors.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            kind = "NaN" if bool(torch.isnan(tensor).any()) else "Inf"
            raise CheckpointError(
                f"{source}: tensor {name!r} holds {kind} values (the run diverged?); pass "
                "allow_nonfinite=True (CLI: --allow-nonfinite) to load it anyway"
            )

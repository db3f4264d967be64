"""Reading checkpoints written by the official TRM/HRM trainer.

An official checkpoint is a ``torch.save`` pickle of the compiled loss head's state dict (keys prefixed
``_orig_mod.model.inner.``) next to ``all_config.yaml``. The pickle is read with ``weights_only=True`` and
never written: the result is a recurse checkpoint (safetensors + config.json).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
import yaml
from pydantic import ValidationError

from recurse.config import ModelConfig
from recurse.errors import CheckpointError, ConversionError
from recurse.model.builder import build_refiner
from recurse.model.checkpoint import load_state_dict_strict, save_checkpoint
from recurse.schedules.hier import HierSchedule

_LOSSES = {"stablemax_cross_entropy": "stablemax", "softmax_cross_entropy": "softmax"}
_PREFIXES = ("_orig_mod.", "model.", "inner.")
# Official sublayer names -> recurse block sublayer names.
_SUBLAYERS = {
    "self_attn.qkv_proj.weight": "mixer.qkv.weight",
    "self_attn.o_proj.weight": "mixer.out.weight",
    "mlp_t.gate_up_proj.weight": "mixer.mix.gate_up.weight",
    "mlp_t.down_proj.weight": "mixer.mix.down.weight",
    "mlp.gate_up_proj.weight": "ffn.gate_up.weight",
    "mlp.down_proj.weight": "ffn.down.weight",
}
_FIXED = {
    "embed_tokens.embedding_weight": "embedding.tokens.weight",
    "embed_pos.embedding_weight": "embedding.positions.weight",
    "puzzle_emb.weights": "embedding.puzzle.weight",
    "lm_head.weight": "lm_head.weight",
    "q_head.weight": "q_head.weight",
    "q_head.bias": "q_head.bias",
}
# Per-batch scratch buffers of the official sparse embedding; not model state.
_SCRATCH = ("puzzle_emb.local_weights", "puzzle_emb.local_ids")


def _variant(arch: dict[str, Any]) -> str:
    name = str(arch.get("name", ""))
    return name.split("@")[0].rsplit(".", 1)[-1]


def official_arch_to_config(arch: dict[str, Any], loss_type: str = "stablemax_cross_entropy") -> ModelConfig:
    """Map an official ``arch`` block onto a ``ModelConfig``."""
    variant = _variant(arch)
    try:
        h_cycles, l_cycles = int(arch.get("H_cycles", 1)), int(arch.get("L_cycles", 1))
        h_layers, l_layers = int(arch.get("H_layers", 0)), int(arch.get("L_layers", 0))
        if variant == "trm":
            schedule = {"kind": "trm", "latent_steps": l_cycles, "deep_steps": h_cycles, "layers": l_layers}
        elif variant == "trm_singlez":
            schedule = {"kind": "single_z", "latent_steps": l_cycles, "deep_steps": h_cycles, "layers": l_layers}
        elif re.fullmatch(r"trm_hier\d+", variant):
            schedule = {
                "kind": "hier",
                "num_latents": int(variant[len("trm_hier") :]),
                "latent_steps": l_cycles,
                "deep_steps": h_cycles,
                "layers": l_layers,
            }
        elif variant == "hrm":
            schedule = {
                "kind": "hrm",
                "high_cycles": h_cycles,
                "low_cycles": l_cycles,
                "high_layers": h_layers,
                "low_layers": l_layers,
            }
        elif variant == "transformers_baseline":
            schedule = {"kind": "none", "layers": h_layers, "cycles": h_cycles}
        else:
            raise ConversionError(
                f"unknown official architecture {arch.get('name')!r}; known: trm, trm_singlez, "
                "trm_hier<k>, hrm, transformers_baseline"
            )

        positions = arch.get("pos_encodings", "rope")
        if arch.get("mlp_t", False):
            core = {"kind": "mlp", "expansion": float(arch["expansion"])}
        else:
            core = {
                "kind": "attention",
                "num_heads": int(arch["num_heads"]),
                "positions": "rope" if positions == "rope" else "none",
                "rope_base": float(arch.get("rope_theta", 10000.0)),
            }
        # TRM files default to no_ACT_continue=True; HRM has no such switch and always learns q_continue.
        q_learning = variant == "hrm" or not arch.get("no_ACT_continue", True)
        halting = {
            "kind": "q_continue" if q_learning else "q_halt",
            "max_steps": int(arch["halt_max_steps"]),
            "exploration_prob": float(arch.get("halt_exploration_prob", 0.1)),
        }
        prefix_len = int(arch.get("puzzle_emb_len", 0) or 0)
        if loss_type not in _LOSSES:
            raise ConversionError(f"unknown official loss {loss_type!r}; known: {', '.join(_LOSSES)}")
        return ModelConfig(
            vocab_size=int(arch["vocab_size"]),
            seq_len=int(arch["seq_len"]),
            hidden_size=int(arch["hidden_size"]),
            expansion=float(arch["expansion"]),
            norm_eps=float(arch.get("rms_norm_eps", 1e-5)),
            core=core,
            schedule=schedule,
            halting=halting,
            puzzle_embedding={
                "num_ids": int(arch.get("num_puzzle_identifiers", 1)),
                "dim": int(arch.get("puzzle_emb_ndim", 0)),
                "prefix_len": prefix_len or None,
            },
            learned_positions=positions == "learned",
            forward_dtype=str(arch.get("forward_dtype", "bfloat16")),
            loss=_LOSSES[loss_type],
        )
    except KeyError as error:
        raise ConversionError(f"official arch config lacks {error.args[0]!r}") from None
    except ValidationError as error:
        raise ConversionError(f"official arch config does not map onto recurse: {error.errors()[0]['msg']}") from None
    except (ValueError, TypeError) as error:  # a number that is text, a list where a number belongs, …
        raise ConversionError(f"official arch config holds a value of the wrong kind ({error})") from None


def _level_names(config: ModelConfig) -> dict[str, str]:
    if config.schedule.kind == "hrm":
        return {"H_level": "high", "L_level": "low"}
    if config.schedule.kind == "none":
        return {"H_level": "level"}
    return {"L_level": "level"}


def _init_names(config: ModelConfig) -> dict[str, str]:
    kind = config.schedule.kind
    if kind == "hrm":
        return {"H_init": "high_init", "L_init": "low_init"}
    if kind == "single_z":
        return {"L_init": "z_init"}
    if kind == "none":
        return {"H_init": "y_init"}
    if isinstance(config.schedule, HierSchedule.Spec):
        names = {"H_init": "y_init"}
        names.update({f"L{i}_init": f"z{i}_init" for i in range(1, config.schedule.num_latents + 1)})
        return names
    return {"H_init": "y_init", "L_init": "z_init"}


def official_name_to_recurse(name: str, config: ModelConfig) -> str | None:
    """The recurse state-dict key for an official key, ``None`` for scratch buffers; raises if unknown."""
    short = name
    for prefix in _PREFIXES:
        if short.startswith(prefix):
            short = short[len(prefix) :]
    if short in _SCRATCH:
        return None
    if short in _FIXED:
        return _FIXED[short]
    inits = _init_names(config)
    if short in inits:
        return f"schedule.{inits[short]}"
    match = re.fullmatch(r"([HL]_level)\.layers\.(\d+)\.(.+)", short)
    if match:
        level = _level_names(config).get(match.group(1))
        sublayer = _SUBLAYERS.get(match.group(3))
        if level is not None and sublayer is not None:
            return f"schedule.{level}.blocks.{match.group(2)}.{sublayer}"
    raise ConversionError(f"cannot map official tensor {name!r} onto a {config.schedule.kind} model")


def official_state_dict_to_recurse(state: dict[str, torch.Tensor], config: ModelConfig) -> dict[str, torch.Tensor]:
    mapped: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        target = official_name_to_recurse(name, config)
        if target is not None:
            mapped[target] = tensor.float()
    return mapped


def load_official_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    path = Path(path)
    if not path.is_file():
        raise ConversionError(f"{path} not found")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001  any failure to parse an untrusted file means "not a checkpoint"
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConversionError(f"{path} is not a readable official checkpoint ({first})") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ConversionError(f"{path} does not hold a state dict of tensors")
    return state


def load_official_config(path: str | Path) -> tuple[dict[str, Any], str, list[str]]:
    """The ``arch`` block, loss type and data paths of an official ``all_config.yaml``."""
    path = Path(path)
    if not path.is_file():
        raise ConversionError(f"{path} not found; pass the run's all_config.yaml with --config")
    try:
        document = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ConversionError(f"{path} is not valid YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(document, dict) or not isinstance(document.get("arch"), dict):
        raise ConversionError(f"{path} has no 'arch' block; is it an official all_config.yaml?")
    arch = document["arch"]
    loss = arch.get("loss", {}) or {}
    data_paths = [str(p) for p in document.get("data_paths") or []]
    return arch, str(loss.get("loss_type", "stablemax_cross_entropy")), data_paths


def _dataset_seq_len(data_paths: list[str], base: Path) -> int | None:
    for root in data_paths:
        for candidate in (Path(root), base / root):
            meta = candidate / "train" / "dataset.json"
            if meta.is_file():
                return int(json.loads(meta.read_text())["seq_len"])
    return None


def complete_arch(
    arch: dict[str, Any],
    state: dict[str, torch.Tensor],
    *,
    seq_len: int | None = None,
    data_paths: Sequence[str] = (),
    base: Path = Path("."),
) -> dict[str, Any]:
    """Fill in what an official run takes from its dataset at run time (vocabulary size, number of
    puzzle ids, sequence length), reading it off the tensors where they fix it."""
    arch = dict(arch)
    short = {k.split("model.inner.", 1)[-1]: v for k, v in state.items()}
    if "embed_tokens.embedding_weight" not in short:
        raise ConversionError("the checkpoint has no token embedding (embed_tokens); is it an official TRM/HRM one?")
    arch.setdefault("vocab_size", short["embed_tokens.embedding_weight"].shape[0])
    if "puzzle_emb.weights" in short:
        arch.setdefault("num_puzzle_identifiers", short["puzzle_emb.weights"].shape[0])
    if seq_len is not None:
        arch["seq_len"] = seq_len
    if "seq_len" not in arch:
        try:
            hidden = int(arch["hidden_size"])
            ndim = int(arch.get("puzzle_emb_ndim", 0))
            prefix = int(arch.get("puzzle_emb_len", 0) or 0) or -(-ndim // hidden)
        except KeyError as error:
            raise ConversionError(f"official arch config lacks {error.args[0]!r}") from None
        except (ValueError, TypeError, ZeroDivisionError) as error:
            raise ConversionError(f"official arch config holds a value of the wrong kind ({error})") from None
        mlp_t = next((v for k, v in short.items() if k.endswith("mlp_t.gate_up_proj.weight")), None)
        if "embed_pos.embedding_weight" in short:
            arch["seq_len"] = short["embed_pos.embedding_weight"].shape[0] - prefix
        elif mlp_t is not None:
            arch["seq_len"] = mlp_t.shape[1] - prefix
        elif (found := _dataset_seq_len(list(data_paths), base)) is not None:
            arch["seq_len"] = found
        else:
            raise ConversionError(
                "the sequence length is not stored in a RoPE checkpoint and the run's dataset was "
                "not found; pass --seq-len (81 for Sudoku, 900 for Maze and ARC)"
            )
    return arch


# The official datasets' (vocabulary size, sequence length), which identify the task a checkpoint solves.
_KNOWN_TASKS = {
    (11, 81): {"kind": "sudoku", "box_rows": 3, "box_cols": 3},
    (6, 900): {"kind": "maze", "size": 30},
    (12, 900): {"kind": "arc"},
}


def infer_task(vocab_size: int, seq_len: int) -> dict | None:
    """The task spec of an official dataset with this vocabulary and length, or None when none matches."""
    spec = _KNOWN_TASKS.get((int(vocab_size), int(seq_len)))
    return dict(spec) if isinstance(spec, dict) else None


def _puzzle_identifiers(path: Path | None, data_paths: list[str], base: Path, rows: int) -> list[str] | None:
    """The puzzle-id → name map: given, or the ``identifiers.json`` of the run's dataset if it is present."""
    candidates = (
        [path] if path is not None else [root / "identifiers.json" for d in data_paths for root in (Path(d), base / d)]
    )
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            try:
                names = json.loads(candidate.read_bytes().decode("utf-8"))
            except (ValueError, RecursionError):
                raise ConversionError(f"{candidate} is not valid JSON (a list of puzzle names)") from None
            if not isinstance(names, list) or len(names) != rows:
                raise ConversionError(
                    f"{candidate} names {len(names) if isinstance(names, list) else '?'} puzzles "
                    f"but the checkpoint's puzzle-embedding table has {rows} rows; is it the "
                    "identifiers.json of the dataset this model was trained on?"
                )
            return [str(n) for n in names]
    if path is not None:
        raise ConversionError(f"{path} not found")
    return None


def convert_official_checkpoint(
    checkpoint: str | Path,
    config: str | Path,
    out: str | Path,
    *,
    forward_dtype: str | None = None,
    seq_len: int | None = None,
    task: dict | None = None,
    identifiers: str | Path | None = None,
) -> Path:
    """Convert an official ``step_N`` pickle plus ``all_config.yaml`` into a recurse checkpoint at ``out``.

    The task is inferred from the vocabulary and length of the official datasets unless given. The
    official code does not save which embedding row belongs to which puzzle; pass the training dataset's
    ``identifiers.json`` (or keep the dataset where the run's config says) so the converted model can
    be evaluated and can solve named puzzles.
    """
    arch, loss_type, data_paths = load_official_config(config)
    state = load_official_state_dict(checkpoint)
    arch = complete_arch(arch, state, seq_len=seq_len, data_paths=data_paths, base=Path(config).parent)
    model_config = official_arch_to_config(arch, loss_type)
    if forward_dtype is not None:
        model_config = model_config.model_copy(update={"forward_dtype": forward_dtype})
    tensors = official_state_dict_to_recurse(state, model_config)
    refiner = build_refiner(model_config)
    try:
        load_state_dict_strict(refiner, tensors, source=str(checkpoint))
    except CheckpointError as error:
        raise ConversionError(str(error)) from None
    meta: dict[str, Any] = {
        "source": {
            "format": "official-trm",
            "checkpoint": Path(checkpoint).name,
            "arch": arch.get("name"),
            "data_paths": data_paths,
        }
    }
    if not task and model_config.vocab_size is not None and model_config.seq_len is not None:
        task = infer_task(model_config.vocab_size, model_config.seq_len)
    if task is not None:
        from recurse.tasks import build_task

        built = build_task(task)
        if (built.vocab_size, built.seq_len) != (model_config.vocab_size, model_config.seq_len):
            raise ConversionError(
                f"the task {task} has {built.vocab_size} tokens and length {built.seq_len}, but the "
                f"checkpoint has {model_config.vocab_size} and {model_config.seq_len}"
            )
        meta.update(task=built.spec(), vocab=built.vocab)
    rows = model_config.puzzle_embedding.num_ids if model_config.puzzle_embedding.dim else 1
    names = _puzzle_identifiers(Path(identifiers) if identifiers else None, data_paths, Path(config).parent, rows)
    if names is not None:
        meta["puzzle_identifiers"] = names
    return save_checkpoint(out, refiner, model_config, meta)

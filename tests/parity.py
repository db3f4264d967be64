"""Loading a golden fixture made by the official code and running it through recurse."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file

from recurse.config import ModelConfig
from recurse.convert.official import official_arch_to_config, official_name_to_recurse, official_state_dict_to_recurse
from recurse.training.step import build_training_model

OFFICIAL_PREFIX = "_orig_mod.model.inner."
PUZZLE_ROWS_GRAD = "train.grad._orig_mod.model.inner.puzzle_emb.local_weights"


@dataclass
class Fixture:
    name: str
    config: ModelConfig
    tensors: dict[str, torch.Tensor]

    @classmethod
    def load(cls, json_path: Path) -> Fixture:
        spec = json.loads(json_path.read_text())
        config = official_arch_to_config(spec["arch"], spec.get("loss_type", "stablemax_cross_entropy"))
        tensors = load_file(str(json_path.with_suffix(".safetensors")))
        return cls(json_path.stem, config, tensors)

    @property
    def official_state(self) -> dict[str, torch.Tensor]:
        return {k: v for k, v in self.tensors.items() if k.startswith(OFFICIAL_PREFIX)}

    @property
    def batch(self) -> dict[str, torch.Tensor]:
        return {k: self.tensors[f"batch.{k}"] for k in ("inputs", "labels", "puzzle_identifiers")}

    @property
    def eval_steps(self) -> list[int]:
        return sorted(int(k.split(".")[1][4:]) for k in self.tensors if k.startswith("eval.") and k.endswith(".logits"))

    def build_training_model(self):
        model = build_training_model(self.config)
        model.refiner.load_state_dict(official_state_dict_to_recurse(self.official_state, self.config))
        return model

    def expected_grads(self) -> dict[str, torch.Tensor]:
        """Expected gradient per recurse parameter name (the puzzle rows under their own key)."""
        grads = {}
        for key, value in self.tensors.items():
            if not key.startswith("train.grad.") or key == PUZZLE_ROWS_GRAD:
                continue
            grads[official_name_to_recurse(key[len("train.grad.") :], self.config)] = value
        return grads

"""A recipe's documented result, so a run that falls far short of it says so instead of exiting quietly."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ExpectedResult(BaseModel):
    """What the recipe reached on the reference machine: ``expected: {exact_accuracy: 0.992, steps: 1321}``."""

    model_config = ConfigDict(extra="forbid")

    exact_accuracy: float = Field(ge=0, le=1, description="exact accuracy on the held-out split at the end")
    steps: int | None = Field(None, ge=1, description="optimiser steps of the documented run")
    tolerance: float = Field(0.05, ge=0, le=1, description="warn when the run ends more than this far below")

    def shortfall(self, exact_accuracy: float) -> bool:
        """True when ``exact_accuracy`` is far enough below the documented figure to be worth a warning."""
        return exact_accuracy < self.exact_accuracy - self.tolerance

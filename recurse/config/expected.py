"""A recipe's documented result, so a run that falls far short of it says so instead of exiting quietly."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ExpectedResult(BaseModel):
    """What the recipe reached on the reference machine: ``expected: {exact_accuracy: 0.992, steps: 1321}``,
    or ``{valid_rate: 0.95, …}`` for a task with several answers, whose headline is checker-valid."""

    model_config = ConfigDict(extra="forbid")

    exact_accuracy: float | None = Field(
        None, ge=0, le=1, description="exact accuracy on the held-out split at the end"
    )
    valid_rate: float | None = Field(None, ge=0, le=1, description="share of held-out answers the checker accepts")
    steps: int | None = Field(None, ge=1, description="optimiser steps of the documented run")
    tolerance: float = Field(0.05, ge=0, le=1, description="warn when the run ends more than this far below")

    @model_validator(mode="after")
    def _one_figure(self) -> ExpectedResult:
        if (self.exact_accuracy is None) == (self.valid_rate is None):
            raise ValueError(
                "give one documented figure: exact_accuracy, or valid_rate for a task with several answers"
            )
        return self

    @property
    def metric(self) -> str:
        """The evaluation metric the documented figure is: ``exact_accuracy`` or ``valid_rate``."""
        return "exact_accuracy" if self.exact_accuracy is not None else "valid_rate"

    @property
    def figure(self) -> float:
        figure = self.exact_accuracy if self.exact_accuracy is not None else self.valid_rate
        assert figure is not None  # the validator requires one of the two
        return figure

    def shortfall(self, value: float) -> bool:
        """True when ``value`` (of ``metric``) is far enough below the documented figure to be worth a warning."""
        return value < self.figure - self.tolerance

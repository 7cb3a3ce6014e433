"""Exceptions raised while building steps."""

from __future__ import annotations

__all__ = [
    "DependencyResolutionError",
    "LocalRunError",
    "StepBuilderError",
    "UnknownOutputError",
]


class StepBuilderError(ValueError):
    """A step could not be built from the given configuration or inputs."""


class DependencyResolutionError(StepBuilderError):
    """A contract input could not be matched to exactly one value."""


class UnknownOutputError(KeyError):
    """A step output was asked for by a logical name the step does not have."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class LocalRunError(StepBuilderError):
    """A step could not be run locally as SageMaker would run it."""

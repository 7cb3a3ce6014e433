"""The handler's exceptions. Every failure a caller can cause is one of these."""

from __future__ import annotations

from typing import Any


class HyperparameterPrepError(ValueError):
    """Any failure of the hyperparameter-prep step; what callers catch."""


class InvalidHyperparametersError(HyperparameterPrepError):
    """The hyperparameters (or an override) break a rule; ``path`` and ``rule`` say which."""

    def __init__(self, path: str, rule: str) -> None:
        super().__init__(f"{path}: {rule}")
        self.path = path
        self.rule = rule

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.rule))


class ConstraintViolationError(InvalidHyperparametersError):
    """An override, after coercion, breaks the constraint the event gives for its path."""


class InvalidEventError(HyperparameterPrepError):
    """The event itself is malformed: unknown keys, bad bucket, key prefix or option."""


class InvalidConstraintsError(InvalidEventError):
    """The ``constraints`` event value is not a valid constraints document."""


class ClientConfigurationError(HyperparameterPrepError):
    """An AWS client could not be built from the environment (endpoint, region, profile)."""


class StorageError(HyperparameterPrepError):
    """S3 refused or failed the upload; the message says what to fix."""


class ObjectMismatchError(StorageError):
    """An object already at the content-addressed key is not the expected content."""


class RuleError(Exception):
    """Internal: a rule failed somewhere below; frames add path segments on the way up."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule
        self.segments: list[object] = []


class DocumentTooLargeError(Exception):
    """Internal: the canonical form is certainly over the size limit (no path: it is global)."""

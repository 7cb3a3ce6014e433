"""What ``run_pipeline_locally`` raises: every error is a ``LocalRunError``.

``LocalRunError`` (a ``StepBuilderError``, so a ``ValueError``) is the library's error
for "this cannot run locally as SageMaker would run it". The subclasses say why:

- ``ParameterError``: a parameter override is unknown, of the wrong type, or missing.
- ``UnsupportedStepError`` / ``UnsupportedExpressionError``: the definition uses a step
  type or an expression the local runner does not emulate; raised before any step runs.
- ``StepFailedError``: a step ran and failed (non-zero exit, handler error, timeout);
  it names the step, the exit code and the script's last stderr lines.
- ``ContractViolationError``: a step broke its script contract (a declared output left
  empty, a required input or variable missing, or, with ``strict=True``, a path opened
  outside the contract).

A step error carries ``completed``: the results of the steps that finished before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from pipeline_steps.core.errors import LocalRunError

if TYPE_CHECKING:
    from pipeline_steps.runtime.results import StepResult

__all__ = [
    "ContractViolationError",
    "LocalRunError",
    "ParameterError",
    "StepFailedError",
    "UnsupportedExpressionError",
    "UnsupportedStepError",
]


class ParameterError(LocalRunError):
    """A pipeline parameter override is unknown, mistyped, not allowed, or missing."""


class UnsupportedStepError(LocalRunError):
    """The definition holds a step the local runner cannot emulate (named in the message)."""


class UnsupportedExpressionError(LocalRunError):
    """The definition holds an expression the local runner cannot render (named)."""


class StepFailedError(LocalRunError):
    """A step ran and failed; the message names the step, the exit code and stderr's tail."""

    def __init__(
        self,
        message: str,
        *,
        step_name: str,
        exit_code: int | None = None,
        stderr_tail: Sequence[str] = (),
        completed: Mapping[str, StepResult] | None = None,
    ) -> None:
        super().__init__(message)
        self.step_name = step_name
        self.exit_code = exit_code
        self.stderr_tail = tuple(stderr_tail)
        self.completed: dict[str, StepResult] = dict(completed or {})


class ContractViolationError(StepFailedError):
    """A step broke its script contract; ``violations`` lists each broken promise."""

    def __init__(
        self,
        message: str,
        *,
        step_name: str,
        violations: Sequence[str],
        completed: Mapping[str, StepResult] | None = None,
    ) -> None:
        super().__init__(message, step_name=step_name, completed=completed)
        self.violations = tuple(violations)

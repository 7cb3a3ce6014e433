"""The SDK's step classes, rendered inside ``quiet_sdk``: the steps our builders make.

``Pipeline.definition()`` is the SDK's method, called by the user; it renders every
step with ``step.to_request()``, and a step made with a ``PipelineSession`` only
then runs the deferred ``fit()``/``run()`` (code upload, image lookup) and the
Lambda deployment (``BundledLambda.upsert``). These subclasses run exactly that
part of ``definition()`` inside ``quiet_sdk``, so rendering a pipeline of our steps
prints nothing, whichever ``Pipeline`` class holds them; a step the user makes with
the SDK directly keeps the SDK's messages. They are the SDK's classes in every
other respect (``isinstance`` holds, the request is unchanged).
"""

from __future__ import annotations

from typing import Any

from pipeline_steps.core.quiet import quiet_sdk
from pipeline_steps.sdk import LambdaStep, ProcessingStep, TrainingStep

__all__ = ["QuietLambdaStep", "QuietProcessingStep", "QuietTrainingStep"]


class _QuietRendering:
    """Renders the step it is mixed into (``arguments``, ``to_request``) inside ``quiet_sdk``."""

    @property
    def arguments(self) -> Any:
        with quiet_sdk():
            return super().arguments  # type: ignore[misc]

    def to_request(self) -> Any:
        with quiet_sdk():
            return super().to_request()  # type: ignore[misc]


class QuietTrainingStep(_QuietRendering, TrainingStep):  # type: ignore[misc, unused-ignore]
    """``TrainingStep`` whose rendering (``arguments``, ``to_request``) is quiet."""


class QuietProcessingStep(_QuietRendering, ProcessingStep):  # type: ignore[misc, unused-ignore]
    """``ProcessingStep`` whose rendering (``arguments``, ``to_request``) is quiet."""


class QuietLambdaStep(_QuietRendering, LambdaStep):  # type: ignore[misc, unused-ignore]
    """``LambdaStep`` whose rendering (``arguments``, the Lambda deployment in ``to_request``)
    is quiet."""

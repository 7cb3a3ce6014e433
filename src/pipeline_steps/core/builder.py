"""``StepBuilderBase``: what every step builder shares, and ``JobStepBuilder``'s create_step.

A builder holds a validated pydantic config and a script contract. It names its
step, exposes the step's outputs by logical name, and wires a step's inputs to the
outputs of its dependencies (``core.resolution``). Training and processing builders
share one ``create_step`` template (``JobStepBuilder``) and supply only the parts
that differ: the SDK step arguments, the step class and the output references.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from pipeline_script_contracts import ScriptContract
from pipeline_steps.core.code_bundle import (
    DEFAULT_CODE_PREFIX,
    CodeLocation,
    upload_source_bundle,
)
from pipeline_steps.core.display import builder_html, builder_repr
from pipeline_steps.core.errors import StepBuilderError
from pipeline_steps.core.job_config import JobConfigBase
from pipeline_steps.core.outputs import StepOutputs, outputs_of, register_step
from pipeline_steps.core.quiet import quiet_sdk
from pipeline_steps.core.resolution import dependency_steps, resolve_inputs
from pipeline_steps.core.wiring import record_inputs
from pipeline_steps.sdk import CacheConfig, Session, Step, sdk_region

__all__ = ["STEP_NAME_PATTERN", "JobStepBuilder", "StepBuilderBase"]

STEP_NAME_PATTERN = re.compile(r"^[A-Za-z0-9\-_]{1,64}$")
"""SageMaker Pipelines' rule for step names."""

ConfigT = TypeVar("ConfigT", bound=BaseModel)
JobConfigT = TypeVar("JobConfigT", bound=JobConfigBase)


class StepBuilderBase(abc.ABC, Generic[ConfigT]):
    """Builds one SageMaker Pipelines step from a config and a script contract."""

    contract: ClassVar[ScriptContract]
    config_class: ClassVar[type[BaseModel]]
    default_step_name: ClassVar[str] = ""

    def __init__(
        self,
        config: ConfigT | Mapping[str, Any],
        *,
        sagemaker_session: Session | None = None,
        step_name: str | None = None,
    ) -> None:
        if isinstance(config, Mapping):
            config = self.config_class.model_validate(dict(config))  # type: ignore[assignment]
        if not isinstance(config, self.config_class):
            raise TypeError(
                f"{type(self).__name__} needs a {self.config_class.__name__}, "
                f"got {type(config).__name__}"
            )
        self.config: ConfigT = config
        self._sagemaker_session = sagemaker_session
        self._step_name = self.check_step_name(step_name or self.default_name())

    @classmethod
    def default_name(cls) -> str:
        """The step name used when none is given: set per builder or derived from the contract."""
        if cls.default_step_name:
            return cls.default_step_name
        return "".join(part.capitalize() for part in cls.contract.name.split("_"))

    @staticmethod
    def check_step_name(name: object) -> str:
        """Return ``name`` if SageMaker accepts it as a step name, else raise."""
        if not isinstance(name, str) or not STEP_NAME_PATTERN.fullmatch(name):
            raise StepBuilderError(
                f"step_name {name!r} is invalid: a step name is 1 to 64 characters of "
                "letters, digits, '-' and '_' (^[A-Za-z0-9\\-_]{1,64}$)"
            )
        return name

    def name_for(self, step_name: str | None) -> str:
        """``step_name`` checked against SageMaker's rule, or this builder's name if None."""
        return self._step_name if step_name is None else self.check_step_name(step_name)

    @property
    def step_name(self) -> str:
        """The name of the next step, unless ``create_step`` is given another."""
        return self._step_name

    @property
    def sagemaker_session(self) -> Session:
        """The SageMaker session steps are built with; a ``PipelineSession`` made on first use."""
        if self._sagemaker_session is None:
            from pipeline_steps.sdk import PipelineSession

            with quiet_sdk():
                self._sagemaker_session = PipelineSession()
        return self._sagemaker_session

    @abc.abstractmethod
    def create_step(self, *args: Any, **kwargs: Any) -> Step:
        """Build the pipeline step."""

    def outputs(self, step: Step) -> StepOutputs:
        """The outputs of ``step`` (made by this builder) keyed by contract logical name."""
        return outputs_of(step)

    def _register_outputs(self, step: Step, references: Mapping[str, Any]) -> StepOutputs:
        return register_step(step, self.contract, references)

    def resolve_inputs(
        self,
        dependencies: Iterable[Any] = (),
        inputs: Mapping[str, Any] | None = None,
        *,
        step_name: str | None = None,
    ) -> dict[str, Any]:
        """Match each contract input to an explicit value or to one dependency's output.

        Explicit ``inputs`` win; then an output of the same logical name; then an output
        the contract declares the input accepts. See ``pipeline_steps.core.resolution``.
        """
        return resolve_inputs(self.contract, step_name or self.step_name, dependencies, inputs)

    @property
    def framework(self) -> str | None:
        """The training framework whose container the step runs (a ``FRAMEWORKS`` name)."""
        return None

    def __repr__(self) -> str:
        return builder_repr(self)

    def _repr_html_(self) -> str:
        return builder_html(self)


class JobStepBuilder(StepBuilderBase[JobConfigT]):
    """A builder of a SageMaker job step (training or processing): one ``create_step``."""

    @property
    def region(self) -> str:
        """The session's region (where images and buckets are looked up)."""
        region = getattr(self.sagemaker_session, "boto_region_name", None)
        if not region:
            raise StepBuilderError(
                f"step {self.step_name!r}: the SageMaker session has no region; pass a "
                "PipelineSession(boto_session=boto3.Session(region_name=...))"
            )
        return str(region)

    def code_location(self) -> CodeLocation:
        """Where this job's code bundles go: ``code_location``, or the session's bucket."""
        configured = self.config.code_location
        if configured is not None:
            bucket, _, prefix = configured.removeprefix("s3://").partition("/")
            return CodeLocation(bucket, prefix.strip("/") or DEFAULT_CODE_PREFIX)
        return CodeLocation(str(self.sagemaker_session.default_bucket()))  # type: ignore[no-untyped-call, unused-ignore]

    def source_uri(self) -> str:
        """The S3 URI of the job's code bundle, uploaded once under its content hash.

        An ``s3://`` ``source_dir`` is used as it is (a ``.tar.gz`` you uploaded).
        """
        config = self.config
        if config.source_dir is not None and config.source_dir.startswith("s3://"):
            return config.source_dir
        source = config.source_dir or config.entry_point
        return upload_source_bundle(self._s3_client(), self.code_location(), source)

    def _s3_client(self) -> Any:
        session = self.sagemaker_session
        client = getattr(session, "s3_client", None)
        if client is None:
            client = session.boto_session.client("s3", region_name=self.region)
        return client

    @abc.abstractmethod
    def _make_step(
        self,
        name: str,
        resolved: Mapping[str, Any],
        *,
        cache_config: CacheConfig | None,
        depends_on: list[Any] | None,
    ) -> Step:
        """The SDK step for ``name`` reading the ``resolved`` contract inputs."""

    @abc.abstractmethod
    def _output_references(self, step: Step) -> dict[str, Any]:
        """The step's property references, keyed by the contract's output names."""

    @quiet_sdk()
    def create_step(
        self,
        *,
        inputs: Mapping[str, Any] | None = None,
        dependencies: Iterable[Step] = (),
        step_name: str | None = None,
        depends_on: Sequence[str | Step] | None = None,
        cache_config: CacheConfig | None = None,
    ) -> Step:
        """A step reading the contract's inputs from ``inputs`` and ``dependencies``.

        ``dependencies`` are steps whose outputs feed this one by logical name (a
        dependency that feeds nothing still runs first); ``depends_on`` adds plain
        ordering. Explicit ``inputs`` win over what dependencies offer.
        """
        name = self.name_for(step_name)
        deps = list(dependencies)
        resolved = self.resolve_inputs(deps, inputs, step_name=name)
        with sdk_region(self.region):
            step = self._make_step(
                name,
                resolved,
                cache_config=cache_config,
                depends_on=dependency_steps(deps, resolved, depends_on),
            )
        self._register_outputs(step, self._output_references(step))
        record_inputs(step, resolved)
        return step

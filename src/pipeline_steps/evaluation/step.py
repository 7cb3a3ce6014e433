"""`ModelEvaluationStepBuilder`: a ProcessingStep that scores a trained model.

Inputs and outputs come from ``MODEL_EVALUATION_CONTRACT``: the model artifact, the
evaluation data and the prep step's hyperparameters file go in under
``/opt/ml/processing/input/``; evaluation results and metrics come out under
``/opt/ml/processing/output/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any, ClassVar

from pydantic import Field, field_validator

from pipeline_script_contracts import MODEL_EVALUATION_CONTRACT
from pipeline_steps.core.builder import JobStepBuilder
from pipeline_steps.core.code_bundle import upload_runproc
from pipeline_steps.core.job_config import JobConfigBase
from pipeline_steps.core.jobs import ProcessingJob, ProcessingPath, image_uri, processing_step_args
from pipeline_steps.core.sdk_steps import QuietProcessingStep
from pipeline_steps.frameworks.xgboost.parameter_space import parameter_space
from pipeline_steps.frameworks.xgboost.step import ChecksXGBoostImage
from pipeline_steps.sdk import (
    CacheConfig,
    ExecutionVariables,
    Join,
    PipelineVariable,
    ProcessingStep,
    Step,
)

__all__ = ["ModelEvaluationConfig", "ModelEvaluationStepBuilder"]


class ModelEvaluationConfig(JobConfigBase):
    """Settings of the model evaluation processing step (it runs in the XGBoost image)."""

    entry_point: str = Field(
        MODEL_EVALUATION_CONTRACT.entry_point, description="Evaluation script."
    )
    framework_version: str = Field(
        parameter_space().default_framework_version,
        description="SageMaker XGBoost container version; hyperparameters (e.g. an objective) "
        "its XGBoost lacks are refused when the step is built.",
    )
    environment: dict[str, str] = Field(
        description="Container environment; must set the contract's required variables."
    )
    output_path: str | None = Field(
        None,
        description="s3:// prefix for the outputs (one folder per execution under it); "
        "the session's bucket when unset.",
    )
    max_runtime: int = Field(
        86400, ge=1, le=5 * 24 * 3600, description="Maximum processing seconds."
    )

    @field_validator("framework_version")
    @classmethod
    def _check_framework_version(cls, value: str) -> str:
        parameter_space().image(value)
        return value

    @field_validator("environment")
    @classmethod
    def _check_required_env(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [
            name for name in MODEL_EVALUATION_CONTRACT.required_env_vars if name not in value
        ]
        if missing:
            raise ValueError(
                f"missing required environment variable(s) {', '.join(missing)}: "
                f"{MODEL_EVALUATION_CONTRACT.entry_point} needs "
                f"{', '.join(MODEL_EVALUATION_CONTRACT.required_env_vars)}"
            )
        for name in MODEL_EVALUATION_CONTRACT.required_env_vars:
            if not value[name].strip():
                raise ValueError(f"environment variable {name} is empty; name a column")
        return value


def _destination_dir(path: str) -> str:
    """The folder a ProcessingInput downloads to: the path itself, or its parent for a file."""
    pure = PurePosixPath(path)
    return str(pure.parent) if pure.suffix else path


class ModelEvaluationStepBuilder(ChecksXGBoostImage, JobStepBuilder[ModelEvaluationConfig]):
    """Builds the evaluation ProcessingStep fed by ``MODEL_EVALUATION_CONTRACT``."""

    contract = MODEL_EVALUATION_CONTRACT
    config_class = ModelEvaluationConfig
    default_step_name: ClassVar[str] = "ModelEvaluation"

    @property
    def framework(self) -> str:
        """The step runs the XGBoost framework processor, so it scores XGBoost models."""
        return "xgboost"

    def processing_inputs(self, resolved: Mapping[str, Any]) -> list[ProcessingPath]:
        """One input per resolved contract input, at its contract path's folder."""
        paths = self.contract.expected_input_paths
        return [
            ProcessingPath(logical, _destination_dir(paths[logical]), value)
            for logical, value in resolved.items()
        ]

    def processing_outputs(self, step_name: str | None = None) -> list[ProcessingPath]:
        """One output per contract output, each execution in its own folder.

        ``<output_path>/<execution id>/<step name>/<output>`` (``output_path`` defaults
        to ``s3://<session bucket>/<pipeline name>``), as the SDK's default destinations
        are: a fixed folder would let every execution overwrite the last one's results
        (and the results a cached step points at).
        """
        name = step_name or self.step_name
        base: Any = self.config.output_path
        if base is None:
            base = Join(
                on="/",
                values=[f"s3://{self.code_location().bucket}", ExecutionVariables.PIPELINE_NAME],
            )
        else:
            base = base.rstrip("/")
        return [
            ProcessingPath(
                logical,
                path,
                Join(
                    on="/", values=[base, ExecutionVariables.PIPELINE_EXECUTION_ID, name, logical]
                ),
            )
            for logical, path in self.contract.expected_output_paths.items()
        ]

    def _make_step(
        self,
        name: str,
        resolved: Mapping[str, Any],
        *,
        cache_config: CacheConfig | None,
        depends_on: list[Any] | None,
    ) -> ProcessingStep:
        config = self.config
        environment: dict[str, str | PipelineVariable] = {
            **self.contract.optional_env_vars,
            **config.environment,
        }
        job = ProcessingJob(
            image_uri=image_uri(
                "xgboost", self.region, config.framework_version, None, config.instance_type
            ),
            source_uri=self.source_uri(),
            runproc_uri=upload_runproc(self._s3_client(), self.code_location(), config.script_name),
            role_arn=config.role_arn,
            base_job_name=name.lower()[:38],
            instance_type=config.instance_type,
            instance_count=config.instance_count,
            volume_size=config.volume_size,
            max_runtime=config.max_runtime,
            environment=environment,
        )
        step_args = processing_step_args(
            self.sagemaker_session,
            job,
            self.processing_inputs(resolved),
            self.processing_outputs(name),
        )
        return QuietProcessingStep(
            name=name, step_args=step_args, cache_config=cache_config, depends_on=depends_on
        )

    def _output_references(self, step: Step) -> dict[str, Any]:
        return {
            logical: step.properties.ProcessingOutputConfig.Outputs[logical].S3Output.S3Uri
            for logical in self.contract.output_names
        }

"""One description of a training or processing job, turned into ``step_args`` on either SDK major.

Builders describe the job they want (``TrainingJob``, ``ProcessingJob``) and call
``training_step_args`` / ``processing_step_args``; only this module knows that v2
builds it with ``Estimator``/``Processor`` and v3 with ``ModelTrainer``/``Processor``.
The code is never staged by the SDK (v3 would upload it under timestamped keys on every
``definition()``): builders upload a deterministic bundle (``core.code_bundle``) and
pass its S3 URI, so a definition is the same bytes every time, on both majors.

Training runs in script mode as the framework containers define it: the
``sagemaker_program`` and ``sagemaker_submit_directory`` hyperparameters (JSON-encoded,
as v2's framework estimators write them) tell the image's own entry point (the
SageMaker training toolkit, or the XGBoost container's) which script to download and
run; it then sets ``SM_CHANNEL_<NAME>``, ``SM_MODEL_DIR`` and ``SM_OUTPUT_DATA_DIR``.
Processing runs ``runproc.sh``, which unpacks the bundle and runs the script.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline_steps.core.errors import StepBuilderError
from pipeline_steps.sdk import SDK_MAJOR, sdk_class

__all__ = [
    "CODE_INPUT",
    "ENTRYPOINT_INPUT",
    "Channel",
    "ProcessingJob",
    "ProcessingPath",
    "TrainingJob",
    "image_uri",
    "processing_step_args",
    "training_step_args",
]

CODE_INPUT = ("code", "/opt/ml/processing/input/code/")
"""The processing input (name, container folder) that receives the code bundle."""

ENTRYPOINT_INPUT = ("entrypoint", "/opt/ml/processing/input/entrypoint")
"""The processing input (name, container folder) that receives ``runproc.sh``."""

_CONTAINER_LOG_LEVEL = 20


@dataclass(frozen=True)
class Channel:
    """A training input channel: its name, S3 source (URI or property) and content type."""

    name: str
    uri: Any
    content_type: str | None = None


@dataclass(frozen=True)
class ProcessingPath:
    """A processing input or output: its name, container folder and S3 URI (or property)."""

    name: str
    local_path: str
    uri: Any


@dataclass(frozen=True)
class TrainingJob:
    """What a training step runs: the image, the script and the resources."""

    image_uri: str
    entry_point: str
    source_uri: str
    """``s3://.../sourcedir.tar.gz`` holding the entry point (see ``core.code_bundle``)."""
    role_arn: str
    region: str
    base_job_name: str
    output_path: Any
    instance_type: Any = "ml.m5.xlarge"
    instance_count: int = 1
    volume_size: int = 30
    max_run: int = 86400
    environment: Mapping[str, Any] = field(default_factory=dict)
    checkpoint_s3_uri: Any = None
    use_spot_instances: bool = False
    max_wait: int | None = None

    def hyperparameters(self) -> dict[str, str]:
        """What the framework containers' entry point reads to run the script."""
        return {
            "sagemaker_program": json.dumps(self.entry_point),
            "sagemaker_submit_directory": json.dumps(self.source_uri),
            "sagemaker_container_log_level": json.dumps(_CONTAINER_LOG_LEVEL),
            "sagemaker_region": json.dumps(self.region),
        }


@dataclass(frozen=True)
class ProcessingJob:
    """What a processing step runs: the image, ``runproc.sh`` and the resources."""

    image_uri: str
    source_uri: str
    """``s3://.../sourcedir.tar.gz`` holding the script."""
    runproc_uri: str
    """``s3://.../runproc.sh`` that unpacks the bundle and runs the script."""
    role_arn: str
    base_job_name: str
    instance_type: Any = "ml.m5.xlarge"
    instance_count: int = 1
    volume_size: int = 30
    max_runtime: int = 86400
    environment: Mapping[str, Any] = field(default_factory=dict)


def image_uri(
    framework: str, region: str, version: str, py_version: str | None, instance_type: Any
) -> str:
    """The framework's training image for ``version`` in ``region`` (the SDK's own table)."""
    retrieve = sdk_class("image_uris").retrieve
    kwargs: dict[str, Any] = {"region": region, "version": version, "image_scope": "training"}
    if py_version is not None:
        kwargs["py_version"] = py_version
    if isinstance(instance_type, str):
        kwargs["instance_type"] = instance_type
    try:
        return str(retrieve(framework, **kwargs))
    except ValueError as error:
        raise StepBuilderError(
            f"framework_version {version!r} (py_version {py_version!r}) has no {framework} "
            f"training image in SageMaker Python SDK v{SDK_MAJOR}'s table: {error}"
        ) from None


def training_step_args(session: Any, job: TrainingJob, channels: Sequence[Channel]) -> Any:
    """``step_args`` for a ``TrainingStep`` running ``job`` on ``channels``."""
    if SDK_MAJOR >= 3:
        return _v3_training(session, job, channels)
    estimator = sdk_class("Estimator")(
        image_uri=job.image_uri,
        role=job.role_arn,
        instance_type=job.instance_type,
        instance_count=job.instance_count,
        volume_size=job.volume_size,
        max_run=job.max_run,
        output_path=job.output_path,
        base_job_name=job.base_job_name,
        hyperparameters=job.hyperparameters(),
        environment=dict(job.environment) or None,
        checkpoint_s3_uri=job.checkpoint_s3_uri,
        use_spot_instances=job.use_spot_instances,
        max_wait=job.max_wait,
        # v3 renders neither Debugger nor the profiler; keep the two definitions alike
        debugger_hook_config=False,
        disable_profiler=True,
        sagemaker_session=session,
    )
    training_input = sdk_class("TrainingInput")
    return estimator.fit(
        inputs={
            channel.name: training_input(s3_data=channel.uri, content_type=channel.content_type)
            for channel in channels
        }
    )


def _v3_training(session: Any, job: TrainingJob, channels: Sequence[Channel]) -> Any:
    trainer = sdk_class("ModelTrainer")(
        training_image=job.image_uri,
        hyperparameters=job.hyperparameters(),
        compute=sdk_class("Compute")(
            instance_type=job.instance_type,
            instance_count=job.instance_count,
            volume_size_in_gb=job.volume_size,
            enable_managed_spot_training=job.use_spot_instances or None,
        ),
        stopping_condition=sdk_class("StoppingCondition")(
            max_runtime_in_seconds=job.max_run, max_wait_time_in_seconds=job.max_wait
        ),
        output_data_config=sdk_class("OutputDataConfig")(s3_output_path=job.output_path),
        checkpoint_config=(
            sdk_class("CheckpointConfig")(s3_uri=job.checkpoint_s3_uri)
            if job.checkpoint_s3_uri is not None
            else None
        ),
        environment=dict(job.environment),
        role=job.role_arn,
        base_job_name=job.base_job_name,
        sagemaker_session=session,
    )
    input_data = sdk_class("InputData")
    return trainer.train(
        # InputData refuses content_type=None: pass it only when set
        input_data_config=[
            input_data(
                channel_name=channel.name,
                data_source=channel.uri,
                **({"content_type": channel.content_type} if channel.content_type else {}),
            )
            for channel in channels
        ]
    )


def processing_step_args(
    session: Any,
    job: ProcessingJob,
    inputs: Sequence[ProcessingPath],
    outputs: Sequence[ProcessingPath],
) -> Any:
    """``step_args`` for a ``ProcessingStep`` running ``job`` on ``inputs``/``outputs``."""
    code = [
        ProcessingPath(CODE_INPUT[0], CODE_INPUT[1], job.source_uri),
        ProcessingPath(ENTRYPOINT_INPUT[0], ENTRYPOINT_INPUT[1], job.runproc_uri),
    ]
    processor = sdk_class("Processor")(
        role=job.role_arn,
        image_uri=job.image_uri,
        instance_type=job.instance_type,
        instance_count=job.instance_count,
        entrypoint=["/bin/bash", f"{ENTRYPOINT_INPUT[1]}/runproc.sh"],
        volume_size_in_gb=job.volume_size,
        max_runtime_in_seconds=job.max_runtime,
        base_job_name=job.base_job_name,
        env=dict(job.environment) or None,
        sagemaker_session=session,
    )
    if SDK_MAJOR >= 3:
        return processor.run(
            inputs=[_v3_input(path) for path in [*inputs, *code]],
            outputs=[_v3_output(path) for path in outputs],
        )
    processing_input, processing_output = (
        sdk_class("ProcessingInput"),
        sdk_class("ProcessingOutput"),
    )
    return processor.run(
        inputs=[
            processing_input(source=path.uri, destination=path.local_path, input_name=path.name)
            for path in [*inputs, *code]
        ],
        outputs=[
            processing_output(output_name=path.name, source=path.local_path, destination=path.uri)
            for path in outputs
        ],
    )


def _v3_input(path: ProcessingPath) -> Any:
    # The S3 input's defaults written out, so the rendered request matches v2's.
    return sdk_class("ProcessingInput")(
        input_name=path.name,
        app_managed=False,
        s3_input=sdk_class("ProcessingS3Input")(
            s3_uri=path.uri,
            local_path=path.local_path,
            s3_data_type="S3Prefix",
            s3_input_mode="File",
            s3_data_distribution_type="FullyReplicated",
            s3_compression_type="None",
        ),
    )


def _v3_output(path: ProcessingPath) -> Any:
    return sdk_class("ProcessingOutput")(
        output_name=path.name,
        app_managed=False,
        s3_output=sdk_class("ProcessingS3Output")(
            s3_uri=path.uri, local_path=path.local_path, s3_upload_mode="EndOfJob"
        ),
    )

"""Training and processing jobs, emulated from their definition arguments.

A training job (``CreateTrainingJob`` arguments) downloads each ``InputDataConfig`` channel
to ``/opt/ml/input/data/<channel>``, restores checkpoints from ``CheckpointConfig``, unpacks
its code, writes ``/opt/ml/input/config/*.json``, runs the entry point with the training
environment (``environment.training_setup``), then uploads ``model.tar.gz`` (of
``/opt/ml/model``) and ``output.tar.gz`` (of ``/opt/ml/output/data``) to
``<S3OutputPath>/<job name>/output/`` and syncs the checkpoints back.

A processing job (``CreateProcessingJob`` arguments) downloads each ``ProcessingInputs``
``S3Input`` to its ``LocalPath``, writes ``/opt/ml/config/*.json``, runs the entry point
with ``PIPELINE_PROCESSING_ROOT`` set, then uploads each ``ProcessingOutputConfig`` output's
``LocalPath`` to its ``S3Uri``.

With a contract, inputs are checked before the script runs and outputs and opened paths
after it; a failure raises ``StepFailedError`` or ``ContractViolationError``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pipeline_script_contracts import ContainerType, ScriptContract
from pipeline_steps.runtime import s3io
from pipeline_steps.runtime.code import (
    CodeContext,
    EntryPoint,
    locate_processing_code,
    locate_training_code,
)
from pipeline_steps.runtime.contracts import (
    PathFinding,
    check_inputs,
    check_outputs,
    undeclared_accesses,
)
from pipeline_steps.runtime.environment import processing_environment, training_setup
from pipeline_steps.runtime.errors import (
    ContractViolationError,
    StepFailedError,
    UnsupportedStepError,
)
from pipeline_steps.runtime.layout import ContainerLayout
from pipeline_steps.runtime.process import ProcessOutcome, run_entry_point, tail
from pipeline_steps.runtime.results import StepResult

__all__ = ["JobRequest", "run_processing_job", "run_training_job"]

T = TypeVar("T")
_FAILURE_FILES = ("/opt/ml/output/failure", "/opt/ml/output/message")


@dataclass
class JobRequest:
    """One job to run: its rendered arguments and where to run it."""

    step_name: str
    arguments: dict[str, Any]
    contract: ScriptContract | None
    layout: ContainerLayout
    s3: Any
    job_name: str
    job_arn: str
    region: str
    strict: bool
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"step {self.step_name!r}"

    def timed(self, phase: str, action: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            return action()
        finally:
            self.phases[phase] = self.phases.get(phase, 0.0) + time.perf_counter() - started

    def violation(self, problems: list[str], when: str) -> ContractViolationError:
        listed = "; ".join(problems)
        return ContractViolationError(
            f"{self.where} broke contract {self.contract.name if self.contract else '?'!r} "
            f"{when}: {listed}",
            step_name=self.step_name,
            violations=problems,
        )


def _kms(config: Mapping[str, Any] | None) -> dict[str, str]:
    key = (config or {}).get("KmsKeyId")
    return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": str(key)} if key else {}


def _write_config(layout: ContainerLayout, files: Mapping[str, Any]) -> None:
    for container_path, document in files.items():
        target = layout.local(container_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(document, indent=2, sort_keys=True, default=str), "utf-8")


def _download(
    request: JobRequest, uri: Any, container_path: str, what: str, data_type: Any
) -> None:
    where = f"{request.where} {what}"
    if data_type not in (None, "S3Prefix"):
        raise UnsupportedStepError(
            f"{where}: S3DataType {data_type!r} is not supported locally (only S3Prefix)"
        )
    files = s3io.download_prefix(request.s3, uri, request.layout.local(container_path), where=where)
    if not files:
        raise StepFailedError(
            f"{where}: no S3 objects found under {uri} (SageMaker fails the job the same way)",
            step_name=request.step_name,
        )


def _run(
    request: JobRequest, entry: EntryPoint, environment: dict[str, str], kind: ContainerType
) -> tuple[ProcessOutcome, list[PathFinding]]:
    """Check the inputs, run the script, check the outputs and the paths it opened."""
    contract = request.contract
    if contract is not None:
        problems = check_inputs(
            contract, request.layout, request.arguments.get("Environment") or {}
        )
        if problems:
            raise request.violation(problems, "before its script ran")
    timeout = (request.arguments.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
    outcome = request.timed(
        "run",
        lambda: run_entry_point(
            entry, layout=request.layout, environment=environment, timeout=timeout
        ),
    )
    findings = undeclared_accesses(
        contract, request.layout, outcome.accesses, code_paths=entry.code_paths, container_type=kind
    )
    if outcome.exit_code != 0 or outcome.timed_out:
        raise _failure(request, entry, outcome, findings, timeout)
    started = time.perf_counter()
    problems = check_outputs(contract, request.layout) if contract is not None else []
    if request.strict:
        problems += [f"opened {finding}" for finding in findings]
    request.phases["check"] = time.perf_counter() - started
    if problems:
        raise request.violation(problems, "when its script finished")
    return outcome, findings


def _failure(
    request: JobRequest,
    entry: EntryPoint,
    outcome: ProcessOutcome,
    findings: list[PathFinding],
    timeout: Any,
) -> StepFailedError:
    stderr = tail(outcome.stderr)
    reasons = [
        request.layout.local(path).read_text("utf-8", errors="replace").strip()
        for path in _FAILURE_FILES
        if request.layout.local(path).is_file()
    ]
    what = (
        f"exceeded MaxRuntimeInSeconds={timeout} and was stopped"
        if outcome.timed_out
        else f"exited with code {outcome.exit_code}"
    )
    message = f"{request.where}: {entry.program} {what}"
    if any(reasons):
        message += f"; failure reason: {' '.join(reasons)[:1024]}"
    if findings:
        message += "; it opened " + "; ".join(str(finding) for finding in findings[:5])
    message += "; last stderr lines:\n  " + "\n  ".join(stderr or ["(stderr was empty)"])
    return StepFailedError(
        message, step_name=request.step_name, exit_code=outcome.exit_code, stderr_tail=stderr
    )


def _result(
    request: JobRequest,
    *,
    step_type: str,
    entry: EntryPoint,
    ran: tuple[ProcessOutcome, list[PathFinding]],
    outputs: dict[str, Any],
    properties: dict[str, Any],
) -> StepResult:
    outcome, findings = ran
    return StepResult(
        name=request.step_name,
        step_type=step_type,
        outputs=outputs,
        properties=properties,
        seconds=sum(request.phases.values()),
        phases=dict(request.phases),
        job_name=request.job_name,
        local_dir=request.layout.root,
        contract=request.contract.name if request.contract else None,
        entry_point=f"{entry.program} ({entry.found_by})",
        stdout=outcome.stdout,
        stderr=outcome.stderr,
        undeclared_paths=tuple(findings),
    )


def run_training_job(request: JobRequest) -> StepResult:
    """Emulate ``CreateTrainingJob`` with the request's rendered arguments."""
    arguments, layout = request.arguments, request.layout
    mode = (arguments.get("AlgorithmSpecification") or {}).get("TrainingInputMode", "File")
    checkpoint = arguments.get("CheckpointConfig") or {}
    checkpoint_dir = str(checkpoint.get("LocalPath") or "/opt/ml/checkpoints")

    def download() -> None:
        for channel in arguments.get("InputDataConfig") or []:
            name = channel["ChannelName"]
            channel_mode = channel.get("InputMode", mode)
            if channel_mode not in ("File", "FastFile"):
                raise UnsupportedStepError(
                    f"{request.where} channel {name!r}: input mode {channel_mode!r} is not "
                    "supported locally (File and FastFile are)"
                )
            if channel.get("CompressionType", "None") != "None":
                raise UnsupportedStepError(
                    f"{request.where} channel {name!r}: CompressionType "
                    f"{channel['CompressionType']!r} is not supported locally"
                )
            source = (channel.get("DataSource") or {}).get("S3DataSource")
            if source is None:
                raise UnsupportedStepError(
                    f"{request.where} channel {name!r}: only S3 data sources run locally"
                )
            _download(
                request, source.get("S3Uri"), f"/opt/ml/input/data/{name}",
                f"channel {name!r}", source.get("S3DataType"),
            )  # fmt: skip
        if checkpoint.get("S3Uri"):
            s3io.download_prefix(
                request.s3, checkpoint["S3Uri"], layout.local(checkpoint_dir),
                where=f"{request.where} checkpoints",
            )  # fmt: skip

    request.timed("download", download)
    context = CodeContext(request.step_name, arguments, layout, request.s3)
    entry = request.timed("code", lambda: locate_training_code(context))
    setup = training_setup(
        layout=layout,
        arguments=arguments,
        job_name=request.job_name,
        job_arn=request.job_arn,
        region=request.region,
        program=entry.program,
        module_dir=entry.module_dir,
    )
    _write_config(layout, setup.config_files)
    for path in ("/opt/ml/model", "/opt/ml/output/data", checkpoint_dir):
        layout.local(path).mkdir(parents=True, exist_ok=True)
    entry = EntryPoint(**{**entry.__dict__, "arguments": (*entry.arguments, *setup.arguments)})
    ran = _run(request, entry, setup.environment, ContainerType.TRAINING)

    output_config = arguments.get("OutputDataConfig") or {}
    base = f"{str(output_config.get('S3OutputPath', '')).rstrip('/')}/{request.job_name}/output"
    model_uri, output_uri = f"{base}/model.tar.gz", f"{base}/output.tar.gz"
    kms = _kms(output_config)

    def upload() -> None:
        archives = layout.runner_dir
        for folder, uri in (("/opt/ml/model", model_uri), ("/opt/ml/output/data", output_uri)):
            archive = s3io.make_tarball(layout.local(folder), archives / uri.rsplit("/", 1)[1])
            s3io.upload_file(request.s3, archive, uri, where=f"{request.where} output", extra=kms)
        if checkpoint.get("S3Uri"):
            s3io.upload_directory(
                request.s3, layout.local(checkpoint_dir), checkpoint["S3Uri"],
                where=f"{request.where} checkpoints",
            )  # fmt: skip

    request.timed("upload", upload)
    by_root = {"/opt/ml/model": model_uri, "/opt/ml/output/data": output_uri}
    if checkpoint.get("S3Uri"):
        by_root[checkpoint_dir] = checkpoint["S3Uri"]
    if request.contract is not None:
        outputs = {
            name: uri
            for name, path in request.contract.expected_output_paths.items()
            for root, uri in by_root.items()
            if path == root or path.startswith(root + "/")
        }
    else:
        outputs = {"model_artifacts": model_uri, "output_data": output_uri}
    properties = {
        **arguments,
        "TrainingJobName": request.job_name,
        "TrainingJobArn": request.job_arn,
        "TrainingJobStatus": "Completed",
        "SecondaryStatus": "Completed",
        "ModelArtifacts": {"S3ModelArtifacts": model_uri},
        "FinalMetricDataList": [],
    }
    return _result(
        request, step_type="Training", entry=entry, ran=ran, outputs=outputs, properties=properties
    )


def run_processing_job(request: JobRequest) -> StepResult:
    """Emulate ``CreateProcessingJob`` with the request's rendered arguments."""
    arguments, layout = request.arguments, request.layout
    outputs_config = arguments.get("ProcessingOutputConfig") or {}

    def download() -> None:
        for item in arguments.get("ProcessingInputs") or []:
            name = item.get("InputName", "?")
            source = item.get("S3Input")
            if source is None:
                raise UnsupportedStepError(
                    f"{request.where} input {name!r}: only S3Input inputs run locally "
                    "(not DatasetDefinition)"
                )
            if source.get("S3CompressionType", "None") != "None":
                raise UnsupportedStepError(
                    f"{request.where} input {name!r}: S3CompressionType "
                    f"{source['S3CompressionType']!r} is not supported locally"
                )
            _download(
                request, source.get("S3Uri"), str(source["LocalPath"]).rstrip("/") or "/",
                f"input {name!r}", source.get("S3DataType"),
            )  # fmt: skip

    request.timed("download", download)
    context = CodeContext(request.step_name, arguments, layout, request.s3)
    entry = request.timed("code", lambda: locate_processing_code(context))
    environment, config_files = processing_environment(
        layout=layout, arguments=arguments, job_name=request.job_name, job_arn=request.job_arn
    )
    _write_config(layout, config_files)
    outputs_list = outputs_config.get("Outputs") or []
    for output in outputs_list:
        if "S3Output" not in output:
            raise UnsupportedStepError(
                f"{request.where} output {output.get('OutputName')!r}: only S3Output outputs run "
                "locally (not FeatureStoreOutput)"
            )
        layout.local(str(output["S3Output"]["LocalPath"]).rstrip("/")).mkdir(
            parents=True, exist_ok=True
        )
    ran = _run(request, entry, environment, ContainerType.PROCESSING)
    kms = _kms(outputs_config)

    def upload() -> dict[str, Any]:
        uploaded: dict[str, Any] = {}
        for output in outputs_list:
            target = output["S3Output"]
            local = layout.local(str(target["LocalPath"]).rstrip("/"))
            where = f"{request.where} output {output['OutputName']!r}"
            s3io.upload_directory(request.s3, local, str(target["S3Uri"]), where=where, extra=kms)
            uploaded[output["OutputName"]] = target["S3Uri"]
        return uploaded

    outputs = request.timed("upload", upload)
    properties = {
        **arguments,
        "ProcessingJobName": request.job_name,
        "ProcessingJobArn": request.job_arn,
        "ProcessingJobStatus": "Completed",
    }
    return _result(
        request,
        step_type="Processing",
        entry=entry,
        ran=ran,
        outputs=outputs,
        properties=properties,
    )

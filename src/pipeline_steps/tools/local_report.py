"""How the command line reports a local run: per-step results, and a failure in one line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from pipeline_steps.runtime.errors import ContractViolationError, StepFailedError
from pipeline_steps.runtime.results import PipelineRunResult

__all__ = ["print_step_results", "read_metrics", "step_failure_line"]

_MAX_DETAIL = 300
METRICS_OUTPUT = "metrics_output"
"""MODEL_EVALUATION_CONTRACT's output that holds the metrics."""
METRICS_FILE = "metrics.json"
"""What the reference evaluation script writes there."""


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."


def step_failure_line(error: StepFailedError) -> str:
    """One line: the step, its exit code, and the last line its script wrote to stderr.

    A contract violation names the broken promise instead (its script exited 0); a step
    that failed without a process (the prep Lambda's handler, a missing input) gives the
    first line of the error.
    """
    step = f"step {error.step_name!r}"
    if isinstance(error, ContractViolationError) and error.violations:
        return f"{step} broke its script contract: {_clip('; '.join(error.violations))}"
    if error.exit_code is not None:
        last = next((line for line in reversed(error.stderr_tail) if line.strip()), "")
        detail = f": {_clip(last)}" if last else " (its stderr was empty)"
        return f"{step} failed with exit code {error.exit_code}{detail}"
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return _clip(first) if first.startswith(step) else f"{step} failed: {_clip(first)}"


def print_step_results(result: PipelineRunResult, out: TextIO, s3: Any = None) -> None:
    """Each step's time and outputs (S3 URIs, the Lambda's output parameters).

    With ``s3``, an evaluation step's metrics (``metrics.json`` under its metrics output,
    as the reference evaluation script writes it) are printed too.
    """
    out.write(
        f"\n{result.pipeline_name}: {len(result)} steps succeeded in {result.seconds:.1f} s\n"
    )
    for step in result.values():
        out.write(f"{step.name} ({step.step_type}, {step.seconds:.2f} s)\n")
        for name, value in step.outputs.items():
            out.write(f"  {name}: {value}\n")
        metrics_uri = step.outputs.get(METRICS_OUTPUT)
        if s3 is not None and isinstance(metrics_uri, str):
            _print_metrics(s3, f"{metrics_uri.rstrip('/')}/{METRICS_FILE}", out)
    out.write(f"local job folders: {result.workdir}\n")


def _print_metrics(s3: Any, uri: str, out: TextIO) -> None:
    from botocore.exceptions import ClientError

    try:
        report = read_metrics(s3, uri)
    except (ClientError, ValueError):
        return  # not the reference script's metrics.json: the outputs above say where to look
    metrics = report.get("metrics")
    if not isinstance(metrics, Mapping):
        return
    shown = [
        f"{name} {int(value) if float(value).is_integer() else f'{value:.4f}'}"
        for name, value in metrics.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    if shown:
        out.write(f"  metrics: {', '.join(shown)}\n")


def read_metrics(s3: Any, uri: str) -> Mapping[str, Any]:
    """The JSON document at ``uri`` (the evaluation step's ``metrics.json``)."""
    import json

    bucket, _, key = uri.removeprefix("s3://").partition("/")
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    loaded: Mapping[str, Any] = json.loads(body)
    return loaded

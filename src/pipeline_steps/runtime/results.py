"""What ``run_pipeline_locally`` returns: one ``StepResult`` per step, in run order."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline_steps.runtime.contracts import PathFinding

__all__ = ["PipelineRunResult", "StepResult"]


@dataclass(frozen=True)
class StepResult:
    """How one step ran and what it produced."""

    name: str
    step_type: str
    """``Lambda``, ``Training`` or ``Processing``."""
    outputs: Mapping[str, Any]
    """By logical name: Lambda output parameters; training ``model_output`` (the model.tar.gz
    URI), ``evaluation_output`` (output.tar.gz), ``checkpoints``; processing outputs' S3 URIs."""
    properties: Mapping[str, Any]
    """What ``Steps.<name>.<property>`` reads: the Describe*-shaped job document."""
    seconds: float
    phases: Mapping[str, float] = field(default_factory=dict)
    """Seconds per phase (``download``, ``code``, ``run``, ``check``, ``upload``, ``invoke``)."""
    job_name: str | None = None
    local_dir: Path | None = None
    """The folder standing in for the container's ``/`` (``opt/ml/...`` below it)."""
    contract: str | None = None
    entry_point: str | None = None
    """The script that ran, and how it was found in the definition."""
    stdout: Path | None = None
    stderr: Path | None = None
    undeclared_paths: tuple[PathFinding, ...] = ()
    """Paths the script opened outside its contract (fatal only with ``strict=True``)."""

    def line(self) -> str:
        """The one-line progress summary of this step."""
        text = f"ok {self.seconds:.2f} s"
        if self.job_name:
            text += f", job {self.job_name}"
        if self.undeclared_paths:
            shown = "; ".join(str(finding) for finding in self.undeclared_paths[:3])
            more = len(self.undeclared_paths) - 3
            text += f"; warning: opened outside its contract: {shown}"
            text += f" (+{more} more)" if more > 0 else ""
        return text


@dataclass(frozen=True)
class PipelineRunResult(Mapping[str, StepResult]):
    """The steps of one local execution, in the order they ran; a mapping by step name."""

    pipeline_name: str
    execution_id: str
    workdir: Path
    parameters: Mapping[str, Any]
    """The parameter values the run used (defaults with the overrides applied)."""
    steps: Mapping[str, StepResult]
    seconds: float
    phases: Mapping[str, float] = field(default_factory=dict)
    """Seconds of the run's own phases (``definition``, ``plan``) and per step phase summed."""

    def __getitem__(self, name: str) -> StepResult:
        try:
            return self.steps[name]
        except KeyError:
            raise KeyError(
                f"no step {name!r} in this run; steps: {', '.join(self.steps)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

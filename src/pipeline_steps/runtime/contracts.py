"""Script contracts enforced at run time: inputs before a job, outputs and paths after it.

Before the script starts, every required declared input must be in place (a declared file
exists, a declared folder holds a file) and every required environment variable must be
set by the step's ``Environment``. After it exits 0, every declared output must exist and
be non-empty. The paths the audit hook saw are compared with the contract by the same
rule as the static check (``pipeline_script_contracts.implementation_check.path_allowed``):
an access outside the declared inputs and outputs, the platform's own paths and the job's
code is a ``PathFinding``; so is a literal ``/opt/ml`` path (it does not exist here) and
a path under the step folder but outside its ``opt/ml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from pipeline_script_contracts import ContainerType, ScriptContract
from pipeline_script_contracts.implementation_check import path_allowed
from pipeline_steps.runtime.audit import Access
from pipeline_steps.runtime.layout import ContainerLayout
from pipeline_steps.runtime.s3io import folder_has_files

__all__ = ["PathFinding", "check_inputs", "check_outputs", "undeclared_accesses"]

_CONTAINER_ROOT = "/opt/ml"


@dataclass(frozen=True)
class PathFinding:
    """A path a script touched outside its contract (or outside the container layout)."""

    access: str
    path: str
    """The container path when the file is in the layout, else the path as opened."""
    local_path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.access} {self.path} ({self.reason})"


def _required_outputs(contract: ScriptContract) -> list[str]:
    optional = set(getattr(contract, "optional_output_names", ()))
    return [name for name in contract.output_names if name not in optional]


def check_inputs(
    contract: ScriptContract, layout: ContainerLayout, job_environment: Mapping[str, Any]
) -> list[str]:
    """What the job lacks before its script starts, one sentence each."""
    problems = []
    for name in contract.required_input_names:
        path = contract.expected_input_paths[name]
        local = layout.local(path)
        if folder_has_files(local) or (PurePosixPath(path).suffix and local.is_file()):
            continue
        folder = local.parent if PurePosixPath(path).suffix else local
        present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        holds = f"its folder holds {', '.join(present)}" if present else "nothing is there"
        problems.append(f"declared input {name!r} is missing at {path} ({holds})")
    for variable in contract.required_env_vars:
        if not str(job_environment.get(variable, "")).strip():
            problems.append(
                f"required environment variable {variable} is not set by the step's Environment"
            )
    return problems


def check_outputs(contract: ScriptContract, layout: ContainerLayout) -> list[str]:
    """The declared outputs the script left missing or empty, one sentence each."""
    problems = []
    for name in _required_outputs(contract):
        path = contract.expected_output_paths[name]
        local = layout.local(path)
        if folder_has_files(local):
            continue
        state = "is empty" if local.exists() else "does not exist"
        problems.append(
            f"declared output {name!r} ({path}) {state}: the script wrote nothing there"
        )
    return problems


def undeclared_accesses(
    contract: ScriptContract | None,
    layout: ContainerLayout,
    accesses: Iterable[Access],
    *,
    code_paths: Iterable[str] = (),
    container_type: ContainerType,
) -> list[PathFinding]:
    """The recorded accesses that fall outside the contract or the container layout."""
    code = tuple(code_paths)
    findings: dict[tuple[str, str], PathFinding] = {}
    for access in accesses:
        container_path = layout.container(access.path)
        reason = None
        if container_path is None:
            if _under(access.path, _CONTAINER_ROOT):
                reason = (
                    "a literal container path, which does not exist on this machine: take the "
                    "location from the environment ("
                    + (
                        "SM_CHANNEL_*, SM_MODEL_DIR, SM_OUTPUT_DATA_DIR"
                        if container_type is ContainerType.TRAINING
                        else "$PIPELINE_PROCESSING_ROOT/input/... and /output/..."
                    )
                    + ")"
                )
            shown = access.path
        else:
            shown = container_path
            if not _under(container_path, _CONTAINER_ROOT):
                reason = "outside the container's /opt/ml"
                if container_type is ContainerType.PROCESSING:
                    reason += (
                        "; $PIPELINE_PROCESSING_ROOT stands for /opt/ml/processing, so "
                        "/opt/ml/processing/x is $PIPELINE_PROCESSING_ROOT/x"
                    )
            elif contract is not None and not path_allowed(
                contract, container_path, access=access.access, extra=code
            ):
                reason = f"outside contract {contract.name!r}'s declared inputs and outputs"
        if reason is not None:
            findings.setdefault(
                (access.access, shown), PathFinding(access.access, shown, access.path, reason)
            )
    return list(findings.values())


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")

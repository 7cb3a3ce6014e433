"""Does a script read and write what its contract says? A static check, and the rules it shares.

``check_implementation(contract, script)`` (``ScriptContract.validate_implementation``)
parses the script with ``ast`` (it never imports or runs it), with the sibling modules it
imports from its own folder (``import job_io``: see ``script_modules`` for what of them is
read), and reports:

- every container path the script spells out (a ``/opt/ml`` string, or one built from
  literals with ``Path(...) / ...``, ``os.path.join``, ``+``, f-strings, module constants,
  ``os.environ.get(NAME, default)`` defaults, and constant arguments passed to the
  script's own functions) that is neither at or under a declared input or output path,
  nor an ancestor of one (``/opt/ml/input/data`` is fine, ``/opt/ml/input/data/test``
  is not), nor a path the platform itself provides (``PLATFORM_PATHS``);
- every environment variable the script reads by a name it spells out
  (``os.environ[...]``, ``os.environ.get``, ``os.getenv``, ``in os.environ``, also through
  ``from os import environ, getenv``) that neither the contract (required and optional
  variables, ``SM_CHANNEL_<CHANNEL>`` of its training channels) nor the container type
  (``TRAINING_ENV_VARS``, ``SM_HP_*``, ``PIPELINE_PROCESSING_ROOT``, ``AWS_*``, ...)
  provides.

Names and paths the check cannot work out (built from run-time values) are skipped, so
it reports no false positives by guessing (``script_values`` says what it works out);
what it cannot see is not proof of anything. A finding in a sibling module names that
module's file and line, and the script that imports it.

The result is a list of ``ImplementationFinding`` (empty when the script matches). With
``strict=True`` any finding raises ``ContractError`` listing them all. A script that does
not parse raises ``ContractError`` either way. The path and variable rules here are the
ones the local runner enforces at run time, so the two checks cannot drift apart.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from pipeline_script_contracts import ContainerType, ContractError, ScriptContract
from pipeline_script_contracts.script_modules import (
    ScriptModule,
    checked_nodes,
    load_modules,
    reachable_units,
)
from pipeline_script_contracts.script_values import Scope, ValueReader

__all__ = [
    "COMMON_ENV_VARS",
    "PLATFORM_PATHS",
    "PROCESSING_ENV_VARS",
    "TRAINING_ENV_VARS",
    "ImplementationFinding",
    "check_implementation",
    "declared_path_areas",
    "env_var_allowed",
    "path_allowed",
]

TRAINING_ENV_VARS: tuple[str, ...] = (
    "SM_CHANNELS", "SM_CURRENT_HOST",
    "SM_CURRENT_INSTANCE_GROUP", "SM_CURRENT_INSTANCE_GROUP_HOSTS", "SM_CURRENT_INSTANCE_TYPE",
    "SM_DISTRIBUTION_INSTANCE_GROUPS", "SM_FRAMEWORK_MODULE", "SM_FRAMEWORK_PARAMS", "SM_HOSTS",
    "SM_HPS", "SM_INPUT_CONFIG_DIR", "SM_INPUT_DATA_CONFIG", "SM_INPUT_DIR", "SM_INSTANCE_GROUPS",
    "SM_INSTANCE_GROUPS_DICT", "SM_IS_HETERO", "SM_LOG_LEVEL", "SM_MODEL_DIR", "SM_MODULE_DIR",
    "SM_MODULE_NAME", "SM_NETWORK_INTERFACE_NAME", "SM_NUM_CPUS", "SM_NUM_GPUS", "SM_NUM_NEURONS",
    "SM_OUTPUT_DATA_DIR", "SM_OUTPUT_DIR", "SM_OUTPUT_INTERMEDIATE_DIR", "SM_RESOURCE_CONFIG",
    "SM_TRAINING_ENV", "SM_USER_ARGS", "SM_USER_ENTRY_POINT",
    "CURRENT_HOST", "SAGEMAKER_BASE_DIR", "SAGEMAKER_JOB_NAME", "SAGEMAKER_PROGRAM",
    "SAGEMAKER_REGION", "SAGEMAKER_SUBMIT_DIRECTORY", "TRAINING_JOB_ARN", "TRAINING_JOB_NAME",
)  # fmt: skip
"""What a training container sets besides ``SM_CHANNEL_<CHANNEL>`` and ``SM_HP_<NAME>``: the
SageMaker training toolkit's ``Environment.to_env_vars()`` and ``params`` names
(github.com/aws/sagemaker-training-toolkit, src/sagemaker_training/environment.py and
params.py) plus the job name and ARN the service sets."""

PROCESSING_ENV_VARS: tuple[str, ...] = ("PIPELINE_PROCESSING_ROOT",)
"""What a processing script may read besides its contract's variables: SageMaker sets only the
job's ``Environment``; this library adds the root the local runner maps container paths under."""

COMMON_ENV_VARS: tuple[str, ...] = (
    "HOME", "LANG", "LC_ALL", "OMP_NUM_THREADS", "PATH", "PYTHONHASHSEED", "TEMP", "TMP", "TMPDIR",
)  # fmt: skip
"""Process and runtime variables any script may read; so may any ``AWS_*`` SDK setting."""

PLATFORM_PATHS: Mapping[ContainerType, tuple[str, ...]] = {
    ContainerType.TRAINING: (
        "/opt/ml/code",
        "/opt/ml/input/config",
        "/opt/ml/output/failure",
    ),
    ContainerType.PROCESSING: (
        "/opt/ml/config",
        "/opt/ml/output/message",
        "/opt/ml/processing/input/code",
        "/opt/ml/processing/input/entrypoint",
    ),
    ContainerType.LAMBDA: (),
}
"""Container paths the platform provides that are not job data: the code, the job's own
configuration files (training ``/opt/ml/input/config/*.json``, processing
``/opt/ml/config/*.json``) and the failure/exit message files SageMaker reports."""

_CONTAINER_ROOT = "/opt/ml"


@dataclass(frozen=True)
class ImplementationFinding:
    """One place where a script and its contract disagree."""

    script: str
    line: int
    column: int
    kind: str
    """``"path"`` or ``"env"``."""
    subject: str
    """The container path or the environment variable name."""
    message: str

    def __str__(self) -> str:
        return f"{self.script}:{self.line}:{self.column}: {self.message}"


def declared_path_areas(contract: ScriptContract) -> tuple[str, ...]:
    """The contract's declared input and output paths."""
    return (*contract.expected_input_paths.values(), *contract.expected_output_paths.values())


def _at_or_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _is_file_path(path: str) -> bool:
    return bool(posixpath.splitext(posixpath.basename(path))[1])


def path_allowed(
    contract: ScriptContract, path: str, *, access: str, extra: Iterable[str] = ()
) -> bool:
    """Whether ``access`` to the container ``path`` stays inside the contract.

    ``access`` is ``read``/``write`` (the path itself), ``list`` (a folder listing: also
    the folder holding a declared file, such as a channel holding ``hyperparameters.json``),
    ``mkdir`` or ``reference`` (a path spelled in code: ancestors of declared paths too).
    ``extra`` adds allowed areas (for example where the job's code was unpacked).
    """
    areas = (*declared_path_areas(contract), *PLATFORM_PATHS[contract.container_type], *extra)
    if any(_at_or_under(path, area) for area in areas):
        return True
    declared = declared_path_areas(contract)
    if access in ("reference", "mkdir"):
        return any(_at_or_under(area, path) for area in declared)
    if access == "list":
        return any(_is_file_path(area) and posixpath.dirname(area) == path for area in declared)
    return False


def env_var_allowed(contract: ScriptContract, name: str) -> bool:
    """Whether a script under ``contract`` may read the environment variable ``name``."""
    if name in contract.required_env_vars or name in contract.optional_env_vars:
        return True
    if name in COMMON_ENV_VARS or name.startswith("AWS_"):
        return True
    kind = contract.container_type
    if kind is ContainerType.TRAINING:
        channels = {contract.channel_name(n).upper() for n in contract.input_names}
        if name.startswith("SM_CHANNEL_"):
            return name.removeprefix("SM_CHANNEL_") in channels
        return name in TRAINING_ENV_VARS or name.startswith("SM_HP_")
    if kind is ContainerType.PROCESSING:
        return name in PROCESSING_ENV_VARS
    return name.startswith("LAMBDA_") or name in ("_HANDLER", "TZ")


def check_implementation(
    contract: ScriptContract, script: str | PathLike[str], *, strict: bool = False
) -> list[ImplementationFinding]:
    """The places where ``script`` reads or writes outside ``contract`` (see the module doc)."""
    path = Path(script)
    modules = load_modules(path, contract.name)
    findings = _Checker(contract, modules).run()
    if strict and findings:
        raise ContractError(
            f"contract {contract.name!r}: {path} does not match its contract:\n"
            + "\n".join(f"  {finding}" for finding in findings)
        )
    return findings


class _Checker:
    """Checks every path and variable name a script (and what it imports) spells out."""

    def __init__(self, contract: ScriptContract, modules: dict[str, ScriptModule]) -> None:
        self.contract = contract
        self.modules = modules
        self.reached = reachable_units(modules)
        self.reader = ValueReader(modules, self.reached)
        self.findings: dict[tuple[str, str], ImplementationFinding] = {}

    def run(self) -> list[ImplementationFinding]:
        for module, function, node in checked_nodes(self.modules, self.reached):
            scope = Scope(module, function)
            if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call)):
                for value in self.reader.values(node, scope) or ():
                    self._check_path(value, node, module)
            name_node = self.reader.env_read(node, module)
            if name_node is not None:
                for name in self.reader.values(name_node, scope) or ():
                    self._check_env(name, node, module)
        return sorted(self.findings.values(), key=lambda f: (f.script, f.line, f.column, f.subject))

    def _add(
        self, node: ast.AST, module: ScriptModule, kind: str, subject: str, message: str
    ) -> None:
        finding = ImplementationFinding(
            str(module.path), getattr(node, "lineno", 0), getattr(node, "col_offset", 0) + 1,
            kind, subject, message + module.where(),
        )  # fmt: skip
        self.findings.setdefault((kind, subject), finding)

    def _check_path(self, value: str, node: ast.AST, module: ScriptModule) -> None:
        path = "/" + value.lstrip("/")
        if not _at_or_under(path, _CONTAINER_ROOT) or any(c.isspace() for c in value):
            return
        path = posixpath.normpath(path)
        if path_allowed(self.contract, path, access="reference"):
            return
        self._add(node, module, "path", path, f"{path} is outside contract "
                  f"{self.contract.name!r}: {_describe_paths(self.contract)}")  # fmt: skip

    def _check_env(self, name: str, node: ast.AST, module: ScriptModule) -> None:
        if env_var_allowed(self.contract, name):
            return
        message = f"reads environment variable {name}, which contract {self.contract.name!r} "
        if (
            name.startswith("SM_CHANNEL_")
            and self.contract.container_type is ContainerType.TRAINING
        ):
            channels = [self.contract.channel_name(n) for n in self.contract.input_names]
            message += f"does not provide (its channels: {', '.join(channels)})"
        else:
            declared = [*self.contract.required_env_vars, *self.contract.optional_env_vars]
            message += (
                f"does not declare (declared: {', '.join(declared) or 'none'}; a "
                f"{self.contract.container_type.value} container provides the platform's own)"
            )
        self._add(node, module, "env", name, message)


def _describe_paths(contract: ScriptContract) -> str:
    inputs = ", ".join(f"{k}={v}" for k, v in contract.expected_input_paths.items()) or "none"
    outputs = ", ".join(f"{k}={v}" for k, v in contract.expected_output_paths.items()) or "none"
    return f"declared inputs: {inputs}; outputs: {outputs}"

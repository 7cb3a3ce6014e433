"""Find the script a training or processing job runs, and its code: the SDK-specific part.

The rest of the runtime reads only the pipeline definition's documented fields. Where a
job's *code* is depends on the SDK that wrote the definition, so each way is one small
locator function here, tried in order; add a locator to support another way.

Training (``TRAINING_LOCATORS``):

- ``v2_estimator_hyperparameters``: SDK v2 framework estimators put ``sagemaker_program``
  and ``sagemaker_submit_directory`` (JSON strings) in ``HyperParameters``; the toolkit
  unpacks the ``sourcedir.tar.gz`` into ``/opt/ml/code`` and runs the program there.
- ``environment_program``: ``SAGEMAKER_PROGRAM`` (and ``SAGEMAKER_SUBMIT_DIRECTORY``, an S3
  URI or the container path of one of the job's inputs) in the job's ``Environment``, which
  the toolkit reads as well.
- ``v3_model_trainer_drivers``: SDK v3 ``ModelTrainer`` uploads the source folder as the
  ``code`` channel and its drivers as the ``sm_drivers`` channel, whose ``sourcecode.json``
  names ``entry_script`` (or a ``command``).

Processing (``PROCESSING_LOCATORS``):

- ``shell_entrypoint``: ``ContainerEntrypoint`` runs a shell script from an input (the
  builders' ``runproc.sh``, ``pipeline_steps.core.code_bundle``, or SDK v2
  ``FrameworkProcessor``'s: ``cd <code dir>``, ``tar -xzf sourcedir.tar.gz``, then
  ``[exec] <python> <script> "$@"``); the script is read, not executed.
- ``python_entrypoint``: ``ContainerEntrypoint`` is ``python3 <script.py>`` (``ScriptProcessor``).
- ``environment_program``: as for training.

Every command runs with this process's Python (``sys.executable``) in a subprocess.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline_steps.runtime import s3io
from pipeline_steps.runtime.errors import UnsupportedStepError
from pipeline_steps.runtime.expressions import as_text
from pipeline_steps.runtime.layout import ContainerLayout

__all__ = [
    "PROCESSING_LOCATORS",
    "TRAINING_LOCATORS",
    "CodeContext",
    "EntryPoint",
    "locate_processing_code",
    "locate_training_code",
]

_PYTHON = re.compile(r"(.*/)?python(\d+(\.\d+)*)?")
_RUN_LINE = re.compile(r'(?:exec\s+)?(?P<command>.+?)\s+(?P<script>[^\s"\']+\.py)\s+"\$@"\s*')


@dataclass(frozen=True)
class EntryPoint:
    """The script to run, where to run it, with which arguments."""

    script: Path
    cwd: Path
    arguments: tuple[str, ...]
    program: str
    """The entry point as the definition names it (``train_xgb.py``)."""
    module_dir: str
    """Where the code came from (an S3 URI or a container path)."""
    code_paths: tuple[str, ...]
    """Container paths that hold code rather than data (not reported by the audit)."""
    found_by: str


@dataclass(frozen=True)
class CodeContext:
    """What a locator may read: the rendered job arguments, the layout, S3."""

    step_name: str
    arguments: Mapping[str, Any]
    layout: ContainerLayout
    s3: Any

    @property
    def where(self) -> str:
        return f"step {self.step_name!r}"


Locator = Callable[[CodeContext], "EntryPoint | None"]


def _unquote(value: Any) -> str:
    text = as_text(value)
    try:
        decoded = json.loads(text)
    except ValueError:
        return text
    return decoded if isinstance(decoded, str) else text


def _unpack_code(context: CodeContext, source: str, code_dir: Path) -> None:
    """Put the code at ``source`` (a tar.gz or a prefix on S3) into ``code_dir``."""
    where = f"{context.where} code {source}"
    code_dir.mkdir(parents=True, exist_ok=True)
    if source.endswith(".tar.gz"):
        archive = context.layout.runner_dir / "sourcedir.tar.gz"
        s3io.download_object(context.s3, source, archive, where=where)
        s3io.extract_tarball(archive, code_dir, where=where)
    else:
        s3io.download_prefix(context.s3, source, code_dir, where=where)


def _from_program(context: CodeContext, program: str, submit: str, found_by: str) -> EntryPoint:
    """The program in ``submit``: code on S3 (unpacked into /opt/ml/code) or a job input."""
    code_path = "/opt/ml/code"
    if submit.startswith("s3://"):
        _unpack_code(context, submit, context.layout.local(code_path))
    elif submit.startswith("/") and context.layout.local(submit).is_dir():
        code_path = submit  # a channel or input the job already downloaded
    else:
        raise UnsupportedStepError(
            f"{context.where}: the code is at {submit or 'no submit directory'!r}, neither on "
            "S3 nor in one of the job's inputs; the local runner cannot fetch code baked into "
            "a container image"
        )
    code_dir = context.layout.local(code_path)
    return EntryPoint(
        script=code_dir / program,
        cwd=code_dir,
        arguments=(),
        program=program,
        module_dir=submit,
        code_paths=(code_path,),
        found_by=found_by,
    )


def v2_estimator_hyperparameters(context: CodeContext) -> EntryPoint | None:
    """SDK v2: ``sagemaker_program`` + ``sagemaker_submit_directory`` hyperparameters."""
    hyperparameters = context.arguments.get("HyperParameters") or {}
    if "sagemaker_program" not in hyperparameters:
        return None
    program = _unquote(hyperparameters["sagemaker_program"])
    submit = _unquote(hyperparameters.get("sagemaker_submit_directory", ""))
    return _from_program(
        context, program, submit, "HyperParameters sagemaker_program/sagemaker_submit_directory"
    )


def environment_program(context: CodeContext) -> EntryPoint | None:
    """``SAGEMAKER_PROGRAM`` + ``SAGEMAKER_SUBMIT_DIRECTORY`` in the job's Environment."""
    environment = context.arguments.get("Environment") or {}
    if "SAGEMAKER_PROGRAM" not in environment:
        return None
    program = as_text(environment["SAGEMAKER_PROGRAM"])
    submit = as_text(environment.get("SAGEMAKER_SUBMIT_DIRECTORY", ""))
    return _from_program(
        context, program, submit, "Environment SAGEMAKER_PROGRAM/SAGEMAKER_SUBMIT_DIRECTORY"
    )


def v3_model_trainer_drivers(context: CodeContext) -> EntryPoint | None:
    """SDK v3 ``ModelTrainer``: ``sm_drivers/sourcecode.json`` + the ``code`` channel."""
    channels = {c.get("ChannelName") for c in context.arguments.get("InputDataConfig") or []}
    if "sm_drivers" not in channels:
        return None
    config_file = context.layout.local("/opt/ml/input/data/sm_drivers/sourcecode.json")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UnsupportedStepError(
            f"{context.where}: the sm_drivers channel has no readable sourcecode.json ({error})"
        ) from error
    code_dir = context.layout.local("/opt/ml/input/data/code")
    arguments: tuple[str, ...] = ()
    program = config.get("entry_script")
    if not program and config.get("command"):
        words = shlex.split(str(config["command"]))
        if len(words) < 2 or not _PYTHON.fullmatch(words[0]) or not words[1].endswith(".py"):
            raise UnsupportedStepError(
                f"{context.where}: sourcecode.json command {config['command']!r} is not "
                "'python <script>.py ...'; the local runner runs Python scripts only"
            )
        program, arguments = words[1], tuple(words[2:])
    if not program:
        raise UnsupportedStepError(f"{context.where}: sourcecode.json names no entry_script")
    return EntryPoint(
        script=code_dir / str(program),
        cwd=code_dir,
        arguments=arguments,
        program=str(program),
        module_dir="/opt/ml/input/data/code",
        code_paths=("/opt/ml/input/data/code", "/opt/ml/input/data/sm_drivers"),
        found_by="sm_drivers/sourcecode.json (ModelTrainer)",
    )


def _entrypoint(context: CodeContext) -> tuple[list[str], list[str]]:
    spec = context.arguments.get("AppSpecification") or {}
    entrypoint = [as_text(v) for v in spec.get("ContainerEntrypoint") or []]
    return entrypoint, [as_text(v) for v in spec.get("ContainerArguments") or []]


def shell_entrypoint(context: CodeContext) -> EntryPoint | None:
    """A shell entry point script shaped like SDK v2's ``runproc.sh``."""
    entrypoint, container_arguments = _entrypoint(context)
    if len(entrypoint) != 2 or PurePosixPath(entrypoint[0]).name not in ("bash", "sh"):
        return None
    shell_path = entrypoint[1]
    shell_file = context.layout.local(shell_path)
    if not shell_file.is_file():
        raise UnsupportedStepError(
            f"{context.where}: the entry point {shell_path} is not in any processing input"
        )
    cwd, run_line = str(PurePosixPath(shell_path).parent), None
    for line in shell_file.read_text(encoding="utf-8").splitlines():
        words = shlex.split(line, comments=True) if line.strip() else []
        if words[:1] == ["cd"] and len(words) == 2:
            cwd = str(PurePosixPath(cwd, words[1]))
        elif words[:2] == ["tar", "-xzf"] and len(words) == 3:
            local_dir = context.layout.local(cwd)
            s3io.extract_tarball(local_dir / words[2], local_dir, where=f"{context.where} code")
        elif _RUN_LINE.fullmatch(line.strip()):
            run_line = _RUN_LINE.fullmatch(line.strip())
    if run_line is None or not all(_PYTHON.fullmatch(w) for w in run_line["command"].split()[:1]):
        raise UnsupportedStepError(
            f"{context.where}: {shell_path} has no line '<python> <script>.py \"$@\"' to run; "
            "the local runner emulates the SageMaker SDK's runproc.sh only"
        )
    local_dir = context.layout.local(cwd)
    return EntryPoint(
        script=local_dir / run_line["script"],
        cwd=local_dir,
        arguments=(*run_line["command"].split()[1:], *container_arguments),
        program=run_line["script"],
        module_dir=cwd,
        code_paths=(cwd, str(PurePosixPath(shell_path).parent)),
        found_by=f"ContainerEntrypoint {' '.join(entrypoint)}",
    )


def python_entrypoint(context: CodeContext) -> EntryPoint | None:
    """``ContainerEntrypoint: [python3, /opt/ml/processing/input/code/<script>.py]``."""
    entrypoint, container_arguments = _entrypoint(context)
    if len(entrypoint) < 2 or not _PYTHON.fullmatch(entrypoint[0]):
        return None
    script = next((word for word in entrypoint[1:] if word.endswith(".py")), None)
    if script is None or not script.startswith("/"):
        return None
    local_script = context.layout.local(script)
    index = entrypoint.index(script)
    return EntryPoint(
        script=local_script,
        cwd=local_script.parent,
        arguments=(*entrypoint[index + 1 :], *container_arguments),
        program=PurePosixPath(script).name,
        module_dir=str(PurePosixPath(script).parent),
        code_paths=(str(PurePosixPath(script).parent),),
        found_by=f"ContainerEntrypoint {' '.join(entrypoint)}",
    )


TRAINING_LOCATORS: Sequence[Locator] = (
    v2_estimator_hyperparameters,
    environment_program,
    v3_model_trainer_drivers,
)
PROCESSING_LOCATORS: Sequence[Locator] = (shell_entrypoint, python_entrypoint, environment_program)


def _locate(context: CodeContext, locators: Sequence[Locator]) -> EntryPoint:
    for locator in locators:
        found = locator(context)
        if found is None:
            continue
        if not found.script.is_file():
            raise UnsupportedStepError(
                f"{context.where}: the entry point {found.program!r} ({found.found_by}) is not "
                f"in the job's code ({found.module_dir})"
            )
        return found
    tried = "; ".join((locator.__doc__ or locator.__name__).strip() for locator in locators)
    raise UnsupportedStepError(
        f"{context.where}: cannot tell which script the job runs; looked for: {tried}"
    )


def locate_training_code(context: CodeContext) -> EntryPoint:
    """The entry point of a training job (its code unpacked into the layout)."""
    return _locate(context, TRAINING_LOCATORS)


def locate_processing_code(context: CodeContext) -> EntryPoint:
    """The entry point of a processing job (its inputs already downloaded)."""
    return _locate(context, PROCESSING_LOCATORS)

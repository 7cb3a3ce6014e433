"""Finding a job's script in its definition: one locator per way an SDK ships code."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from pipeline_steps.runtime.code import (
    CodeContext,
    locate_processing_code,
    locate_training_code,
)
from pipeline_steps.runtime.errors import UnsupportedStepError
from pipeline_steps.runtime.layout import ContainerLayout

# The script SDK v2's FrameworkProcessor uploads as runproc.sh (sagemaker/processing.py).
RUNPROC = """#!/bin/bash

cd /opt/ml/processing/input/code/
tar -xzf sourcedir.tar.gz

# Exit on any error. SageMaker uses error code to mark failed job.
set -e

if [[ -f 'requirements.txt' ]]; then
    # Optionally log into CodeArtifact
    if ! hash aws 2>/dev/null; then
        echo "AWS CLI is not installed. Skipping CodeArtifact login."
    else
        echo 'CodeArtifact repository not specified. Skipping login.'
    fi

    # Some py3 containers has typing, which may breaks pip install
    pip uninstall --yes typing

    python -m pip install -r requirements.txt
fi

python3 evaluate.py "$@"
"""


def _context(layout: ContainerLayout, arguments: dict[str, Any]) -> CodeContext:
    return CodeContext("Step", arguments, layout, s3=None)


@pytest.fixture
def layout(tmp_path: Path) -> ContainerLayout:
    return ContainerLayout.create(tmp_path, "Step")


def test_v2_framework_processor_runproc_is_read_and_its_tarball_unpacked(
    layout: ContainerLayout, tmp_path: Path
) -> None:
    """GIVEN the code and entrypoint inputs of an SDK v2 FrameworkProcessor job
    WHEN its code is located THEN the sourcedir is unpacked where runproc.sh cds to and the
    script it names runs there with the ContainerArguments."""
    code = layout.local("/opt/ml/processing/input/code")
    code.mkdir(parents=True)
    (tmp_path / "evaluate.py").write_text("print('hi')\n")
    with tarfile.open(code / "sourcedir.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "evaluate.py", arcname="evaluate.py")
    entry_dir = layout.local("/opt/ml/processing/input/entrypoint")
    entry_dir.mkdir(parents=True)
    (entry_dir / "runproc.sh").write_text(RUNPROC)
    arguments = {
        "AppSpecification": {
            "ContainerEntrypoint": ["/bin/bash", "/opt/ml/processing/input/entrypoint/runproc.sh"],
            "ContainerArguments": ["--flag", "1"],
        }
    }

    entry = locate_processing_code(_context(layout, arguments))

    assert entry.script == code / "evaluate.py"
    assert entry.script.is_file()
    assert entry.cwd == code
    assert entry.arguments == ("--flag", "1")
    assert entry.program == "evaluate.py"
    assert set(entry.code_paths) == {
        "/opt/ml/processing/input/code",
        "/opt/ml/processing/input/entrypoint",
    }


def test_script_processor_python_entrypoint(layout: ContainerLayout) -> None:
    """GIVEN ContainerEntrypoint python3 <script> WHEN located THEN that script runs."""
    script = layout.local("/opt/ml/processing/input/code/job.py")
    script.parent.mkdir(parents=True)
    script.write_text("")
    arguments = {
        "AppSpecification": {
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/job.py", "-v"],
            "ContainerArguments": ["x"],
        }
    }

    entry = locate_processing_code(_context(layout, arguments))

    assert (entry.script, entry.arguments, entry.code_paths) == (
        script,
        ("-v", "x"),
        ("/opt/ml/processing/input/code",),
    )


def test_v3_model_trainer_sourcecode_json(layout: ContainerLayout) -> None:
    """GIVEN SDK v3 ModelTrainer's code and sm_drivers channels WHEN located THEN the
    entry_script of sourcecode.json runs from the code channel."""
    drivers = layout.local("/opt/ml/input/data/sm_drivers")
    drivers.mkdir(parents=True)
    (drivers / "sourcecode.json").write_text(json.dumps({"entry_script": "train.py"}))
    code = layout.local("/opt/ml/input/data/code")
    code.mkdir(parents=True)
    (code / "train.py").write_text("")
    arguments = {"InputDataConfig": [{"ChannelName": "code"}, {"ChannelName": "sm_drivers"}]}

    entry = locate_training_code(_context(layout, arguments))

    assert (entry.script, entry.cwd, entry.program) == (code / "train.py", code, "train.py")
    assert "/opt/ml/input/data/sm_drivers" in entry.code_paths


def test_no_recognisable_code_is_an_error_listing_what_was_looked_for(
    layout: ContainerLayout,
) -> None:
    """GIVEN a training job with no code the runner knows WHEN located THEN the error names the
    step and each place it looked."""
    with pytest.raises(UnsupportedStepError) as caught:
        locate_training_code(_context(layout, {"HyperParameters": {"epochs": "1"}}))

    message = str(caught.value)
    assert "step 'Step'" in message
    assert "sagemaker_program" in message
    assert "SAGEMAKER_PROGRAM" in message
    assert "sourcecode.json" in message


def test_a_shell_entrypoint_without_a_python_line_is_refused(layout: ContainerLayout) -> None:
    """GIVEN a shell entrypoint that does not end by running a Python script WHEN located
    THEN it is refused, naming the script."""
    entry_dir = layout.local("/opt/ml/processing/input/entrypoint")
    entry_dir.mkdir(parents=True)
    (entry_dir / "run.sh").write_text("#!/bin/bash\nexec ./binary\n")
    arguments = {
        "AppSpecification": {
            "ContainerEntrypoint": ["/bin/sh", "/opt/ml/processing/input/entrypoint/run.sh"]
        }
    }

    with pytest.raises(UnsupportedStepError, match=r"run\.sh has no line"):
        locate_processing_code(_context(layout, arguments))


def test_environment_program_in_a_downloaded_channel(layout: ContainerLayout) -> None:
    """GIVEN SAGEMAKER_PROGRAM and a SAGEMAKER_SUBMIT_DIRECTORY naming a channel's folder
    WHEN located THEN the program runs from that channel; code baked into an image (no
    submit directory) is refused."""
    code = layout.local("/opt/ml/input/data/code")
    code.mkdir(parents=True)
    (code / "train.py").write_text("")
    environment = {
        "SAGEMAKER_PROGRAM": "train.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/input/data/code",
    }

    entry = locate_training_code(_context(layout, {"Environment": environment}))

    assert (entry.script, entry.code_paths) == (code / "train.py", ("/opt/ml/input/data/code",))
    with pytest.raises(UnsupportedStepError, match="baked into a container image"):
        locate_training_code(_context(layout, {"Environment": {"SAGEMAKER_PROGRAM": "t.py"}}))

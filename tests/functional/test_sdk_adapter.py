"""The SDK adapter: one place imports the SDK, needs no region, and definitions reproduce.

These run on whichever SDK major is installed (CI runs the suite on both).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline_steps import sdk
from pipeline_steps.sdk import SDK_MAJOR

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "src").rglob("*.py"))
REFERENCE_SCRIPTS = ROOT / "src" / "pipeline_steps" / "reference_scripts"

# A pipeline of the three builders on moto, printed as its definition text.
COMPILE = textwrap.dedent(
    """
    import boto3, json, sys
    from moto import mock_aws
    from pipeline_steps import XGBoostHyperparameters
    from pipeline_steps.sdk import ParameterFloat, PipelineSession
    from pipeline_steps.tools.mock_aws import create_mock_role
    from pipeline_steps.tools.templates import build_training_pipeline

    with mock_aws():
        boto_session = boto3.Session(region_name="eu-west-1")
        boto_session.client("s3").create_bucket(
            Bucket="reproducible",
            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        )
        role = create_mock_role(boto_session, "sagemaker-reproducible")
        session = PipelineSession(boto_session=boto_session, default_bucket="reproducible")
        rate = ParameterFloat(name="LearningRate", default_value=0.1)
        built = build_training_pipeline(
            framework="xgboost",
            hyperparameters=XGBoostHyperparameters(
                objective="binary:logistic", learning_rate=rate, n_estimators=10
            ),
            role_arn=role,
            bucket="reproducible",
            sagemaker_session=session,
            pipeline_name="Reproducible",
            parameters=[rate],
        )
        first = built.pipeline.definition()
        second = built.pipeline.definition()
        assert first == second, "two definition() calls differ"
        sys.stdout.write(first)
    """
)


def _clean_env() -> dict[str, str]:
    """The suite's fake credentials, minus every way to find a region."""
    env = dict(os.environ)
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION"):
        env.pop(name, None)
    return env


def test_only_the_adapter_imports_the_sdk() -> None:
    """GIVEN every module under src/
    WHEN their imports are read
    THEN only pipeline_steps/sdk.py names a sagemaker module."""
    importers = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(name == "sagemaker" or name.startswith("sagemaker.") for name in names):
                importers.append(path.relative_to(ROOT).as_posix())
    assert sorted(set(importers)) == ["src/pipeline_steps/sdk.py"]


@pytest.mark.parametrize(
    "folder", ["src", "tests", "examples", "benchmarks"], ids=lambda folder: folder
)
def test_every_name_taken_from_the_adapter_exists_on_this_major(folder: str) -> None:
    """GIVEN every `from pipeline_steps.sdk import X` in the repository (type checkers
    cannot vouch for them: the adapter resolves names at run time)
    WHEN each name is looked up on the installed major
    THEN it resolves, or is one the other major lacks (then only that major's path uses it)."""
    missing = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "pipeline_steps.sdk":
                for alias in node.names:
                    try:
                        getattr(sdk, alias.name)
                    except AttributeError:
                        missing.append(f"{path.relative_to(ROOT)}: {alias.name}")
    assert missing == []


def test_the_adapter_exports_what_user_code_needs() -> None:
    """GIVEN the adapter WHEN its user-facing names are read THEN each is the SDK's object."""
    for name in sdk.USER_NAMES:
        assert name in sdk.__all__
        assert getattr(sdk, name) is not None
    # Pipeline is the SDK's own class, subclassed only to construct quietly
    expected_module = "sagemaker.workflow" if SDK_MAJOR == 2 else "sagemaker.mlops.workflow"
    assert sdk.Pipeline.__mro__[1].__module__.startswith(expected_module)


@pytest.mark.slow
def test_importing_and_building_need_no_region() -> None:
    """GIVEN a process with credentials but no region anywhere
    WHEN pipeline_steps and its builders are imported, and a pipeline is built with a
    session that names its own region
    THEN it works, and boto3's default session is left as it was (None)."""
    code = "import boto3\n" + COMPILE + "\nassert boto3.DEFAULT_SESSION is None\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["Steps"]


def test_the_command_line_imports_the_sdk_only_to_build() -> None:
    """GIVEN a fresh process
    WHEN the command line is imported and contracts runs (it reads nothing from AWS)
    THEN no sagemaker module is loaded: such commands do not pay for the SDK import, and
    a --mock build can fake credentials before the SDK builds its default session."""
    code = (
        "import io, sys\n"
        "from pipeline_steps.tools.cli import main\n"
        "assert main(['contracts'], out=io.StringIO(), err=io.StringIO()) == 0\n"
        "loaded = [m for m in sys.modules if m == 'sagemaker' or m.startswith('sagemaker.')]\n"
        "assert not loaded, sorted(loaded)[:5]\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.slow
def test_definitions_are_byte_identical_across_processes() -> None:
    """GIVEN the same pipeline and code
    WHEN it is compiled in two fresh processes (each calling definition() twice)
    THEN all four definitions are the same bytes: step caching keeps working across
    upserts, on either SDK major."""
    runs = [
        subprocess.run(
            [sys.executable, "-c", COMPILE],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    assert runs[0].stdout == runs[1].stdout
    definition = json.loads(runs[0].stdout)
    training = next(step for step in definition["Steps"] if step["Type"] == "Training")
    submit = json.loads(training["Arguments"]["HyperParameters"]["sagemaker_submit_directory"])
    assert submit.startswith("s3://reproducible/pipeline-steps/code/")

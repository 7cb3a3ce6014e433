"""Building and rendering the README pipeline says nothing; what the SDK would have said
is exactly what SDK_NOISE lists; importing the adapter leaves the process as it was."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pipeline_steps.core.quiet import SDK_NOISE, LoggedNoise, WarnedNoise, set_sdk_verbosity
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "xgboost_pipeline.py"
BUCKET = "quiet-sdk-example"
SDK_LOGGERS = ("sagemaker", "botocore.credentials")


class Recorder(logging.Handler):
    """Every record that reaches it, at any level."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Example:
    """The README example module, a PipelineSession and a role on moto: the user's setup."""

    module: Any
    session: Any
    role_arn: str


@pytest.fixture
def example() -> Iterator[Example]:
    spec = importlib.util.spec_from_file_location("quiet_xgboost_pipeline", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from pipeline_steps.sdk import PipelineSession
    from pipeline_steps.tools.mock_aws import create_mock_role

    with mock_aws():
        boto_session = boto3.Session(region_name="us-east-1")
        role_arn = create_mock_role(boto_session, "sagemaker-quiet-example")
        boto_session.client("s3").create_bucket(Bucket=BUCKET)
        session = PipelineSession(boto_session=boto_session, default_bucket=BUCKET)
        yield Example(module, session, role_arn)


@pytest.fixture
def heard(
    example: Example, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Recorder, list[Any]]]:
    """From the end of the user's setup on: records from the SDK's loggers at INFO and
    above (including the config logger, which does not propagate) and every warning,
    with the v2 notices switched on."""
    monkeypatch.delenv("SAGEMAKER_SUPPRESS_V2_WARNING", raising=False)
    recorder = Recorder()
    root = logging.getLogger()
    config = logging.getLogger("sagemaker.config")
    level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(recorder)
    config.addHandler(recorder)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield recorder, caught
    root.removeHandler(recorder)
    config.removeHandler(recorder)
    root.setLevel(level)
    set_sdk_verbosity(None)


def build_and_render(example: Example) -> None:
    """The README pipeline, built and rendered twice, and a PyTorch pipeline."""
    from pipeline_steps import PyTorchHyperparameters
    from pipeline_steps.tools.templates import build_training_pipeline

    pipeline = example.module.build_pipeline(
        example.session, example.role_arn, BUCKET, str(REFERENCE_SCRIPTS_DIR)
    )
    json.loads(pipeline.definition())
    json.loads(pipeline.definition())
    built = build_training_pipeline(
        framework="pytorch",
        hyperparameters=PyTorchHyperparameters(),
        role_arn=example.role_arn,
        bucket=BUCKET,
        sagemaker_session=example.session,
    )
    json.loads(built.pipeline.definition())


def from_the_sdk(recorder: Recorder) -> list[logging.LogRecord]:
    return [r for r in recorder.records if r.name.startswith(SDK_LOGGERS)]


def sdk_warnings(caught: list[Any]) -> list[Any]:
    return [w for w in caught if "sagemaker" in str(w.filename)]


def test_readme_pipeline_builds_and_renders_in_silence(
    example: Example, heard: tuple[Recorder, list[Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN the SDK's v2 notices switched on and the root logger at INFO
    WHEN the README pipeline is built and definition() is called (twice), and a PyTorch
    pipeline too
    THEN no SDK record and no SDK warning gets out, and nothing is printed."""
    recorder, caught = heard
    build_and_render(example)
    assert [(r.name, r.getMessage()[:80]) for r in from_the_sdk(recorder)] == []
    assert [str(w.message)[:80] for w in sdk_warnings(caught)] == []
    assert capsys.readouterr() == ("", "")


def matches(record: logging.LogRecord) -> bool:
    return any(
        isinstance(row, LoggedNoise)
        and row.logger == record.name
        and record.levelno <= row.level
        and re.search(row.message, record.getMessage())
        for row in SDK_NOISE
    )


def warned(warning: Any) -> bool:
    module = str(warning.filename).split("site-packages/")[-1].removesuffix(".py")
    return any(
        isinstance(row, WarnedNoise)
        and issubclass(warning.category, row.category)
        and re.match(row.message, str(warning.message), re.IGNORECASE)
        and re.match(row.module, module.replace("/", "."))
        for row in SDK_NOISE
    )


def test_everything_the_sdk_says_while_we_build_is_in_the_table(
    example: Example, heard: tuple[Recorder, list[Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN set_sdk_verbosity(True), so nothing is silenced
    WHEN the same pipelines are built and rendered
    THEN every record and warning the SDK emits matches a row of SDK_NOISE (the table is
    complete for what the builders trigger), and the SDK did speak."""
    recorder, caught = heard
    set_sdk_verbosity(True)
    build_and_render(example)
    capsys.readouterr()
    spoken = from_the_sdk(recorder)
    assert spoken, "the SDK said nothing: the test no longer observes it"
    assert [(r.name, r.levelname, r.getMessage()[:100]) for r in spoken if not matches(r)] == []
    assert [str(w.message)[:100] for w in sdk_warnings(caught) if not warned(w)] == []


@pytest.mark.slow
def test_importing_the_adapter_is_silent_and_changes_nothing_global(
    child_env: dict[str, str],
) -> None:
    """GIVEN a fresh process without the SDK's v2-warning switch
    WHEN pipeline_steps.sdk is imported (importing the SDK: its banner, config INFO lines,
    logging.basicConfig(level=INFO) and rich's traceback hook)
    THEN nothing is printed, and the root logger and sys.excepthook are as before."""
    code = (
        "import logging, sys\n"
        "hook = sys.excepthook\n"
        "import pipeline_steps.sdk\n"
        "root = logging.getLogger()\n"
        "assert root.handlers == [], root.handlers\n"
        "assert root.level == logging.WARNING, root.level\n"
        "assert sys.excepthook is hook, sys.excepthook\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=child_env,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")

"""``pipeline-steps definition``: the JSON and Mermaid it prints, the telemetry it never
sends, and the installed entry point in a process of its own.

A test starts ``pipeline-steps`` as a child only where the process boundary is the point:
a machine with no AWS configuration, the SDK's import-time noise, the real entry point's
exit codes and the traceback hook (tests/functional/conftest.py guards the child to
loopback too).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline_steps.frameworks import FRAMEWORKS

from cli_invocation import (  # noqa: F401 (nothing_leaks: the autouse fixture)
    HYPERPARAMETERS,
    assert_clean,
    child,
    definition_args,
    nothing_leaks,
    run,
    write,
)

PREP_URI = {"Get": "Steps.HyperparameterPrep.OutputParameters['hyperparameters_s3_uri']"}
EXAMPLE_HYPERPARAMETERS = {
    "xgboost": HYPERPARAMETERS,
    "pytorch": {"learning_rate": 0.01, "epochs": 3},
}
TRAINING_STEPS = {"xgboost": "XGBoostTraining", "pytorch": "PyTorchTraining"}


def check_definition(definition: dict[str, Any], framework: str) -> None:
    training_step = TRAINING_STEPS[framework]
    steps = {step["Name"]: step for step in definition["Steps"]}
    expected_types = {"HyperparameterPrep": "Lambda", training_step: "Training"}
    if FRAMEWORKS[framework].evaluated:
        expected_types["ModelEvaluation"] = "Processing"
    assert {name: step["Type"] for name, step in steps.items()} == expected_types
    channels = steps[training_step]["Arguments"]["InputDataConfig"]
    config = next(channel for channel in channels if channel["ChannelName"] == "config")
    assert config["DataSource"]["S3DataSource"]["S3Uri"] == PREP_URI


def expected_mermaid(framework: str) -> list[str]:
    training_step = TRAINING_STEPS[framework]
    lines = [
        "flowchart TD",
        '    HyperparameterPrep["HyperparameterPrep (Lambda)"]',
        f'    {training_step}["{training_step} (Training)"]',
    ]
    if not FRAMEWORKS[framework].evaluated:
        return [*lines, f"    HyperparameterPrep -->|hyperparameters_s3_uri| {training_step}"]
    return [
        *lines,
        '    ModelEvaluation["ModelEvaluation (Processing)"]',
        f"    HyperparameterPrep -->|hyperparameters_s3_uri| {training_step}",
        f"    {training_step} -->|ModelArtifacts.S3ModelArtifacts| ModelEvaluation",
        "    HyperparameterPrep -->|hyperparameters_s3_uri| ModelEvaluation",
    ]


@pytest.mark.parametrize("framework", list(EXAMPLE_HYPERPARAMETERS))
def test_definition_mock_mermaid_with_output(tmp_path: Path, framework: str) -> None:
    """GIVEN a hyperparameters file and a framework
    WHEN definition --mock --mermaid --output runs
    THEN the file holds the definition whose config channel reads the prep step's
    output, stdout is the Mermaid DAG with the data edges, and stderr is empty."""
    hp = write(tmp_path / "hp.json", json.dumps(EXAMPLE_HYPERPARAMETERS[framework]))
    output = tmp_path / "definition.json"
    ran = run(*definition_args(hp, framework, "--mock", "--mermaid", "--output", str(output)))
    assert (ran.code, ran.err) == (0, "")
    check_definition(json.loads(output.read_text(encoding="utf-8")), framework)
    assert ran.out.splitlines() == expected_mermaid(framework)


def test_definition_to_stdout_keeps_stdout_one_json_document(tmp_path: Path) -> None:
    """GIVEN definition --mock --mermaid without --output
    WHEN it runs
    THEN stdout parses as the JSON definition and the Mermaid DAG is on stderr."""
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    ran = run(*definition_args(hp, "xgboost", "--mock", "--mermaid", "--region", "eu-west-1"))
    assert ran.code == 0, ran.err
    definition = json.loads(ran.out)
    check_definition(definition, "xgboost")
    prep = next(step for step in definition["Steps"] if step["Type"] == "Lambda")
    assert prep["FunctionArn"].startswith("arn:aws:lambda:eu-west-1:")
    assert ran.err.splitlines() == expected_mermaid("xgboost")


@pytest.fixture
def telemetry_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SageMaker SDK's telemetry traffic, recorded instead of sent: the caller lookup
    (STS GetCallerIdentity) and the HTTPS GET, in its telemetry_logging module (v2
    sagemaker/telemetry, v3 sagemaker/core/telemetry)."""
    from pipeline_steps.sdk import sdk_class

    calls: list[str] = []
    module = sdk_class("telemetry_logging")
    monkeypatch.setattr(module, "_get_accountId", lambda session: calls.append("sts"))
    monkeypatch.setattr(module, "_requests_helper", lambda url, timeout: calls.append(url))
    return calls


def test_definition_sends_no_telemetry(tmp_path: Path, telemetry_calls: list[str]) -> None:
    """GIVEN the SDK's telemetry (sagemaker/telemetry/telemetry_logging.py), which
    EstimatorBase.fit reports to unless the session's config opts out
    WHEN definition --mock builds a training step
    THEN no caller lookup and no request is made."""
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    assert run(*definition_args(hp, "xgboost", "--mock")).code == 0
    assert telemetry_calls == []


def test_a_user_whose_sdk_config_opts_in_keeps_telemetry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, telemetry_calls: list[str]
) -> None:
    """GIVEN a user SDK config saying TelemetryOptOut: false (the SDK's own switch)
    WHEN the CLI's telemetry switch-off is entered
    THEN it leaves the SDK's sender in place; without that config it replaces it."""
    from pipeline_steps.sdk import sdk_class, sdk_telemetry_off

    telemetry_logging = sdk_class("telemetry_logging")
    sender = telemetry_logging._send_telemetry_request
    with sdk_telemetry_off():
        assert telemetry_logging._send_telemetry_request is not sender
    assert telemetry_logging._send_telemetry_request is sender
    config = tmp_path / "config.yaml"
    config.write_text(
        "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n"
        "      TelemetryOptOut: false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
    with sdk_telemetry_off():
        assert telemetry_logging._send_telemetry_request is sender


@pytest.mark.slow
def test_definition_with_credentials_but_no_network_is_one_line_exit_1(tmp_path: Path) -> None:
    """GIVEN credentials but no way to reach AWS (the suite's loopback guard refuses every
    other address, as a machine offline would)
    WHEN definition runs without --mock (building uploads the jobs' code)
    THEN after botocore's retries it exits 1 with one line naming the endpoint and what
    to check on this machine."""
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    line = run(*definition_args(hp)).one_line_error(
        "definition", 1, "uploading the jobs' code failed: Could not connect to the endpoint"
    )
    assert "network connection" in line


# ------------------------------------------------------------------ the process boundary


def test_entry_point_exit_codes_on_a_machine_without_aws_configuration(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """GIVEN the installed pipeline-steps script on a machine with no AWS configuration
    (no credentials, no config files, instance metadata disabled)
    WHEN it prints its version, is given a bad region, and builds without --mock
    THEN it exits 0, 2 and 1, each failure one line on stderr, with no traceback and no
    connection attempt anywhere."""
    version = child(clean_env, "--version")
    assert version.code == 0
    assert version.out.startswith("pipeline-steps ")
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    child(clean_env, *definition_args(hp, "xgboost", "--region", "mars-1")).one_line_error(
        "definition", 2, "mars-1"
    )
    no_credentials = child(clean_env, *definition_args(hp))
    line = no_credentials.one_line_error("definition", 1, "no AWS credentials found")
    assert "--mock" in line


def test_entry_point_with_an_unknown_aws_profile(tmp_path: Path, clean_env: dict[str, str]) -> None:
    """GIVEN the installed pipeline-steps script with AWS_PROFILE naming a profile no
    config file holds (every boto3 session, and so importing the SageMaker SDK, fails)
    WHEN it prints its version, lists the contracts, builds on mock AWS and builds for real
    THEN the first three succeed and the last exits 1 with one line naming the profile."""
    env = {**clean_env, "AWS_PROFILE": "pipeline-steps-no-such-profile"}
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))

    version = child(env, "--version")
    listed = child(env, "contracts")
    mock = child(env, *definition_args(hp, "xgboost", "--mock", "--region", "us-east-1"))
    real = child(env, *definition_args(hp, "xgboost", "--region", "us-east-1"))

    assert (version.code, listed.code) == (0, 0), version.err + listed.err
    assert "xgboost_train" in listed.out
    assert mock.code == 0, mock.err[-2000:]
    assert json.loads(mock.out)["Steps"]
    real.one_line_error("definition", 1, "The config profile (pipeline-steps-no-such-profile)")


@pytest.mark.slow
def test_mock_definition_in_a_clean_process_prints_only_json(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """GIVEN a fresh process on a machine with no AWS configuration, without the SDK's
    v2-warning switch, in a region other than us-east-1
    WHEN definition --mock --mermaid runs (importing the SDK for the first time)
    THEN stdout is the JSON definition, stderr only the Mermaid DAG: no import banner,
    config line, telemetry or connection attempt."""
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    ran = child(
        clean_env, *definition_args(hp, "xgboost", "--mock", "--mermaid", "--region", "eu-west-1")
    )
    assert ran.code == 0, ran.err[-2000:]
    assert_clean(ran.out, ran.err)
    check_definition(json.loads(ran.out), "xgboost")
    assert ran.err.splitlines() == expected_mermaid("xgboost")


@pytest.mark.slow
def test_unexpected_error_traceback_goes_to_stderr(child_env: dict[str, str]) -> None:
    """GIVEN a command that fails unexpectedly after the SDK (which installs rich's
    traceback hook, printing to stdout) has been imported
    WHEN the CLI runs it in its own process
    THEN the traceback is on stderr and stdout stays empty."""
    code = (
        "import sys\n"
        "import pipeline_steps.tools.cli as cli\n"
        "def boom(args, out, err):\n"
        "    from pipeline_steps.sdk import sdk_class\n"
        "    sdk_class('Pipeline')  # imports the SDK, which installs rich's traceback hook\n"
        "    raise RuntimeError('boom')\n"
        "parser = cli.build_parser\n"
        "def patched():\n"
        "    built = parser()\n"
        "    built._subparsers._group_actions[0].choices['contracts'].set_defaults(handler=boom)\n"
        "    return built\n"
        "cli.build_parser = patched\n"
        "sys.exit(cli.main(['contracts']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=child_env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().endswith("RuntimeError: boom")

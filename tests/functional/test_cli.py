"""``pipeline-steps``: exit codes, one-line errors, clean output, the demo end to end.

Most tests call ``main(argv, out=..., err=...)`` in-process: parsing, checks, S3 on
the shared moto server and builds on in-process moto need no process of their own,
and the suite's socket guard (tests/conftest.py) keeps them on loopback. A test
starts ``pipeline-steps`` as a child only where the process boundary is the point:
a machine with no AWS configuration, the SDK's import-time noise, the real entry
point's exit codes and the traceback hook (tests/functional/conftest.py guards the
child to loopback too).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from pipeline_script_contracts import CONTRACTS, XGBOOST_TRAIN_CONTRACT
from pipeline_steps.frameworks import FRAMEWORKS
from pipeline_steps.tools.cli import main

# "refused a connection": what the loopback guards (tests/conftest.py, and the child's
# sitecustomize in tests/functional/conftest.py) say when something reaches for the network.
NOISE = (
    "SageMaker Python SDK v2",
    "sagemaker.config",
    "Traceback",
    "refused a connection",
    "telemetry",
)
PREP_URI = {"Get": "Steps.HyperparameterPrep.OutputParameters['hyperparameters_s3_uri']"}
ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-cli"
HYPERPARAMETERS = {"objective": "binary:logistic", "max_depth": 4, "learning_rate": 0.3}
EXAMPLE_HYPERPARAMETERS = {
    "xgboost": HYPERPARAMETERS,
    "pytorch": {"learning_rate": 0.01, "epochs": 3},
}
TRAINING_STEPS = {"xgboost": "XGBoostTraining", "pytorch": "PyTorchTraining"}


@dataclass
class Ran:
    """What one command did: exit code, stdout and stderr."""

    code: int
    out: str
    err: str

    def assert_one_line_error(self, command: str, code: int, fragment: str) -> str:
        assert self.code == code, self.err
        assert self.out == ""
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith(f"pipeline-steps {command}: ")
        assert fragment in lines[0], lines[0]
        assert_clean(self.out, self.err)
        return lines[0]


def assert_clean(*texts: str) -> None:
    """No SDK banner, config or telemetry line, traceback or refused connection."""
    for text in texts:
        for noise in NOISE:
            assert noise not in text, noise


@pytest.fixture(autouse=True)
def nothing_leaks(capsys: pytest.CaptureFixture[str]) -> Any:
    """Everything a command says goes to the streams main() was given, nowhere else."""
    yield
    leaked = capsys.readouterr()
    assert (leaked.out, leaked.err) == ("", "")


def run(*argv: str) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return Ran(code, out.getvalue(), err.getvalue())


def child(env: dict[str, str], *argv: str, cwd: Path | None = None) -> Ran:
    """The real entry point (the console script pip installed) in its own process."""
    script = Path(sys.executable).with_name("pipeline-steps")
    result = subprocess.run(
        [str(script), *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    return Ran(result.returncode, result.stdout, result.stderr)


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@dataclass
class Bucket:
    """A bucket on the shared moto server, with an S3 client on that server."""

    name: str
    endpoint: str
    s3: Any

    def object_keys(self) -> list[str]:
        listed = self.s3.list_objects_v2(Bucket=self.name)
        return [item["Key"] for item in listed.get("Contents", [])]


@pytest.fixture
def bucket(moto_server: str, unique_bucket_name: str) -> Bucket:
    """A fresh, empty bucket on the shared moto server."""
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_server)
    s3.create_bucket(Bucket=unique_bucket_name)
    return Bucket(unique_bucket_name, moto_server, s3)


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process sees no AWS credentials, config files or instance metadata."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_SECURITY_TOKEN", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def definition_args(hp: str, framework: str = "xgboost", *extra: str) -> list[str]:
    return [
        "definition",
        *("--hyperparameters", hp, "--framework", framework, "--role-arn", ROLE_ARN),
        *("--bucket", "cli-definition"),
        *extra,
    ]


# ------------------------------------------------------------------ prepare


BAD_INPUTS = {
    "missing-file": (None, [], "does not exist"),
    "directory": ("<dir>", [], "cannot read hyperparameters file"),
    "invalid-json": ('{"eta": 0.1,', [], "invalid JSON text"),
    "nan": ('{"eta": NaN}', [], "NaN is not valid JSON (rule: numbers must be finite)"),
    "not-an-object": ("[1, 2]", [], "hyperparameters"),
    "credential-key": (
        '{"eta": 0.1, "aws_secret_access_key": "x"}',
        [],
        "hyperparameters.aws_secret_access_key: key is a credential name",
    ),
    "bad-bucket": ('{"eta": 0.1}', ["--bucket", "Bad_Bucket"], 'bucket "Bad_Bucket"'),
    "set-without-equals": ('{"eta": 0.1}', ["--set", "eta"], "--set 'eta' is not of the form"),
    "set-wrong-type": ('{"eta": 0.1}', ["--set", "eta=fast"], "override.eta"),
    "set-unknown-path": ('{"eta": 0.1}', ["--set", "depth=3"], 'has no key "depth"'),
    "framework-unknown-key": (
        '{"max_dept": 3}',
        ["--framework", "xgboost"],
        "max_dept: unknown XGBoost hyperparameter 'max_dept'; did you mean 'max_depth'?",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_prepare_bad_input_exits_2_with_one_line(case: str, tmp_path: Path, bucket: Bucket) -> None:
    """GIVEN bad input to prepare (file, JSON, value, bucket name, --set or a key the
    --framework model refuses)
    WHEN prepare runs against the moto server
    THEN it exits 2 with one line naming the problem, no output, nothing written."""
    text, extra, fragment = BAD_INPUTS[case]
    if text is None:
        path = str(tmp_path / "missing.json")
    elif text == "<dir>":
        path = str(tmp_path)
    else:
        path = write(tmp_path / "hp.json", text)
    if "--bucket" not in extra:
        extra = ["--bucket", bucket.name, *extra]
    ran = run("prepare", path, "--endpoint-url", bucket.endpoint, *extra)
    ran.assert_one_line_error("prepare", 2, fragment)
    assert bucket.object_keys() == []


def test_prepare_uploads_canonical_json_and_prints_the_uri(tmp_path: Path, bucket: Bucket) -> None:
    """GIVEN a hyperparameters file, a key prefix and an override
    WHEN prepare runs against the moto server (twice, the second time with --json)
    THEN it prints the s3:// URI, the object holds the canonical JSON with the override
    under <prefix>/<sha256>/hyperparameters.json, and the rerun reuses it."""
    path = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    args = ["prepare", path, "--bucket", bucket.name, "--endpoint-url", bucket.endpoint]
    args += ["--key-prefix", "team/cli", "--set", "learning_rate=0.05", "--framework", "xgboost"]
    ran = run(*args)
    assert (ran.code, ran.err) == (0, "")
    expected = json.dumps(
        {**HYPERPARAMETERS, "learning_rate": 0.05}, indent=2, sort_keys=True, allow_nan=False
    ).encode("ascii")
    sha = hashlib.sha256(expected).hexdigest()
    key = f"team/cli/{sha}/hyperparameters.json"
    assert ran.out == f"s3://{bucket.name}/{key}\n"
    assert bucket.object_keys() == [key]
    stored = bucket.s3.get_object(Bucket=bucket.name, Key=key)
    assert stored["Body"].read() == expected
    assert stored["ServerSideEncryption"] == "AES256"

    again = run(*args, "--json")
    assert again.code == 0, again.err
    assert json.loads(again.out) == {
        "hyperparameters_s3_uri": f"s3://{bucket.name}/{key}",
        "hyperparameters_sha256": sha,
        "hyperparameters_size_bytes": len(expected),
        "reused": True,
    }


def test_prepare_without_framework_takes_what_the_lambda_takes(
    tmp_path: Path, bucket: Bucket
) -> None:
    """GIVEN a file with a key no framework model knows
    WHEN prepare runs without --framework
    THEN it uploads it: prepare checks the Lambda's rules only, as its help says."""
    path = write(tmp_path / "hp.json", json.dumps({"eta": 0.1, "custom": {"a": [1, 2]}}))
    ran = run("prepare", path, "--bucket", bucket.name, "--endpoint-url", bucket.endpoint)
    assert ran.code == 0, ran.err
    assert ran.out.startswith(f"s3://{bucket.name}/hyperparameters/")


def test_prepare_s3_failure_exits_1(
    tmp_path: Path, moto_server: str, unique_bucket_name: str
) -> None:
    """GIVEN a bucket that does not exist on the moto server
    WHEN prepare runs
    THEN it exits 1 (an AWS failure, not bad input) with one line naming the bucket."""
    path = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    ran = run("prepare", path, "--bucket", unique_bucket_name, "--endpoint-url", moto_server)
    ran.assert_one_line_error("prepare", 1, f"bucket {unique_bucket_name} does not exist")


def test_prepare_unreachable_endpoint_names_this_machine_not_lambda(tmp_path: Path) -> None:
    """GIVEN an S3 endpoint nothing listens on (a closed loopback port)
    WHEN prepare runs from this machine
    THEN it exits 1 with one line about this machine's network and --endpoint-url, not
    about a Lambda function's VPC or execution role."""
    path = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    ran = run("prepare", path, "--bucket", "some-bucket", "--endpoint-url", "http://127.0.0.1:9")
    line = ran.assert_one_line_error("prepare", 1, "could not reach S3 at http://127.0.0.1:9")
    assert "from this machine" in line
    assert "--endpoint-url" in line
    assert "VPC" not in line
    assert "execution role" not in line


@pytest.mark.usefixtures("no_credentials")
@pytest.mark.parametrize("command", ["prepare", "definition"])
def test_no_credentials_is_one_line_exit_1(command: str, tmp_path: Path) -> None:
    """GIVEN no AWS credentials anywhere botocore looks
    WHEN prepare, or definition without --mock, runs
    THEN it exits 1 with one line naming the cause and how to provide them (definition
    also offers --mock), before building or sending anything."""
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    if command == "prepare":
        argv = ["prepare", hp, "--bucket", "some-bucket"]
    else:
        argv = definition_args(hp)
    line = run(*argv).assert_one_line_error(command, 1, "no AWS credentials found")
    assert "AWS_PROFILE" in line
    assert ("--mock" in line) == (command == "definition")


# ------------------------------------------------------------------ contracts, help, version


def test_contracts_list_fits_100_columns_and_shows_every_contract() -> None:
    """GIVEN the contracts command
    WHEN it lists, shows one as JSON, and is asked for an unknown name
    THEN the list fits 100 columns with a row per contract (name, entry point, container,
    inputs, outputs), the JSON equals to_dict(), and the unknown name exits 2."""
    listed = run("contracts")
    assert (listed.code, listed.err) == (0, "")
    lines = listed.out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0].split() == ["NAME", "ENTRY", "POINT", "CONTAINER"]
    rows = [line.split() for line in lines[1:] if not line.startswith(" ")]
    assert rows == [[c.name, c.entry_point, c.container_type.value] for c in CONTRACTS.values()]
    for contract in CONTRACTS.values():
        for name in (*contract.input_names, *contract.output_names):
            assert re.search(rf"\b{name}\b", listed.out), name

    shown = run("contracts", "xgboost_train", "--json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out) == json.loads(json.dumps(XGBOOST_TRAIN_CONTRACT.to_dict()))

    run("contracts", "lightgbm_train").assert_one_line_error("contracts", 2, "lightgbm_train")


@pytest.mark.parametrize(
    ("command", "fragment"),
    [
        ([], "SageMaker Pipelines step builders"),
        (["demo"], "in-process mock AWS"),
        (["contracts"], "List the script contracts"),
        (["prepare"], "Exit 2 on bad input, 1 on an AWS failure"),
        (["definition"], f"--framework {{{','.join(FRAMEWORKS)}}}"),
    ],
    ids=["top", "demo", "contracts", "prepare", "definition"],
)
def test_help_works_for_every_command(
    capsys: pytest.CaptureFixture[str], command: list[str], fragment: str
) -> None:
    """GIVEN --help on the program or a subcommand
    WHEN it runs
    THEN it exits 0 with that command's usage and description."""
    with pytest.raises(SystemExit) as stopped:
        main([*command, "--help"])
    assert stopped.value.code == 0
    printed = capsys.readouterr()
    assert printed.out.startswith(f"usage: {' '.join(['pipeline-steps', *command])}")
    assert fragment in " ".join(printed.out.split())
    assert printed.err == ""


def definition_help(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        main(["definition", "--help"])
    return " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_definition_help_is_true_for_every_framework(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """GIVEN the registry's evaluated flag (the evaluation step is XGBoost-only)
    WHEN definition --help is read
    THEN it says model evaluation follows training exactly for the evaluated frameworks
    and that the others end with training."""
    text = definition_help(capsys)
    evaluated = re.search(r"-> model evaluation for ([a-z, ]+);", text)
    ends = re.search(r"; ([a-z, ]+) pipelines end with training", text)
    assert evaluated is not None
    assert ends is not None
    if FRAMEWORKS[name].evaluated:
        assert name in evaluated[1].split(", ")
    else:
        assert name in ends[1].split(", ")


def test_help_says_what_prepare_and_definition_each_accept(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """GIVEN prepare and definition
    WHEN their help is read
    THEN each says, in one sentence, what a hyperparameters file may hold for it."""
    from pipeline_steps.tools.cli import DEFINITION_CHECKS, PREPARE_CHECKS

    with pytest.raises(SystemExit):
        main(["prepare", "--help"])
    prepare = " ".join(capsys.readouterr().out.split())
    assert " ".join(PREPARE_CHECKS.split()) in prepare
    assert " ".join(DEFINITION_CHECKS.split()) in definition_help(capsys)


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN pyproject.toml's version
    WHEN --version runs and pipeline_steps.__version__ is read
    THEN both are that version."""
    import pipeline_steps

    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    match = re.search(r'^version = "([^"]+)"$', pyproject, re.MULTILINE)
    assert match is not None
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"pipeline-steps {match[1]}\n"
    assert pipeline_steps.__version__ == match[1]


def test_missing_output_folder_is_bad_input(tmp_path: Path) -> None:
    """GIVEN --output in a folder that does not exist, for demo and definition
    WHEN the command runs
    THEN it exits 2 with one line before building anything."""
    target = str(tmp_path / "missing" / "definition.json")
    run("demo", "--output", target).assert_one_line_error("demo", 2, "folder")
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    ran = run(*definition_args(hp, "xgboost", "--mock", "--output", target))
    ran.assert_one_line_error("definition", 2, "does not exist")


# ------------------------------------------------------------------ definition


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--region", "mars-1"], "--region 'mars-1' is not a region where SageMaker is available"),
        (["--pipeline-name", "bad name!"], "--pipeline-name 'bad name!' is not a SageMaker"),
        (["--pipeline-name=-leading-hyphen"], "pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}"),
    ],
    ids=["region", "pipeline-name", "leading-hyphen"],
)
def test_region_and_pipeline_name_are_checked_against_sagemaker(
    tmp_path: Path, extra: list[str], fragment: str
) -> None:
    """GIVEN a region botocore's endpoint data does not list for SageMaker, or a pipeline
    name its PipelineName shape refuses
    WHEN definition --mock runs
    THEN it exits 2 with one line, before anything is built."""
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    run(*definition_args(hp, "xgboost", "--mock", *extra)).assert_one_line_error(
        "definition", 2, fragment
    )


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
    line = run(*definition_args(hp)).assert_one_line_error(
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
    child(clean_env, *definition_args(hp, "xgboost", "--region", "mars-1")).assert_one_line_error(
        "definition", 2, "mars-1"
    )
    no_credentials = child(clean_env, *definition_args(hp))
    line = no_credentials.assert_one_line_error("definition", 1, "no AWS credentials found")
    assert "--mock" in line


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

"""``pipeline-steps`` by subprocess: exit codes, one-line errors, the demo end to end.

Every child runs ``python -m pipeline_steps`` with the suite's fake credentials and
a ``sitecustomize`` that refuses (and reports on stderr) any connection to a
non-loopback address, so a child can reach the shared moto server and nothing else.
The children run without ``SAGEMAKER_SUPPRESS_V2_WARNING``: keeping the SDK's banner
out of the output is the CLI's own job.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from pipeline_script_contracts import CONTRACTS, XGBOOST_TRAIN_CONTRACT

GUARD_MARK = "pipeline-steps-test-guard"
SITECUSTOMIZE = f'''
import socket
import sys

_connect = socket.socket.connect


def _loopback_only(self, address):
    if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
        sys.stderr.write("{GUARD_MARK}: refused a connection to %r\\n" % (address[0],))
        raise ConnectionRefusedError("loopback only")
    return _connect(self, address)


socket.socket.connect = _loopback_only
'''
NOISE = ("SageMaker Python SDK v2", "sagemaker.config INFO", "Traceback", GUARD_MARK)
PREP_URI = {"Get": "Steps.HyperparameterPrep.OutputParameters['hyperparameters_s3_uri']"}
ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-cli"
HYPERPARAMETERS = {"objective": "binary:logistic", "max_depth": 4, "learning_rate": 0.3}


@pytest.fixture(scope="session")
def child_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """os.environ (already fake and safe) plus the loopback guard, minus the SDK switch."""
    guard = tmp_path_factory.mktemp("cli-guard")
    (guard / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = dict(os.environ)
    env.pop("SAGEMAKER_SUPPRESS_V2_WARNING", None)
    env.pop("MOTO_ACCOUNT_ID", None)
    env["PYTHONPATH"] = os.pathsep.join([str(guard), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def cli(
    env: dict[str, str], *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline_steps", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    """No banner, no config INFO lines, no traceback, no refused connection."""
    for noise in NOISE:
        assert noise not in result.stdout, noise
        assert noise not in result.stderr, noise


def assert_one_line_error(
    result: subprocess.CompletedProcess[str], command: str, code: int, fragment: str
) -> None:
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"pipeline-steps {command}: ")
    assert fragment in lines[0]
    assert_clean(result)


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


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


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
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_prepare_bad_input_exits_2_with_one_line(
    case: str, tmp_path: Path, child_env: dict[str, str], bucket: Bucket
) -> None:
    """GIVEN bad input to prepare (file, JSON, value, bucket name or --set)
    WHEN prepare runs against the moto server
    THEN it exits 2 with one line on stderr naming the problem, no traceback, no
    output, and nothing is written to the bucket."""
    text, extra, fragment = BAD_INPUTS[case]
    if text is None:
        path = str(tmp_path / "missing.json")
    elif text == "<dir>":
        path = str(tmp_path)
    else:
        path = write(tmp_path / "hp.json", text)
    if "--bucket" not in extra:
        extra = ["--bucket", bucket.name, *extra]
    result = cli(child_env, "prepare", path, "--endpoint-url", bucket.endpoint, *extra)
    assert_one_line_error(result, "prepare", 2, fragment)
    assert bucket.object_keys() == []


def test_prepare_uploads_canonical_json_and_prints_the_uri(
    tmp_path: Path, child_env: dict[str, str], bucket: Bucket
) -> None:
    """GIVEN a hyperparameters file, a key prefix and an override
    WHEN prepare runs against the moto server (twice, the second time with --json)
    THEN it prints the s3:// URI, the object holds the canonical JSON with the override
    under <prefix>/<sha256>/hyperparameters.json, and the rerun reuses it."""
    path = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    args = ["prepare", path, "--bucket", bucket.name, "--endpoint-url", bucket.endpoint]
    args += ["--key-prefix", "team/cli", "--set", "learning_rate=0.05"]
    result = cli(child_env, *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    expected = json.dumps(
        {**HYPERPARAMETERS, "learning_rate": 0.05}, indent=2, sort_keys=True, allow_nan=False
    ).encode("ascii")
    sha = hashlib.sha256(expected).hexdigest()
    key = f"team/cli/{sha}/hyperparameters.json"
    assert result.stdout == f"s3://{bucket.name}/{key}\n"
    assert bucket.object_keys() == [key]
    stored = bucket.s3.get_object(Bucket=bucket.name, Key=key)
    assert stored["Body"].read() == expected
    assert stored["ServerSideEncryption"] == "AES256"

    again = cli(child_env, *args, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {
        "hyperparameters_s3_uri": f"s3://{bucket.name}/{key}",
        "hyperparameters_sha256": sha,
        "hyperparameters_size_bytes": len(expected),
        "reused": True,
    }


def test_prepare_s3_failure_exits_1(
    tmp_path: Path, child_env: dict[str, str], moto_server: str, unique_bucket_name: str
) -> None:
    """GIVEN a bucket that does not exist on the moto server
    WHEN prepare runs
    THEN it exits 1 (an S3 failure, not bad input) with one line naming the bucket."""
    path = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    result = cli(
        child_env, "prepare", path, "--bucket", unique_bucket_name, "--endpoint-url", moto_server
    )
    assert_one_line_error(result, "prepare", 1, f"bucket {unique_bucket_name} does not exist")


# ------------------------------------------------------------------ contracts and help


def test_contracts_list_show_json_and_unknown(child_env: dict[str, str]) -> None:
    """GIVEN the contracts command
    WHEN it lists, shows one as JSON, and is asked for an unknown name
    THEN the list has a row per contract, the JSON equals the contract's to_dict(), and
    the unknown name exits 2 with one line."""
    listed = cli(child_env, "contracts")
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()
    assert rows[0].split() == ["NAME", "CONTAINER", "ENTRY", "POINT", "INPUTS", "OUTPUTS"]
    assert [row.split()[0] for row in rows[1:]] == list(CONTRACTS)

    shown = cli(child_env, "contracts", "xgboost_train", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == json.loads(json.dumps(XGBOOST_TRAIN_CONTRACT.to_dict()))

    unknown = cli(child_env, "contracts", "lightgbm_train")
    assert_one_line_error(unknown, "contracts", 2, "lightgbm_train")


@pytest.mark.parametrize(
    ("command", "fragment"),
    [
        ([], "SageMaker Pipelines step builders"),
        (["demo"], "in-process mock AWS"),
        (["contracts"], "List the script contracts"),
        (["prepare"], "Exit 2 on bad input, 1 on an S3 failure"),
        (["definition"], "--framework {xgboost,pytorch,sklearn}"),
    ],
    ids=["top", "demo", "contracts", "prepare", "definition"],
)
def test_help_works_for_every_command(
    child_env: dict[str, str], command: list[str], fragment: str
) -> None:
    """GIVEN --help on the program or a subcommand
    WHEN it runs
    THEN it exits 0 with that command's usage and description."""
    result = cli(child_env, *command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: {' '.join(['pipeline-steps', *command])}")
    assert fragment in " ".join(result.stdout.split())
    assert result.stderr == ""


def test_missing_output_folder_is_bad_input(tmp_path: Path, child_env: dict[str, str]) -> None:
    """GIVEN --output in a folder that does not exist, for demo and definition
    WHEN the command runs
    THEN it exits 2 with one line before building anything."""
    target = str(tmp_path / "missing" / "definition.json")
    demo = cli(child_env, "demo", "--output", target)
    assert_one_line_error(demo, "demo", 2, "folder")
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    definition = cli(
        child_env,
        "definition",
        *("--hyperparameters", hp, "--framework", "xgboost", "--role-arn", ROLE_ARN),
        *("--bucket", "cli-bucket", "--mock", "--output", target),
    )
    assert_one_line_error(definition, "definition", 2, "does not exist")


# ------------------------------------------------------------------ definition


@pytest.mark.parametrize(
    ("framework", "training_step", "hyperparameters"),
    [
        ("xgboost", "XGBoostTraining", HYPERPARAMETERS),
        ("pytorch", "PyTorchTraining", {"learning_rate": 0.01, "epochs": 3}),
    ],
)
def test_definition_mock_mermaid(
    tmp_path: Path,
    child_env: dict[str, str],
    framework: str,
    training_step: str,
    hyperparameters: dict[str, Any],
) -> None:
    """GIVEN a hyperparameters file and a framework
    WHEN definition --mock --mermaid --output runs
    THEN the file holds the three-step definition whose config channel reads the prep
    step's output, and stdout is the Mermaid DAG with the data edges."""
    hp = write(tmp_path / "hp.json", json.dumps(hyperparameters))
    output = tmp_path / "definition.json"
    result = cli(
        child_env,
        "definition",
        *("--hyperparameters", hp, "--framework", framework, "--role-arn", ROLE_ARN),
        *("--bucket", "cli-definition", "--mock", "--mermaid", "--output", str(output)),
    )
    assert result.returncode == 0, result.stderr
    assert_clean(result)
    definition = json.loads(output.read_text(encoding="utf-8"))
    steps = {step["Name"]: step for step in definition["Steps"]}
    expected_types = {"HyperparameterPrep": "Lambda", training_step: "Training"}
    if framework == "xgboost":  # the evaluation step scores XGBoost models only
        expected_types["ModelEvaluation"] = "Processing"
    assert {name: step["Type"] for name, step in steps.items()} == expected_types
    config = {
        channel["ChannelName"]: channel
        for channel in steps[training_step]["Arguments"]["InputDataConfig"]
    }["config"]
    assert config["DataSource"]["S3DataSource"]["S3Uri"] == PREP_URI
    evaluation_lines = [
        '    ModelEvaluation["ModelEvaluation (Processing)"]',
        f"    HyperparameterPrep -->|hyperparameters_s3_uri| {training_step}",
        f"    {training_step} -->|ModelArtifacts.S3ModelArtifacts| ModelEvaluation",
        "    HyperparameterPrep -->|hyperparameters_s3_uri| ModelEvaluation",
    ]
    expected_lines = [
        "flowchart TD",
        '    HyperparameterPrep["HyperparameterPrep (Lambda)"]',
        f'    {training_step}["{training_step} (Training)"]',
        *(
            evaluation_lines
            if framework == "xgboost"
            else [f"    HyperparameterPrep -->|hyperparameters_s3_uri| {training_step}"]
        ),
    ]
    assert result.stdout.splitlines() == expected_lines


def test_definition_mock_needs_no_aws_configuration(
    tmp_path: Path, child_env: dict[str, str]
) -> None:
    """GIVEN a machine with no AWS credentials, no IMDS switch-off and a region other
    than us-east-1
    WHEN definition --mock runs
    THEN it succeeds without any non-loopback connection (no credential lookup, no
    instance-metadata probe) and deploys the Lambda to the mock in that region."""
    env = {
        key: value
        for key, value in child_env.items()
        if not key.startswith("AWS_") or key in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
    }
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    result = cli(
        env,
        "definition",
        *("--hyperparameters", hp, "--framework", "xgboost", "--role-arn", ROLE_ARN),
        *("--bucket", "cli-region", "--mock", "--region", "eu-west-1"),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert_clean(result)
    definition = json.loads(result.stdout)
    prep = next(step for step in definition["Steps"] if step["Type"] == "Lambda")
    assert prep["FunctionArn"].startswith("arn:aws:lambda:eu-west-1:")


def test_unexpected_error_traceback_goes_to_stderr(child_env: dict[str, str]) -> None:
    """GIVEN a command that fails unexpectedly after the SDK (which installs rich's
    traceback hook, printing to stdout) has been imported
    WHEN the CLI runs it
    THEN the traceback is on stderr and stdout stays empty."""
    code = (
        "import sys\n"
        "import pipeline_steps.tools.cli as cli\n"
        "def boom(args, out):\n"
        "    import sagemaker.workflow.pipeline  # installs rich's traceback hook\n"
        "    raise RuntimeError('boom')\n"
        "cli._command_contracts = boom\n"
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


# ------------------------------------------------------------------ demo


def test_demo_runs_end_to_end(tmp_path: Path, child_env: dict[str, str]) -> None:
    """GIVEN an empty working folder and no AWS account
    WHEN pipeline-steps demo runs
    THEN it exits 0, writes pipeline-definition.json there, prints the S3 URI, the stored
    JSON with the overridden learning rate, the config channel's property reference and
    the Mermaid DAG, and shows no SDK banner, config INFO line or traceback."""
    result = cli(child_env, "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == ""
    assert_clean(result)
    definition = json.loads((tmp_path / "pipeline-definition.json").read_text(encoding="utf-8"))
    assert [step["Name"] for step in definition["Steps"]] == [
        "HyperparameterPrep",
        "XGBoostTraining",
        "ModelEvaluation",
    ]
    out = result.stdout
    uri_line = next(line for line in out.splitlines() if line.startswith("S3 URI:"))
    uri = uri_line.split()[-1]
    sha_line = next(line for line in out.splitlines() if line.startswith("sha256:"))
    sha = sha_line.split()[-1]
    assert uri == (f"s3://sagemaker-pipeline-steps-demo/hyperparameters/{sha}/hyperparameters.json")
    assert '"learning_rate": 0.05' in out
    assert json.dumps(PREP_URI["Get"]) in out
    assert "flowchart TD" in out
    assert "HyperparameterPrep -->|hyperparameters_s3_uri| XGBoostTraining" in out
    assert "an unchanged second definition() made GetFunction" in out

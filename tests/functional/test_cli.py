"""``pipeline-steps``: exit codes, one-line errors, clean output: prepare, contracts, help.

The tests call ``main(argv, out=..., err=...)`` in-process: parsing, checks, S3 on the
shared moto server and builds on in-process moto need no process of their own, and the
suite's socket guard (tests/conftest.py) keeps them on loopback. ``definition`` and the
installed entry point in its own process: test_cli_definition.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from pipeline_script_contracts import CONTRACTS, XGBOOST_TRAIN_CONTRACT
from pipeline_steps.frameworks import FRAMEWORKS
from pipeline_steps.tools.cli import main

from cli_invocation import (  # noqa: F401 (nothing_leaks: the autouse fixture)
    HYPERPARAMETERS,
    assert_clean,
    definition_args,
    nothing_leaks,
    run,
    write,
)


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
    ran.one_line_error("prepare", 2, fragment)
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
    ran.one_line_error("prepare", 1, f"bucket {unique_bucket_name} does not exist")


def test_prepare_unreachable_endpoint_names_this_machine_not_lambda(tmp_path: Path) -> None:
    """GIVEN an S3 endpoint nothing listens on (a closed loopback port)
    WHEN prepare runs from this machine
    THEN it exits 1 with one line about this machine's network and --endpoint-url, not
    about a Lambda function's VPC or execution role."""
    path = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    ran = run("prepare", path, "--bucket", "some-bucket", "--endpoint-url", "http://127.0.0.1:9")
    line = ran.one_line_error("prepare", 1, "could not reach S3 at http://127.0.0.1:9")
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
    line = run(*argv).one_line_error(command, 1, "no AWS credentials found")
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

    run("contracts", "lightgbm_train").one_line_error("contracts", 2, "lightgbm_train")


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
    run("demo", "--output", target).one_line_error("demo", 2, "folder")
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    ran = run(*definition_args(hp, "xgboost", "--mock", "--output", target))
    ran.one_line_error("definition", 2, "does not exist")


# ------------------------------------------------------------------ definition


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--region", "mars-1"], "--region 'mars-1' is not a region where SageMaker is available"),
        (["--pipeline-name", "bad name!"], "--pipeline-name 'bad name!' is not a SageMaker"),
        (["--pipeline-name=-leading-hyphen"], "pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}"),
        (["--bucket", "Bad_Bucket"], '--bucket: bucket "Bad_Bucket": may hold only lowercase'),
    ],
    ids=["region", "pipeline-name", "leading-hyphen", "bucket"],
)
def test_region_and_pipeline_name_are_checked_against_sagemaker(
    tmp_path: Path, extra: list[str], fragment: str
) -> None:
    """GIVEN a region botocore's endpoint data does not list for SageMaker, a pipeline
    name its PipelineName shape refuses, or a bucket name S3 refuses
    WHEN definition --mock runs
    THEN it exits 2 with one line, before anything is built (the mock bucket included)."""
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    run(*definition_args(hp, "xgboost", "--mock", *extra)).one_line_error("definition", 2, fragment)


# ------------------------------------------------------------------ an unknown AWS profile

NO_SUCH_PROFILE = "pipeline-steps-no-such-profile"


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["prepare", "<hp>", "--bucket", "some-bucket"], "prepare"),
        (["<definition>"], "definition"),
        (["run", "--local", "pipeline.py", "--endpoint-url", "http://127.0.0.1:9"], "run"),
    ],
    ids=["prepare", "definition", "run-endpoint"],
)
def test_an_unknown_aws_profile_is_one_line_exit_1(
    argv: list[str], command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN AWS_PROFILE naming a profile no AWS config file holds
    WHEN a command that would use the caller's AWS configuration runs
    THEN it exits 1 with one line naming the profile and how to fix it, before anything
    is built or sent."""
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))
    write(tmp_path / "pipeline.py", "def get_pipeline():\n    raise AssertionError\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_PROFILE", NO_SUCH_PROFILE)
    argv = [hp if a == "<hp>" else a for a in argv]
    if argv == ["<definition>"]:
        argv = definition_args(hp)

    line = run(*argv).one_line_error(command, 1, f"The config profile ({NO_SUCH_PROFILE})")

    assert "AWS_PROFILE" in line
    assert "aws configure list-profiles" in line


def test_an_unknown_aws_profile_does_not_stop_mock_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN AWS_PROFILE naming a profile no AWS config file holds
    WHEN definition --mock runs with --region, and contracts runs
    THEN both succeed: neither reads the caller's AWS configuration (the mock never uses
    the profile), and the profile is the caller's again afterwards."""
    monkeypatch.setenv("AWS_PROFILE", NO_SUCH_PROFILE)
    hp = write(tmp_path / "hp.json", json.dumps(HYPERPARAMETERS))

    built = run(*definition_args(hp, "xgboost", "--mock", "--region", "us-east-1"))
    listed = run("contracts")

    assert (built.code, built.err) == (0, "")
    assert json.loads(built.out)["Steps"]
    assert listed.code == 0
    assert os.environ["AWS_PROFILE"] == NO_SUCH_PROFILE

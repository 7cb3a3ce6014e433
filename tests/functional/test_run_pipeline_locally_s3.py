"""The local runner over HTTP against the shared moto server: S3 copy rules and a whole run.

Everything talks to the session's ``moto_server`` through ``endpoint_url`` (the builders'
session through ``AWS_ENDPOINT_URL``), as a user would point the runner at any endpoint.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import boto3
import pytest

from pipeline_steps import (
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    LocalRunError,
    XGBoostTrainingConfig,
    XGBoostTrainingStepBuilder,
    run_pipeline_locally,
)
from pipeline_steps.runtime import s3io
from pipeline_steps.sdk import Pipeline, PipelineSession
from pipeline_steps.tools.mock_aws import create_mock_role

pytestmark = pytest.mark.filterwarnings("ignore:Running within a PipelineSession:UserWarning")

SCRIPTS = str(Path(__file__).parent / "local_run_scripts")


@pytest.fixture
def s3(moto_server: str, unique_bucket_name: str) -> Any:
    client = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_server)
    client.create_bucket(Bucket=unique_bucket_name)
    return client


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_s3_prefix_downloads_keep_relative_paths(
    s3: Any, unique_bucket_name: str, tmp_path: Path
) -> None:
    """GIVEN objects below a prefix, beside it and an object named exactly
    WHEN each S3Prefix is downloaded THEN a trailing-slash prefix gives the objects below it
    with their relative paths; a prefix without one also takes keys continuing its last
    segment, relative to its folder; an exact key gives that one file."""
    bucket = unique_bucket_name
    for key in (
        "data/train/a.csv",
        "data/train/sub/b.csv",
        "data/train.csv",
        "data/training/c.csv",
        "hp/abc/hyperparameters.json",
        "data/train/empty-folder/",
    ):
        s3.put_object(Bucket=bucket, Key=key, Body=b"" if key.endswith("/") else b"x\n")

    def fetch(uri: str, name: str) -> list[str]:
        s3io.download_prefix(s3, uri, tmp_path / name, where="test")
        return _tree(tmp_path / name)

    assert fetch(f"s3://{bucket}/data/train/", "slash") == ["a.csv", "sub/b.csv"]
    assert fetch(f"s3://{bucket}/data/train", "bare") == [
        "a.csv",
        "sub/b.csv",
        "train.csv",
        "training/c.csv",
    ]
    assert fetch(f"s3://{bucket}/hp/abc/hyperparameters.json", "exact") == ["hyperparameters.json"]
    assert fetch(f"s3://{bucket}/nothing/", "none") == []


def test_keys_that_would_escape_the_folder_are_refused(
    s3: Any, unique_bucket_name: str, tmp_path: Path
) -> None:
    """GIVEN an object whose key climbs out with '..' WHEN its prefix is downloaded THEN the
    download is refused and nothing lands outside the destination."""
    s3.put_object(Bucket=unique_bucket_name, Key="data/evil/../../escaped.txt", Body=b"x")

    with pytest.raises(LocalRunError, match=r"would land outside"):
        s3io.download_prefix(s3, f"s3://{unique_bucket_name}/data/evil/", tmp_path / "d", where="t")

    assert not (tmp_path / "escaped.txt").exists()


def test_folders_upload_and_archive_as_sagemaker_lays_them_out(
    s3: Any, unique_bucket_name: str, tmp_path: Path
) -> None:
    """GIVEN a folder with nested files WHEN uploaded and archived THEN each file is under the
    destination with its relative path, and the tar.gz lists the folder's contents sorted."""
    folder = tmp_path / "out"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.txt").write_text("b")
    (folder / "sub" / "a.txt").write_text("a")

    uploaded = s3io.upload_directory(s3, folder, f"s3://{unique_bucket_name}/o/", where="t")
    archive = s3io.make_tarball(folder, tmp_path / "model.tar.gz")

    assert uploaded == [
        f"s3://{unique_bucket_name}/o/b.txt",
        f"s3://{unique_bucket_name}/o/sub/a.txt",
    ]
    with tarfile.open(archive) as tar:
        assert tar.getnames() == ["b.txt", "sub", "sub/a.txt"]


def test_a_pipeline_runs_against_an_s3_endpoint(
    moto_server: str,
    s3: Any,
    unique_bucket_name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN prep -> training built with a session on the moto server
    WHEN run with an S3 client for that endpoint THEN both steps run, the model archive is on
    the server and the handler wrote the hyperparameters there too."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    bucket = unique_bucket_name
    s3.put_object(Bucket=bucket, Key="data/train/part.csv", Body=b"1,0.5\n0,0.1\n")
    boto_session = boto3.Session(region_name="us-east-1")
    role_arn = create_mock_role(boto_session, "sagemaker-local-run")
    session = PipelineSession(
        boto_session=boto_session,
        default_bucket=bucket,
        sagemaker_client=boto_session.client("sagemaker"),
    )
    session.lambda_client = boto_session.client("lambda")  # type: ignore[assignment]
    prep = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(bucket=bucket, lambda_role_arn=role_arn),
        sagemaker_session=session,
    ).create_step(hyperparameters={"learning_rate": 0.2})
    train = XGBoostTrainingStepBuilder(
        XGBoostTrainingConfig(
            role_arn=role_arn,
            source_dir=SCRIPTS,
            entry_point="train_minimal.py",
            output_path=f"s3://{bucket}/models",
        ),
        sagemaker_session=session,
    ).create_step(inputs={"training_data": f"s3://{bucket}/data/train/"}, dependencies=[prep])
    pipeline = Pipeline(name="EndpointRun", steps=[prep, train], sagemaker_session=session)

    result = run_pipeline_locally(pipeline, s3_client=s3, workdir=tmp_path, progress=None)

    model_uri = result["XGBoostTraining"].outputs["model_output"]
    body = s3.get_object(Bucket=bucket, Key=model_uri.split("/", 3)[3])["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body)) as archive:
        member = archive.extractfile("model.json")
        assert member is not None
        model = json.load(member)
    assert model["hyperparameters"] == {"learning_rate": 0.2}
    assert model["rows"] == 2

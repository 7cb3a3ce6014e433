"""Golden file: the compiled prep -> XGBoost training -> evaluation pipeline definition.

The pipeline is ``build_training_pipeline`` (what ``pipeline-steps definition`` and the
demo compile) on moto, with a pipeline parameter inside the hyperparameters. Parsed JSON
is compared, against one golden file per SDK major. Only the code-upload keys are
normalised: builders name them ``pipeline-steps/code/<sha256 of the files>/...``, so they
change whenever a reference script changes. Everything else (the Lambda ARN in moto's
account, the role, the images) is the same on every run and is compared as is.

Regenerate with ``python -m pytest tests/golden --update-golden``.
"""

from __future__ import annotations

import compileall
import io
import json
import re
import shutil
import tarfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pipeline_steps import XGBoostHyperparameters
from pipeline_steps.core.code_bundle import source_tar
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
from pipeline_steps.sdk import SDK_MAJOR, ParameterFloat, PipelineSession
from pipeline_steps.tools.templates import build_training_pipeline

pytestmark = pytest.mark.filterwarnings("ignore:Running within a PipelineSession:UserWarning")

GOLDEN = Path(__file__).parent / "data" / f"three_step_pipeline_v{SDK_MAJOR}.json"
REGION = "us-east-1"
BUCKET = "golden-three-step"
PIPELINE_NAME = "GoldenThreeStep"
PREP_URI = {"Get": "Steps.HyperparameterPrep.OutputParameters['hyperparameters_s3_uri']"}
MODEL_ARTIFACTS = {"Get": "Steps.XGBoostTraining.ModelArtifacts.S3ModelArtifacts"}
CODE_KEY = re.compile(rf"(s3://{BUCKET}/pipeline-steps/code/)[0-9a-f]{{64}}(/)")
CODE_KEY_PLACEHOLDER = r"\g<1><sha256>\g<2>"
ASSUME_ROLE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com", "sagemaker.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def _compile() -> dict[str, Any]:
    with mock_aws():
        boto_session = boto3.Session(region_name=REGION)
        role_arn = boto_session.client("iam").create_role(
            RoleName="sagemaker-golden-three-step", AssumeRolePolicyDocument=ASSUME_ROLE
        )["Role"]["Arn"]
        boto_session.client("s3").create_bucket(Bucket=BUCKET)
        session = PipelineSession(boto_session=boto_session, default_bucket=BUCKET)
        learning_rate = ParameterFloat(name="LearningRate", default_value=0.1)
        built = build_training_pipeline(
            framework="xgboost",
            hyperparameters=XGBoostHyperparameters(
                objective="binary:logistic",
                max_depth=6,
                learning_rate=learning_rate,
                n_estimators=200,
            ),
            role_arn=role_arn,
            bucket=BUCKET,
            sagemaker_session=session,
            pipeline_name=PIPELINE_NAME,
            parameters=[learning_rate],
            validation_data=f"s3://{BUCKET}/data/validation/",
        )
        definition: dict[str, Any] = json.loads(built.pipeline.definition())
        return definition


def _normalise(definition: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Replace the content hash in each code-upload key; return the count replaced."""
    text, count = CODE_KEY.subn(CODE_KEY_PLACEHOLDER, json.dumps(definition))
    return json.loads(text), count


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return _compile()


def _step(definition: dict[str, Any], name: str) -> dict[str, Any]:
    steps = {step["Name"]: step for step in definition["Steps"]}
    return steps[name]


def test_definition_matches_golden_file(definition: dict[str, Any], update_golden: bool) -> None:
    """GIVEN the three-step pipeline compiled on moto
    WHEN its definition is normalised (code-upload hashes only)
    THEN it equals the pinned golden file."""
    normalised, replaced = _normalise(definition)
    # Exactly the three uploads: the training sourcedir and the processing code + entrypoint.
    assert replaced == 3
    if update_golden:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(normalised, indent=2, sort_keys=True) + "\n", "utf-8")
    assert GOLDEN.exists(), "golden file missing: run pytest tests/golden --update-golden"
    assert normalised == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_normalisation_touches_only_code_upload_keys(definition: dict[str, Any]) -> None:
    """GIVEN the compiled definition
    WHEN the code-upload hashes are normalised
    THEN nothing else changes, and every normalised value is a code upload."""
    normalised, _ = _normalise(definition)
    training = _step(normalised, "XGBoostTraining")["Arguments"]
    submit = json.loads(training["HyperParameters"]["sagemaker_submit_directory"])
    assert submit == f"s3://{BUCKET}/pipeline-steps/code/<sha256>/sourcedir.tar.gz"
    inputs = _step(normalised, "ModelEvaluation")["Arguments"]["ProcessingInputs"]
    uploads = {i["InputName"]: i["S3Input"]["S3Uri"] for i in inputs if "<sha256>" in str(i)}
    assert uploads == {
        "code": f"s3://{BUCKET}/pipeline-steps/code/<sha256>/sourcedir.tar.gz",
        "entrypoint": f"s3://{BUCKET}/pipeline-steps/code/<sha256>/runproc.sh",
    }
    # Putting the original keys back, in order, restores the original document exactly.
    restored = json.dumps(normalised)
    for match in CODE_KEY.finditer(json.dumps(definition)):
        restored = restored.replace(CODE_KEY.sub(CODE_KEY_PLACEHOLDER, match[0]), match[0], 1)
    assert json.loads(restored) == definition


def test_code_upload_hash_is_stable_across_compilations(
    definition: dict[str, Any], tmp_path: Path
) -> None:
    """GIVEN the reference scripts folder: the four contract scripts, the helper module they
    import and the data files they read
    WHEN it is bundled, also as a copy with a __pycache__ (as importing job_io writes),
    and the pipeline is compiled a second time
    THEN the bundle holds exactly those files, the copy bundles to the same bytes, and the
    code-upload keys (content hashes) are identical: bytecode is never uploaded."""
    bundle = source_tar(REFERENCE_SCRIPTS_DIR)
    with tarfile.open(fileobj=io.BytesIO(bundle)) as archive:
        members = sorted(archive.getnames())
    assert members == [
        "job_io.py",
        "model_evaluation.py",
        "pytorch_hyperparameters.json",
        "sklearn_estimators.json",
        "train.py",
        "train_sklearn.py",
        "train_xgb.py",
        "xgboost_parameters.json",
    ]
    copy = shutil.copytree(REFERENCE_SCRIPTS_DIR, tmp_path / "scripts")
    assert compileall.compile_dir(copy, quiet=1)
    assert any((copy / "__pycache__").glob("job_io.*.pyc"))
    assert source_tar(copy) == bundle
    again = _compile()
    assert CODE_KEY.findall(json.dumps(again)) == CODE_KEY.findall(json.dumps(definition))
    assert again == definition


def test_training_config_channel_reads_prep_output_by_property(
    definition: dict[str, Any],
) -> None:
    """GIVEN the compiled definition
    WHEN the training step's channels are read
    THEN the config channel's S3Uri is the prep step's output property, not a literal,
    with content type application/json; train and validation are the literal URIs."""
    channels = {
        channel["ChannelName"]: channel
        for channel in _step(definition, "XGBoostTraining")["Arguments"]["InputDataConfig"]
    }
    assert list(channels) == ["train", "validation", "config"]
    config = channels["config"]
    assert config["DataSource"]["S3DataSource"]["S3Uri"] == PREP_URI
    assert config["ContentType"] == "application/json"
    assert channels["train"]["DataSource"]["S3DataSource"]["S3Uri"] == (
        f"s3://{BUCKET}/data/train/"
    )
    assert "ContentType" not in channels["train"]


def test_evaluation_inputs_reference_prep_and_training_by_property(
    definition: dict[str, Any],
) -> None:
    """GIVEN the compiled definition
    WHEN the evaluation step's processing inputs are read
    THEN the hyperparameters input is the prep step's output property landing in
    /opt/ml/processing/input/config, and the model input is the training step's
    ModelArtifacts.S3ModelArtifacts property."""
    inputs = {
        item["InputName"]: item["S3Input"]
        for item in _step(definition, "ModelEvaluation")["Arguments"]["ProcessingInputs"]
    }
    assert inputs["hyperparameters_s3_uri"]["S3Uri"] == PREP_URI
    assert inputs["hyperparameters_s3_uri"]["LocalPath"] == "/opt/ml/processing/input/config"
    assert inputs["model_input"]["S3Uri"] == MODEL_ARTIFACTS
    assert inputs["model_input"]["LocalPath"] == "/opt/ml/processing/input/model"


def test_no_step_orders_by_depends_on_where_data_already_orders_it(
    definition: dict[str, Any],
) -> None:
    """GIVEN the compiled definition
    WHEN the steps' ordering is read
    THEN every edge comes from a property reference, so no step carries DependsOn, and
    the pipeline parameter reaches the prep step as an override argument."""
    assert [step["Name"] for step in definition["Steps"]] == [
        "HyperparameterPrep",
        "XGBoostTraining",
        "ModelEvaluation",
    ]
    assert all("DependsOn" not in step for step in definition["Steps"])
    prep_arguments = _step(definition, "HyperparameterPrep")["Arguments"]
    assert prep_arguments["override.learning_rate"] == {"Get": "Parameters.LearningRate"}
    assert definition["Parameters"] == [
        {"Name": "LearningRate", "Type": "Float", "DefaultValue": 0.1}
    ]

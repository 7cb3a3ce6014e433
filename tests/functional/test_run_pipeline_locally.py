"""run_pipeline_locally on moto: whole pipelines built by the builders, run on this machine.

Pipelines are built with a PipelineSession on in-process moto (the SDK uploads the code
and the bundled Lambda is deployed to the mock when the definition is rendered), then run
with an S3 client on the same mock. The scripts are this folder's ``local_run_scripts``:
standard-library ones for speed, and real XGBoost ones for the end-to-end test.
"""

from __future__ import annotations

import io
import json
import random
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pipeline_steps import (
    ContractViolationError,
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    ModelEvaluationConfig,
    ModelEvaluationStepBuilder,
    ParameterError,
    PyTorchTrainingConfig,
    PyTorchTrainingStepBuilder,
    StepFailedError,
    UnsupportedStepError,
    XGBoostHyperparameters,
    XGBoostTrainingConfig,
    XGBoostTrainingStepBuilder,
    run_pipeline_locally,
)
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
from pipeline_steps.sdk import (
    ConditionGreaterThan,
    ConditionStep,
    ParameterFloat,
    Pipeline,
    PipelineSession,
)
from pipeline_steps.tools.mock_aws import create_mock_role
from pipeline_steps.tools.templates import build_training_pipeline

pytestmark = pytest.mark.filterwarnings("ignore:Running within a PipelineSession:UserWarning")

REGION = "us-east-1"
BUCKET = "local-run-tests"
SCRIPTS = str(Path(__file__).parent / "local_run_scripts")
EVAL_ENV = {"ID_FIELD": "id", "LABEL_FIELD": "label"}


@dataclass
class Sandbox:
    """Mock AWS with data in a bucket, a role and a PipelineSession."""

    session: PipelineSession
    s3: Any
    role_arn: str

    def read(self, uri: str) -> bytes:
        body: bytes = self.s3.get_object(Bucket=BUCKET, Key=uri.split("/", 3)[3])["Body"].read()
        return body

    def pipeline(
        self,
        name: str,
        *,
        train_entry: str = "train_minimal.py",
        evaluate_entry: str | None = "evaluate_minimal.py",
        train_data: str = f"s3://{BUCKET}/data/train/",
        validation_data: str | None = None,
        learning_rate: ParameterFloat | None = None,
        extra_steps: tuple[Any, ...] = (),
    ) -> Pipeline:
        """Prep -> XGBoost training [-> evaluation], with the fixture scripts."""
        rate = learning_rate or ParameterFloat(name="LearningRate", default_value=0.1)
        prep = HyperparameterPrepStepBuilder(
            HyperparameterPrepConfig(bucket=BUCKET, lambda_role_arn=self.role_arn),
            sagemaker_session=self.session,
        )
        prep_step = prep.create_step(
            hyperparameters=XGBoostHyperparameters(
                objective="binary:logistic", max_depth=3, learning_rate=rate, n_estimators=5
            )
        )
        trainer = XGBoostTrainingStepBuilder(
            XGBoostTrainingConfig(
                role_arn=self.role_arn,
                source_dir=SCRIPTS,
                entry_point=train_entry,
                output_path=f"s3://{BUCKET}/models",
            ),
            sagemaker_session=self.session,
        )
        data = {"training_data": train_data}
        if validation_data is not None:
            data["validation_data"] = validation_data
        train_step = trainer.create_step(inputs=data, dependencies=[prep_step])
        steps: list[Any] = [prep_step, train_step]
        if evaluate_entry is not None:
            evaluator = ModelEvaluationStepBuilder(
                ModelEvaluationConfig(
                    role_arn=self.role_arn,
                    source_dir=SCRIPTS,
                    entry_point=evaluate_entry,
                    environment=EVAL_ENV,
                    output_path=f"s3://{BUCKET}/evaluation",
                ),
                sagemaker_session=self.session,
            )
            steps.append(
                evaluator.create_step(
                    inputs={
                        "model_input": trainer.outputs(train_step)["model_output"],
                        "eval_data_input": f"s3://{BUCKET}/data/eval/",
                    },
                    dependencies=[prep_step],
                )
            )
        return Pipeline(
            name=name,
            parameters=[rate],
            steps=[*steps, *extra_steps],
            sagemaker_session=self.session,
        )


def _rows(count: int, seed: int) -> list[tuple[int, int, float, float]]:
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        x1, x2 = rng.random(), rng.random()
        rows.append((index, int(x1 + x2 > 1), round(x1, 4), round(x2, 4)))
    return rows


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with mock_aws():
        boto_session = boto3.Session(region_name=REGION)
        s3 = boto_session.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        for name, rows in (("part-0", _rows(60, 1)), ("nested/part-1", _rows(40, 2))):
            body = "\n".join(f"{y},{a},{b}" for _, y, a, b in rows) + "\n"
            s3.put_object(Bucket=BUCKET, Key=f"data/train/{name}.csv", Body=body)
        validation = "\n".join(f"{y},{a},{b}" for _, y, a, b in _rows(30, 3)) + "\n"
        s3.put_object(Bucket=BUCKET, Key="data/validation/part-0.csv", Body=validation)
        evaluation = "id,label,x1,x2\n" + "\n".join(
            f"{i},{y},{a},{b}" for i, y, a, b in _rows(30, 4)
        )
        s3.put_object(Bucket=BUCKET, Key="data/eval/eval.csv", Body=evaluation + "\n")
        role_arn = create_mock_role(boto_session, "sagemaker-local-run")
        session = PipelineSession(
            boto_session=boto_session,
            default_bucket=BUCKET,
            sagemaker_client=boto_session.client("sagemaker"),
        )
        session.lambda_client = boto_session.client("lambda")  # type: ignore[assignment]
        yield Sandbox(session, s3, role_arn)


def _step(definition: dict[str, Any], name: str) -> dict[str, Any]:
    return next(step for step in definition["Steps"] if step["Name"] == name)


@pytest.mark.slow
def test_xgboost_pipeline_runs_end_to_end_with_a_parameter_override(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """GIVEN prep -> real XGBoost training -> evaluation, with LearningRate a pipeline parameter
    WHEN run locally with LearningRate overridden to 0.3
    THEN the steps run in order with one progress line each; the stored hyperparameters carry
    0.3; the model archive is at <S3OutputPath>/<TrainingJobName>/output/model.tar.gz from the
    definition; the metrics are at the evaluation output's definition URI, rendered with this
    execution's id; and no script opened anything outside its contract."""
    pytest.importorskip("xgboost")
    rate = ParameterFloat(name="LearningRate", default_value=0.1)
    pipeline = sandbox.pipeline(
        "LocalXGBoost",
        train_entry="train_xgb.py",
        evaluate_entry="model_evaluation.py",
        validation_data=f"s3://{BUCKET}/data/validation/",
        learning_rate=rate,
    )
    definition = json.loads(pipeline.definition())
    progress = io.StringIO()

    result = run_pipeline_locally(
        pipeline,
        parameters={"LearningRate": 0.3},
        s3_client=sandbox.s3,
        workdir=tmp_path,
        progress=progress,
    )

    lines = progress.getvalue().splitlines()
    assert [line.split(" ... ")[0] for line in lines] == [
        "[1/3] HyperparameterPrep (Lambda)",
        "[2/3] XGBoostTraining (Training)",
        "[3/3] ModelEvaluation (Processing)",
    ]
    assert all(" ... ok " in line for line in lines)
    assert list(result) == ["HyperparameterPrep", "XGBoostTraining", "ModelEvaluation"]
    assert result.parameters == {"LearningRate": 0.3}

    hyperparameters_uri = result["HyperparameterPrep"].outputs["hyperparameters_s3_uri"]
    stored = json.loads(sandbox.read(hyperparameters_uri))
    assert stored["learning_rate"] == 0.3
    assert stored["max_depth"] == 3

    training = result["XGBoostTraining"]
    job_name = training.properties["TrainingJobName"]
    assert re.fullmatch(
        rf"pipelines-{result.execution_id}-XGBoostTraining-[0-9a-f]{{10}}", job_name
    )
    output_path = _step(definition, "XGBoostTraining")["Arguments"]["OutputDataConfig"]
    model_uri = f"{output_path['S3OutputPath']}/{job_name}/output/model.tar.gz"
    assert training.outputs["model_output"] == model_uri
    assert training.properties["ModelArtifacts"]["S3ModelArtifacts"] == model_uri
    with tarfile.open(fileobj=io.BytesIO(sandbox.read(model_uri))) as archive:
        assert archive.getnames() == ["xgboost-model.json"]
    assert sandbox.read(training.outputs["evaluation_output"])
    channels = {c["ChannelName"]: c for c in training.properties["InputDataConfig"]}
    assert channels["config"]["DataSource"]["S3DataSource"]["S3Uri"] == hyperparameters_uri

    outputs = _step(definition, "ModelEvaluation")["Arguments"]["ProcessingOutputConfig"]
    metrics_join = next(o for o in outputs["Outputs"] if o["OutputName"] == "metrics_output")
    values = metrics_join["S3Output"]["S3Uri"]["Std:Join"]["Values"]
    assert values[1] == {"Get": "Execution.PipelineExecutionId"}
    metrics_uri = "/".join([values[0], result.execution_id, *values[2:]])
    assert result["ModelEvaluation"].outputs["metrics_output"] == metrics_uri
    metrics = json.loads(sandbox.read(f"{metrics_uri}/metrics.json"))
    assert metrics["learning_rate"] == 0.3
    assert metrics["metrics"]["count"] == 30
    assert metrics["metrics"]["accuracy"] > 0.6
    assert all(not step.undeclared_paths for step in result.values())


def test_channel_data_keeps_relative_paths_and_jobs_run_from_their_folders(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """GIVEN a train prefix holding a file and a nested file, read without a trailing slash
    WHEN the standard-library pipeline runs THEN both files land under the channel with their
    relative paths, the evaluation reads the trained model through the property reference,
    and each step's folder holds the container layout and the logs."""
    pipeline = sandbox.pipeline("LocalMinimal", train_data=f"s3://{BUCKET}/data/train")

    result = run_pipeline_locally(pipeline, s3_client=sandbox.s3, workdir=tmp_path, progress=None)

    training = result["XGBoostTraining"]
    assert training.local_dir == tmp_path.resolve() / "XGBoostTraining"
    model = json.loads((training.local_dir / "opt/ml/model/model.json").read_text())
    assert model["files"] == ["nested/part-1.csv", "part-0.csv"]
    assert model["rows"] == 100
    assert model["hyperparameters"]["learning_rate"] == 0.1
    assert training.stderr is not None and training.stderr.parent.name == "local-run"
    assert set(training.phases) == {"download", "code", "run", "check", "upload"}
    metrics_uri = result["ModelEvaluation"].outputs["metrics_output"]
    assert json.loads(sandbox.read(f"{metrics_uri}/metrics.json")) == {
        "id_field": "id",
        "trained_rows": 100,
        "learning_rate": 0.1,
    }
    assert (tmp_path / "HyperparameterPrep" / "local-run" / "event.json").is_file()
    assert result.phases["definition"] > 0
    assert result.phases["steps.run"] > 0


def test_a_script_that_skips_a_declared_output_fails_naming_the_output(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """GIVEN a training script that never writes /opt/ml/output/data
    WHEN the pipeline runs THEN it stops at training with a ContractViolationError naming the
    output and its path; the prep step's result travels with the error."""
    pipeline = sandbox.pipeline("LocalSkips", train_entry="train_skips_output.py")
    progress = io.StringIO()

    with pytest.raises(ContractViolationError) as caught:
        run_pipeline_locally(pipeline, s3_client=sandbox.s3, workdir=tmp_path, progress=progress)

    error = caught.value
    assert error.step_name == "XGBoostTraining"
    assert "declared output 'evaluation_output' (/opt/ml/output/data) is empty" in str(error)
    assert list(error.completed) == ["HyperparameterPrep"]
    assert progress.getvalue().splitlines()[-1].endswith("FAILED")


def test_paths_outside_the_contract_warn_and_fail_in_strict_mode(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """GIVEN a training script that also writes /opt/ml/output/extra/notes.txt
    WHEN run normally THEN the run succeeds and the step reports the path (also on its
    progress line); WHEN run with strict=True THEN it fails naming the path."""
    pipeline = sandbox.pipeline(
        "LocalUndeclared", train_entry="train_writes_undeclared.py", evaluate_entry=None
    )
    progress = io.StringIO()

    result = run_pipeline_locally(
        pipeline, s3_client=sandbox.s3, workdir=tmp_path / "lenient", progress=progress
    )

    reported = {(f.access, f.path) for f in result["XGBoostTraining"].undeclared_paths}
    assert reported == {
        ("mkdir", "/opt/ml/output/extra"),
        ("write", "/opt/ml/output/extra/notes.txt"),
    }
    assert "warning: opened outside its contract" in progress.getvalue()

    with pytest.raises(ContractViolationError) as caught:
        run_pipeline_locally(
            pipeline, s3_client=sandbox.s3, workdir=tmp_path / "strict", strict=True, progress=None
        )
    assert "opened write /opt/ml/output/extra/notes.txt" in str(caught.value)
    assert "outside contract 'xgboost_train'" in str(caught.value)


def test_a_failing_script_names_the_step_exit_code_and_stderr(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """GIVEN a training script that exits 3 after writing to stderr WHEN run THEN the error
    names the step, the exit code and the script's last stderr lines."""
    pipeline = sandbox.pipeline("LocalFails", train_entry="train_fails.py", evaluate_entry=None)

    with pytest.raises(StepFailedError) as caught:
        run_pipeline_locally(pipeline, s3_client=sandbox.s3, workdir=tmp_path, progress=None)

    error = caught.value
    assert (error.step_name, error.exit_code) == ("XGBoostTraining", 3)
    assert error.stderr_tail == ("loading data", "ValueError: the label column holds 'yes'")
    assert "step 'XGBoostTraining': train_fails.py exited with code 3" in str(error)
    assert "ValueError: the label column holds 'yes'" in str(error)


def test_unsupported_step_types_fail_before_anything_runs(sandbox: Sandbox, tmp_path: Path) -> None:
    """GIVEN a pipeline with a ConditionStep WHEN run THEN UnsupportedStepError names the step
    and its type, and no step ran."""
    check = ConditionStep(
        name="CheckRate",
        conditions=[ConditionGreaterThan(left=1, right=0)],
        if_steps=[],
        else_steps=[],
    )
    pipeline = sandbox.pipeline("LocalCondition", evaluate_entry=None, extra_steps=(check,))
    progress = io.StringIO()

    with pytest.raises(UnsupportedStepError, match=r"'CheckRate' \(Condition\)"):
        run_pipeline_locally(pipeline, s3_client=sandbox.s3, workdir=tmp_path, progress=progress)

    assert progress.getvalue() == ""
    assert not any(tmp_path.iterdir())


def test_parameter_overrides_are_checked_by_name_and_type(sandbox: Sandbox, tmp_path: Path) -> None:
    """GIVEN the pipeline's LearningRate Float parameter WHEN overridden with an unknown name
    or a string THEN ParameterError names the parameter, before any step runs."""
    pipeline = sandbox.pipeline("LocalParameters", evaluate_entry=None)

    with pytest.raises(ParameterError, match=r"unknown pipeline parameter\(s\) LearnRate"):
        run_pipeline_locally(
            pipeline, parameters={"LearnRate": 0.2}, s3_client=sandbox.s3, workdir=tmp_path
        )
    with pytest.raises(ParameterError, match=r"'LearningRate' is a Float parameter"):
        run_pipeline_locally(
            pipeline, parameters={"LearningRate": "0.2"}, s3_client=sandbox.s3, workdir=tmp_path
        )


def test_an_empty_input_prefix_fails_like_sagemaker(sandbox: Sandbox, tmp_path: Path) -> None:
    """GIVEN a training channel whose prefix holds no objects WHEN run THEN the step fails
    naming the channel and the URI (SageMaker refuses such a job too)."""
    pipeline = sandbox.pipeline(
        "LocalEmpty", train_data=f"s3://{BUCKET}/nothing-here/", evaluate_entry=None
    )

    with pytest.raises(StepFailedError, match=r"channel 'train': no S3 objects found under"):
        run_pipeline_locally(pipeline, s3_client=sandbox.s3, workdir=tmp_path, progress=None)


def test_pytorch_pipeline_keeps_checkpoints_across_runs(sandbox: Sandbox, tmp_path: Path) -> None:
    """GIVEN prep -> PyTorch training whose checkpoint URI joins the pipeline name and
    execution id WHEN run twice with one execution's checkpoints copied to the other's URI
    THEN checkpoints upload to the rendered URI and a run restores what is there first."""
    prep = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(bucket=BUCKET, lambda_role_arn=sandbox.role_arn),
        sagemaker_session=sandbox.session,
    )
    prep_step = prep.create_step(hyperparameters={"learning_rate": 0.01, "epochs": 1})
    trainer = PyTorchTrainingStepBuilder(
        PyTorchTrainingConfig(
            role_arn=sandbox.role_arn,
            source_dir=SCRIPTS,
            entry_point="train_pytorch_minimal.py",
            output_path=f"s3://{BUCKET}/models",
            checkpoint_s3_uri=f"s3://{BUCKET}/checkpoints/fixed",
        ),
        sagemaker_session=sandbox.session,
    )
    train_step = trainer.create_step(
        inputs={"training_data": f"s3://{BUCKET}/data/train/"}, dependencies=[prep_step]
    )
    pipeline = Pipeline(
        name="LocalPyTorch", steps=[prep_step, train_step], sagemaker_session=sandbox.session
    )

    first = run_pipeline_locally(
        pipeline, s3_client=sandbox.s3, workdir=tmp_path / "one", progress=None
    )
    second = run_pipeline_locally(
        pipeline, s3_client=sandbox.s3, workdir=tmp_path / "two", progress=None
    )

    assert first["PyTorchTraining"].outputs["checkpoints"] == f"s3://{BUCKET}/checkpoints/fixed"
    assert json.loads(sandbox.read(f"s3://{BUCKET}/checkpoints/fixed/epoch-1.json")) == {
        "resumed": ["epoch-0.json"]
    }
    assert second["PyTorchTraining"].outputs["model_output"].endswith("/output/model.tar.gz")


@pytest.mark.slow
def test_reference_scripts_run_end_to_end(sandbox: Sandbox, tmp_path: Path) -> None:
    """GIVEN the pipeline the CLI builds, with the reference scripts and a parameter override
    WHEN run locally THEN every step succeeds within its contract (expected to pass once the
    reference scripts read SageMaker's environment)."""
    pytest.importorskip("xgboost")
    rate = ParameterFloat(name="LearningRate", default_value=0.1)
    built = build_training_pipeline(
        framework="xgboost",
        hyperparameters=XGBoostHyperparameters(
            objective="binary:logistic", max_depth=3, learning_rate=rate, n_estimators=5
        ),
        role_arn=sandbox.role_arn,
        bucket=BUCKET,
        sagemaker_session=sandbox.session,
        pipeline_name="LocalReference",
        parameters=[rate],
        validation_data=f"s3://{BUCKET}/data/validation/",
        source_dir=str(REFERENCE_SCRIPTS_DIR),
    )

    result = run_pipeline_locally(
        built.pipeline,
        parameters={"LearningRate": 0.3},
        s3_client=sandbox.s3,
        workdir=tmp_path,
        strict=True,
        progress=None,
    )

    metrics_uri = result["ModelEvaluation"].outputs["metrics_output"]
    assert json.loads(sandbox.read(f"{metrics_uri}/metrics.json"))

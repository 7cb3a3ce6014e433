"""Training and evaluation step builders on moto with a PipelineSession.

Each step is rendered with ``step.to_request()`` (the CreateTrainingJob /
CreateProcessingJob request the definition carries), with pipeline variables shown as
their definition expressions. Rendering uploads the code to the mocked bucket only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pydantic import ValidationError

from pipeline_script_contracts import (
    MODEL_EVALUATION_CONTRACT,
    PYTORCH_TRAIN_CONTRACT,
    XGBOOST_TRAIN_CONTRACT,
)
from pipeline_steps import (
    DependencyResolutionError,
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    ModelEvaluationConfig,
    ModelEvaluationStepBuilder,
    PyTorchTrainingConfig,
    PyTorchTrainingStepBuilder,
    StepBuilderError,
    UnknownOutputError,
    XGBoostTrainingConfig,
    XGBoostTrainingStepBuilder,
)
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
from pipeline_steps.sdk import (
    LambdaStep,
    ParameterString,
    PipelineSession,
    ProcessingStep,
    TrainingStep,
)

pytestmark = pytest.mark.filterwarnings("ignore:Running within a PipelineSession:UserWarning")

REGION = "us-east-1"
BUCKET = "training-builder-tests"
ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-training"
SCRIPTS = str(REFERENCE_SCRIPTS_DIR)
TRAIN_URI = f"s3://{BUCKET}/data/train/"
VALIDATION_URI = f"s3://{BUCKET}/data/validation/"
EVAL_URI = f"s3://{BUCKET}/data/eval/"
PREP_URI = {"Get": "Steps.HyperparameterPrep.OutputParameters['hyperparameters_s3_uri']"}
EVAL_ENV = {"ID_FIELD": "id", "LABEL_FIELD": "label"}


@dataclass
class Sandbox:
    """Mock AWS with a bucket and a PipelineSession."""

    session: PipelineSession

    def prep_step(self, name: str = "HyperparameterPrep") -> LambdaStep:
        builder = HyperparameterPrepStepBuilder(
            HyperparameterPrepConfig(bucket=BUCKET, lambda_role_arn=ROLE_ARN),
            sagemaker_session=self.session,
            step_name=name,
        )
        return builder.create_step(hyperparameters={"eta": 0.1, "max_depth": 6})

    def xgboost(self, **settings: Any) -> XGBoostTrainingStepBuilder:
        values: dict[str, Any] = {"role_arn": ROLE_ARN, "source_dir": SCRIPTS, **settings}
        return XGBoostTrainingStepBuilder(
            XGBoostTrainingConfig(**values), sagemaker_session=self.session
        )

    def pytorch(self, **settings: Any) -> PyTorchTrainingStepBuilder:
        values: dict[str, Any] = {"role_arn": ROLE_ARN, "source_dir": SCRIPTS, **settings}
        return PyTorchTrainingStepBuilder(
            PyTorchTrainingConfig(**values), sagemaker_session=self.session
        )

    def evaluator(self, **settings: Any) -> ModelEvaluationStepBuilder:
        values: dict[str, Any] = {
            "role_arn": ROLE_ARN,
            "source_dir": SCRIPTS,
            "environment": EVAL_ENV,
            **settings,
        }
        return ModelEvaluationStepBuilder(
            ModelEvaluationConfig(**values), sagemaker_session=self.session
        )


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with mock_aws():
        boto_session = boto3.Session(region_name=REGION)
        boto_session.client("s3").create_bucket(Bucket=BUCKET)
        yield Sandbox(PipelineSession(boto_session=boto_session, default_bucket=BUCKET))


def _as_definition(value: Any) -> Any:
    # A pipeline variable renders as its expression; a step (in DependsOn) as its name.
    return value.expr if hasattr(value, "expr") else value.name


def expressions(value: Any) -> Any:
    """``value`` as JSON, with each pipeline variable replaced by its definition expression."""
    return json.loads(json.dumps(value, default=_as_definition))


def request(step: TrainingStep | ProcessingStep) -> dict[str, Any]:
    """The step's definition entry (Name, Type, Arguments, DependsOn...)."""
    rendered: dict[str, Any] = expressions(step.to_request())
    return rendered


def channels(step: TrainingStep) -> dict[str, dict[str, Any]]:
    arguments = request(step)["Arguments"]
    return {channel["ChannelName"]: channel for channel in arguments["InputDataConfig"]}


def s3_uri(channel: dict[str, Any]) -> Any:
    return channel["DataSource"]["S3DataSource"]["S3Uri"]


# ------------------------------------------------------------------ XGBoost training


def test_xgboost_channels_come_from_the_contract(sandbox: Sandbox) -> None:
    """GIVEN the prep step as a dependency and train/validation URIs
    WHEN the XGBoost training step is built
    THEN its channels are the contract's (train, validation, config), the config channel
    reads the prep step's output property as application/json, and the data channels
    carry their literal URIs with no content type."""
    step = sandbox.xgboost().create_step(
        inputs={"training_data": TRAIN_URI, "validation_data": VALIDATION_URI},
        dependencies=[sandbox.prep_step()],
    )
    found = channels(step)
    assert list(found) == ["train", "validation", "config"]
    assert [XGBOOST_TRAIN_CONTRACT.channel_name(n) for n in XGBOOST_TRAIN_CONTRACT.input_names] == [
        "train",
        "validation",
        "config",
    ]
    assert s3_uri(found["config"]) == PREP_URI
    assert found["config"]["ContentType"] == "application/json"
    assert s3_uri(found["train"]) == TRAIN_URI
    assert s3_uri(found["validation"]) == VALIDATION_URI
    assert "ContentType" not in found["train"]
    assert "ContentType" not in found["validation"]


def test_xgboost_without_validation_data_has_no_validation_channel(sandbox: Sandbox) -> None:
    """GIVEN only training data and the prep step
    WHEN the step is built
    THEN the optional validation channel is left out."""
    step = sandbox.xgboost().create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[sandbox.prep_step()]
    )
    assert list(channels(step)) == ["train", "config"]


def test_xgboost_hyperparameters_stay_out_of_the_training_job(sandbox: Sandbox) -> None:
    """GIVEN a training step fed by the prep step
    WHEN its request is rendered
    THEN HyperParameters hold only the SDK's own entries (the script, code and region):
    the model's hyperparameters travel in the config channel, not as strings."""
    step = sandbox.xgboost().create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[sandbox.prep_step()]
    )
    hyperparameters = request(step)["Arguments"]["HyperParameters"]
    assert set(hyperparameters) == {
        "sagemaker_program",
        "sagemaker_submit_directory",
        "sagemaker_container_log_level",
        "sagemaker_region",
    }
    assert json.loads(hyperparameters["sagemaker_program"]) == "train_xgb.py"


def test_xgboost_job_settings_come_from_the_config(sandbox: Sandbox) -> None:
    """GIVEN an XGBoost config with every job setting changed from its default
    WHEN the step is built
    THEN the request carries each one: role, instances, volume, runtime, output path,
    environment and the default XGBoost image (3.0-5)."""
    builder = sandbox.xgboost(
        instance_type="ml.c5.2xlarge",
        instance_count=2,
        volume_size=50,
        max_run=3600,
        output_path=f"s3://{BUCKET}/models",
        environment={"LOG_LEVEL": "debug"},
    )
    step = builder.create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[sandbox.prep_step()]
    )
    arguments = request(step)["Arguments"]
    assert arguments["RoleArn"] == ROLE_ARN
    assert arguments["ResourceConfig"] == {
        "InstanceCount": 2,
        "InstanceType": "ml.c5.2xlarge",
        "VolumeSizeInGB": 50,
    }
    assert arguments["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    assert arguments["OutputDataConfig"]["S3OutputPath"] == f"s3://{BUCKET}/models"
    assert arguments["Environment"] == {"LOG_LEVEL": "debug"}
    assert arguments["AlgorithmSpecification"]["TrainingImage"].endswith("/sagemaker-xgboost:3.0-5")
    assert "EnableManagedSpotTraining" not in arguments


def test_instance_type_may_be_a_pipeline_parameter(sandbox: Sandbox) -> None:
    """GIVEN an instance type given as a pipeline parameter
    WHEN the step is built
    THEN the request refers to the parameter instead of a fixed type."""
    instance_type = ParameterString(name="TrainingInstanceType", default_value="ml.m5.xlarge")
    step = sandbox.xgboost(instance_type=instance_type).create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[sandbox.prep_step()]
    )
    resources = request(step)["Arguments"]["ResourceConfig"]
    assert resources["InstanceType"] == {"Get": "Parameters.TrainingInstanceType"}


def test_xgboost_outputs_are_training_job_properties(sandbox: Sandbox) -> None:
    """GIVEN a built XGBoost training step
    WHEN its outputs are read by logical name
    THEN model_output is ModelArtifacts.S3ModelArtifacts and evaluation_output is the
    job's output.tar.gz under its OutputDataConfig path, in the contract's order."""
    builder = sandbox.xgboost()
    step = builder.create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[sandbox.prep_step()]
    )
    outputs = builder.outputs(step)
    assert list(outputs) == list(XGBOOST_TRAIN_CONTRACT.output_names)
    assert expressions(outputs["model_output"]) == {
        "Get": "Steps.XGBoostTraining.ModelArtifacts.S3ModelArtifacts"
    }
    assert expressions(outputs["evaluation_output"]) == {
        "Std:Join": {
            "On": "/",
            "Values": [
                {"Get": "Steps.XGBoostTraining.OutputDataConfig.S3OutputPath"},
                {"Get": "Steps.XGBoostTraining.TrainingJobName"},
                "output",
                "output.tar.gz",
            ],
        }
    }
    with pytest.raises(UnknownOutputError, match="valid outputs: model_output"):
        outputs["checkpoints"]


def test_step_name_given_to_create_step_names_the_step_and_its_outputs(
    sandbox: Sandbox,
) -> None:
    """GIVEN a step name passed to create_step
    WHEN the step is built
    THEN the step and its output references use it; an invalid name is refused."""
    builder = sandbox.xgboost()
    step = builder.create_step(
        inputs={"training_data": TRAIN_URI},
        dependencies=[sandbox.prep_step()],
        step_name="Train-Champion",
    )
    assert step.name == "Train-Champion"
    assert expressions(builder.outputs(step)["model_output"]) == {
        "Get": "Steps.Train-Champion.ModelArtifacts.S3ModelArtifacts"
    }
    with pytest.raises(StepBuilderError, match=r"step_name 'bad name!' is invalid"):
        builder.create_step(inputs={"training_data": TRAIN_URI}, step_name="bad name!")


def test_explicit_hyperparameters_uri_wins_and_unused_dependency_orders_the_step(
    sandbox: Sandbox,
) -> None:
    """GIVEN an explicit hyperparameters URI and the prep step as a dependency
    WHEN the step is built
    THEN the config channel reads the literal URI, and the prep step, which now feeds
    nothing, still runs first through depends_on."""
    prep = sandbox.prep_step()
    literal = f"s3://{BUCKET}/fixed/hyperparameters.json"
    step = sandbox.xgboost().create_step(
        inputs={"training_data": TRAIN_URI, "hyperparameters_s3_uri": literal},
        dependencies=[prep],
    )
    assert s3_uri(channels(step)["config"]) == literal
    assert step.depends_on == [prep]
    assert request(step)["DependsOn"] == ["HyperparameterPrep"]


def test_consumed_dependency_is_not_repeated_in_depends_on(sandbox: Sandbox) -> None:
    """GIVEN the prep step as a dependency whose output feeds the config channel
    WHEN the step is built
    THEN the property reference already orders the steps: depends_on stays empty."""
    step = sandbox.xgboost().create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[sandbox.prep_step()]
    )
    assert not step.depends_on
    assert "DependsOn" not in request(step)


def test_missing_training_data_is_refused_before_anything_is_uploaded(
    sandbox: Sandbox,
) -> None:
    """GIVEN the prep step but no training data
    WHEN the step is built
    THEN DependencyResolutionError names training_data and what the prep step offers."""
    with pytest.raises(DependencyResolutionError) as caught:
        sandbox.xgboost().create_step(dependencies=[sandbox.prep_step()])
    message = str(caught.value)
    assert "missing required input 'training_data'" in message
    assert "'HyperparameterPrep' offers hyperparameters_s3_uri" in message


# ------------------------------------------------------------------ spot and limits


def test_spot_training_sets_max_wait(sandbox: Sandbox) -> None:
    """GIVEN spot training with max_wait at least max_run
    WHEN the step is built
    THEN managed spot training is on with both limits in the stopping condition."""
    step = sandbox.xgboost(use_spot_instances=True, max_run=3600, max_wait=7200).create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[sandbox.prep_step()]
    )
    arguments = request(step)["Arguments"]
    assert arguments["EnableManagedSpotTraining"] is True
    assert arguments["StoppingCondition"] == {
        "MaxRuntimeInSeconds": 3600,
        "MaxWaitTimeInSeconds": 7200,
    }


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"use_spot_instances": True}, "max_wait is required when use_spot_instances is true"),
        ({"max_wait": 90000}, "max_wait only applies with use_spot_instances=True"),
        (
            {"use_spot_instances": True, "max_run": 7200, "max_wait": 3600},
            r"max_wait \(3600\) must be at least max_run \(7200\)",
        ),
        ({"max_run": 28 * 24 * 3600 + 1}, "max_run"),
        ({"instance_count": 0}, "instance_count"),
    ],
    ids=[
        "spot-without-max-wait",
        "max-wait-without-spot",
        "max-wait-below-max-run",
        "max-run-over-28-days",
        "no-instances",
    ],
)
def test_spot_and_limit_rules(settings: dict[str, Any], expected: str) -> None:
    """GIVEN an inconsistent spot or limit setting
    WHEN the training config is built
    THEN it is refused with the rule."""
    with pytest.raises(ValidationError, match=expected):
        XGBoostTrainingConfig(role_arn=ROLE_ARN, source_dir=SCRIPTS, **settings)


# ------------------------------------------------------------------ script and identifiers


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"source_dir": "/no/such/folder"}, "source_dir '/no/such/folder' is not a directory"),
        ({"entry_point": "missing.py"}, "entry_point 'missing.py' is not a file in source_dir"),
        ({"entry_point": "/abs/train_xgb.py"}, "is not a script path"),
        ({"entry_point": "../train_xgb.py"}, "is not a script path"),
        ({"entry_point": "train_xgb.sh"}, "is not a script path"),
        ({"source_dir": None}, "entry_point 'train_xgb.py' does not exist; set source_dir"),
    ],
    ids=["no-dir", "not-in-dir", "absolute", "parent", "not-python", "no-source-dir"],
)
def test_entry_point_and_source_dir_are_checked(settings: dict[str, Any], expected: str) -> None:
    """GIVEN a script that cannot be found or is not a relative .py path
    WHEN the training config is built
    THEN it is refused naming the script or folder."""
    values: dict[str, Any] = {"role_arn": ROLE_ARN, "source_dir": SCRIPTS, **settings}
    with pytest.raises(ValidationError, match=expected):
        XGBoostTrainingConfig(**values)


def test_s3_source_dir_is_taken_as_is() -> None:
    """GIVEN source_dir as an s3:// tarball
    WHEN the training config is built
    THEN it is accepted without looking for the script locally."""
    config = XGBoostTrainingConfig(role_arn=ROLE_ARN, source_dir=f"s3://{BUCKET}/code.tar.gz")
    assert config.source_dir == f"s3://{BUCKET}/code.tar.gz"
    assert config.entry_point == XGBOOST_TRAIN_CONTRACT.entry_point


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"role_arn": "sagemaker-role"}, "'sagemaker-role' is not an IAM role ARN"),
        (
            {"role_arn": "arn:aws:iam::12345:role/short-account"},
            "is not an IAM role ARN",
        ),
        ({"instance_type": "m5.xlarge"}, "'m5.xlarge' is not a SageMaker instance type"),
        ({"output_path": "bucket/models"}, "'bucket/models' is not an S3 URI"),
        ({"output_path": "s3://UPPER/models"}, "is not an S3 URI"),
        ({"environment": {"1BAD": "x"}}, "environment variable name '1BAD' is invalid"),
        ({"hyperparameters": {"eta": 0.1}}, "Extra inputs are not permitted"),
    ],
    ids=["role-name", "role-account", "instance", "output-path", "output-bucket", "env", "extra"],
)
def test_identifiers_are_checked(settings: dict[str, Any], expected: str) -> None:
    """GIVEN a malformed role ARN, instance type, S3 URI or environment name
    WHEN the training config is built
    THEN it is refused saying what the value should look like."""
    values: dict[str, Any] = {"role_arn": ROLE_ARN, "source_dir": SCRIPTS, **settings}
    with pytest.raises(ValidationError, match=expected):
        XGBoostTrainingConfig(**values)


# ------------------------------------------------------------------ PyTorch training


def test_pytorch_step_uses_the_pytorch_contract_and_image(sandbox: Sandbox) -> None:
    """GIVEN the PyTorch builder with the prep step as a dependency
    WHEN the step is built
    THEN it runs train.py in the PyTorch 2.8 py312 image (the newest PyTorch training image
    the pinned SDK knows) with the same three channels."""
    step = sandbox.pytorch().create_step(
        inputs={"training_data": TRAIN_URI, "validation_data": VALIDATION_URI},
        dependencies=[sandbox.prep_step()],
    )
    assert step.name == "PyTorchTraining"
    arguments = request(step)["Arguments"]
    image = arguments["AlgorithmSpecification"]["TrainingImage"]
    assert image.endswith("/pytorch-training:2.8-cpu-py312")
    assert json.loads(arguments["HyperParameters"]["sagemaker_program"]) == "train.py"
    found = channels(step)
    assert list(found) == ["train", "validation", "config"]
    assert s3_uri(found["config"]) == PREP_URI
    assert found["config"]["ContentType"] == "application/json"


def test_pytorch_outputs_include_checkpoints(sandbox: Sandbox) -> None:
    """GIVEN a PyTorch step without a configured checkpoint URI
    WHEN its outputs and checkpoint config are read
    THEN checkpoints is the job's CheckpointConfig.S3Uri property, and the checkpoint
    folder is per pipeline execution and step under the session's bucket."""
    builder = sandbox.pytorch()
    step = builder.create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[sandbox.prep_step()]
    )
    outputs = builder.outputs(step)
    assert list(outputs) == list(PYTORCH_TRAIN_CONTRACT.output_names)
    assert list(outputs) == ["model_output", "evaluation_output", "checkpoints"]
    assert expressions(outputs["checkpoints"]) == {
        "Get": "Steps.PyTorchTraining.CheckpointConfig.S3Uri"
    }
    assert expressions(outputs["model_output"]) == {
        "Get": "Steps.PyTorchTraining.ModelArtifacts.S3ModelArtifacts"
    }
    assert request(step)["Arguments"]["CheckpointConfig"]["S3Uri"] == {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3:/",
                BUCKET,
                {"Get": "Execution.PipelineName"},
                {"Get": "Execution.PipelineExecutionId"},
                "PyTorchTraining",
                "checkpoints",
            ],
        }
    }


def test_pytorch_configured_checkpoint_uri_is_used_verbatim(sandbox: Sandbox) -> None:
    """GIVEN checkpoint_s3_uri in the config
    WHEN the step is built
    THEN the checkpoint config holds exactly that URI; a malformed one is refused."""
    checkpoints = f"s3://{BUCKET}/checkpoints/run-1"
    step = sandbox.pytorch(checkpoint_s3_uri=checkpoints).create_step(
        inputs={"training_data": TRAIN_URI}, dependencies=[sandbox.prep_step()]
    )
    assert request(step)["Arguments"]["CheckpointConfig"]["S3Uri"] == checkpoints
    with pytest.raises(ValidationError, match="'/tmp/checkpoints' is not an S3 URI"):
        PyTorchTrainingConfig(
            role_arn=ROLE_ARN, source_dir=SCRIPTS, checkpoint_s3_uri="/tmp/checkpoints"
        )


def test_pytorch_spot_rules_match_xgboost() -> None:
    """GIVEN spot training without max_wait on PyTorch
    WHEN the config is built
    THEN it is refused as for XGBoost."""
    with pytest.raises(ValidationError, match="max_wait is required"):
        PyTorchTrainingConfig(role_arn=ROLE_ARN, source_dir=SCRIPTS, use_spot_instances=True)


# ------------------------------------------------------------------ model evaluation


@pytest.mark.parametrize("missing", ["ID_FIELD", "LABEL_FIELD"])
def test_evaluation_config_names_the_missing_required_variable(missing: str) -> None:
    """GIVEN an environment lacking one of the contract's required variables
    WHEN the evaluation config is built
    THEN it is refused naming exactly the missing one."""
    environment = {name: "x" for name in MODEL_EVALUATION_CONTRACT.required_env_vars}
    del environment[missing]
    with pytest.raises(ValidationError) as caught:
        ModelEvaluationConfig(role_arn=ROLE_ARN, source_dir=SCRIPTS, environment=environment)
    message = str(caught.value)
    assert f"missing required environment variable(s) {missing}:" in message
    present = next(iter(environment))
    assert f"variable(s) {present}" not in message


def test_evaluation_config_refuses_both_missing_and_empty_values() -> None:
    """GIVEN an environment with neither variable, or an empty column name
    WHEN the evaluation config is built
    THEN both missing names are listed, and an empty value is refused by name."""
    with pytest.raises(ValidationError, match=r"variable\(s\) ID_FIELD, LABEL_FIELD:"):
        ModelEvaluationConfig(role_arn=ROLE_ARN, source_dir=SCRIPTS, environment={})
    with pytest.raises(ValidationError, match="environment variable LABEL_FIELD is empty"):
        ModelEvaluationConfig(
            role_arn=ROLE_ARN,
            source_dir=SCRIPTS,
            environment={"ID_FIELD": "id", "LABEL_FIELD": "  "},
        )


def test_evaluation_config_checks_the_script(tmp_path: Path, monkeypatch: Any) -> None:
    """GIVEN no source_dir and no model_evaluation.py in the working folder, or a
    source_dir without the script
    WHEN the evaluation config is built
    THEN it is refused at once, not when the definition uploads the code."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError, match=r"'model_evaluation\.py' does not exist"):
        ModelEvaluationConfig(role_arn=ROLE_ARN, environment=EVAL_ENV)
    with pytest.raises(ValidationError, match="is not a file in source_dir"):
        ModelEvaluationConfig(role_arn=ROLE_ARN, source_dir=str(tmp_path), environment=EVAL_ENV)
    (tmp_path / "model_evaluation.py").write_text("print('ok')\n", encoding="utf-8")
    config = ModelEvaluationConfig(role_arn=ROLE_ARN, environment=EVAL_ENV)
    assert config.entry_point == "model_evaluation.py"


def _evaluation_step(sandbox: Sandbox, **settings: Any) -> tuple[Any, ProcessingStep]:
    prep = sandbox.prep_step()
    trainer = sandbox.xgboost()
    train_step = trainer.create_step(inputs={"training_data": TRAIN_URI}, dependencies=[prep])
    evaluator = sandbox.evaluator(**settings)
    step = evaluator.create_step(
        inputs={
            "model_input": trainer.outputs(train_step)["model_output"],
            "eval_data_input": EVAL_URI,
        },
        dependencies=[prep],
    )
    return evaluator, step


def test_evaluation_inputs_land_at_the_contract_paths(sandbox: Sandbox) -> None:
    """GIVEN the evaluation step fed by the training step and the prep step
    WHEN its ProcessingInputs are read
    THEN each contract input lands at its contract folder (the hyperparameters file in
    /opt/ml/processing/input/config), sourced by property where a step produces it."""
    _, step = _evaluation_step(sandbox)
    arguments = request(step)["Arguments"]
    inputs = {item["InputName"]: item["S3Input"] for item in arguments["ProcessingInputs"]}
    assert list(inputs)[:3] == list(MODEL_EVALUATION_CONTRACT.input_names)
    assert {name: inputs[name]["LocalPath"] for name in MODEL_EVALUATION_CONTRACT.input_names} == {
        "model_input": "/opt/ml/processing/input/model",
        "eval_data_input": "/opt/ml/processing/input/eval_data",
        "hyperparameters_s3_uri": "/opt/ml/processing/input/config",
    }
    assert inputs["hyperparameters_s3_uri"]["S3Uri"] == PREP_URI
    assert inputs["model_input"]["S3Uri"] == {
        "Get": "Steps.XGBoostTraining.ModelArtifacts.S3ModelArtifacts"
    }
    assert inputs["eval_data_input"]["S3Uri"] == EVAL_URI
    assert arguments["Environment"] == EVAL_ENV
    assert arguments["AppSpecification"]["ImageUri"].endswith("/sagemaker-xgboost:3.0-5")


def test_evaluation_outputs_by_logical_name(sandbox: Sandbox) -> None:
    """GIVEN a built evaluation step
    WHEN its outputs are read
    THEN eval_output and metrics_output are the processing job's output S3 URIs, and
    the job writes them from the contract's folders."""
    evaluator, step = _evaluation_step(sandbox)
    outputs = evaluator.outputs(step)
    assert list(outputs) == ["eval_output", "metrics_output"]
    for name in outputs:
        assert expressions(outputs[name]) == {
            "Get": f"Steps.ModelEvaluation.ProcessingOutputConfig.Outputs['{name}'].S3Output.S3Uri"
        }
    configured = request(step)["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    assert {item["OutputName"]: item["S3Output"]["LocalPath"] for item in configured} == {
        "eval_output": "/opt/ml/processing/output/eval",
        "metrics_output": "/opt/ml/processing/output/metrics",
    }


def test_evaluation_output_path_gets_a_folder_per_execution(sandbox: Sandbox) -> None:
    """GIVEN an output_path for the evaluation step
    WHEN the step is built
    THEN each output goes under <output_path>/<execution id>/<step>/<output>, so one
    execution never overwrites another's results."""
    _, step = _evaluation_step(sandbox, output_path=f"s3://{BUCKET}/evaluation/")
    configured = request(step)["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    destinations = {item["OutputName"]: item["S3Output"]["S3Uri"] for item in configured}
    for name in ("eval_output", "metrics_output"):
        assert destinations[name] == {
            "Std:Join": {
                "On": "/",
                "Values": [
                    f"s3://{BUCKET}/evaluation",
                    {"Get": "Execution.PipelineExecutionId"},
                    "ModelEvaluation",
                    name,
                ],
            }
        }


def test_evaluation_without_model_input_is_refused(sandbox: Sandbox) -> None:
    """GIVEN only the prep step and evaluation data
    WHEN the evaluation step is built
    THEN DependencyResolutionError names model_input."""
    with pytest.raises(DependencyResolutionError, match="missing required input 'model_input'"):
        sandbox.evaluator().create_step(
            inputs={"eval_data_input": EVAL_URI}, dependencies=[sandbox.prep_step()]
        )


def test_outputs_of_a_foreign_step_is_an_error(sandbox: Sandbox) -> None:
    """GIVEN a step not made by a pipeline_steps builder
    WHEN a builder is asked for its outputs
    THEN StepBuilderError explains that only builder-made steps have logical names."""
    from pipeline_steps.sdk import FailStep

    with pytest.raises(StepBuilderError, match="'Stop' was not made by a pipeline_steps"):
        sandbox.xgboost().outputs(FailStep(name="Stop"))

"""``pipeline_steps.describe``: steps, wiring and the DAG of a built pipeline, deploying nothing."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import boto3
from moto import mock_aws

from pipeline_steps import describe
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR
from pipeline_steps.sdk import PipelineSession
from pipeline_steps.tools.mock_aws import create_mock_role

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "xgboost_pipeline.py"
BUCKET = "describe-example"

MERMAID = """flowchart TD
    HyperparameterPrep["HyperparameterPrep (Lambda)"]
    XGBoostTraining["XGBoostTraining (Training)"]
    ModelEvaluation["ModelEvaluation (Processing)"]
    HyperparameterPrep -->|hyperparameters_s3_uri| XGBoostTraining
    XGBoostTraining -->|model_output → model_input| ModelEvaluation
    HyperparameterPrep -->|hyperparameters_s3_uri| ModelEvaluation"""


def test_describe_shows_steps_wiring_and_dag_without_deploying() -> None:
    """GIVEN the README pipeline built on moto (not rendered)
    WHEN described
    THEN it lists the parameter, the three steps with their contracts, which output feeds
    which input (explicit URIs and the parameter too), the Mermaid DAG, and a Markdown
    view with a mermaid block and no HTML view; describing deployed no Lambda function and
    uploaded nothing beyond the code bundles the builders uploaded."""
    spec = importlib.util.spec_from_file_location("describe_xgboost_pipeline", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    with mock_aws():
        boto_session = boto3.Session(region_name="us-east-1")
        role_arn = create_mock_role(boto_session, "sagemaker-describe")
        s3 = boto_session.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        session = PipelineSession(boto_session=boto_session, default_bucket=BUCKET)
        pipeline = example.build_pipeline(session, role_arn, BUCKET, str(REFERENCE_SCRIPTS_DIR))
        built = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])  # the jobs' code

        described = describe(pipeline)

        assert boto_session.client("lambda").list_functions()["Functions"] == []
        assert s3.list_objects_v2(Bucket=BUCKET).get("Contents", []) == built
    assert described.name == "XGBoostWithHyperparameterPrep"
    assert described.parameters == ("LearningRate (parameter, default 0.1)",)
    assert [(s.name, s.type, s.contract) for s in described.steps] == [
        ("HyperparameterPrep", "Lambda", "hyperparameter_prep"),
        ("XGBoostTraining", "Training", "xgboost_train"),
        ("ModelEvaluation", "Processing", "model_evaluation"),
    ]
    assert [(w.target_step, w.input, w.source) for w in described.wiring] == [
        ("HyperparameterPrep", "override.learning_rate", "LearningRate (parameter, default 0.1)"),
        ("XGBoostTraining", "training_data", f"s3://{BUCKET}/data/train/"),
        ("XGBoostTraining", "hyperparameters_s3_uri", "HyperparameterPrep.hyperparameters_s3_uri"),
        ("ModelEvaluation", "model_input", "XGBoostTraining.model_output"),
        ("ModelEvaluation", "eval_data_input", f"s3://{BUCKET}/data/eval/"),
        ("ModelEvaluation", "hyperparameters_s3_uri", "HyperparameterPrep.hyperparameters_s3_uri"),
    ]
    assert described.mermaid == MERMAID
    markdown = described._repr_markdown_()
    assert f"```mermaid\n{MERMAID}\n```" in markdown
    assert (
        "| `XGBoostTraining.hyperparameters_s3_uri` | `HyperparameterPrep.hyperparameters_s3_uri` |"
        in markdown
    )
    assert not hasattr(described, "_repr_html_")  # HTML would outrank Markdown in JupyterLab
    text = repr(described)
    assert text.startswith("Pipeline 'XGBoostWithHyperparameterPrep': 3 steps")
    assert MERMAID in text


def test_describe_shows_ordering_of_steps_no_builder_made() -> None:
    """GIVEN a pipeline-like object whose steps no builder made, one depending on the other
    WHEN described
    THEN both steps appear with their type and no contract, joined by an unlabelled edge."""

    class Kind:
        def __init__(self, value: str) -> None:
            self.value = value

    class Foreign:
        def __init__(self, name: str, depends_on: list[str]) -> None:
            self.name = name
            self.step_type = Kind("Processing")
            self.depends_on = depends_on

    class Plain:
        def __init__(self) -> None:
            self.name = "plain"
            self.parameters: list[object] = []
            self.steps = [Foreign("A", []), Foreign("B", ["A"])]

    described = describe(Plain())
    assert [(s.name, s.contract) for s in described.steps] == [("A", None), ("B", None)]
    assert described.wiring == ()
    assert described.mermaid.splitlines()[-1] == "    A --> B"
    assert json.loads(json.dumps([s.name for s in described.steps])) == ["A", "B"]

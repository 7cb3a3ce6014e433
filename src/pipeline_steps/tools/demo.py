"""The ``pipeline-steps demo``: the whole pipeline on in-process mock AWS, no account needed.

It builds HyperparameterPrep -> XGBoost training -> model evaluation with pipeline
parameters inside the hyperparameters, deploys the bundled Lambda to the mock (moto,
in-process), writes the pipeline definition, uploads a small generated data set
(``demo_data``) to the mock bucket, and runs the whole pipeline on this machine with
``run_pipeline_locally`` and a parameter override: the prep Lambda in-process, training
and evaluation as the reference scripts (real XGBoost) in subprocesses. It prints one
progress line per step, the stored hyperparameters, the model archive's location, the
evaluation metrics, how the training step reads the hyperparameters URI, and the DAG.

Without XGBoost (or pandas, which the reference scripts read CSV with) it says so in one
line and runs only the prep step (``run_lambda_step``).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pipeline_steps.tools.mock_aws import MOCK_REGION, create_mock_role, use_fake_credentials

__all__ = ["DEMO_BUCKET", "DEMO_PIPELINE_NAME", "missing_for_training", "run_demo"]

DEMO_BUCKET = "sagemaker-pipeline-steps-demo"
DEMO_REGION = MOCK_REGION
DEMO_PIPELINE_NAME = "HyperparameterPrepDemo"
TRAINING_MODULES = ("xgboost", "pandas")
"""What the reference training and evaluation scripts import beyond the standard library
and numpy (which xgboost requires)."""
SHOWN_METRICS = ("accuracy", "auc", "log_loss", "precision", "recall", "f1")


def missing_for_training() -> list[str]:
    """The modules the reference scripts need that this Python cannot import."""
    return [name for name in TRAINING_MODULES if importlib.util.find_spec(name) is None]


def run_demo(
    output: Path,
    out: TextIO,
    *,
    err: TextIO | None = None,
    learning_rate: float = 0.3,
    workdir: Path | None = None,
) -> int:
    """Run the demo, writing the definition to ``output`` and the story to ``out``.

    ``err`` gets the one-line notices (no XGBoost) and failures; ``workdir`` keeps the
    local run's job folders (default: a temporary folder, removed afterwards).
    """
    errors = err or sys.stderr
    use_fake_credentials(DEMO_REGION)
    started = time.perf_counter()
    try:
        from moto import mock_aws
    except ImportError:
        errors.write(
            "pipeline-steps demo: needs the 'local' extra (moto): "
            "pip install 'sagemaker-pipeline-steps[local]'\n"
        )
        return 2
    missing = missing_for_training()
    if missing:
        # The local extra brings xgboost-cpu; pandas comes with SDK v2, not with every SDK.
        extra = " pandas" if "pandas" in missing else ""
        errors.write(
            f"pipeline-steps demo: {' and '.join(missing)} not installed, so only the prep "
            f"step runs (pip install 'sagemaker-pipeline-steps[local]'{extra} for the whole "
            "pipeline)\n"
        )
    with mock_aws(), _job_folder(workdir) as folder:
        demo = _Demo(output, out, errors, learning_rate, started)
        return demo.run(None if missing else folder)


@contextmanager
def _job_folder(workdir: Path | None) -> Iterator[Path]:
    if workdir is not None:
        yield workdir
        return
    with tempfile.TemporaryDirectory(prefix="pipeline-steps-demo-") as folder:
        yield Path(folder)


@dataclass
class _Demo:
    output: Path
    out: TextIO
    err: TextIO
    learning_rate: float
    started: float

    def section(self, title: str) -> None:
        self.out.write(f"\n== {title} ==\n")

    def run(self, workdir: Path | None) -> int:
        """Build, define and run; ``workdir`` None runs only the prep step."""
        import boto3

        boto_session = boto3.Session(region_name=DEMO_REGION)
        s3 = boto_session.client("s3")
        s3.create_bucket(Bucket=DEMO_BUCKET)
        if workdir is not None:
            from pipeline_steps.tools.demo_data import upload_demo_data

            data = upload_demo_data(s3, DEMO_BUCKET)
            self.section("Generated data (deterministic), uploaded to the mock bucket")
            for split, uri in data.uris(DEMO_BUCKET).items():
                self.out.write(f"{split:<11} {data.rows[split]:>4} rows  {uri}\n")
        built, definition = self.define(boto_session)
        if workdir is None:
            outputs = self.run_prep_only(built, s3)
            self.section(
                f"Prep step, run locally (LearningRate overridden to {self.learning_rate})"
            )
        else:
            outcome = self.run_locally(built, s3, workdir)
            if outcome is None:
                return 1
            outputs = outcome
            self.section("Prep step's output")
        self.show_prep(outputs["HyperparameterPrep"], s3)
        if workdir is not None:
            self.show_model_and_metrics(outputs, s3)
        self.section("How the training step reads the URI")
        self.out.write(json.dumps(_config_channel(definition), indent=2) + "\n")

        from pipeline_steps.tools.mermaid import pipeline_to_mermaid

        self.section("Pipeline DAG (Mermaid)")
        self.out.write(pipeline_to_mermaid(definition) + "\n")
        self.out.write(f"\ndemo finished in {time.perf_counter() - self.started:.1f} s\n")
        return 0

    def define(self, boto_session: Any) -> tuple[Any, dict[str, Any]]:
        """Build the pipeline, write its definition, and say what rendering it cost."""
        from pipeline_steps.frameworks.xgboost import XGBoostHyperparameters
        from pipeline_steps.sdk import ParameterFloat, ParameterInteger, PipelineSession
        from pipeline_steps.tools.demo_data import DEMO_DATA_PREFIX
        from pipeline_steps.tools.templates import build_training_pipeline

        role_arn = create_mock_role(boto_session, "sagemaker-pipeline-steps-demo")
        lambda_calls: list[str] = []
        lambda_client = boto_session.client("lambda")
        lambda_client.meta.events.register(
            "before-call.lambda.*",
            lambda model, **_: lambda_calls.append(model.name),
        )
        session = PipelineSession(
            boto_session=boto_session,
            default_bucket=DEMO_BUCKET,
            sagemaker_client=boto_session.client("sagemaker"),
        )
        session.lambda_client = lambda_client

        learning_rate_parameter = ParameterFloat(name="LearningRate", default_value=0.1)
        max_depth_parameter = ParameterInteger(name="MaxDepth", default_value=4)
        hyperparameters = XGBoostHyperparameters(
            objective="binary:logistic",
            max_depth=max_depth_parameter,
            learning_rate=learning_rate_parameter,
            n_estimators=20,  # a few rounds: the demo shows the wiring, in seconds
            subsample=0.8,
            colsample_bytree=0.8,
            eval_metric="auc",
            nthread=1,  # 600 rows: threads only add OpenMP hand-offs (and stall on a busy machine)
            random_state=0,
        )
        built = build_training_pipeline(
            framework="xgboost",
            hyperparameters=hyperparameters,
            role_arn=role_arn,
            bucket=DEMO_BUCKET,
            sagemaker_session=session,
            pipeline_name=DEMO_PIPELINE_NAME,
            parameters=[learning_rate_parameter, max_depth_parameter],
            validation_data=f"s3://{DEMO_BUCKET}/{DEMO_DATA_PREFIX}/validation/",
        )
        definition_text = built.pipeline.definition()
        definition: dict[str, Any] = json.loads(definition_text)
        self.output.write_text(
            json.dumps(definition, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        calls_after_first = list(lambda_calls)
        built.pipeline.definition()
        second_calls = lambda_calls[len(calls_after_first) :]

        self.section("Pipeline definition")
        self.out.write(
            f"wrote {self.output} ({len(definition_text):,} characters, limit 1,048,576)\n"
        )
        self.out.write(
            f"bundled Lambda deployed to the mock: {', '.join(calls_after_first)}; "
            f"an unchanged second definition() made {', '.join(second_calls) or 'no calls'}\n"
        )
        return built, definition

    def run_prep_only(self, built: Any, s3: Any) -> dict[str, Any]:
        from pipeline_steps.prep.local_run import run_lambda_step

        result = run_lambda_step(
            built.prep_step,
            parameters={"LearningRate": self.learning_rate},
            execution={"PipelineName": DEMO_PIPELINE_NAME, "PipelineExecutionId": "demo0001"},
            s3_client=s3,
        )
        return {"HyperparameterPrep": dict(result)}

    def run_locally(self, built: Any, s3: Any, workdir: Path) -> dict[str, Any] | None:
        """Every step on this machine; None (after one line on ``err``) when a step fails."""
        from pipeline_steps.runtime import StepFailedError, run_pipeline_locally
        from pipeline_steps.tools.local_report import step_failure_line

        self.section(
            f"Whole pipeline, run locally (LearningRate overridden to {self.learning_rate})"
        )
        try:
            result = run_pipeline_locally(
                built.pipeline,
                parameters={"LearningRate": self.learning_rate},
                s3_client=s3,
                workdir=workdir,
                progress=self.out,
            )
        except StepFailedError as error:
            self.err.write(f"pipeline-steps demo: {step_failure_line(error)}\n")
            return None
        return {name: dict(step.outputs) for name, step in result.items()}

    def show_prep(self, prep: Mapping[str, Any], s3: Any) -> None:
        from lambda_code.hyperparameter_prep import (
            OUTPUT_REUSED,
            OUTPUT_S3_URI,
            OUTPUT_SHA256,
            OUTPUT_SIZE_BYTES,
        )

        uri = prep[OUTPUT_S3_URI]
        key = uri.removeprefix(f"s3://{DEMO_BUCKET}/")
        stored = s3.get_object(Bucket=DEMO_BUCKET, Key=key)
        body = stored["Body"].read().decode("utf-8")
        self.out.write(f"S3 URI:  {uri}\n")
        self.out.write(f"sha256:  {prep[OUTPUT_SHA256]}\n")
        self.out.write(f"size:    {prep[OUTPUT_SIZE_BYTES]} bytes, reused: {prep[OUTPUT_REUSED]}\n")
        self.out.write(
            f"stored with SSE {stored.get('ServerSideEncryption')}, metadata "
            f"{json.dumps(stored.get('Metadata', {}), sort_keys=True)}\n"
        )
        self.section("Stored hyperparameters.json")
        self.out.write(body if body.endswith("\n") else body + "\n")

    def show_model_and_metrics(self, outputs: Mapping[str, Any], s3: Any) -> None:
        from pipeline_steps.tools.local_report import METRICS_FILE, METRICS_OUTPUT, read_metrics

        model_uri = outputs["XGBoostTraining"]["model_output"]
        bucket, _, key = model_uri.removeprefix("s3://").partition("/")
        size = s3.head_object(Bucket=bucket, Key=key)["ContentLength"]
        self.section("Model archive")
        self.out.write(f"{model_uri} ({size:,} bytes)\n")

        metrics_uri = f"{outputs['ModelEvaluation'][METRICS_OUTPUT]}/{METRICS_FILE}"
        report = read_metrics(s3, metrics_uri)
        self.section("Evaluation metrics")
        self.out.write(f"{metrics_uri}\n")
        self.out.write(
            f"{report.get('task')} classification of {report.get('count')} rows, "
            f"{report.get('rounds_used')} rounds, XGBoost {report.get('xgboost_version')}\n"
        )
        metrics = report.get("metrics") or {}
        for name in SHOWN_METRICS:
            value = metrics.get(name)
            if isinstance(value, (int, float)):
                self.out.write(f"  {name:<10} {value:.4f}\n")


def _config_channel(definition: dict[str, Any]) -> dict[str, Any]:
    for step in definition["Steps"]:
        if step["Type"] != "Training":
            continue
        for channel in step["Arguments"].get("InputDataConfig", []):
            if channel["ChannelName"] == "config":
                return {"Step": step["Name"], "Channel": channel}
    return {}

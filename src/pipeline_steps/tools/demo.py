"""The ``pipeline-steps demo``: the whole flow on in-process mock AWS, no account needed.

It builds HyperparameterPrep -> XGBoost training -> model evaluation with a pipeline
parameter inside the hyperparameters, deploys the bundled Lambda to the mock,
writes the pipeline definition, runs the prep step locally with a parameter
override and shows where everything went.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from pipeline_steps.tools.mock_aws import MOCK_REGION, create_mock_role, use_fake_credentials

__all__ = ["DEMO_BUCKET", "run_demo"]

DEMO_BUCKET = "sagemaker-pipeline-steps-demo"
DEMO_REGION = MOCK_REGION


def run_demo(output: Path, out: TextIO, *, learning_rate: float = 0.05) -> int:
    """Run the demo, writing the definition to ``output`` and the story to ``out``."""
    use_fake_credentials(DEMO_REGION)
    started = time.perf_counter()
    try:
        from moto import mock_aws
    except ImportError:
        sys.stderr.write(
            "pipeline-steps demo: needs the 'local' extra (moto): "
            "pip install 'sagemaker-pipeline-steps[local]'\n"
        )
        return 2
    with mock_aws():
        return _run(output, out, learning_rate, started)


def _run(output: Path, out: TextIO, learning_rate: float, started: float) -> int:
    import boto3

    from pipeline_steps.frameworks.xgboost import XGBoostHyperparameters
    from pipeline_steps.prep.local_run import run_lambda_step
    from pipeline_steps.sdk import ParameterFloat, ParameterInteger, PipelineSession
    from pipeline_steps.tools.mermaid import pipeline_to_mermaid
    from pipeline_steps.tools.templates import build_training_pipeline

    boto_session = boto3.Session(region_name=DEMO_REGION)
    role_arn = create_mock_role(boto_session, "sagemaker-pipeline-steps-demo")
    s3 = boto_session.client("s3")
    s3.create_bucket(Bucket=DEMO_BUCKET)
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
    session.lambda_client = lambda_client  # type: ignore[assignment, unused-ignore]

    learning_rate_parameter = ParameterFloat(name="LearningRate", default_value=0.1)
    max_depth_parameter = ParameterInteger(name="MaxDepth", default_value=6)
    hyperparameters = XGBoostHyperparameters(
        objective="binary:logistic",
        max_depth=max_depth_parameter,
        learning_rate=learning_rate_parameter,
        n_estimators=200,
        subsample=0.8,
        colsample_bytree=0.8,
        eval_metric="auc",
    )
    built = build_training_pipeline(
        framework="xgboost",
        hyperparameters=hyperparameters,
        role_arn=role_arn,
        bucket=DEMO_BUCKET,
        sagemaker_session=session,
        pipeline_name="HyperparameterPrepDemo",
        parameters=[learning_rate_parameter, max_depth_parameter],
        validation_data=f"s3://{DEMO_BUCKET}/data/validation/",
    )
    definition_text = built.pipeline.definition()
    definition = json.loads(definition_text)
    output.write_text(json.dumps(definition, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    calls_after_first = list(lambda_calls)
    built.pipeline.definition()
    second_calls = lambda_calls[len(calls_after_first) :]

    _section(out, "Pipeline definition")
    out.write(f"wrote {output} ({len(definition_text):,} characters, limit 1,048,576)\n")
    out.write(
        f"bundled Lambda deployed to the mock: {', '.join(calls_after_first)}; "
        f"an unchanged second definition() made {', '.join(second_calls) or 'no calls'}\n"
    )

    result = run_lambda_step(
        built.prep_step,
        parameters={"LearningRate": learning_rate},
        execution={"PipelineName": "HyperparameterPrepDemo", "PipelineExecutionId": "demo0001"},
        s3_client=s3,
    )
    uri = result["hyperparameters_s3_uri"]
    key = uri.removeprefix(f"s3://{DEMO_BUCKET}/")
    stored = s3.get_object(Bucket=DEMO_BUCKET, Key=key)
    body = stored["Body"].read().decode("utf-8")

    _section(out, f"Prep step, run locally (LearningRate overridden to {learning_rate})")
    out.write(f"S3 URI:  {uri}\n")
    out.write(f"sha256:  {result['hyperparameters_sha256']}\n")
    out.write(
        f"size:    {result['hyperparameters_size_bytes']} bytes, reused: {result['reused']}\n"
    )
    out.write(
        f"stored with SSE {stored.get('ServerSideEncryption')}, metadata "
        f"{json.dumps(stored.get('Metadata', {}), sort_keys=True)}\n"
    )
    _section(out, "Stored hyperparameters.json")
    out.write(body if body.endswith("\n") else body + "\n")

    _section(out, "How the training step reads the URI")
    out.write(json.dumps(_config_channel(definition), indent=2) + "\n")

    _section(out, "Pipeline DAG (Mermaid)")
    out.write(pipeline_to_mermaid(definition) + "\n")
    out.write(f"\ndemo finished in {time.perf_counter() - started:.1f} s\n")
    return 0


def _section(out: TextIO, title: str) -> None:
    out.write(f"\n== {title} ==\n")


def _config_channel(definition: dict[str, Any]) -> dict[str, Any]:
    for step in definition["Steps"]:
        if step["Type"] != "Training":
            continue
        for channel in step["Arguments"].get("InputDataConfig", []):
            if channel["ChannelName"] == "config":
                return {"Step": step["Name"], "Channel": channel}
    return {}

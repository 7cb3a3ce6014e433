"""Wall time of ``run_pipeline_locally`` on a three-step pipeline, and where it goes.

Everything is measured in this one process, on in-process moto, against baselines
measured the same way and at the same time:

- ``python -c pass`` in a subprocess: the floor of each training or processing job, which
  runs its script in a fresh interpreter;
- ``python -c "import xgboost"`` (with real XGBoost): the floor of a job whose script
  imports its framework;
- a bare ``pipeline.definition()`` (after the first, which deploys the bundled Lambda to
  the mock): what rendering the definition costs, which every run pays once.

It builds HyperparameterPrep -> XGBoost training -> evaluation (the XGBoost fixture scripts
of ``tests/functional/local_run_scripts`` when ``xgboost`` is installed, else the
standard-library ones; ``--scripts`` chooses), runs it ``--runs`` times with a parameter
override into fresh work folders, and prints the median of each phase (``definition``,
``plan``, then per step ``invoke``/``download``/``code``/``run``/``check``/``upload``),
the rest (``other``: rendering, layout, progress), each as a share of the run and as a
ratio to the baselines. It also times the audit hook alone: the same script run by
``python script.py`` and under the runner's bootstrap.

Usage: python benchmarks/bench_run_pipeline_locally.py [--runs 5] [--scripts xgboost|minimal]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline_steps.tools.mock_aws import use_fake_credentials

use_fake_credentials()  # before boto3 is imported: never real AWS

SCRIPTS = Path(__file__).resolve().parents[1] / "tests" / "functional" / "local_run_scripts"
BUCKET = "bench-local-run"


def median_seconds(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def subprocess_floor(code: str, runs: int) -> float:
    command = [sys.executable, "-c", code]
    subprocess.run(command, check=True, capture_output=True)
    return median_seconds(lambda: subprocess.run(command, check=True, capture_output=True), runs)


def put_data(s3: Any) -> None:
    rng = random.Random(0)

    def rows(count: int) -> list[tuple[int, int, float, float]]:
        out = []
        for index in range(count):
            x1, x2 = rng.random(), rng.random()
            out.append((index, int(x1 + x2 > 1), x1, x2))
        return out

    for channel, count in (("train", 2000), ("validation", 500)):
        body = "\n".join(f"{y},{a:.5f},{b:.5f}" for _, y, a, b in rows(count)) + "\n"
        s3.put_object(Bucket=BUCKET, Key=f"data/{channel}/part-0.csv", Body=body)
    body = "id,label,x1,x2\n" + "\n".join(f"{i},{y},{a:.5f},{b:.5f}" for i, y, a, b in rows(500))
    s3.put_object(Bucket=BUCKET, Key="data/eval/eval.csv", Body=body + "\n")


def build_xgboost(session: Any, role_arn: str) -> Any:
    from pipeline_steps import XGBoostHyperparameters
    from pipeline_steps.sdk import ParameterFloat
    from pipeline_steps.tools.templates import build_training_pipeline

    rate = ParameterFloat(name="LearningRate", default_value=0.1)
    built = build_training_pipeline(
        framework="xgboost",
        hyperparameters=XGBoostHyperparameters(
            objective="binary:logistic", max_depth=4, learning_rate=rate, n_estimators=50
        ),
        role_arn=role_arn,
        bucket=BUCKET,
        sagemaker_session=session,
        pipeline_name="BenchLocalRun",
        parameters=[rate],
        validation_data=f"s3://{BUCKET}/data/validation/",
        source_dir=str(SCRIPTS),
    )
    return built.pipeline


def build_minimal(session: Any, role_arn: str) -> Any:
    from pipeline_steps import (
        HyperparameterPrepConfig,
        HyperparameterPrepStepBuilder,
        ModelEvaluationConfig,
        ModelEvaluationStepBuilder,
        XGBoostHyperparameters,
        XGBoostTrainingConfig,
        XGBoostTrainingStepBuilder,
    )
    from pipeline_steps.sdk import ParameterFloat, Pipeline

    rate = ParameterFloat(name="LearningRate", default_value=0.1)
    prep = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(bucket=BUCKET, lambda_role_arn=role_arn),
        sagemaker_session=session,
    ).create_step(hyperparameters=XGBoostHyperparameters(learning_rate=rate, n_estimators=50))
    trainer = XGBoostTrainingStepBuilder(
        XGBoostTrainingConfig(
            role_arn=role_arn,
            source_dir=str(SCRIPTS),
            entry_point="train_minimal.py",
            output_path=f"s3://{BUCKET}/models",
        ),
        sagemaker_session=session,
    )
    train = trainer.create_step(
        inputs={"training_data": f"s3://{BUCKET}/data/train/"}, dependencies=[prep]
    )
    evaluate = ModelEvaluationStepBuilder(
        ModelEvaluationConfig(
            role_arn=role_arn,
            source_dir=str(SCRIPTS),
            entry_point="evaluate_minimal.py",
            environment={"ID_FIELD": "id", "LABEL_FIELD": "label"},
            output_path=f"s3://{BUCKET}/evaluation",
        ),
        sagemaker_session=session,
    ).create_step(
        inputs={
            "model_input": trainer.outputs(train)["model_output"],
            "eval_data_input": f"s3://{BUCKET}/data/eval/",
        },
        dependencies=[prep],
    )
    return Pipeline(
        name="BenchLocalRun",
        parameters=[rate],
        steps=[prep, train, evaluate],
        sagemaker_session=session,
    )


def audit_overhead(runs: int, use_xgboost: bool) -> tuple[float, float]:
    """Median seconds of a script run plainly and under the runner's audit bootstrap."""
    from pipeline_steps.runtime.audit import BOOTSTRAP

    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "job.py"
        body = "import xgboost\n" if use_xgboost else "import json, csv\n"
        script.write_text(body + "open(__file__).read()\n", encoding="utf-8")
        plain = [sys.executable, str(script)]
        hooked = [sys.executable, "-c", BOOTSTRAP, str(Path(folder) / "audit.jsonl"), folder, "[]"]
        hooked.append(str(script))
        samples: dict[int, list[float]] = {0: [], 1: []}
        for run in range(runs + 1):  # interleaved, so load changes hit both alike
            for index, command in enumerate((plain, hooked)):
                started = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                if run:
                    samples[index].append(time.perf_counter() - started)
        return statistics.median(samples[0]), statistics.median(samples[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scripts", choices=("xgboost", "minimal"), default=None)
    args = parser.parse_args()
    try:
        import xgboost  # noqa: F401

        has_xgboost = True
    except ImportError:
        has_xgboost = False
    use_xgboost = (args.scripts or ("xgboost" if has_xgboost else "minimal")) == "xgboost"
    if use_xgboost and not has_xgboost:
        parser.error("--scripts xgboost needs xgboost installed")

    import boto3
    from moto import mock_aws

    from pipeline_steps import run_pipeline_locally
    from pipeline_steps.sdk import PipelineSession
    from pipeline_steps.tools.mock_aws import create_mock_role

    python_floor = subprocess_floor("pass", args.runs)
    framework_floor = subprocess_floor("import xgboost", args.runs) if use_xgboost else None
    plain, hooked = audit_overhead(args.runs, use_xgboost)

    with mock_aws():
        boto_session = boto3.Session(region_name="us-east-1")
        s3 = boto_session.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        put_data(s3)
        role_arn = create_mock_role(boto_session, "sagemaker-bench-local-run")
        session = PipelineSession(
            boto_session=boto_session,
            default_bucket=BUCKET,
            sagemaker_client=boto_session.client("sagemaker"),
        )
        session.lambda_client = boto_session.client("lambda")
        pipeline = (
            build_xgboost(session, role_arn) if use_xgboost else build_minimal(session, role_arn)
        )
        pipeline.definition()  # deploys the bundled Lambda to the mock once
        definition_seconds = median_seconds(pipeline.definition, args.runs)
        totals: list[float] = []
        phases: dict[str, list[float]] = {}
        with tempfile.TemporaryDirectory() as work:
            for run in range(args.runs + 1):
                started = time.perf_counter()
                result = run_pipeline_locally(
                    pipeline,
                    parameters={"LearningRate": 0.3},
                    s3_client=s3,
                    workdir=Path(work) / str(run),
                    progress=io.StringIO(),
                )
                elapsed = time.perf_counter() - started
                if run == 0:
                    continue  # warm-up: first imports of the runtime and the handler
                totals.append(elapsed)
                measured = {"definition": result.phases["definition"]}
                measured["plan"] = result.phases["plan"]
                for step in result.values():
                    for phase, seconds in step.phases.items():
                        measured[f"{step.name}.{phase}"] = seconds
                measured["other"] = elapsed - sum(measured.values())
                for name, seconds in measured.items():
                    phases.setdefault(name, []).append(seconds)

    total = statistics.median(totals)
    print(f"run_pipeline_locally, {args.runs} runs after a warm-up, scripts: "
          f"{'XGBoost' if use_xgboost else 'standard library'}")  # fmt: skip
    print(f"  baseline python -c pass:         {python_floor * 1000:8.1f} ms")
    if framework_floor is not None:
        print(f"  baseline python -c import xgboost:{framework_floor * 1000:7.1f} ms")
    print(f"  baseline pipeline.definition():   {definition_seconds * 1000:7.1f} ms")
    print(f"  whole local run (median):        {total * 1000:8.1f} ms = "
          f"{total / python_floor:.1f}x python -c pass, "
          f"{total / definition_seconds:.1f}x definition()")  # fmt: skip
    print()
    print(f"  {'phase':36} {'ms':>8} {'share':>6} {'x pass':>7} {'x defn':>7}")
    for name, samples in phases.items():
        seconds = statistics.median(samples)
        print(
            f"  {name:36} {seconds * 1000:8.1f} {seconds / total:6.1%} "
            f"{seconds / python_floor:7.2f} {seconds / definition_seconds:7.2f}"
        )
    own = sum(
        statistics.median(samples)
        for name, samples in phases.items()
        if not name.endswith((".run", "definition"))
    )
    print(f"  the runner's own work (all but definition and the scripts' runs): "
          f"{own * 1000:.1f} ms = {own / python_floor:.2f}x python -c pass")  # fmt: skip
    print()
    print(f"  audit hook: script plainly {plain * 1000:.1f} ms, under the bootstrap "
          f"{hooked * 1000:.1f} ms ({hooked / plain:.2f}x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

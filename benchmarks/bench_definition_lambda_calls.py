"""Lambda API calls and wall time of ``pipeline.definition()`` with an unchanged function.

Two one-``LambdaStep`` pipelines run in one process on moto (``mock_aws``; nothing
leaves the machine):

* ``sdk-lambda``: the SDK's plain ``sagemaker.lambda_helper.Lambda`` (runtime
  python3.12) in a ``LambdaStep``;
* ``bundled-lambda``: ``BundledLambda`` in a ``LambdaStep``.

Each pipeline's first ``definition()`` deploys the function (not measured). Then,
for each of ``--rounds`` interleaved rounds, ``--definitions`` further calls are
timed and their Lambda API calls counted by operation with botocore event hooks
on the boto3 session (every client made from it reports). Calls are per round;
wall time is the median round. moto answers almost at once, so the times are
client-side work (the SDK's ``Lambda`` makes a new boto3 client for every call and
re-zips the script); against the service every call also costs a network round
trip, and every ``UpdateFunctionCode`` starts a real update of the function.

To measure another step, add a builder to ``SCENARIOS``: a function taking the
``PipelineSession``, the role ARN and the function name and returning the step
(for example one built by ``HyperparameterPrepStepBuilder``).

Usage: python benchmarks/bench_definition_lambda_calls.py [--definitions 10] [--rounds 5]
"""

from __future__ import annotations

from pipeline_steps.tools.mock_aws import use_fake_credentials

use_fake_credentials()  # before boto3 is imported: never real AWS

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

import lambda_code  # noqa: E402
from pipeline_steps.deployment.reconciler import BundledLambda  # noqa: E402
from pipeline_steps.frameworks.xgboost import XGBoostHyperparameters  # noqa: E402
from pipeline_steps.prep.config import HyperparameterPrepConfig  # noqa: E402
from pipeline_steps.prep.step import HyperparameterPrepStepBuilder  # noqa: E402
from pipeline_steps.sdk import Lambda, LambdaStep, Pipeline, PipelineSession  # noqa: E402

REGION = "us-east-1"
WRITES = frozenset(
    {"CreateFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration", "TagResource"}
)
SAGEMAKER_CONFIG = {
    "SchemaVersion": "1.0",
    "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}},
}

StepBuilder = Callable[[PipelineSession, str, str], LambdaStep]


def build_sdk_lambda_step(session: PipelineSession, role_arn: str, function_name: str) -> Any:
    """(a) The SDK alone: ``Lambda`` + ``LambdaStep``."""
    function = Lambda(
        function_name=function_name,
        execution_role_arn=role_arn,
        # the SDK's script= zips one file; which file does not change the calls counted
        script=str(lambda_code.HYPERPARAMETER_PREP_PACKAGE / "handler.py"),
        handler=lambda_code.HYPERPARAMETER_PREP_HANDLER,
        runtime="python3.12",
        session=session,
    )
    return LambdaStep(name="HyperparameterPrep", lambda_func=function)


def build_bundled_lambda_step(session: PipelineSession, role_arn: str, function_name: str) -> Any:
    """(b) ``BundledLambda`` + ``LambdaStep``."""
    function = BundledLambda(function_name, role_arn, session=session)
    return LambdaStep(name="HyperparameterPrep", lambda_func=function)


def build_prep_builder_step(session: PipelineSession, role_arn: str, function_name: str) -> Any:
    """(c) The library's ``HyperparameterPrepStepBuilder`` (BundledLambda plus Arguments)."""
    builder = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(
            bucket="bench-bucket", lambda_role_arn=role_arn, function_name=function_name
        ),
        sagemaker_session=session,
    )
    return builder.create_step(hyperparameters=XGBoostHyperparameters(max_depth=6))


SCENARIOS: dict[str, tuple[str, StepBuilder]] = {
    "sdk-lambda": ("sagemaker-bench-sdk-lambda", build_sdk_lambda_step),
    "bundled-lambda": ("sagemaker-bench-bundled-lambda", build_bundled_lambda_step),
    "prep-builder": ("sagemaker-bench-prep-builder", build_prep_builder_step),
}


@dataclass
class CallCounter:
    """Counts Lambda API calls (each attempt, failed ones included) by operation."""

    counts: Counter[str] = field(default_factory=Counter)

    def __call__(self, model: Any, **_: Any) -> None:
        self.counts[model.name] += 1


@dataclass
class Result:
    calls: Counter[str]
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _create_role(boto_session: boto3.Session) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = boto_session.client("iam").create_role(
        RoleName="sagemaker-bench-lambda", AssumeRolePolicyDocument=json.dumps(trust)
    )
    return str(role["Role"]["Arn"])


def run(definitions: int, rounds: int) -> dict[str, Result]:
    """Deploy each scenario once, then time ``rounds`` x ``definitions`` definitions."""
    with mock_aws():
        boto_session = boto3.Session(region_name=REGION)
        counter = CallCounter()
        # Before any client exists: clients copy the session's event emitter.
        boto_session.events.register("provide-client-params.lambda", counter)
        role_arn = _create_role(boto_session)
        session = PipelineSession(
            boto_session=boto_session,
            default_bucket="sagemaker-bench-bucket",
            sagemaker_config=SAGEMAKER_CONFIG,
        )
        pipelines = {}
        for scenario, (function_name, build) in SCENARIOS.items():
            step = build(session, role_arn, function_name)
            pipeline = Pipeline(name=f"bench-{scenario}", steps=[step], sagemaker_session=session)
            pipeline.definition()  # deploys the function; not measured
            pipelines[scenario] = pipeline

        results = {name: Result(Counter(), []) for name in SCENARIOS}
        for _ in range(rounds):
            for scenario, pipeline in pipelines.items():
                counter.counts.clear()
                started = time.perf_counter()
                for _ in range(definitions):
                    pipeline.definition()
                results[scenario].seconds.append(time.perf_counter() - started)
                results[scenario].calls = Counter(counter.counts)
        return results


def _print_table(results: dict[str, Result], definitions: int, rounds: int) -> None:
    operations = sorted({op for result in results.values() for op in result.calls})
    headers = ["scenario", *operations, "total", "write attempts", "wall s", "ms/definition"]
    rows = []
    for scenario, result in results.items():
        total = sum(result.calls.values())
        writes = sum(n for op, n in result.calls.items() if op in WRITES)
        rows.append(
            [
                scenario,
                *(str(result.calls.get(op, 0)) for op in operations),
                str(total),
                str(writes),
                f"{result.median:.4f}",
                f"{1000 * result.median / definitions:.2f}",
            ]
        )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print(
        f"Lambda API calls per {definitions} pipeline.definition() calls, unchanged function "
        f"(moto); wall time = median of {rounds} rounds"
    )
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    sdk, bundled = results["sdk-lambda"], results["bundled-lambda"]
    sdk_calls, bundled_calls = sum(sdk.calls.values()), sum(bundled.calls.values())
    print()
    print(
        f"ratio sdk-lambda / bundled-lambda: calls {sdk_calls}/{bundled_calls} = "
        f"{sdk_calls / max(bundled_calls, 1):.1f}x, wall time {sdk.median / bundled.median:.1f}x"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--definitions", type=int, default=10, help="definitions per round")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per scenario")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # the SDK's and botocore's INFO chatter
    if args.definitions < 1 or args.rounds < 1:
        parser.error("--definitions and --rounds must be at least 1")
    results = run(args.definitions, args.rounds)
    _print_table(results, args.definitions, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

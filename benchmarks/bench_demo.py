"""Whole-process wall time of ``pipeline-steps demo``, and where it goes.

Part 1 times fresh processes, interleaved, after one warm-up run of each:

- ``python -m pipeline_steps demo`` (what ``pipeline-steps demo`` runs),
- ``python -c pass`` (interpreter start-up and exit),
- ``python -c "import sagemaker"`` (the SDK import alone, the floor for any command
  that builds a pipeline),

and prints each median. Part 2 runs the demo once more in a fresh process that
imports the heavy dependencies one at a time and wraps the demo's phases with
``time.perf_counter`` (no profiler overhead), then prints the breakdown. What that
process spends outside its own measurements, less the ``python -c pass`` median, is
shown as finalisation at exit (plus the few stdlib imports of this script).

Every child gets the demo's fake AWS environment (fake credentials, no EC2 metadata
lookups), so the ``import sagemaker`` baseline does not wait on a credential search
the demo never does. Bytecode is cached in a temporary ``PYTHONPYCACHEPREFIX`` (warmed
by the first runs), as it is for an installed package; ``--no-bytecode-cache`` keeps
the caller's ``PYTHONDONTWRITEBYTECODE`` setting instead.

Usage: python benchmarks/bench_demo.py [--runs 5] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
}
IMPORT_STEPS = (
    ("import pydantic", "pydantic"),
    ("import boto3", "boto3"),
    ("import sagemaker (+ workflow, xgboost, pytorch)", "sagemaker"),
    ("import moto (mock_aws)", "moto"),
    ("import pipeline_steps (builders, local runner)", "pipeline_steps"),
)


def child_env(pycache: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        env.pop(name, None)
    env.update(FAKE_AWS)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def time_process(command: list[str], env: dict[str, str], cwd: str) -> float:
    """Wall-clock seconds from spawn to exit; the command must succeed."""
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=cwd, capture_output=True)
    return time.perf_counter() - started


# ------------------------------------------------------------------ the breakdown child


def _import_phase(name: str) -> None:
    if name == "pydantic":
        import pydantic  # noqa: F401
    elif name == "boto3":
        import boto3  # noqa: F401
    elif name == "sagemaker":
        import sagemaker.pytorch.estimator
        import sagemaker.workflow.lambda_step
        import sagemaker.workflow.pipeline
        import sagemaker.workflow.pipeline_context
        import sagemaker.xgboost.estimator
        import sagemaker.xgboost.processing  # noqa: F401
    elif name == "moto":
        import moto  # noqa: F401
    elif name == "pipeline_steps":
        import pipeline_steps.prep.local_run
        import pipeline_steps.tools.cli
        import pipeline_steps.tools.demo
        import pipeline_steps.tools.mermaid
        import pipeline_steps.tools.templates  # noqa: F401


def breakdown_child(result_path: str) -> int:
    """Run in a fresh process: time the imports, then the demo's phases."""
    process_started = time.perf_counter()
    timings: list[tuple[str, float]] = []
    for label, name in IMPORT_STEPS:
        started = time.perf_counter()
        _import_phase(name)
        timings.append((label, time.perf_counter() - started))

    import io

    import botocore.client
    import moto
    import sagemaker.workflow.pipeline

    import pipeline_steps.prep.local_run
    import pipeline_steps.tools.templates
    from pipeline_steps.tools.cli import main

    phases: dict[str, float] = {}
    api_calls: dict[str, list[float]] = {}

    def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[label] = phases.get(label, 0.0) + time.perf_counter() - started

        return wrapper

    real_mock_aws = moto.mock_aws

    class TimedMock:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._mock = real_mock_aws(*args, **kwargs)

        def __enter__(self) -> Any:
            return timed("start mock AWS (mock_aws)", self._mock.__enter__)()

        def __exit__(self, *exc: object) -> Any:
            return self._mock.__exit__(*exc)

    real_api_call = botocore.client.BaseClient._make_api_call

    def counted_api_call(self: Any, operation: str, params: Any) -> Any:
        started = time.perf_counter()
        try:
            return real_api_call(self, operation, params)
        finally:
            key = f"{self.meta.service_model.service_name}.{operation}"
            api_calls.setdefault(key, []).append(time.perf_counter() - started)

    real_definition = sagemaker.workflow.pipeline.Pipeline.definition
    definition_count = [0]

    def definition(self: Any) -> str:
        definition_count[0] += 1
        label = (
            "definition() #1 (deploys the Lambda, uploads code)"
            if definition_count[0] == 1
            else "definition() #2 (unchanged function: one GetFunction)"
        )
        result: str = timed(label, real_definition)(self)
        return result

    moto.mock_aws = TimedMock  # type: ignore[assignment]
    botocore.client.BaseClient._make_api_call = counted_api_call  # type: ignore[method-assign]
    sagemaker.workflow.pipeline.Pipeline.definition = definition  # type: ignore[method-assign]
    pipeline_steps.tools.templates.build_training_pipeline = timed(
        "build the three steps (build_training_pipeline)",
        pipeline_steps.tools.templates.build_training_pipeline,
    )
    pipeline_steps.prep.local_run.run_lambda_step = timed(
        "run the prep step locally (run_lambda_step)", pipeline_steps.prep.local_run.run_lambda_step
    )

    with tempfile.TemporaryDirectory(prefix="bench-demo-") as folder:
        started = time.perf_counter()
        code = main(["demo", "--output", str(Path(folder) / "definition.json")], out=io.StringIO())
        demo_total = time.perf_counter() - started
    if code != 0:
        return code
    in_process = time.perf_counter() - process_started
    Path(result_path).write_text(
        json.dumps(
            {
                "imports": timings,
                "phases": list(phases.items()),
                "demo_total": demo_total,
                "in_process": in_process,
                "api_calls": {key: [len(v), sum(v)] for key, v in api_calls.items()},
            }
        ),
        encoding="utf-8",
    )
    return 0


# ------------------------------------------------------------------ the report


def _row(label: str, seconds: float, total: float) -> str:
    return f"  {label:<58} {seconds * 1000:8.0f} ms {seconds / total:6.1%}"


def print_breakdown(data: dict[str, Any], process_wall: float, startup: float) -> None:
    imports = sum(seconds for _, seconds in data["imports"])
    phases = sum(seconds for _, seconds in data["phases"])
    other_demo = data["demo_total"] - phases
    unaccounted = process_wall - data["in_process"] - startup
    print(f"\nwhere the time goes (one more demo process, {process_wall * 1000:.0f} ms wall):")
    print(_row("interpreter start-up and exit (python -c pass median)", startup, process_wall))
    for label, seconds in data["imports"]:
        print(_row(label, seconds, process_wall))
    for label, seconds in data["phases"]:
        print(_row(f"demo: {label}", seconds, process_wall))
    print(_row("demo: IAM/S3 setup, S3 read-back, Mermaid, printing", other_demo, process_wall))
    print(_row("interpreter finalisation at exit (module teardown)", unaccounted, process_wall))
    print(f"  {'-' * 58} {'-' * 11} {'-' * 6}")
    print(f"  imports total {imports * 1000:.0f} ms; demo body {data['demo_total'] * 1000:.0f} ms")
    calls = data["api_calls"]
    count = sum(n for n, _ in calls.values())
    seconds = sum(s for _, s in calls.values())
    print(
        f"  of which mock AWS API calls (moto, in-process): {count} calls, {seconds * 1000:.0f} ms"
    )
    for key, (n, spent) in sorted(calls.items(), key=lambda item: -item[1][1])[:6]:
        print(f"    {key:<40} x{n:<3} {spent * 1000:7.0f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (>= 3)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to time")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="do not cache bytecode; honour PYTHONDONTWRITEBYTECODE from the environment",
    )
    parser.add_argument("--breakdown-child", metavar="RESULT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.breakdown_child:
        return breakdown_child(args.breakdown_child)
    if args.runs < 3:
        parser.error("--runs must be at least 3")

    python = args.python
    commands = {
        "pipeline-steps demo": [python, "-m", "pipeline_steps", "demo", "--output", "d.json"],
        "python -c pass": [python, "-c", "pass"],
        'python -c "import sagemaker"': [python, "-c", "import sagemaker"],
    }
    with (
        tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache,
        tempfile.TemporaryDirectory(prefix="bench-demo-cwd-") as cwd,
    ):
        env = child_env(None if args.no_bytecode_cache else pycache)
        for command in commands.values():  # warm the file-system and bytecode caches
            time_process(command, env, cwd)
        times: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(args.runs):
            for label, command in commands.items():
                times[label].append(time_process(command, env, cwd))

        result_path = str(Path(cwd) / "breakdown.json")
        child = [python, str(Path(__file__).resolve()), "--breakdown-child", result_path]
        process_wall = time_process(child, env, cwd)
        breakdown = json.loads(Path(result_path).read_text(encoding="utf-8"))

    medians = {label: statistics.median(values) for label, values in times.items()}
    cache = "uncached" if args.no_bytecode_cache else "cached"
    print(f"interpreter: {python} ({args.runs} runs each, interleaved, bytecode {cache})")
    for label, values in times.items():
        spread = f"min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f}"
        print(f"  {label:<30} median {medians[label] * 1000:7.0f} ms  ({spread})")
    demo = medians["pipeline-steps demo"]
    sdk = medians['python -c "import sagemaker"']
    print(
        f"demo = {demo / medians['python -c pass']:.1f}x python -c pass, "
        f"{demo / sdk:.2f}x import sagemaker ({(demo - sdk) * 1000:+.0f} ms beyond the SDK import)"
    )
    print_breakdown(breakdown, process_wall, medians["python -c pass"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

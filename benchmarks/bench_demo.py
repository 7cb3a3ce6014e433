"""Whole-process wall time of ``pipeline-steps demo``, and where it goes.

The demo builds prep -> XGBoost training -> evaluation on in-process moto, writes the
definition, uploads its generated data and runs the whole pipeline locally (real XGBoost
in two job subprocesses). This script measures, in one command:

Part 1, fresh processes, interleaved, after one warm-up run of each (medians):

- ``python -m pipeline_steps demo`` (what ``pipeline-steps demo`` runs),
- ``python -c pass`` (interpreter start-up and exit),
- ``python -c "import sagemaker"`` (the SDK import alone, the floor for any command that
  builds a pipeline),
- ``python -c "import xgboost, pandas"`` (what each of the demo's two jobs imports: the
  floor of a job subprocess), when XGBoost is installed.

Part 2 runs the demo once more in a fresh process that imports the heavy dependencies one
at a time and wraps the demo's phases with ``time.perf_counter`` (no profiler overhead):
mock start, data upload, building, each ``definition()``, and the local run as
``run_pipeline_locally`` reports it (its own ``definition()``, planning, then each step's
phases: ``invoke`` for the Lambda; ``download``, ``code``, ``run`` (the script's
subprocess), ``check``, ``upload`` for the jobs). Every row is printed in milliseconds, as
a share of that process's wall time and as ratios to the ``python -c pass`` and
``import sagemaker`` medians of part 1. What the process spends outside its own
measurements, less the ``python -c pass`` median, is finalisation at exit (the demo
runs as the console script runs it, ``main()`` without arguments, so the entry point's
``gc.freeze()`` before exit is part of what is measured).

Every child gets the demo's fake AWS environment (fake credentials, no EC2 metadata
lookups), so the ``import sagemaker`` baseline does not wait on a credential search the
demo never does. Bytecode is cached in a temporary ``PYTHONPYCACHEPREFIX`` (warmed by the
first runs), as it is for an installed package; ``--no-bytecode-cache`` keeps the caller's
``PYTHONDONTWRITEBYTECODE`` setting instead.

Usage: python benchmarks/bench_demo.py [--runs 5] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
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

IMPORT_STEPS = (
    ("import pydantic", "pydantic"),
    ("import boto3", "boto3"),
    ("import the SageMaker SDK (its classes, via pipeline_steps.sdk)", "sdk"),
    ("import moto (mock_aws)", "moto"),
    ("import pipeline_steps (builders, local runner, CLI)", "pipeline_steps"),
)
SDK_NAMES = ("Pipeline", "PipelineSession", "LambdaStep", "TrainingStep", "ProcessingStep")
PASS = "python -c pass"
SDK = 'python -c "import sagemaker"'
JOB_FLOOR = 'python -c "import xgboost, pandas"'
DEMO = "pipeline-steps demo"


def child_env(pycache: str | None) -> dict[str, str]:
    """This environment with the demo's fake AWS settings (tools.mock_aws, one source)."""
    from pipeline_steps.tools.mock_aws import use_fake_credentials

    use_fake_credentials()  # in this process only; the children inherit the result
    env = dict(os.environ)
    env["SAGEMAKER_SUPPRESS_V2_WARNING"] = "1"  # the baseline's v2 banner is not its import
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
    elif name == "sdk":
        from pipeline_steps.sdk import sdk_class

        for sdk_name in SDK_NAMES:
            sdk_class(sdk_name)
    elif name == "moto":
        import moto  # noqa: F401
    elif name == "pipeline_steps":
        import pipeline_steps.runtime
        import pipeline_steps.tools.cli
        import pipeline_steps.tools.demo
        import pipeline_steps.tools.demo_data
        import pipeline_steps.tools.mermaid
        import pipeline_steps.tools.templates  # noqa: F401


class _Timings:
    """Seconds per labelled phase, in the order first seen."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.in_run = False

    def add(self, label: str, seconds: float) -> None:
        self.phases[label] = self.phases.get(label, 0.0) + seconds

    def timed(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(label, time.perf_counter() - started)

        return wrapper


def _local_run_rows(result: Any, total: float) -> list[tuple[str, float]]:
    """The local run's rows: its own definition() and plan, each step's phases, the rest."""
    rows = [
        ("local run: definition() again (the runner reads it)", result.phases["definition"]),
        ("local run: plan (step types, expressions, parameters)", result.phases["plan"]),
    ]
    for step in result.values():
        for phase, seconds in step.phases.items():
            rows.append((f"local run: {step.name} ({step.step_type}) {phase}", seconds))
    rows.append(
        ("local run: other (rendering, layouts, progress)", total - sum(s for _, s in rows))
    )
    return rows


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

    import pipeline_steps.runtime
    import pipeline_steps.tools.demo_data
    import pipeline_steps.tools.templates
    from pipeline_steps.sdk import sdk_class
    from pipeline_steps.tools.cli import main

    clock = _Timings()
    api_calls: dict[str, list[float]] = {}
    real_mock_aws = moto.mock_aws

    class TimedMock:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._mock = real_mock_aws(*args, **kwargs)

        def __enter__(self) -> Any:
            return clock.timed("demo: start mock AWS (mock_aws)", self._mock.__enter__)()

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

    pipeline_class = sdk_class("Pipeline")
    real_definition = pipeline_class.definition
    definitions = [0]

    def definition(self: Any) -> str:
        if clock.in_run:
            text: str = real_definition(self)
            return text
        definitions[0] += 1
        label = (
            "demo: definition() #1 (deploys the Lambda)"
            if definitions[0] == 1
            else f"demo: definition() #{definitions[0]} (unchanged Lambda: one GetFunction)"
        )
        text = clock.timed(label, real_definition)(self)
        return text

    real_run = pipeline_steps.runtime.run_pipeline_locally
    runs: list[tuple[Any, float]] = []

    def run_pipeline_locally(*args: Any, **kwargs: Any) -> Any:
        clock.in_run = True
        started = time.perf_counter()
        try:
            result = real_run(*args, **kwargs)
        finally:
            clock.in_run = False
        seconds = time.perf_counter() - started
        runs.append((result, seconds))
        clock.add("demo: local run (run_pipeline_locally)", seconds)
        return result

    moto.mock_aws = TimedMock  # type: ignore[assignment]
    botocore.client.BaseClient._make_api_call = counted_api_call  # type: ignore[method-assign]
    pipeline_class.definition = definition
    pipeline_steps.tools.templates.build_training_pipeline = clock.timed(
        "demo: build the three steps (build_training_pipeline)",
        pipeline_steps.tools.templates.build_training_pipeline,
    )
    pipeline_steps.tools.demo_data.upload_demo_data = clock.timed(
        "demo: generate and upload the data (upload_demo_data)",
        pipeline_steps.tools.demo_data.upload_demo_data,
    )
    pipeline_steps.runtime.run_pipeline_locally = run_pipeline_locally

    with tempfile.TemporaryDirectory(prefix="bench-demo-") as folder:
        # As the console script calls it (no argv): the entry point's exit behaviour included.
        sys.argv = ["pipeline-steps", "demo", "--output", str(Path(folder) / "definition.json")]
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            code = main()
        demo_total = time.perf_counter() - started
    if code != 0:
        return code
    in_process = time.perf_counter() - process_started
    phases = list(clock.phases.items())
    run_rows = _local_run_rows(*runs[0]) if runs else []
    Path(result_path).write_text(
        json.dumps(
            {
                "imports": timings,
                "phases": phases,
                "local_run": run_rows,
                "demo_total": demo_total,
                "in_process": in_process,
                "api_calls": {key: [len(v), sum(v)] for key, v in api_calls.items()},
            }
        ),
        encoding="utf-8",
    )
    return 0


# ------------------------------------------------------------------ the report


class _Table:
    """Rows of ``label, ms, share of the process, x python -c pass, x import sagemaker``."""

    def __init__(self, wall: float, startup: float, sdk: float) -> None:
        self.wall, self.startup, self.sdk = wall, startup, sdk
        print(f"  {'phase':<62} {'ms':>7} {'share':>6} {'x pass':>7} {'x import sagemaker':>18}")

    def row(self, label: str, seconds: float, indent: int = 0) -> None:
        name = " " * indent + label
        print(
            f"  {name:<62} {seconds * 1000:7.0f} {seconds / self.wall:6.1%} "
            f"{seconds / self.startup:7.2f} {seconds / self.sdk:18.2f}"
        )

    def rule(self) -> None:
        print(f"  {'-' * 62} {'-' * 7} {'-' * 6} {'-' * 7} {'-' * 18}")


def print_breakdown(data: dict[str, Any], process_wall: float, medians: dict[str, float]) -> None:
    startup, sdk = medians[PASS], medians[SDK]
    imports = sum(seconds for _, seconds in data["imports"])
    measured = sum(seconds for _, seconds in data["phases"])
    other_demo = data["demo_total"] - measured
    finalisation = process_wall - data["in_process"] - startup
    print(f"\nwhere the time goes (one more demo process, {process_wall * 1000:.0f} ms wall):")
    table = _Table(process_wall, startup, sdk)
    table.row("interpreter start-up and exit (python -c pass median)", startup)
    for label, seconds in data["imports"]:
        table.row(label, seconds)
    for label, seconds in data["phases"]:
        table.row(label, seconds)
        if label.startswith("demo: local run"):
            for part, part_seconds in data["local_run"]:
                table.row(part.removeprefix("local run: "), part_seconds, indent=4)
    table.row("demo: IAM/S3 setup, S3 read-back, Mermaid, printing", other_demo)
    table.row("interpreter finalisation at exit (module teardown)", finalisation)
    table.rule()
    table.row("imports total", imports)
    table.row("demo body (main(['demo']))", data["demo_total"])
    table.row("whole process", process_wall)
    if JOB_FLOOR in medians:
        runs = [s for label, s in data["local_run"] if label.endswith(") run")]
        print(
            f"  the jobs' script runs: {', '.join(f'{s * 1000:.0f} ms' for s in runs)}; "
            f"floor per job ({JOB_FLOOR}) {medians[JOB_FLOOR] * 1000:.0f} ms"
        )
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
        DEMO: [python, "-m", "pipeline_steps", "demo", "--output", "d.json"],
        PASS: [python, "-c", "pass"],
        SDK: [python, "-c", "import sagemaker"],
    }
    if importlib.util.find_spec("xgboost") and importlib.util.find_spec("pandas"):
        commands[JOB_FLOOR] = [python, "-c", "import xgboost, pandas"]
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
        print(f"  {label:<36} median {medians[label] * 1000:7.0f} ms  ({spread})")
    demo = medians[DEMO]
    print(
        f"demo = {demo / medians[PASS]:.1f}x python -c pass, {demo / medians[SDK]:.2f}x "
        f"import sagemaker ({(demo - medians[SDK]) * 1000:+.0f} ms beyond the SDK import)"
    )
    print_breakdown(breakdown, process_wall, medians)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Whole-process cost of the ``pipeline-steps`` commands that need no AWS, against Python.

``--version`` and ``contracts`` read nothing from AWS, so they should cost what Python,
our packages and the standard library cost, not an import of the SageMaker SDK (about
3 s: the CLI imported it at start-up until the SDK moved behind the commands that build
steps). Each command runs in a fresh interpreter, interleaved, timed from spawn to exit,
with fake credentials and no AWS configuration. Printed: the median of each and its ratio
to ``python -c pass`` and to ``python -c "import sagemaker"`` (what one SDK import costs
on this machine, the figure the CLI no longer pays for these commands).

Usage: python benchmarks/bench_cli_startup.py [--runs 11]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
CLI = "import sys; from pipeline_steps.tools.cli import main; sys.exit(main())"
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "import sagemaker": ["-c", "import sagemaker"],
    "pipeline-steps --version": ["-c", CLI, "--version"],
    "pipeline-steps contracts": ["-c", CLI, "contracts"],
}


def _time_once(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *argv], check=True, env=env, capture_output=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args(argv)
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(FAKE_ENV)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():  # warm-up: bytecode caches
        _time_once(command, env)
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            times[name].append(_time_once(command, env))
    bare = statistics.median(times["python -c pass"])
    sdk = statistics.median(times["import sagemaker"])
    print(f"whole-process wall time, median of {args.runs} interleaved runs")
    for name, samples in times.items():
        median = statistics.median(samples)
        ratios = f"x{median / bare:5.2f} python   x{median / sdk:5.2f} sdk"
        print(f"  {name:26} {median:6.3f} s   {ratios}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

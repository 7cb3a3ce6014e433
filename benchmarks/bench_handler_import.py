"""Whole-process cost of ``import hyperparameter_prep`` against ``import boto3``.

The handler package is copied alone into an empty folder (as Lambda loads it: its
``.py`` files, no bytecode) and each
command runs in a fresh isolated interpreter (``-I``), interleaved, timed from spawn
to exit. Printed: the median of each and the ratios (target for the first: <= 1.10).

* ``import hyperparameter_prep``  vs  ``import boto3``   (the issue's figure; boto3 is
  imported lazily by the handler, so this is well under 1)
* ``import hyperparameter_prep, boto3``  vs  ``import boto3``   (what the handler adds
  on top of boto3 for a cold start that goes on to use S3)
* ``import hyperparameter_prep; get_s3_client()``  vs  ``import boto3; boto3.client("s3")``
  (cold start up to a ready client)

Bytecode is cached in a temporary PYTHONPYCACHEPREFIX after one warm-up run of each.

Usage: python benchmarks/bench_handler_import.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HANDLER = Path(__file__).resolve().parents[1] / "src" / "lambda_code" / "hyperparameter_prep"
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def _commands(folder: str) -> dict[str, str]:
    head = f"import sys; sys.path.insert(0, {folder!r}); "
    return {
        "boto3": head + "import boto3",
        "handler": head + "import hyperparameter_prep",
        "handler+boto3": head + "import hyperparameter_prep, boto3",
        "boto3 client": head + "import boto3; boto3.client('s3')",
        "handler client": head + "import hyperparameter_prep; hyperparameter_prep.get_s3_client()",
    }


def _time_once(python: str, code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([python, "-I", "-c", code], check=True, env=env)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (>= 10)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to time")
    args = parser.parse_args(argv)
    if args.runs < 10:
        parser.error("--runs must be at least 10")

    with (
        tempfile.TemporaryDirectory(prefix="bench-lambda-") as folder,
        tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache,
    ):
        shutil.copytree(
            HANDLER,
            Path(folder) / "hyperparameter_prep",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        env = {**os.environ, **FAKE_ENV, "PYTHONPYCACHEPREFIX": pycache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        commands = _commands(folder)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for code in commands.values():  # warm-up: compile and cache bytecode
            _time_once(args.python, code, env)
        for _ in range(args.runs):
            for name, code in commands.items():
                times[name].append(_time_once(args.python, code, env))

    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"python: {args.python}  runs per command: {args.runs} (interleaved, medians)")
    for name, value in median.items():
        print(f"  {name:<15} {value * 1000:8.1f} ms")
    ratios = [
        ("import hyperparameter_prep / import boto3", "handler", "boto3", "  (target <= 1.10)"),
        ("import hyperparameter_prep, boto3 / import boto3", "handler+boto3", "boto3", ""),
        ("handler get_s3_client() / boto3.client('s3')", "handler client", "boto3 client", ""),
    ]
    for label, top, bottom, note in ratios:
        print(f"ratio {label:<50} {median[top] / median[bottom]:.3f}{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

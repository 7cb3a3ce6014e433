"""Override application: 40,000 overrides under one wide object vs under narrow parents.

Before the fix each override copied every container on its path, so N overrides under
one object of N keys cost O(N**2) (the issue measured 19 s against 1.2 s). Now each
container on an override path is copied at most once: both shapes are O(document + N)
and their ratio stays near 1.

Printed, median of ``--runs`` (interleaved):

* ``apply_overrides`` on the wide shape vs the narrow shape (target ratio <= 1.5);
* the whole handler (parse the event, apply, validate, serialise, hash; S3 answered by a
  botocore Stubber, so no network) on each shape, for the end-to-end figure;
* for information, a copy-per-override implementation (what the handler did before) on
  a tenth of the overrides, scaled: how the old cost grew.

Usage: python benchmarks/bench_handler_overrides.py [--runs 5] [--overrides 40000]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3
from botocore.config import Config
from botocore.stub import Stubber

from lambda_code import hyperparameter_prep as hp

INTERPRETER = f"{platform.python_implementation()} {platform.python_version()}"


def wide(count: int) -> tuple[dict[str, Any], dict[str, str]]:
    """One object of ``count`` keys, every key overridden."""
    doc = {"wide": {f"k{i}": i for i in range(count)}}
    return doc, {f"wide.k{i}": str(i + 1) for i in range(count)}


def narrow(count: int) -> tuple[dict[str, Any], dict[str, str]]:
    """``count`` objects of one key each, every key overridden."""
    doc = {f"g{i}": {"k": i} for i in range(count)}
    return doc, {f"g{i}.k": str(i + 1) for i in range(count)}


def copy_per_override(doc: dict[str, Any], overrides: dict[str, str]) -> dict[str, Any]:
    """The old shape of the algorithm: copy each container on the path, every time."""
    result = dict(doc)
    for path, value in overrides.items():
        parent: Any = result
        *head, last = path.split(".")
        for segment in head:
            child = dict(parent[segment])
            parent[segment] = child
            parent = child
        parent[last] = int(value)
    return result


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _handler(doc: dict[str, Any], overrides: dict[str, str]) -> Callable[[], object]:
    event: dict[str, Any] = {"hyperparameters": json.dumps(doc), "bucket": "bench-bucket"}
    event.update({f"{hp.OVERRIDE_PREFIX}{path}": value for path, value in overrides.items()})
    client = boto3.client(
        "s3", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )

    def call() -> object:
        with Stubber(client) as stub:
            stub.add_response("put_object", {})
            return hp.lambda_handler(event, None, s3_client=client)

    return call


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--overrides", type=int, default=40_000)
    args = parser.parse_args(argv)
    logging.getLogger(hp.LOGGER_NAME).setLevel(logging.CRITICAL)  # one line per call
    count = args.overrides
    shapes = {"wide": wide(count), "narrow": narrow(count)}
    calls: dict[str, Callable[[], object]] = {}
    for name, (doc, overrides) in shapes.items():
        calls[f"apply {name}"] = lambda d=doc, o=overrides: hp.apply_overrides(d, o)
        calls[f"handler {name}"] = _handler(doc, overrides)
    small_doc, small_overrides = wide(count // 10)
    calls["old apply wide /10"] = lambda: copy_per_override(small_doc, small_overrides)
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(args.runs):
        for name, call in calls.items():
            times[name].append(_timed(call))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"{count:,} overrides, runs {args.runs} (medians)  [{INTERPRETER}]")
    for name, value in median.items():
        print(f"  {name:<22} {value * 1000:10.1f} ms")
    print(
        f"ratio apply wide / narrow     {median['apply wide'] / median['apply narrow']:.3f}"
        "  (target <= 1.5)"
    )
    print(f"ratio handler wide / narrow   {median['handler wide'] / median['handler narrow']:.3f}")
    old = median["old apply wide /10"] * 100  # quadratic: 10x the overrides, 100x the time
    print(
        f"info: copy-per-override, wide, scaled to {count:,}: ~{old:.1f} s "
        f"({old / median['apply wide']:.0f}x the current apply)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

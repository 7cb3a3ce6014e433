"""Refusing a 2**30-leaf shared-reference structure vs validating a 5 MiB document.

A Python caller can pass ``node = [node, node]`` thirty levels deep: 31 lists, 2**30
leaves, a canonical form of many GiB. Validation adds up a lower bound of the canonical
size as it walks and stops when it passes 5 MiB, so the refusal costs about what a 5 MiB
document costs, never a walk of 2**30 values.

Printed, median of ``--runs`` (interleaved): ``validate_hyperparameters`` refusing the
DAG, and accepting a ~5 MiB document of many small objects (the costly shape), with their
ratio (target <= 1.0); also the DAG through the whole handler (refused before any S3
request).

Usage: python benchmarks/bench_handler_dag.py [--runs 5] [--levels 30]
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

from lambda_code import hyperparameter_prep as hp

INTERPRETER = f"{platform.python_implementation()} {platform.python_version()}"


def shared_dag(levels: int) -> dict[str, Any]:
    node: list[Any] = [0]
    for _ in range(levels):
        node = [node, node]
    return {"node": node}


def five_mib_document() -> dict[str, Any]:
    """Small objects and numbers until the canonical form is just under 5 MiB."""
    layers = []
    doc: dict[str, Any] = {"layers": layers}
    size = len(json.dumps(doc, indent=2))
    index = 0
    while True:
        layer = {"name": f"layer_{index}", "units": index % 4096, "dropout": 0.1, "on": True}
        # each item adds its own text plus separators and indentation
        grown = size + len(json.dumps(layer, indent=2)) + 8 + 4 * 6
        if grown >= hp.MAX_DOCUMENT_BYTES - 1024:
            return doc
        layers.append(layer)
        size = grown
        index += 1


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _refuse(doc: dict[str, Any]) -> None:
    try:
        hp.validate_hyperparameters(doc)
    except hp.InvalidHyperparametersError as error:
        assert "document at most 5 MiB" in str(error)
    else:
        raise AssertionError("the DAG was accepted")


def _refuse_event(doc: dict[str, Any]) -> None:
    try:
        hp.lambda_handler({"hyperparameters": doc, "bucket": "bench-bucket"}, None)
    except hp.InvalidHyperparametersError:
        return
    raise AssertionError("the DAG was accepted")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--levels", type=int, default=30)
    args = parser.parse_args(argv)
    logging.getLogger(hp.LOGGER_NAME).setLevel(logging.CRITICAL)  # one line per call
    dag = shared_dag(args.levels)
    document = five_mib_document()
    size = len(hp.serialize_hyperparameters(document))
    calls = {
        "refuse DAG": lambda: _refuse(dag),
        "validate 5 MiB": lambda: hp.validate_hyperparameters(document),
        "handler refuses DAG": lambda: _refuse_event(dag),
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(args.runs):
        for name, call in calls.items():
            times[name].append(_timed(call))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"DAG: {args.levels + 1} lists, 2**{args.levels} leaves; document: {size:,} B "
        f"canonical; runs {args.runs} (medians)  [{INTERPRETER}]"
    )
    for name, value in median.items():
        print(f"  {name:<22} {value * 1000:10.1f} ms")
    print(
        f"ratio refuse DAG / validate 5 MiB  "
        f"{median['refuse DAG'] / median['validate 5 MiB']:.3f}  (target <= 1.0)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

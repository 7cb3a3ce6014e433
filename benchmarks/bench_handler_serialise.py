"""Validate + serialise + hash of a ~5 MB document vs ``json.loads`` + ``json.dumps`` of it.

The document arrives as JSON text, as in a LambdaStep event. Timed, interleaved,
median of ``--runs``:

* handler: ``parse_hyperparameters(text)`` (json.loads with duplicate-key and NaN
  checks) then the handler's hot path ``_canonical_bytes`` (one validation pass, the
  canonical encoding streamed in blocks, encoded and hashed once);
* baseline: ``json.dumps(json.loads(text), indent=2, sort_keys=True, allow_nan=False)``,
  the canonical form with the stdlib alone (target ratio <= 2.0);
* for information, the baseline with ``json.dumps`` defaults (the C encoder, which
  the stdlib only uses without ``indent``), and the public ``serialize_hyperparameters``.

Peak memory (tracemalloc) of validate + serialise + hash, starting from the parsed
dict, is reported as a multiple of the canonical document size (target <= 5x), next
to the stdlib's ``json.dumps(...).encode()`` + sha256 for comparison.

Shapes: ``numbers`` (many small objects and floats: the costly case for pure-Python
work) and ``text`` (long strings).

Every figure is labelled with the interpreter that produced it, and whether that
interpreter encodes indented JSON in C (CPython 3.13+, one call) or in pure Python
(streamed): the canonical bytes are the same, the speed is not. ``--python`` (repeatable)
runs the same benchmark under other interpreters too (the handler needs only the
standard library, so any CPython 3.10+ will do).

Usage: python benchmarks/bench_handler_serialise.py [--runs 9] [--size 1000000]
           [--python /path/to/python3.14 ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lambda_code import hyperparameter_prep as hp
from lambda_code.hyperparameter_prep import document

INTERPRETER = f"{platform.python_implementation()} {platform.python_version()}"
ENCODER = "C, one call" if document.C_INDENT_ENCODER else "pure Python, streamed"

CANONICAL: dict[str, Any] = {"indent": 2, "sort_keys": True, "allow_nan": False}


def numbers_document(target: int) -> dict[str, Any]:
    """Layers, a vocabulary and class weights until the canonical form reaches ``target``."""
    rnd = random.Random(0)
    doc: dict[str, Any] = {
        "optimizer": {"name": "adamw", "lr": 0.0003, "betas": [0.9, 0.999]},
        "layers": [],
        "vocab": {},
        "class_weights": [],
    }
    step = 0
    while True:
        for _ in range(500):
            doc["layers"].append(
                {
                    "name": f"layer_{step}",
                    "units": rnd.randint(1, 4096),
                    "dropout": round(rnd.random(), 4),
                    "activation": rnd.choice(["relu", "gelu", "tanh"]),
                    "trainable": rnd.random() < 0.5,
                    "init": None,
                    "scales": [round(rnd.random(), 6) for _ in range(8)],
                }
            )
            doc["vocab"][f"token_{step}_{rnd.randrange(10**6)}"] = step
            doc["class_weights"].append(rnd.uniform(0, 10))
            step += 1
        if len(json.dumps(doc, **CANONICAL)) >= target:
            return doc


def text_document(target: int) -> dict[str, Any]:
    rnd = random.Random(1)
    words = ["the", "of", "learning", "rate", "model", "layer", "attention", "token"]
    prompts = {}
    index = 0
    while len(json.dumps(prompts, **CANONICAL)) < target:
        prompts[f"prompt_{index}"] = " ".join(rnd.choice(words) for _ in range(20_000))
        index += 1
    return {"prompts": prompts, "lr": 0.0003}


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _peak(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def handler_path(text: str) -> tuple[bytes, str]:
    return hp.canonical_bytes(hp.parse_hyperparameters(text))


def stdlib_canonical(text: str) -> str:
    return json.dumps(json.loads(text), **CANONICAL)


def stdlib_default(text: str) -> str:
    return json.dumps(json.loads(text))


def public_path(text: str) -> str:
    return hp.serialize_hyperparameters(hp.parse_hyperparameters(text))


def bench(shape: str, doc: dict[str, Any], runs: int) -> None:
    text = json.dumps(doc)
    size = len(json.dumps(doc, **CANONICAL))
    body, digest = handler_path(text)
    assert body == json.dumps(doc, **CANONICAL).encode()
    assert digest == hashlib.sha256(body).hexdigest()
    calls = {
        "handler": lambda: handler_path(text),
        "baseline": lambda: stdlib_canonical(text),
        "c-default": lambda: stdlib_default(text),
        "public": lambda: public_path(text),
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            times[name].append(_timed(call))
    median = {name: statistics.median(values) for name, values in times.items()}
    handler_peak = _peak(lambda: hp.canonical_bytes(doc))
    stdlib_peak = _peak(lambda: hashlib.sha256(json.dumps(doc, **CANONICAL).encode()).hexdigest())
    base = median["baseline"]
    print(
        f"{shape}: canonical {size:,} B, event text {len(text):,} B, runs {runs}  [{INTERPRETER}]"
    )
    print(f"  json.loads + canonical json.dumps      {base * 1000:8.1f} ms")
    print(
        f"  parse + validate + serialise + hash    {median['handler'] * 1000:8.1f} ms   "
        f"ratio {median['handler'] / base:.3f}  (target <= 2.0)  [{INTERPRETER}]"
    )
    print(
        f"  public serialize_hyperparameters       {median['public'] * 1000:8.1f} ms   "
        f"ratio {median['public'] / base:.3f}  (info)"
    )
    print(
        f"  json.loads + default json.dumps (C)    {median['c-default'] * 1000:8.1f} ms   "
        f"handler / this {median['handler'] / median['c-default']:.3f}  (info)"
    )
    print(
        f"  peak memory validate+serialise+hash    {handler_peak / size:8.2f} x document"
        "  (target <= 5)"
    )
    print(f"  peak memory stdlib dumps+encode+hash   {stdlib_peak / size:8.2f} x document  (info)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--size", type=int, default=1_000_000, help="canonical bytes")
    parser.add_argument(
        "--python", action="append", default=[], help="also run under this interpreter"
    )
    args = parser.parse_args(argv)
    if args.size > hp.MAX_DOCUMENT_BYTES:
        parser.error(f"--size must be at most {hp.MAX_DOCUMENT_BYTES} (the 5 MiB limit)")
    print(f"interpreter: {INTERPRETER} ({sys.executable}); indented JSON encoder: {ENCODER}")
    for shape, make in (("numbers", numbers_document), ("text", text_document)):
        bench(shape, make(args.size), args.runs)
    source = str(Path(__file__).resolve().parents[1] / "src")
    for python in args.python:
        sys.stdout.flush()
        env = {**os.environ, "PYTHONPATH": source}
        command = [python, __file__, "--runs", str(args.runs), "--size", str(args.size)]
        subprocess.run(command, check=True, env=env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

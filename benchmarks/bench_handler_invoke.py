"""Warm invocation of the handler vs a bare ``put_object`` of the same bytes.

Starts a moto server on 127.0.0.1, warms one boto3 client, then for each document
alternates: ``lambda_handler`` on an event carrying the hyperparameters as JSON text
(what a LambdaStep sends) and a plain ``put_object(Bucket, Key, Body)`` of exactly the
canonical bytes the handler uploads. Every iteration uses a different document (a
``run`` counter changes), so both sides write a new object each time and the handler
takes its happy path: one PutObject, no HEAD. Printed: median and best of each, with
its ratio to the bare put (target <= 1.25; the best is the steadier figure on a busy
machine), plus, for information, dict input, the reuse path (412 + HEAD), a put with
the handler's headers, and the floor any stdlib-JSON handler pays (json.loads of the
event text + canonical json.dumps).

Documents: ``1KB`` (a typical config), ``1MB-text`` (mostly long strings: a prompt
template and label names), ``1MB-numbers`` (tens of thousands of small numbers and
objects). The per-byte cost of JSON work in pure Python depends on the shape, so the
two 1 MB shapes bracket what a 1 MB hyperparameter document can cost.

Nothing leaves the machine: fake credentials, explicit loopback endpoint.

Usage: python benchmarks/bench_handler_invoke.py [--runs 41]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import logging
import platform
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from pipeline_steps.tools.mock_aws import use_fake_credentials

use_fake_credentials()  # before boto3 is imported: never real AWS

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

from lambda_code import hyperparameter_prep as hp  # noqa: E402

CANONICAL: dict[str, Any] = {"indent": 2, "sort_keys": True, "allow_nan": False}
WORDS = ["the", "of", "learning", "rate", "model", "layer", "attention", "token", "batch"]


def doc_1kb(run: int) -> dict[str, Any]:
    return {
        "run": run,
        "model": {"name": "xgboost", "max_depth": 6, "eta": 0.3, "subsample": 0.8},
        "objective": "binary:logistic",
        "eval_metric": ["auc", "logloss", "error"],
        "num_round": 200,
        "early_stopping_rounds": 20,
        "optimizer": {"name": "adamw", "lr": 0.0003, "betas": [0.9, 0.999], "eps": 1e-8},
        "schedule": {"warmup_steps": 500, "decay": "cosine", "min_lr": 1e-6},
        "features": [f"feature_{i:03d}" for i in range(12)],
        "scale_pos_weight": 1.5,
        "tree_method": "hist",
        "seed": 42,
    }


def doc_1mb_text(run: int) -> dict[str, Any]:
    rnd = random.Random(7)
    template = " ".join(rnd.choice(WORDS) for _ in range(150_000))[:900_000]
    return {
        "run": run,
        "prompt_template": template,
        "labels": [f"label-{i:05d}-{rnd.choice(WORDS)}" for i in range(4000)],
        "lr": 0.0003,
        "epochs": 3,
    }


def doc_1mb_numbers(run: int) -> dict[str, Any]:
    rnd = random.Random(11)
    layers = [
        {
            "name": f"layer_{i}",
            "units": rnd.randint(1, 4096),
            "dropout": round(rnd.random(), 4),
            "activation": rnd.choice(["relu", "gelu", "tanh"]),
            "scales": [round(rnd.random(), 6) for _ in range(8)],
        }
        for i in range(3600)
    ]
    return {"run": run, "layers": layers, "class_weights": [rnd.random() for _ in range(6000)]}


SHAPES: dict[str, Callable[[int], dict[str, Any]]] = {
    "1KB": doc_1kb,
    "1MB-text": doc_1mb_text,
    "1MB-numbers": doc_1mb_numbers,
}


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def bench(s3: Any, bucket: str, shape: str, runs: int) -> None:
    make = SHAPES[shape]
    texts, dicts, bodies = [], [], []
    for run in range(runs + 1):
        doc = make(run)
        dicts.append(doc)
        texts.append(json.dumps(doc))
        bodies.append(json.dumps(doc, **CANONICAL).encode())
    size = len(bodies[0])
    handler_text, handler_dict, bare = [], [], []
    for run in range(runs + 1):
        text_event = {"hyperparameters": texts[run], "bucket": bucket, "key_prefix": "text"}
        dict_event = {"hyperparameters": dicts[run], "bucket": bucket, "key_prefix": "dict"}
        key = f"bare/{shape}/{run}/hyperparameters.json"
        body = bodies[run]
        timings = (
            _timed(lambda e=text_event: hp.lambda_handler(e, None, s3_client=s3)),
            _timed(lambda k=key, b=body: s3.put_object(Bucket=bucket, Key=k, Body=b)),
            _timed(lambda e=dict_event: hp.lambda_handler(e, None, s3_client=s3)),
        )
        if run == 0:
            continue  # warm-up
        handler_text.append(timings[0])
        bare.append(timings[1])
        handler_dict.append(timings[2])
    # For attribution: the same PutObject parameters as the handler's, and the floor any
    # stdlib implementation pays (parse the event text, write the canonical form).
    same_params = []
    for run in range(1, runs + 1):
        body = bodies[run]
        digest = hashlib.sha256(body)
        params = {
            "Bucket": bucket,
            "Key": f"same-params/{shape}/{run}/hyperparameters.json",
            "Body": body,
            "ContentType": "application/json",
            "ChecksumAlgorithm": "SHA256",
            "ChecksumSHA256": base64.b64encode(digest.digest()).decode(),
            "IfNoneMatch": "*",
            "Metadata": {"sha256": digest.hexdigest()},
            "ServerSideEncryption": "AES256",
        }
        same_params.append(_timed(lambda p=params: s3.put_object(**p)))
    floor = [
        _timed(lambda t=texts[run]: json.dumps(json.loads(t), **CANONICAL))
        for run in range(1, min(runs, 11) + 1)
    ]
    reuse_event = {"hyperparameters": texts[1], "bucket": bucket, "key_prefix": "text"}
    reuse = [_timed(lambda: hp.lambda_handler(reuse_event, None, s3_client=s3)) for _ in range(9)]

    rows = [
        ("bare put_object", bare, ""),
        ("put_object, handler's params", same_params, "info: S3-side cost of its headers"),
        ("handler, JSON-text event", handler_text, "the figure (target <= 1.25)"),
        ("handler, dict event", handler_dict, "info"),
        ("handler, reuse 412+HEAD", reuse, "info: moto answers errors slowly"),
    ]
    m_bare, b_bare = statistics.median(bare), min(bare)
    print(f"{shape:<12} canonical {size:>9,} B  runs {runs}   median (ratio)   best (ratio)")
    for label, values, note in rows:
        med, best = statistics.median(values), min(values)
        print(
            f"  {label:<30} {med * 1000:8.2f} ms ({med / m_bare:5.3f})"
            f" {best * 1000:8.2f} ms ({best / b_bare:5.3f})  {note}"
        )
    m_floor = statistics.median(floor)
    print(
        f"  {'bare put + json.loads/dumps':<30} {(m_bare + m_floor) * 1000:8.2f} ms "
        f"({(m_bare + m_floor) / m_bare:5.3f})  info: floor for any stdlib-JSON handler"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=41, help="timed runs per document")
    parser.add_argument("--shape", choices=sorted(SHAPES), action="append")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        s3 = boto3.client("s3", endpoint_url=f"http://{host}:{port}", region_name="us-east-1")
        s3.create_bucket(Bucket="bench-hyperparameters")
        print(
            "warm invocation vs bare put_object, same bytes, same moto server (target <= 1.25)"
            f"  [{platform.python_implementation()} {platform.python_version()}]"
        )
        for shape in args.shape or list(SHAPES):
            bench(s3, "bench-hyperparameters", shape, args.runs)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

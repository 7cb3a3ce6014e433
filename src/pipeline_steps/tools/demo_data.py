"""The demo's data set: a small binary-classification problem, the same on every run.

Rows come from ``random.Random(DEMO_SEED)`` (no numpy), so the files, their S3 objects
and the demo's metrics are identical from run to run and machine to machine. Four
features; the label is 1 when a noisy score of them is positive (a learnable but not
trivial boundary: XGBoost reaches about 0.9 accuracy on the evaluation rows).

The files have the layouts the reference scripts read (``train_xgb.py``,
``model_evaluation.py``): training and validation CSV with the label first and no
header; evaluation CSV with a header naming ``id``, ``label`` and the features, in
training order. ``upload_demo_data`` puts them where the demo pipeline (and the README
example) reads: ``s3://<bucket>/data/train/``, ``data/validation/`` and ``data/eval/``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEMO_DATA_PREFIX",
    "DEMO_SEED",
    "DEMO_SPLITS",
    "ID_FIELD",
    "LABEL_FIELD",
    "DemoData",
    "demo_data",
    "upload_demo_data",
]

DEMO_SEED = 20240611
DEMO_DATA_PREFIX = "data"
ID_FIELD = "id"
LABEL_FIELD = "label"
FEATURES = ("x1", "x2", "x3", "x4")

DEMO_SPLITS: Mapping[str, int] = {"train": 600, "validation": 200, "eval": 200}
"""Rows per split; the split name is the folder under ``data/`` (the demo pipeline's inputs)."""


@dataclass(frozen=True)
class DemoData:
    """The CSV text of each split, keyed by S3 key relative to the bucket."""

    files: Mapping[str, str]
    rows: Mapping[str, int]

    def uris(self, bucket: str) -> dict[str, str]:
        """Each split's S3 prefix (what a pipeline input names), by split."""
        return {split: f"s3://{bucket}/{DEMO_DATA_PREFIX}/{split}/" for split in self.rows}


def _rows(rng: random.Random, count: int) -> list[tuple[int, list[float]]]:
    rows = []
    for _ in range(count):
        x = [round(rng.gauss(0.0, 1.0), 4) for _ in FEATURES]
        score = 1.5 * x[0] - 1.0 * x[1] + 0.8 * x[2] * x[3] + rng.gauss(0.0, 0.6)
        rows.append((int(score > 0), x))
    return rows


def demo_data(seed: int = DEMO_SEED) -> DemoData:
    """The three splits as CSV text (deterministic for a seed)."""
    rng = random.Random(seed)
    files: dict[str, str] = {}
    for split, count in DEMO_SPLITS.items():
        rows = _rows(rng, count)
        if split == "eval":
            header = ",".join((ID_FIELD, LABEL_FIELD, *FEATURES))
            lines = [header] + [
                ",".join((str(index), str(label), *map(str, x)))
                for index, (label, x) in enumerate(rows)
            ]
        else:
            lines = [",".join((str(label), *map(str, x))) for label, x in rows]
        files[f"{DEMO_DATA_PREFIX}/{split}/{split}.csv"] = "\n".join(lines) + "\n"
    return DemoData(files=files, rows=dict(DEMO_SPLITS))


def upload_demo_data(s3: Any, bucket: str, seed: int = DEMO_SEED) -> DemoData:
    """Write the demo data set to ``s3://<bucket>/data/<split>/<split>.csv``."""
    data = demo_data(seed)
    for key, text in data.files.items():
        s3.put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"))
    return data

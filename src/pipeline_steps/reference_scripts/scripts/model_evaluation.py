"""Model evaluation script following MODEL_EVALUATION_CONTRACT.

Loads the XGBoost model artifact, scores the evaluation CSV (with a header row;
``ID_FIELD`` and ``LABEL_FIELD`` name the id and label columns) and writes
predictions and metrics.
"""

from __future__ import annotations

import csv
import importlib
import json
import math
import os
import tarfile
from pathlib import Path
from typing import Any

PROCESSING = Path("/opt/ml/processing")
MODEL_DIR = PROCESSING / "input" / "model"
EVAL_DATA_DIR = PROCESSING / "input" / "eval_data"
HYPERPARAMETERS_FILE = PROCESSING / "input" / "config" / "hyperparameters.json"
EVAL_OUTPUT_DIR = PROCESSING / "output" / "eval"
METRICS_OUTPUT_DIR = PROCESSING / "output" / "metrics"


def read_rows(folder: Path) -> list[dict[str, str]]:
    """Every row of every CSV file in ``folder``, as dicts keyed by header."""
    rows: list[dict[str, str]] = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def extract_model(folder: Path) -> Path:
    """The model file, unpacking ``model.tar.gz`` when the artifact is an archive."""
    archive = folder / "model.tar.gz"
    if archive.exists():
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")
    return folder / "xgboost-model.json"


def binary_metrics(labels: list[float], scores: list[float]) -> dict[str, float]:
    """Accuracy and log loss of probability scores against 0/1 labels."""
    eps = 1e-15
    pairs = list(zip(labels, scores, strict=True))
    correct = sum((score >= 0.5) == (label >= 0.5) for label, score in pairs)
    loss = -sum(
        label * math.log(max(score, eps)) + (1 - label) * math.log(max(1 - score, eps))
        for label, score in zip(labels, scores, strict=True)
    )
    count = max(len(labels), 1)
    return {"accuracy": correct / count, "log_loss": loss / count, "count": float(len(labels))}


def main() -> None:
    """Score the evaluation data and write predictions and metrics."""
    xgb = importlib.import_module("xgboost")
    id_field = os.environ["ID_FIELD"]
    label_field = os.environ["LABEL_FIELD"]
    hyperparameters: dict[str, Any] = json.loads(HYPERPARAMETERS_FILE.read_text(encoding="utf-8"))
    rows = read_rows(EVAL_DATA_DIR)
    features = [name for name in rows[0] if name not in (id_field, label_field)] if rows else []
    booster = xgb.Booster()
    booster.load_model(str(extract_model(MODEL_DIR)))
    matrix = xgb.DMatrix([[float(row[name]) for name in features] for row in rows])
    scores = [float(score) for score in booster.predict(matrix)]
    labels = [float(row[label_field]) for row in rows]
    EVAL_OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    with (EVAL_OUTPUT_DIR / "predictions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([id_field, label_field, "score"])
        for row, score in zip(rows, scores, strict=True):
            writer.writerow([row[id_field], row[label_field], score])
    METRICS_OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    metrics = {
        "objective": hyperparameters.get("objective"),
        "metrics": binary_metrics(labels, scores),
    }
    (METRICS_OUTPUT_DIR / "metrics.json").write_text(
        json.dumps(metrics, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()

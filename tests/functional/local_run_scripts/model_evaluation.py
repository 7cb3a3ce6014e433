"""Fixture evaluation script: every /opt/ml/processing path under $PIPELINE_PROCESSING_ROOT."""

from __future__ import annotations

import csv
import json
import os
import tarfile
from pathlib import Path

import xgboost as xgb

PROCESSING = Path(os.environ.get("PIPELINE_PROCESSING_ROOT", "/opt/ml/processing"))
MODEL_DIR = PROCESSING / "input" / "model"
EVAL_DATA_DIR = PROCESSING / "input" / "eval_data"
HYPERPARAMETERS_FILE = PROCESSING / "input" / "config" / "hyperparameters.json"
EVAL_OUTPUT_DIR = PROCESSING / "output" / "eval"
METRICS_OUTPUT_DIR = PROCESSING / "output" / "metrics"


def main() -> None:
    id_field, label_field = os.environ["ID_FIELD"], os.environ["LABEL_FIELD"]
    hp = json.loads(HYPERPARAMETERS_FILE.read_text())
    with tarfile.open(MODEL_DIR / "model.tar.gz") as tar:
        tar.extractall(MODEL_DIR, filter="data")
    booster = xgb.Booster(params={"nthread": 1})
    booster.load_model(str(MODEL_DIR / "xgboost-model.json"))
    rows: list[dict[str, str]] = []
    for path in sorted(EVAL_DATA_DIR.glob("*.csv")):
        with path.open(newline="") as handle:
            rows += list(csv.DictReader(handle))
    features = [name for name in rows[0] if name not in (id_field, label_field)]
    scores = booster.predict(xgb.DMatrix([[float(r[f]) for f in features] for r in rows]))
    labels = [float(r[label_field]) for r in rows]
    EVAL_OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    with (EVAL_OUTPUT_DIR / "predictions.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([id_field, label_field, "score"])
        writer.writerows(
            [r[id_field], r[label_field], float(s)] for r, s in zip(rows, scores, strict=True)
        )
    accuracy = sum((s >= 0.5) == (y >= 0.5) for s, y in zip(scores, labels, strict=True)) / len(
        labels
    )
    METRICS_OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    metrics = {
        "objective": hp["objective"],
        "learning_rate": hp["learning_rate"],
        "metrics": {"accuracy": accuracy, "count": len(labels)},
    }
    (METRICS_OUTPUT_DIR / "metrics.json").write_text(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()

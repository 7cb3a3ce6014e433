"""Fixture evaluation script (standard library only) under $PIPELINE_PROCESSING_ROOT."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

ROOT = Path(os.environ.get("PIPELINE_PROCESSING_ROOT", "/opt/ml/processing"))
INPUT = ROOT / "input"
OUTPUT = ROOT / "output"

if __name__ == "__main__":
    with tarfile.open(INPUT / "model" / "model.tar.gz") as tar:
        model = json.load(tar.extractfile("model.json"))  # type: ignore[arg-type]
    hyperparameters = json.loads((INPUT / "config" / "hyperparameters.json").read_text())
    rows = [line for p in sorted((INPUT / "eval_data").glob("*.csv")) for line in p.open()]
    (OUTPUT / "eval").mkdir(parents=True, exist_ok=True)
    (OUTPUT / "eval" / "rows.txt").write_text(f"{len(rows)}\n")
    (OUTPUT / "metrics").mkdir(parents=True, exist_ok=True)
    metrics = {"id_field": os.environ["ID_FIELD"], "trained_rows": model["rows"]}
    metrics["learning_rate"] = hyperparameters["learning_rate"]
    (OUTPUT / "metrics" / "metrics.json").write_text(json.dumps(metrics))

"""Fixture training script (standard library only): a 'model' that lists what it read.

Every location comes from SageMaker's training environment, the contract paths as defaults.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

TRAIN = Path(os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
CONFIG = Path(os.environ.get("SM_CHANNEL_CONFIG", "/opt/ml/input/data/config"))
MODEL_DIR = Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
OUTPUT_DATA_DIR = Path(os.environ.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"))


def train() -> dict[str, object]:
    """Read the hyperparameters and every training file; write the model."""
    hyperparameters = json.loads((CONFIG / "hyperparameters.json").read_text())
    files = sorted(p.relative_to(TRAIN).as_posix() for p in TRAIN.rglob("*") if p.is_file())
    rows = sum(len((TRAIN / name).read_text().splitlines()) for name in files)
    model = {"hyperparameters": hyperparameters, "files": files, "rows": rows}
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    (MODEL_DIR / "model.json").write_text(json.dumps(model))
    return model


def main() -> None:
    model = train()
    OUTPUT_DATA_DIR.mkdir(parents=True, exist_ok=True)
    (OUTPUT_DATA_DIR / "history.json").write_text(json.dumps({"rows": model["rows"]}))


if __name__ == "__main__":
    main()

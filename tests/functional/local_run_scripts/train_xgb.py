"""Fixture training script: real XGBoost, every location from SageMaker's environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

import xgboost as xgb

TRAIN = Path(os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
VALIDATION = Path(os.environ.get("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation"))
CONFIG = Path(os.environ.get("SM_CHANNEL_CONFIG", "/opt/ml/input/data/config"))
MODEL_DIR = Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
OUTPUT_DATA_DIR = Path(os.environ.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"))


def rows(folder: Path) -> list[list[float]]:
    """Every CSV row of every file in a channel (label first, no header)."""
    found: list[list[float]] = []
    for path in sorted(folder.glob("*.csv")):
        found += [[float(v) for v in line.split(",")] for line in path.read_text().splitlines()]
    return found


def matrix(folder: Path) -> xgb.DMatrix:
    data = rows(folder)
    return xgb.DMatrix([row[1:] for row in data], label=[row[0] for row in data])


def main() -> None:
    hp = json.loads((CONFIG / "hyperparameters.json").read_text())
    params = {
        "objective": hp["objective"],
        "max_depth": hp["max_depth"],
        "eta": hp["learning_rate"],
        # One thread: OpenMP's spinning threads make training ~50x slower on a busy 2-core box.
        "nthread": 1,
    }
    train = matrix(TRAIN)
    evals = [(train, "train")]
    if VALIDATION.is_dir():  # the validation channel is optional in the contract
        evals.append((matrix(VALIDATION), "validation"))
    history: dict[str, dict[str, list[float]]] = {}
    booster = xgb.train(
        params,
        train,
        num_boost_round=int(hp["n_estimators"]),
        evals=evals,
        evals_result=history,
        verbose_eval=False,
    )
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(MODEL_DIR / "xgboost-model.json"))
    OUTPUT_DATA_DIR.mkdir(parents=True, exist_ok=True)
    (OUTPUT_DATA_DIR / "training_history.json").write_text(json.dumps(history))


if __name__ == "__main__":
    main()

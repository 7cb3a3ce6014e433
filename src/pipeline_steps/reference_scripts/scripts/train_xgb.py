"""XGBoost training script following XGBOOST_TRAIN_CONTRACT.

Reads CSV channels (label in the first column, no header) and the hyperparameters
JSON from the config channel; writes the model to /opt/ml/model.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

INPUT_ROOT = Path("/opt/ml/input/data")
HYPERPARAMETERS_FILE = INPUT_ROOT / "config" / "hyperparameters.json"
MODEL_DIR = Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
OUTPUT_DATA_DIR = Path(os.environ.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"))

BOOSTER_PARAMETERS = {
    "objective": "objective",
    "max_depth": "max_depth",
    "learning_rate": "eta",
    "subsample": "subsample",
    "colsample_bytree": "colsample_bytree",
    "random_state": "seed",
    "min_child_weight": "min_child_weight",
    "gamma": "gamma",
    "reg_alpha": "alpha",
    "reg_lambda": "lambda",
    "num_class": "num_class",
    "tree_method": "tree_method",
    "eval_metric": "eval_metric",
}


def load_hyperparameters(path: Path = HYPERPARAMETERS_FILE) -> dict[str, Any]:
    """The hyperparameters the prep step wrote, as typed JSON (not SageMaker's strings)."""
    with path.open(encoding="utf-8") as handle:
        loaded = json.load(handle)
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} must hold a JSON object")
    return loaded


def booster_params(hyperparameters: dict[str, Any]) -> dict[str, Any]:
    """XGBoost's native parameter names for the contract's hyperparameters."""
    return {
        native: hyperparameters[name]
        for name, native in BOOSTER_PARAMETERS.items()
        if name in hyperparameters
    }


def load_csv_matrix(xgb: Any, channel: str) -> Any:
    """A DMatrix of a channel's CSV data (label first), or None without data."""
    folder = INPUT_ROOT / channel
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        return None
    return xgb.DMatrix(f"{files[0]}?format=csv&label_column=0")


def main() -> None:
    """Train and save the model, and the per-round evaluation log."""
    xgb = importlib.import_module("xgboost")
    hyperparameters = load_hyperparameters()
    train = load_csv_matrix(xgb, "train")
    if train is None:
        raise SystemExit("no CSV files in the train channel")
    validation = load_csv_matrix(xgb, "validation")
    evals = [(train, "train")] + ([(validation, "validation")] if validation is not None else [])
    history: dict[str, Any] = {}
    booster = xgb.train(
        booster_params(hyperparameters),
        train,
        num_boost_round=int(hyperparameters.get("n_estimators", 100)),
        evals=evals,
        evals_result=history,
        early_stopping_rounds=hyperparameters.get("early_stopping_rounds")
        if validation is not None
        else None,
    )
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(MODEL_DIR / "xgboost-model.json"))
    OUTPUT_DATA_DIR.mkdir(parents=True, exist_ok=True)
    (OUTPUT_DATA_DIR / "training_history.json").write_text(json.dumps(history), encoding="utf-8")


if __name__ == "__main__":
    main()

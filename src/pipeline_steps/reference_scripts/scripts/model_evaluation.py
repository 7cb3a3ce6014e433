"""Model evaluation script following MODEL_EVALUATION_CONTRACT.

Loads the XGBoost model (``model.tar.gz`` or the bare model file), scores every
evaluation CSV file (a header row; ``ID_FIELD`` and ``LABEL_FIELD`` name the id and
label columns, every other column is a feature in training order) and writes
``predictions.csv`` to the eval output and ``metrics.json`` to the metrics output.

The task comes from the model's own objective: binary (accuracy, log loss, AUC,
precision, recall, F1), multi-class (accuracy, per-class precision/recall/F1, and log
loss for multi:softprob), regression (RMSE, MAE, R2; pinball loss and coverage per
quantile for reg:quantileerror) and ranking (NDCG of the file as one list).

Every ``/opt/ml/processing`` path moves under ``$PIPELINE_PROCESSING_ROOT`` when it
is set, so the script runs outside a container. Runs on the SageMaker XGBoost
images' Python (3.10 on 3.0-5, 3.8 on 1.7-1) with numpy, pandas and xgboost.
"""

from __future__ import annotations

import json
import os
import sys
import tarfile
from pathlib import Path
from typing import Any

import job_io
from job_io import ScriptError

MODEL_FILES = ("xgboost-model.json", "xgboost-model")
EPSILON = 1e-15


def read_evaluation_data(folder: Path, id_field: str, label_field: str) -> Any:
    """Every row of every CSV file in ``folder`` as one DataFrame with the same columns."""
    import pandas as pd  # type: ignore[import-untyped]

    files = job_io.channel_files(folder)
    if not files:
        raise ScriptError(f"no data files in the eval_data input ({folder})")
    frames = [pd.read_csv(path) for path in files]
    for index, frame in enumerate(frames):
        path = files[index]
        missing = [name for name in (id_field, label_field) if name not in frame.columns]
        if missing:
            raise ScriptError(f"{path.name} has no column {', '.join(missing)}")
        if list(frame.columns) != list(frames[0].columns):
            raise ScriptError(f"{path.name}'s header differs from {files[0].name}'s")
    return pd.concat(frames, ignore_index=True)


def extract_model(folder: Path) -> Path:
    """The model file, unpacking ``model.tar.gz`` (regular files only) when present."""
    archive = folder / "model.tar.gz"
    if archive.exists():
        with tarfile.open(archive) as tar:
            members = [member for member in tar.getmembers() if member.isfile()]
            for member in members:
                target = (folder / member.name).resolve()
                if folder.resolve() not in target.parents:
                    raise ScriptError(f"model.tar.gz member {member.name!r} leaves the folder")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(folder, members=members, filter="data")
            else:
                tar.extractall(folder, members=members)
    for name in MODEL_FILES:
        if (folder / name).is_file():
            return folder / name
    raise ScriptError(f"no model file ({' or '.join(MODEL_FILES)}) in {folder}")


def average_ranks(values: Any) -> Any:
    """1-based ranks of ``values``, ties sharing their average rank."""
    import numpy as np

    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    starts = np.concatenate(([True], sorted_values[1:] != sorted_values[:-1]))
    group = np.cumsum(starts) - 1
    average = np.bincount(group, weights=np.arange(1, len(values) + 1)) / np.bincount(group)
    ranks = np.empty(len(values))
    ranks[order] = average[group]
    return ranks


def auc(labels: Any, scores: Any) -> float | None:
    """Area under the ROC curve (Mann-Whitney), None when one class is absent."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return None
    rank_sum = float(average_ranks(scores)[labels == 1].sum())
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def precision_recall_f1(truth: Any, predicted: Any) -> dict[str, float]:
    """Precision, recall and F1 of boolean predictions against boolean truth."""
    true_positives = float((truth & predicted).sum())
    precision = true_positives / max(float(predicted.sum()), 1.0)
    recall = true_positives / max(float(truth.sum()), 1.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": float(truth.sum())}


def binary_metrics(labels: Any, probabilities: Any, objective: str) -> dict[str, Any]:
    """Accuracy, precision/recall/F1 of class 1, and log loss and AUC for probabilities."""
    import numpy as np

    truth = labels >= 0.5
    predicted = probabilities >= 0.5
    metrics: dict[str, Any] = {"accuracy": float((truth == predicted).mean())}
    metrics.update(precision_recall_f1(truth, predicted))
    if objective != "binary:hinge":
        clipped = np.clip(probabilities, EPSILON, 1 - EPSILON)
        losses = labels * np.log(clipped) + (1 - labels) * np.log(1 - clipped)
        metrics["log_loss"] = float(-losses.mean())
        metrics["auc"] = auc(truth.astype(int), probabilities)
    return metrics


def multiclass_metrics(labels: Any, predictions: Any, num_class: int) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1, and log loss when given probabilities."""
    import numpy as np

    classes = labels.astype(int)
    predicted = predictions.argmax(axis=1) if predictions.ndim == 2 else predictions.astype(int)
    per_class = {
        str(k): precision_recall_f1(classes == k, predicted == k) for k in range(num_class)
    }
    metrics: dict[str, Any] = {
        "accuracy": float((classes == predicted).mean()),
        "macro_f1": float(np.mean([scores["f1"] for scores in per_class.values()])),
        "per_class": per_class,
    }
    if predictions.ndim == 2:
        chosen = predictions[np.arange(len(classes)), classes]
        metrics["log_loss"] = float(-np.log(np.clip(chosen, EPSILON, 1.0)).mean())
    return metrics


def regression_metrics(labels: Any, predictions: Any) -> dict[str, Any]:
    """RMSE, MAE and R2 (None when the labels do not vary)."""
    import numpy as np

    errors = predictions - labels
    total = float(((labels - labels.mean()) ** 2).sum())
    return {
        "rmse": float(np.sqrt((errors**2).mean())),
        "mae": float(np.abs(errors).mean()),
        "r2": 1 - float((errors**2).sum()) / total if total > 0 else None,
    }


def quantile_metrics(labels: Any, predictions: Any, alphas: list[float]) -> dict[str, Any]:
    """Pinball loss (mean over quantiles, as XGBoost's 'quantile' metric, and per quantile)
    and coverage (the share of labels at or below the prediction) per quantile."""
    columns = predictions.reshape(len(labels), -1)
    per_quantile = {}
    total = 0.0
    for index, alpha in enumerate(alphas):
        residual = labels - columns[:, index]
        pinball = float(
            ((residual * alpha).clip(min=0) + (residual * (alpha - 1)).clip(min=0)).mean()
        )
        total += pinball
        per_quantile[repr(alpha)] = {
            "pinball_loss": pinball,
            "coverage": float((residual <= 0).mean()),
        }
    metrics = regression_metrics(labels, columns[:, 0]) if len(alphas) == 1 else {}
    metrics["pinball_loss"] = total / len(alphas)
    metrics["per_quantile"] = per_quantile
    return metrics


def ndcg(labels: Any, scores: Any) -> float | None:
    """NDCG of the whole file as one ranked list (exponential gain)."""
    import numpy as np

    discounts = 1 / np.log2(np.arange(2, len(labels) + 2))
    gains = 2 ** labels.astype(float) - 1
    ideal = float((np.sort(gains)[::-1] * discounts).sum())
    actual = float((gains[np.argsort(-scores, kind="mergesort")] * discounts).sum())
    return actual / ideal if ideal > 0 else None


def model_facts(booster: Any) -> tuple[str, int, list[float]]:
    """``(objective, num_class, quantile alphas)`` from the model's own configuration."""
    learner = json.loads(booster.save_config())["learner"]
    objective = learner["objective"]
    num_class = int(learner["learner_model_param"].get("num_class", "0"))
    text = objective.get("quantile_loss_param", {}).get("quantile_alpha", "")
    alphas = [float(item) for item in text.strip("[]").split(",") if item.strip()]
    return objective["name"], num_class, alphas


def evaluate(objective: str, num_class: int, alphas: list[float], labels: Any, raw: Any) -> Any:
    """``(task, metrics, prediction columns)`` for the objective's family."""
    import numpy as np

    if objective.startswith("binary:"):
        probabilities = 1 / (1 + np.exp(-raw)) if objective == "binary:logitraw" else raw
        columns = {"probability": probabilities, "predicted_label": (probabilities >= 0.5) * 1}
        return "binary", binary_metrics(labels, probabilities, objective), columns
    if objective.startswith("multi:"):
        columns = {"predicted_label": raw.argmax(axis=1) if raw.ndim == 2 else raw.astype(int)}
        if raw.ndim == 2:
            columns.update({f"probability_{k}": raw[:, k] for k in range(num_class)})
        return "multiclass", multiclass_metrics(labels, raw, num_class), columns
    if objective == "reg:quantileerror":
        matrix = raw.reshape(len(labels), -1)
        columns = {f"quantile_{alpha!r}": matrix[:, i] for i, alpha in enumerate(alphas)}
        return "quantile_regression", quantile_metrics(labels, raw, alphas), columns
    if objective.startswith("rank:"):
        return "ranking", {"ndcg": ndcg(labels, raw)}, {"score": raw}
    if objective.startswith("survival:"):
        return "survival", {}, {"score": raw}
    return "regression", regression_metrics(labels, raw), {"prediction": raw}


def main() -> None:
    """Score the evaluation data and write predictions and metrics."""
    try:
        id_field, label_field = os.environ["ID_FIELD"], os.environ["LABEL_FIELD"]
    except KeyError as missing:
        raise ScriptError(f"environment variable {missing} is required") from None
    frame = read_evaluation_data(job_io.processing_path("input/eval_data"), id_field, label_field)
    model_file = extract_model(job_io.processing_path("input/model"))

    import numpy as np
    import xgboost as xgb

    booster = xgb.Booster()
    booster.load_model(str(model_file))
    objective, num_class, alphas = model_facts(booster)
    features = frame.drop(columns=[id_field, label_field]).to_numpy(dtype=np.float32)
    best = booster.attr("best_iteration")
    rounds = int(best) + 1 if best is not None else booster.num_boosted_rounds()
    raw = booster.predict(xgb.DMatrix(features), iteration_range=(0, rounds))
    labels = frame[label_field].to_numpy(dtype=float)
    task, metrics, columns = evaluate(objective, num_class, alphas, labels, raw)

    eval_dir = job_io.processing_path("output/eval")
    eval_dir.mkdir(parents=True, exist_ok=True)
    predictions = frame[[id_field, label_field]].copy()
    for name, values in columns.items():
        predictions[name] = values
    predictions.to_csv(eval_dir / "predictions.csv", index=False)
    config_file = job_io.processing_path("input/config/" + job_io.HYPERPARAMETERS_FILE)
    report = {
        "objective": objective,
        "task": task,
        "count": len(labels),
        "rounds_used": rounds,
        "xgboost_version": xgb.__version__,
        "metrics": metrics,
        "hyperparameters": (
            job_io.read_hyperparameters(config_file) if config_file.is_file() else None
        ),
    }
    metrics_dir = job_io.processing_path("output/metrics")
    job_io.write_json(metrics_dir / "metrics.json", report)
    print(f"model_evaluation.py: {task} metrics for {len(labels)} rows written to {metrics_dir}")


if __name__ == "__main__":
    sys.exit(job_io.run(main, __file__))

"""scikit-learn training script following SKLEARN_TRAIN_CONTRACT.

Trains one scikit-learn ensemble estimator on CSV data (label first, no header) and
evaluates it on the validation channel when that holds rows. The hyperparameters
(``SKLearnHyperparameters``) name the class with ``estimator`` (hist_gradient_boosting,
gradient_boosting or random_forest) and ``task`` (classification or regression); every
other key is a parameter of that class under scikit-learn's own name, passed as given
(JSON null is scikit-learn's None). A key no estimator has, or one the chosen class
lacks, stops the script at start-up with one line on stderr and exit status 1; values
are checked by scikit-learn itself before fitting. Classification labels must be
integers (class ids); ``class_weight`` keys are those ids written as text.

Every location comes from SageMaker's training environment, with the contract's paths
as defaults, so the script also runs outside a container:

=========================  ================================  ==================================
variable                   default                           holds
=========================  ================================  ==================================
SM_CHANNEL_TRAIN           /opt/ml/input/data/train          training rows: every file, read
                                                             recursively (hidden files skipped)
SM_CHANNEL_VALIDATION      /opt/ml/input/data/validation     optional; scored after training
SM_CHANNEL_CONFIG          /opt/ml/input/data/config         hyperparameters.json (an object)
SM_MODEL_DIR               /opt/ml/model                     model.joblib (the fitted estimator)
SM_OUTPUT_DATA_DIR         /opt/ml/output/data               metrics.json
=========================  ================================  ==================================

Runs on the Python of the SKLearn image (3.10 in ``1.4-2``) and imports only the standard
library, NumPy, scikit-learn and joblib, which that image has.
"""

from __future__ import annotations

import csv
import difflib
import importlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

SCRIPT = "train_sklearn.py"
TRAIN_DIR = Path(os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
VALIDATION_DIR = Path(os.environ.get("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation"))
CONFIG_DIR = Path(os.environ.get("SM_CHANNEL_CONFIG", "/opt/ml/input/data/config"))
MODEL_DIR = Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
OUTPUT_DATA_DIR = Path(os.environ.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"))
HYPERPARAMETERS_FILE = "hyperparameters.json"
MODEL_FILE = "model.joblib"

ESTIMATORS = {
    ("hist_gradient_boosting", "classification"): "HistGradientBoostingClassifier",
    ("hist_gradient_boosting", "regression"): "HistGradientBoostingRegressor",
    ("gradient_boosting", "classification"): "GradientBoostingClassifier",
    ("gradient_boosting", "regression"): "GradientBoostingRegressor",
    ("random_forest", "classification"): "RandomForestClassifier",
    ("random_forest", "regression"): "RandomForestRegressor",
}
DEFAULT_ESTIMATOR = "hist_gradient_boosting"
DEFAULT_TASK = "classification"


class ScriptError(Exception):
    """A problem with the script's input, reported as one line on stderr."""


def load_hyperparameters(folder: Path = CONFIG_DIR) -> dict[str, Any]:
    """The JSON object of the config channel's hyperparameters file."""
    path = folder / HYPERPARAMETERS_FILE
    try:
        given = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScriptError(f"cannot read the hyperparameters file {path}: {error}") from None
    except ValueError as error:
        raise ScriptError(f"{path} is not JSON: {error}") from None
    if not isinstance(given, dict):
        raise ScriptError(f"{path} must hold a JSON object, not {type(given).__name__}")
    return given


def choose_class(hp: dict[str, Any]) -> str:
    """The class name ``estimator`` and ``task`` pick; ScriptError for other values."""
    estimator = hp.get("estimator", DEFAULT_ESTIMATOR)
    task = hp.get("task", DEFAULT_TASK)
    if estimator not in {name for name, _ in ESTIMATORS}:
        raise ScriptError(
            f"hyperparameter 'estimator' is {json.dumps(estimator)}; expected one of "
            "hist_gradient_boosting, gradient_boosting, random_forest"
        )
    if task not in ("classification", "regression"):
        raise ScriptError(
            f"hyperparameter 'task' is {json.dumps(task)}; expected classification or regression"
        )
    return ESTIMATORS[(estimator, task)]


def estimator_parameters(ensemble: Any, hp: dict[str, Any], class_name: str) -> dict[str, Any]:
    """The chosen class's parameters; ScriptError naming any key it does not take."""
    takes = {cls: set(getattr(ensemble, cls)().get_params()) for cls in ESTIMATORS.values()}
    known = set().union(*takes.values()) | {"estimator", "task"}
    unknown = [str(name) for name in hp if name not in known]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ScriptError(
            f"unknown hyperparameter(s) {', '.join(hints)}; known names: "
            + ", ".join(sorted(known))
        )
    params = {name: value for name, value in hp.items() if name not in ("estimator", "task")}
    foreign = sorted(name for name in params if name not in takes[class_name])
    if foreign:
        raise ScriptError(
            f"{', '.join(foreign)}: not a parameter of {class_name}; remove it or choose "
            "another estimator/task"
        )
    if isinstance(params.get("class_weight"), dict):
        params["class_weight"] = _class_ids(params["class_weight"])
    return params


def _class_ids(weights: dict[str, Any]) -> dict[int, Any]:
    try:
        return {int(label): weight for label, weight in weights.items()}
    except ValueError:
        raise ScriptError(
            f"class_weight keys must be integer class ids written as text, got {list(weights)}"
        ) from None


def channel_files(folder: Path) -> list[Path]:
    """Every non-hidden file under ``folder``, sorted; empty when the channel is absent."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts)
    )


def load_rows(folder: Path) -> list[list[float]]:
    """Every CSV row of every file of a channel as floats (label first)."""
    rows: list[list[float]] = []
    for path in channel_files(folder):
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                for line, row in enumerate(csv.reader(handle), start=1):
                    if row and any(cell.strip() for cell in row):
                        rows.append(_parse_row(row, path, line, len(rows[0]) if rows else None))
        except UnicodeDecodeError:
            raise ScriptError(f"{path} is not UTF-8 text (a CSV file is expected)") from None
    return rows


def _parse_row(row: list[str], path: Path, line: int, width: int | None) -> list[float]:
    try:
        values = [float(cell) for cell in row]
    except ValueError:
        raise ScriptError(
            f"{path}:{line}: every column must be a number (CSV with the label first and no header)"
        ) from None
    if not math.isfinite(values[0]):
        raise ScriptError(f"{path}:{line}: the label is NaN or infinite")
    if len(values) < 2:
        raise ScriptError(f"{path}:{line}: a row needs the label and at least one feature")
    if width is not None and len(values) != width:
        raise ScriptError(f"{path}:{line}: {len(values)} columns where earlier rows have {width}")
    return values


def as_arrays(np: Any, rows: list[list[float]], classification: bool) -> tuple[Any, Any]:
    """Features and labels; class labels become integers."""
    data = np.asarray(rows, dtype=np.float64)
    features, labels = data[:, 1:], data[:, 0]
    if classification:
        if not np.all(labels == np.round(labels)):
            raise ScriptError("classification labels must be integers (class ids)")
        labels = labels.astype(np.int64)
    return features, labels


def score(metrics: Any, model: Any, features: Any, labels: Any, classes: Any) -> dict[str, Any]:
    """Accuracy, log loss (and ROC AUC when binary), or RMSE, MAE and R2."""
    predicted = model.predict(features)
    if classes is None:
        scores = {
            "rmse": math.sqrt(float(metrics.mean_squared_error(labels, predicted))),
            "mae": float(metrics.mean_absolute_error(labels, predicted)),
        }
        if len(labels) > 1:
            scores["r2"] = float(metrics.r2_score(labels, predicted))
        return scores
    probabilities = model.predict_proba(features)
    scores = {
        "accuracy": float(metrics.accuracy_score(labels, predicted)),
        "log_loss": float(metrics.log_loss(labels, probabilities, labels=classes)),
    }
    if len(classes) == 2 and len(set(labels.tolist())) == 2:
        scores["roc_auc"] = float(metrics.roc_auc_score(labels, probabilities[:, 1]))
    return scores


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def train(hp: dict[str, Any]) -> None:
    """Fit the chosen estimator, score it, and write model.joblib and metrics.json."""
    class_name = choose_class(hp)
    ensemble = importlib.import_module("sklearn.ensemble")
    params = estimator_parameters(ensemble, hp, class_name)
    model = getattr(ensemble, class_name)(**params)
    try:
        model._validate_params()
    except (TypeError, ValueError) as error:
        raise ScriptError(str(error)) from None
    train_rows = load_rows(TRAIN_DIR)
    if not train_rows:
        raise ScriptError(f"no CSV rows in the train channel {TRAIN_DIR}")
    validation_rows = load_rows(VALIDATION_DIR)
    if validation_rows and len(validation_rows[0]) != len(train_rows[0]):
        raise ScriptError(
            f"validation rows have {len(validation_rows[0])} columns, training rows "
            f"{len(train_rows[0])}"
        )
    np = importlib.import_module("numpy")
    classification = class_name.endswith("Classifier")
    features, labels = as_arrays(np, train_rows, classification)
    try:
        model.fit(features, labels)
    except (TypeError, ValueError) as error:
        raise ScriptError(f"{class_name} could not train: {error}") from None
    metrics = importlib.import_module("sklearn.metrics")
    classes = model.classes_ if classification else None
    report: dict[str, Any] = {
        "estimator": class_name,
        "task": "classification" if classification else "regression",
        "hyperparameters": hp,
        "rows": {"train": len(train_rows), "validation": len(validation_rows)},
        "sklearn_version": importlib.import_module("sklearn").__version__,
        "train": score(metrics, model, features, labels, classes),
    }
    if validation_rows:
        held_out = as_arrays(np, validation_rows, classification)
        report["validation"] = score(metrics, model, *held_out, classes)
    if classes is not None:
        report["classes"] = [int(label) for label in classes]
    for attribute, key in (("n_iter_", "n_iter"), ("n_estimators_", "n_estimators_fitted")):
        if hasattr(model, attribute):
            report[key] = int(getattr(model, attribute))
    if getattr(model, "oob_score", False):
        report["oob_score"] = float(model.oob_score_)
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    importlib.import_module("joblib").dump(model, MODEL_DIR / MODEL_FILE)
    write_json(OUTPUT_DATA_DIR / "metrics.json", report)
    print(json.dumps({"train": report["train"], "validation": report.get("validation")}))


def main() -> int:
    """Train; exit status 1 with one line on stderr for bad input."""
    try:
        train(load_hyperparameters())
    except ScriptError as error:
        print(f"{SCRIPT}: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

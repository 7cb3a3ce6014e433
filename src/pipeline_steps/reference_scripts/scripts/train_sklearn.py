"""scikit-learn training script following SKLEARN_TRAIN_CONTRACT.

Trains one scikit-learn ensemble estimator on CSV data (label first, no header) and
evaluates it on the validation channel when that holds rows. The hyperparameters
(``SKLearnHyperparameters``) name the class with ``estimator`` (hist_gradient_boosting,
gradient_boosting or random_forest) and ``task`` (classification or regression); every
other key is a parameter of that class under scikit-learn's own name, passed as given
(JSON null is scikit-learn's None). A key no estimator has, or one the chosen class
lacks, stops the script at start-up with one line on stderr and exit status 2; values
are checked by scikit-learn itself before fitting. Classification labels must be
integers (class ids); ``class_weight`` keys are those ids written as text.

Where things are (``job_io`` reads SageMaker's variables, each with the contract's path
as its default, so the script also runs outside a container): training rows in
``SM_CHANNEL_TRAIN`` (every file, read recursively; hidden and empty files skipped), the
optional ``SM_CHANNEL_VALIDATION`` (scored after training), ``hyperparameters.json`` in
``SM_CHANNEL_CONFIG``; ``model.joblib`` (the fitted estimator) goes to ``SM_MODEL_DIR``
and ``metrics.json`` to ``SM_OUTPUT_DATA_DIR``. ``sklearn_estimators.json``, beside this
script, maps ``estimator`` and ``task`` to the class (the model reads it too).

Runs on the Python of the SKLearn image (3.10 in ``1.4-2``) and imports only the standard
library, NumPy, scikit-learn and joblib, which that image has, and ``job_io`` (beside
this script).
"""

from __future__ import annotations

import importlib
import json
import math
import sys
from typing import Any

import job_io
from job_io import ScriptError

MODEL_FILE = "model.joblib"
TABLE = job_io.data_file("sklearn_estimators.json")
ESTIMATORS: dict[str, dict[str, str]] = TABLE["estimators"]
"""estimator -> task -> the sklearn.ensemble class, as SKLearnHyperparameters reads it."""
DEFAULTS: dict[str, str] = TABLE["defaults"]
"""The hyperparameters that choose the class ('estimator', 'task'), each with its value when
it is not given; they are not passed to the class."""


def choose_class(hp: dict[str, Any]) -> str:
    """The class name ``estimator`` and ``task`` pick; ScriptError for other values."""
    estimator = hp.get("estimator", DEFAULTS["estimator"])
    task = hp.get("task", DEFAULTS["task"])
    if estimator not in ESTIMATORS:
        raise ScriptError(
            f"hyperparameter 'estimator' is {json.dumps(estimator)}; expected one of "
            + ", ".join(ESTIMATORS)
        )
    if task not in ESTIMATORS[estimator]:
        raise ScriptError(
            f"hyperparameter 'task' is {json.dumps(task)}; expected "
            + " or ".join(ESTIMATORS[estimator])
        )
    return ESTIMATORS[estimator][task]


def estimator_parameters(ensemble: Any, hp: dict[str, Any], class_name: str) -> dict[str, Any]:
    """The chosen class's parameters; ScriptError naming any key it does not take."""
    classes = [name for tasks in ESTIMATORS.values() for name in tasks.values()]
    takes = {cls: set(getattr(ensemble, cls)().get_params()) for cls in classes}
    unknown = job_io.unknown_names_problem(hp, set().union(*takes.values(), DEFAULTS))
    if unknown:
        raise ScriptError(unknown)
    params = {name: value for name, value in hp.items() if name not in DEFAULTS}
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
    train_rows, validation_rows = job_io.training_rows()
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
    model_dir = job_io.model_dir()
    model_dir.mkdir(parents=True, exist_ok=True)
    importlib.import_module("joblib").dump(model, model_dir / MODEL_FILE)
    job_io.write_json(job_io.output_data_dir() / "metrics.json", report)
    print(json.dumps({"train": report["train"], "validation": report.get("validation")}))


def main() -> None:
    """Train; bad input stops the script with one line on stderr."""
    train(job_io.training_hyperparameters())


if __name__ == "__main__":
    sys.exit(job_io.run(main, __file__))

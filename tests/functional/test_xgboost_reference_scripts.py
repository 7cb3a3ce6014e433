"""train_xgb.py and model_evaluation.py run for real, with real XGBoost as the judge.

Each case writes tiny generated data into a container-like layout under a temporary
folder, points SageMaker's environment variables (SM_CHANNEL_*, SM_MODEL_DIR,
SM_OUTPUT_DATA_DIR, PIPELINE_PROCESSING_ROOT) at it and runs each script with the
current Python in a subprocess, as the container would. The evaluation's metrics are
then compared with XGBoost's own metrics of the saved model on the same rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipeline_steps.frameworks.xgboost.hyperparameters import XGBoostHyperparameters
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR

xgb = pytest.importorskip("xgboost")

TRAIN_SCRIPT = REFERENCE_SCRIPTS_DIR / "train_xgb.py"
EVAL_SCRIPT = REFERENCE_SCRIPTS_DIR / "model_evaluation.py"
FEATURES = 4
TRAIN_ROWS = (70, 50)
EVAL_ROWS = (25, 15)


@dataclass(frozen=True)
class Case:
    """Hyperparameters stored as given, the label kind, the task the evaluation should
    report, and the judge: reported metric path -> XGBoost metric ('1-' for a complement)."""

    hyperparameters: dict[str, Any]
    labels: str
    task: str
    judged: dict[str, str]


CASES = {
    "binary_several_metrics": Case(
        XGBoostHyperparameters(
            objective="binary:logistic",
            n_estimators=20,
            max_depth=3,
            eval_metric=["auc", "aucpr", "error@0.6", "logloss"],
            early_stopping_rounds=2,
            scale_pos_weight=1.5,
            monotone_constraints=[1, 1, 0, 0],
            interaction_constraints=[[0, 1], [2, 3]],
        ).to_hyperparameters(),
        "binary",
        "binary",
        {"accuracy": "1-error", "log_loss": "logloss", "auc": "auc"},
    ),
    "multiclass_softprob": Case(
        {
            "objective": "multi:softprob",
            "num_class": 3,
            "num_round": 6,
            "eval_metric": ["mlogloss", "merror"],
        },
        "multiclass",
        "multiclass",
        {"accuracy": "1-merror", "log_loss": "mlogloss"},
    ),
    "multiclass_softmax": Case(
        {"objective": "multi:softmax", "num_class": 3, "num_boost_round": 6},
        "multiclass",
        "multiclass",
        {"accuracy": "1-merror"},
    ),
    "dart": Case(
        {
            "booster": "dart",
            "objective": "binary:logistic",
            "rate_drop": 0.1,
            "skip_drop": 0.5,
            "num_round": 6,
            "eta": 0.3,
        },
        "binary",
        "binary",
        {"accuracy": "1-error", "log_loss": "logloss", "auc": "auc"},
    ),
    "lossguide_unlimited_depth": Case(
        {
            "objective": "binary:logistic",
            "max_depth": 0,
            "grow_policy": "lossguide",
            "max_leaves": 6,
            "num_round": 6,
        },
        "binary",
        "binary",
        {"accuracy": "1-error", "auc": "auc"},
    ),
    "regression": Case(
        {
            "objective": "reg:squarederror",
            "num_round": 6,
            "eval_metric": ["rmse", "mae"],
            "lambda": 2.0,
            "alpha": 0.1,
        },
        "regression",
        "regression",
        {"rmse": "rmse", "mae": "mae"},
    ),
    "quantiles": Case(
        {
            "objective": "reg:quantileerror",
            "quantile_alpha": [0.1, 0.5, 0.9],
            "num_round": 6,
            "eval_metric": "quantile",
        },
        "regression",
        "quantile_regression",
        {"pinball_loss": "quantile"},
    ),
}


def make_rows(kind: str, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features in [0, 1) and labels fitting ``kind``."""
    rng = np.random.default_rng(seed)
    features = rng.random((count, FEATURES))
    if kind == "binary":
        labels = (features[:, 0] + features[:, 1] > 1).astype(float)
    elif kind == "multiclass":
        labels = np.minimum((features[:, 0] * 3).astype(int), 2).astype(float)
    else:
        labels = 3 * features[:, 0] + 2 * features[:, 1] + rng.normal(0, 0.1, count)
    return features, labels


def write_training_csv(path: Path, features: np.ndarray, labels: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savetxt(path, np.column_stack([labels, features]), delimiter=",", fmt="%.6f")


def write_eval_csv(path: Path, features: np.ndarray, labels: np.ndarray, first_id: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["record_id,target," + ",".join(f"f{i}" for i in range(FEATURES))]
    for offset in range(len(labels)):
        values = ",".join(f"{value:.6f}" for value in features[offset])
        lines.append(f"r{first_id + offset},{labels[offset]:.6f},{values}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(script: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``script`` run by the current Python in a subprocess, with ``env`` added."""
    return subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class Layout:
    """A container-like folder tree and the environment that points at it."""

    root: Path

    @property
    def training_env(self) -> dict[str, str]:
        return {
            "SM_CHANNEL_TRAIN": str(self.root / "input/data/train"),
            "SM_CHANNEL_VALIDATION": str(self.root / "input/data/validation"),
            "SM_CHANNEL_CONFIG": str(self.root / "input/data/config"),
            "SM_MODEL_DIR": str(self.root / "model"),
            "SM_OUTPUT_DATA_DIR": str(self.root / "output/data"),
        }

    @property
    def processing_env(self) -> dict[str, str]:
        return {
            "PIPELINE_PROCESSING_ROOT": str(self.root / "processing"),
            "ID_FIELD": "record_id",
            "LABEL_FIELD": "target",
        }

    def write(self, kind: str, hyperparameters: dict[str, Any]) -> None:
        """Two training files (plus a hidden and an empty one), validation, config, eval."""
        train = self.root / "input/data/train"
        for index, rows in enumerate(TRAIN_ROWS):
            write_training_csv(train / f"part-{index}.csv", *make_rows(kind, rows, seed=index))
        (train / ".metadata.csv").write_text("not,data\n", encoding="utf-8")
        (train / "_SUCCESS").write_text("", encoding="utf-8")
        validation = self.root / "input/data/validation/validation.csv"
        write_training_csv(validation, *make_rows(kind, 30, seed=7))
        config = self.root / "input/data/config/hyperparameters.json"
        config.parent.mkdir(parents=True)
        config.write_text(json.dumps(hyperparameters), encoding="utf-8")
        first_id = 0
        for index, rows in enumerate(EVAL_ROWS):
            eval_file = self.root / f"processing/input/eval_data/eval-{index}.csv"
            write_eval_csv(eval_file, *make_rows(kind, rows, seed=10 + index), first_id)
            first_id += rows
        processing_config = self.root / "processing/input/config/hyperparameters.json"
        processing_config.parent.mkdir(parents=True)
        processing_config.write_text(json.dumps(hyperparameters), encoding="utf-8")

    def package_model(self) -> None:
        """model.tar.gz in the evaluation's model input, as SageMaker hands it over."""
        target = self.root / "processing/input/model"
        target.mkdir(parents=True)
        with tarfile.open(target / "model.tar.gz", "w:gz") as archive:
            archive.add(self.root / "model/xgboost-model.json", arcname="xgboost-model.json")

    def eval_matrix(self) -> Any:
        import pandas as pd

        files = sorted((self.root / "processing/input/eval_data").glob("*.csv"))
        frame = pd.concat([pd.read_csv(path) for path in files], ignore_index=True)
        features = frame.drop(columns=["record_id", "target"]).to_numpy(dtype=np.float32)
        return xgb.DMatrix(features, label=frame["target"].to_numpy(), nthread=1)


def xgboost_metric(model_file: Path, matrix: Any, name: str, alphas: Any) -> float:
    """XGBoost's own value of metric ``name`` for the saved model on ``matrix``."""
    booster = xgb.Booster(model_file=str(model_file))
    rounds = booster.attr("best_iteration")
    if rounds is not None:
        booster = booster[: int(rounds) + 1]
    if alphas is not None:
        booster.set_param({"quantile_alpha": str(alphas)})
    booster.set_param({"eval_metric": name})
    text = booster.eval(matrix, name="judge")
    scores = dict(item.split(":") for item in text.split("\t")[1:])
    return float(scores[f"judge-{name}"])


def reported(metrics: dict[str, Any], path: str) -> float:
    """The metric at ``path`` ('/'-separated keys) of the evaluation's report."""
    value: Any = metrics
    for key in path.split("/"):
        value = value[key]
    return float(value)


@dataclass
class Outcome:
    """One case's layout and the two scripts' completed processes."""

    layout: Layout
    trained: subprocess.CompletedProcess[str]
    evaluated: subprocess.CompletedProcess[str] | None


def train_and_evaluate(root: Path, case: Case) -> Outcome:
    """Write the case's layout, run train_xgb.py, package the model, run the evaluation."""
    layout = Layout(root)
    layout.write(case.labels, case.hyperparameters)
    trained = run(TRAIN_SCRIPT, layout.training_env)
    if trained.returncode != 0:
        return Outcome(layout, trained, None)
    layout.package_model()
    return Outcome(layout, trained, run(EVAL_SCRIPT, layout.processing_env))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every case run once, cases side by side on the machine's cores (each case's two
    scripts run one after the other, each in its own interpreter)."""
    workers = max(os.cpu_count() or 1, 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            name: pool.submit(train_and_evaluate, tmp_path_factory.mktemp(name), case)
            for name, case in CASES.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_valid_models_train_and_evaluate(outcomes: dict[str, Outcome], name: str) -> None:
    """GIVEN hyperparameters the model accepts, stored as given (aliases and all)
    WHEN train_xgb.py and then model_evaluation.py run on tiny data in a container layout
    THEN training reads every file of the train channel, the metrics fit the task, and
    each metric equals XGBoost's own value for the saved model on the same rows."""
    case = CASES[name]
    XGBoostHyperparameters.model_validate(case.hyperparameters)
    outcome = outcomes[name]
    layout, tmp_path = outcome.layout, outcome.layout.root
    assert outcome.trained.returncode == 0, outcome.trained.stderr
    summary = json.loads((tmp_path / "output/data/training_history.json").read_text())
    assert summary["rows"] == {"train": sum(TRAIN_ROWS), "validation": 30}
    assert summary["xgboost_version"] == xgb.__version__

    evaluated = outcome.evaluated
    assert evaluated is not None and evaluated.returncode == 0, evaluated
    report = json.loads((tmp_path / "processing/output/metrics/metrics.json").read_text())
    assert report["task"] == case.task
    assert report["count"] == sum(EVAL_ROWS)
    assert report["hyperparameters"] == case.hyperparameters
    predictions = (tmp_path / "processing/output/eval/predictions.csv").read_text().splitlines()
    assert predictions[0].startswith("record_id,target,")
    assert len(predictions) == 1 + sum(EVAL_ROWS)

    metrics = report["metrics"]
    model_file = tmp_path / "processing/input/model/xgboost-model.json"
    matrix = layout.eval_matrix()
    for ours, theirs in case.judged.items():
        complement = theirs.startswith("1-")
        alphas = case.hyperparameters.get("quantile_alpha")
        value = xgboost_metric(model_file, matrix, theirs.removeprefix("1-"), alphas)
        expected = 1 - value if complement else value
        assert reported(metrics, ours) == pytest.approx(expected, rel=1e-4, abs=1e-5), ours
    if case.task == "multiclass":
        assert set(metrics["per_class"]) == {"0", "1", "2"}
        assert {"precision", "recall", "f1"} <= set(metrics["per_class"]["0"])
        assert ("log_loss" in metrics) == (case.hyperparameters["objective"] == "multi:softprob")
    if name == "several_quantiles":
        assert set(metrics["per_quantile"]) == {"0.1", "0.9"}
        assert (
            metrics["per_quantile"]["0.1"]["coverage"] < metrics["per_quantile"]["0.9"]["coverage"]
        )


def test_unknown_hyperparameter_stops_training_with_one_line(tmp_path: Path) -> None:
    """GIVEN a stored dict with a misspelt and a removed name
    WHEN train_xgb.py starts
    THEN it exits with status 2 and one stderr line naming both, with the fixes, and
    writes no model."""
    layout = Layout(tmp_path)
    layout.write("binary", {"max_dept": 3, "gpu_id": 0, "eta": 0.1})
    finished = run(TRAIN_SCRIPT, layout.training_env)
    assert finished.returncode == 2
    assert finished.stderr.count("\n") == 1
    assert "did you mean 'max_depth'?" in finished.stderr
    assert "'gpu_id' is not accepted: removed in XGBoost 2.0" in finished.stderr
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize(
    ("hyperparameters", "without", "expected"),
    [
        ({"early_stopping_rounds": 3}, "validation", "needs a validation channel"),
        ({"num_round": 0}, None, "n_estimators must be a positive integer"),
        ({"eta": 0.1, "learning_rate": 0.2}, None, "are the same parameter"),
        ({}, "train", "no data files in the train channel"),
    ],
)
def test_bad_inputs_stop_training_before_xgboost_runs(
    tmp_path: Path, hyperparameters: dict[str, Any], without: str | None, expected: str
) -> None:
    """GIVEN a job input train_xgb.py cannot honour WHEN it starts THEN one stderr line and
    status 2, not a traceback."""
    layout = Layout(tmp_path)
    layout.write("binary", hyperparameters)
    env = layout.training_env
    if without is not None:
        env[f"SM_CHANNEL_{without.upper()}"] = str(tmp_path / "absent")
    finished = run(TRAIN_SCRIPT, env)
    assert finished.returncode == 2
    assert expected in finished.stderr
    assert "Traceback" not in finished.stderr


def test_evaluation_refuses_data_without_the_named_columns(tmp_path: Path) -> None:
    """GIVEN evaluation data without the LABEL_FIELD column WHEN model_evaluation.py runs
    THEN one stderr line names the file and the column, status 2."""
    layout = Layout(tmp_path)
    layout.write("binary", {})
    finished = run(EVAL_SCRIPT, {**layout.processing_env, "LABEL_FIELD": "outcome"})
    assert finished.returncode == 2
    assert "eval-0.csv has no column outcome" in finished.stderr

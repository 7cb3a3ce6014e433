"""The reference training scripts run by real frameworks: train.py (torch, CPU) and
train_sklearn.py (scikit-learn 1.4.2), each in a subprocess with the current Python, in a
temporary container-like layout that the SageMaker environment variables point at.

Runs that import a framework and train are marked ``slow`` (each takes a few seconds,
most of it the framework's import); refusals that stop before the import are not.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline_steps.frameworks.pytorch import PyTorchHyperparameters
from pipeline_steps.frameworks.sklearn import SKLearnHyperparameters
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR, load_script

TORCH_SCRIPT = REFERENCE_SCRIPTS_DIR / "train.py"
SKLEARN_SCRIPT = REFERENCE_SCRIPTS_DIR / "train_sklearn.py"
LOCATION_VARIABLES = (
    "SM_CHANNEL_TRAIN",
    "SM_CHANNEL_VALIDATION",
    "SM_CHANNEL_CONFIG",
    "SM_MODEL_DIR",
    "SM_OUTPUT_DATA_DIR",
    "PIPELINE_CHECKPOINT_DIR",
)


def make_rows(count: int, seed: int, kind: str) -> list[list[float]]:
    """Rows of label + 4 features: 3 Gaussian, 1 categorical (0, 1 or 2); the label follows
    the features (binary, three classes, or a real number)."""
    generate = random.Random(seed)
    rows = []
    for _ in range(count):
        x = [generate.gauss(0, 1) for _ in range(3)] + [float(generate.randrange(3))]
        signal = x[0] + 0.5 * x[1] + 0.3 * (x[3] - 1)
        if kind == "binary":
            label = float(signal > 0)
        elif kind == "multiclass":
            label = float(0 if signal < -0.5 else 1 if signal < 0.5 else 2)
        else:
            label = signal + generate.gauss(0, 0.1)
        rows.append([label, *x])
    return rows


@dataclass
class Container:
    """/opt/ml as folders under a temporary root, and the environment pointing at them."""

    root: Path

    @property
    def channels(self) -> Path:
        return self.root / "input" / "data"

    @property
    def model(self) -> Path:
        return self.root / "model"

    @property
    def output(self) -> Path:
        return self.root / "output" / "data"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    def write_rows(self, channel: str, name: str, rows: list[list[float]]) -> None:
        path = self.channels / channel / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(",".join(map(str, row)) + "\n" for row in rows))

    def write_hyperparameters(self, hyperparameters: Any) -> None:
        path = self.channels / "config" / "hyperparameters.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(hyperparameters, sort_keys=True))

    def run(self, script: Path) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in LOCATION_VARIABLES}
        env.update(
            SM_CHANNEL_TRAIN=str(self.channels / "train"),
            SM_CHANNEL_VALIDATION=str(self.channels / "validation"),
            SM_CHANNEL_CONFIG=str(self.channels / "config"),
            SM_MODEL_DIR=str(self.model),
            SM_OUTPUT_DATA_DIR=str(self.output),
            PIPELINE_CHECKPOINT_DIR=str(self.checkpoints),
            PYTHONDONTWRITEBYTECODE="1",
        )
        return subprocess.run(
            [sys.executable, str(script)],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def metrics(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.output / "metrics.json").read_text())
        return loaded


def container_with_data(root: Path, kind: str) -> Container:
    """A layout whose train channel holds two files, one in a subfolder and without a .csv
    name, plus a hidden file that must be skipped; validation holds one file."""
    box = Container(root)
    box.write_rows("train", "part-1.csv", make_rows(60, 1, kind))
    box.write_rows("train", "more/part-2", make_rows(40, 2, kind))
    box.write_rows("train", ".hidden.csv", [[9.0, 0.0, 0.0, 0.0, 0.0]])
    box.write_rows("validation", "validation.csv", make_rows(30, 3, kind))
    return box


def one_error_line(completed: subprocess.CompletedProcess[str], script: str) -> str:
    """The single stderr line of a refused run (exit status 2, as for any bad input)."""
    assert completed.returncode == 2, completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"{script}: error: ")
    return lines[0]


# ------------------------------------------------------------------------------ train.py

TORCH_GRID = {
    "adam-defaults": PyTorchHyperparameters(epochs=3, hidden_size=16),
    "sgd-momentum-clip-amp": PyTorchHyperparameters(
        epochs=3, optimizer="sgd", momentum=0.9, learning_rate=0.05, gradient_clip_norm=0.5,
        use_amp=True, batch_size=16, num_layers=3, hidden_size=8, dropout=0.0,
    ),
    "adamw-rmsprop-like": PyTorchHyperparameters(
        epochs=2, optimizer="adamw", weight_decay=0.01, num_layers=1, seed=7, batch_size=100,
    ),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TORCH_GRID))
def test_torch_trains_every_valid_configuration(tmp_path: Path, name: str) -> None:
    """GIVEN a valid PyTorchHyperparameters dump and two training files (one nested, one
    without .csv) WHEN train.py runs THEN it reads all 100 rows, skips the hidden file,
    reports a validation loss every epoch and writes the state dict and architecture."""
    hyperparameters = TORCH_GRID[name].to_hyperparameters()
    box = container_with_data(tmp_path, "binary")
    box.write_hyperparameters(hyperparameters)

    completed = box.run(TORCH_SCRIPT)

    assert completed.returncode == 0, completed.stderr
    metrics = box.metrics()
    assert (metrics["train_rows"], metrics["validation_rows"]) == (100, 30)
    assert metrics["epochs"] == hyperparameters["epochs"]
    assert metrics["amp_dtype"] == ("bfloat16" if hyperparameters["use_amp"] else None)
    history = json.loads((box.output / "history.json").read_text())
    assert [record["epoch"] for record in history] == list(range(1, metrics["epochs"] + 1))
    assert all({"train_loss", "validation_loss", "validation_accuracy"} <= set(r) for r in history)
    architecture = json.loads((box.model / "model.json").read_text())["architecture"]
    assert (architecture["input_size"], architecture["num_layers"]) == (
        4,
        hyperparameters["num_layers"],
    )
    assert (box.model / "model.pt").stat().st_size > 0


@pytest.mark.slow
def test_torch_model_artifact_reproduces_the_reported_accuracy(tmp_path: Path) -> None:
    """GIVEN a finished run WHEN model.pt is loaded into the architecture model.json names
    (in this process) THEN it scores the validation rows as metrics.json says, and AMP on
    CPU really autocasts the forward pass to bfloat16."""
    torch = pytest.importorskip("torch")
    box = container_with_data(tmp_path, "binary")
    box.write_hyperparameters(TORCH_GRID["adam-defaults"].to_hyperparameters())
    assert box.run(TORCH_SCRIPT).returncode == 0
    script = load_script("train.py")
    architecture = json.loads((box.model / "model.json").read_text())["architecture"]
    model = script.build_model(torch, architecture)
    model.load_state_dict(torch.load(box.model / "model.pt", weights_only=True))
    model.eval()
    rows = torch.tensor(make_rows(30, 3, "binary"))
    with torch.no_grad():
        accuracy = ((model(rows[:, 1:]) > 0).float() == rows[:, :1]).float().mean().item()
    assert accuracy == pytest.approx(box.metrics()["validation_accuracy"])

    hp = script.check_hyperparameters({"use_amp": True})
    trainer = script.Trainer(torch, hp, architecture)
    with trainer.autocast():
        assert trainer.model(rows[:, 1:]).dtype == torch.bfloat16


@pytest.mark.slow
def test_torch_resume_keeps_the_history_and_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    """GIVEN a job stopped after 2 of 4 epochs (its checkpoint kept)
    WHEN the job runs again with epochs=4
    THEN it resumes after epoch 2, its history holds all 4 epochs, and history and weights
    equal those of an uninterrupted 4-epoch run; other hyperparameters are then refused."""
    torch = pytest.importorskip("torch")
    settings = {"epochs": 2, "use_amp": True, "optimizer": "sgd", "momentum": 0.5}
    interrupted = container_with_data(tmp_path / "interrupted", "binary")
    interrupted.write_hyperparameters(settings)
    assert interrupted.run(TORCH_SCRIPT).returncode == 0
    first_two = json.loads((interrupted.output / "history.json").read_text())

    interrupted.write_hyperparameters({**settings, "epochs": 4})
    resumed = interrupted.run(TORCH_SCRIPT)
    straight = container_with_data(tmp_path / "straight", "binary")
    straight.write_hyperparameters({**settings, "epochs": 4})
    assert straight.run(TORCH_SCRIPT).returncode == 0

    assert resumed.returncode == 0, resumed.stderr
    assert "resuming after epoch 2" in resumed.stdout
    history = json.loads((interrupted.output / "history.json").read_text())
    assert history[:2] == first_two
    assert history == json.loads((straight.output / "history.json").read_text())
    assert interrupted.metrics()["resumed_after_epoch"] == 2
    weights = torch.load(interrupted.model / "model.pt", weights_only=True)
    expected = torch.load(straight.model / "model.pt", weights_only=True)
    assert all(torch.equal(weights[key], expected[key]) for key in expected)

    interrupted.write_hyperparameters({**settings, "epochs": 4, "batch_size": 8})
    line = one_error_line(interrupted.run(TORCH_SCRIPT), "train.py")
    assert "written with other hyperparameters (batch_size: 32 -> 8)" in line


@pytest.mark.parametrize(
    ("hyperparameters", "rows", "message"),
    [
        ({"learning_rat": 0.1}, None, "unknown hyperparameter(s) 'learning_rat' (did you mean "),
        ({"optimizer": "adam", "momentum": 0.9}, None, "'momentum' is not used by optimizer"),
        ({}, [[2.0, 1.0, 1.0]], "label '2.0' is not 0 or 1"),
        ({}, [[1.0, 1.0], [0.0, 1.0, 2.0]], "3 columns where earlier rows have 2"),
        ({}, [[1.0, "x"]], "every column must be a number"),
        (None, [[1.0, 1.0]], "cannot read the hyperparameters file"),
    ],
)
def test_torch_refuses_bad_input_in_one_line_before_training(
    tmp_path: Path, hyperparameters: Any, rows: Any, message: str
) -> None:
    """GIVEN an unknown key, a rule broken, bad rows or no config file
    WHEN train.py starts THEN it exits 2 with one stderr line naming the problem, and
    writes no model."""
    box = Container(tmp_path)
    box.write_rows("train", "train.csv", rows or make_rows(10, 1, "binary"))
    if hyperparameters is not None:
        box.write_hyperparameters(hyperparameters)

    line = one_error_line(box.run(TORCH_SCRIPT), "train.py")

    assert message in line
    assert not box.model.exists()


# ------------------------------------------------------------------------------ train_sklearn.py

SKLEARN_GRID = {
    "hist-multiclass-defaults": ("multiclass", SKLearnHyperparameters(max_iter=30)),
    "hist-classifier-categorical-early-stopping": (
        "binary",
        SKLearnHyperparameters(
            max_iter=40, categorical_features=[3], interaction_cst=[[0, 1], [2, 3]],
            class_weight="balanced", early_stopping=True, scoring="f1",
            validation_fraction=0.2, n_iter_no_change=3, random_state=0,
        ),
    ),
    "hist-regressor-quantile": (
        "regression",
        SKLearnHyperparameters(task="regression", loss="quantile", quantile=0.5, max_iter=30,
                               monotonic_cst=[1, 0, 0, 0], max_features=0.5),
    ),
    "boosting-classifier-exponential-unlimited-depth": (
        "binary",
        SKLearnHyperparameters(estimator="gradient_boosting", loss="exponential",
                               n_estimators=20, subsample=0.8, max_depth=None,
                               min_samples_leaf=0.05, random_state=0),
    ),
    "boosting-regressor-huber": (
        "regression",
        SKLearnHyperparameters(estimator="gradient_boosting", task="regression", loss="huber",
                               alpha=0.8, n_estimators=20, criterion="squared_error",
                               init="zero", n_iter_no_change=5, validation_fraction=0.2),
    ),
    "forest-classifier-weighted-oob": (
        "binary",
        SKLearnHyperparameters(estimator="random_forest", n_estimators=25,
                               class_weight={"0": 1.0, "1": 3.0}, oob_score=True,
                               max_samples=0.8, n_jobs=1, max_features="sqrt", random_state=0),
    ),
    "forest-regressor-monotonic": (
        "regression",
        SKLearnHyperparameters(estimator="random_forest", task="regression", n_estimators=25,
                               criterion="friedman_mse", monotonic_cst=[1, 0, 0, 0],
                               min_samples_split=4, ccp_alpha=0.0),
    ),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SKLEARN_GRID))
def test_sklearn_trains_every_valid_configuration(tmp_path: Path, name: str) -> None:
    """GIVEN a model the SKLearnHyperparameters accepted, dumped to JSON as the prep step does
    WHEN train_sklearn.py runs on tiny data THEN scikit-learn trains it on all 100 rows,
    scores train and validation, and model.joblib loads and predicts as scored."""
    joblib = pytest.importorskip("joblib")
    kind, model = SKLEARN_GRID[name]
    box = container_with_data(tmp_path, kind)
    box.write_hyperparameters(model.to_hyperparameters())

    completed = box.run(SKLEARN_SCRIPT)

    assert completed.returncode == 0, completed.stderr
    metrics = box.metrics()
    assert metrics["estimator"] == model.estimator_class()
    assert metrics["rows"] == {"train": 100, "validation": 30}
    fitted = joblib.load(box.model / "model.joblib")
    assert type(fitted).__name__ == model.estimator_class()
    validation = make_rows(30, 3, kind)
    predictions = fitted.predict([row[1:] for row in validation])
    if kind == "regression":
        assert set(metrics["validation"]) == {"rmse", "mae", "r2"}
        assert metrics["validation"]["r2"] > 0.3
    else:
        accuracy = sum(p == row[0] for p, row in zip(predictions, validation, strict=True)) / 30
        assert accuracy == pytest.approx(metrics["validation"]["accuracy"])
        assert accuracy > 0.6
        assert metrics["classes"] == ([0, 1, 2] if kind == "multiclass" else [0, 1])


@pytest.mark.parametrize(
    ("hyperparameters", "message"),
    [
        ({"max_dept": 3}, "unknown hyperparameter(s) 'max_dept' (did you mean 'max_depth'?)"),
        ({"estimator": "random_forest", "max_iter": 3}, "max_iter: not a parameter of Random"),
        ({"estimator": "xgboost"}, "hyperparameter 'estimator' is \"xgboost\"; expected one of"),
        ({"max_depth": 0}, "The 'max_depth' parameter of HistGradientBoostingClassifier must be"),
        ({"class_weight": {"yes": 1}}, "class_weight keys must be integer class ids"),
        ([1], "must hold a JSON object"),
    ],
)
def test_sklearn_refuses_bad_hyperparameters_in_one_line(
    tmp_path: Path, hyperparameters: Any, message: str
) -> None:
    """GIVEN a hyperparameters dict that never met the model WHEN train_sklearn.py starts
    THEN it exits 2 with one stderr line naming the key (with the closest name when
    misspelt) or scikit-learn's own rule, and writes no model."""
    box = container_with_data(tmp_path, "binary")
    box.write_hyperparameters(hyperparameters)

    line = one_error_line(box.run(SKLEARN_SCRIPT), "train_sklearn.py")

    assert message in line
    assert not box.model.exists()


def test_sklearn_refuses_fractional_class_labels(tmp_path: Path) -> None:
    """GIVEN real-valued labels WHEN a classifier is asked for THEN the script says labels
    must be class ids, instead of training on them."""
    box = container_with_data(tmp_path, "regression")
    box.write_hyperparameters({})

    line = one_error_line(box.run(SKLEARN_SCRIPT), "train_sklearn.py")

    assert "classification labels must be integers (class ids)" in line

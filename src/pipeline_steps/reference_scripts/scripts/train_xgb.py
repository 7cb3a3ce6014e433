"""XGBoost training script following XGBOOST_TRAIN_CONTRACT.

Every location comes from SageMaker's training environment, with the contract's
paths as defaults, so the script runs in the container and outside it:

    SM_CHANNEL_TRAIN       training CSV files (label first, no header)
    SM_CHANNEL_VALIDATION  optional validation CSV files, same layout
    SM_CHANNEL_CONFIG      holds hyperparameters.json (written by the prep step)
    SM_MODEL_DIR           the model is saved here as xgboost-model.json
    SM_OUTPUT_DATA_DIR     training_history.json (per-round metrics) goes here

Every file in a channel is read (hidden and empty files are skipped). The
hyperparameters' names are checked against xgboost_parameters.json, beside this
script, before XGBoost is imported: XGBoost's aliases are mapped, and an unknown
name stops the job with one line on stderr and exit status 2.

Runs on the SageMaker XGBoost images' Python (3.10 on 3.0-5, 3.8 on 1.7-1) with
only what they install: numpy, pandas and xgboost.
"""

from __future__ import annotations

import difflib
import json
import sys
from typing import Any

import job_io
from job_io import ScriptError

PARAMETERS_FILE = "xgboost_parameters.json"


def describe_unknown(name: str, known: dict[str, Any]) -> str:
    """Why ``name`` is refused: the data file's reason, or the closest known name."""
    if name in known["refused"]:
        return f"{name!r} is not accepted: {known['refused'][name]}"
    close = difflib.get_close_matches(name, list(known["names"]), n=1, cutoff=0.6)
    if close:
        return f"unknown XGBoost hyperparameter {name!r}; did you mean {close[0]!r}?"
    return (
        f"unknown XGBoost hyperparameter {name!r}; the known names are listed in {PARAMETERS_FILE}"
    )


def known_names() -> dict[str, Any]:
    """Stored names, every accepted name (stored or alias) -> stored name, refused names."""
    table = job_io.data_file(PARAMETERS_FILE)
    parameters = table["parameters"]
    names = {name: name for name in parameters}
    for name, spec in parameters.items():
        names.update((alias, name) for alias in spec["aliases"])
    return {"parameters": parameters, "names": names, "refused": table["refused"]}


def to_xgboost_value(name: str, value: Any) -> Any:
    """The form XGBoost's Python API takes for a JSON value (constraints as text)."""
    if name == "monotone_constraints" and isinstance(value, list):
        return "(" + ",".join(str(item) for item in value) + ")"
    if name == "interaction_constraints" and isinstance(value, list):
        return json.dumps(value)
    return value


def split_hyperparameters(
    hyperparameters: dict[str, Any], known: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(XGBoost params by native name, training-loop settings by stored name)``."""
    problems: list[str] = []
    given_as: dict[str, str] = {}
    booster: dict[str, Any] = {"validate_parameters": True}
    loop: dict[str, Any] = {}
    for key, value in hyperparameters.items():
        stored = known["names"].get(key)
        if stored is None:
            problems.append(describe_unknown(key, known))
            continue
        if stored in given_as:
            problems.append(
                f"{given_as[stored]!r} and {key!r} are the same parameter; give it once"
            )
            continue
        given_as[stored] = key
        native = known["parameters"][stored]["native"]
        if value is None:
            continue
        if native is None:
            loop[stored] = value
        else:
            booster[native] = to_xgboost_value(stored, value)
    if problems:
        raise ScriptError("hyperparameters.json: " + "; ".join(problems))
    return booster, loop


def loop_setting(loop: dict[str, Any], name: str, default: Any) -> Any:
    """A training-loop setting as a positive integer (None stays None)."""
    value = loop.get(name, default)
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or isinstance(value, bool) or (isinstance(value, float) and value != number):
        raise ScriptError(f"hyperparameters.json: {name} must be a positive integer, not {value!r}")
    return number


def read_channel(channel: str) -> tuple[Any, Any] | None:
    """``(features, labels)`` of every CSV file in a channel, or None when it has none."""
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped]

    files = job_io.channel_files(job_io.channel_dir(channel))
    if not files:
        return None
    frames: list[Any] = []
    for path in files:
        frame = pd.read_csv(path, header=None)
        if frames and frame.shape[1] != frames[0].shape[1]:
            raise ScriptError(
                f"{channel} channel: {path.name} has {frame.shape[1]} columns but "
                f"{files[0].name} has {frames[0].shape[1]} (label first, then the features)"
            )
        non_numeric = [
            str(column) for column in frame.columns if frame[column].dtype.kind not in "biuf"
        ]
        if non_numeric:
            raise ScriptError(
                f"{channel} channel: {path.name} has non-numeric column(s) {', '.join(non_numeric)}"
                " (training CSV has no header row: label first, then numeric features)"
            )
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True).to_numpy(dtype=np.float32)
    return data[:, 1:], data[:, 0]


def train(booster_params: dict[str, Any], loop: dict[str, Any], default_rounds: int) -> None:
    """Train on the channels and write the model and its per-round history."""
    rounds = loop_setting(loop, "n_estimators", default_rounds)
    patience = loop_setting(loop, "early_stopping_rounds", None)
    train_data = read_channel("train")
    if train_data is None:
        raise ScriptError(f"no data files in the train channel ({job_io.channel_dir('train')})")
    validation_data = read_channel("validation")
    if patience is not None and validation_data is None:
        raise ScriptError(
            "early_stopping_rounds needs a validation channel; add validation data or remove it"
        )

    import xgboost as xgb

    matrices = [(xgb.DMatrix(train_data[0], label=train_data[1]), "train")]
    if validation_data is not None:
        matrices.append((xgb.DMatrix(validation_data[0], label=validation_data[1]), "validation"))
    history: dict[str, Any] = {}
    booster = xgb.train(
        booster_params,
        matrices[0][0],
        num_boost_round=rounds,
        evals=matrices,
        evals_result=history,
        early_stopping_rounds=patience,
    )
    model_dir = job_io.model_dir()
    model_dir.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(model_dir / "xgboost-model.json"))
    summary = {
        "xgboost_version": xgb.__version__,
        "params": booster_params,
        "rows": {name: int(matrix.num_row()) for matrix, name in matrices},
        "rounds": booster.num_boosted_rounds(),
        "best_iteration": booster.attr("best_iteration"),
        "history": history,
    }
    job_io.write_json(job_io.output_data_dir() / "training_history.json", summary)
    print(f"train_xgb.py: trained {summary['rounds']} rounds; model saved to {model_dir}")


def main() -> None:
    """Check the hyperparameters before importing XGBoost, then train."""
    hyperparameters = job_io.training_hyperparameters()
    known = known_names()
    booster_params, loop = split_hyperparameters(hyperparameters, known)
    train(booster_params, loop, known["parameters"]["n_estimators"]["default"])


if __name__ == "__main__":
    sys.exit(job_io.run(main, __file__))

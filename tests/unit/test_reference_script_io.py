"""job_io.py, the helper module every reference script imports: locations, input, one-line errors.

Loaded with ``load_script`` (compiled from source, no ``__pycache__`` beside the scripts).
The real frameworks run the scripts that use it in tests/functional/test_training_scripts.py
and test_xgboost_reference_scripts.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import ModuleType

import pytest

from pipeline_script_contracts import (
    MODEL_EVALUATION_CONTRACT,
    PYTORCH_TRAIN_CONTRACT,
    SKLEARN_TRAIN_CONTRACT,
    XGBOOST_TRAIN_CONTRACT,
    ScriptContract,
)
from pipeline_steps.reference_scripts import load_data_file, load_script


@pytest.fixture(scope="module")
def job_io() -> ModuleType:
    return load_script("job_io.py")


@pytest.fixture
def no_sagemaker_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SageMaker (SM_*) or library (PIPELINE_*) location variable is set."""
    for name in list(os.environ):
        if name.startswith(("SM_", "PIPELINE_")):
            monkeypatch.delenv(name)


@pytest.mark.usefixtures("no_sagemaker_variables")
@pytest.mark.parametrize(
    "contract",
    [XGBOOST_TRAIN_CONTRACT, PYTORCH_TRAIN_CONTRACT, SKLEARN_TRAIN_CONTRACT],
    ids=lambda contract: contract.name,
)
def test_training_locations_default_to_the_contract_paths(
    job_io: ModuleType, contract: ScriptContract
) -> None:
    """GIVEN no SageMaker variables WHEN a training script asks job_io where things are
    THEN every location is the contract's /opt/ml path."""
    inputs, outputs = contract.expected_input_paths, contract.expected_output_paths

    for logical in ("training_data", "validation_data"):
        assert str(job_io.channel_dir(contract.channel_name(logical))) == inputs[logical]
    config = job_io.channel_dir(contract.channel_name("hyperparameters_s3_uri"))
    assert str(config / job_io.HYPERPARAMETERS_FILE) == inputs["hyperparameters_s3_uri"]
    assert str(job_io.model_dir()) == outputs["model_output"]
    assert str(job_io.output_data_dir()) == outputs["evaluation_output"]


@pytest.mark.usefixtures("no_sagemaker_variables")
def test_the_checkpoint_folder_defaults_to_the_pytorch_contract_path() -> None:
    """GIVEN no PIPELINE_CHECKPOINT_DIR WHEN train.py is loaded THEN it checkpoints where
    its contract's checkpoints output is."""
    script = load_script("train.py")

    assert str(script.CHECKPOINT_DIR) == PYTORCH_TRAIN_CONTRACT.expected_output_paths["checkpoints"]


def test_processing_paths_move_under_the_processing_root(
    job_io: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """GIVEN PIPELINE_PROCESSING_ROOT unset, then set WHEN a processing path is asked for
    THEN it is the contract's /opt/ml/processing path, then the same path under the root."""
    monkeypatch.delenv("PIPELINE_PROCESSING_ROOT", raising=False)
    model_input = MODEL_EVALUATION_CONTRACT.expected_input_paths["model_input"]
    assert str(job_io.processing_path("input/model")) == model_input

    monkeypatch.setenv("PIPELINE_PROCESSING_ROOT", str(tmp_path))
    assert job_io.processing_path("input/model") == tmp_path / "input" / "model"


def test_channel_variables_win_over_the_defaults(
    job_io: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """GIVEN SM_CHANNEL_TRAIN, SM_MODEL_DIR and SM_OUTPUT_DATA_DIR WHEN asked THEN they are used."""
    monkeypatch.setenv("SM_CHANNEL_TRAIN", str(tmp_path / "t"))
    monkeypatch.setenv("SM_MODEL_DIR", str(tmp_path / "m"))
    monkeypatch.setenv("SM_OUTPUT_DATA_DIR", str(tmp_path / "o"))

    assert job_io.channel_dir("train") == tmp_path / "t"
    assert job_io.model_dir() == tmp_path / "m"
    assert job_io.output_data_dir() == tmp_path / "o"


def test_bad_input_ends_the_job_with_one_stderr_line_and_status_2(
    job_io: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN a main() that raises ScriptError with a two-line message WHEN run THEN the
    status is 2 and stderr holds one line: '<script>: error: <message>'."""

    def main() -> None:
        raise job_io.ScriptError("first\nsecond")

    status = job_io.run(main, "/opt/ml/code/train_thing.py")

    assert status == job_io.BAD_INPUT_STATUS == 2
    assert capsys.readouterr().err == "train_thing.py: error: first second\n"
    assert job_io.run(lambda: None, "x.py") == 0


def test_other_failures_are_not_swallowed(job_io: ModuleType) -> None:
    """GIVEN a main() that fails with another exception WHEN run THEN it propagates (a
    traceback: a bug, not bad input)."""

    def main() -> None:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError, match="bug"):
        job_io.run(main, "x.py")


def test_a_channel_is_every_visible_non_empty_file_in_order(
    job_io: ModuleType, tmp_path: Path
) -> None:
    """GIVEN files at two depths, a hidden file, a file in a hidden folder and an empty
    file WHEN the channel is listed THEN the two visible non-empty files, sorted."""
    for name, text in [
        ("b.csv", "1,2\n"),
        ("sub/a", "1,2\n"),
        (".hidden.csv", "1,2\n"),
        (".git/x.csv", "1,2\n"),
        ("empty.csv", ""),
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    assert job_io.channel_files(tmp_path) == [tmp_path / "b.csv", tmp_path / "sub" / "a"]
    assert job_io.channel_files(tmp_path / "absent") == []


def _channel(tmp_path: Path, *files: str) -> Path:
    for index, text in enumerate(files):
        (tmp_path / f"part-{index}.csv").write_text(text)
    return tmp_path


def test_training_rows_are_read_from_every_file(job_io: ModuleType, tmp_path: Path) -> None:
    """GIVEN two CSV files with a blank line WHEN read THEN every row, label first, as floats."""
    folder = _channel(tmp_path, "1,2.5,3\n\n", "0,-1,nan\n")

    rows = job_io.load_rows(folder)

    assert rows[0] == [1.0, 2.5, 3.0]
    assert rows[1][:2] == [0.0, -1.0]
    assert len(rows) == 2


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (("1,x\n",), "part-0.csv:1: every column must be a number"),
        (("nan,1\n",), "part-0.csv:1: the label is NaN or infinite"),
        (("1\n",), "part-0.csv:1: a row needs the label and at least one feature"),
        (("1,2\n", "1,2,3\n"), "part-1.csv:1: 3 columns where earlier rows have 2"),
        (("1,2\n5,2\n",), "part-0.csv:2: label '5' is not 0 or 1"),
    ],
)
def test_a_bad_row_is_named_by_file_and_line(
    job_io: ModuleType, tmp_path: Path, files: tuple[str, ...], message: str
) -> None:
    """GIVEN a row that breaks the training CSV layout or the script's own rule WHEN read
    THEN ScriptError names the file, the line and the rule."""

    def binary(values: list[float], cells: list[str]) -> str | None:
        return None if values[0] in (0.0, 1.0) else f"label {cells[0]!r} is not 0 or 1"

    with pytest.raises(job_io.ScriptError, match=message):
        job_io.load_rows(_channel(tmp_path, *files), binary)


def test_a_file_that_is_not_text_is_refused(job_io: ModuleType, tmp_path: Path) -> None:
    """GIVEN a binary file in the channel WHEN read THEN ScriptError says it is not UTF-8."""
    (tmp_path / "model.bin").write_bytes(b"\xff\xfe\x00")

    with pytest.raises(job_io.ScriptError, match="is not UTF-8 text"):
        job_io.load_rows(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the hyperparameters file"),
        ("{", "is not JSON"),
        ("[1, 2]", "must hold a JSON object, not list"),
    ],
)
def test_a_hyperparameters_file_must_hold_a_json_object(
    job_io: ModuleType, tmp_path: Path, content: str | None, message: str
) -> None:
    """GIVEN a missing, broken or non-object hyperparameters file WHEN read THEN ScriptError."""
    path = tmp_path / "hyperparameters.json"
    if content is not None:
        path.write_text(content)

    with pytest.raises(job_io.ScriptError, match=message):
        job_io.read_hyperparameters(path)


def test_the_hyperparameters_file_is_read_from_the_config_channel(
    job_io: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """GIVEN SM_CHANNEL_CONFIG holding hyperparameters.json WHEN read THEN its object."""
    (tmp_path / "hyperparameters.json").write_text(json.dumps({"epochs": 3}))
    monkeypatch.setenv("SM_CHANNEL_CONFIG", str(tmp_path))

    assert job_io.training_hyperparameters() == {"epochs": 3}


def test_unknown_names_get_the_closest_known_name(job_io: ModuleType) -> None:
    """GIVEN a misspelt and an unrelated name WHEN checked THEN one sentence names both,
    with a suggestion where one is close, and the known names; nothing unknown: None."""
    problem = job_io.unknown_names_problem(["epochz", "warp"], ["epochs", "seed"])

    assert problem == (
        "unknown hyperparameter(s) 'epochz' (did you mean 'epochs'?), 'warp'; "
        "known names: epochs, seed"
    )
    assert job_io.unknown_names_problem(["seed"], ["epochs", "seed"]) is None


@pytest.mark.parametrize(
    "name", ["xgboost_parameters.json", "pytorch_hyperparameters.json", "sklearn_estimators.json"]
)
def test_scripts_and_library_read_the_same_data_file(job_io: ModuleType, name: str) -> None:
    """GIVEN a data file beside the scripts WHEN the script side (job_io, from its own
    folder) and the library (load_data_file) read it THEN they hold the same table."""
    assert job_io.data_file(name) == load_data_file(name)


def test_written_json_is_sorted_indented_and_ends_with_a_newline(
    job_io: ModuleType, tmp_path: Path
) -> None:
    """GIVEN a value with a non-JSON leaf WHEN written into a new folder THEN the folder is
    made and the text is sorted, indented JSON with the leaf as text."""
    path = tmp_path / "new" / "metrics.json"

    job_io.write_json(path, {"b": 1, "a": Path("x")})

    assert path.read_text() == '{\n  "a": "x",\n  "b": 1\n}\n'


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        ({"train": None, "validation": "1,2\n"}, "no CSV rows in the train channel"),
        ({"train": "1,2\n", "validation": "1,2,3\n"}, "validation rows have 3 columns, training"),
    ],
)
def test_training_needs_rows_and_validation_as_wide(
    job_io: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    channels: dict[str, str | None],
    message: str,
) -> None:
    """GIVEN an empty train channel, or validation rows wider than the training rows
    WHEN the training rows are read THEN ScriptError says which."""
    for channel, text in channels.items():
        folder = tmp_path / channel
        folder.mkdir()
        if text is not None:
            (folder / "rows.csv").write_text(text)
        monkeypatch.setenv(f"SM_CHANNEL_{channel.upper()}", str(folder))

    with pytest.raises(job_io.ScriptError, match=message):
        job_io.training_rows()

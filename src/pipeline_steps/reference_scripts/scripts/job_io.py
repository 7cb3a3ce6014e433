"""What every reference script shares: where the job's files are, and how bad input ends it.

The scripts beside this file import it as a sibling module (``import job_io``). A script
run as ``python <folder>/<script>.py`` has its own folder first on ``sys.path``: the
training toolkit runs the entry point from ``/opt/ml/code``, processing runs it from
``/opt/ml/processing/input/code`` (``runproc.sh``), the local runner from where it
unpacked the code, the tests from the scripts folder. Standard library only, and the
syntax and library of Python 3.8, the oldest default image's (XGBoost ``1.7-1``).

Locations come from SageMaker's environment, with the contract's paths as defaults, so a
script runs in the container and outside it:

- ``channel_dir(name)``: ``$SM_CHANNEL_<NAME>``, else ``/opt/ml/input/data/<name>``;
- ``model_dir()``: ``$SM_MODEL_DIR``, else ``/opt/ml/model``;
- ``output_data_dir()``: ``$SM_OUTPUT_DATA_DIR``, else ``/opt/ml/output/data``;
- ``processing_path(relative)``: ``/opt/ml/processing/<relative>``, under
  ``$PIPELINE_PROCESSING_ROOT`` when that is set.

Bad input raises ``ScriptError``; ``run(main, __file__)`` turns it into one line on stderr,
``<script>: error: <message>``, and exit status 2 (as the library's CLI does for bad input).
"""

from __future__ import annotations

import csv
import difflib
import json
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Python 3.8 cannot evaluate these; only the type checker reads them
    from collections.abc import Callable, Iterable

    RowRule = Callable[[list[float], list[str]], str | None]
    """A script's own rule for one CSV row (values, cells): the problem, or None."""

HYPERPARAMETERS_FILE = "hyperparameters.json"
"""The file the prep step writes; the config channel (or input) holds it."""

BAD_INPUT_STATUS = 2
"""The exit status of a job stopped by bad input."""


class ScriptError(Exception):
    """A problem with the job's input, reported as one line on stderr (see ``run``)."""


def run(main: Callable[[], Any], script: str) -> int:
    """Run ``main``; a ``ScriptError`` becomes one stderr line and ``BAD_INPUT_STATUS``."""
    try:
        main()
    except ScriptError as error:
        message = " ".join(str(error).splitlines())
        sys.stderr.write(f"{Path(script).name}: error: {message}\n")
        return BAD_INPUT_STATUS
    return 0


def channel_dir(channel: str) -> Path:
    """A training channel's folder: ``$SM_CHANNEL_<CHANNEL>``, else the contract's path."""
    return Path(os.environ.get(f"SM_CHANNEL_{channel.upper()}", f"/opt/ml/input/data/{channel}"))


def model_dir() -> Path:
    """Where a training job leaves its model: ``$SM_MODEL_DIR``, else ``/opt/ml/model``."""
    return Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))


def output_data_dir() -> Path:
    """Where a training job leaves other files: ``$SM_OUTPUT_DATA_DIR``, else the contract's."""
    return Path(os.environ.get("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"))


def processing_path(relative: str) -> Path:
    """``/opt/ml/processing/<relative>``, under ``$PIPELINE_PROCESSING_ROOT`` when it is set."""
    root = os.environ.get("PIPELINE_PROCESSING_ROOT")
    return (Path(root) if root else Path("/opt/ml/processing")) / relative


def data_file(name: str) -> Any:
    """The JSON data file ``name`` that ships beside the scripts (a table the library reads too)."""
    return json.loads(Path(__file__).with_name(name).read_text(encoding="utf-8"))


def read_hyperparameters(path: Path) -> dict[str, Any]:
    """The JSON object of hyperparameters stored at ``path``."""
    try:
        given = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScriptError(f"cannot read the hyperparameters file {path}: {error}") from None
    except ValueError as error:
        raise ScriptError(f"{path} is not JSON: {error}") from None
    if not isinstance(given, dict):
        raise ScriptError(f"{path} must hold a JSON object, not {type(given).__name__}")
    return given


def training_hyperparameters() -> dict[str, Any]:
    """The hyperparameters file of the training job's config channel."""
    return read_hyperparameters(channel_dir("config") / HYPERPARAMETERS_FILE)


def unknown_names_problem(given: Iterable[Any], known: Iterable[str]) -> str | None:
    """The names in ``given`` not in ``known``, each with the closest known name; or None."""
    names = sorted(known)
    unknown = [str(name) for name in given if name not in names]
    if not unknown:
        return None
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, names, n=1)
        hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return f"unknown hyperparameter(s) {', '.join(hints)}; known names: {', '.join(names)}"


def channel_files(folder: Path) -> list[Path]:
    """Every non-empty file under ``folder`` (none hidden, none in a hidden folder), sorted;
    empty when the folder is absent."""
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if path.is_file() and not hidden and path.stat().st_size > 0:
            files.append(path)
    return files


def load_rows(folder: Path, rule: RowRule | None = None) -> list[list[float]]:
    """Every row of every training CSV file in ``folder`` as floats: label first, at least
    one feature, no header, the same width throughout, a finite label, and ``rule``."""
    rows: list[list[float]] = []
    for path in channel_files(folder):
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                for line, row in enumerate(csv.reader(handle), start=1):
                    if row and any(cell.strip() for cell in row):
                        width = len(rows[0]) if rows else None
                        rows.append(_parse_row(row, f"{path}:{line}", width, rule))
        except UnicodeDecodeError:
            raise ScriptError(f"{path} is not UTF-8 text (a CSV file is expected)") from None
    return rows


def training_rows(rule: RowRule | None = None) -> tuple[list[list[float]], list[list[float]]]:
    """``(train rows, validation rows)`` from the train channel (which must hold rows) and
    the optional validation channel (rows as wide as the training rows)."""
    train_dir = channel_dir("train")
    train = load_rows(train_dir, rule)
    if not train:
        raise ScriptError(f"no CSV rows in the train channel {train_dir}")
    validation = load_rows(channel_dir("validation"), rule)
    if validation and len(validation[0]) != len(train[0]):
        raise ScriptError(
            f"validation rows have {len(validation[0])} columns, training rows {len(train[0])}"
        )
    return train, validation


def _parse_row(row: list[str], where: str, width: int | None, rule: RowRule | None) -> list[float]:
    try:
        values = [float(cell) for cell in row]
    except ValueError:
        raise ScriptError(
            f"{where}: every column must be a number (CSV with the label first and no header)"
        ) from None
    problem = None
    if not math.isfinite(values[0]):
        problem = "the label is NaN or infinite"
    elif len(values) < 2:
        problem = "a row needs the label and at least one feature"
    elif width is not None and len(values) != width:
        problem = f"{len(values)} columns where earlier rows have {width}"
    elif rule is not None:
        problem = rule(values, row)
    if problem:
        raise ScriptError(f"{where}: {problem}")
    return values


def write_json(path: Path, value: Any) -> None:
    """``value`` as indented, key-sorted JSON at ``path`` (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, indent=2, sort_keys=True, default=str)
    path.write_text(text + "\n", encoding="utf-8")

"""The same pipeline compiles to nearly the same definition on SDK v2 and v3.

Both golden files are in the repository whichever major is installed, so this test
runs everywhere. The differences that remain are listed, each with why it is harmless.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"

HARMLESS: dict[str, dict[str, tuple[str, str]]] = {
    "prep_step_pipeline": {
        # v3's Pipeline always renders its MLflow setting; null means none, as on v2.
        "MlflowConfig": ("absent", "null"),
    },
    "three_step_pipeline": {
        "MlflowConfig": ("absent", "null"),
        # v3 writes the channels' input mode out; File is the job's TrainingInputMode.
        "Steps.XGBoostTraining.Arguments.InputDataConfig.train.InputMode": ("absent", '"File"'),
        "Steps.XGBoostTraining.Arguments.InputDataConfig.validation.InputMode": (
            "absent",
            '"File"',
        ),
        "Steps.XGBoostTraining.Arguments.InputDataConfig.config.InputMode": ("absent", '"File"'),
        # GZIP is the service's default compression of model.tar.gz.
        "Steps.XGBoostTraining.Arguments.OutputDataConfig.CompressionType": ("absent", '"GZIP"'),
        # v2's Estimator renders the profiler switched off; v3 renders no profiler at all.
        "Steps.XGBoostTraining.Arguments.ProfilerConfig": ('{"DisableProfiler": true}', "absent"),
    },
}


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    for key in ("Name", "ChannelName", "InputName", "OutputName"):
        if items and all(isinstance(i, dict) and key in i for i in items):
            return {str(i[key]): i for i in items}
    return None


def differences(old: Any, new: Any, path: str = "") -> dict[str, tuple[str, str]]:
    """Path -> (v2 value, v3 value) for every leaf that differs (lists keyed by name)."""
    if isinstance(old, list) and isinstance(new, list):
        old_keyed, new_keyed = _keyed(old), _keyed(new)
        if old_keyed is not None and new_keyed is not None:
            old, new = old_keyed, new_keyed
    if isinstance(old, dict) and isinstance(new, dict):
        found: dict[str, tuple[str, str]] = {}
        for key in sorted(set(old) | set(new)):
            where = f"{path}.{key}" if path else str(key)
            if key not in new:
                found[where] = (json.dumps(old[key], sort_keys=True), "absent")
            elif key not in old:
                found[where] = ("absent", json.dumps(new[key], sort_keys=True))
            else:
                found.update(differences(old[key], new[key], where))
        return found
    if old != new:
        return {path: (json.dumps(old, sort_keys=True), json.dumps(new, sort_keys=True))}
    return {}


@pytest.mark.parametrize("name", sorted(HARMLESS))
def test_v2_and_v3_definitions_differ_only_where_harmless(name: str) -> None:
    """GIVEN the golden definition of one pipeline on each SDK major
    WHEN they are compared leaf by leaf
    THEN every difference is one of the listed harmless ones, and each listed one occurs."""
    v2 = json.loads((DATA / f"{name}_v2.json").read_text(encoding="utf-8"))
    v3 = json.loads((DATA / f"{name}_v3.json").read_text(encoding="utf-8"))

    assert differences(v2, v3) == HARMLESS[name]

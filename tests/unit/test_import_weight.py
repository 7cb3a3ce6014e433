"""Importing pipeline_script_contracts stays light: standard library only, no AWS SDKs."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("sagemaker", "boto3", "botocore", "pydantic")

_REPORT_MODULES = "import json, sys; print(json.dumps(sorted(sys.modules)))"


def _modules_after(statement: str) -> set[str]:
    """The names in sys.modules of a fresh interpreter after running ``statement``."""
    completed = subprocess.run(
        [sys.executable, "-c", f"{statement}\n{_REPORT_MODULES}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(completed.stdout))


def test_import_loads_no_sagemaker_boto3_botocore_or_pydantic() -> None:
    """GIVEN a fresh interpreter WHEN the package is imported THEN no heavy SDK is loaded."""
    loaded = _modules_after("import pipeline_script_contracts")

    assert "pipeline_script_contracts" in loaded
    heavy = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN)
    assert heavy == []


def test_import_loads_only_the_standard_library() -> None:
    """GIVEN a fresh interpreter WHEN the package is imported THEN new modules are stdlib."""
    baseline = _modules_after("pass")
    loaded = _modules_after("import pipeline_script_contracts")

    new_top_levels = {m.split(".")[0] for m in loaded - baseline}
    assert new_top_levels - set(sys.stdlib_module_names) == {"pipeline_script_contracts"}

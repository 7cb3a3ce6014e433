"""The audit hook in the job's subprocess, and the run-time contract checks it feeds."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from pipeline_script_contracts import (
    MODEL_EVALUATION_CONTRACT,
    XGBOOST_TRAIN_CONTRACT,
    ContainerType,
)
from pipeline_steps.runtime.code import EntryPoint
from pipeline_steps.runtime.contracts import check_inputs, check_outputs, undeclared_accesses
from pipeline_steps.runtime.layout import ContainerLayout
from pipeline_steps.runtime.process import run_entry_point

SCRIPT = """
import os, sys
from pathlib import Path

root = Path(os.environ["ROOT"])
assert sys.argv[1:] == ["--epochs", "2"], sys.argv
assert Path(sys.path[0]) == Path(__file__).parent
(root / "opt/ml/input/data/train/a.csv").read_text()
sorted((root / "opt/ml/input/data/train").glob("*.csv"))
(root / "opt/ml/model").mkdir(parents=True, exist_ok=True)
(root / "opt/ml/model/model.json").write_text("{}")
(root / "opt/ml/output/extra").mkdir(parents=True)
(root / "opt/ml/output/extra/notes.txt").write_text("x")
Path("helper.txt").write_text("in the code folder")
import json, csv  # the standard library is never reported
try:
    open("/opt/ml/input/data/config/hyperparameters.json")
except OSError:
    pass
print("done")
print("to stderr", file=sys.stderr)
sys.exit(int(os.environ.get("EXIT", "0")))
"""


@pytest.fixture
def layout(tmp_path: Path) -> ContainerLayout:
    layout = ContainerLayout.create(tmp_path.resolve(), "Train")
    train = layout.local("/opt/ml/input/data/train")
    train.mkdir(parents=True)
    (train / "a.csv").write_text("1,2\n")
    code = layout.local("/opt/ml/code")
    code.mkdir(parents=True)
    (code / "train.py").write_text(SCRIPT)
    return layout


def _entry(layout: ContainerLayout) -> EntryPoint:
    code = layout.local("/opt/ml/code")
    return EntryPoint(
        script=code / "train.py",
        cwd=code,
        arguments=("--epochs", "2"),
        program="train.py",
        module_dir="s3://b/code.tar.gz",
        code_paths=("/opt/ml/code",),
        found_by="test",
    )


def test_the_hook_records_what_the_script_touched_and_classifies_it(
    layout: ContainerLayout,
) -> None:
    """GIVEN a script that reads a channel, writes the model, writes an undeclared folder,
    writes in its code folder and opens a literal /opt/ml path
    WHEN it runs under the hook THEN it ran as `python train.py args` would, every access is
    recorded except the code folder and Python's own files, and only the undeclared folder
    and the literal container path are findings (creating /opt/ml/output on the way, an
    ancestor of a declared output, is fine)."""
    env = {**os.environ, "ROOT": str(layout.root)}

    outcome = run_entry_point(_entry(layout), layout=layout, environment=env, timeout=60)

    assert outcome.exit_code == 0, outcome.stderr.read_text()
    assert outcome.stdout.read_text() == "done\n"
    assert outcome.stderr.read_text() == "to stderr\n"
    recorded = {(a.access, layout.container(a.path) or a.path) for a in outcome.accesses}
    assert recorded == {
        ("read", "/opt/ml/input/data/train/a.csv"),
        ("list", "/opt/ml/input/data/train"),
        ("mkdir", "/opt/ml/model"),
        ("write", "/opt/ml/model/model.json"),
        ("mkdir", "/opt/ml/output"),
        ("mkdir", "/opt/ml/output/extra"),
        ("write", "/opt/ml/output/extra/notes.txt"),
        ("read", "/opt/ml/input/data/config/hyperparameters.json"),
    }
    findings = undeclared_accesses(
        XGBOOST_TRAIN_CONTRACT,
        layout,
        outcome.accesses,
        code_paths=["/opt/ml/code"],
        container_type=ContainerType.TRAINING,
    )
    by_path = {finding.path: finding for finding in findings}
    assert set(by_path) == {
        "/opt/ml/output/extra",
        "/opt/ml/output/extra/notes.txt",
        "/opt/ml/input/data/config/hyperparameters.json",
    }
    assert "declared inputs and outputs" in by_path["/opt/ml/output/extra/notes.txt"].reason
    assert (
        "literal container path" in by_path["/opt/ml/input/data/config/hyperparameters.json"].reason
    )


def test_exit_code_and_timeout_are_reported(layout: ContainerLayout) -> None:
    """GIVEN a script that exits 3, then one that sleeps past its limit WHEN run THEN the exit
    code comes back, and the sleeper is stopped and marked timed out."""
    env = {**os.environ, "ROOT": str(layout.root), "EXIT": "3"}
    outcome = run_entry_point(_entry(layout), layout=layout, environment=env, timeout=60)
    assert (outcome.exit_code, outcome.timed_out) == (3, False)

    sleeper = layout.local("/opt/ml/code/sleep.py")
    sleeper.write_text("import time\ntime.sleep(30)\n")
    entry = EntryPoint(sleeper, sleeper.parent, (), "sleep.py", "m", ("/opt/ml/code",), "test")
    slow = run_entry_point(entry, layout=layout, environment=dict(os.environ), timeout=0.5)
    assert slow.timed_out
    assert slow.seconds < 10


def test_an_uncaught_exception_shows_the_scripts_own_traceback(layout: ContainerLayout) -> None:
    """GIVEN a script that raises WHEN run THEN the exit code is 1 and the traceback starts at
    the script, not at the bootstrap."""
    crasher = layout.local("/opt/ml/code/crash.py")
    crasher.write_text("def main():\n    raise ValueError('boom')\n\nmain()\n")
    entry = EntryPoint(crasher, crasher.parent, (), "crash.py", "m", ("/opt/ml/code",), "test")

    outcome = run_entry_point(entry, layout=layout, environment=dict(os.environ), timeout=60)

    stderr = outcome.stderr.read_text()
    assert outcome.exit_code == 1
    assert stderr.startswith("Traceback (most recent call last):\n  File ")
    assert str(crasher) in stderr.splitlines()[1]
    assert "runpy" not in stderr
    assert stderr.rstrip().endswith("ValueError: boom")


def test_processing_paths_outside_opt_ml_get_a_root_hint(tmp_path: Path) -> None:
    """GIVEN a processing script that read a path outside /opt/ml of its container folder
    WHEN its accesses are classified THEN the finding explains what the root stands for."""
    from pipeline_steps.runtime.audit import Access

    layout = ContainerLayout.create(tmp_path, "Evaluate")
    findings = undeclared_accesses(
        MODEL_EVALUATION_CONTRACT,
        layout,
        [Access("read", str(layout.root / "input/model/model.tar.gz"))],
        container_type=ContainerType.PROCESSING,
    )

    assert len(findings) == 1
    assert findings[0].path == "/input/model/model.tar.gz"
    assert "$PIPELINE_PROCESSING_ROOT stands for /opt/ml/processing" in findings[0].reason


def test_inputs_and_outputs_are_checked_against_the_contract(tmp_path: Path) -> None:
    """GIVEN a processing layout missing its hyperparameters file and one output
    WHEN checked THEN the missing input, the unset variable and the empty output are named."""
    layout = ContainerLayout.create(tmp_path, "Evaluate")
    for path in ("/opt/ml/processing/input/model", "/opt/ml/processing/input/eval_data"):
        layout.local(path).mkdir(parents=True)
        (layout.local(path) / "f").write_text("x")
    config = layout.local("/opt/ml/processing/input/config")
    config.mkdir(parents=True)
    (config / "wrong-name.json").write_text("{}")
    metrics = layout.local("/opt/ml/processing/output/metrics")
    metrics.mkdir(parents=True)
    (metrics / "metrics.json").write_text("{}")
    layout.local("/opt/ml/processing/output/eval").mkdir(parents=True)

    before = check_inputs(MODEL_EVALUATION_CONTRACT, layout, {"ID_FIELD": "id"})
    after = check_outputs(MODEL_EVALUATION_CONTRACT, layout)

    assert before == [
        "declared input 'hyperparameters_s3_uri' is missing at "
        "/opt/ml/processing/input/config/hyperparameters.json (its folder holds wrong-name.json)",
        "required environment variable LABEL_FIELD is not set by the step's Environment",
    ]
    assert after == [
        "declared output 'eval_output' (/opt/ml/processing/output/eval) is empty: the script "
        "wrote nothing there"
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_layout_maps_container_paths_and_refuses_foreign_folders(tmp_path: Path) -> None:
    """GIVEN a workdir WHEN a layout is made twice THEN the second replaces the first; a
    folder the runner did not make is never replaced."""
    layout = ContainerLayout.create(tmp_path, "S")
    layout.local("/opt/ml/model").mkdir(parents=True)
    assert layout.container(str(layout.root / "opt/ml/model/x")) == "/opt/ml/model/x"
    assert layout.container(str(layout.runner_dir / "audit.jsonl")) is None
    assert layout.container("/elsewhere") is None

    again = ContainerLayout.create(tmp_path, "S")
    assert not again.local("/opt/ml/model").exists()

    (tmp_path / "Mine").mkdir()
    with pytest.raises(Exception, match="was not made by run_pipeline_locally"):
        ContainerLayout.create(tmp_path, "Mine")

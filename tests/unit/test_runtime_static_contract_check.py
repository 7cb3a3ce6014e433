"""ScriptContract.validate_implementation: literal paths and variables vs the contract."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lambda_code import HYPERPARAMETER_PREP_PACKAGE
from pipeline_script_contracts import (
    CONTRACTS,
    HYPERPARAMETER_PREP_CONTRACT,
    MODEL_EVALUATION_CONTRACT,
    PYTORCH_TRAIN_CONTRACT,
    XGBOOST_TRAIN_CONTRACT,
    ContractError,
    ScriptContract,
)
from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR

FIXTURE_SCRIPTS = Path(__file__).parents[1] / "functional" / "local_run_scripts"

# Training scripts as issue 9 asks for them: every location from SageMaker's environment,
# the contract's paths as defaults, channels read through a helper.
TRAINING_AS_REWRITTEN = """
import json
import os
from pathlib import Path

MODEL_DIR = Path(os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
OUTPUT_DATA_DIR = Path(os.getenv("SM_OUTPUT_DATA_DIR", "/opt/ml/output/data"))


def channel(name):
    return Path(os.environ.get(f"SM_CHANNEL_{name.upper()}", f"/opt/ml/input/data/{name}"))


def main():
    hp = json.loads((channel("config") / "hyperparameters.json").read_text())
    train, validation = channel("train"), channel("validation")
    hosts = json.loads(os.environ["SM_HOSTS"])
    lr = os.environ.get("SM_HP_LEARNING_RATE")
    region = os.environ.get("AWS_REGION")
    checkpoints = Path("/opt/ml/checkpoints") if "pytorch" in __file__ else None
    print(hp, train, validation, hosts, lr, region, checkpoints, MODEL_DIR, OUTPUT_DATA_DIR)
"""

# Processing scripts put every /opt/ml/processing path under $PIPELINE_PROCESSING_ROOT; both
# readings of that sentence must pass (the root stands for '/', or for /opt/ml/processing).
PROCESSING_ROOT_IS_SLASH = """
import os
from pathlib import Path

ROOT = Path(os.environ.get("PIPELINE_PROCESSING_ROOT", "/"))
MODEL = ROOT / "opt/ml/processing/input/model"
DATA = ROOT / "opt" / "ml" / "processing" / "input" / "eval_data"
HP = Path(str(ROOT) + "/opt/ml/processing/input/config/hyperparameters.json")
OUT = os.path.join(ROOT, "opt/ml/processing/output", "metrics")
EVAL = f"{ROOT}/opt/ml/processing/output/eval"
print(os.environ["ID_FIELD"], os.environ["LABEL_FIELD"], MODEL, DATA, HP, OUT, EVAL)
"""
PROCESSING_ROOT_IS_PROCESSING = """
import os
from pathlib import Path

ROOT = Path(os.environ.get("PIPELINE_PROCESSING_ROOT", "/opt/ml/processing"))
for folder in ("model", "eval_data", "config"):
    print(ROOT / "input" / folder)
print((ROOT / "output" / "metrics").parent / "eval")
"""


def _script(tmp_path: Path, source: str, name: str = "script.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


@pytest.mark.parametrize("contract", list(CONTRACTS.values()), ids=list(CONTRACTS))
def test_reference_scripts_and_the_handler_match_their_contracts(contract: ScriptContract) -> None:
    """GIVEN each reference script, and the bundled handler's module(s) for the prep contract
    WHEN checked against its own contract THEN no findings."""
    if contract is HYPERPARAMETER_PREP_CONTRACT:
        handler = Path(HYPERPARAMETER_PREP_PACKAGE)
        scripts = sorted(handler.rglob("*.py")) if handler.is_dir() else [handler]
    else:
        scripts = [REFERENCE_SCRIPTS_DIR / contract.entry_point]

    for script in scripts:
        assert contract.validate_implementation(script) == [], script


@pytest.mark.parametrize(
    ("contract", "name"),
    [(XGBOOST_TRAIN_CONTRACT, "train_xgb.py"), (MODEL_EVALUATION_CONTRACT, "model_evaluation.py")],
)
def test_local_run_fixture_scripts_match_their_contracts(
    contract: ScriptContract, name: str
) -> None:
    """GIVEN the functional tests' scripts WHEN checked THEN no findings."""
    assert contract.validate_implementation(FIXTURE_SCRIPTS / name) == []


@pytest.mark.parametrize("contract", [XGBOOST_TRAIN_CONTRACT, PYTORCH_TRAIN_CONTRACT])
def test_training_scripts_written_as_issue_9_asks_have_no_false_positives(
    contract: ScriptContract, tmp_path: Path
) -> None:
    """GIVEN a training script reading SM_* variables with contract defaults, channels by a
    helper, SM_HP_*, SM_HOSTS and AWS_REGION WHEN checked THEN nothing is reported (the
    XGBoost contract has no checkpoints, so there the checkpoint literal is the one finding)."""
    findings = contract.validate_implementation(_script(tmp_path, TRAINING_AS_REWRITTEN))

    expected = [] if contract is PYTORCH_TRAIN_CONTRACT else ["/opt/ml/checkpoints"]
    assert [finding.subject for finding in findings] == expected


@pytest.mark.parametrize("source", [PROCESSING_ROOT_IS_SLASH, PROCESSING_ROOT_IS_PROCESSING])
def test_processing_scripts_under_the_processing_root_have_no_false_positives(
    source: str, tmp_path: Path
) -> None:
    """GIVEN a processing script building paths from PIPELINE_PROCESSING_ROOT either way
    WHEN checked THEN nothing is reported."""
    assert MODEL_EVALUATION_CONTRACT.validate_implementation(_script(tmp_path, source)) == []


@pytest.mark.parametrize(
    ("source", "subject", "kind"),
    [
        ('import os\nos.environ["SM_CHANNEL_TEST"]\n', "SM_CHANNEL_TEST", "env"),
        ('from os import getenv as g\ng("SM_CHANNEL_TEST", "")\n', "SM_CHANNEL_TEST", "env"),
        ('import os\n"SM_CHANNEL_TEST" in os.environ\n', "SM_CHANNEL_TEST", "env"),
        ('open("/opt/ml/input/data/test/rows.csv")\n', "/opt/ml/input/data/test/rows.csv", "path"),
        (
            "from pathlib import Path\nROOT = Path('/opt/ml/input/data')\nTEST = ROOT / 'test'\n",
            "/opt/ml/input/data/test",
            "path",
        ),
        (
            "import os\n"
            "def channel(name):\n"
            "    return os.environ[f'SM_CHANNEL_{name.upper()}']\n"
            "channel('train')\nchannel('test')\n",
            "SM_CHANNEL_TEST",
            "env",
        ),
    ],
)
def test_reading_an_undeclared_channel_is_caught(
    source: str, subject: str, kind: str, tmp_path: Path
) -> None:
    """GIVEN a training script reading the undeclared channel 'test' (by variable, literal
    path, or a helper called with 'test') WHEN checked THEN exactly that is reported, with
    the line and the contract's channels or paths."""
    findings = XGBOOST_TRAIN_CONTRACT.validate_implementation(_script(tmp_path, source))

    assert [(f.kind, f.subject) for f in findings] == [(kind, subject)]
    finding = findings[0]
    assert finding.line >= 1
    assert str(finding).startswith(f"{tmp_path / 'script.py'}:{finding.line}:")
    if kind == "env":
        assert "its channels: train, validation, config" in finding.message
    else:
        assert "training_data=/opt/ml/input/data/train" in finding.message


def test_a_processing_script_reading_training_variables_is_caught(tmp_path: Path) -> None:
    """GIVEN a processing script that reads SM_MODEL_DIR and an undeclared variable
    WHEN checked against the evaluation contract THEN both are reported."""
    script = _script(tmp_path, 'import os\nos.environ["SM_MODEL_DIR"]\nos.getenv("TOKEN")\n')

    findings = MODEL_EVALUATION_CONTRACT.validate_implementation(script)

    assert [f.subject for f in findings] == ["SM_MODEL_DIR", "TOKEN"]


def test_names_built_at_run_time_are_not_guessed(tmp_path: Path) -> None:
    """GIVEN variable names and paths only known at run time WHEN checked THEN nothing is
    reported: the check does not guess."""
    source = """
    import os, sys
    name = sys.argv[1]
    os.environ[name]
    os.environ.get("SM_CHANNEL_" + sys.argv[2])
    open(os.path.join("/opt/ml/input/data", sys.argv[3]))
    """

    assert XGBOOST_TRAIN_CONTRACT.validate_implementation(_script(tmp_path, source)) == []


def test_strict_mode_raises_listing_every_finding(tmp_path: Path) -> None:
    """GIVEN a script with two findings WHEN checked strictly THEN ContractError lists both."""
    script = _script(tmp_path, 'import os\nos.environ["SM_CHANNEL_TEST"]\nopen("/opt/ml/x")\n')

    with pytest.raises(ContractError) as caught:
        XGBOOST_TRAIN_CONTRACT.validate_implementation(script, strict=True)

    assert "SM_CHANNEL_TEST" in str(caught.value)
    assert "/opt/ml/x" in str(caught.value)


def test_a_script_that_does_not_parse_is_a_contract_error(tmp_path: Path) -> None:
    """GIVEN a file with a syntax error WHEN checked THEN ContractError names the line."""
    with pytest.raises(ContractError, match=r"syntax error at line 2"):
        XGBOOST_TRAIN_CONTRACT.validate_implementation(_script(tmp_path, "x = 1\ndef (:\n"))


# ---------------------------------------------------------------- modules a script imports

HELPER = """
import os
from pathlib import Path

CONFIG_FILE = "hyperparameters.json"


def channel(name):
    return Path(os.environ.get(f"SM_CHANNEL_{name.upper()}", f"/opt/ml/input/data/{name}"))


def processing(relative):
    return Path(os.environ.get("PIPELINE_PROCESSING_ROOT", "/opt/ml/processing")) / relative
"""


@pytest.mark.parametrize(
    "source",
    [
        "import helper\nhelper.channel('train')\nhelper.channel('test')\n",
        "from helper import channel\nchannel('train')\nchannel('test')\n",
        "import helper as h\ndef main():\n    return h.channel('test')\n",
        "from helper import *\nchannel('test')\n",
    ],
)
def test_a_helper_module_reading_an_undeclared_channel_is_caught_through_the_script(
    source: str, tmp_path: Path
) -> None:
    """GIVEN a sibling module whose function reads SM_CHANNEL_<NAME> and
    /opt/ml/input/data/<name>, and a training script that imports it (as a module, by name,
    under another name, or with *) and calls it with the undeclared channel 'test'
    WHEN the script is checked THEN both reads are reported at the helper's line, naming
    the helper and the script that imports it."""
    _script(tmp_path, HELPER, "helper.py")
    script = _script(tmp_path, source)

    findings = XGBOOST_TRAIN_CONTRACT.validate_implementation(script)

    assert sorted((f.kind, f.subject) for f in findings) == [
        ("env", "SM_CHANNEL_TEST"),
        ("path", "/opt/ml/input/data/test"),
    ]
    for finding in findings:
        assert finding.script == str(tmp_path / "helper.py")
        assert finding.line == 9
        assert finding.message.endswith("(in helper.py, imported by script.py)")
    env = next(finding for finding in findings if finding.kind == "env")
    assert "its channels: train, validation, config" in env.message


def test_helpers_the_script_does_not_call_are_not_held_against_its_contract(
    tmp_path: Path,
) -> None:
    """GIVEN a helper module with a training and a processing function WHEN a training script
    calls only the training one, and a processing script only the other THEN neither is
    reported: what a script never runs is not part of it."""
    _script(tmp_path, HELPER, "helper.py")
    training = _script(tmp_path, "import helper\nhelper.channel('config')\n", "train.py")
    processing = _script(
        tmp_path,
        "import os\nimport helper\nos.environ['ID_FIELD'], os.environ['LABEL_FIELD']\n"
        "helper.processing('input/config/' + helper.CONFIG_FILE)\n",
        "evaluate.py",
    )

    assert XGBOOST_TRAIN_CONTRACT.validate_implementation(training) == []
    assert MODEL_EVALUATION_CONTRACT.validate_implementation(processing) == []


def test_a_helper_constant_and_its_top_level_code_are_read(tmp_path: Path) -> None:
    """GIVEN a helper whose top-level code holds an undeclared path and reads an undeclared
    variable, and a script that builds a path from that constant (as helper.ROOT, and
    imported by name) WHEN checked against the evaluation contract THEN the helper's
    literal and variable are reported in the helper, the path built from it in the script."""
    _script(tmp_path, "import os\nROOT = '/opt/ml/processing/input/test'\nos.getenv('TOKEN')\n",
            "helper.py")  # fmt: skip
    source = "import helper\nfrom helper import ROOT as R\nopen(helper.ROOT + '/a')\nopen(R)\n"
    script = _script(tmp_path, source, "evaluate.py")

    findings = MODEL_EVALUATION_CONTRACT.validate_implementation(script)

    assert sorted((f.subject, Path(f.script).name, f.line) for f in findings) == [
        ("/opt/ml/processing/input/test", "helper.py", 2),
        ("/opt/ml/processing/input/test/a", "evaluate.py", 3),
        ("TOKEN", "helper.py", 3),
    ]


def test_a_helper_module_that_does_not_parse_is_a_contract_error(tmp_path: Path) -> None:
    """GIVEN a script importing a sibling with a syntax error WHEN checked THEN ContractError
    names the sibling, the script that imports it and the line."""
    _script(tmp_path, "def (:\n", "helper.py")
    script = _script(tmp_path, "import helper\n")

    with pytest.raises(ContractError, match=r"helper\.py \(imported by script\.py\): syntax"):
        XGBOOST_TRAIN_CONTRACT.validate_implementation(script)

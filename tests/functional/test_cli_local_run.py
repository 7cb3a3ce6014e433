"""``pipeline-steps demo`` and ``pipeline-steps run --local``, in-process.

Each test calls ``main(argv, out=..., err=...)``. The commands start their own in-process
mock AWS; a test that inspects S3 afterwards wraps the call in its own ``mock_aws()``, so
the command's mock nests inside it and what the command wrote outlives the command. The
user pipelines here run the standard-library fixture scripts of ``local_run_scripts``
(fast); the demo and the README example run real XGBoost and are marked slow.
"""

from __future__ import annotations

import json
import logging
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pipeline_steps.tools.cli import main
from pipeline_steps.tools.demo import DEMO_BUCKET
from pipeline_steps.tools.run_local import LOCAL_BUCKET

from cli_invocation import assert_clean, nothing_leaks, run  # noqa: F401 (the autouse fixture)

pytestmark = pytest.mark.filterwarnings("ignore:Running within a PipelineSession:UserWarning")

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).parent / "local_run_scripts"
STEPS = ["HyperparameterPrep", "XGBoostTraining", "ModelEvaluation"]


@pytest.fixture
def s3_after() -> Iterator[Any]:
    """An outer mock: the command's S3 objects outlive the command; yields an S3 client."""
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


def read(s3: Any, uri: str) -> bytes:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


USER_PIPELINE = f'''
"""A user's pipeline module: prep -> training -> evaluation with the fixture scripts."""

from pipeline_steps import (
    HyperparameterPrepConfig,
    HyperparameterPrepStepBuilder,
    ModelEvaluationConfig,
    ModelEvaluationStepBuilder,
    XGBoostHyperparameters,
    XGBoostTrainingConfig,
    XGBoostTrainingStepBuilder,
)
from pipeline_steps.sdk import ParameterFloat, ParameterInteger, Pipeline

SCRIPTS = {str(SCRIPTS)!r}


def build_pipeline(session, role_arn, bucket, train_entry="train_minimal.py"):
    rate = ParameterFloat(name="LearningRate", default_value=0.1)
    depth = ParameterInteger(name="MaxDepth", default_value=3)
    prep = HyperparameterPrepStepBuilder(
        HyperparameterPrepConfig(bucket=bucket, lambda_role_arn=role_arn),
        sagemaker_session=session,
    )
    prep_step = prep.create_step(
        hyperparameters=XGBoostHyperparameters(
            objective="binary:logistic", max_depth=depth, learning_rate=rate, n_estimators=5
        )
    )
    trainer = XGBoostTrainingStepBuilder(
        XGBoostTrainingConfig(
            role_arn=role_arn,
            source_dir=SCRIPTS,
            entry_point=train_entry,
            output_path=f"s3://{{bucket}}/models",
        ),
        sagemaker_session=session,
    )
    train_step = trainer.create_step(
        inputs={{"training_data": f"s3://{{bucket}}/data/train/"}}, dependencies=[prep_step]
    )
    evaluator = ModelEvaluationStepBuilder(
        ModelEvaluationConfig(
            role_arn=role_arn,
            source_dir=SCRIPTS,
            entry_point="evaluate_minimal.py",
            environment={{"ID_FIELD": "id", "LABEL_FIELD": "label"}},
            output_path=f"s3://{{bucket}}/evaluation",
        ),
        sagemaker_session=session,
    )
    eval_step = evaluator.create_step(
        inputs={{"eval_data_input": f"s3://{{bucket}}/data/eval/"}},
        dependencies=[prep_step, train_step],
    )
    return Pipeline(
        name="CliLocalRun",
        parameters=[rate, depth],
        steps=[prep_step, train_step, eval_step],
        sagemaker_session=session,
    )
'''


@pytest.fixture
def user_pipeline(tmp_path: Path) -> str:
    path = tmp_path / "my_pipeline.py"
    path.write_text(USER_PIPELINE, encoding="utf-8")
    return str(path)


def write_module(tmp_path: Path, body: str, name: str = "user_module.py") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return str(path)


def progress_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if re.match(r"\[\d/\d\] ", line)]


# ------------------------------------------------------------------ run --local


def test_run_local_runs_every_step_with_typed_parameter_overrides(
    user_pipeline: str, tmp_path: Path, s3_after: Any
) -> None:
    """GIVEN a user's pipeline file whose build_pipeline(session, role_arn, bucket) takes
    what run --local injects, and the demo data uploaded to the mock bucket
    WHEN run --local runs it with a Float and an Integer parameter override
    THEN it exits 0 with one progress line per step and each step's outputs; the stored
    hyperparameters carry both overrides as numbers; the model archive and the metrics are
    at the printed S3 locations; the job folders are in --workdir."""
    workdir = tmp_path / "jobs"
    ran = run(
        "run",
        "--local",
        user_pipeline,
        *("--parameter", "LearningRate=0.3", "-p", "MaxDepth=5"),
        *("--demo-data", "--workdir", str(workdir)),
    )

    assert (ran.code, ran.err) == (0, "")
    assert_clean(ran.out)
    assert [line.split(" ... ")[0] for line in progress_lines(ran.out)] == [
        "[1/3] HyperparameterPrep (Lambda)",
        "[2/3] XGBoostTraining (Training)",
        "[3/3] ModelEvaluation (Processing)",
    ]
    assert all(" ... ok " in line for line in progress_lines(ran.out))
    assert "CliLocalRun: 3 steps succeeded" in ran.out
    printed = dict(re.findall(r"^  (\w+): (\S+)$", ran.out, re.MULTILINE))
    stored = json.loads(read(s3_after, printed["hyperparameters_s3_uri"]))
    assert (stored["learning_rate"], stored["max_depth"]) == (0.3, 5)
    assert printed["model_output"].startswith(f"s3://{LOCAL_BUCKET}/models/pipelines-")
    assert read(s3_after, printed["model_output"])[:2] == b"\x1f\x8b"  # a gzip archive
    metrics = json.loads(read(s3_after, f"{printed['metrics_output']}/metrics.json"))
    assert metrics["learning_rate"] == 0.3
    assert f"local job folders: {workdir.resolve()}" in ran.out
    assert sorted(path.name for path in workdir.iterdir()) == sorted(STEPS)
    # the handler's logger is as it was: the run lent it INFO and took it back
    assert not logging.getLogger("hyperparameter_prep").isEnabledFor(logging.INFO)


def test_run_local_uploads_and_kwargs_reach_the_pipeline(
    user_pipeline: str, tmp_path: Path, s3_after: Any
) -> None:
    """GIVEN a local folder of training data and --kwargs naming another entry point
    WHEN run --local uploads the folder with --upload and runs the pipeline
    THEN the folder's files are under the S3 prefix the pipeline reads, and the step ran
    the entry point --kwargs gave (its stored model lists the uploaded files)."""
    data = tmp_path / "train"
    (data / "part").mkdir(parents=True)
    (data / "a.csv").write_text("1,0.5\n0,0.1\n", encoding="utf-8")
    (data / "part" / "b.csv").write_text("1,0.9\n", encoding="utf-8")
    eval_file = tmp_path / "eval.csv"
    eval_file.write_text("id,label,x\n0,1,0.5\n", encoding="utf-8")
    ran = run(
        *("run", "--local", user_pipeline, "--call", "build_pipeline"),
        *("--upload", f"{data}=s3://{LOCAL_BUCKET}/data/train/"),
        *("--upload", f"{eval_file}=s3://{LOCAL_BUCKET}/data/eval/eval.csv"),
        *("--kwargs", json.dumps({"train_entry": "train_minimal.py"})),
        *("--workdir", str(tmp_path / "jobs")),
    )

    assert (ran.code, ran.err) == (0, "")
    assert f"uploaded {data} to s3://{LOCAL_BUCKET}/data/train/ (2 files)" in ran.out
    model = json.loads((tmp_path / "jobs/XGBoostTraining/opt/ml/model/model.json").read_text())
    assert model["files"] == ["a.csv", "part/b.csv"]


@pytest.mark.parametrize(
    ("extra", "expected", "last_progress"),
    [
        (
            ["--demo-data", "--kwargs", '{"train_entry": "train_fails.py"}'],
            "pipeline-steps run: step 'XGBoostTraining' failed with exit code 3: "
            "ValueError: the label column holds 'yes'",
            "[2/3] XGBoostTraining (Training) ... FAILED (exit code 3)",
        ),
        (
            [
                "--demo-data",
                "--strict",
                "--kwargs",
                '{"train_entry": "train_writes_undeclared.py"}',
            ],
            "pipeline-steps run: step 'XGBoostTraining' broke its script contract: opened ",
            "[2/3] XGBoostTraining (Training) ... FAILED",
        ),
        (
            [],
            "pipeline-steps run: step 'XGBoostTraining' channel 'train': no S3 objects found "
            f"under s3://{LOCAL_BUCKET}/data/train/",
            "[2/3] XGBoostTraining (Training) ... FAILED",
        ),
        (
            ["--parameter", "LearningRate=-1"],
            "pipeline-steps run: step 'HyperparameterPrep' (Lambda): the handler raised "
            "ConstraintViolationError: override.learning_rate",
            "[1/3] HyperparameterPrep (Lambda) ... FAILED",
        ),
    ],
    ids=["exit-code", "strict-contract", "no-data", "handler-refuses"],
)
def test_a_failing_step_exits_1_with_one_line(
    user_pipeline: str, extra: list[str], expected: str, last_progress: str
) -> None:
    """GIVEN a pipeline whose training script exits 3 after writing to stderr, or (with
    --strict) opens a path outside its contract, or whose input prefix is empty, or a
    parameter value the prep handler refuses (below the model's bound)
    WHEN run --local runs it
    THEN it exits 1; stderr is one line naming the step and the exit code with the
    script's last stderr line (or the broken contract, or the empty prefix and how to fill
    the mock, or the handler's refusal); progress stops at the failed step."""
    ran = run("run", "--local", user_pipeline, *extra)

    line = ran.one_line_error("run", 1, stdout_empty=False)  # progress came first
    assert line.startswith(expected), line
    if not extra:
        assert line.endswith("put data there with --upload or --demo-data)")
    assert progress_lines(ran.out)[-1] == last_progress
    assert "[3/3]" not in ran.out


BAD_MODULES = {
    "no-factory": ("x = 1\n", [], "defines none of get_pipeline(), build_pipeline()"),
    "ambiguous": (
        "def get_pipeline():\n    pass\ndef build_pipeline():\n    pass\n",
        [],
        "defines get_pipeline and build_pipeline; choose one with --call get_pipeline",
    ),
    "syntax-error": ("def get_pipeline(:\n", [], "cannot import"),
    "import-error": ("import no_such_package_xyz\n", [], "No module named 'no_such_package_xyz'"),
    "needs-unknown-argument": (
        "def get_pipeline(session, epochs):\n    pass\n",
        [],
        "get_pipeline() needs epochs, which run --local does not provide",
    ),
    "raises": (
        "def get_pipeline(bucket):\n    raise ValueError(f'no data in {bucket}')\n",
        [],
        f"get_pipeline() raised ValueError: no data in {LOCAL_BUCKET}",
    ),
    "returns-something-else": (
        "def create_pipeline(region):\n    return region\n",
        [],
        "create_pipeline() returned str, not a Pipeline",
    ),
    "unknown-call": ("def get_pipeline():\n    pass\n", ["--call", "make"], "has no 'make'"),
    "unknown-kwarg": (
        "def get_pipeline(session):\n    pass\n",
        ["--kwargs", '{"epochs": 2}'],
        "get_pipeline() takes no parameter epochs",
    ),
}


@pytest.mark.parametrize("case", list(BAD_MODULES))
def test_a_module_run_local_cannot_use_exits_2_with_one_line(case: str, tmp_path: Path) -> None:
    """GIVEN a pipeline module that cannot be imported, provides no pipeline (or two), or
    whose function needs what run --local cannot give, raises or returns something else
    WHEN run --local loads it
    THEN it exits 2 with one line naming the problem, and prints nothing else."""
    body, extra, fragment = BAD_MODULES[case]
    ran = run("run", "--local", write_module(tmp_path, body), *extra)
    line = ran.one_line_error("run", 2)
    assert fragment in line
    assert ran.out == ""


def test_pipeline_file_and_module_not_found_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a file path that does not exist, and a module name nothing provides
    WHEN run --local is given each
    THEN each exits 2 with one line naming it."""
    monkeypatch.chdir(tmp_path)
    line = run("run", "--local", "pipelines/missing.py").one_line_error("run", 2)
    assert "no pipeline file 'pipelines/missing.py'" in line
    line = run("run", "--local", "no_such_pipeline_module").one_line_error("run", 2)
    assert "no pipeline file or module 'no_such_pipeline_module'" in line


def test_a_module_name_is_imported_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a package in the current folder whose module has a module-level `pipeline`
    built at import time (with its own PipelineSession), with a step the runner cannot run
    WHEN run --local is given its dotted name
    THEN it is imported (as python -m would), and the unsupported step is refused with exit
    2 naming it, before any step runs; the module is forgotten afterwards."""
    import sys

    package = tmp_path / "pipelines"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "conditional.py").write_text(
        textwrap.dedent(
            """
            from pipeline_steps.sdk import ConditionGreaterThan, ConditionStep, Pipeline

            check = ConditionStep(
                name="CheckRate",
                conditions=[ConditionGreaterThan(left=1, right=0)],
                if_steps=[],
                else_steps=[],
            )
            pipeline = Pipeline(name="Conditional", steps=[check])
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)

    ran = run("run", "--local", "pipelines.conditional")

    line = ran.one_line_error("run", 2)
    assert "cannot run step(s) 'CheckRate' (Condition) locally" in line
    assert ran.out == ""
    assert "pipelines.conditional" not in sys.modules


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        ([], "add --local"),
        (["--local", "--parameter", "LearningRate"], "--parameter 'LearningRate' is not"),
        (["--local", "-p", "MaxDepth=deep"], "MaxDepth is an Integer parameter"),
        (["--local", "-p", "LearningRate=nan"], "give a finite number"),
        (["--local", "-p", "Nope=1"], "unknown pipeline parameter(s) Nope"),
        (["--local", "--kwargs", "[1]"], "--kwargs must be a JSON object"),
        (["--local", "--upload", "missing.csv=s3://b/k"], "--upload 'missing.csv'"),
        (["--local", "--region", "mars-1"], "--region 'mars-1'"),
        (["--local", "--bucket", "Bad_Bucket"], '--bucket: bucket "Bad_Bucket"'),
        (["--local", "--upload", f"{ROOT / 'README.md'}=s3://ab/k"], 'bucket "ab": is 2'),
        (["--local", "--upload", f"{ROOT / 'README.md'}=s3:/ab/k"], "not an s3://bucket/key"),
    ],
    ids=[
        "no-local",
        "parameter-form",
        "parameter-type",
        "parameter-nan",
        "unknown-parameter",
        "kwargs",
        "upload",
        "region",
        "bucket",
        "upload-bucket",
        "upload-uri",
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    user_pipeline: str, argv: list[str], fragment: str
) -> None:
    """GIVEN run without --local, a malformed, mistyped or unknown --parameter, bad
    --kwargs, a missing --upload source or a bad --upload URI, a bucket name S3 refuses
    or a region SageMaker does not have
    WHEN run runs the user's pipeline module
    THEN it exits 2 with one line naming the problem; no step ran, nothing was printed."""
    ran = run("run", user_pipeline, *argv)
    line = ran.one_line_error("run", 2)
    assert fragment in line
    assert ran.out == ""


def test_run_local_against_an_endpoint(user_pipeline: str, moto_server: str) -> None:
    """GIVEN the shared moto server as --endpoint-url (S3, IAM and Lambda there)
    WHEN run --local runs the user's pipeline with the demo data
    THEN every step succeeds and the model archive is in the server's bucket."""
    ran = run(
        *("run", "--local", user_pipeline, "--endpoint-url", moto_server),
        *("--bucket", "cli-endpoint-run", "--demo-data"),
    )

    assert (ran.code, ran.err) == (0, "")
    model_uri = re.search(r"^  model_output: (\S+)$", ran.out, re.MULTILINE)
    assert model_uri is not None
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_server)
    assert read(s3, model_uri[1])[:2] == b"\x1f\x8b"


def test_run_help_documents_the_module_convention(capsys: pytest.CaptureFixture[str]) -> None:
    """GIVEN run --help
    WHEN it is read
    THEN it names the functions looked for, what is injected, and the exit codes."""
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--help"])
    assert stopped.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for fragment in (
        "get_pipeline(), build_pipeline(), create_pipeline()",
        "module-level `pipeline`",
        "session / sagemaker_session",
        "--call",
        "1 when a step fails",
        "2 on bad input",
        "examples/xgboost_pipeline.py --demo-data",
    ):
        assert fragment in text, fragment


@pytest.mark.slow
def test_readme_example_runs_with_the_demo_data(
    s3_after: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the README's example module (build_pipeline(session, role_arn, bucket,
    scripts_dir)) and real XGBoost
    WHEN run --local runs it as the README says, with the demo data
    THEN every step succeeds with the reference scripts and the metrics are printed."""
    pytest.importorskip("xgboost")
    # The example leaves nthread unset (all cores); on a busy CI machine OpenMP's threads
    # then wait on each other (one 200-round training took 22 s instead of 2). The jobs
    # inherit this process's environment, so one thread keeps the test's time steady.
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    ran = run(
        *("run", "--local", str(ROOT / "examples" / "xgboost_pipeline.py")),
        *("--demo-data", "--parameter", "LearningRate=0.3"),
    )

    assert (ran.code, ran.err) == (0, "")
    metrics = re.search(r"^  metrics: accuracy (\S+),", ran.out, re.MULTILINE)
    assert metrics is not None
    assert float(metrics[1]) > 0.8


# ------------------------------------------------------------------ demo


def demo_sections(out: str) -> dict[str, str]:
    parts = re.split(r"^== (.+) ==$", out, flags=re.MULTILINE)
    return {title: body.strip("\n") for title, body in zip(parts[1::2], parts[2::2], strict=True)}


@pytest.mark.slow
def test_demo_runs_the_whole_pipeline_and_prints_the_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, s3_after: Any
) -> None:
    """GIVEN an empty working folder, no AWS account, and real XGBoost
    WHEN pipeline-steps demo runs
    THEN it exits 0 with nothing on stderr; writes pipeline-definition.json; prints the
    generated data's locations, one progress line per step, the stored hyperparameters with
    the LearningRate override, the model archive's location, the evaluation metrics, the
    config channel's property reference and the Mermaid DAG; and the model archive and
    metrics.json are at the printed S3 locations, the metrics those printed."""
    pytest.importorskip("xgboost")
    monkeypatch.chdir(tmp_path)

    ran = run("demo")

    assert (ran.code, ran.err) == (0, "")
    assert_clean(ran.out)
    definition = json.loads((tmp_path / "pipeline-definition.json").read_text(encoding="utf-8"))
    assert [step["Name"] for step in definition["Steps"]] == STEPS
    sections = demo_sections(ran.out)
    assert (
        f"s3://{DEMO_BUCKET}/data/train/"
        in sections["Generated data (deterministic), uploaded to the mock bucket"]
    )
    run_section = sections["Whole pipeline, run locally (LearningRate overridden to 0.3)"]
    assert [line.split(" ... ")[0] for line in run_section.splitlines()] == [
        "[1/3] HyperparameterPrep (Lambda)",
        "[2/3] XGBoostTraining (Training)",
        "[3/3] ModelEvaluation (Processing)",
    ]
    prep = sections["Prep step's output"]
    uri = re.search(r"^S3 URI:\s+(\S+)$", prep, re.MULTILINE)
    assert uri is not None
    stored = json.loads(sections["Stored hyperparameters.json"])
    assert stored == json.loads(read(s3_after, uri[1]))
    assert (stored["learning_rate"], stored["n_estimators"], stored["nthread"]) == (0.3, 20, 1)

    archive = re.fullmatch(
        r"(s3://\S+/output/model\.tar\.gz) \([\d,]+ bytes\)", sections["Model archive"]
    )
    assert archive is not None
    assert read(s3_after, archive[1])[:2] == b"\x1f\x8b"
    metrics_lines = sections["Evaluation metrics"].splitlines()
    report = json.loads(read(s3_after, metrics_lines[0]))
    assert report["task"] == "binary"
    assert report["count"] == 200
    printed = dict(line.split() for line in metrics_lines[2:])
    assert set(printed) == {"accuracy", "auc", "log_loss", "precision", "recall", "f1"}
    for name, value in printed.items():
        assert float(value) == pytest.approx(report["metrics"][name], abs=5e-5)
    assert report["metrics"]["accuracy"] > 0.8

    assert '"Get": "Steps.HyperparameterPrep.OutputParameters' in ran.out
    assert "HyperparameterPrep -->|hyperparameters_s3_uri| XGBoostTraining" in ran.out
    assert "an unchanged second definition() made GetFunction" in ran.out


def test_demo_without_xgboost_says_so_and_runs_the_prep_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a Python where the reference scripts' xgboost cannot be imported
    WHEN pipeline-steps demo runs
    THEN stderr is one line saying so and how to install it; the demo still exits 0,
    writes the definition, runs the prep step locally and prints the S3 URI, the stored
    JSON with the override, the config channel and the DAG, and no training output."""
    from pipeline_steps.tools import demo

    monkeypatch.setattr(demo, "missing_for_training", lambda: ["xgboost"])
    monkeypatch.chdir(tmp_path)

    ran = run("demo")

    assert ran.code == 0
    assert ran.err.splitlines() == [
        "pipeline-steps demo: xgboost not installed, so only the prep step runs "
        "(pip install 'sagemaker-pipeline-steps[local]' for the whole pipeline)"
    ]
    assert_clean(ran.out)
    assert (tmp_path / "pipeline-definition.json").is_file()
    sections = demo_sections(ran.out)
    prep = sections["Prep step, run locally (LearningRate overridden to 0.3)"]
    uri = re.search(r"^S3 URI:\s+(\S+)$", prep, re.MULTILINE)
    sha = re.search(r"^sha256:\s+(\S+)$", prep, re.MULTILINE)
    assert uri is not None
    assert sha is not None
    assert uri[1] == f"s3://{DEMO_BUCKET}/hyperparameters/{sha[1]}/hyperparameters.json"
    assert json.loads(sections["Stored hyperparameters.json"])["learning_rate"] == 0.3
    assert "Model archive" not in sections
    assert "Evaluation metrics" not in sections
    assert "flowchart TD" in sections["Pipeline DAG (Mermaid)"]


# ------------------------------------------------------------------ the entry point


def test_only_the_entry_point_freezes_the_collector_before_exit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN main() called as the console script calls it (no argv) and in-process (argv)
    WHEN each runs a command
    THEN only the entry-point call freezes the garbage collector (interpreter shutdown
    then skips walking every object; benchmarks/bench_demo.py measures it), so in-process
    callers such as this suite keep a collector that collects."""
    import gc

    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    assert run("contracts").code == 0
    assert frozen == []
    monkeypatch.setattr("sys.argv", ["pipeline-steps", "contracts", "--json"])
    assert main() == 0
    assert frozen == [True]
    assert json.loads(capsys.readouterr().out)

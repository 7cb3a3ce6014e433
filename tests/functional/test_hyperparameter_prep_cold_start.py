"""Cold start: the handler package works alone, importing only the stdlib and boto3's closure.

Each test runs a fresh interpreter in a subprocess with ``-I`` (isolated: no
PYTHONPATH, no user site, no current directory on sys.path) and the deployment zip
unpacked alone in an empty folder, the way Lambda loads it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lambda_code import (
    HYPERPARAMETER_PREP_HANDLER,
    HYPERPARAMETER_PREP_MODULE,
    HYPERPARAMETER_PREP_PACKAGE,
)
from pipeline_steps.deployment.package import build_deployment_zip

# boto3's runtime dependencies (no extras), as pip resolves them:
#   boto3 -> botocore, jmespath, s3transfer; botocore -> jmespath, python-dateutil, urllib3;
#   python-dateutil -> six.  Import names: dateutil for python-dateutil.
BOTO3_CLOSURE = {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"}
# botocore imports these only when installed (try/except ImportError), never required:
#   certifi (CA bundle; botocore ships its own), awscrt (the "crt" extra).
BOTOCORE_OPTIONAL = {"certifi", "awscrt"}
# interpreter aliases that are not packages: multiprocessing registers __mp_main__.
INTERPRETER_ALIASES = {"__main__", "__mp_main__"}


def _top_level_names(distribution: str) -> set[str]:
    names = set()
    for top, dists in importlib.metadata.packages_distributions().items():
        if distribution in dists:
            names.add(top)
    return names


def test_boto3_closure_matches_installed_metadata() -> None:
    # GIVEN the installed boto3 WHEN its required dependencies are walked from metadata
    pending, seen = ["boto3"], set()
    while pending:
        dist = pending.pop()
        if dist in seen:
            continue
        seen.add(dist)
        for requirement in importlib.metadata.requires(dist) or []:
            if "extra ==" in requirement:
                continue
            pending.append(re.split(r"[ ;<>=!\[(]", requirement, maxsplit=1)[0])
    names = set().union(*(_top_level_names(dist) for dist in seen))
    # THEN the import names are exactly the documented closure
    assert names == BOTO3_CLOSURE


# Imported by no handler module at import time: each costs a cold start milliseconds and
# the handler needs none of them before it touches S3 (decimal only for odd overrides).
HEAVY_STDLIB = {"decimal", "dataclasses", "inspect", "ast", "asyncio", "email", "http", "ssl"}


@pytest.fixture
def lone_copy(tmp_path: Path) -> Path:
    """An empty folder holding only the unpacked deployment zip: the handler package."""
    folder = tmp_path / "lambda_task"
    folder.mkdir()
    with zipfile.ZipFile(io.BytesIO(build_deployment_zip(HYPERPARAMETER_PREP_PACKAGE))) as zipped:
        names = zipped.namelist()
        zipped.extractall(folder)
    assert sorted(p.name for p in folder.iterdir()) == [HYPERPARAMETER_PREP_MODULE]
    expected = sorted(
        f"{HYPERPARAMETER_PREP_MODULE}/{module.name}"
        for module in HYPERPARAMETER_PREP_PACKAGE.glob("*.py")
    )
    assert sorted(names) == expected
    return folder


def run_isolated(
    code: str, *, no_site: bool = False, env: dict[str, str] | None = None
) -> dict[str, Any]:
    flags = ["-I", "-S"] if no_site else ["-I"]
    completed = subprocess.run(
        [sys.executable, *flags, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def foreign_modules(names: list[str], allowed: set[str]) -> list[str]:
    """Module names that are neither the stdlib, the handler itself, nor in ``allowed``."""
    foreign = []
    for name in names:
        top = name.split(".")[0]
        if top in sys.stdlib_module_names or top in sys.builtin_module_names:
            continue
        if top in INTERPRETER_ALIASES or top == "hyperparameter_prep" or top in allowed:
            continue
        foreign.append(name)
    return foreign


def test_lone_copy_imports_without_any_site_packages(lone_copy: Path) -> None:
    # GIVEN the handler file alone and an interpreter without site-packages (-S)
    code = f"""
import sys
sys.path.insert(0, {str(lone_copy)!r})
before = set(sys.modules)
import hyperparameter_prep
new = sorted(set(sys.modules) - before)
hyperparameter_prep.validate_hyperparameters({{"lr": 0.1}})
text = hyperparameter_prep.serialize_hyperparameters({{"b": 1, "a": [1.5, None]}})
import json
print(json.dumps({{"file": hyperparameter_prep.__file__, "new": new, "text": text,
                  "boto3": "boto3" in sys.modules, "botocore": "botocore" in sys.modules}}))
"""
    # WHEN it is imported as the top-level package hyperparameter_prep
    report = run_isolated(code, no_site=True)
    # THEN it loads from the lone copy, needs nothing outside the stdlib, and works
    assert report["file"] == str(lone_copy / "hyperparameter_prep" / "__init__.py")
    assert foreign_modules(report["new"], allowed=set()) == []
    assert not {name.split(".")[0] for name in report["new"]} & HEAVY_STDLIB
    assert report["boto3"] is False
    assert report["botocore"] is False
    assert report["text"] == json.dumps({"b": 1, "a": [1.5, None]}, indent=2, sort_keys=True)


def test_lone_copy_handles_an_event_with_only_boto3_closure_loaded(
    lone_copy: Path, moto_server: str, unique_bucket_name: str
) -> None:
    # GIVEN the lone copy, the Lambda handler setting and moto as the S3 endpoint
    module_name, function_name = HYPERPARAMETER_PREP_HANDLER.split(".")
    code = f"""
import sys
sys.path.insert(0, {str(lone_copy)!r})
before = set(sys.modules)
import importlib
handler_module = importlib.import_module({module_name!r})
after_import = sorted(set(sys.modules) - before)
handler = getattr(handler_module, {function_name!r})
handler_module.get_s3_client().create_bucket(Bucket={unique_bucket_name!r})
result = handler({{"hyperparameters": '{{"lr": 0.1}}', "bucket": {unique_bucket_name!r}}}, None)
after_call = sorted(set(sys.modules) - before)
import json
print(json.dumps({{"result": result, "after_import": after_import, "after_call": after_call}}))
"""
    # WHEN a fresh interpreter imports the handler and invokes it once
    report = run_isolated(
        code, env={"AWS_ENDPOINT_URL_S3": moto_server, "AWS_LAMBDA_FUNCTION_NAME": "sagemaker-hp"}
    )
    # THEN the import loaded only the stdlib (boto3 is imported lazily) ...
    assert foreign_modules(report["after_import"], allowed=set()) == []
    # ... and the invocation added only boto3 and its dependencies (and botocore's optionals)
    assert foreign_modules(report["after_call"], allowed=BOTO3_CLOSURE | BOTOCORE_OPTIONAL) == []
    assert {"boto3", "botocore"} <= {name.split(".")[0] for name in report["after_call"]}
    assert report["result"]["hyperparameters_s3_uri"].startswith(f"s3://{unique_bucket_name}/")
    assert report["result"]["reused"] is False


def _import_problems(module: Path, package_modules: set[str]) -> list[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    type_checking_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            type_checking_only.update(id(child) for child in ast.walk(node))
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or id(node) in type_checking_only:
            continue
        where = f"{module.name}:{node.lineno}"
        if isinstance(node, ast.ImportFrom) and node.level:
            # inside Lambda the package is top-level: only siblings, one level up at most
            target = node.module or ""
            if node.level != 1 or (target and target not in package_modules):
                problems.append(f"relative import of {'.' * node.level}{target} at {where}")
            if not target and not {a.name for a in node.names} <= package_modules:
                problems.append(f"relative import of unknown module at {where}")
            continue
        modules = (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
        )
        for name in modules:
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and top not in {"boto3", "botocore"}:
                problems.append(f"{name} at {where}")
        is_module_level = node in tree.body
        if is_module_level and modules[0].split(".")[0] in {"boto3", "botocore"}:
            problems.append(f"eager boto3/botocore import at {where}")
        if is_module_level and modules[0].split(".")[0] in HEAVY_STDLIB:
            problems.append(f"eager {modules[0]} import at {where}")
    return problems


def test_source_imports_are_stdlib_boto3_or_siblings() -> None:
    # GIVEN every module of the handler package
    modules = sorted(HYPERPARAMETER_PREP_PACKAGE.glob("*.py"))
    package_modules = {module.stem for module in modules}
    # WHEN every import statement is inspected
    problems = [problem for m in modules for problem in _import_problems(m, package_modules)]
    # THEN each is a relative import of a sibling (the package is top-level in Lambda, so
    # "lambda_code" does not exist there), or from the stdlib, or boto3/botocore imported
    # lazily inside a function; no heavy stdlib module at import time
    assert problems == []
    assert "__init__" in package_modules
    assert all(len(m.read_text(encoding="utf-8").splitlines()) < 500 for m in modules)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "NOTSET"),
        ({"AWS_LAMBDA_FUNCTION_NAME": "sagemaker-hp"}, "INFO"),
        ({"AWS_LAMBDA_FUNCTION_NAME": "sagemaker-hp", "AWS_LAMBDA_LOG_LEVEL": "WARN"}, "WARNING"),
        ({"AWS_LAMBDA_FUNCTION_NAME": "sagemaker-hp", "AWS_LAMBDA_LOG_LEVEL": "TRACE"}, "DEBUG"),
        ({"AWS_LAMBDA_FUNCTION_NAME": "sagemaker-hp", "AWS_LAMBDA_LOG_LEVEL": "bogus"}, "INFO"),
    ],
)
def test_logger_level_follows_lambda_log_level(
    lone_copy: Path, env: dict[str, str], expected: str
) -> None:
    # GIVEN (or not) Lambda's environment and its log-level control
    code = f"""
import sys, logging, json
sys.path.insert(0, {str(lone_copy)!r})
import hyperparameter_prep
level = logging.getLogger("hyperparameter_prep").level
print(json.dumps({{"level": logging.getLevelName(level)}}))
"""
    clean = {k: "" for k in ("AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_LOG_LEVEL")}
    # WHEN the handler is imported THEN its logger level is set only inside Lambda
    assert run_isolated(code, env={**clean, **env})["level"] == expected


def test_info_line_is_visible_under_a_warning_root_logger(
    lone_copy: Path, moto_server: str, unique_bucket_name: str
) -> None:
    # GIVEN Lambda's text log setup: a root handler, root level WARNING
    code = f"""
import sys, logging, io, json
sys.path.insert(0, {str(lone_copy)!r})
stream = io.StringIO()
logging.basicConfig(level=logging.WARNING, stream=stream, format="%(levelname)s %(message)s")
import hyperparameter_prep
hyperparameter_prep.get_s3_client().create_bucket(Bucket={unique_bucket_name!r})
hyperparameter_prep.lambda_handler({{"hyperparameters": {{"lr": 0.5}},
                                     "bucket": {unique_bucket_name!r}}}, None)
print(json.dumps({{"logged": stream.getvalue()}}))
"""
    # WHEN the handler succeeds inside "Lambda"
    report = run_isolated(
        code, env={"AWS_ENDPOINT_URL_S3": moto_server, "AWS_LAMBDA_FUNCTION_NAME": "sagemaker-hp"}
    )
    # THEN its one INFO line reaches the root handler
    lines = [line for line in report["logged"].splitlines() if "hyperparameter_prep" in line]
    assert len(lines) == 1
    assert lines[0].startswith("INFO ")
    assert json.loads(lines[0].removeprefix("INFO "))["outcome"] == "ok"

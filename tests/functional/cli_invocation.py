"""Calling ``pipeline-steps`` in-process, and what every call's output must never hold.

Shared by the CLI's functional tests: ``run(*argv)`` calls ``main(argv, out=..., err=...)``
and returns a ``Ran``; ``nothing_leaks`` (import it into a test module to use it there)
checks that a command says everything on the streams it was given; ``child`` runs
the installed entry point in its own process.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline_steps.tools.cli import main

# "refused a connection": what the loopback guards (tests/conftest.py, and the child's
# sitecustomize in tests/functional/conftest.py) say when something reaches for the network.
NOISE = (
    "SageMaker Python SDK v2",
    "sagemaker.config",
    "Traceback",
    "refused a connection",
    "telemetry",
)

ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-cli"
HYPERPARAMETERS = {"objective": "binary:logistic", "max_depth": 4, "learning_rate": 0.3}


def assert_clean(*texts: str) -> None:
    """No SDK banner, config or telemetry line, traceback or refused connection."""
    for text in texts:
        for noise in NOISE:
            assert noise not in text, noise


@dataclass
class Ran:
    """What one command did: exit code, stdout and stderr."""

    code: int
    out: str
    err: str

    def one_line_error(
        self, command: str, code: int, fragment: str = "", *, stdout_empty: bool = True
    ) -> str:
        """The command failed with ``code`` and said why in one clean line on stderr."""
        assert self.code == code, (self.out, self.err)
        if stdout_empty:
            assert self.out == ""
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith(f"pipeline-steps {command}: ")
        assert fragment in lines[0], lines[0]
        assert_clean(self.out, self.err)
        return lines[0]


def run(*argv: str) -> Ran:
    """``pipeline-steps *argv``, in this process."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return Ran(code, out.getvalue(), err.getvalue())


def child(env: dict[str, str], *argv: str, cwd: Path | None = None) -> Ran:
    """The real entry point (the console script pip installed) in its own process."""
    script = Path(sys.executable).with_name("pipeline-steps")
    result = subprocess.run(
        [str(script), *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    return Ran(result.returncode, result.stdout, result.stderr)


def write(path: Path, text: str) -> str:
    """Write ``text`` to ``path``; its path as a command-line argument."""
    path.write_text(text, encoding="utf-8")
    return str(path)


def definition_args(hp: str, framework: str = "xgboost", *extra: str) -> list[str]:
    """``definition`` with the hyperparameters file ``hp``, a role and a bucket."""
    return [
        "definition",
        *("--hyperparameters", hp, "--framework", framework, "--role-arn", ROLE_ARN),
        *("--bucket", "cli-definition"),
        *extra,
    ]


@pytest.fixture(autouse=True)
def nothing_leaks(capsys: pytest.CaptureFixture[str]) -> Iterator[None]:
    """Everything a command says goes to the streams main() was given, nowhere else."""
    yield
    leaked = capsys.readouterr()
    assert (leaked.out, leaked.err) == ("", "")

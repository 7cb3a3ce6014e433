"""What the functional tests that start another process share: a loopback-only child.

A child (the CLI's entry point, a notebook kernel) runs with the suite's fake
credentials and a ``sitecustomize`` that refuses (and reports on stderr) any
connection to a non-loopback address, so it can reach the shared moto server and
nothing else. It runs without ``SAGEMAKER_SUPPRESS_V2_WARNING``: keeping the SDK's
banner out of the output is the library's own job.
"""

from __future__ import annotations

import os

import pytest

GUARD_MARK = "pipeline-steps-test-guard"
SITECUSTOMIZE = f'''
import socket
import sys

_connect = socket.socket.connect


def _loopback_only(self, address):
    if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
        sys.stderr.write("{GUARD_MARK}: refused a connection to %r\\n" % (address[0],))
        raise ConnectionRefusedError("loopback only")
    return _connect(self, address)


socket.socket.connect = _loopback_only
'''


@pytest.fixture(scope="session")
def child_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """os.environ (already fake and safe) plus the loopback guard, minus the SDK switch."""
    guard = tmp_path_factory.mktemp("child-guard")
    (guard / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = dict(os.environ)
    env.pop("SAGEMAKER_SUPPRESS_V2_WARNING", None)
    env.pop("MOTO_ACCOUNT_ID", None)
    env["PYTHONPATH"] = os.pathsep.join([str(guard), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


@pytest.fixture(scope="session")
def clean_env(child_env: dict[str, str]) -> dict[str, str]:
    """A machine with no AWS configuration at all: no credentials, no config files, no
    instance-metadata lookups (AWS_EC2_METADATA_DISABLED), still loopback only."""
    env = {key: value for key, value in child_env.items() if not key.startswith("AWS_")}
    env.update(
        {
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    return env

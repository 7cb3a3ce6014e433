"""The BundledLambda deployment zip is deterministic: same handler, same bytes, same hash."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import stat
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_steps.deployment.package import (
    ZIP_DATE_TIME,
    ZIP_FILE_MODE,
    build_deployment_zip,
    code_sha256_of,
)
from pipeline_steps.deployment.reconciler import BundledLambda

ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-hyperparameter-prep-lambda"
HANDLER_SOURCE = b'def lambda_handler(event, context):\n    return {"ok": True}\n'


@pytest.fixture
def handler_script(tmp_path: Path) -> Path:
    script = tmp_path / "hyperparameter_prep.py"
    script.write_bytes(HANDLER_SOURCE)
    return script


def _bundled(script: Path) -> BundledLambda:
    return BundledLambda("sagemaker-hyperparameter-prep", ROLE_ARN, script=script)


def _single_entry(zip_bytes: bytes) -> zipfile.ZipInfo:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        entries = archive.infolist()
    assert len(entries) == 1
    return entries[0]


def test_same_script_zipped_twice_gives_identical_bytes(handler_script: Path) -> None:
    # GIVEN a handler file
    # WHEN it is zipped twice
    first = build_deployment_zip(handler_script)
    second = build_deployment_zip(handler_script)
    # THEN the bytes are identical
    assert first == second


def test_zip_ignores_file_mtime_and_location(handler_script: Path, tmp_path: Path) -> None:
    # GIVEN the same content in another directory, with a different modification time
    elsewhere = tmp_path / "other" / "hyperparameter_prep.py"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(HANDLER_SOURCE)
    os.utime(elsewhere, (1_700_000_000, 1_700_000_000))
    os.utime(handler_script, (1_000_000_000, 1_000_000_000))
    # WHEN both are zipped
    # THEN the zips are byte-for-byte equal
    assert build_deployment_zip(elsewhere) == build_deployment_zip(handler_script)


def test_two_instances_give_identical_zip_and_code_sha256(handler_script: Path) -> None:
    # GIVEN two BundledLambda objects for the same handler
    one, two = _bundled(handler_script), _bundled(handler_script)
    # WHEN each builds its zip
    # THEN zips and CodeSha256 agree
    assert one.zip_bytes() == two.zip_bytes()
    assert one.code_sha256 == two.code_sha256


def test_zip_holds_the_handler_alone_with_fixed_metadata(handler_script: Path) -> None:
    # GIVEN the zip of a handler file
    zip_bytes = build_deployment_zip(handler_script)
    # WHEN its single entry is inspected
    entry = _single_entry(zip_bytes)
    # THEN it is the file's basename, dated 1980-01-01, a 0644 regular file, deflated
    assert entry.filename == "hyperparameter_prep.py"
    assert entry.date_time == ZIP_DATE_TIME == (1980, 1, 1, 0, 0, 0)
    assert entry.create_system == 3
    mode = entry.external_attr >> 16
    assert stat.S_ISREG(mode)
    assert stat.S_IMODE(mode) == ZIP_FILE_MODE == 0o644
    assert entry.compress_type == zipfile.ZIP_DEFLATED
    assert entry.extra == b""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        assert archive.comment == b""
        assert archive.read("hyperparameter_prep.py") == HANDLER_SOURCE


def test_code_sha256_is_base64_of_sha256_of_zip(handler_script: Path) -> None:
    # GIVEN a BundledLambda
    bundled = _bundled(handler_script)
    # WHEN its CodeSha256 is computed
    # THEN it is what Lambda reports: base64 of the SHA-256 digest of the zip bytes
    expected = base64.b64encode(hashlib.sha256(bundled.zip_bytes()).digest()).decode()
    assert bundled.code_sha256 == expected == code_sha256_of(bundled.zip_bytes())


def test_changed_handler_changes_code_sha256(handler_script: Path, tmp_path: Path) -> None:
    # GIVEN a modified copy of the handler
    changed = tmp_path / "changed" / "hyperparameter_prep.py"
    changed.parent.mkdir()
    changed.write_bytes(HANDLER_SOURCE + b"# changed\n")
    # WHEN both are hashed
    # THEN the hashes differ
    assert _bundled(changed).code_sha256 != _bundled(handler_script).code_sha256


def test_zip_is_built_once_per_instance(handler_script: Path) -> None:
    # GIVEN an instance whose zip has been built
    bundled = _bundled(handler_script)
    first = bundled.zip_bytes()
    # WHEN the file changes on disk afterwards
    handler_script.write_bytes(HANDLER_SOURCE + b"# edited later\n")
    # THEN the instance keeps the zip it built (the same object)
    assert bundled.zip_bytes() is first


def test_nested_script_path_is_stored_under_its_basename(tmp_path: Path) -> None:
    # GIVEN a handler deep in a directory tree
    script = tmp_path / "a" / "b" / "hyperparameter_prep.py"
    script.parent.mkdir(parents=True)
    script.write_bytes(HANDLER_SOURCE)
    # WHEN it is zipped
    # THEN the entry has no directory part
    assert _single_entry(build_deployment_zip(script)).filename == "hyperparameter_prep.py"


@settings(max_examples=50, deadline=None)
@given(content=st.binary(max_size=4096))
def test_any_content_zips_deterministically_and_round_trips(
    tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    # GIVEN any file content
    script = tmp_path_factory.mktemp("h") / "hyperparameter_prep.py"
    script.write_bytes(content)
    # WHEN it is zipped twice
    first, second = build_deployment_zip(script), build_deployment_zip(script)
    # THEN the zips are equal and unzip to the content
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.read("hyperparameter_prep.py") == content

"""The BundledLambda deployment zip is deterministic: same handler, same bytes, same hash.

The handler is a single file or a package folder (the bundled one is a package).
"""

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

from pipeline_steps.deployment.errors import BundledLambdaValidationError
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


# ------------------------------------------------------------------ package folder


def _package(root: Path, extra: bytes = b"") -> Path:
    package = root / "hyperparameter_prep"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_bytes(b"from .handler import lambda_handler\n")
    (package / "handler.py").write_bytes(HANDLER_SOURCE + extra)
    (package / "sub" / "__init__.py").write_bytes(b"")
    return package


def test_package_zip_holds_only_its_python_files_under_its_name(tmp_path: Path) -> None:
    # GIVEN a package folder with bytecode caches and a stray non-Python file
    package = _package(tmp_path)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"\x00bytecode")
    (package / "notes.txt").write_text("not code")
    # WHEN it is zipped
    with zipfile.ZipFile(io.BytesIO(build_deployment_zip(package))) as archive:
        entries = archive.infolist()
        source = archive.read("hyperparameter_prep/handler.py")
    # THEN the entries are its .py files, sorted, under the folder's name, each a 0644
    # regular file dated 1980-01-01, deflated, with no directory entries
    assert [e.filename for e in entries] == [
        "hyperparameter_prep/__init__.py",
        "hyperparameter_prep/handler.py",
        "hyperparameter_prep/sub/__init__.py",
    ]
    for entry in entries:
        assert entry.date_time == ZIP_DATE_TIME
        assert stat.S_IMODE(entry.external_attr >> 16) == ZIP_FILE_MODE
        assert stat.S_ISREG(entry.external_attr >> 16)
        assert entry.compress_type == zipfile.ZIP_DEFLATED
        assert entry.extra == b""
    assert source == HANDLER_SOURCE


def test_package_zip_ignores_mtimes_location_and_caches(tmp_path: Path) -> None:
    # GIVEN the same package in two places, with different mtimes, one with a cache
    first = _package(tmp_path / "a")
    second = _package(tmp_path / "b")
    os.utime(first / "handler.py", (1_000_000_000, 1_000_000_000))
    (second / "__pycache__").mkdir()
    (second / "__pycache__" / "x.pyc").write_bytes(b"cache")
    # WHEN both are zipped THEN the bytes are equal; a changed module changes them
    assert build_deployment_zip(first) == build_deployment_zip(second)
    changed = _package(tmp_path / "c", extra=b"# changed\n")
    assert build_deployment_zip(changed) != build_deployment_zip(first)


def test_bundled_handler_package_is_the_default_and_zips_alone() -> None:
    # GIVEN the library's own handler package
    import lambda_code

    package = lambda_code.HYPERPARAMETER_PREP_PACKAGE
    bundled = BundledLambda("sagemaker-hyperparameter-prep", ROLE_ARN)
    # WHEN the default BundledLambda builds its zip
    with zipfile.ZipFile(io.BytesIO(bundled.zip_bytes())) as archive:
        names = archive.namelist()
    # THEN it holds exactly the package's modules under the handler's module name
    module = lambda_code.HYPERPARAMETER_PREP_HANDLER.split(".")[0]
    assert bundled.script_path == package.resolve()
    assert names == sorted(f"{module}/{p.name}" for p in package.glob("*.py"))
    assert bundled.zip_bytes() == build_deployment_zip(package)


def test_folder_without_init_is_refused(tmp_path: Path) -> None:
    # GIVEN a folder that is not a package WHEN used as the script THEN it is refused
    folder = tmp_path / "hyperparameter_prep"
    folder.mkdir()
    with pytest.raises(BundledLambdaValidationError, match=r"hold __init__\.py"):
        BundledLambda("sagemaker-hyperparameter-prep", ROLE_ARN, script=folder)


def test_package_named_unlike_a_module_is_refused(tmp_path: Path) -> None:
    # GIVEN a package whose folder name Python cannot import WHEN used THEN it is refused
    package = _package(tmp_path).rename(tmp_path / "hyperparameter-prep")
    with pytest.raises(BundledLambdaValidationError, match="named like a module"):
        BundledLambda("sagemaker-hyperparameter-prep", ROLE_ARN, script=package)

"""Job code bundles: the same files give the same bytes and key; uploads happen once."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pipeline_steps import StepBuilderError
from pipeline_steps.core.code_bundle import (
    CodeLocation,
    runproc_script,
    source_tar,
    upload_runproc,
    upload_source_bundle,
)

BUCKET = "code-bundles"


def write_tree(root: Path, *, mtime: int, mode: int) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "train.py").write_text("print('train')\n")
    (root / "pkg" / "util.py").write_text("X = 1\n")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"\x00")
    (root / ".hidden").write_text("secret-ish\n")
    (root / "stale.pyc").write_bytes(b"\x01")
    for path in root.rglob("*"):
        os.utime(path, (mtime, mtime))
        if path.is_file():
            path.chmod(mode)
    return root


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def test_same_files_give_the_same_tar_whatever_the_times_and_modes(tmp_path: Path) -> None:
    """GIVEN two copies of a tree with different mtimes and file modes
    WHEN each is tarred
    THEN the bytes are equal, and caches, .pyc files and dot-files are left out."""
    first = source_tar(write_tree(tmp_path / "a", mtime=1_000_000, mode=0o644))
    second = source_tar(write_tree(tmp_path / "b", mtime=2_000_000, mode=0o755))

    assert first == second
    with tarfile.open(fileobj=io.BytesIO(first)) as archive:
        members = archive.getmembers()
    assert [m.name for m in members] == ["pkg", "pkg/util.py", "train.py"]
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, 0, "", "")}


def test_bundle_uploads_once_under_its_content_hash(s3: Any, tmp_path: Path) -> None:
    """GIVEN a source folder
    WHEN it is uploaded twice
    THEN both calls return the same URI, one object exists, and it unpacks to the files."""
    root = write_tree(tmp_path / "src", mtime=0, mode=0o644)
    location = CodeLocation(BUCKET)
    calls: list[str] = []
    s3.meta.events.register("before-call.s3.*", lambda model, **_: calls.append(model.name))

    first = upload_source_bundle(s3, location, root)
    second = upload_source_bundle(s3, location, root)

    assert first == second
    assert first.startswith(f"s3://{BUCKET}/pipeline-steps/code/")
    assert first.endswith("/sourcedir.tar.gz")
    assert calls == ["HeadObject", "PutObject", "HeadObject"]
    body = s3.get_object(Bucket=BUCKET, Key=first.split("/", 3)[3])["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(body))) as archive:
        assert archive.extractfile("train.py").read() == b"print('train')\n"  # type: ignore[union-attr]


def test_changed_code_gets_a_new_key(s3: Any, tmp_path: Path) -> None:
    """GIVEN a folder uploaded once
    WHEN a script changes and it is uploaded again
    THEN the URI changes (so cached steps rerun with the new code)."""
    root = write_tree(tmp_path / "src", mtime=0, mode=0o644)
    before = upload_source_bundle(s3, CodeLocation(BUCKET), root)
    (root / "train.py").write_text("print('changed')\n")

    assert upload_source_bundle(s3, CodeLocation(BUCKET), root) != before


def test_runproc_runs_the_quoted_entry_point(s3: Any) -> None:
    """GIVEN an entry point
    WHEN runproc.sh is rendered and uploaded
    THEN it unpacks the bundle and execs the script, and the same script has one key."""
    script = runproc_script("evaluate model.py")
    assert "tar -xzf sourcedir.tar.gz" in script
    assert "exec python3 'evaluate model.py' \"$@\"" in script
    uri = upload_runproc(s3, CodeLocation(BUCKET, "custom/prefix"), "evaluate.py")
    assert uri.startswith(f"s3://{BUCKET}/custom/prefix/")
    assert uri == upload_runproc(s3, CodeLocation(BUCKET, "custom/prefix"), "evaluate.py")


def test_missing_source_dir_is_a_builder_error(tmp_path: Path) -> None:
    """GIVEN a path that is not a folder WHEN it is tarred THEN the error names it."""
    with pytest.raises(StepBuilderError, match="is neither a folder nor a file"):
        source_tar(tmp_path / "missing")

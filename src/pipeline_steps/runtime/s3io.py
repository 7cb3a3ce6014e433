"""S3 in and out of a local container layout, the way SageMaker copies job data.

Downloads follow ``S3DataType: S3Prefix``: every object whose key starts with the
prefix lands in the destination folder. An object below the prefix keeps its path
relative to the prefix (``s3://b/data/train/`` + ``data/train/a/x.csv`` gives
``a/x.csv``); an object that *is* the prefix, or continues its last segment
(``data/train.csv`` for ``s3://b/data/train``), keeps its path relative to the prefix's
folder (``hyperparameters.json``, ``train.csv``). Keys that would escape the destination
(``..`` segments) are refused. Uploads put every file of a folder under the destination
prefix with its relative path. Archives are tar.gz with sorted members.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline_steps.runtime.errors import LocalRunError

__all__ = [
    "download_object",
    "download_prefix",
    "extract_tarball",
    "make_tarball",
    "object_exists",
    "parse_s3_uri",
    "upload_directory",
    "upload_file",
]

_CHUNK = 1024 * 1024
_SINGLE_PUT_LIMIT = 100 * 1024 * 1024


def parse_s3_uri(uri: Any, where: str) -> tuple[str, str]:
    """``s3://bucket/key`` as ``(bucket, key)``; anything else is an error naming ``where``."""
    if not isinstance(uri, str) or not uri.startswith("s3://") or len(uri) <= 5 or uri[5] == "/":
        raise LocalRunError(f"{where} = {uri!r} is not an s3://bucket/key URI")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def _client_error(error: Exception, action: str, uri: str, where: str) -> LocalRunError:
    return LocalRunError(f"{where}: cannot {action} {uri}: {error}")


def _relative(key: str, prefix: str) -> str:
    if key == prefix:
        return PurePosixPath(key).name
    rest = key[len(prefix) :]
    if not prefix or prefix.endswith("/") or rest.startswith("/"):
        return rest.lstrip("/")
    folder = prefix.rsplit("/", 1)[0] + "/" if "/" in prefix else ""
    return key[len(folder) :]


def _safe_target(destination: Path, relative: str, uri: str, where: str) -> Path:
    parts = PurePosixPath(relative).parts
    if not parts or relative.startswith("/") or ".." in parts:
        raise LocalRunError(
            f"{where}: object {relative!r} under {uri} would land outside {destination}"
        )
    return destination.joinpath(*parts)


def download_prefix(s3: Any, uri: str, destination: Path, *, where: str) -> list[Path]:
    """Copy every object under the ``S3Prefix`` ``uri`` into ``destination``; return the files."""
    bucket, prefix = parse_s3_uri(uri, where)
    keys: list[str] = []
    try:
        paginator = s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(
                item["Key"]
                for item in page.get("Contents", [])
                if not (item["Key"].endswith("/") and item.get("Size", 0) == 0)
            )
    except Exception as error:
        if isinstance(error, LocalRunError):
            raise
        raise _client_error(error, "list", uri, where) from error
    destination.mkdir(parents=True, exist_ok=True)
    files = []
    for key in sorted(keys):
        target = _safe_target(destination, _relative(key, prefix), uri, where)
        _get(s3, bucket, key, target, where)
        files.append(target)
    return files


def download_object(s3: Any, uri: str, target: Path, *, where: str) -> Path:
    """Copy the single object ``uri`` to the file ``target``."""
    bucket, key = parse_s3_uri(uri, where)
    _get(s3, bucket, key, target, where)
    return target


def object_exists(s3: Any, uri: str, *, where: str) -> bool:
    """Whether the object ``uri`` exists (a missing bucket is an error)."""
    bucket, key = parse_s3_uri(uri, where)
    try:
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=key, MaxKeys=1)
    except Exception as error:
        raise _client_error(error, "list", uri, where) from error
    return any(item["Key"] == key for item in listed.get("Contents", []))


def _get(s3: Any, bucket: str, key: str, target: Path, where: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        with target.open("wb") as handle:
            shutil.copyfileobj(body, handle, _CHUNK)
    except Exception as error:
        raise _client_error(error, "download", f"s3://{bucket}/{key}", where) from error


def upload_file(
    s3: Any, path: Path, uri: str, *, where: str, extra: dict[str, str] | None = None
) -> str:
    """Upload the file ``path`` to the object ``uri``; return ``uri``."""
    bucket, key = parse_s3_uri(uri, where)
    settings = dict(extra or {})
    try:
        if path.stat().st_size <= _SINGLE_PUT_LIMIT:
            with path.open("rb") as handle:
                s3.put_object(Bucket=bucket, Key=key, Body=handle, **settings)
        else:
            s3.upload_file(str(path), bucket, key, ExtraArgs=settings or None)
    except Exception as error:
        raise _client_error(error, "upload to", uri, where) from error
    return uri


def upload_directory(
    s3: Any, folder: Path, uri: str, *, where: str, extra: dict[str, str] | None = None
) -> list[str]:
    """Upload every file under ``folder`` to ``uri/<relative path>``; return the URIs."""
    base = uri.rstrip("/")
    uploaded = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        uploaded.append(upload_file(s3, path, f"{base}/{relative}", where=where, extra=extra))
    return uploaded


def make_tarball(folder: Path, archive: Path) -> Path:
    """``folder``'s contents as a tar.gz at ``archive`` (members relative, sorted)."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return archive


def extract_tarball(archive: Path, destination: Path, *, where: str) -> None:
    """Unpack ``archive`` into ``destination``, refusing members that would escape it."""
    destination.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(destination, filter="data")
            else:  # pragma: no cover - Python < 3.10.12 without extraction filters
                for member in tar.getmembers():
                    _safe_target(destination, member.name, str(archive), where)
                tar.extractall(destination)
    except (tarfile.TarError, OSError) as error:
        raise LocalRunError(f"{where}: cannot unpack {archive.name}: {error}") from error


def folder_has_files(path: Path) -> bool:
    """Whether ``path`` is a non-empty file, or a folder holding at least one such file."""
    if path.is_file():
        return path.stat().st_size > 0
    if path.is_dir():
        for _root, _dirs, files in os.walk(path):
            if any((Path(_root) / name).is_file() for name in files):
                return True
    return False

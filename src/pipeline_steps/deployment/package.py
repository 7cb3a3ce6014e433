"""The deployment zip: the bundled handler (a file or a package) alone, byte-for-byte
deterministic, so the same handler always has the same ``CodeSha256``."""

from __future__ import annotations

import base64
import hashlib
import io
import stat
import zipfile
from pathlib import Path
from typing import Final

__all__ = [
    "ZIP_COMPRESSION_LEVEL",
    "ZIP_DATE_TIME",
    "ZIP_FILE_MODE",
    "build_deployment_zip",
    "code_sha256_of",
]

ZIP_DATE_TIME: Final = (1980, 1, 1, 0, 0, 0)
"""The fixed timestamp of the single zip entry (the earliest a zip can record)."""
ZIP_FILE_MODE: Final = 0o644
ZIP_COMPRESSION_LEVEL: Final = 9


def _zip_entries(path: Path) -> list[tuple[str, Path]]:
    """(name in the zip, file) pairs: the file alone, or a package's ``.py`` files."""
    if not path.is_dir():
        return [(path.name, path)]
    files = [
        file
        for file in path.rglob("*.py")
        if file.is_file() and "__pycache__" not in file.relative_to(path).parts
    ]
    return sorted((f"{path.name}/{file.relative_to(path).as_posix()}", file) for file in files)


def build_deployment_zip(script: str | Path) -> bytes:
    """Zip ``script`` alone, deterministically: same content, same bytes.

    ``script`` is a file (one entry named after it) or a package folder (its ``.py``
    files under ``<folder name>/``, sorted; nothing else, no ``__pycache__``). Every
    entry is dated 1980-01-01 00:00:00, recorded as a Unix regular file with mode 0644,
    deflated at level 9, with no comment and no extra fields. (Deflate output is fixed
    for a given zlib; every CPython build of the same zlib gives the same bytes.)
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, file in _zip_entries(Path(script)):
            info = zipfile.ZipInfo(filename=name, date_time=ZIP_DATE_TIME)
            info.create_system = 3  # Unix, so external_attr carries the permission bits
            info.external_attr = (stat.S_IFREG | ZIP_FILE_MODE) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes(), compresslevel=ZIP_COMPRESSION_LEVEL)
    return buffer.getvalue()


def code_sha256_of(zip_bytes: bytes) -> str:
    """The ``CodeSha256`` Lambda reports for a zip: base64 of its SHA-256 digest."""
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode("ascii")

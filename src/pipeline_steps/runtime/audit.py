"""The audit hook that records which paths a job's script opens.

The script runs as ``python -c BOOTSTRAP <log> <root> <skip-json> <script> <args...>``.
``BOOTSTRAP`` installs a ``sys.addaudithook`` hook, then runs the script with
``runpy.run_path(script, run_name="__main__")`` after restoring ``sys.argv`` and
``sys.path[0]`` as ``python script.py args...`` would have them (an uncaught
exception's traceback starts at the script's own frames; the exit code is 1, as with
``python``).

The hook watches the ``open``, ``os.listdir``, ``os.scandir``, ``os.mkdir``,
``os.remove``, ``os.rename`` and ``os.rmdir`` events. It writes one JSON line per
distinct (access, path) to the log as it happens (so a crash loses nothing), for paths
under the container root or under a literal ``/opt/ml`` (a script that ignores the
environment and hard-codes container paths), except Python's own installation
(stdlib, site-packages, prefixes), the job's code folders and the runner's own folder.

Only Python-level file access raises audit events: a native library that opens a file
itself (``xgboost.DMatrix("file.csv?format=csv")``) is not seen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BOOTSTRAP", "Access", "bootstrap_command", "read_accesses"]

BOOTSTRAP = r"""
import sys


def _pipeline_steps_audit():
    import json
    import os
    import sysconfig

    log_path, root, skip_json, script = sys.argv[1:5]
    sys.argv[:] = [script, *sys.argv[5:]]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    skip = list(json.loads(skip_json))
    skip += [sysconfig.get_path(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    skip += [sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix]
    skip = tuple(os.path.join(os.path.normpath(path), "") for path in skip if path)
    watched = (os.path.join(root, ""), "/opt/ml/")
    events = {
        "open": "open", "os.listdir": "list", "os.scandir": "list", "os.mkdir": "mkdir",
        "os.remove": "write", "os.rename": "write", "os.rmdir": "write",
    }
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    log = open(log_path, "a", encoding="utf-8", buffering=1)
    seen = set()
    normpath, fspath, fsdecode, getcwd, join = (
        os.path.normpath, os.fspath, os.fsdecode, os.getcwd, os.path.join
    )
    dumps = json.dumps

    def hook(event, args):
        kind = events.get(event)
        if kind is None or not args:
            return
        path = args[0]
        if path is None or isinstance(path, int):
            return
        try:
            path = fsdecode(fspath(path))
        except TypeError:
            return
        path = normpath(path if path.startswith("/") else join(getcwd(), path))
        probe = path + "/"
        if not probe.startswith(watched) or probe.startswith(skip):
            return
        if kind == "open":
            mode = args[1] if len(args) > 1 else None
            flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
            if isinstance(mode, str):
                kind = "write" if any(c in mode for c in "wax+") else "read"
            else:
                kind = "write" if flags & write_flags else "read"
        if (kind, path) in seen:
            return
        seen.add((kind, path))
        log.write(dumps({"access": kind, "path": path}) + "\n")

    sys.addaudithook(hook)
    import runpy
    import traceback

    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as error:
        frames = error.__traceback__
        while frames is not None and frames.tb_frame.f_code.co_filename != script:
            frames = frames.tb_next
        traceback.print_exception(type(error), error, frames or error.__traceback__)
        sys.exit(1)


_pipeline_steps_audit()
"""


@dataclass(frozen=True)
class Access:
    """One kind of access (``read``, ``write``, ``list``, ``mkdir``) to one local path."""

    access: str
    path: str


def bootstrap_command(
    python: str, *, log: Path, root: Path, skip: list[str], script: Path, arguments: list[str]
) -> list[str]:
    """The command that runs ``script`` under the audit hook."""
    return [python, "-c", BOOTSTRAP, str(log), str(root), json.dumps(skip), str(script), *arguments]


def read_accesses(log: Path) -> list[Access]:
    """The accesses the hook recorded, in the order they happened."""
    if not log.is_file():
        return []
    accesses = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        accesses.append(Access(str(item["access"]), str(item["path"])))
    return accesses

"""Run a job's entry point in a subprocess with this Python, under the audit hook."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from pipeline_steps.runtime.audit import Access, bootstrap_command, read_accesses
from pipeline_steps.runtime.code import EntryPoint
from pipeline_steps.runtime.layout import ContainerLayout

__all__ = ["ProcessOutcome", "run_entry_point", "tail"]

STDERR_TAIL_LINES = 20


@dataclass(frozen=True)
class ProcessOutcome:
    """How the script's process ended, and what it touched."""

    exit_code: int
    timed_out: bool
    seconds: float
    stdout: Path
    stderr: Path
    accesses: tuple[Access, ...]


def run_entry_point(
    entry: EntryPoint,
    *,
    layout: ContainerLayout,
    environment: dict[str, str],
    timeout: float | None,
) -> ProcessOutcome:
    """Run ``entry`` with ``environment`` in ``entry.cwd``; wait at most ``timeout`` seconds."""
    logs = layout.runner_dir
    audit_log = logs / "audit.jsonl"
    skip = [str(logs), *(str(layout.local(path)) for path in entry.code_paths), str(entry.cwd)]
    command = bootstrap_command(
        sys.executable,
        log=audit_log,
        root=layout.root,
        skip=skip,
        script=entry.script,
        arguments=list(entry.arguments),
    )
    stdout, stderr = logs / "stdout.log", logs / "stderr.log"
    started = time.perf_counter()
    timed_out = False
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            command,
            cwd=entry.cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        try:
            exit_code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(process)
            exit_code = process.wait()
    return ProcessOutcome(
        exit_code=exit_code,
        timed_out=timed_out,
        seconds=time.perf_counter() - started,
        stdout=stdout,
        stderr=stderr,
        accesses=tuple(read_accesses(audit_log)),
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):  # pragma: no cover
        process.kill()


def tail(path: Path, lines: int = STDERR_TAIL_LINES) -> list[str]:
    """The last ``lines`` lines of a log file (decoded leniently)."""
    if not path.is_file():
        return []
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        return [line.rstrip("\n") for line in deque(handle, maxlen=lines)]

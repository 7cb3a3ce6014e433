"""Where a job's container paths live on this machine: ``/opt/ml/...`` under ``workdir/<step>/``.

Each step gets a fresh folder that stands in for the container's ``/``: the container
path ``/opt/ml/model`` is ``workdir/<step>/opt/ml/model``. The runner's own files (logs,
the audit log, the Lambda event) go to ``workdir/<step>/local-run/``, which no container
path reaches. A step folder is only ever replaced if this runner made it (it holds a
marker file), so pointing ``workdir`` at a folder with other content cannot delete it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline_steps.runtime.errors import LocalRunError

__all__ = ["RUNNER_DIR", "ContainerLayout"]

RUNNER_DIR = "local-run"
"""The folder (inside each step folder) that holds the runner's own files."""

_MARKER = ".pipeline-steps-local-run"


@dataclass(frozen=True)
class ContainerLayout:
    """Maps container paths of one step to folders under ``root``."""

    root: Path

    @classmethod
    def create(cls, workdir: Path, step_name: str) -> ContainerLayout:
        """A fresh, empty layout at ``workdir/<step_name>``."""
        root = workdir / step_name
        if root.exists():
            if not (root / _MARKER).is_file():
                raise LocalRunError(
                    f"{root} exists and was not made by run_pipeline_locally; pass an empty "
                    "workdir (or one a previous local run used)"
                )
            shutil.rmtree(root)
        (root / RUNNER_DIR).mkdir(parents=True)
        (root / _MARKER).write_text("made by pipeline_steps.run_pipeline_locally\n", "utf-8")
        return cls(root)

    @property
    def runner_dir(self) -> Path:
        """Logs, the audit log and other files of the runner itself."""
        return self.root / RUNNER_DIR

    def local(self, container_path: str) -> Path:
        """The local path standing in for the absolute ``container_path``."""
        pure = PurePosixPath(container_path)
        if not pure.is_absolute() or ".." in pure.parts:
            raise LocalRunError(
                f"container path {container_path!r} must be absolute and free of '..'"
            )
        return self.root.joinpath(*pure.parts[1:])

    def container(self, local_path: str) -> str | None:
        """The container path of ``local_path``, or None if it is outside the layout."""
        path = PurePosixPath(local_path)
        try:
            relative = path.relative_to(self.root)
        except ValueError:
            return None
        if relative.parts[:1] == (RUNNER_DIR,):
            return None
        return "/" + relative.as_posix() if relative.parts else "/"

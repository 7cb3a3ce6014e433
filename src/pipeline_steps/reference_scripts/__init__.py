"""Reference container scripts that follow the library's script contracts.

They are uploaded as training and processing code; each reads its hyperparameters
from the JSON file the prep step wrote, at the path its contract names.

The scripts live in ``scripts/``, a folder with no ``__init__.py`` that the library never
imports: it is the jobs' code, uploaded whole as a content-addressed bundle (which leaves
``__pycache__`` and ``*.pyc`` out). Beside the scripts are ``job_io.py``, the helper module
they import as a sibling (``import job_io``: a script's own folder is first on its
``sys.path`` in the container and out of it), and the JSON tables a script and its
hyperparameters model share, which the library reads with :func:`load_data_file`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

REFERENCE_SCRIPTS_DIR: Path = Path(__file__).parent / "scripts"
"""Folder holding ``train_xgb.py``, ``train.py``, ``train_sklearn.py``, ``model_evaluation.py``,
their helper ``job_io.py`` and the data files they read: ``xgboost_parameters.json``
(``XGBoostHyperparameters``), ``pytorch_hyperparameters.json`` (``PyTorchHyperparameters``)
and ``sklearn_estimators.json`` (``SKLearnHyperparameters``)."""

__all__ = ["REFERENCE_SCRIPTS_DIR", "load_data_file", "load_script"]


def load_data_file(name: str) -> Any:
    """The parsed JSON data file ``name`` of the scripts folder (the table a script reads)."""
    return json.loads((REFERENCE_SCRIPTS_DIR / name).read_text(encoding="utf-8"))


def load_script(name: str) -> ModuleType:
    """The reference script ``name`` as a module, for inspection and tests, without running
    its ``main()``.

    It is compiled from source, and its sibling modules (``job_io``) are imported from the
    scripts folder for the duration of the load only: no bytecode is written beside the
    scripts, ``sys.path`` is restored and the siblings leave ``sys.modules`` again (the
    returned module keeps its references to them).
    """
    path = REFERENCE_SCRIPTS_DIR / name
    module = ModuleType(path.stem)
    module.__file__ = str(path)
    before = set(sys.modules)
    saved_path, saved_flag = list(sys.path), sys.dont_write_bytecode
    sys.path.insert(0, str(REFERENCE_SCRIPTS_DIR))
    sys.dont_write_bytecode = True
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    finally:
        sys.path[:] = saved_path
        sys.dont_write_bytecode = saved_flag
        for loaded in set(sys.modules) - before:
            origin = getattr(sys.modules[loaded], "__file__", None) or ""
            if Path(origin).parent == REFERENCE_SCRIPTS_DIR:
                del sys.modules[loaded]
    return module

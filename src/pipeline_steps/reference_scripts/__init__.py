"""Reference container scripts that follow the library's script contracts.

They are uploaded as training and processing code; each reads its hyperparameters
from the JSON file the prep step wrote, at the path its contract names.

The scripts live in ``scripts/``, a folder with no ``__init__.py`` that nothing
imports: the SDK uploads (and content-hashes) the whole ``source_dir``, so a
``__pycache__`` written next to the scripts would ship .pyc files to the container
and change the code URI in the pipeline definition from one machine to the next.
"""

from __future__ import annotations

from pathlib import Path

REFERENCE_SCRIPTS_DIR: Path = Path(__file__).parent / "scripts"
"""Folder holding ``train_xgb.py``, ``train.py``, ``train_sklearn.py``, ``model_evaluation.py``
and the data file ``xgboost_parameters.json`` that ``train_xgb.py`` (and
``XGBoostHyperparameters``) reads."""

__all__ = ["REFERENCE_SCRIPTS_DIR"]

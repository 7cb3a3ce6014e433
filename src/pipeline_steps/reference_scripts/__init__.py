"""Reference container scripts that follow the library's script contracts.

They are uploaded as training and processing code; each reads its hyperparameters
from the JSON file the prep step wrote, at the path its contract names.
"""

from __future__ import annotations

from pathlib import Path

REFERENCE_SCRIPTS_DIR: Path = Path(__file__).parent
"""Folder holding ``train_xgb.py``, ``train.py`` and ``model_evaluation.py``."""

__all__ = ["REFERENCE_SCRIPTS_DIR"]

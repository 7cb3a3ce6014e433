"""The AWS Lambda code bundled with the library.

The package ``hyperparameter_prep/`` is deployed alone and runs as the top-level
package ``hyperparameter_prep``; this module only tells the step builders where it is
and what Lambda's ``Handler`` setting is.
"""

from __future__ import annotations

from pathlib import Path

HYPERPARAMETER_PREP_MODULE = "hyperparameter_prep"
"""The handler's top-level import name inside Lambda (the package folder's name)."""

HYPERPARAMETER_PREP_PACKAGE: Path = Path(__file__).with_name(HYPERPARAMETER_PREP_MODULE)
"""Folder of the bundled handler package (zipped alone, as ``hyperparameter_prep/``)."""

HYPERPARAMETER_PREP_HANDLER = f"{HYPERPARAMETER_PREP_MODULE}.lambda_handler"
"""The Lambda ``Handler`` setting for the bundled function."""

__all__ = [
    "HYPERPARAMETER_PREP_HANDLER",
    "HYPERPARAMETER_PREP_MODULE",
    "HYPERPARAMETER_PREP_PACKAGE",
]

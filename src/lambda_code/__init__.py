"""The AWS Lambda code bundled with the library.

``hyperparameter_prep.py`` is deployed alone and runs as the top-level module
``hyperparameter_prep``; this package only tells the step builders where it is.
"""

from __future__ import annotations

from pathlib import Path

HYPERPARAMETER_PREP_SCRIPT: Path = Path(__file__).with_name("hyperparameter_prep.py")
"""Path of the bundled handler source file."""

HYPERPARAMETER_PREP_HANDLER = "hyperparameter_prep.lambda_handler"
"""The Lambda ``Handler`` setting for the bundled function."""

__all__ = ["HYPERPARAMETER_PREP_HANDLER", "HYPERPARAMETER_PREP_SCRIPT"]

"""``python -m pipeline_steps``: the same as the ``pipeline-steps`` command."""

from __future__ import annotations

import sys

from pipeline_steps.tools.cli import main

sys.exit(main())

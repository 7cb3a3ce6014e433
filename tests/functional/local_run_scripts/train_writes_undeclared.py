"""Fixture training script that also writes a file outside its contract (/opt/ml/output/extra)."""

from __future__ import annotations

import os
from pathlib import Path

from train_minimal import main

if __name__ == "__main__":
    main()
    extra = Path(os.environ["SM_OUTPUT_DIR"]) / "extra"
    extra.mkdir(parents=True, exist_ok=True)
    (extra / "notes.txt").write_text("not declared anywhere\n")

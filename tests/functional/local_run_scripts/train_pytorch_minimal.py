"""Fixture PyTorch-contract training script (standard library only) that keeps checkpoints.

SageMaker sets no variable for /opt/ml/checkpoints; the toolkit's SAGEMAKER_BASE_DIR (the
local stand-in for /opt/ml) locates it outside a container.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from train_minimal import main

CHECKPOINTS = Path(os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml")) / "checkpoints"

if __name__ == "__main__":
    resumed = sorted(p.name for p in CHECKPOINTS.glob("*.json"))
    main()
    CHECKPOINTS.mkdir(parents=True, exist_ok=True)
    epoch = len(resumed)
    (CHECKPOINTS / f"epoch-{epoch}.json").write_text(json.dumps({"resumed": resumed}))

"""Fixture training script that fails the way a real one does: stderr lines, then exit 3."""

from __future__ import annotations

import sys

if __name__ == "__main__":
    print("loading data", file=sys.stderr)
    print("ValueError: the label column holds 'yes'", file=sys.stderr)
    sys.exit(3)

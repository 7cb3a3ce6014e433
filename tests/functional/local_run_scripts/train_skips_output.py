"""Fixture training script that writes the model but skips its declared evaluation output."""

from __future__ import annotations

from train_minimal import train

if __name__ == "__main__":
    train()

"""Deploying the bundled Lambda: its rules, errors, deterministic package and reconciler."""

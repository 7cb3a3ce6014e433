"""The README shows a hyperparameters file for every framework, generated from its model,
and says, in the same words as --help, what prepare and definition each accept."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline_steps.frameworks import FRAMEWORKS
from pipeline_steps.tools.cli import DEFINITION_CHECKS, PREPARE_CHECKS

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = re.compile(r"<!-- hyperparameters-file: ([a-z0-9_]+) -->")


def expected_block(name: str) -> str:
    """The README block for ``name``: its model's defaults as JSON, then its optional fields."""
    model = FRAMEWORKS[name].hyperparameters
    defaults = model().to_hyperparameters()
    optional = [field for field in model.model_fields if field not in defaults]
    block = [
        f"<!-- hyperparameters-file: {name} -->",
        f"`{name}` ({model.__name__}, every field at its default):",
        "",
        "```json",
        json.dumps(defaults, indent=2),
        "```",
    ]
    if optional:
        block += ["", f"Optional, unset by default: {', '.join(f'`{f}`' for f in optional)}."]
    return "\n".join(block) + "\n"


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_readme_shows_each_frameworks_hyperparameters_file(name: str) -> None:
    """GIVEN a framework of the registry
    WHEN the README is read
    THEN it holds the block generated from the framework's model (paste the block from
    this failure's message to update it)."""
    block = expected_block(name)
    assert block in README.read_text(encoding="utf-8"), f"README lacks, or has stale:\n{block}"


def test_readme_has_no_block_for_a_framework_the_registry_lacks() -> None:
    """GIVEN the README's hyperparameters-file blocks WHEN listed THEN they are the registry's."""
    assert MARKER.findall(README.read_text(encoding="utf-8")) == list(FRAMEWORKS)


def test_readme_says_what_prepare_and_definition_accept_as_help_does() -> None:
    """GIVEN the one-line rules --help prints for prepare and definition
    WHEN the README is read
    THEN it states both, word for word."""
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert " ".join(PREPARE_CHECKS.split()) in text
    assert " ".join(DEFINITION_CHECKS.split()) in text

"""What each step made by a builder reads: its resolved inputs, by logical name.

``JobStepBuilder.create_step`` records them so ``pipeline_steps.describe`` can say
which output feeds which input without rendering the definition (which would deploy
the Lambda and upload code).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["inputs_of", "record_inputs"]

_INPUTS: weakref.WeakKeyDictionary[Any, Mapping[str, Any]] = weakref.WeakKeyDictionary()


def record_inputs(step: Any, resolved: Mapping[str, Any]) -> None:
    """Remember the values ``step``'s contract inputs were resolved to."""
    _INPUTS[step] = MappingProxyType(dict(resolved))


def inputs_of(step: Any) -> Mapping[str, Any]:
    """The recorded inputs of ``step``; empty for a step no builder recorded."""
    try:
        return _INPUTS.get(step, MappingProxyType({}))
    except TypeError:  # not weak-referenceable: not one of ours
        return MappingProxyType({})

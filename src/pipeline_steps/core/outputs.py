"""A step's outputs by logical name, and which builder made which step.

Builders register every step they make here: its outputs keyed by the contract's
logical names (``StepOutputs``) and its contract. Other builders read them to
wire inputs; the local runner reads the contract to enforce it at run time.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline_script_contracts import ScriptContract
from pipeline_steps.core.errors import StepBuilderError, UnknownOutputError

__all__ = ["StepOutputs", "contract_of", "offered_outputs", "outputs_of", "register_step"]


class StepOutputs(Mapping[str, Any]):
    """A read-only view of one step's outputs, keyed by contract logical name."""

    def __init__(self, step_name: str, references: Mapping[str, Any]) -> None:
        self._step_name = step_name
        self._references = dict(references)

    @property
    def step_name(self) -> str:
        """The name of the step these outputs belong to."""
        return self._step_name

    def __getitem__(self, name: str) -> Any:
        try:
            return self._references[name]
        except KeyError:
            valid = ", ".join(self._references) or "(none)"
            raise UnknownOutputError(
                f"unknown output {name!r} of step {self._step_name!r}; valid outputs: {valid}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._references)

    def __len__(self) -> int:
        return len(self._references)

    def __repr__(self) -> str:
        return f"StepOutputs(step={self._step_name!r}, names={list(self._references)!r})"


@dataclass(frozen=True)
class _Registration:
    outputs: StepOutputs
    contract: ScriptContract


_REGISTRY: weakref.WeakKeyDictionary[Any, _Registration] = weakref.WeakKeyDictionary()


def register_step(
    step: Any, contract: ScriptContract, references: Mapping[str, Any]
) -> StepOutputs:
    """Record that ``step`` follows ``contract`` and offers ``references`` by logical name.

    The references must name exactly the contract's outputs, in its order.
    """
    expected = contract.output_names
    if tuple(references) != tuple(expected):
        raise StepBuilderError(
            f"step {step.name!r} registered outputs {list(references)} but its contract "
            f"{contract.name!r} declares {list(expected)}"
        )
    outputs = StepOutputs(step.name, references)
    _REGISTRY[step] = _Registration(outputs, contract)
    return outputs


def _registration(step: Any) -> _Registration | None:
    try:
        return _REGISTRY.get(step)
    except TypeError:  # not weak-referenceable: not one of ours
        return None


def outputs_of(step: Any) -> StepOutputs:
    """The outputs of a step made by one of this library's builders."""
    registration = _registration(step)
    if registration is None:
        name = getattr(step, "name", repr(step))
        raise StepBuilderError(
            f"step {name!r} was not made by a pipeline_steps builder, so its outputs have no "
            "logical names; pass the values you need explicitly with inputs={...}"
        )
    return registration.outputs


def contract_of(step: Any) -> ScriptContract | None:
    """The contract of a step made by one of this library's builders, else None."""
    registration = _registration(step)
    return None if registration is None else registration.contract


def offered_outputs(step: Any) -> Mapping[str, Any]:
    """What ``step`` offers to the steps that depend on it (nothing for foreign steps)."""
    registration = _registration(step)
    return {} if registration is None else registration.outputs

"""Wiring a step's inputs: explicit values, then exact logical names, then declared sources.

For each input of the consuming contract, in order:

1. an explicit ``inputs={name: value}`` entry wins;
2. otherwise an output of the **same** logical name offered by exactly one dependency;
3. otherwise an output whose name the contract declares the input accepts
   (``accepted_outputs``, e.g. ``model_input`` accepts ``model_output``), offered by
   exactly one dependency.

Two candidates at the same level are an error naming both; there is no fuzzy
matching. A required input left without a value is an error that says what each
dependency offers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pipeline_script_contracts import ScriptContract
from pipeline_steps.core.errors import DependencyResolutionError
from pipeline_steps.core.outputs import offered_outputs
from pipeline_steps.sdk import PipelineVariable

__all__ = ["dependency_steps", "resolve_inputs"]


def _check_input_value(step_name: str, name: str, value: Any) -> None:
    if isinstance(value, PipelineVariable):
        return
    if not isinstance(value, str):
        raise DependencyResolutionError(
            f"input {name!r} of step {step_name!r} is {value!r} ({type(value).__name__}); "
            "an input must be an s3:// URI string or a pipeline variable"
        )
    if not value.startswith("s3://") or len(value) <= len("s3://") or value[5] == "/":
        raise DependencyResolutionError(
            f"input {name!r} of step {step_name!r} is {value!r}; "
            "an input URI must look like s3://bucket/prefix"
        )


def _describe_offers(offered: list[tuple[str, Mapping[str, Any]]]) -> str:
    if not offered:
        return "no dependencies were given"
    return "; ".join(
        f"{dep_name!r} offers {', '.join(outs) if outs else 'nothing'}"
        for dep_name, outs in offered
    )


def resolve_inputs(
    contract: ScriptContract,
    step_name: str,
    dependencies: Iterable[Any] = (),
    inputs: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Match each input of ``contract`` to an explicit value or to one dependency's output."""
    valid = contract.input_names
    explicit = dict(inputs or {})
    for key, value in explicit.items():
        if key not in valid:
            raise DependencyResolutionError(
                f"unknown input {key!r} for step {step_name!r}; valid inputs: "
                f"{', '.join(valid) or '(none)'}"
            )
        _check_input_value(step_name, key, value)
    offered = [(getattr(dep, "name", repr(dep)), offered_outputs(dep)) for dep in dependencies]
    resolved: dict[str, Any] = {}
    for logical in valid:
        if logical in explicit:
            resolved[logical] = explicit[logical]
            continue
        for source in contract.sources_for(logical):
            candidates = [(dep, outs[source]) for dep, outs in offered if source in outs]
            if len(candidates) > 1:
                raise DependencyResolutionError(
                    f"ambiguous input {logical!r} for step {step_name!r}: output {source!r} is "
                    f"offered by {', '.join(repr(dep) for dep, _ in candidates)}; pass "
                    f"inputs={{{logical!r}: ...}} to choose one"
                )
            if candidates:
                resolved[logical] = candidates[0][1]
                break
        else:
            if logical not in contract.optional_input_names:
                accepted = " or ".join(repr(s) for s in contract.sources_for(logical))
                raise DependencyResolutionError(
                    f"missing required input {logical!r} for step {step_name!r}: no dependency "
                    f"offers {accepted} ({_describe_offers(offered)}); pass "
                    f"inputs={{{logical!r}: 's3://...'}} or add the step that produces it to "
                    "dependencies"
                )
    return resolved


def dependency_steps(
    dependencies: Iterable[Any],
    resolved: Mapping[str, Any],
    depends_on: Iterable[Any] | None = None,
) -> list[Any] | None:
    """``depends_on`` plus every dependency none of whose outputs feeds ``resolved``.

    A dependency whose output is consumed is already ordered by that property
    reference; one that feeds nothing still runs first because the caller named it.
    """
    used = {id(value) for value in resolved.values()}
    ordered = list(depends_on or ())
    for dependency in dependencies:
        feeds = any(id(ref) in used for ref in offered_outputs(dependency).values())
        if not feeds and not any(dependency is known for known in ordered):
            ordered.append(dependency)
    return ordered or None

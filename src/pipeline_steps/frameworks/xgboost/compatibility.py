"""Check hyperparameters against the XGBoost an image runs (names, values, rules).

The typed model checks against the default image; a builder set to another
``framework_version`` calls :func:`framework_version_problems` with the document the
prep step carries, so a 1.7-1 training step refuses ``quantile_alpha`` or
``device`` (XGBoost 2.0 names) at build time instead of failing in the container.

A hyperparameters document may be a dict stored exactly as given: names that are
not XGBoost's are left to ``train_xgb.py`` (which refuses them at start-up, and a
custom script may accept them); values of an unexpected type are treated as known
only at run time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from lambda_code.hyperparameter_prep import EVENT_HYPERPARAMETERS, OVERRIDE_PREFIX
from pipeline_script_contracts import HYPERPARAMETER_PREP_CONTRACT
from pipeline_steps.core.errors import StepBuilderError
from pipeline_steps.core.outputs import outputs_of
from pipeline_steps.frameworks.xgboost.metrics import parse_metric
from pipeline_steps.frameworks.xgboost.parameter_space import ImageSpec, parameter_space
from pipeline_steps.frameworks.xgboost.rules import UNKNOWN, check_rules
from pipeline_steps.sdk import Parameter

__all__ = [
    "check_prepared_hyperparameters",
    "framework_version_problems",
    "prepared_hyperparameters",
    "resolve_values",
    "version_problems",
]


def _known_before_run(value: Any) -> Any:
    if isinstance(value, Parameter):
        return UNKNOWN if value.default_value is None else value.default_value
    if isinstance(value, list):
        return [_known_before_run(item) for item in value]
    return value


def resolve_values(
    document: Mapping[str, Any], overrides: Mapping[str, Parameter] | None = None
) -> dict[str, Any]:
    """XGBoost's names in ``document`` under their stored names, parameters resolved.

    A value (or list item) replaced at run time by an override holds the override's
    default, or ``UNKNOWN`` without one. Names XGBoost does not know are dropped.
    """
    space = parameter_space()
    values: dict[str, Any] = {}
    for key, value in document.items():
        stored = space.stored_name(key)
        if stored is None or stored in values:
            continue
        resolved = _known_before_run(value)
        for path, parameter in (overrides or {}).items():
            head, _, index = path.partition(".")
            if head != key:
                continue
            replacement = _known_before_run(parameter)
            if not index:
                resolved = replacement
            elif isinstance(resolved, list) and index.isdigit() and int(index) < len(resolved):
                resolved[int(index)] = replacement
        values[stored] = resolved
    return values


def _values_too_new(values: Mapping[str, Any], image: ImageSpec) -> Iterator[tuple[str, str]]:
    space = parameter_space()
    for name, value in values.items():
        spec = space.parameters[name]
        if not image.has(spec.since):
            yield f"{name} (XGBoost {spec.since})", name
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and not image.has(spec.value_since.get(item)):
                yield f"{name}={item!r} (XGBoost {spec.value_since[item]})", name
        if name == "eval_metric":
            for item in value if isinstance(value, list) else [value]:
                try:
                    metric = parse_metric(item).spec if isinstance(item, str) else None
                except ValueError:
                    continue
                if metric is not None and not image.has(metric.since):
                    yield f"eval_metric {item!r} (XGBoost {metric.since})", name


def version_problems(values: Mapping[str, Any], framework_version: str) -> list[str]:
    """What ``framework_version``'s XGBoost lacks or refuses in ``values`` (stored names)."""
    space = parameter_space()
    image = space.image(framework_version)
    missing = list(_values_too_new(values, image))
    problems = []
    if missing:
        problems.append(
            f"framework_version {framework_version} runs XGBoost {image.xgboost}, which lacks "
            f"{', '.join(text for text, _ in missing)}; remove "
            f"{', '.join(dict.fromkeys(name for _, name in missing))} or use framework_version "
            f"{space.default_framework_version} (XGBoost {space.default_image.xgboost})"
        )
    too_new = {name for _, name in missing}
    kept = {name: value for name, value in values.items() if name not in too_new}
    return problems + [message for _, message in check_rules(kept, image)]


def framework_version_problems(
    document: Mapping[str, Any],
    framework_version: str,
    overrides: Mapping[str, Parameter] | None = None,
) -> list[str]:
    """:func:`version_problems` of a stored document (aliases mapped, parameters resolved)."""
    return version_problems(resolve_values(document, overrides), framework_version)


def _feeds(step: Any, reference: Any) -> bool:
    try:
        return any(output is reference for output in outputs_of(step).values())
    except StepBuilderError:
        return False


def prepared_hyperparameters(
    steps: Iterable[Any], reference: Any
) -> Iterator[tuple[str, dict[str, Any], dict[str, Parameter]]]:
    """``(step name, document, overrides)`` of the prep step whose output is ``reference``.

    ``reference`` is the value a consumer resolved for ``hyperparameters_s3_uri``. A
    prep step is a LambdaStep whose arguments carry the hyperparameters as JSON text
    and each pipeline parameter as an ``override.<path>`` argument.
    """
    for step in steps:
        if not _feeds(step, reference):
            continue
        arguments = getattr(step, "inputs", None)
        if not isinstance(arguments, Mapping):
            continue
        text = arguments.get(EVENT_HYPERPARAMETERS)
        if not isinstance(text, str):
            continue
        try:
            document = json.loads(text)
        except ValueError:
            continue
        if not isinstance(document, dict):
            continue
        overrides = {
            key[len(OVERRIDE_PREFIX) :]: value
            for key, value in arguments.items()
            if key.startswith(OVERRIDE_PREFIX) and isinstance(value, Parameter)
        }
        yield getattr(step, "name", repr(step)), document, overrides


def check_prepared_hyperparameters(
    dependencies: Iterable[Any],
    resolved: Mapping[str, Any],
    framework_version: str,
    step_name: str,
) -> None:
    """Raise StepBuilderError if the prep step feeding ``resolved`` holds what the image lacks.

    An explicit ``hyperparameters_s3_uri`` (an S3 URI) cannot be read at build time and
    is not checked.
    """
    reference = resolved.get(HYPERPARAMETER_PREP_CONTRACT.output_names[0])
    if reference is None:
        return
    for prep_name, document, overrides in prepared_hyperparameters(dependencies, reference):
        problems = framework_version_problems(document, framework_version, overrides)
        if problems:
            raise StepBuilderError(
                f"step {step_name!r} (XGBoost framework_version {framework_version}) cannot use "
                f"the hyperparameters of step {prep_name!r}: {'; '.join(problems)}"
            )

"""``ScriptContract``: what a pipeline script expects of its container, validated on creation.

A contract names the script's inputs and outputs by *logical name* (the glue between
steps) and maps each to the absolute path the script reads or writes inside its
container. Construction checks every field and raises ``ContractError`` naming the
contract, the field, the offending value and the rule that was broken.

Rules beyond the obvious ones, decided here:

- Paths use only the POSIX portable file-name characters (letters, digits, ``.``,
  ``_``, ``-``) in each segment, so they are safe in shells, URIs and rendered tables.
- Paths must be distinct, and no path may lie inside another path of the same
  contract: SageMaker would mount or upload one inside the other.
- A lambda contract declares no input paths: a LambdaStep receives its inputs as
  arguments, not as container paths. Its outputs are virtual, under
  ``/opt/ml/processing/output/``. Its entry point stem must be a Python identifier,
  because Lambda imports it as a module.
- Training inputs each need their own channel (the path segment after
  ``/opt/ml/input/data/``); the channel must be a valid SageMaker channel name.
- Outputs carry a type (:class:`OutputType`): training and processing outputs are
  S3 URIs; a lambda contract's outputs are LambdaStep output parameters of any type.
- An input may accept outputs of other names (``accepted_outputs``): the evaluation
  script's ``model_input`` accepts a training step's ``model_output``. Builders
  resolve an input by its own name first, then by these declared names, never by
  similarity.
- A framework requirement's specifier is either empty (any version) or
  comma-separated clauses such as ``>=1.7`` or ``==2.0.*``; this is a light PEP 440
  check, not a full parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType

from pipeline_script_contracts.checks import Checker, channel_of
from pipeline_script_contracts.kinds import ContainerType, ContractError, OutputType

# typing costs ~2 ms to import and is only needed by type checkers here; mypy treats
# any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from os import PathLike
    from typing import Any

    from pipeline_script_contracts.implementation_check import ImplementationFinding


_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, init=False, repr=False)
class ScriptContract:
    """What a pipeline script expects of its container: paths, env vars and requirements.

    Construct it with keyword arguments; lists and dicts are accepted and stored as
    tuples and read-only mappings (copies, so later changes to the caller's objects
    do not leak in). ``name`` defaults to the entry point's stem.
    """

    name: str
    entry_point: str
    description: str
    container_type: ContainerType
    expected_input_paths: Mapping[str, str]
    expected_output_paths: Mapping[str, str]
    optional_input_names: tuple[str, ...]
    required_env_vars: tuple[str, ...]
    optional_env_vars: Mapping[str, str]
    framework_requirements: Mapping[str, str]
    output_types: Mapping[str, OutputType]
    accepted_outputs: Mapping[str, tuple[str, ...]]

    def __init__(
        self,
        *,
        entry_point: str,
        description: str,
        container_type: ContainerType | str,
        expected_input_paths: Mapping[str, str] = _EMPTY,
        expected_output_paths: Mapping[str, str] = _EMPTY,
        optional_input_names: Iterable[str] = (),
        required_env_vars: Iterable[str] = (),
        optional_env_vars: Mapping[str, str] = _EMPTY,
        framework_requirements: Mapping[str, str] = _EMPTY,
        output_types: Mapping[str, OutputType | str] = _EMPTY,
        accepted_outputs: Mapping[str, Iterable[str]] = _EMPTY,
        name: str = "",
    ) -> None:
        check = Checker(name if isinstance(name, str) and name else entry_point)
        entry_point = check.entry_point(entry_point)
        stem = entry_point[: -len(".py")]
        check.label = name = check.name(name, stem)
        kind = check.container_type(container_type)
        if kind is ContainerType.LAMBDA and not stem.isidentifier():
            check.fail(
                f"entry_point = {entry_point!r}",
                "a lambda entry point's stem must be a Python identifier "
                "(Lambda imports it as a module)",
            )
        inputs = check.paths("expected_input_paths", expected_input_paths, kind, is_input=True)
        outputs = check.paths("expected_output_paths", expected_output_paths, kind, is_input=False)
        check.names_unique_across(inputs, outputs)
        check.paths_distinct_and_disjoint(inputs, outputs)
        if kind is ContainerType.TRAINING:
            check.training_channels(inputs)
        required_env = check.required_env_vars(required_env_vars)
        values: dict[str, Any] = {
            "name": name,
            "entry_point": entry_point,
            "description": check.description(description),
            "container_type": kind,
            "expected_input_paths": MappingProxyType(inputs),
            "expected_output_paths": MappingProxyType(outputs),
            "optional_input_names": check.optional_input_names(optional_input_names, inputs),
            "required_env_vars": required_env,
            "optional_env_vars": MappingProxyType(
                check.optional_env_vars(optional_env_vars, required_env)
            ),
            "framework_requirements": MappingProxyType(
                check.framework_requirements(framework_requirements)
            ),
            "output_types": MappingProxyType(check.output_types(output_types, outputs, kind)),
            "accepted_outputs": MappingProxyType(check.accepted_outputs(accepted_outputs, inputs)),
        }
        for field_name in _FIELD_NAMES:
            object.__setattr__(self, field_name, values[field_name])

    @property
    def input_names(self) -> tuple[str, ...]:
        """Logical names of the inputs, in declaration order."""
        return tuple(self.expected_input_paths)

    @property
    def output_names(self) -> tuple[str, ...]:
        """Logical names of the outputs, in declaration order."""
        return tuple(self.expected_output_paths)

    @property
    def required_input_names(self) -> tuple[str, ...]:
        """Logical names of the inputs the script cannot run without, in declaration order."""
        return tuple(n for n in self.expected_input_paths if n not in self.optional_input_names)

    def channel_name(self, logical_name: str) -> str:
        """The SageMaker training channel that feeds the input ``logical_name``."""
        if self.container_type is not ContainerType.TRAINING:
            raise ContractError(
                f"contract {self.name!r}: channel_name({logical_name!r}): channels exist only "
                f"for training contracts, this one is {self.container_type.value}"
            )
        try:
            path = self.expected_input_paths[logical_name]
        except KeyError:
            raise KeyError(
                f"contract {self.name!r} has no input {logical_name!r}; "
                f"inputs: {', '.join(self.input_names)}"
            ) from None
        return channel_of(path)

    def sources_for(self, logical_name: str) -> tuple[str, ...]:
        """The output names that may feed input ``logical_name``: its own name first."""
        if logical_name not in self.expected_input_paths:
            raise KeyError(
                f"contract {self.name!r} has no input {logical_name!r}; "
                f"inputs: {', '.join(self.input_names) or '(none)'}"
            )
        return (logical_name, *self.accepted_outputs.get(logical_name, ()))

    def validate_implementation(
        self, path: str | PathLike[str], *, strict: bool = False
    ) -> list[ImplementationFinding]:
        """Statically check the script at ``path`` against this contract (never runs it).

        Returns the findings (empty when the script's literal paths and environment
        variables match); ``strict=True`` raises ``ContractError`` instead. The rules are
        in ``pipeline_script_contracts.implementation_check``.
        """
        from pipeline_script_contracts.implementation_check import check_implementation

        return check_implementation(self, path, strict=strict)

    def to_dict(self) -> dict[str, Any]:
        """The contract as plain JSON-ready dicts, lists and strings (``from_dict`` reverses it)."""
        return {
            "name": self.name,
            "entry_point": self.entry_point,
            "description": self.description,
            "container_type": self.container_type.value,
            "expected_input_paths": dict(self.expected_input_paths),
            "expected_output_paths": dict(self.expected_output_paths),
            "optional_input_names": list(self.optional_input_names),
            "required_env_vars": list(self.required_env_vars),
            "optional_env_vars": dict(self.optional_env_vars),
            "framework_requirements": dict(self.framework_requirements),
            "output_types": {name: kind.value for name, kind in self.output_types.items()},
            "accepted_outputs": {
                name: list(names) for name, names in self.accepted_outputs.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScriptContract:
        """Build a contract from ``to_dict()`` output (for example after a JSON round trip)."""
        if not isinstance(data, Mapping):
            raise ContractError(f"from_dict: expected a mapping, got {type(data).__name__}")
        unknown = sorted(str(k) for k in data if k not in _FIELD_NAMES)
        if unknown:
            raise ContractError(
                f"from_dict: unknown keys {', '.join(unknown)}; "
                f"allowed keys: {', '.join(_FIELD_NAMES)}"
            )
        missing = [k for k in ("entry_point", "description", "container_type") if k not in data]
        if missing:
            raise ContractError(f"from_dict: missing required keys {', '.join(missing)}")
        return cls(**data)

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                self.entry_point,
                self.description,
                self.container_type,
                frozenset(self.expected_input_paths.items()),
                frozenset(self.expected_output_paths.items()),
                self.optional_input_names,
                self.required_env_vars,
                frozenset(self.optional_env_vars.items()),
                frozenset(self.framework_requirements.items()),
                frozenset(self.output_types.items()),
                frozenset(self.accepted_outputs.items()),
            )
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self).from_dict, (self.to_dict(),))

    def __repr__(self) -> str:
        shown = {f: getattr(self, f) for f in _FIELD_NAMES}
        shown["container_type"] = self.container_type.value
        shown["output_types"] = {n: t.value for n, t in self.output_types.items()}
        arguments = ", ".join(
            f"{key}={dict(value) if isinstance(value, Mapping) else value!r}"
            for key, value in shown.items()
        )
        return f"{type(self).__name__}({arguments})"

    # The views are imported on first use to keep the package import light.
    def __str__(self) -> str:
        from pipeline_script_contracts.rendering import render_text

        return render_text(self)

    def _repr_markdown_(self) -> str:
        from pipeline_script_contracts.rendering import render_markdown

        return render_markdown(self)

    def _repr_html_(self) -> str:
        from pipeline_script_contracts.rendering import render_html

        return render_html(self)


_FIELD_NAMES = tuple(f.name for f in fields(ScriptContract))

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
- A framework requirement's specifier is either empty (any version) or
  comma-separated clauses such as ``>=1.7`` or ``==2.0.*``; this is a light PEP 440
  check, not a full parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from enum import Enum
from types import MappingProxyType

# typing costs ~2 ms to import and is only needed by type checkers here; mypy treats
# any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from os import PathLike
    from typing import Any, NoReturn

    from pipeline_script_contracts.implementation_check import ImplementationFinding


class ContainerType(str, Enum):
    """The kind of SageMaker container a script runs in."""

    LAMBDA = "lambda"
    PROCESSING = "processing"
    TRAINING = "training"

    def __str__(self) -> str:
        return self.value


class ContractError(ValueError):
    """A script contract is invalid, or was asked something it cannot answer."""


_EMPTY: Mapping[str, str] = MappingProxyType({})

_ENTRY_POINT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.py")
_SNAKE_CASE = re.compile(r"[a-z][a-z0-9_]*")
_PATH_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")
_CHANNEL = re.compile(r"[A-Za-z0-9.\-_]{1,64}")
_ENV_VAR = re.compile(r"[A-Z_][A-Z0-9_]*")
_PACKAGE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
_SPECIFIER_CLAUSE = re.compile(r"\s*(~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9*][A-Za-z0-9.*+!_-]*\s*")

_TRAINING_INPUT_ROOT = "/opt/ml/input/data"
_TRAINING_OUTPUT_ROOTS = ("/opt/ml/model", "/opt/ml/output/data", "/opt/ml/checkpoints")
_PROCESSING_INPUT_ROOT = "/opt/ml/processing/input"
_PROCESSING_OUTPUT_ROOT = "/opt/ml/processing/output"

_RULE_SNAKE_CASE = "must be a snake_case identifier matching ^[a-z][a-z0-9_]*$"
_RULE_ENV_VAR = "environment variable names must match ^[A-Z_][A-Z0-9_]*$"


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
        name: str = "",
    ) -> None:
        check = _Checker(name if isinstance(name, str) and name else entry_point)
        entry_point = check.entry_point(entry_point)
        stem = entry_point[: -len(".py")]
        check.label = name = check.name(name, stem)
        kind = check.container_type(container_type)
        if kind is ContainerType.LAMBDA and not stem.isidentifier():
            check.fail(
                _is("entry_point", entry_point),
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
        return _channel_of(path)

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
            )
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self).from_dict, (self.to_dict(),))

    def __repr__(self) -> str:
        shown = {f: getattr(self, f) for f in _FIELD_NAMES}
        shown["container_type"] = self.container_type.value
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


def _is(field: str, value: object) -> str:
    return f"{field} = {value!r}"


def _key(field: str, key: object) -> str:
    return f"{field} key {key!r}"


def _under(path: str, root: str) -> bool:
    return path.startswith(root + "/")


def _at_or_under(path: str, root: str) -> bool:
    return path == root or _under(path, root)


def _channel_of(training_input_path: str) -> str:
    return training_input_path[len(_TRAINING_INPUT_ROOT) + 1 :].split("/", 1)[0]


class _Checker:
    """Validates and normalises constructor arguments for one contract."""

    def __init__(self, label: object) -> None:
        self.label = label

    def fail(self, subject: str, rule: str) -> NoReturn:
        raise ContractError(f"contract {str(self.label)!r}: {subject}: {rule}")

    def entry_point(self, value: object) -> str:
        if not isinstance(value, str):
            self.fail(_is("entry_point", value), "the entry point must be a string")
        if "/" in value or "\\" in value:
            self.fail(
                _is("entry_point", value),
                "the entry point must be a bare .py file name, without directories",
            )
        if not _ENTRY_POINT.fullmatch(value):
            self.fail(
                _is("entry_point", value),
                "the entry point must be a bare .py file name with a non-empty stem of "
                "letters, digits, '_', '.' or '-' (for example 'train.py')",
            )
        return value

    def name(self, value: object, stem: str) -> str:
        if not isinstance(value, str):
            self.fail(_is("name", value), "the name must be a string")
        if not value:
            if not _SNAKE_CASE.fullmatch(stem):
                self.fail(
                    _is("name", stem),
                    f"the name (defaulted from the entry point stem) {_RULE_SNAKE_CASE}; "
                    "pass name= explicitly",
                )
            return stem
        if not _SNAKE_CASE.fullmatch(value):
            self.fail(_is("name", value), f"the name {_RULE_SNAKE_CASE}")
        return value

    def description(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(_is("description", value), "the description must be a non-empty string")
        return value

    def container_type(self, value: object) -> ContainerType:
        if isinstance(value, ContainerType):
            return value
        if isinstance(value, str):
            for member in ContainerType:
                if value.strip().lower() in (member.value, member.name.lower()):
                    return member
        self.fail(
            _is("container_type", value),
            "the container type must be a ContainerType or one of "
            + ", ".join(repr(m.value) for m in ContainerType),
        )

    def mapping(self, field: str, value: object, what: str) -> dict[str, str]:
        if not isinstance(value, Mapping):
            self.fail(_is(field, value), f"{field} must be a mapping of {what}")
        copied: dict[str, str] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                self.fail(_key(field, key), "keys must be strings")
            copied[key] = item
        return copied

    def string_tuple(self, field: str, value: object) -> tuple[str, ...]:
        if isinstance(value, str) or not isinstance(value, Iterable):
            self.fail(_is(field, value), f"{field} must be a sequence of strings")
        items = tuple(value)
        for index, item in enumerate(items):
            if not isinstance(item, str):
                self.fail(_is(f"{field}[{index}]", item), "items must be strings")
        return items

    def paths(
        self, field: str, value: object, kind: ContainerType, *, is_input: bool
    ) -> dict[str, str]:
        paths = self.mapping(field, value, "logical name to absolute container path")
        if is_input and kind is ContainerType.LAMBDA and paths:
            self.fail(
                _is(field, paths),
                "lambda contracts take no input paths: a LambdaStep receives its inputs "
                "as arguments, not as container paths",
            )
        for logical_name, path in paths.items():
            if not _SNAKE_CASE.fullmatch(logical_name):
                self.fail(_key(field, logical_name), f"a logical name {_RULE_SNAKE_CASE}")
            self.path(f"{field}[{logical_name!r}]", path, kind, is_input=is_input)
        return paths

    def path(self, field: str, path: object, kind: ContainerType, *, is_input: bool) -> None:
        subject = _is(field, path)
        if not isinstance(path, str):
            self.fail(subject, "paths must be strings")
        if not path.startswith("/"):
            self.fail(subject, "paths must be absolute")
        if path.endswith("/"):
            self.fail(subject, "paths must be normalised: no trailing '/'")
        segments = path[1:].split("/")
        if "" in segments:
            self.fail(subject, "paths must be normalised: no empty segments ('//')")
        if "." in segments or ".." in segments:
            self.fail(subject, "paths must be normalised: no '.' or '..' segments")
        if not all(_PATH_SEGMENT.fullmatch(s) for s in segments):
            self.fail(subject, "path segments may only use letters, digits, '.', '_' and '-'")
        if kind is ContainerType.TRAINING and is_input:
            if not _under(path, _TRAINING_INPUT_ROOT):
                self.fail(subject, "training inputs must live under /opt/ml/input/data/<channel>/")
        elif kind is ContainerType.TRAINING:
            if not any(_at_or_under(path, root) for root in _TRAINING_OUTPUT_ROOTS):
                self.fail(
                    subject,
                    "training outputs must be /opt/ml/model, /opt/ml/output/data or "
                    "/opt/ml/checkpoints, or live under one of them",
                )
        elif kind is ContainerType.PROCESSING and is_input:
            if not _under(path, _PROCESSING_INPUT_ROOT):
                self.fail(subject, "processing inputs must live under /opt/ml/processing/input/")
        elif kind is ContainerType.PROCESSING:
            if not _under(path, _PROCESSING_OUTPUT_ROOT):
                self.fail(subject, "processing outputs must live under /opt/ml/processing/output/")
        elif not _under(path, _PROCESSING_OUTPUT_ROOT):
            self.fail(
                subject, "lambda outputs are virtual and must live under /opt/ml/processing/output/"
            )

    def names_unique_across(self, inputs: Mapping[str, str], outputs: Mapping[str, str]) -> None:
        for logical_name in outputs:
            if logical_name in inputs:
                self.fail(
                    _key("expected_output_paths", logical_name),
                    "logical names must be unique across inputs and outputs "
                    "(this one is also an input)",
                )

    def paths_distinct_and_disjoint(
        self, inputs: Mapping[str, str], outputs: Mapping[str, str]
    ) -> None:
        seen: list[tuple[str, str]] = []
        for field, paths in (("expected_input_paths", inputs), ("expected_output_paths", outputs)):
            for logical_name, path in paths.items():
                here = f"{field}[{logical_name!r}]"
                for other, other_path in seen:
                    if path == other_path:
                        self.fail(_is(here, path), f"paths must be distinct (also used by {other})")
                    if _under(path, other_path) or _under(other_path, path):
                        self.fail(
                            _is(here, path),
                            f"paths must not be nested inside one another "
                            f"(overlaps {other} = {other_path!r})",
                        )
                seen.append((here, path))

    def training_channels(self, inputs: Mapping[str, str]) -> None:
        owners: dict[str, str] = {}
        for logical_name, path in inputs.items():
            channel = _channel_of(path)
            subject = _is(f"expected_input_paths[{logical_name!r}]", path)
            if not _CHANNEL.fullmatch(channel):
                self.fail(
                    subject,
                    f"training channel {channel!r} must be a valid SageMaker channel name "
                    "(letters, digits, '.', '-', '_'; at most 64 characters)",
                )
            if channel in owners:
                self.fail(
                    subject,
                    f"each training input needs its own channel: channel {channel!r} "
                    f"is also used by input {owners[channel]!r}",
                )
            owners[channel] = logical_name

    def optional_input_names(self, value: object, inputs: Mapping[str, str]) -> tuple[str, ...]:
        names = self.string_tuple("optional_input_names", value)
        for name in names:
            if name not in inputs:
                self.fail(
                    _is("optional_input_names", name),
                    "optional inputs must be declared inputs; inputs: "
                    + (", ".join(inputs) or "none"),
                )
            if names.count(name) > 1:
                self.fail(_is("optional_input_names", name), "optional inputs must not repeat")
        return tuple(n for n in inputs if n in names)

    def required_env_vars(self, value: object) -> tuple[str, ...]:
        names = self.string_tuple("required_env_vars", value)
        for index, name in enumerate(names):
            subject = _is(f"required_env_vars[{index}]", name)
            if not _ENV_VAR.fullmatch(name):
                self.fail(subject, _RULE_ENV_VAR)
            if name in names[:index]:
                self.fail(subject, "environment variable names must not repeat")
        return names

    def optional_env_vars(self, value: object, required: tuple[str, ...]) -> dict[str, str]:
        defaults = self.mapping("optional_env_vars", value, "variable name to default value")
        for name, default in defaults.items():
            if not _ENV_VAR.fullmatch(name):
                self.fail(_key("optional_env_vars", name), _RULE_ENV_VAR)
            if name in required:
                self.fail(
                    _key("optional_env_vars", name),
                    "an environment variable cannot be both required and optional",
                )
            if not isinstance(default, str):
                self.fail(
                    _is(f"optional_env_vars[{name!r}]", default),
                    "optional environment variable defaults must be strings",
                )
        return defaults

    def framework_requirements(self, value: object) -> dict[str, str]:
        requirements = self.mapping(
            "framework_requirements", value, "package name to version specifier"
        )
        normalised: dict[str, str] = {}
        for package, specifier in requirements.items():
            if not _PACKAGE.fullmatch(package):
                self.fail(
                    _key("framework_requirements", package),
                    "package names must be valid distribution names (PEP 508)",
                )
            canonical = re.sub(r"[-_.]+", "-", package).lower()
            if canonical in normalised:
                self.fail(
                    _key("framework_requirements", package),
                    f"package names must be unique (same package as {normalised[canonical]!r})",
                )
            normalised[canonical] = package
            subject = _is(f"framework_requirements[{package!r}]", specifier)
            if not isinstance(specifier, str):
                self.fail(subject, "version specifiers must be strings ('' means any version)")
            if specifier and not all(
                _SPECIFIER_CLAUSE.fullmatch(clause) for clause in specifier.split(",")
            ):
                self.fail(
                    subject,
                    "version specifiers must be '' (any version) or comma-separated clauses "
                    "of an operator (~=, ==, !=, <=, >=, <, >, ===) and a version, "
                    "such as '>=1.7' or '>=2.0,<3'",
                )
        return requirements

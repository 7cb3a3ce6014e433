"""The rules a ``ScriptContract`` is checked against on creation, one method per field.

``Checker`` validates and normalises each constructor argument and raises
``ContractError`` naming the contract, the field, the offending value and the rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pipeline_script_contracts.kinds import ContainerType, ContractError, OutputType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

_ENTRY_POINT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.py")
_SNAKE_CASE = re.compile(r"[a-z][a-z0-9_]*")
_PATH_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")
_CHANNEL = re.compile(r"[A-Za-z0-9.\-_]{1,64}")
_ENV_VAR = re.compile(r"[A-Z_][A-Z0-9_]*")
_PACKAGE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
_SPECIFIER_CLAUSE = re.compile(r"\s*(~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9*][A-Za-z0-9.*+!_-]*\s*")

TRAINING_INPUT_ROOT = "/opt/ml/input/data"
"""Training channels are mounted under this folder, one sub-folder per channel."""
TRAINING_OUTPUT_ROOTS = ("/opt/ml/model", "/opt/ml/output/data", "/opt/ml/checkpoints")
"""Folders a training job uploads (model, output data) or syncs (checkpoints)."""
PROCESSING_INPUT_ROOT = "/opt/ml/processing/input"
PROCESSING_OUTPUT_ROOT = "/opt/ml/processing/output"

_RULE_SNAKE_CASE = "must be a snake_case identifier matching ^[a-z][a-z0-9_]*$"
_RULE_ENV_VAR = "environment variable names must match ^[A-Z_][A-Z0-9_]*$"


def _is(field: str, value: object) -> str:
    return f"{field} = {value!r}"


def _key(field: str, key: object) -> str:
    return f"{field} key {key!r}"


def _under(path: str, root: str) -> bool:
    return path.startswith(root + "/")


def _at_or_under(path: str, root: str) -> bool:
    return path == root or _under(path, root)


def channel_of(training_input_path: str) -> str:
    """The training channel of a path under ``/opt/ml/input/data/<channel>/``."""
    return training_input_path[len(TRAINING_INPUT_ROOT) + 1 :].split("/", 1)[0]


class Checker:
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
            if not _under(path, TRAINING_INPUT_ROOT):
                self.fail(subject, "training inputs must live under /opt/ml/input/data/<channel>/")
        elif kind is ContainerType.TRAINING:
            if not any(_at_or_under(path, root) for root in TRAINING_OUTPUT_ROOTS):
                self.fail(
                    subject,
                    "training outputs must be /opt/ml/model, /opt/ml/output/data or "
                    "/opt/ml/checkpoints, or live under one of them",
                )
        elif kind is ContainerType.PROCESSING and is_input:
            if not _under(path, PROCESSING_INPUT_ROOT):
                self.fail(subject, "processing inputs must live under /opt/ml/processing/input/")
        elif kind is ContainerType.PROCESSING:
            if not _under(path, PROCESSING_OUTPUT_ROOT):
                self.fail(subject, "processing outputs must live under /opt/ml/processing/output/")
        elif not _under(path, PROCESSING_OUTPUT_ROOT):
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
            channel = channel_of(path)
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

    def output_types(
        self, value: object, outputs: Mapping[str, str], kind: ContainerType
    ) -> dict[str, OutputType]:
        given = self.mapping("output_types", value, "output logical name to OutputType")
        types: dict[str, OutputType] = {}
        for name in given:
            if name not in outputs:
                self.fail(
                    _key("output_types", name),
                    "output types must name declared outputs; outputs: "
                    + (", ".join(outputs) or "none"),
                )
        for name in outputs:
            raw = given.get(name, OutputType.S3_URI)
            try:
                output_type = OutputType(raw)
            except ValueError:
                self.fail(
                    _is(f"output_types[{name!r}]", raw),
                    "an output type must be one of " + ", ".join(repr(t.value) for t in OutputType),
                )
            if kind is not ContainerType.LAMBDA and output_type is not OutputType.S3_URI:
                self.fail(
                    _is(f"output_types[{name!r}]", output_type.value),
                    f"{kind.value} outputs are folders uploaded to S3, so their type is 'S3Uri'",
                )
            types[name] = output_type
        return types

    def accepted_outputs(
        self, value: object, inputs: Mapping[str, str]
    ) -> dict[str, tuple[str, ...]]:
        given = self.mapping("accepted_outputs", value, "input logical name to output names")
        accepted: dict[str, tuple[str, ...]] = {}
        for name, sources in given.items():
            if name not in inputs:
                self.fail(
                    _key("accepted_outputs", name),
                    "accepted outputs are declared per input; inputs: "
                    + (", ".join(inputs) or "none"),
                )
            names = self.string_tuple(f"accepted_outputs[{name!r}]", sources)
            for index, source in enumerate(names):
                subject = _is(f"accepted_outputs[{name!r}][{index}]", source)
                if not _SNAKE_CASE.fullmatch(source):
                    self.fail(subject, f"an output logical name {_RULE_SNAKE_CASE}")
                if source == name:
                    self.fail(subject, "an input always accepts its own name; list other names")
                if source in names[:index]:
                    self.fail(subject, "accepted output names must not repeat")
            accepted[name] = names
        return accepted

"""`StepBuilderBase`: what every step builder shares.

A builder holds a validated pydantic config and a script contract. It names its
step, exposes the step's outputs by logical name, and wires a step's inputs to the
outputs of its dependencies by exact logical name.
"""

from __future__ import annotations

import abc
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel
from sagemaker.workflow.entities import PipelineVariable

from pipeline_script_contracts import ScriptContract
from pipeline_steps.errors import DependencyResolutionError, StepBuilderError, UnknownOutputError

if TYPE_CHECKING:
    from sagemaker.session import Session
    from sagemaker.workflow.steps import Step

__all__ = [
    "STEP_NAME_PATTERN",
    "StepBuilderBase",
    "StepOutputs",
    "contract_of",
    "dependency_steps",
    "outputs_of",
]

STEP_NAME_PATTERN = re.compile(r"^[A-Za-z0-9\-_]{1,64}$")
"""SageMaker Pipelines' rule for step names."""

ConfigT = TypeVar("ConfigT", bound=BaseModel)


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


_OUTPUTS_BY_STEP: weakref.WeakKeyDictionary[Any, StepOutputs] = weakref.WeakKeyDictionary()


def outputs_of(step: Step) -> StepOutputs:
    """The outputs of a step made by one of this library's builders."""
    try:
        return _OUTPUTS_BY_STEP[step]
    except (KeyError, TypeError):
        name = getattr(step, "name", repr(step))
        raise StepBuilderError(
            f"step {name!r} was not made by a pipeline_steps builder, so its outputs have no "
            "logical names; pass the values you need explicitly with inputs={...}"
        ) from None


_CONTRACT_BY_STEP: weakref.WeakKeyDictionary[Any, ScriptContract] = weakref.WeakKeyDictionary()


def contract_of(step: Any) -> ScriptContract | None:
    """The script contract of a step made by one of this library's builders, else None."""
    return _CONTRACT_BY_STEP.get(step) if _is_weakrefable(step) else None


def _offers(step: Any) -> Mapping[str, Any]:
    outputs = _OUTPUTS_BY_STEP.get(step) if _is_weakrefable(step) else None
    return outputs if outputs is not None else {}


def _is_weakrefable(obj: Any) -> bool:
    try:
        weakref.ref(obj)
    except TypeError:
        return False
    return True


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


class StepBuilderBase(abc.ABC, Generic[ConfigT]):
    """Builds one SageMaker Pipelines step from a config and a script contract."""

    contract: ClassVar[ScriptContract]
    config_class: ClassVar[type[BaseModel]]
    default_step_name: ClassVar[str] = ""

    def __init__(
        self,
        config: ConfigT | Mapping[str, Any],
        *,
        sagemaker_session: Session | None = None,
        step_name: str | None = None,
    ) -> None:
        if isinstance(config, Mapping):
            config = self.config_class.model_validate(dict(config))  # type: ignore[assignment]
        if not isinstance(config, self.config_class):
            raise TypeError(
                f"{type(self).__name__} needs a {self.config_class.__name__}, "
                f"got {type(config).__name__}"
            )
        self.config: ConfigT = config
        self._sagemaker_session = sagemaker_session
        self._step_name = self.check_step_name(step_name or self.default_name())

    @classmethod
    def default_name(cls) -> str:
        """The step name used when none is given: set per builder or derived from the contract."""
        if cls.default_step_name:
            return cls.default_step_name
        return "".join(part.capitalize() for part in cls.contract.name.split("_"))

    @staticmethod
    def check_step_name(name: object) -> str:
        """Return ``name`` if SageMaker accepts it as a step name, else raise."""
        if not isinstance(name, str) or not STEP_NAME_PATTERN.fullmatch(name):
            raise StepBuilderError(
                f"step_name {name!r} is invalid: a step name is 1 to 64 characters of "
                "letters, digits, '-' and '_' (^[A-Za-z0-9\\-_]{1,64}$)"
            )
        return name

    def name_for(self, step_name: str | None) -> str:
        """``step_name`` checked against SageMaker's rule, or this builder's name if None."""
        return self._step_name if step_name is None else self.check_step_name(step_name)

    @property
    def step_name(self) -> str:
        """The name of the next step, unless ``create_step`` is given another."""
        return self._step_name

    @property
    def sagemaker_session(self) -> Session:
        """The SageMaker session steps are built with; a ``PipelineSession`` made on first use."""
        if self._sagemaker_session is None:
            from sagemaker.workflow.pipeline_context import PipelineSession

            self._sagemaker_session = PipelineSession()
        return self._sagemaker_session

    @abc.abstractmethod
    def create_step(self, *args: Any, **kwargs: Any) -> Step:
        """Build the pipeline step."""

    def outputs(self, step: Step) -> StepOutputs:
        """The outputs of ``step`` (made by this builder) keyed by contract logical name."""
        return outputs_of(step)

    def _register_outputs(self, step: Step, references: Mapping[str, Any]) -> StepOutputs:
        expected = self.contract.output_names
        if tuple(references) != tuple(expected):
            raise StepBuilderError(
                f"{type(self).__name__} registered outputs {list(references)} but its contract "
                f"declares {list(expected)}"
            )
        outputs = StepOutputs(step.name, references)
        _OUTPUTS_BY_STEP[step] = outputs
        _CONTRACT_BY_STEP[step] = self.contract
        return outputs

    def resolve_inputs(
        self,
        dependencies: Iterable[Any] = (),
        inputs: Mapping[str, Any] | None = None,
        *,
        step_name: str | None = None,
    ) -> dict[str, Any]:
        """Match each contract input to an explicit value or to one dependency's output.

        Explicit ``inputs`` win. Otherwise the input takes the output of the same logical
        name offered by exactly one of ``dependencies``. A missing required input, an unknown
        input name, or two dependencies offering the same name raise
        ``DependencyResolutionError`` naming the input and what the dependencies offer.
        """
        name = step_name or self.step_name
        valid = self.contract.input_names
        explicit = dict(inputs or {})
        for key, value in explicit.items():
            if key not in valid:
                raise DependencyResolutionError(
                    f"unknown input {key!r} for step {name!r}; valid inputs: "
                    f"{', '.join(valid) or '(none)'}"
                )
            _check_input_value(name, key, value)
        deps = list(dependencies)
        offered = [(getattr(dep, "name", repr(dep)), _offers(dep)) for dep in deps]
        resolved: dict[str, Any] = {}
        for logical in valid:
            if logical in explicit:
                resolved[logical] = explicit[logical]
                continue
            sources = [(dep_name, outs) for dep_name, outs in offered if logical in outs]
            if len(sources) > 1:
                raise DependencyResolutionError(
                    f"ambiguous input {logical!r} for step {name!r}: offered by "
                    f"{', '.join(repr(dep_name) for dep_name, _ in sources)}; pass "
                    f"inputs={{{logical!r}: ...}} to choose one"
                )
            if sources:
                resolved[logical] = sources[0][1][logical]
            elif logical not in self.contract.optional_input_names:
                raise DependencyResolutionError(
                    f"missing required input {logical!r} for step {name!r}: no dependency "
                    f"offers it ({_describe_offers(offered)}); pass "
                    f"inputs={{{logical!r}: 's3://...'}} or add the step that produces it to "
                    "dependencies"
                )
        return resolved


def _describe_offers(offered: list[tuple[str, Mapping[str, Any]]]) -> str:
    if not offered:
        return "no dependencies were given"
    parts = [
        f"{dep_name!r} offers {', '.join(outs) if outs else 'nothing'}"
        for dep_name, outs in offered
    ]
    return "; ".join(parts)


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
        feeds = any(id(ref) in used for ref in _offers(dependency).values())
        if not feeds and not any(dependency is known for known in ordered):
            ordered.append(dependency)
    return ordered or None

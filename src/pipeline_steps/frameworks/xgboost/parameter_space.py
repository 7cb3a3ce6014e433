"""XGBoost's parameter space, read from the one data file the training script reads too.

``xgboost_parameters.json`` sits beside ``train_xgb.py`` in the reference scripts
folder (the folder uploaded as the job's code), so the script in the container and
this module on the author's machine share one list of names, aliases, enums and the
XGBoost release that brought each parameter. Nothing here imports ``xgboost``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pipeline_steps.reference_scripts import REFERENCE_SCRIPTS_DIR, load_data_file

__all__ = [
    "PARAMETERS_FILE",
    "ImageSpec",
    "MetricSpec",
    "ParameterSpace",
    "ParameterSpec",
    "parameter_space",
    "version_tuple",
]

PARAMETERS_FILE = REFERENCE_SCRIPTS_DIR / "xgboost_parameters.json"
"""The data file: parameters, aliases, refused names, metrics and the images' versions."""


def version_tuple(version: str) -> tuple[int, ...]:
    """``"3.0.5"`` -> ``(3, 0, 5)``, for comparing XGBoost releases."""
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class ParameterSpec:
    """One XGBoost parameter as the data file describes it."""

    name: str
    native: str | None
    aliases: tuple[str, ...]
    group: str
    default: Any
    since: str | None = None
    values: tuple[str, ...] = ()
    value_since: Mapping[str, str] = field(default_factory=dict)
    scope: tuple[Mapping[str, tuple[Any, ...]], ...] = ()


@dataclass(frozen=True)
class MetricSpec:
    """One evaluation metric name and the suffixes XGBoost parses after it."""

    name: str
    kind: str
    at: str | None = None
    at_required: bool = False
    minus: bool = False
    since: str | None = None


@dataclass(frozen=True)
class ImageSpec:
    """A SageMaker XGBoost image (framework version) and what it runs."""

    framework_version: str
    xgboost: str
    python: str
    auto_tree_method: str
    libraries: Mapping[str, str]
    source: str

    def has(self, since: str | None) -> bool:
        """Whether this image's XGBoost is at least release ``since`` (None: always)."""
        return since is None or version_tuple(self.xgboost) >= version_tuple(since)


@dataclass(frozen=True)
class ParameterSpace:
    """Everything the data file says, indexed for look-ups."""

    parameters: Mapping[str, ParameterSpec]
    aliases: Mapping[str, str]
    refused: Mapping[str, str]
    metrics: Mapping[str, MetricSpec]
    images: Mapping[str, ImageSpec]
    default_framework_version: str

    @property
    def default_image(self) -> ImageSpec:
        """The image the builders use unless told otherwise."""
        return self.images[self.default_framework_version]

    def image(self, framework_version: str) -> ImageSpec:
        """The image for ``framework_version``, or a ValueError listing the known ones."""
        try:
            return self.images[framework_version]
        except KeyError:
            known = ", ".join(sorted(self.images))
            raise ValueError(
                f"XGBoost framework_version {framework_version!r} is not one the reference "
                f"scripts are checked against; use one of: {known}"
            ) from None

    def stored_name(self, name: str) -> str | None:
        """The name a value given as ``name`` is stored under (None: not a known name)."""
        if name in self.parameters:
            return name
        return self.aliases.get(name)

    def describe_unknown(self, name: str) -> str:
        """Why ``name`` is refused, with the fix: a refused name's reason or the closest name."""
        if name in self.refused:
            return f"{name!r} is not accepted: {self.refused[name]}"
        known = [*self.parameters, *self.aliases]
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if close:
            return f"unknown XGBoost hyperparameter {name!r}; did you mean {close[0]!r}?"
        return (
            f"unknown XGBoost hyperparameter {name!r}; the known names are listed in "
            f"{PARAMETERS_FILE.name}"
        )


def _load_parameter(name: str, raw: Mapping[str, Any]) -> ParameterSpec:
    return ParameterSpec(
        name=name,
        native=raw["native"],
        aliases=tuple(raw["aliases"]),
        group=raw["group"],
        default=raw["default"],
        since=raw.get("since"),
        values=tuple(raw.get("values", ())),
        value_since=dict(raw.get("value_since", {})),
        scope=tuple(
            {key: tuple(allowed) for key, allowed in alternative.items()}
            for alternative in raw.get("scope", ())
        ),
    )


@cache
def parameter_space() -> ParameterSpace:
    """The parsed data file (read once)."""
    raw = load_data_file(PARAMETERS_FILE.name)
    parameters = {name: _load_parameter(name, spec) for name, spec in raw["parameters"].items()}
    aliases = {alias: spec.name for spec in parameters.values() for alias in spec.aliases}
    metrics = {
        name: MetricSpec(
            name=name,
            kind=spec["kind"],
            at=spec.get("at"),
            at_required=spec.get("at_required", False),
            minus=spec.get("minus", False),
            since=spec.get("since"),
        )
        for name, spec in raw["eval_metrics"].items()
    }
    images = {
        version: ImageSpec(
            framework_version=version,
            xgboost=spec["xgboost"],
            python=spec["python"],
            auto_tree_method=spec["auto_tree_method"],
            libraries=dict(spec["libraries"]),
            source=spec["source"],
        )
        for version, spec in raw["images"].items()
    }
    return ParameterSpace(
        parameters=parameters,
        aliases=aliases,
        refused=dict(raw["refused"]),
        metrics=metrics,
        images=images,
        default_framework_version=raw["default_framework_version"],
    )

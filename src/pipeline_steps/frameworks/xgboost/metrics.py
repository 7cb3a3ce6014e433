"""XGBoost's evaluation metric names, with the ``@`` and ``-`` forms its parser reads.

XGBoost splits a metric at ``@`` (``error@0.6``, ``ndcg@5``, ``tweedie-nloglik@1.5``)
and reads a trailing ``-`` as "score a list without positive samples as 0"
(``ndcg-``, ``map@10-``). The names and which suffixes each takes come from
``xgboost_parameters.json``; only the forms XGBoost documents are accepted.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from pipeline_steps.frameworks.xgboost.parameter_space import MetricSpec, parameter_space

__all__ = ["ParsedMetric", "metric_examples", "parse_metric"]

_CUTOFF = re.compile(r"[1-9][0-9]*")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SUFFIX_EXAMPLES = {"threshold": "@0.6", "cutoff": "@5", "rho": "@1.5"}


@dataclass(frozen=True)
class ParsedMetric:
    """A metric name split into its registered name and suffixes."""

    text: str
    spec: MetricSpec
    at: str | None
    minus: bool


def metric_examples() -> list[str]:
    """Every registered name plus one example of each suffix form it takes."""
    examples: list[str] = []
    for spec in parameter_space().metrics.values():
        if not spec.at_required:
            examples.append(spec.name)
        if spec.at is not None:
            examples.append(spec.name + _SUFFIX_EXAMPLES[spec.at])
        if spec.minus:
            examples.extend((spec.name + "-", spec.name + _SUFFIX_EXAMPLES["cutoff"] + "-"))
    return examples


def _unknown(text: str) -> ValueError:
    if "," in text or " " in text.strip():
        parts = [part for part in re.split(r"[,\s]+", text) if part]
        return ValueError(
            f"eval_metric {text!r} names several metrics in one string; XGBoost reads one "
            f"metric per entry, so pass a list: {parts!r}"
        )
    close = difflib.get_close_matches(text, metric_examples(), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return ValueError(f"{text!r} is not an XGBoost evaluation metric{hint}")


def _check_at(spec: MetricSpec, text: str, value: str) -> None:
    if spec.at == "cutoff" and not _CUTOFF.fullmatch(value):
        raise ValueError(
            f"eval_metric {text!r}: the part after '@' is the number of top positions, a "
            f"positive integer (e.g. {spec.name}@5)"
        )
    if spec.at in ("threshold", "rho") and not _NUMBER.fullmatch(value):
        raise ValueError(
            f"eval_metric {text!r}: the part after '@' must be a number "
            f"(e.g. {spec.name}{_SUFFIX_EXAMPLES[spec.at]})"
        )
    if spec.at == "rho" and not 1.0 <= float(value) < 2.0:
        raise ValueError(
            f"eval_metric {text!r}: the Tweedie variance power after '@' must be in [1, 2) "
            "(e.g. tweedie-nloglik@1.5)"
        )


def parse_metric(text: str) -> ParsedMetric:
    """Split ``text`` into name and suffixes, or raise ValueError saying the fix."""
    metrics = parameter_space().metrics
    name, _, at = text.partition("@")
    minus = False
    if not at and name not in metrics and name.endswith("-"):
        name, minus = name[:-1], True
    elif at.endswith("-"):
        at, minus = at[:-1], True
    spec = metrics.get(name)
    if spec is None:
        raise _unknown(text)
    if "@" in text:
        if spec.at is None:
            raise ValueError(f"eval_metric {text!r}: {name} takes no '@' suffix; use {name!r}")
        _check_at(spec, text, at)
    elif spec.at_required:
        raise ValueError(
            f"eval_metric {text!r}: XGBoost needs the variance power in the name; write "
            f"{name}{_SUFFIX_EXAMPLES[spec.at or 'rho']} (the value of tweedie_variance_power)"
        )
    if minus and not spec.minus:
        raise ValueError(
            f"eval_metric {text!r}: only ndcg and map take a trailing '-'; use {name!r}"
        )
    return ParsedMetric(text=text, spec=spec, at=at or None, minus=minus)

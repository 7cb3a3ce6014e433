"""``describe(pipeline)``: a pipeline's steps, what feeds what, and its DAG, for people.

It reads the ``Pipeline`` object only: nothing is rendered, deployed or uploaded
(``pipeline.definition()`` would deploy the bundled Lambda and upload code). Inputs
of steps made by this library's builders are known by logical name; a step made
with the SDK directly shows its type and ``depends_on`` ordering.

In JupyterLab (4.1 or later) the result renders as Markdown whose ```` ```mermaid ````
block is drawn as a diagram (``@jupyterlab/mermaid`` renders Mermaid fenced blocks in
Markdown output). It deliberately has no ``_repr_html_``: JupyterLab shows the
richest output it can, and its HTML renderer ranks before Markdown, which would hide
the diagram.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline_steps.core.display import value_label
from pipeline_steps.core.outputs import contract_of, offered_outputs
from pipeline_steps.core.wiring import inputs_of
from pipeline_steps.sdk import Parameter
from pipeline_steps.tools.mermaid import flowchart

__all__ = ["PipelineDescription", "StepSummary", "Wire", "describe"]


@dataclass(frozen=True)
class StepSummary:
    """One step: its name, SageMaker step type and contract (None if not a builder's)."""

    name: str
    type: str
    contract: str | None


@dataclass(frozen=True)
class Wire:
    """One input's source: another step's output, a pipeline parameter or a value.

    ``source_step`` and ``output`` are set for a step's output; otherwise ``value``
    says what is given (an S3 URI, ``LearningRate (parameter, default 0.1)``).
    """

    target_step: str
    input: str
    source_step: str | None = None
    output: str | None = None
    value: str | None = None

    @property
    def source(self) -> str:
        """``Step.output`` or the value, as shown."""
        if self.source_step is not None:
            return f"{self.source_step}.{self.output}"
        return str(self.value)


@dataclass(frozen=True)
class PipelineDescription:
    """A pipeline's steps, wiring and DAG; shown as text, and as Markdown in a notebook."""

    name: str
    parameters: tuple[str, ...]
    steps: tuple[StepSummary, ...]
    wiring: tuple[Wire, ...]
    order: tuple[tuple[str, str], ...]
    """``(upstream, downstream)`` pairs from ``depends_on`` (ordering without data)."""

    @property
    def mermaid(self) -> str:
        """The DAG as a Mermaid ``flowchart TD``: data edges labelled with what flows."""
        labels: dict[tuple[str, str], list[str]] = {}
        for wire in self.wiring:
            if wire.source_step is not None:
                label = wire.input if wire.output == wire.input else f"{wire.output} → {wire.input}"
                labels.setdefault((wire.source_step, wire.target_step), []).append(label)
        for pair in self.order:
            labels.setdefault(pair, [])
        edges = [(up, down, ", ".join(names)) for (up, down), names in labels.items()]
        return flowchart([(step.name, step.type) for step in self.steps], edges)

    def _sections(self) -> Iterator[tuple[str, tuple[str, ...], list[tuple[str, ...]]]]:
        yield "Parameters", ("parameter",), [(p,) for p in self.parameters]
        yield (
            "Steps",
            ("step", "type", "contract"),
            [(s.name, s.type, s.contract or "-") for s in self.steps],
        )
        yield (
            "Wiring",
            ("input", "from"),
            [(f"{w.target_step}.{w.input}", w.source) for w in self.wiring],
        )

    def __repr__(self) -> str:
        lines = [f"Pipeline {self.name!r}: {len(self.steps)} steps"]
        for title, header, rows in self._sections():
            lines.append(f"{title}:" + ("" if rows else " none"))
            if not rows:
                continue
            widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
            for row in rows:
                cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
                lines.append(("  " + "  ".join(cells)).rstrip())
        lines.append("DAG (Mermaid):")
        lines.append(self.mermaid)
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        parts = [f"**Pipeline `{self.name}`**: {len(self.steps)} steps"]
        for title, header, rows in self._sections():
            if not rows:
                parts.append(f"**{title}:** none")
                continue
            table = [
                f"**{title}**",
                "",
                "| " + " | ".join(header) + " |",
                "|" + "|".join(" --- " for _ in header) + "|",
            ]
            table += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
            parts.append("\n".join(table))
        parts.append(f"```mermaid\n{self.mermaid}\n```")
        return "\n\n".join(parts) + "\n"


def _md_cell(text: str) -> str:
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _name_of(item: Any) -> str:
    return str(getattr(item, "name", item))


def _step_type(step: Any) -> str:
    kind = getattr(step, "step_type", None)
    return str(getattr(kind, "value", kind or type(step).__name__))


def _producers(steps: Iterable[Any]) -> dict[int, tuple[str, str]]:
    """``id(reference) -> (step name, output name)`` for every output a builder registered."""
    return {
        id(reference): (step.name, output)
        for step in steps
        for output, reference in offered_outputs(step).items()
    }


def _wires(step: Any, producers: Mapping[int, tuple[str, str]]) -> Iterator[Wire]:
    for logical, value in inputs_of(step).items():
        producer = producers.get(id(value))
        if producer is not None:
            yield Wire(step.name, logical, source_step=producer[0], output=producer[1])
        else:
            shown = value if isinstance(value, str) else value_label(value)
            yield Wire(step.name, logical, value=shown)
    arguments = getattr(step, "inputs", None)  # a LambdaStep's Arguments
    if isinstance(arguments, Mapping):
        for key, value in arguments.items():
            if isinstance(value, Parameter):
                yield Wire(step.name, str(key), value=value_label(value))


def describe(pipeline: Any) -> PipelineDescription:
    """Steps, wiring and DAG of ``pipeline`` (a ``pipeline_steps.sdk.Pipeline``)."""
    steps = list(getattr(pipeline, "steps", None) or [])
    producers = _producers(steps)
    summaries = []
    wiring: list[Wire] = []
    order: list[tuple[str, str]] = []
    for step in steps:
        contract = contract_of(step)
        contract_name = contract.name if contract is not None else None
        summaries.append(StepSummary(step.name, _step_type(step), contract_name))
        wiring += _wires(step, producers)
        for upstream in getattr(step, "depends_on", None) or []:
            order.append((_name_of(upstream), step.name))
    parameters = tuple(value_label(p) for p in getattr(pipeline, "parameters", None) or [])
    return PipelineDescription(
        name=str(getattr(pipeline, "name", "pipeline")),
        parameters=parameters,
        steps=tuple(summaries),
        wiring=tuple(wiring),
        order=tuple(dict.fromkeys(order)),
    )
